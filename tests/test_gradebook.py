"""Is the gradebook durable and are its CSV renderings right?"""

import csv

from autograder.gradebook import Gradebook
from autograder.render.csv_gradebook import write_assignment_csv, write_class_csv
from autograder.results import Outcome, SubmissionResult, SubmissionStatus, TestInfo, TestResult

TESTS = [TestInfo("test_a", 2.0), TestInfo("test_b", 3.0)]


def result(student, a_points, b_points, assignment="hw", status=SubmissionStatus.GRADED, fingerprint="f1"):
    tests = [
        TestResult("test_a", 2.0, a_points, Outcome.PASSED if a_points == 2 else Outcome.FAILED, "values"),
        TestResult("test_b", 3.0, b_points, Outcome.PASSED if b_points == 3 else Outcome.FAILED, "values"),
    ]
    return SubmissionResult(assignment, student, status, tests=tests, max_score=5.0, fingerprint=fingerprint)


def test_records_survive_reopening(tmp_path):
    """Is a recorded result still there, whole, after the gradebook is closed and reopened?"""
    with Gradebook(tmp_path) as gradebook:
        gradebook.record(result("alice", 2, 0), "v1")
    with Gradebook(tmp_path) as gradebook:
        (stored,) = gradebook.results("hw")
    assert stored.student == "alice" and stored.score == 2.0 and stored.tests[1].outcome is Outcome.FAILED


def test_finished_depends_on_grader_version_and_excludes_grader_errors(tmp_path):
    """Is a submission graded by another grader version, or hit by a grader error, not finished?"""
    with Gradebook(tmp_path) as gradebook:
        gradebook.record(result("alice", 2, 3), "v1")
        gradebook.record(result("bob", 0, 0, status=SubmissionStatus.GRADER_ERROR), "v1")
        assert gradebook.finished("hw", "v1") == {"alice": "f1"}
        assert gradebook.finished("hw", "v2") == {}


def test_assignment_csv_columns(tmp_path):
    """Does the CSV have the fixed columns, then one column of points per test, with commas safe?"""
    path = tmp_path / "hw.csv"
    write_assignment_csv(path, TESTS, [result("smith, jo", 2, 1.5), result("alice", 0, 0, status=SubmissionStatus.EMPTY)])
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["student", "score", "max_score", "percent", "status", "test_a", "test_b"]
    assert rows[1] == ["alice", "0", "5", "0", "empty", "0", "0"]
    assert rows[2] == ["smith, jo", "3.5", "5", "70", "graded", "2", "1.5"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_class_csv_has_a_column_per_assignment_and_a_total(tmp_path):
    """Does the class gradebook sum each student's assignments and leave missing ones blank?"""
    path = tmp_path / "class.csv"
    write_class_csv(path, [result("alice", 2, 3, "hw"), result("alice", 2, 0, "quiz"), result("bob", 0, 3, "hw")])
    rows = list(csv.reader(path.open()))
    assert rows == [["student", "hw", "quiz", "total"], ["alice", "5", "2", "7"], ["bob", "3", "", "3"]]


def test_bonus_points_have_their_own_columns(tmp_path):
    """Are bonus points kept out of score and total, and shown in a bonus column?"""
    tests = [TestInfo("test_a", 2.0), TestInfo("test_extra", 1.0, bonus=True)]
    graded = SubmissionResult("hw", "alice", SubmissionStatus.GRADED, max_score=2.0, tests=[
        TestResult("test_a", 2.0, 2.0, Outcome.PASSED, "passed"),
        TestResult("test_extra", 1.0, 1.0, Outcome.PASSED, "passed", bonus=True),
    ])
    assert (graded.score, graded.bonus_score, graded.percent) == (2.0, 1.0, 100.0)
    write_assignment_csv(tmp_path / "hw.csv", tests, [graded])
    rows = list(csv.reader((tmp_path / "hw.csv").open()))
    assert rows[0][:6] == ["student", "score", "max_score", "percent", "status", "bonus"]
    assert rows[1][:6] == ["alice", "2", "2", "100", "graded", "1"]
    write_class_csv(tmp_path / "class.csv", [graded])
    assert list(csv.reader((tmp_path / "class.csv").open())) == [["student", "hw", "total", "bonus"],
                                                                 ["alice", "2", "2", "1"]]
