"""The class similarity report (autograder/similarity/): does it rank a known cohort correctly,
leave shared code out, stay inert on hostile input, and say that it is evidence, not a penalty?

The cohort (tests/similarity_cohort/) is built as files in a class folder and compared through
the library's entry point, ``similarity``, the way ``autograder similarity`` runs it; nothing is
graded (no sandbox), so the whole file takes a few seconds.
"""

from __future__ import annotations

import csv
import html
import itertools
import json
import re
import sys
import time
from pathlib import Path

import pytest

from autograder.gradebook import Gradebook
from autograder.intake import Entry, fingerprint as content_hash
from autograder.results import SubmissionResult, SubmissionStatus
from autograder.similarity import (EVIDENCE_NOTE, REFERENCE_SOURCE, THRESHOLD, SimilarityError, report_section_html,
                                   report_summaries, similarity)
from autograder.similarity.compare import compare
from autograder.similarity.fingerprints import LAYER_WEIGHT, fingerprint, winnow
from autograder.similarity.lexer import MAX_TOKENS, normalise

sys.path.insert(0, str(Path(__file__).with_name("similarity_cohort")))
from cohort import cohort  # noqa: E402


def _write_class(folder: Path, students: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for student, text in students.items():
        (folder / f"{student}.py").write_text(text, encoding="utf-8")
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cohort_run(tmp_path_factory):
    students, copied, reference_copies = cohort()
    root = tmp_path_factory.mktemp("similarity")
    submissions = _write_class(root / "class", students)
    before = _tree(submissions)
    started = time.monotonic()
    result = similarity("activations", submissions, root / "out")
    seconds = time.monotonic() - started
    return {"result": result, "students": students, "copied": copied, "reference": reference_copies,
            "submissions": submissions, "before": before, "seconds": seconds, "out": root / "out"}


def test_copies_rank_above_every_independent_pair_and_threshold_separates_them(cohort_run):
    """Do all copied pairs (renamed, reordered, restyled, one extra helper, a cluster of three)
    rank above every independent pair, with the threshold between them? Prints precision and
    recall at the threshold, for the record."""
    result, copied = cohort_run["result"], cohort_run["copied"]
    scores = {frozenset((p.a, p.b)): p.score for p in result.pairs}
    students = result.students
    every_pair = [frozenset(p) for p in itertools.combinations(students, 2)]
    copy_scores = [scores.get(pair, 0.0) for pair in every_pair if pair in copied]
    independent = {pair: scores.get(pair, 0.0) for pair in every_pair if pair not in copied}
    assert len(copy_scores) == len(copied) == 7
    assert min(copy_scores) > max(independent.values()), (copy_scores, max(independent.items(), key=lambda i: i[1]))
    assert all(score < THRESHOLD for score in independent.values())
    flagged = {frozenset((p.a, p.b)) for p in result.flagged}
    true_positives = len(flagged & copied)
    precision = true_positives / len(flagged) if flagged else 1.0
    recall = true_positives / len(copied)
    print(f"\nsimilarity cohort: {len(students)} students, {len(every_pair)} pairs, {len(copied)} copied; "
          f"threshold {THRESHOLD}: precision {precision:.2f}, recall {recall:.2f}; lowest copy "
          f"{min(copy_scores):.3f}, highest independent {max(independent.values()):.3f}; "
          f"similarity() took {cohort_run['seconds']:.2f} s")
    assert precision == 1.0 and recall == 1.0
    # the top of the ranking is the copies, in whatever order
    assert {frozenset((p.a, p.b)) for p in result.pairs[:len(copied)]} == copied


def test_cluster_of_three_and_reference_match_are_reported_apart(cohort_run):
    """Is the cluster of three found as one cluster, and is the student who submitted the
    renamed reference solution flagged against the reference, not as a pair with a student?"""
    result = cohort_run["result"]
    assert [c.students for c in result.clusters] == [["kofi", "lena", "mo"]]
    flagged_sources = [(m.student, m.source) for m in result.flagged_sources]
    assert flagged_sources == [("noor", REFERENCE_SOURCE)]
    assert not any("noor" in (p.a, p.b) for p in result.flagged)


def test_shared_code_of_the_stub_is_no_evidence():
    """Do two students who kept the whole stub (docstrings and all) and wrote the same single line
    stay below the threshold, and does the stub itself never count?"""
    students, _, _ = cohort()
    from autograder.assignments import get_assignment
    from autograder.similarity.shared import shared_hashes

    assignment = get_assignment("activations")
    stub = assignment.stub_path.read_text(encoding="utf-8")
    prints = {name: fingerprint(text) for name, text in
              {"stub_a": stub, "stub_b": stub, "pat": students["pat"], "quinn": students["quinn"]}.items()}
    found = compare(prints, shared_hashes(assignment))
    scores = {frozenset((p.a, p.b)): p.score for p in found.pairs}
    assert frozenset(("stub_a", "stub_b")) not in scores  # nothing but shared code: no pair at all
    assert scores[frozenset(("pat", "quinn"))] < THRESHOLD
    assert found.evidence["stub_a"] == 0
    # without leaving the stub out, its signatures alone would make every pair share fingerprints
    unfiltered = compare(prints, set(), common_min=10)
    assert frozenset(("stub_a", "stub_b")) in {frozenset((p.a, p.b)) for p in unfiltered.pairs}


def test_normalisation_ignores_names_literals_comments_docstrings_and_layout():
    """Do renaming, other numbers and strings, comments, docstrings and spacing leave the tokens
    unchanged, while the library call made still counts?"""
    one = 'def f(x, axis=-1):\n    """Doc."""\n    m = np.max(x, axis=axis)  # max\n    return x - m * 2.0\n'
    two = ("def g(values, axis=-1):\n    '''Other doc'''\n\n    # a comment\n    biggest=np.max( values,axis=axis )\n"
           "    return values-biggest*3\n")
    assert normalise(one).symbols == normalise(two).symbols
    assert normalise(one).symbols != normalise(one.replace("np.max", "np.min")).symbols


def test_winnowing_guarantees_a_shared_fingerprint_for_long_enough_runs():
    """Does every window of W hashes keep its minimum (the winnowing guarantee)?"""
    hashes = [7, 3, 9, 3, 1, 8, 8, 2, 6, 5, 4, 9, 0, 7]
    chosen = {index for _, index in winnow(hashes, 4)}
    for start in range(len(hashes) - 3):
        window = range(start, start + 4)
        assert any(i in chosen and hashes[i] == min(hashes[j] for j in window) for i in window)


def test_outputs_are_written_and_submissions_untouched(cohort_run):
    """Are the index, the CSVs, the summary and a side-by-side page per top pair written under
    OUTDIR/similarity/<id>/, with the evidence banner, and is the class folder unchanged?"""
    result = cohort_run["result"]
    folder = cohort_run["out"] / "similarity" / "activations"
    assert result.outdir == folder
    for name in ("index.html", "pairs.csv", "sources.csv", "summary.json"):
        assert (folder / name).is_file()
    assert len(result.pair_pages) == min(len(result.pairs), 50)  # the top 50 pairs (and every flagged one)
    page = result.pair_pages[(result.pairs[0].a, result.pairs[0].b)].read_text(encoding="utf-8")
    assert 'class="hit"' in page and "never an automatic penalty" in page
    index = result.index_path.read_text(encoding="utf-8")
    assert "never an automatic penalty" in index and f"{THRESHOLD}" in index
    with open(result.csv_path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["rank", "student_a", "student_b", "score", "jaccard", "shared_fingerprints",
                             "shared_weight", "a_evidence", "b_evidence", "flagged", "cluster", "page"]
    assert len(rows) == len(result.pairs) and rows[0]["flagged"] == "1"
    assert _tree(cohort_run["submissions"]) == cohort_run["before"]


HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_CODE = ('"""</script><script>alert(1)</script>"""\nimport numpy as np\n'
                'PAYLOAD = "</script><img src=x onerror=alert(2)>"\n# <iframe src=//evil>\n'
                'def relu(x):  # \u202e evil bidi\n    return np.maximum(x, 0)  # <b onmouseover=alert(3)>\n')


def test_html_is_escaped_self_contained_and_inert(tmp_path):
    """Do hostile student ids and code stay text in every page (no element, no script, no
    external resource), with a CSP that runs no script at all?"""
    students, _, _ = cohort()
    students = {name: students[name] for name in ("amara", "bo", "chen")}
    students[HOSTILE_NAME] = students["amara"] + "\n" + HOSTILE_CODE
    students['"><svg onload=alert(4)>'] = students["amara"] + "\n" + HOSTILE_CODE
    result = similarity("activations", _write_class(tmp_path / "class", students), tmp_path / "out")
    pages = [result.index_path, *result.pair_pages.values()]
    assert len(pages) > 3
    for path in pages:
        page = path.read_text(encoding="utf-8")
        for element in ("<script", "<img", "<svg", "<iframe", "<b "):
            assert element not in page
        assert "\u202e" not in page
        assert re.search(r"(src|href)=\"(https?:)?//", page) is None
        csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1))
        assert csp.startswith("default-src 'none'; style-src 'sha256-") and "script-src" not in csp
    joined = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "&lt;img src=x onerror=alert(1)&gt;" in joined
    assert "⟨U+202E⟩" in joined
    # pages are named by rank, never by a student id
    assert all(re.fullmatch(r"\d+\.html", p.name) for p in result.pair_pages.values())


def test_csv_cells_cannot_be_formulas(tmp_path):
    """Do student ids that a spreadsheet would run as formulas get a leading apostrophe?"""
    students, _, _ = cohort()
    formula = '=HYPERLINK("evil.example","x")'
    text = {formula: students["amara"], "+cmd": students["amara"], "@SUM(A1)": students["chen"], "ok": students["eli"]}
    result = similarity("activations", _write_class(tmp_path / "class", text), tmp_path / "out")
    with open(result.csv_path, newline="", encoding="utf-8") as stream:
        cells = [cell for row in csv.reader(stream) for cell in row]
    assert "'" + formula in cells and "'+cmd" in cells and "'@SUM(A1)" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_hostile_sizes_and_nesting_are_bounded(tmp_path):
    """Does a 10 MB module, a module nested 300,000 brackets deep and one that is no Python at all
    get compared in bounded time and memory, with what was cut said?"""
    students, _, _ = cohort()
    folder = _write_class(tmp_path / "class", {name: students[name] for name in ("amara", "bo")})
    (folder / "huge.py").write_text(students["amara"] + "x = [1, 2, 3]\n" * 800_000, encoding="utf-8")
    (folder / "nested.py").write_text("x = " + "(" * 300_000 + "1" + ")" * 300_000 + "\n", encoding="utf-8")
    (folder / "binary.py").write_bytes(bytes(range(256)) * 4000)
    (folder / "strings.py").write_text('"""' * 100_001 + "'" * 100_001, encoding="utf-8")
    started = time.monotonic()
    result = similarity("activations", folder, tmp_path / "out")
    assert time.monotonic() - started < 20
    assert "huge" in result.notes and "nested" in result.notes
    assert len(normalise("(" * 1_000_000)) == MAX_TOKENS
    assert any(p.flagged and {p.a, p.b} == {"amara", "bo"} for p in result.pairs)


def test_a_notebook_is_compared_as_the_module_it_is_graded_as(tmp_path):
    """Is a notebook submission compared as the module the grader builds from it, so that a copy
    handed in as .ipynb matches the .py it was copied from?"""
    students, _, _ = cohort()
    folder = _write_class(tmp_path / "class", {name: students[name] for name in ("amara", "chen", "eli")})
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": students["amara"].replace("shifted", "sh").splitlines(keepends=True)}]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / "nb_student.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    result = similarity("activations", folder, tmp_path / "out")
    assert "nb_student" in result.students
    assert {result.flagged[0].a, result.flagged[0].b} == {"amara", "nb_student"}


def test_gradebook_tells_which_submissions_changed_since_grading(tmp_path):
    """Where OUTDIR holds a gradebook, are submissions changed since grading, or never graded,
    compared and listed?"""
    students, _, _ = cohort()
    folder = _write_class(tmp_path / "class", {name: students[name] for name in ("amara", "bo", "chen")})
    out = tmp_path / "out"
    out.mkdir()
    with Gradebook(out) as gradebook:
        for student in ("amara", "bo"):
            hashed = content_hash(Entry(student, folder / f"{student}.py"))
            gradebook.record(SubmissionResult("activations", student, SubmissionStatus.GRADED,
                                              fingerprint=hashed if student == "amara" else "old"), "v1")
    result = similarity("activations", folder, out)
    assert result.changed_since_grading == ["bo"] and result.not_in_gradebook == ["chen"]
    assert "changed since it was graded" in result.index_path.read_text(encoding="utf-8")


def test_report_section_summarises_and_escapes(cohort_run, tmp_path):
    """Does the report's section list each assignment's top pairs, clusters and source matches,
    with links relative to OUTDIR/report/, the evidence note, and escaped ids?"""
    out = cohort_run["out"]
    (summary,) = report_summaries(out)
    assert summary.assignment == "activations" and summary.href == "../similarity/activations/index.html"
    assert summary.clusters[0]["students"] == ["kofi", "lena", "mo"]
    assert summary.sources[0]["student"] == "noor"
    assert all(p["href"].startswith("../similarity/activations/pairs/") for p in summary.top_pairs)
    section = str(report_section_html(out))
    assert 'id="similarity"' in section and EVIDENCE_NOTE.split(".")[0] in section and "<script" not in section
    assert report_section_html(tmp_path) == ""  # no similarity report: no section
    # a summary edited by hand cannot smuggle markup or a link elsewhere into the report
    path = out / "similarity" / "activations" / "summary.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["top_pairs"][0].update(a="<b>x</b>", page="javascript:alert(1)")
    copy = tmp_path / "copy" / "similarity" / "activations"
    copy.mkdir(parents=True)
    (copy / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    section = str(report_section_html(tmp_path / "copy"))
    assert "&lt;b&gt;x&lt;/b&gt;" in section and "javascript:" not in section


def test_model_assignments_weigh_layer_code_less(tmp_path):
    """In a model assignment, does a shared layer stack count LAYER_WEIGHT of shared surrounding
    code, and does the report say so?"""
    layers = ("    return keras.Sequential([\n        keras.Input(shape=(28, 28, 1)),\n"
              "        layers.Conv2D(6, 5, activation='sigmoid'),\n        layers.MaxPooling2D(2),\n"
              "        layers.Conv2D(16, 5, activation='sigmoid'),\n        layers.MaxPooling2D(2),\n"
              "        layers.Flatten(),\n        layers.Dense(120, activation='sigmoid'),\n"
              "        layers.Dense(84, activation='sigmoid'),\n        layers.Dense(10, activation='softmax'),\n"
              "    ])\n")
    prints = fingerprint("def build():\n" + layers, model=True)
    assert prints.weights and set(prints.weights.values()) == {LAYER_WEIGHT}
    plain = fingerprint("def build():\n" + layers, model=False)
    assert set(plain.weights.values()) == {1.0}
    helper = ("def prepare(images):\n    scaled = images.astype('float32') / 255.0\n    if scaled.ndim == 3:\n"
              "        scaled = scaled[..., None]\n    mean = scaled.mean(axis=(1, 2), keepdims=True)\n"
              "    return (scaled - mean) / (scaled.std(axis=(1, 2), keepdims=True) + 1e-7)\n")
    students = {"a": "import keras\nfrom keras import layers\n\ndef build_lenet():\n" + layers + "\n" + helper,
                "b": "import keras\nfrom keras import layers\n\ndef build_lenet():\n" + layers,
                "c": "import keras\n\ndef build_lenet():\n    return None\n\n" + helper}
    result = similarity("lenet", _write_class(tmp_path / "class", students), tmp_path / "out")
    assert result.model
    scores = {frozenset((p.a, p.b)): p for p in result.pairs}
    assert scores[frozenset("ab")].shared_weight < scores[frozenset("ac")].shared_weight
    assert "counts 0.25 of the surrounding code" in result.index_path.read_text(encoding="utf-8")


def test_refuses_what_cannot_be_compared(tmp_path):
    """Are a missing folder, an output under a file, a threshold out of range and a class of one
    refused with one line saying what to do?"""
    students, _, _ = cohort()
    with pytest.raises(SimilarityError, match="submissions not found"):
        similarity("activations", tmp_path / "nope", tmp_path / "out")
    folder = _write_class(tmp_path / "class", {"amara": students["amara"], "bo": students["bo"]})
    (tmp_path / "file").write_text("x")
    with pytest.raises(SimilarityError, match="is a file, not a folder"):
        similarity("activations", folder, tmp_path / "file" / "out")
    with pytest.raises(SimilarityError, match="threshold"):
        similarity("activations", folder, tmp_path / "out", threshold=1.5)
    (folder / "bo.py").unlink()
    (folder / "empty.py").write_text("")
    with pytest.raises(SimilarityError, match="nothing to compare"):
        similarity("activations", folder, tmp_path / "out")


def test_cli_compares_the_demo_cohort(tmp_path):
    """`autograder similarity ID SUBMISSIONS -o OUTDIR`: the cheats of the activations demo cohort
    are built on one honest solution, and are found together; nothing is written into the cohort."""
    from click.testing import CliRunner

    from autograder.api import DEMO_DIR
    from autograder.cli import main
    from shared_grades import snapshot

    before = snapshot(DEMO_DIR / "activations")
    run = CliRunner().invoke(main, ["similarity", "activations", str(DEMO_DIR / "activations"), "-o", str(tmp_path)])
    assert run.exit_code == 0, run.output
    assert "cluster 1:" in run.output and "never an automatic penalty" in run.output
    assert (tmp_path / "similarity" / "activations" / "index.html").is_file()
    assert snapshot(DEMO_DIR / "activations") == before
    refused = CliRunner().invoke(main, ["similarity", "activations", str(tmp_path / "nowhere"), "-o", str(tmp_path)])
    assert refused.exit_code == 2 and "error:" in refused.output


def test_the_report_links_the_similarity_report(tmp_path):
    """`autograder report` after `autograder similarity` into the same folder: the report has the
    section, with the evidence note and a link to the full similarity report."""
    from autograder import api
    from autograder.api import DEMO_DIR
    from autograder.gradebook import Gradebook
    from autograder.results import SubmissionResult, SubmissionStatus

    with Gradebook(tmp_path) as gradebook:
        gradebook.record(SubmissionResult("activations", "honest_folder", SubmissionStatus.GRADED, max_score=20.0),
                         "test-version")
    api.similarity("activations", DEMO_DIR / "activations", tmp_path)
    page = api.report(tmp_path, feedback=False).index_path.read_text(encoding="utf-8")
    assert 'id="similarity"' in page and "never an automatic penalty" in page
    assert "../similarity/activations/index.html" in page
    chinese = api.report(tmp_path, feedback=False, lang="zh_CN").index_path.read_text(encoding="utf-8")
    assert "<h2>代码相似度</h2>" in chinese and "绝不是自动处罚" in chinese and "Code similarity" not in chinese
