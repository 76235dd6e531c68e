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

from autograder.i18n import _, _f
from autograder.notebooks import notebook_filename
from autograder.results import SubmissionResult, TestResult

HIDDEN_VISIBILITY = "after_published"


def _status(test: TestResult) -> str:
    return "passed" if test.points >= test.max_points else "failed"


def _output(test: TestResult) -> str:
    return test.message or (_("passed") if test.points >= test.max_points else "")


def _submission_problem(result: SubmissionResult, module_filename: str) -> dict:
    return {
        "name": "Your submission",
        "score": 0.0,
        "max_score": 0.0,
        "status": "failed",
        "output": _f("{detail}\n\nSubmit one file named {name} or {notebook} (on its own, or in a .zip or folder), "
                     "then resubmit: nothing was graded.",
                     detail=result.detail, name=module_filename, notebook=notebook_filename(module_filename)),
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
        summary = _f("Nothing was graded: {detail}", detail=hidden.detail)
    else:
        published = _("The hidden tests' results appear when grades are published.")
        summary = (_f("{passed} of {total} public checks pass. {published}",
                      passed=sum(t.points >= t.max_points for t in public.tests), total=len(public.tests),
                      published=published) if public is not None else published)
    if hidden.notes:  # what intake changed, such as the IPython lines dropped from a notebook
        summary += _f("\n\nNotes on your submission:\n{notes}", notes="\n".join("- " + note for note in hidden.notes))
    return {
        "score": round(hidden.score + hidden.bonus_score, 6),
        "execution_time": int(round(execution_time_s)),
        "output": summary,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
