"""Gradescope's ``results.json``: a rendering of a submission's results.

Field names follow Gradescope's autograder specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/). The hidden tests are listed
``after_published``: their points and messages appear when the instructor publishes grades
(Gradescope then also hides the total until publication). The public checks are shown at once,
worth 0 points, so students get feedback they can act on without learning the hidden inputs.
The student's own printed output stays hidden: it could hold anything. The submission's notes
(what intake changed, such as the lines it dropped from a notebook) follow the summary in the
top-level ``output``.
"""

from __future__ import annotations

from autograder.notebooks import notebook_filename
from autograder.results import SubmissionResult, TestResult

HIDDEN_VISIBILITY = "after_published"


def _status(test: TestResult) -> str:
    return "passed" if test.points >= test.max_points else "failed"


def _output(test: TestResult) -> str:
    return test.message or ("passed" if test.points >= test.max_points else "")


def _submission_problem(result: SubmissionResult, module_filename: str) -> dict:
    return {
        "name": "Your submission",
        "score": 0.0,
        "max_score": 0.0,
        "status": "failed",
        "output": f"{result.detail}\n\nSubmit one file named {module_filename} or {notebook_filename(module_filename)} "
                  "(on its own, or in a .zip or folder), then resubmit: nothing was graded.",
        "visibility": "visible",
    }


def gradescope_results(hidden: SubmissionResult, public: SubmissionResult | None, *, module_filename: str,
                       execution_time_s: float) -> dict:
    """The ``results.json`` document for one submission graded on the hidden tests (``hidden``)
    and, when it could be imported, on the public checks (``public``)."""
    tests: list[dict] = []
    if hidden.status.is_problem:
        tests.append(_submission_problem(hidden, module_filename))
    if public is not None:
        for test in public.tests:
            tests.append({"name": f"public check: {test.name}", "score": 0.0, "max_score": 0.0,
                          "status": _status(test), "output": _output(test), "visibility": "visible"})
    for test in hidden.tests:
        tests.append({"name": f"{test.name} (bonus)" if test.bonus else test.name, "score": test.points,
                      "max_score": 0.0 if test.bonus else test.max_points, "status": _status(test),
                      "output": _output(test), "visibility": HIDDEN_VISIBILITY})
    for number, test in enumerate(tests, start=1):
        test["number"] = str(number)
    if hidden.status.is_problem:
        summary = f"Nothing was graded: {hidden.detail}"
    else:
        checks = f"{sum(t.points >= t.max_points for t in public.tests)} of {len(public.tests)} public checks pass. " \
            if public is not None else ""
        summary = f"{checks}The hidden tests' results appear when grades are published."
    if hidden.notes:  # what intake changed, such as the IPython lines dropped from a notebook
        summary += "\n\nNotes on your submission:\n" + "\n".join(f"- {note}" for note in hidden.notes)
    return {
        "score": round(hidden.score + hidden.bonus_score, 6),
        "execution_time": int(round(execution_time_s)),
        "output": summary,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
