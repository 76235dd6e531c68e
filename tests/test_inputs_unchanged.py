"""A handout that says "never modify the inputs" is graded: a function called through
``submission.read_only(name)`` fails its test when it changed an argument in place, whichever way
it runs (the sandbox, otter's in-process bridge, a handout's public tests); and a SyntaxError in a
helper file of a multi-file submission names that file.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from autograder.assignments import Limits
from autograder.checks import CheckFailure, Stage
from autograder.engine.local import LocalSubmission
from autograder.engine.otter_bridge import OtterSubmission
from autograder.sandbox.child import unchanged
from autograder.sandbox.launcher import SandboxConfig, SandboxMode, bwrap_problem
from autograder.sandbox.proxy import SandboxedSubmission

LIMITS = Limits(import_timeout_s=30, call_timeout_s=10, total_timeout_s=60, memory_mb=1024)
MODES = [pytest.param(SandboxMode.BWRAP, marks=pytest.mark.skipif(bwrap_problem() is not None,
                                                                   reason=f"bubblewrap unusable: {bwrap_problem()}")),
         SandboxMode.PROCESS]

MODULE = textwrap.dedent(
    """
    import numpy as np

    def pure_step(params, grads, state=None, learning_rate=0.1):
        new = [p - learning_rate * g for p, g in zip(params, grads)]
        return new, {"iterations": (state or {}).get("iterations", 0) + 1}

    def in_place_step(params, grads, state=None, learning_rate=0.1):
        for p, g in zip(params, grads):
            p -= learning_rate * g
        return params, {"iterations": 1}

    def replaces_list_item(params, grads, state=None, learning_rate=0.1):
        params[0] = params[0] - learning_rate * grads[0]
        return params, {"iterations": 1}

    def updates_state(params, grads, state=None, learning_rate=0.1):
        state = state or {"iterations": 0, "m": [np.zeros_like(p) for p in params]}
        state["m"][0] += grads[0]
        state["iterations"] += 1
        return [p - learning_rate * g for p, g in zip(params, grads)], state

    def returns_its_input_unchanged(params, grads, state=None, learning_rate=0.0):
        return params, {"iterations": 1}
    """
)

STATE = {"iterations": 3, "m": [np.zeros(3), np.ones((2, 2))]}


def arguments():
    return [np.arange(3.0), np.ones((2, 2))], [np.full(3, 0.5), np.full((2, 2), 0.25)]


@pytest.fixture(params=["sandbox", "otter", "local"])
def submission(request, tmp_path):
    (tmp_path / "student.py").write_text(MODULE)
    if request.param == "local":
        yield LocalSubmission(tmp_path / "student.py")
    elif request.param == "otter":
        namespace: dict = {}
        exec(compile(MODULE, "student.py", "exec"), namespace)
        yield OtterSubmission(namespace)
    else:
        with SandboxedSubmission(tmp_path, "student.py", "student", LIMITS, SandboxConfig(SandboxMode.PROCESS)) as s:
            assert s.start() is None
            yield s


def failure_of(call) -> CheckFailure:
    with pytest.raises(CheckFailure) as caught:
        call()
    return caught.value


def test_a_pure_function_passes(submission):
    params, grads = arguments()
    new, state = submission.read_only("pure_step")(params, grads, STATE)
    np.testing.assert_allclose(new[0], np.arange(3.0) - 0.05)
    assert state == {"iterations": 4}
    assert submission.read_only("returns_its_input_unchanged")(*arguments())[1] == {"iterations": 1}


@pytest.mark.parametrize("name,where", [("in_place_step", "params[0]"), ("replaces_list_item", "params"),
                                        ("updates_state", "state['m'][0]")])
def test_an_in_place_change_fails_with_the_argument_named(submission, name, where):
    params, grads = arguments()
    failure = failure_of(lambda: submission.read_only(name)(params, grads, {"iterations": 3,
                                                                            "m": [np.zeros(3), np.ones((2, 2))]}))
    assert failure.stage is Stage.VALUES
    assert failure.message.startswith(f"{name}() changed its argument {where} in place; the handout says never to "
                                      "modify the inputs"), failure.message


def test_plain_calls_still_allow_in_place_changes(submission):
    """Only the functions a handout forbids it for are checked."""
    params, grads = arguments()
    new, _ = submission.in_place_step(params, grads)
    assert len(new) == 2


def test_keyword_arguments_and_nan_are_compared_by_value():
    a = np.array([np.nan, 1.0])
    taken = unchanged.snapshot(["x", "weights"], [a, {"w": [a]}])
    assert unchanged.first_change(taken) is None
    a[1] = 2.0
    assert unchanged.first_change(taken) == "x"


@pytest.mark.parametrize("mode", MODES)
def test_a_syntax_error_in_a_helper_file_names_the_file(tmp_path, mode):
    (tmp_path / "student.py").write_text("import helpers\n\ndef f(x):\n    return helpers.g(x)\n")
    (tmp_path / "helpers.py").write_text("def g(x):\n    return x +\n")
    with SandboxedSubmission(tmp_path, "student.py", "student", LIMITS, SandboxConfig(mode)) as sandboxed:
        failure = sandboxed.start()
    assert failure is not None and failure.kind == "syntax_error"
    assert failure.message.startswith("SyntaxError (helpers.py, line 2): "), failure.message
    with pytest.raises(CheckFailure) as caught:
        LocalSubmission(tmp_path / "student.py")
    assert "SyntaxError (helpers.py, line 2): " in caught.value.message, caught.value.message
