"""Public tests for the optimizers assignment: the course's example, w = 1.0, loss = w^2 / 2.

Run them with ``pytest assignments/optimizers``. Each test runs three steps from w = 1.0 with
the gradient g = w and the course notes' hyperparameters, and compares w after every step and
the final state with the values keras.optimizers gives. The grader's hidden tests also run
longer trajectories, random quadratics with several parameter arrays, float32 parameters,
the default hyperparameters, and start your function from states that it did not make.
"""

import numpy as np
import pytest

from autograder.checks import Stage, expect_array, expect_true

TOL = dict(rtol=1e-9, atol=1e-12)


def three_steps(step, **hyperparameters):
    """w after each of three steps from w = 1.0 (as an array of 3 values), and the last state."""
    params, state, ws = [np.array([1.0])], None, []
    for k in range(3):
        result = step(params, [params[0].copy()], state, **hyperparameters)
        expect_true(isinstance(result, (tuple, list)) and len(result) == 2,
                    "a step should return a pair (new_params, new_state).", stage=Stage.TYPE)
        params, state = result
        expect_true(isinstance(params, (list, tuple)) and len(params) == 1,
                    "new_params should be a list with one array per param.", stage=Stage.TYPE)
        expect_true(isinstance(state, dict), "new_state should be a dict.", stage=Stage.TYPE)
        w = params[0]
        expect_true(type(w) is np.ndarray and w.shape == (1,) and w.dtype == np.float64,
                    f"w after step {k + 1} should be a float64 array of shape (1,), like the param.", stage=Stage.TYPE)
        ws.append(w[0])
    return np.array(ws), state


def check_iterations(state):
    expect_true(state.get("iterations") == 3, "state['iterations'] should be 3 after 3 steps.")


def check_state(state, key, expected):
    check_iterations(state)
    expect_true(key in state, f"the state has no key {key!r}.", stage=Stage.TYPE)
    expect_true(isinstance(state[key], (list, tuple)) and len(state[key]) == 1,
                f"state[{key!r}] should be a list with one array per param.", stage=Stage.TYPE)
    expect_array(state[key][0], np.array([expected]), **TOL, what=f"state[{key!r}][0] after 3 steps")


@pytest.mark.points(1)
def test_sgd_course_example(submission):
    ws, state = three_steps(submission.sgd_step, learning_rate=0.1)
    expect_array(ws, np.array([0.9, 0.81, 0.729]), **TOL, what="w after steps 1, 2, 3")
    check_iterations(state)


@pytest.mark.points(1)
def test_momentum_course_example(submission):
    # The notes' check: the first step moves w by 0.1, the second by 0.18.
    ws, state = three_steps(submission.momentum_step, learning_rate=0.1, momentum=0.9)
    expect_array(ws, np.array([0.9, 0.72, 0.486]), **TOL, what="w after steps 1, 2, 3")
    check_state(state, "velocity", -0.234)


@pytest.mark.points(1)
def test_ema_momentum_course_example(submission):
    ws, state = three_steps(submission.ema_momentum_step, learning_rate=0.1, beta=0.9)
    expect_array(ws, np.array([0.99, 0.9711, 0.944379]), **TOL, what="w after steps 1, 2, 3")
    check_state(state, "m", 0.26721)


@pytest.mark.points(1)
def test_nesterov_course_example(submission):
    ws, state = three_steps(submission.nesterov_step, learning_rate=0.1, momentum=0.9)
    expect_array(ws, np.array([0.81, 0.5751, 0.327321]), **TOL, what="w after steps 1, 2, 3")
    check_state(state, "velocity", -0.21141)


@pytest.mark.points(1)
def test_adagrad_course_example(submission):
    ws, state = three_steps(submission.adagrad_step, learning_rate=0.1, initial_accumulator_value=0.1, epsilon=1e-6)
    expected = np.array([0.9046537844146199, 0.8393387918934879, 0.7875128345573223])
    expect_array(ws, expected, **TOL, what="w after steps 1, 2, 3")
    check_state(state, "accumulator", 2.6228880772329135)


@pytest.mark.points(1)
def test_rmsprop_course_example(submission):
    ws, state = three_steps(submission.rmsprop_step, learning_rate=0.1, rho=0.9)
    expected = np.array([0.6837723920969265, 0.4988708044756769, 0.36918076036188563])
    expect_array(ws, expected, **TOL, what="w after steps 1, 2, 3")
    check_state(state, "v", 0.14796622953327662)


@pytest.mark.points(1)
def test_adam_course_example(submission):
    # 0.900000316..., not 0.90000001: Keras adds epsilon to sqrt(v), not to sqrt(v_hat).
    ws, state = three_steps(submission.adam_step, learning_rate=0.1)
    expected = np.array([0.900000316226766, 0.8004127762155153, 0.7015870148647835])
    expect_array(ws, expected, **TOL, what="w after steps 1, 2, 3")
    check_state(state, "m", 0.24204130608196045)
    check_state(state, "v", 0.002447852180968101)


@pytest.mark.points(1)
def test_momentum_two_float32_params(submission):
    params = [np.array([1.0, -2.0], dtype=np.float32), np.array([[0.5]], dtype=np.float32)]
    grads = [np.array([0.5, -1.0], dtype=np.float32), np.array([[2.0]], dtype=np.float32)]
    result = submission.momentum_step(params, grads, None)
    expect_true(isinstance(result, (tuple, list)) and len(result) == 2, "momentum_step should return a pair.",
                stage=Stage.TYPE)
    new_params, state = result
    expect_true(isinstance(new_params, (list, tuple)) and len(new_params) == 2,
                "new_params should be a list of 2 arrays.", stage=Stage.TYPE)
    # Default hyperparameters: learning_rate 0.01, momentum 0.9.
    expect_array(new_params[0], np.array([0.995, -1.99], dtype=np.float32), rtol=1e-6, atol=1e-7, what="param 0")
    expect_array(new_params[1], np.array([[0.48]], dtype=np.float32), rtol=1e-6, atol=1e-7, what="param 1")
    expect_true(isinstance(state, dict) and "velocity" in state, "the state should be a dict with 'velocity'.",
                stage=Stage.TYPE)
    expect_array(state["velocity"][1], np.array([[-0.02]], dtype=np.float32), rtol=1e-6, atol=1e-7,
                 what="state['velocity'][1]")


@pytest.mark.points(1)
def test_loss_curve_sgd_and_adam(submission):
    expect_array(submission.loss_curve("sgd", w0=1.0, steps=2, learning_rate=0.1), np.array([0.5, 0.405, 0.32805]),
                 **TOL, what="loss_curve('sgd', 1.0, 2, learning_rate=0.1)")
    expected = np.array([0.5, 0.4050002846041394, 0.3203303061645143, 0.24611216971343897, 0.18237174539179118,
                         0.1290140796290906])
    expect_array(submission.loss_curve("adam", w0=1.0, steps=5, learning_rate=0.1), expected, **TOL,
                 what="loss_curve('adam', 1.0, 5, learning_rate=0.1)")
