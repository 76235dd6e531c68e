"""The functions behind the CLI. Each returns result objects and never prints.

Each refuses, before any work, what cannot be what the user meant, with an exception whose one
line says what to do instead: an output path that cannot be written (``OutputPathError``), a
class folder that is empty or one student's own (``BatchError``), ``--device gpu`` where the
backend sees no GPU (``DeviceUnavailable``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from autograder import training
from autograder.assignments import CATALOG, PACKAGE_DIR, Assignment, get_assignment
from autograder.batch import CLASS_CSV_FILENAME, BatchError, ResultCallback, grade_batch, survey_submissions
from autograder.engine.grade import tests_of, tests_path
from autograder.engine.workers import grade_entries_isolated
from autograder.files import OutputPathError, check_output_path
from autograder.gradebook import GRADEBOOK_FILENAME
from autograder.i18n import check_language, language, use_language
from autograder.intake import Entry
from autograder.notebooks import notebook_filename
from autograder.results import BatchResult, SubmissionResult, SubmissionStatus, max_score_of
from autograder.sandbox.launcher import SandboxMode, SandboxUnavailable, bwrap_problem, user_mode_problem
from autograder.training import Device, DeviceUnavailable

DEMO_DIR = PACKAGE_DIR / "demo"


@dataclass(frozen=True)
class AssignmentSummary:
    id: str
    title: str
    points: float
    tests: int
    public_points: float
    public_tests: int
    bonus_points: float = 0.0


@dataclass
class VerifyReport:
    assignment: str
    runs: dict[str, SubmissionResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def ensure_device(assignments: list[Assignment], device: Device) -> None:
    """Fail once, before grading, if ``--device gpu`` was asked for model assignments and the
    chosen backend sees no GPU (asked of a fresh process: see ``training.gpu_problem``). Numeric
    assignments run on the CPU whatever the device, and ask nothing.

    Raises training.DeviceUnavailable, whose message names the backend and how to train on the CPU.
    """
    if device.device != "gpu" or not any(assignment.uses_keras for assignment in assignments):
        return
    problem = training.gpu_problem(device.backend)
    if problem is not None:
        raise DeviceUnavailable(f"--device gpu: {problem}; to train on the CPU, pass --device cpu (the default)")


def resolve_sandbox(requested: str, *, untrusted: bool) -> SandboxMode:
    """Pick the sandbox: 'auto' prefers bubblewrap, then (as root) an unprivileged user of its
    own per submission; untrusted code never falls back to a bare process silently."""
    if requested == SandboxMode.PROCESS.value:
        return SandboxMode.PROCESS
    if requested == SandboxMode.USER.value:
        problem = user_mode_problem()
        if problem is not None:
            raise SandboxUnavailable(f"cannot run student code as an unprivileged user: {problem}")
        return SandboxMode.USER
    problem = bwrap_problem()
    if problem is None:
        return SandboxMode.BWRAP
    if requested == "auto" and user_mode_problem() is None:
        return SandboxMode.USER
    if requested == SandboxMode.BWRAP.value or untrusted:
        raise SandboxUnavailable(
            f"cannot isolate student code: {problem}. Install bubblewrap (or grade as root, which runs each "
            "submission as an unprivileged user), or pass --sandbox process to grade without isolation "
            "(time and memory limits still apply)."
        )
    return SandboxMode.PROCESS


def ensure_data(assignment: Assignment) -> None:
    """Fail once, before grading, if a dataset the grader trains on cannot be loaded.

    Raises datasets.DatasetError, whose message says how to provide the data.
    """
    if assignment.datasets:
        import datasets

        for name in assignment.datasets:
            try:
                datasets.load(name)
            except datasets.DatasetUnavailable as error:
                # One line for the terminal; the full list of what was tried stays on __cause__.
                first = str(error).splitlines()[0].rstrip(".") if str(error) else f"{name} is not available"
                raise datasets.DatasetUnavailable(
                    f"cannot grade {assignment.id}: {first}; run `autograder setup` to install its offline copy, "
                    f"or put {name}.npz in {datasets.cache_dir()} (${datasets.ENV_DATA_DIR} chooses that folder)"
                ) from error


def list_assignments() -> list[AssignmentSummary]:
    summaries = []
    for assignment in CATALOG.values():
        hidden = tests_of(tests_path(assignment, public=False))
        public = tests_of(tests_path(assignment, public=True))
        summaries.append(AssignmentSummary(
            assignment.id, assignment.title, max_score_of(hidden), len(hidden), max_score_of(public), len(public),
            bonus_points=sum(t.max_points for t in hidden if t.bonus),
        ))
    return summaries


def check(assignment_id: str, path: Path | None = None, *, sandbox: str = "auto",
          device: Device = Device(), lang: str | None = None) -> SubmissionResult:
    """Run the public tests on a student's own file (.py or .ipynb), folder or .zip; messages in
    ``lang`` (see ``autograder.i18n``; None: the process's language)."""
    with use_language(lang):
        return _check(assignment_id, path, sandbox=sandbox, device=device)


def _check(assignment_id: str, path: Path | None, *, sandbox: str, device: Device) -> SubmissionResult:
    assignment = get_assignment(assignment_id)
    if path is None:  # ./<id>.py, else the notebook ./<id>.ipynb
        notebook = Path(notebook_filename(assignment.module_filename))
        path = notebook if notebook.is_file() and not Path(assignment.module_filename).exists() \
            else Path(assignment.module_filename)
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found; pass the path to your {assignment.module_filename} "
                                f"(or {notebook_filename(assignment.module_filename)})")
    ensure_device([assignment], device)
    mode = resolve_sandbox(sandbox, untrusted=False)
    ensure_data(assignment)
    (result,) = grade_entries_isolated(assignment, [(Entry(path.stem, path.resolve()), True)], mode=mode, device=device)
    return result


def grade(assignment_id: str, submissions: Path, outdir: Path, *, jobs: int = 1, sandbox: str = "auto",
          device: Device = Device(), regrade: bool = False, on_plan=None,
          on_result: ResultCallback | None = None, executor: str = "local",
          scheduler: str | None = None, course: Path | None = None, lang: str | None = None) -> BatchResult:
    """Grade every submission in a folder into ``outdir``'s gradebook (resumable).

    Messages (feedback, statuses) are in ``lang``, else the course file's ``language:``, else
    the process's language (``autograder.i18n``); the result's ``language`` says which. A
    language other than English is part of the grader version: unchanged submissions graded in
    another language are graded again.

    Refused before anything is written: an ``outdir`` that cannot be a folder, a folder that is
    empty or one student's own, ``--device gpu`` without a GPU (not asked where a Dask
    ``scheduler`` elsewhere trains), no sandbox, missing data, a ``course`` file (or an
    ``outdir/course.yml``) that is no valid course (``course.CourseError``). ``course`` is
    copied to ``outdir/course.yml``, where later reports and exports find it."""
    from autograder.course import COURSE_FILENAME, course_of

    assignment = get_assignment(assignment_id)
    _check_output_folder_of(outdir, what="the gradebook",
                            files=(GRADEBOOK_FILENAME, f"{assignment.id}.csv", CLASS_CSV_FILENAME))
    if course is not None:
        check_output_path(Path(outdir) / COURSE_FILENAME, what="the course file", folder=False,
                          fix="move it away, or pass another folder with -o")
    found = course_of(outdir, course)
    survey_submissions(assignment, submissions, outdir)
    if not (executor == "dask" and scheduler is not None):  # a remote cluster's GPUs are not this machine's
        ensure_device([assignment], device)
    mode = resolve_sandbox(sandbox, untrusted=True)
    ensure_data(assignment)
    with use_language(_language_of(lang, found)) as language:
        batch = grade_batch(assignment, submissions, outdir, jobs=jobs, mode=mode, device=device, regrade=regrade,
                            on_plan=on_plan, on_result=on_result, executor=executor, scheduler=scheduler,
                            course=course)
    batch.language = language
    return batch


def _language_of(lang: str | None, course) -> str | None:
    """The language asked for, else the course file's ``language:``, else None (the process's)."""
    return lang or (course.language if course is not None else None)


def course_plan(path: Path):
    """Read and validate the course file at ``path``: its due dates, late policies and extensions
    per assignment, as a ``course.CoursePlan``. Raises course.CourseError (one line, naming the
    key that is wrong)."""
    from autograder.course import load_course, plan

    return plan(load_course(Path(path)))


def _verify_one(assignment: Assignment, mode: SandboxMode, device: Device) -> VerifyReport:
    report = VerifyReport(assignment.id)
    roles = (("reference", assignment.solution_path), ("stub", assignment.stub_path))
    runs = [(Entry(role, path), public) for public in (False, True) for role, path in roles]
    results = grade_entries_isolated(assignment, runs, mode=mode, device=device)
    for (entry, public), result in zip(runs, results):
        role, kind = entry.student, ("public" if public else "hidden")
        report.runs[f"{role}/{kind}"] = result
        if result.status is not SubmissionStatus.GRADED:
            report.problems.append(f"{role} on the {kind} tests: status {result.status.value} ({result.detail})")
        elif role == "reference" and (result.score != result.max_score or
                                      any(t.points < t.max_points for t in result.tests)):
            failed = [f"{t.name}: {t.message}" for t in result.tests if t.points < t.max_points]
            report.problems.append(f"reference scores {result.score:g}/{result.max_score:g} on the {kind} tests; "
                                   f"failing: {'; '.join(failed)}")
        elif role == "stub" and (result.score != 0 or result.bonus_score != 0):
            passed = [t.name for t in result.tests if t.points > 0]
            report.problems.append(f"stub scores {result.score:g} on the {kind} tests; passing: {', '.join(passed)}")
        elif role == "stub" and any(t.stage not in ("not_attempted", "missing") for t in result.tests):
            odd = [f"{t.name} ({t.stage})" for t in result.tests if t.stage not in ("not_attempted", "missing")]
            report.problems.append(f"stub fails the {kind} tests for another reason than 'not attempted': {', '.join(odd)}")
    return report


def verify(assignment_ids: list[str] | None = None, *, sandbox: str = "auto",
           device: Device = Device()) -> list[VerifyReport]:
    """Every reference scores full marks and every stub zero, on the hidden and the public tests."""
    assignments = [get_assignment(i) for i in assignment_ids] if assignment_ids else list(CATALOG.values())
    ensure_device(assignments, device)
    mode = resolve_sandbox(sandbox, untrusted=False)
    for assignment in assignments:
        ensure_data(assignment)
    return [_verify_one(assignment, mode, device) for assignment in assignments]


def release(assignment_id: str, outdir: Path, *, lang: str = "en"):
    """Build the student handout of an assignment (``outdir/<id>/`` and ``outdir/<id>.zip``), its
    README in ``lang``: ``en``, ``zh_CN`` or ``both``."""
    from autograder.export.release import build_release

    assignment = get_assignment(assignment_id)
    _check_output_folder_of(outdir, what="the handout", folders=(assignment.id,), files=(f"{assignment.id}.zip",))
    return build_release(assignment, outdir, lang)


def export_gradescope(assignment_id: str, zip_path: Path, *, lang: str | None = None):
    """Build the Gradescope autograder zip of an assignment; its results.json speaks ``lang``
    (default: the process's language)."""
    from autograder.export.gradescope import build_gradescope_export

    assignment = get_assignment(assignment_id)
    zip_path = Path(zip_path)
    fix = (f"pass the .zip to write with -o, such as {zip_path / 'autograder.zip'}" if zip_path.is_dir()
           else "pass another .zip path with -o")
    check_output_path(zip_path, what="the Gradescope autograder", folder=False, fix=fix)
    return build_gradescope_export(assignment, zip_path, lang=check_language(lang or language()))


def export_otter(assignment_id: str, outdir: Path, *, lang: str | None = None):
    """Write the otter-grader test files and configuration of an assignment into ``outdir/<id>/``;
    its feedback speaks ``lang`` (default: the process's language)."""
    from autograder.export.otter import build_otter_export

    assignment = get_assignment(assignment_id)
    _check_output_folder_of(outdir, what="the otter tests", folders=(assignment.id,))
    return build_otter_export(assignment, outdir, lang=check_language(lang or language()))


def _check_output_folder_of(outdir: Path, *, what: str, folders: tuple[str, ...] = (),
                            files: tuple[str, ...] = ()) -> None:
    """``outdir`` and the fixed names a command writes in it: ``folders`` and ``files``."""
    check_output_path(outdir, what=what)
    fix = "move it away, or pass another folder with -o"
    for name in folders:
        check_output_path(Path(outdir) / name, what=what, fix=fix)
    for name in files:
        check_output_path(Path(outdir) / name, what=what, folder=False, fix=fix)


def run_gradescope(assignment_id: str, root: Path | None = None, *, sandbox: str = "auto",
                   device: Device = Device(), lang: str | None = None):
    """Grade a Gradescope submission into results.json (what the exported run_autograder calls).

    If grading cannot even start, results.json still says so to the student before the error
    propagates: Gradescope shows a blank failure otherwise.
    """
    from autograder.gradescope_runner import run_gradescope as run, write_failure

    with use_language(lang):
        try:
            mode = resolve_sandbox(sandbox, untrusted=True)
            ensure_data(get_assignment(assignment_id))
            return run(assignment_id, root, mode=mode, device=device)
        except Exception as error:
            write_failure(root, f"{type(error).__name__}: {error}"[:300])
            raise


def _graded_folder(outdir: Path) -> Path:
    """``outdir`` if it is a folder holding a gradebook (what ``report``, ``diff`` and ``export
    grades`` read); else OutputPathError (a file) or FileNotFoundError, saying what to pass."""
    outdir = Path(outdir)
    if os.path.lexists(outdir) and not outdir.is_dir():
        raise OutputPathError(f"{outdir} is a file, not a folder: pass the folder you graded into (the -o of "
                              "`autograder grade`)")
    if not (outdir / GRADEBOOK_FILENAME).is_file():
        raise FileNotFoundError(f"no gradebook in {outdir}: {outdir / GRADEBOOK_FILENAME} not found "
                                "(grade into that folder first)")
    return outdir


def report(outdir: Path, *, feedback: bool = True, course: Path | None = None, lang: str | None = None):
    """Write the instructor report (``outdir/report/index.html``) and, with ``feedback``, one
    feedback file per student (``outdir/feedback/<assignment>/<student>.md`` and ``.html``),
    from the gradebook in ``outdir``. Where a course file (``course``, default
    ``outdir/course.yml`` if there is one) has a late policy, its adjustments add raw score,
    penalty, final score and lateness to the report and each student's lateness to their
    feedback. Returns a ``render.report.Report`` of the paths written; raises course.CourseError
    for a file that is no valid course (before anything is written). Headings and captions are
    in ``lang``, else the course file's ``language:``, else the process's; the messages are in the
    language they were graded in."""
    from autograder.course import adjustments, course_of
    from autograder.gradebook import Gradebook
    from autograder.render.report import FEEDBACK_DIRNAME, REPORT_DIRNAME, write_report

    outdir = _graded_folder(outdir)
    check_output_path(outdir / REPORT_DIRNAME, what="the report", fix="move it away and run the same command again")
    if feedback:
        check_output_path(outdir / FEEDBACK_DIRNAME, what="the feedback", fix="move it away, or pass --no-feedback")
    found = course_of(outdir, course)
    with Gradebook(outdir) as gradebook:
        results = gradebook.results()
    # All rows at once: a student's late tokens span assignments.
    with use_language(_language_of(lang, found)):
        late = adjustments(found, results) if found is not None else None  # its notes in the report's language
        return write_report(outdir, results, feedback=feedback, source=str(outdir / GRADEBOOK_FILENAME),
                            adjustments=late)


def diff(outdir: Path, *, assignment: str | None = None, old: str | None = None, new: str | None = None):
    """What a regrade changed in the gradebook in ``outdir``: for each assignment (or
    ``assignment``), the students whose score moved between two grader versions (by default the
    two used last; ``old``/``new`` take a version or a prefix of one). Returns a list of
    ``regrade.AssignmentDiff``; raises regrade.DiffError for an unknown or ambiguous version."""
    from autograder.regrade import diff as regrade_diff

    outdir = Path(outdir)
    if assignment is not None:
        get_assignment(assignment)
    _graded_folder(outdir)
    return regrade_diff(outdir, assignment, old, new)


def export_grades(outdir: Path, fmt: str, output: Path | None = None, *, assignments: list[str] | None = None,
                  roster: Path | None = None, course: Path | None = None):
    """Write the grades file that an LMS imports (``fmt``: canvas, moodle or csv) from the
    gradebook in ``outdir``, to ``output`` (default ``outdir/<fmt>_grades.csv``, ``grades.csv``
    for csv): one row per student, one column per assignment (``assignments``, default all of
    the gradebook's). A cell is the final score where the course file (``course``, default
    ``outdir/course.yml`` if there is one) has a late policy, else the score. ``roster``: a CSV
    mapping the students to the LMS's identity columns (see ``render.lms``). Returns a
    ``render.lms.GradesExport`` (the path, the rows, the students that did not match); raises
    render.lms.LmsExportError for a bad format, roster, assignment or course file."""
    from autograder.course import CourseError, adjustments, course_of
    from autograder.gradebook import Gradebook
    from autograder.render.lms import DEFAULT_FILENAMES, FORMATS, LmsExportError, read_roster, write_grades

    outdir = Path(outdir)
    if fmt not in FORMATS:
        raise LmsExportError(f"unknown format {fmt!r}: pass --format canvas, moodle or csv")
    _graded_folder(outdir)
    path = Path(output) if output is not None else outdir / DEFAULT_FILENAMES[fmt]
    check_output_path(path, what=f"the {fmt} grades", folder=False, fix="pass another file with -o")
    table = read_roster(roster) if roster is not None else None
    with Gradebook(outdir) as gradebook:
        results = gradebook.results()
    graded = sorted({result.assignment for result in results})
    if not graded:
        raise LmsExportError(f"the gradebook in {outdir} has no results yet: grade into it first")
    chosen = list(dict.fromkeys(assignments)) if assignments else graded
    unknown = [a for a in chosen if a not in graded]
    if unknown:
        raise LmsExportError(f"the gradebook in {outdir} has no results for {', '.join(unknown)}; "
                             f"it has {', '.join(graded)}")
    try:
        found = course_of(outdir, course)
        # All rows at once: a student's late tokens span assignments.
        late = adjustments(found, results) if found is not None else {}
    except CourseError as error:
        raise LmsExportError(str(error)) from error
    titles = {a: CATALOG[a].title for a in chosen if a in CATALOG}
    return write_grades(path, fmt, results, titles=titles, roster=table, adjustments=late, assignments=chosen)


def similarity(assignment_id: str, submissions: Path, outdir: Path, **options):
    """Compare every pair of a class's submissions and write ``outdir/similarity/<id>/`` (see
    ``autograder.similarity.similarity`` for the options). Evidence for a person to read, never a
    penalty: nothing here touches a score."""
    from autograder.similarity import similarity as compare

    return compare(assignment_id, submissions, outdir, **options)


def demo_cohorts() -> list[str]:
    return [i for i in CATALOG if (DEMO_DIR / i).is_dir()]


def demo(outdir: Path, *, jobs: int = 1, sandbox: str = "auto", on_plan=None,
         on_result: ResultCallback | None = None, lang: str | None = None) -> list[BatchResult]:
    """Grade the bundled demo cohorts into ``outdir``, with messages in ``lang``."""
    check_output_path(outdir, what="the demo gradebook")
    cohorts = demo_cohorts()
    if not cohorts:
        raise BatchError(f"no demo cohorts found in {DEMO_DIR}")
    return [grade(i, DEMO_DIR / i, outdir, jobs=jobs, sandbox=sandbox, on_plan=on_plan, on_result=on_result,
                  lang=lang) for i in cohorts]
