"""Does the gradebook keep every grading, and does `autograder diff` show exactly what a regrade
with changed hidden tests moved, and why?

The changed grader is a modified copy of the activations hidden tests, graded through
``batch.grade_batch`` like the real ones (a new grader version, since the tests file changed).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import api
from autograder.assignments import Assignment, get_assignment
from autograder.batch import grade_batch
from autograder.cli import EXIT_USAGE, main
from autograder.gradebook import GRADEBOOK_FILENAME, Gradebook
from autograder.regrade import DiffError
from autograder.results import Outcome, SubmissionResult, SubmissionStatus, TestResult

sys.path.insert(0, str(Path(__file__).resolve().parent))

import variant_files  # noqa: E402

ACTIVATIONS = get_assignment("activations")
VARIANTS = {variant.name: variant for variant in variant_files.variants() if variant.assignment == "activations"}

# The change to the hidden tests: leaky_relu's default-alpha test passes alpha=0.1 explicitly
# (a submission whose default is 0.2 now passes it), and relu's values test uses a 3-D input (a
# relu that assumes 2-D now fails it; a wrong relu fails it as before, with other numbers).
TEST_EDITS = (
    ("expect_array(submission.leaky_relu(x), reference.leaky_relu(x)",
     "expect_array(submission.leaky_relu(x, alpha=0.1), reference.leaky_relu(x)"),
    ("x = normal(301, (7, 8), dtype)", "x = normal(301, (7, 8, 2), dtype)"),
)
DEFAULT_ALPHA = ["test_leaky_relu_default_alpha[float32]", "test_leaky_relu_default_alpha[float64]"]
RELU_VALUES = ["test_relu_values[float32]", "test_relu_values[float64]"]


@dataclasses.dataclass(frozen=True)
class WithHiddenTests(Assignment):
    """An assignment graded by another hidden tests file (``hidden_tests_path`` is a property)."""

    hidden_tests: Path = Path()

    @property
    def hidden_tests_path(self) -> Path:
        return self.hidden_tests


def changed_grader(folder: Path) -> Assignment:
    """Activations with the hidden tests changed by TEST_EDITS, written into ``folder``."""
    text = ACTIVATIONS.hidden_tests_path.read_text(encoding="utf-8")
    for old, new in TEST_EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = folder / ACTIVATIONS.hidden_tests_path.name
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    fields = {f.name: getattr(ACTIVATIONS, f.name) for f in dataclasses.fields(ACTIVATIONS)}
    return WithHiddenTests(**fields, hidden_tests=path)


def submit(cohort: Path, student: str, source: str | Path) -> None:
    """``student`` hands in ``source``: a file, or the name of an activations wrong variant."""
    if isinstance(source, Path):
        text = source.read_text(encoding="utf-8")
    else:
        text = variant_files.render(VARIANTS[source])
    (cohort / f"{student}.py").write_text(text, encoding="utf-8")


def run(*args) -> object:
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False, env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def regraded(tmp_path_factory):
    """A class graded by the real hidden tests, then (with one student resubmitted, one gone, one
    new) by the changed ones. Returns (outdir, old version, new version)."""
    root = tmp_path_factory.mktemp("regrade")
    cohort, out = root / "cohort", root / "out"
    cohort.mkdir()
    submit(cohort, "ref", ACTIVATIONS.solution_path)
    submit(cohort, "default02", "leaky_relu_default_0_2")  # loses the default-alpha tests; gains them back
    submit(cohort, "only2d", "relu_2d_only")  # passes relu's values tests; loses them
    submit(cohort, "abs", "relu_is_abs")  # fails relu's values tests either way: other messages
    submit(cohort, "stub", ACTIVATIONS.stub_path)
    submit(cohort, "late", ACTIVATIONS.stub_path)
    submit(cohort, "gone", ACTIVATIONS.solution_path)
    api.grade("activations", cohort, out)
    with Gradebook(out) as gradebook:
        (old,) = gradebook.grader_versions("activations")

    submit(cohort, "late", ACTIVATIONS.solution_path)
    (cohort / "gone.py").unlink()
    submit(cohort, "new", ACTIVATIONS.stub_path)
    changed = changed_grader(root / "hidden")
    grade_batch(changed, cohort, out, mode=api.resolve_sandbox("auto", untrusted=True))
    with Gradebook(out) as gradebook:
        versions = gradebook.grader_versions("activations")
    assert versions[0] == old and len(versions) == 2  # the changed tests are a grader version of their own
    return out, old, versions[1]


def test_changed_hidden_test_shows_exactly_the_moved_students(regraded):
    """After a hidden test changes and the class is regraded, does the diff list exactly the
    students it moved, the tests that moved with their old and new messages, the resubmitted
    student marked so, and the students graded by one version only apart?"""
    out, old, new = regraded
    (found,) = api.diff(out)
    assert (found.assignment, found.old.version, found.new.version) == ("activations", old, new)
    changes = {change.student: change for change in found.changed}
    assert set(changes) == {"default02", "only2d", "late"}

    default02 = changes["default02"]
    assert (default02.old_score, default02.new_score, default02.resubmitted) == (18, 20, False)
    assert [(t.name, t.old_points, t.new_points) for t in default02.moved] == [(n, 0, 1) for n in DEFAULT_ALPHA]
    assert all("leaky_relu(x) with the default alpha is inaccurate" in t.old_message and t.new_message == ""
               and t.new_outcome == "passed" for t in default02.moved)

    only2d = changes["only2d"]
    assert (only2d.old_score, only2d.new_score, only2d.resubmitted) == (19, 17, False)
    assert [(t.name, t.old_points, t.new_points) for t in only2d.moved] == [(n, 1, 0) for n in RELU_VALUES]
    assert all(t.old_message == "" and t.new_message and t.new_outcome == "failed" for t in only2d.moved)

    late = changes["late"]
    assert (late.old_score, late.new_score, late.resubmitted) == (0, 20, True)
    assert len(late.moved) == 20 and found.resubmitted == [late]

    # The wrong relu fails relu's values tests as before: same score, other numbers in the messages.
    (abs_,) = found.same_score
    assert abs_.student == "abs" and abs_.old_score == abs_.new_score == 17 and not abs_.moved
    assert [t.name for t in abs_.reworded] == RELU_VALUES
    assert all(t.old_message != t.new_message and "inaccurate" in t.new_message for t in abs_.reworded)

    assert (found.only_in_old, found.only_in_new, found.unchanged) == (["gone"], ["new"], 2)  # ref, stub
    # The current rows are the latest gradings: every existing reader sees the new grader's scores.
    with Gradebook(out) as gradebook:
        current = {result.student: result.score for result in gradebook.results("activations")}
        assert gradebook.grader_versions("activations") == [old, new]
    assert (current["default02"], current["only2d"], current["gone"]) == (20, 17, 20)


def test_versions_can_be_named_by_prefix_either_way_round(regraded):
    """Does --from/--to take version prefixes, so that the diff can also be read backwards?"""
    out, old, new = regraded
    (backwards,) = api.diff(out, assignment="activations", old=new[:6], new=old[:6])
    assert {c.student: (c.old_score, c.new_score) for c in backwards.changed} == {
        "default02": (20, 18), "only2d": (17, 19), "late": (20, 0)}
    assert (backwards.only_in_old, backwards.only_in_new) == (["new"], ["gone"])


def test_diff_command_shows_the_moved_students(regraded):
    """Does `autograder diff` show a table of the moved students, mark the resubmitted one, list
    the others apart, and with -v the old and new messages?"""
    out, old, new = regraded
    result = run("diff", out)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert f"grader {old}" in text and f"-> {new}" in text
    assert "default02" in text and "18 -> 20 (+2)" in text and "19 -> 17 (-2)" in text
    assert "+1 test_leaky_relu_default_alpha[float32]" in text and "-1 test_relu_values[float64]" in text
    assert "and 12 more (-v lists them)" in text  # the resubmitted student's 20 tests
    assert "late" in text and "(resubmitted)" in text and "not the grader's" in text
    assert "same score, messages changed: abs" in text
    assert f"only in old (not graded by {new}): gone" in text and f"only in new (not graded by {old}): new" in text
    assert "inaccurate" not in text  # messages only with -v

    verbose = run("diff", out, "-v", "--assignment", "activations", "--from", old[:8], "--to", new)
    assert verbose.exit_code == 0, verbose.output
    (found,) = api.diff(out)
    moved = found.changed[0].moved[0]
    assert moved.old_message and moved.old_message in verbose.stdout


def test_unknown_or_ambiguous_version_is_refused_with_the_known_ones(regraded):
    """Is a version prefix that matches no grader version (or several) one error line listing
    the known versions, exit 2?"""
    out, old, new = regraded
    result = run("diff", out, "--from", "nosuchversion")
    assert result.exit_code == EXIT_USAGE
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: --from 'nosuchversion' matches none") and old in line and new in line
    with pytest.raises(DiffError, match="both name"):
        api.diff(out, old=old, new=old[:10])


def test_diff_refuses_a_folder_without_gradebook(tmp_path):
    """Is a folder that holds no gradebook one line saying to grade into it first, exit 2?"""
    result = run("diff", tmp_path)
    assert result.exit_code == EXIT_USAGE
    assert "no gradebook in" in result.stderr and "grade into that folder first" in result.stderr
    assert not (tmp_path / GRADEBOOK_FILENAME).exists()


def test_resume_writes_no_history_and_regrade_adds_entries_of_the_same_version(tmp_path):
    """Does a rerun that skips unchanged submissions write no history, --regrade with the same
    grader add one entry per student (same version), and the diff then say plainly that there
    is only one grader version and what to do?"""
    cohort, out = tmp_path / "cohort", tmp_path / "out"
    cohort.mkdir()
    submit(cohort, "ada", ACTIVATIONS.solution_path)
    submit(cohort, "bo", "relu_is_abs")
    api.grade("activations", cohort, out)
    with Gradebook(out) as gradebook:
        assert [(e.student, e.result.score) for e in gradebook.history()] == [("ada", 20), ("bo", 17)]
    rerun = api.grade("activations", cohort, out)
    assert rerun.graded == []
    with Gradebook(out) as gradebook:
        assert len(gradebook.history()) == 2
    run_again = run("grade", "activations", cohort, "-o", out, "--regrade", "--quiet")
    assert run_again.exit_code == 0, run_again.output
    with Gradebook(out) as gradebook:
        entries = gradebook.history("activations", "bo")
        versions = gradebook.grader_versions("activations")
    assert len(entries) == 2 and entries[0].id < entries[1].id
    assert versions == [entries[0].grader_version] == [entries[1].grader_version]

    result = run("diff", out)
    assert result.exit_code == 0, result.output
    assert "graded by one grader version only" in result.stdout and "run the same `autograder grade" in result.stdout
    other = run("diff", out, "--assignment", "losses")
    assert other.exit_code == 0 and "losses: not graded in" in other.stdout


# -- the gradebook itself: migration, one transaction --------------------------------------------

OLD_SCHEMA = """
CREATE TABLE submissions (
    assignment     TEXT NOT NULL,
    student        TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    status         TEXT NOT NULL,
    score          REAL NOT NULL,
    max_score      REAL NOT NULL,
    graded_at      TEXT NOT NULL,
    result_json    TEXT NOT NULL,
    PRIMARY KEY (assignment, student)
);
"""


def hand_result(student: str, a_points: float, fingerprint: str = "f1", message: str = "values") -> SubmissionResult:
    tests = [TestResult("test_a", 2.0, a_points, Outcome.PASSED if a_points == 2 else Outcome.FAILED, "values",
                        "" if a_points == 2 else message),
             TestResult("test_b", 3.0, 3.0, Outcome.PASSED, "passed")]
    return SubmissionResult("hw", student, SubmissionStatus.GRADED, tests=tests, max_score=5.0, fingerprint=fingerprint)


def old_gradebook(out: Path, rows: list[tuple[SubmissionResult, str, str]]) -> None:
    """A gradebook as written before the history table existed: (result, version, graded_at)."""
    out.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(out / GRADEBOOK_FILENAME)
    with db:
        db.executescript(OLD_SCHEMA)
        for result, version, graded_at in rows:
            db.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (result.assignment, result.student, result.fingerprint, version, result.status.value,
                        result.score, result.max_score, graded_at, json.dumps(result.to_dict())))
    db.close()


def test_old_gradebook_is_migrated_on_open_and_its_rows_seed_the_history(tmp_path):
    """Does a gradebook from before the history table get one when opened (by `autograder diff`),
    holding its current rows, so that a later grading can be compared with them?"""
    out = tmp_path / "out"
    old_gradebook(out, [(hand_result("bo", 0), "v1old", "2024-01-02T10:00:00+0000"),
                        (hand_result("ada", 2), "v1old", "2024-01-01T10:00:00+0000")])
    result = run("diff", out)
    assert result.exit_code == 0, result.output
    assert "graded by one grader version only (v1old)" in result.stdout
    with Gradebook(out) as gradebook:
        seeded = gradebook.history()
        assert [(e.student, e.grader_version, e.graded_at) for e in seeded] == [
            ("ada", "v1old", "2024-01-01T10:00:00+0000"), ("bo", "v1old", "2024-01-02T10:00:00+0000")]
        assert [r.student for r in gradebook.results("hw")] == ["ada", "bo"]
        gradebook.record(hand_result("bo", 2), "v2new")
        gradebook.record(hand_result("ada", 2), "v2new")
    with Gradebook(out) as gradebook:  # reopened: migrated once, not seeded again
        assert len(gradebook.history()) == 4
    (found,) = api.diff(out)
    assert [(c.student, c.old_score, c.new_score) for c in found.changed] == [("bo", 3, 5)]
    assert found.changed[0].moved[0].old_message == "values" and found.unchanged == 1


def test_history_is_written_in_the_same_transaction_as_the_current_row(tmp_path):
    """If the history row cannot be written, is the current row left as it was (and the other
    way round): a grading is recorded in both or in neither?"""
    with Gradebook(tmp_path) as gradebook:
        gradebook.record(hand_result("ada", 0), "v1")
    db = sqlite3.connect(tmp_path / GRADEBOOK_FILENAME)
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON history BEGIN SELECT RAISE(ABORT, 'no room'); END")
    db.commit()
    with Gradebook(tmp_path) as gradebook:
        with pytest.raises(sqlite3.IntegrityError, match="no room"):
            gradebook.record(hand_result("ada", 2), "v2")
        assert [r.score for r in gradebook.results("hw")] == [3.0]
        assert [e.grader_version for e in gradebook.history()] == ["v1"]
    db.execute("DROP TRIGGER refuse")
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON submissions BEGIN SELECT RAISE(ABORT, 'no room'); END")
    db.commit()
    db.close()
    with Gradebook(tmp_path) as gradebook:
        with pytest.raises(sqlite3.IntegrityError, match="no room"):
            gradebook.record(hand_result("bo", 2), "v2")
        assert [e.student for e in gradebook.history()] == ["ada"]


def test_same_score_with_other_messages_and_grader_errors(tmp_path):
    """Is a student whose score stayed but whose messages changed listed apart (not as moved), a
    student whose submission changed marked resubmitted, and a status change counted as a move?"""
    with Gradebook(tmp_path) as gradebook:
        gradebook.record(hand_result("ada", 0, message="off by a lot"), "v1")
        gradebook.record(hand_result("bo", 0), "v1")
        gradebook.record(hand_result("cy", 2), "v1")
        gradebook.record(hand_result("ada", 0, message="off by a little"), "v2")
        gradebook.record(hand_result("bo", 2, fingerprint="f2"), "v2")
        gradebook.record(SubmissionResult("hw", "cy", SubmissionStatus.GRADER_ERROR, max_score=5.0,
                                          fingerprint="f1"), "v2")
    (found,) = api.diff(tmp_path)
    assert [c.student for c in found.same_score] == ["ada"]
    (reworded,) = found.same_score[0].reworded
    assert (reworded.old_message, reworded.new_message) == ("off by a lot", "off by a little")
    changes = {c.student: c for c in found.changed}
    assert changes["bo"].resubmitted and not changes["cy"].resubmitted
    assert (changes["cy"].old_status, changes["cy"].new_status, changes["cy"].new_score) == ("graded", "grader_error", 0)
    assert {t.name: t.new_points for t in changes["cy"].moved} == {"test_a": None, "test_b": None}
    with pytest.raises(DiffError, match="'v' matches several of the grader versions that graded hw"):
        api.diff(tmp_path, new="v")
