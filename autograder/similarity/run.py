"""``similarity``: the class similarity report of one assignment, from the submissions the grader graded.

The source compared is the source graded: each entry of the class folder (or Gradescope
export) is staged by intake exactly as for grading (a folder, a .zip, a .py, a notebook turned
into its module) into a private temporary folder, and the module's text is read there. Student
code is never imported or run: it is only scanned as text (``lexer``). Nothing is written into
the submissions; everything goes to ``OUTDIR/similarity/<id>/``.

Where ``OUTDIR`` holds a gradebook (``autograder grade ... -o OUTDIR``), each student's content
hash is checked against the one graded: a submission changed since grading, or never graded,
is compared all the same and listed, so that the reader knows.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignments import Assignment, get_assignment
from autograder.files import OutputPathError, check_output_path
from autograder.i18n import N_
from autograder.intake import Problem, fingerprint as content_hash, stage
from autograder.notebooks import top_level_names
from autograder.similarity.compare import (COMMON_FRACTION, COMMON_MIN_COUNT, SOURCE_THRESHOLD, THRESHOLD, Cluster,
                                           PairScore, SourceMatch, compare)
from autograder.similarity.fingerprints import Fingerprints, fingerprint
from autograder.similarity.lexer import MAX_SOURCE_CHARS
from autograder.similarity.shared import shared_hashes

SIMILARITY_DIRNAME = "similarity"
REFERENCE_SOURCE = N_("reference solution")  # an id in the CSVs; shown translated in the report
TOP_PAIRS = 50  # side-by-side pages written: the highest-ranked pairs (flagged or not)


class SimilarityError(Exception):
    """The comparison cannot start or its output cannot be written; the message says why and what
    to do."""


@dataclass
class SimilarityResult:
    """What ``similarity`` found and wrote for one assignment. ``pairs`` holds every pair that
    shares evidence, highest score first; ``flagged`` those at or above ``threshold``."""

    assignment: str
    title: str
    outdir: Path  # OUTDIR/similarity/<id>
    index_path: Path
    csv_path: Path
    summary_path: Path
    pair_pages: dict[tuple[str, str], Path]
    students: list[str]  # compared
    pairs: list[PairScore]
    clusters: list[Cluster]
    sources: list[SourceMatch]
    threshold: float
    source_threshold: float
    model: bool  # layer-building code weighed less
    skipped: dict[str, str] = field(default_factory=dict)  # student -> why not compared
    notes: dict[str, list[str]] = field(default_factory=dict)  # student -> what was cut (huge files)
    changed_since_grading: list[str] = field(default_factory=list)
    not_in_gradebook: list[str] = field(default_factory=list)
    common_limit: int = 0
    seconds: float = 0.0

    @property
    def flagged(self) -> list[PairScore]:
        return [pair for pair in self.pairs if pair.flagged]

    @property
    def flagged_sources(self) -> list[SourceMatch]:
        return [match for match in self.sources if match.flagged]


@dataclass
class _Cohort:
    texts: dict[str, str]
    hashes: dict[str, str]
    skipped: dict[str, str]


def _read_module(path: Path) -> str:
    with open(path, "rb") as stream:
        data = stream.read(MAX_SOURCE_CHARS * 4 + 1)
    return data.decode("utf-8", "replace")


def collect(assignment: Assignment, submissions: Path, scratch_parent: Path) -> _Cohort:
    """Each student's module text, staged as the grader stages it; the entries that cannot be
    staged (empty, misnamed, corrupt, duplicate) in ``skipped`` with the reason."""
    from autograder.batch import BatchError, opened_submissions, split_duplicates, survey_submissions

    try:
        found = survey_submissions(assignment, submissions, scratch_parent)
    except BatchError as error:
        raise SimilarityError(str(error)) from None
    keep = _stub_names(assignment)
    cohort = _Cohort({}, {}, {})
    try:
        with opened_submissions(Path(submissions), scratch_parent, found) as (entries, unmatched):
            unique, duplicates = split_duplicates(entries)
            for entry in duplicates:
                cohort.skipped[f"{entry.path.name} (duplicate)"] = f"another entry already has student id {entry.student!r}"
            for item in unmatched:
                cohort.skipped[item.row_id] = item.detail
            for entry in unique:
                with tempfile.TemporaryDirectory(prefix="autograder-similarity-") as workdir:
                    staged = stage(entry, assignment.module_filename, Path(workdir), keep_names=keep)
                    if isinstance(staged, Problem):
                        cohort.skipped[entry.student] = f"{staged.status.value}: {staged.detail}"
                        continue
                    cohort.texts[entry.student] = _read_module(staged.root / staged.module_filename)
                cohort.hashes[entry.student] = content_hash(entry)
    except BatchError as error:
        raise SimilarityError(str(error)) from None
    return cohort


def _stub_names(assignment: Assignment) -> frozenset[str]:
    try:
        return top_level_names(assignment.stub_path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return frozenset()


def _graded_hashes(outdir: Path, assignment: str) -> dict[str, str] | None:
    """Student -> content hash graded, from the gradebook in ``outdir``; None without one."""
    from autograder.gradebook import GRADEBOOK_FILENAME, Gradebook

    if not (Path(outdir) / GRADEBOOK_FILENAME).is_file():
        return None
    with Gradebook(outdir) as gradebook:
        return {result.student: result.fingerprint for result in gradebook.results(assignment)}


def fingerprint_all(texts: dict[str, str], *, model: bool, executor: str = "local", scheduler: str | None = None,
                    jobs: int = 2) -> dict[str, Fingerprints]:
    """Each text's fingerprints, here or (``executor="dask"``) as one task per text on the Dask
    ``scheduler`` (a local cluster of ``jobs`` workers when None), through the grader's executor."""
    if executor == "local":
        return {name: fingerprint(text, model=model) for name, text in texts.items()}
    if executor != "dask":
        raise SimilarityError(f"unknown executor {executor!r}: choose local or dask")
    from autograder.engine.dask_grading import DaskGrading, DaskUnavailable
    from autograder.training import Device

    try:
        with DaskGrading(scheduler, Device(), local_workers=jobs) as dask:
            names = sorted(texts)
            futures = dask.client.map(_fingerprint_task, [texts[n] for n in names], model=model, pure=False)
            return dict(zip(names, dask.client.gather(futures)))
    except DaskUnavailable as error:
        raise SimilarityError(str(error)) from None


def _fingerprint_task(text: str, model: bool) -> Fingerprints:
    return fingerprint(text, model=model)


def similarity(assignment_id: str, submissions: Path, outdir: Path, *, threshold: float = THRESHOLD,
               source_threshold: float = SOURCE_THRESHOLD, top: int = TOP_PAIRS, notes: Path | None = None,
               sources: tuple[Path, ...] = (), reference: bool = True, common_fraction: float = COMMON_FRACTION,
               common_min: int = COMMON_MIN_COUNT, executor: str = "local", scheduler: str | None = None,
               jobs: int = 2) -> SimilarityResult:
    """Compare every pair of the class's submissions of ``assignment_id`` (a class folder or a
    Gradescope export, as for ``grade``) and write the report into ``outdir/similarity/<id>/``:
    ``index.html`` (ranked pairs, clusters, matches with published sources), ``pairs.csv``,
    ``summary.json`` (what ``autograder report`` shows) and ``pairs/<n>.html`` side by side for
    the ``top`` highest-ranked pairs and for every flagged one.

    ``notes``: the course notes (a folder or a file) whose code is shared code, beside the
    copy that ships with the package. ``sources``: published implementations to flag students
    against, beside the reference solution (unless ``reference`` is False). ``threshold``,
    ``source_threshold``, ``common_fraction`` and ``common_min``: see ``compare``.

    Raises SimilarityError (one line) for what cannot be compared or written, before any work;
    UnknownAssignment for an unknown id.
    """
    from autograder.similarity.render import write_outputs

    started = time.monotonic()
    assignment = get_assignment(assignment_id)
    for name, value in (("threshold", threshold), ("source_threshold", source_threshold),
                        ("common_fraction", common_fraction)):
        if not 0.0 < value <= 1.0:
            raise SimilarityError(f"`{name}` must be a number in (0, 1]. Received: {name}={value!r}")
    if top < 0 or common_min < 1 or jobs < 1:
        raise SimilarityError(f"`top` must be >= 0, `common_min` and `jobs` >= 1. Received: top={top}, "
                              f"common_min={common_min}, jobs={jobs}")
    outdir = Path(outdir)
    target = outdir / SIMILARITY_DIRNAME / assignment.id
    _check_writable(target)
    published: dict[str, str] = {}
    if reference and assignment.solution_path.is_file():
        published[REFERENCE_SOURCE] = _read_module(assignment.solution_path)
    for path in sources:
        path = Path(path)
        if not path.is_file():
            raise SimilarityError(f"source {path} is not a file: pass a .py file of a published implementation")
        published[f"source {path.name}"] = _read_module(path)

    outdir.mkdir(parents=True, exist_ok=True)
    cohort = collect(assignment, Path(submissions), outdir)
    if len(cohort.texts) < 2:
        raise SimilarityError(f"only {len(cohort.texts)} submission(s) of {assignment.id} could be read in "
                              f"{submissions}: there is nothing to compare")
    model = assignment.uses_keras
    prints = fingerprint_all(cohort.texts, model=model, executor=executor, scheduler=scheduler, jobs=jobs)
    source_prints = {name: fingerprint(text, model=model) for name, text in published.items()}
    shared = shared_hashes(assignment, notes)
    found = compare(prints, shared, sources=source_prints, threshold=threshold, source_threshold=source_threshold,
                    common_fraction=common_fraction, common_min=common_min)

    graded = _graded_hashes(outdir, assignment.id)
    changed = sorted(s for s, h in cohort.hashes.items() if graded is not None and s in graded and graded[s] != h)
    ungraded = sorted(s for s in cohort.hashes if graded is not None and s not in graded)
    result = SimilarityResult(
        assignment.id, assignment.title, target, target / "index.html", target / "pairs.csv",
        target / "summary.json", {}, sorted(cohort.texts), found.pairs, found.clusters, found.sources, threshold,
        source_threshold, model, skipped=cohort.skipped,
        notes={s: p.tokens.notes for s, p in prints.items() if p.tokens.notes},
        changed_since_grading=changed, not_in_gradebook=ungraded, common_limit=found.limit,
    )
    write_outputs(result, found, cohort.texts, prints, published, source_prints, top=top)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _check_writable(target: Path) -> None:
    """Refuse, before any work, an output path under a file, or a file where a folder goes."""
    try:
        check_output_path(target, what="the similarity report", fix="move it away or pass another folder")
    except OutputPathError as error:
        raise SimilarityError(str(error)) from None
