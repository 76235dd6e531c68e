"""Is what a failed test tells a student bounded, clean, and free of expected values and hidden inputs?

Unit tests of the feedback channels (engine/calls.py, checks.py, results.py), then one batch through
the real CLI with attackers in ``tests/adversarial/isolation/activations/``: a 4 MB exception type
name and location with terminal escapes, ``raise ValueError(x)``, 10 MB of printed output with
escapes, ``10**400`` where an array is expected, a forged frame whose 1000 arrays share one 8 MB
data block, and a student id that is a spreadsheet formula. SECURITY.md ("What feedback can tell
a student") states the leak budget these tests hold the grader to.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.assignments import REPO_ROOT, get_assignment
from autograder.checks import CheckFailure, Stage, expect_array, expect_equal, expect_scalar, printable
from autograder.engine import calls
from autograder.results import Outcome, SubmissionResult, SubmissionStatus, TestResult
from autograder.sandbox.child.protocol import ForeignObject
from autograder.sandbox.launcher import bwrap_problem

ESCAPES = "\x1b[2J\x1b[31m\x1b]0;owned\x07\x1b]8;;http://evil.example\x1b\\\x9b1m\r\x08\u202e\x00"
MB = 1 << 20


def hidden_input(seed=401, shape=(6, 7)):
    return np.random.default_rng(seed).normal(scale=3.0, size=shape)


def needles(values) -> set[str]:
    """Decimal prefixes of each value (5 significant digits), as a print of it would show them."""
    found = set()
    for v in np.ravel(values):
        text = repr(abs(float(v)))
        if "e" not in text and len(text.split(".")[1]) >= 5:
            found.add(text[:7] if text.startswith("0.") else text[:6])
    return found


def assert_clean(text: str, limit: int):
    assert len(text.encode("utf-8")) <= limit, len(text.encode("utf-8"))
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c == "\u202e" for c in text), repr(text[:200])


# ------------------------------------------------------------------ student strings: caps, escapes


def test_hostile_type_name_of_4_mb_is_capped_and_cleaned():
    """Does a 4 MB exception type name with escapes become a short, printable one?"""
    name = (ESCAPES + "Leak" + "A" * 1000) * 4000
    failure = calls.raised("leaky_relu", name, "boom", "activations.py, line 3")
    assert failure.stage is Stage.EXCEPTION
    assert_clean(failure.message, 500)
    assert failure.message.startswith("leaky_relu() raised ") and "owned" not in failure.message


def test_hostile_location_of_4_mb_with_escapes_is_capped_and_cleaned():
    """A code object's file name is whatever compile() was given: 4 MB of escapes and hidden values."""
    x = hidden_input()
    where = (ESCAPES + "\n".join(repr(float(v)) for v in x.ravel()) + ESCAPES) * (4 * MB // 1000)
    where = where[: 4 * MB] + ".py, line 12"
    failure = calls.raised("leaky_relu", "ValueError", "bad", where)
    assert_clean(failure.message, 500)
    assert not any(needle in failure.message for needle in needles(x))
    detail = calls.import_failed("exception", "E" * MB, "x" * MB, where)
    assert_clean(detail, 500)
    assert detail.startswith("importing your module raised E")
    assert calls.import_failed("syntax_error", "SyntaxError", "invalid syntax", "line 3") == \
        "SyntaxError (line 3): invalid syntax"


@pytest.mark.parametrize("show", [str, repr, lambda x: str(x.tolist()), lambda x: str(x.astype(np.float32)),
                                  lambda x: " ".join(f"{v:.3e}" for v in x.ravel())])
def test_raise_value_error_of_a_hidden_input_shows_no_value(show):
    """``raise ValueError(x)``: no value of x, in any of numpy's or Python's formats, reaches feedback."""
    x = hidden_input()
    failure = calls.raised("leaky_relu", "ValueError", show(x), "activations.py, line 7")
    message = failure.message.split(": ", 1)[1]
    assert not re.search(r"\d\.\d|\d{3}", message), message
    assert not any(needle in failure.message for needle in needles(x))


def test_integer_hidden_inputs_are_masked_but_honest_messages_read_as_written():
    labels = np.random.default_rng(3).integers(0, 4, size=40)
    failure = calls.raised("loss", "ValueError", str(labels), "losses.py, line 9")
    assert not re.search(r"\d[\s,]+\d", failure.message.split(": ", 1)[1]), failure.message
    honest = "shapes (3,4) and (5,) not aligned: 4 (dim 1) != 5 (dim 0)"
    assert calls.raised("f", "ValueError", honest, "a.py, line 12").message == \
        f"f() raised ValueError at a.py, line 12: {honest}"


def test_other_student_strings_are_capped():
    """not_callable's type name, an unencodable value's message and a crash quoting a forged
    frame are the child's text too."""
    for failure in (calls.not_callable("f", ESCAPES * MB), calls.unencodable("f", ESCAPES + "y" * 4 * MB),
                    calls.crashed("f", "unexpected reply " + repr("z" * 4 * MB))):
        assert_clean(failure.message, 500)
    assert calls.unencodable("f", "value is nested too deeply").stage is Stage.TYPE


def test_foreign_type_names_are_capped_in_checks():
    """A value that could not cross arrives as a stand-in named by its class: a student's name."""
    with pytest.raises(CheckFailure) as failure:
        expect_array(ForeignObject(ESCAPES + "N" * 300), np.zeros(3))
    assert failure.value.stage is Stage.TYPE
    assert_clean(failure.value.message, 200)


def test_output_tail_keeps_4_kb_of_printable_text_and_its_lines():
    printed = (ESCAPES + "y" * 1000 + "\n") * 10_000 + "last line\tend\r\n"
    tail = calls.output_tail(printed)
    assert len(tail.encode()) <= 4096 and tail.endswith("last line\tend\n")
    assert "\x1b" not in tail and "\r" not in tail and "\n" in tail


def test_cleaning_keeps_honest_text_and_stays_fast():
    """An unterminated escape string loses its introducer only (a file name holding \\x9d keeps the
    rest of its detail); 4 MB of introducers cost milliseconds, not a quadratic scan."""
    assert printable("\x9d.txt is misnamed", 100) == ".txt is misnamed"
    assert printable("a\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ b", 100) == "alink b"
    started = time.monotonic()
    for hostile in ("\x9d" * 4 * MB, "\x1b]" * 2 * MB, "\x9b" * 4 * MB, "\x1b[1;" * MB):
        assert printable(hostile, 4096, single_line=False) == ""
        assert calls.student_text(hostile, 200) == ""
    assert time.monotonic() - started < 2.0


def test_results_cap_every_message_whatever_built_it():
    """The last line of defence: a TestResult or SubmissionResult built with unbounded text (a
    message path that forgot its caps) stores a bounded, printable one."""
    test = TestResult("t", 1.0, 0.0, Outcome.FAILED, "values", ESCAPES * MB)
    assert_clean(test.message, 1024)
    result = SubmissionResult("a", "s", SubmissionStatus.GRADED, [test], detail="d" * MB)
    result.stdout_tail = ESCAPES + "o" * 10 * MB
    stored = result.to_dict()
    assert len(stored["detail"].encode()) <= 1024 and len(stored["stdout_tail"].encode()) <= 4096
    assert "\x1b" not in json.dumps(stored) and "\\u001b" not in json.dumps(stored)
    assert printable("plain text", 100) == "plain text"


# ------------------------------------------------------------------ value errors: no expected value


def failure_of(check, *args, **kwargs) -> CheckFailure:
    with pytest.raises(CheckFailure) as failure:
        check(*args, **kwargs)
    return failure.value


@pytest.mark.parametrize("got, e1, e2", [
    (22.8, 2.07, 3.0),  # the loss: "22.8 and 11" gave 2.07 away
    (1.0, 1.5, 1.6),  # relative errors 33% and 37%
    (1.0, 1.02, 1.05),  # 2% and 5%
    (0.5, 0.5006, 0.5009),  # 0.12% and 0.18%
    (3.0, 0.0, -0.5),  # expected 0 looks like any error of 100% or more
])
def test_scalar_value_error_does_not_pin_the_expected_value(got, e1, e2):
    """The message is the same for two expected values in one band of relative error: from the
    student's own output and the message, the expected value cannot be solved for."""
    first = failure_of(expect_scalar, got, e1, what="loss")
    second = failure_of(expect_scalar, got, e2, what="loss")
    rel = sorted(abs(got - e) / abs(e) if e else np.inf for e in (e1, e2))
    same_band = np.floor(np.log10(min(rel[0], 1.0))) == np.floor(np.log10(min(rel[1], 1.0))) or rel[0] >= 1
    if same_band:
        assert first.message == second.message
    assert first.stage is Stage.VALUES
    for e in (e1, e2):
        for shown in (f"{abs(got - e):.3g}", f"{abs(e):.3g}"):
            if shown not in ("0", "0.5", str(got)):
                assert shown not in first.message.split("(allowed")[0]
    assert "abs" not in first.message


def test_array_value_error_gives_a_band_not_an_error():
    x = hidden_input()
    expected = np.where(x > 0, x, 0.1 * x)
    got = expected * (1 + 0.03)  # 3% off everywhere
    failure = failure_of(expect_array, got, expected, rtol=1e-10, atol=1e-12)
    assert "between 1% and 10%" in failure.message and "42 of 42 positions" in failure.message
    assert not any(needle in failure.message for needle in needles(expected))


# ------------------------------------------------------------------ numbers out of float range


@pytest.mark.parametrize("value", [10**400, -10**400])
def test_integer_too_large_for_a_float_fails_the_test(value):
    failure = failure_of(expect_scalar, value, 1.0, what="the loss")
    assert failure.stage is Stage.FINITE and "too large for a float" in failure.message


@pytest.mark.parametrize("value", [[10**400], (1.0, 10**400), {"v": 10**400}])
def test_containers_with_huge_integers_fail_on_their_type(value):
    for check, expected in ((expect_scalar, 1.0), (expect_array, np.ones(2))):
        assert failure_of(check, value, expected).stage is Stage.TYPE


def test_exact_comparisons_do_not_raise_on_student_values():
    """An array inside a tuple made ``got != expected`` raise ("truth value ... ambiguous"): an
    internal grader error instead of a failed test."""
    assert failure_of(expect_equal, (None, np.array([28, 28])), (None, 28)).stage is Stage.VALUES
    assert failure_of(expect_equal, [10**400, 2], [3, 2]).stage is Stage.VALUES
    assert failure_of(expect_scalar, np.array(1 + 2j), 1.0).stage is Stage.DTYPE
    expect_equal([(None, 28, 28, 6)], [(None, 28, 28, 6)])


# ------------------------------------------------------------------ end to end, through the CLI

ISOLATION = Path(__file__).with_name("adversarial") / "isolation" / "activations"
FORMULA_ID = '=HYPERLINK("evil.example","x")'
ATTACKERS = ("hostile_exception", "flood_escapes", "huge_integer", "amplified_frame")
HONEST = ("zz_honest_1", "zz_honest_2")
PEAK_RSS_LIMIT = 2 << 30


def hidden_inputs_of_activations() -> set[str]:
    """Needles for every hidden input of autograder/hidden/test_activations.py."""
    spec = importlib.util.spec_from_file_location("_hidden_activations", get_assignment("activations").hidden_tests_path)
    hidden = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hidden)
    found = set()
    for dtype in (np.float32, np.float64):
        for seed, shape in [(101, (6, 9)), (102, (13,)), (103, (2, 3, 5)), (104, (1, 1)), (201, (5, 4, 3)),
                            (301, (7, 8)), (302, (21,)), (303, (2, 3, 4, 2)), (401, (6, 7)), (402, (10,)),
                            (403, (3, 4, 5)), (404, (4, 4)), (501, (8, 10)), (502, (6, 4)), (503, (3, 5, 4)),
                            (504, (12,))]:
            found |= needles(hidden.normal(seed, shape, dtype))
            found |= needles(hidden.normal(seed, shape, dtype, scale=2.0))
        for seed in (105, 202, 304):
            found |= needles(hidden.extremes(seed, dtype))
    return found


def build_cohort(folder: Path) -> Path:
    solution = get_assignment("activations").solution_path
    for name in ATTACKERS:
        shutil.copytree(ISOLATION / name, folder / name)
        shutil.copy(solution, folder / name / "_honest.py")
    for name in (FORMULA_ID, *HONEST):
        (folder / name).mkdir(parents=True)
        shutil.copy(solution, folder / name / "activations.py")
    return folder


def run_measured(command: list[str], log_path: Path, timeout_s: float) -> tuple[int, float, int, str]:
    """Run ``command``; its exit code, seconds, peak RSS in bytes (its own high-water mark, read
    while it runs, and wait4's, which covers the processes it waited for) and output."""
    with open(log_path, "w+") as log:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        peak = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                break
            try:
                status_text = Path(f"/proc/{process.pid}/status").read_text()
                peak = max(peak, int(re.search(r"VmHWM:\s+(\d+) kB", status_text).group(1)) * 1024)
            except (OSError, AttributeError):
                pass
            if time.monotonic() - started > timeout_s:
                process.kill()
            time.sleep(0.05)
        seconds = time.monotonic() - started
        log.seek(0)
        return process.returncode, seconds, max(peak, usage.ru_maxrss * 1024), log.read()


def output_files(outdir: Path) -> list[Path]:
    return [p for p in outdir.rglob("*") if p.is_file()]


@pytest.mark.skipif(bwrap_problem() is not None, reason=f"needs the bwrap sandbox: {bwrap_problem()}")
@pytest.mark.parametrize("jobs", [1, 2])
def test_attackers_through_the_cli(tmp_path, jobs):
    """``autograder grade`` then ``autograder report``, as an instructor runs them: honest students
    keep full marks, each attacker keeps exactly its honest 17, every row and feedback file is
    small and clean, no hidden input and no formula cell is written, and the grader stays small."""
    cohort = build_cohort(tmp_path / "cohort")
    outdir = tmp_path / "out"
    cli = str(Path(sys.executable).with_name("autograder"))
    code, seconds, peak, log = run_measured([cli, "grade", "activations", str(cohort), "-o", str(outdir),
                                             "--jobs", str(jobs), "--quiet"], tmp_path / "grade.log", timeout_s=240)
    assert code == 0, log[-3000:]
    code, _, _, report_log = run_measured([cli, "report", str(outdir)], tmp_path / "report.log", timeout_s=120)
    assert code == 0, report_log[-3000:]
    print(f"jobs={jobs}: graded in {seconds:.1f} s, grader peak RSS {peak / 2**20:.0f} MB")
    assert seconds < 180
    assert peak < PEAK_RSS_LIMIT, f"the grader held {peak / 2**20:.0f} MB"

    # Scores: the honest parts, exactly.
    db = sqlite3.connect(outdir / "gradebook.sqlite")
    rows = {student: (score, status, result_json) for student, score, status, result_json
            in db.execute("SELECT student, score, status, result_json FROM submissions")}
    db.close()
    expected = {**{name: 17.0 for name in ATTACKERS}, **{name: 20.0 for name in (FORMULA_ID, *HONEST)}}
    assert {s: (score, status) for s, (score, status, _) in rows.items()} == \
        {s: (score, "graded") for s, score in expected.items()}
    results = {s: json.loads(r) for s, (_, _, r) in rows.items()}
    for student, result in results.items():
        assert not [t for t in result["tests"] if t["outcome"] == "error"], (student, result["tests"])
        assert len(rows[student][2]) < 16_000, (student, len(rows[student][2]))  # was 81 MB
        assert len(result["stdout_tail"].encode()) <= 4096
    messages = {t["name"]: t["message"] for t in results["huge_integer"]["tests"] if t["message"]}
    assert all(re.search(r"should be a numpy\.ndarray, but it is a (int|list)\.$", m) for m in messages.values()), \
        messages
    crashes = [t for t in results["amplified_frame"]["tests"] if t["stage"] == "crash"]
    assert crashes and all("used twice" in t["message"] for t in crashes), results["amplified_frame"]["tests"]
    raised = [t["message"] for t in results["hostile_exception"]["tests"] if t["stage"] == "exception"]
    assert any(" raised Leak" in m for m in raised) and any(" raised ValueError" in m for m in raised), raised

    # Every file: small rows, no escape, no hidden input, no formula.
    secrets = hidden_inputs_of_activations()
    assert len(secrets) > 500
    files = output_files(outdir)
    assert any(p.suffix == ".md" for p in files) and any(p.name == "index.html" for p in files)
    for student, (_, _, result_json) in rows.items():
        assert "\x1b" not in result_json and "\\u001b" not in result_json and "\\u009b" not in result_json, student
    for path in files:
        data = path.read_bytes()
        if ".sqlite" not in path.name:  # a binary file, checked row by row above
            assert b"\x1b" not in data and b"\xc2\x9b" not in data, path
        text = data.decode("utf-8", errors="replace")
        leaked = [needle for needle in secrets if needle in text]
        assert not leaked, (path, leaked[:5])
    for path in outdir.glob("*.csv"):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert all(len(line.encode()) < 4096 for line in lines), path
        cells = [cell for row in csv.reader(lines) for cell in row]
        assert "'" + FORMULA_ID in cells and FORMULA_ID not in cells, path
        assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")], path
