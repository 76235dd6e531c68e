"""Can a student id or a Gradescope name become a spreadsheet formula in a gradebook CSV?

Every CSV the project writes goes through autograder/render/csv_gradebook.py (the assignment's
CSV and the class CSV). A text cell that starts with ``= + - @``, a tab or a carriage return gets
a leading apostrophe (OWASP, "CSV injection"); numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import csv

import pytest

from autograder.render.csv_gradebook import neutralise, write_assignment_csv, write_class_csv
from autograder.results import Outcome, SubmissionResult, SubmissionStatus, TestInfo, TestResult

FORMULAS = ["=1+1", "+1", "-1+2", "@SUM(1)", "\t=1+1", "\r=1+1", '=HYPERLINK("evil.example","x")',
            "=cmd|' /C calc'!A0", "-", "+"]
SAFE = ["alice", "bob smith", "1+1", "a=b", "'=already", ""]


def result(student, points, **identity):
    tests = [TestResult("test_a", 2.0, points, Outcome.PASSED if points == 2.0 else Outcome.FAILED, "values")]
    return SubmissionResult("hw", student, SubmissionStatus.GRADED, tests, max_score=2.0, **identity)


def read(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", SAFE)
def test_other_text_is_unchanged(text):
    assert neutralise(text) == text


@pytest.mark.parametrize("writer", ["assignment", "class"])
def test_every_csv_writer_neutralises_text_and_keeps_numbers(tmp_path, writer):
    """Student ids and the identity columns are neutralised in both CSVs; a score of -1.5 is
    written as the number -1.5."""
    results = [result(text, -1.5, name=text, email=f"{text}@x.example", sid=text) for text in FORMULAS]
    results += [result(text, 2.0, name=text, sid="7") for text in SAFE if text]
    path = tmp_path / f"{writer}.csv"
    if writer == "assignment":
        write_assignment_csv(path, [TestInfo("test_a", 2.0)], results)
    else:
        write_class_csv(path, results)
    rows = read(path)
    header, body = rows[0], rows[1:]
    by_student = {row[0]: dict(zip(header, row)) for row in body}
    for text in FORMULAS:
        row = by_student["'" + text]
        assert row["name"] == "'" + text and row["sid"] == "'" + text
        assert row["email"] == "'" + text + "@x.example"
        score_column = "score" if writer == "assignment" else "total"
        assert row[score_column] == "-1.5"  # a number, not text: no apostrophe
        if writer == "assignment":
            assert row["test_a"] == "-1.5" and row["percent"] == "-75"
    for text in SAFE:
        if text:
            assert by_student[text]["name"] == text
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in cells if c.startswith("-") and not _is_number(c)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
