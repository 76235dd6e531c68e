"""Attacks on the course features (notebook conversion in the trusted process, submission times,
the late policy), each a regression test of a weakness found and fixed.

Measured before the fixes, on the 2-core machine:
- a 200 KB notebook whose cell has a syntax error and a line of 200,000 spaces: 24 s in ``stage``
  (``_HELP_LINE`` backtracked quadratically; 2 MB would have taken some 40 minutes);
- 100 cells of 17 KB of ``x = 1`` and 1,000 ``%a`` lines each (2.4 MB): over 4 minutes and
  still running (the parse budget was per cell: about 2 G characters parsed, an hour);
- 450,000 cells of ``x=1`` in a 50 MB file: 48 s and 1.15 GB; 650,000 markdown cells: 19 s
  and 1 GB (nbformat's reading and schema validation of everything, outputs included);
- 1 MB of ``a=1`` lines: 23 s (262,000 statements classified in Python);
- a file in a submission folder dated year 36812 (a tar's mtime on tmpfs): ``survey`` raised
  ValueError, which stopped the batch before any grading;
- a submission time of 9999-12-31T23:59:59-12:00: OverflowError moving it to the course's zone,
  which stopped the report and the LMS export.
Tests that could hang if a fix regressed run in a subprocess with a timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from autograder import notebooks
from autograder.course import adjustments, parse_course
from autograder.gradescope_import import _UNKNOWN_TIME, _submitted_at
from autograder.intake import survey
from autograder.notebooks import MAX_CELLS, MAX_STATEMENTS, NotebookProblem, convert
from autograder.results import Outcome, SubmissionResult, SubmissionStatus, TestResult

ROOT = Path(__file__).resolve().parents[1]


def notebook(*cells: dict, **extra) -> bytes:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": list(cells),
                       "metadata": {"kernelspec": {"name": "python3", "display_name": "P", "language": "python"}},
                       **extra}).encode()


def code(source: str, outputs: list | None = None, number: list = [0]) -> dict:  # noqa: B006 - a counter
    number[0] += 1
    return {"cell_type": "code", "id": f"c{number[0]}", "metadata": {}, "execution_count": None,
            "source": source, "outputs": outputs or []}


def markdown(source: str, number: list = [0]) -> dict:  # noqa: B006 - a counter
    number[0] += 1
    return {"cell_type": "markdown", "id": f"m{number[0]}", "metadata": {}, "source": source}


def convert_in_subprocess(path: Path, timeout: float) -> dict:
    """``convert`` of the notebook at ``path`` in a fresh interpreter, killed after ``timeout``."""
    script = textwrap.dedent(f"""
        import json, sys, time
        from autograder.notebooks import NotebookProblem, convert
        data = open({str(path)!r}, "rb").read()
        started = time.perf_counter()
        try:
            module = convert(data, "hw.ipynb")
            found = {{"status": "converted", "source": len(module.source), "notes": list(module.notes)}}
        except NotebookProblem as problem:
            found = {{"status": problem.status.value, "message": problem.message}}
        found["seconds"] = time.perf_counter() - started
        print(json.dumps(found))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


# ------------------------------------------------------------------ conversion in the grader


def test_a_long_line_of_spaces_in_a_broken_cell_converts_in_linear_time(tmp_path):
    path = tmp_path / "spaces.ipynb"
    path.write_bytes(notebook(code("def relu(x):\n    return x\n"), code("1 +\n" + " " * 200_000 + "x\n")))
    found = convert_in_subprocess(path, timeout=60)
    assert found["status"] == "converted"
    assert found["seconds"] < 3


def test_the_search_for_ipython_lines_has_one_budget_for_the_whole_notebook(monkeypatch):
    """Each cell's magics are found by parsing the cell again; what all cells parse again is
    bounded together (the budget was per cell), and lines past the budget are still dropped."""
    parsed = []
    real_parse = notebooks._parse
    monkeypatch.setattr(notebooks, "_parse", lambda text: parsed.append(len(text)) or real_parse(text))
    monkeypatch.setattr(notebooks, "_PARSE_BUDGET", 100_000)
    cell = "x = 1\n" * 300 + "%a\n" * 200
    cells = [code(cell) for _ in range(20)]
    module = convert(notebook(code("def relu(x):\n    return x\n"), *cells), "hw.ipynb")
    code_size = sum(len(c["source"]) for c in cells)
    # Every cell parsed once for free, then the budget; each cell at most once more (_prepare).
    assert sum(parsed) <= 100_000 + 3 * code_size + 10_000
    assert "%a" not in module.source
    assert module.source.count("\npass") == 20 * 200


def test_nbformat_never_reads_outputs_text_cells_or_metadata(monkeypatch):
    import nbformat

    seen = []
    real_reads = nbformat.reads
    monkeypatch.setattr(nbformat, "reads", lambda text, **kw: seen.append(len(text)) or real_reads(text, **kw))
    outputs = [{"output_type": "stream", "name": "stdout", "text": "a\n"}] * 20_000
    data = notebook(markdown("words " * 100_000), code("def relu(x):\n    return x\n", outputs),
                    junk={str(i): i for i in range(20_000)})
    assert len(data) > 1_000_000
    convert(data, "hw.ipynb")
    assert seen and max(seen) < 2_000


def test_too_many_cells_are_refused_before_nbformat_reads_them(tmp_path):
    path = tmp_path / "cells.ipynb"
    path.write_bytes(notebook(*[markdown("x") for _ in range(MAX_CELLS)], code("def relu(x):\n    return x\n")))
    found = convert_in_subprocess(path, timeout=60)
    assert found["status"] == SubmissionStatus.CORRUPT.value and f"{MAX_CELLS:,} cells" in found["message"]
    assert found["seconds"] < 3


def test_too_many_top_level_statements_are_refused():
    with pytest.raises(NotebookProblem) as refused:
        convert(notebook(code("def relu(x):\n    return x\n"), code("a=1\n" * (MAX_STATEMENTS + 1))), "hw.ipynb")
    assert refused.value.status is SubmissionStatus.CORRUPT
    assert refused.value.message.startswith("the code cells of hw.ipynb") and "statements" in refused.value.message


@pytest.mark.parametrize("depth", [200, 900, 990, 5000])
def test_deep_json_in_a_kept_key_is_a_module_or_a_notebook_problem_never_an_error(depth):
    """The JSON is read, then written again without what is never read: nesting that json.loads
    accepts must not make that writing raise (nbformat only logs a schema error like this one)."""
    data = notebook(code("def relu(x):\n    return x\n")).decode()
    data = data.replace('"execution_count": null', '"execution_count": ' + "[" * depth + "]" * depth)
    try:
        module = convert(data.encode(), "hw.ipynb")
    except NotebookProblem as problem:
        assert problem.message.startswith("hw.ipynb") and problem.status is SubmissionStatus.INVALID_NOTEBOOK
    else:
        assert "def relu" in module.source


# ------------------------------------------------------------------------- submission times


def test_a_file_dated_year_36812_does_not_stop_the_survey(tmp_path, monkeypatch):
    """A tar keeps any mtime, and tmpfs or btrfs store it; ext4 would clamp it, so lstat lies."""
    for student in ("alice", "bob"):
        (tmp_path / student).mkdir()
        (tmp_path / student / "activations.py").write_text("def relu(x):\n    return x\n")
    real_lstat = os.lstat

    def far_future(path, *args, **kwargs):
        found = real_lstat(path, *args, **kwargs)
        if "alice" in str(path):
            return os.stat_result((*found[:8], 2**40, found[9]))
        return found

    monkeypatch.setattr(os, "lstat", far_future)
    entries = {entry.student: entry for entry in survey(tmp_path).entries}
    assert entries["alice"].submitted_at is None and entries["alice"].time_source == ""
    assert entries["bob"].time_source == "mtime"


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "1066-10-14T09:00:00Z"])
def test_an_absurd_timestamp_file_is_unusable(tmp_path, text):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "activations.py").write_text("def relu(x):\n    return x\n")
    (tmp_path / "alice.timestamp.txt").write_text(text)
    (entry,) = survey(tmp_path).entries
    assert entry.time_source == "mtime" and "is not between the years" in entry.time_note


def test_an_absurd_gradescope_created_at_is_unknown():
    assert _submitted_at("9999-12-31T23:59:59-12:00") == _UNKNOWN_TIME
    assert _submitted_at(datetime(9999, 12, 31, 23, 0, tzinfo=timezone(-timedelta(hours=12)))) == _UNKNOWN_TIME
    assert _submitted_at("2026-10-01T12:00:00+08:00").year == 2026


def test_a_stored_time_at_the_end_of_the_calendar_does_not_stop_the_late_policy():
    course = parse_course(yaml.safe_load(textwrap.dedent("""
        timezone: Asia/Singapore
        defaults: {late_policy: {penalty_percent: 10}}
        assignments:
          activations: {due: "2026-10-01 23:59+08:00"}
        """)))
    tests = [TestResult("t", 20.0, 20.0, Outcome.PASSED, "done")]
    rows = [SubmissionResult("activations", student, SubmissionStatus.GRADED, tests=tests, max_score=20.0,
                             submitted_at=when, time_source="timestamp_file")
            for student, when in (("far", "9999-12-31T23:59:59-12:00"), ("old", "0001-01-01T00:00:00+14:00"),
                                  ("late", "2026-10-02T23:59:00+08:00"))]
    started = time.perf_counter()
    found = {student: adjustment for (_, student), adjustment in adjustments(course, rows).items()}
    assert time.perf_counter() - started < 1
    assert found["far"].submitted_at == "" and "unknown" in found["far"].note and found["far"].final_score == 20
    assert found["old"].submitted_at == "" and found["old"].final_score == 20
    assert found["late"].late_units == 1 and found["late"].final_score == 18


def test_the_conversion_runs_under_hard_ceilings_in_a_child(tmp_path):
    """Whatever the caps miss, a notebook never costs the grading process more than the child's
    ceilings: here a 40 MB notebook of outputs, converted under a 200 MB address-space limit (which a
    small notebook converts under), is a corrupt submission with a message."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from autograder.notebooks import NotebookProblem, convert_bounded

    cell = new_code_cell("def relu(x):\n    return x")
    cell.outputs = [new_output("stream", name="stdout", text="x" * 40_000_000)]
    small = tmp_path / "small.ipynb"
    small.write_text(nbformat.writes(new_notebook(cells=[new_code_cell("def relu(x):\n    return x")])))
    assert "def relu" in convert_bounded(small, "small.ipynb", memory_bytes=200 * 2**20).source
    path = tmp_path / "activations.ipynb"
    path.write_text(nbformat.writes(new_notebook(cells=[cell])))
    with pytest.raises(NotebookProblem) as raised:
        convert_bounded(path, "activations.ipynb", memory_bytes=200 * 2**20)
    assert raised.value.status is SubmissionStatus.CORRUPT
    assert "too large or too complex to read (it needs more than 200 MB" in raised.value.message
    # The same notebook under the real ceilings converts: outputs are never read.
    assert "def relu" in convert_bounded(path, "activations.ipynb").source
