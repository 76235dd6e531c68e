"""Our hidden tests behind otter-grader's exception-based test cases (see ``export/otter.py``).

Otter runs a student's script in a Jupyter kernel, then calls each test case with the script's
global namespace (a test function's ``env`` parameter receives the whole namespace). The first
test case of an assignment grades the whole hidden test file once, in that same process, with
the grader's own runner and checks; the results are kept per (assignment, namespace), so a
model assignment trains once, not once per test case. Each test case then fails with our
feedback message, or passes, so otter's points are exactly our points.

There is no sandbox here: the student's functions run in this process, as everything does
under otter. What crosses between the grader and the student's functions still goes through
the sandbox's plain-data protocol, both ways, so that a test sees what it would see from the
sandbox: copies of the arguments (a student's function that changes its input in place cannot
change the input the reference then gets), and a Keras model as its config, which the grader
rebuilds and trains itself.
"""

from __future__ import annotations

import sys

from autograder.assignments import get_assignment
from autograder.checks import CheckFailure, Stage
from autograder.engine.grade import _all_failed, tests_of
from autograder.engine.local import NamespaceSubmission
from autograder.engine.runner import run_tests
from autograder.i18n import _, _f
from autograder.results import TestResult
from autograder.sandbox.child import protocol

# As the sandboxed worker cuts the message of an exception raised on import.
MAX_IMPORT_ERROR_CHARS = 500

# (assignment id, id(namespace)) -> (the namespace, kept alive so that its id is not reused;
# each test's result by name).
_RESULTS: dict[tuple[str, int], tuple[dict, dict[str, TestResult]]] = {}


def _round_trip(message: dict, *, materialize_models: bool) -> dict:
    """``message`` encoded and decoded as the sandbox's pipe would carry it.

    ``materialize_models`` decodes model specs into Keras models, as the sandboxed worker does
    for what the grader sends to the student's code; the grader's side keeps them as specs.
    """
    frame = protocol.encode_frame(message)
    start = protocol.HEADER_PREFIX_BYTES
    end = start + protocol.parse_header_length(frame[:start])
    header = frame[start:end]
    blobs = []
    for size in protocol.blob_sizes_of(header):
        blobs.append(frame[end:end + size])
        end += size
    grader_side = protocol._MATERIALIZE_MODELS
    protocol._MATERIALIZE_MODELS = materialize_models
    try:
        return protocol.decode_frame(header, blobs)
    finally:
        protocol._MATERIALIZE_MODELS = grader_side


class OtterSubmission(NamespaceSubmission):
    """The student's functions in otter's global namespace, called as the sandbox would call them."""

    # Like the sandboxed worker, which reports SystemExit too: sys.exit() in a student's function
    # fails that call, instead of leaving the tests.
    caught_errors = (Exception, SystemExit)

    def _call(self, name: str, args, kwargs: dict, *, read_only: bool):
        sent = _round_trip({"args": list(args), "kwargs": dict(kwargs)}, materialize_models=True)
        value = super()._call(name, sent["args"], sent["kwargs"], read_only=read_only)
        try:
            return _round_trip({"value": value}, materialize_models=False)["value"]
        except Exception as error:  # noqa: BLE001 - the sandboxed worker reports this as 'unencodable'
            raise CheckFailure(Stage.TYPE, _f("{name}() returned a value that cannot be checked: {message}",
                                              name=name, message=str(error))[:300]) from None


def script_failure() -> str | None:
    """Why the student's script stopped with an error, when otter ran it in this IPython kernel.

    Otter runs the tests even then, on whatever the script defined before the error; the
    grader's sandbox instead fails a module that cannot be imported as a whole. Otter runs the
    tests in the cell right after the script's, so IPython's last execution is the script's.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or shell.last_execution_succeeded or shell.last_execution_result is None:
        return None
    result = shell.last_execution_result
    error = result.error_before_exec or result.error_in_exec
    return _f("importing your module raised {type}{location}: {message}{note}", type=type(error).__name__,
              location="", message=str(error)[:MAX_IMPORT_ERROR_CHARS], note="")


def results_for(assignment_id: str, env: dict) -> dict[str, TestResult]:
    """Every hidden test's result for the submission whose globals are ``env``; graded once."""
    key = (assignment_id, id(env))
    if key not in _RESULTS:
        assignment = get_assignment(assignment_id)
        failure = script_failure()
        if failure is None:
            results = run_tests(assignment.hidden_tests_path, OtterSubmission(env), assignment.solution_path)
        else:
            results = _all_failed(tests_of(assignment.hidden_tests_path), Stage.IMPORT,
                                 _f("your module could not be imported: {message}", message=failure))
        _RESULTS[key] = (env, {result.name: result for result in results})
    return _RESULTS[key][1]


def check(assignment_id: str, test_name: str, env: dict) -> None:
    """One otter test case: raise AssertionError with our feedback unless ``test_name`` passed."""
    results = results_for(assignment_id, env)
    if test_name not in results:
        raise AssertionError(_f("the hidden tests have no test {test}: this otter autograder is out of "
                                "date; export it again", test=repr(test_name)))
    result = results[test_name]
    if result.points < result.max_points:
        raise AssertionError(result.message or _("the output is not correct"))
