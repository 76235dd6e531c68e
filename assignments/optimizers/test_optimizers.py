"""Public tests for the optimizers assignment: the course's example, w = 1.0, loss = w^2 / 2, and
the contract of every rule (float32 params of any shape, the default hyperparameters, the state's
keys and types, a step from a given state; loss_curve's array, from a vector w0 too).

Run them with ``pytest assignments/optimizers``. Each test runs three steps from w = 1.0 with
the gradient g = w and the course notes' hyperparameters, and compares w after every step and
the final state with the values keras.optimizers gives. For AdaGrad, RMSprop and Adam these
three-step tests ask for Keras's placement of epsilon (as one point per rule of the grader
does), while the loss_curve tests also accept the textbook placement (see the handout's
"Where ε goes"). The grader's hidden tests also run longer trajectories, random quadratics
with several parameter arrays, float32 parameters, the default hyperparameters, and start your
function from states that it did not make.
"""

import numpy as np
import pytest

from autograder.checks import (CheckFailure, Stage, expect_array, expect_array_like, expect_int, expect_items,
                               expect_keys, expect_true)
from autograder.i18n import N_, _, _f

TOL = dict(rtol=1e-9, atol=1e-12)

# AdaGrad, RMSprop and Adam with epsilon where the textbooks put it: g / (sqrt(a) + eps),
# g / (sqrt(v) + eps), m_hat / (sqrt(v_hat) + eps). The grader accepts these too, except for one
# point per rule (its one-step test), which is for Keras's placement exactly.
EPSILON_PLACEMENT = {
    "adagrad": N_("Keras divides by sqrt(a + epsilon), not by sqrt(a) + epsilon."),
    "rmsprop": N_("Keras divides by sqrt(v + epsilon), not by sqrt(v) + epsilon."),
    "adam": N_("Keras adds epsilon to sqrt(v), not to sqrt(v_hat) (alpha * m / (sqrt(v) + epsilon))."),
}


def expect_keras_form(ws, keras_form, textbook_form, rule):
    """w after each step as Keras gives it; a message that says so when w is the textbook form's."""
    try:
        expect_array(ws, keras_form, **TOL, what=_("w after steps 1, 2, 3"))
    except CheckFailure as failure:
        if failure.stage != Stage.VALUES or not np.allclose(ws, textbook_form, **TOL):
            raise
        raise CheckFailure(Stage.VALUES, _f("w after steps 1, 2, 3 matches the textbook's placement of epsilon, not "
                                            "Keras's: {explanation} The grader takes one point of this rule for that "
                                            "(its one-step test); its other tests accept both.",
                                            explanation=_(EPSILON_PLACEMENT[rule]))) from None


def expect_either_form(got, keras_form, textbook_form, what):
    """Keras's values, or those of the textbook's placement of epsilon: the grader's loss_curve
    tests accept both."""
    try:
        expect_array(got, keras_form, **TOL, what=what)
    except CheckFailure as failure:
        if failure.stage != Stage.VALUES:
            raise
        try:
            expect_array(got, textbook_form, **TOL, what=what)
        except CheckFailure:
            raise failure from None


def three_steps(step, **hyperparameters):
    """w after each of three steps from w = 1.0 (as an array of 3 values), and the last state."""
    params, state, ws = [np.array([1.0])], None, []
    for k in range(3):
        result = step(params, [params[0].copy()], state, **hyperparameters)
        expect_true(isinstance(result, (tuple, list)) and len(result) == 2,
                    _("a step should return a pair (new_params, new_state)."), stage=Stage.TYPE)
        params, state = result
        expect_true(isinstance(params, (list, tuple)) and len(params) == 1,
                    _("new_params should be a list with one array per param."), stage=Stage.TYPE)
        expect_true(isinstance(state, dict), _("new_state should be a dict."), stage=Stage.TYPE)
        w = params[0]
        expect_true(type(w) is np.ndarray and w.shape == (1,) and w.dtype == np.float64,
                    _f("w after step {step} should be a float64 array of shape (1,), like the param.", step=k + 1),
                    stage=Stage.TYPE)
        ws.append(w[0])
    return np.array(ws), state


def check_iterations(state, steps=3):
    expect_true("iterations" in state, _("the state has no key 'iterations'."), stage=Stage.TYPE)
    expect_int(state["iterations"], what="state['iterations']")
    expect_true(state["iterations"] == steps, _f("state['iterations'] should be {steps} after {steps} step(s).",
                                                 steps=steps))


def check_state(state, key, expected):
    check_iterations(state)
    expect_true(key in state, _f("the state has no key {key}.", key=repr(key)), stage=Stage.TYPE)
    expect_true(isinstance(state[key], (list, tuple)) and len(state[key]) == 1,
                _f("state[{key}] should be a list with one array per param.", key=repr(key)), stage=Stage.TYPE)
    expect_array(state[key][0], np.array([expected]), **TOL,
                 what=_f("state[{key}][0] after 3 steps", key=repr(key)))


@pytest.mark.points(1)
def test_sgd_course_example(submission):
    ws, state = three_steps(submission.sgd_step, learning_rate=0.1)
    expect_array(ws, np.array([0.9, 0.81, 0.729]), **TOL, what=_("w after steps 1, 2, 3"))
    check_iterations(state)


@pytest.mark.points(1)
def test_momentum_course_example(submission):
    # The notes' check: the first step moves w by 0.1, the second by 0.18.
    ws, state = three_steps(submission.momentum_step, learning_rate=0.1, momentum=0.9)
    expect_array(ws, np.array([0.9, 0.72, 0.486]), **TOL, what=_("w after steps 1, 2, 3"))
    check_state(state, "velocity", -0.234)


@pytest.mark.points(1)
def test_ema_momentum_course_example(submission):
    ws, state = three_steps(submission.ema_momentum_step, learning_rate=0.1, beta=0.9)
    expect_array(ws, np.array([0.99, 0.9711, 0.944379]), **TOL, what=_("w after steps 1, 2, 3"))
    check_state(state, "m", 0.26721)


@pytest.mark.points(1)
def test_nesterov_course_example(submission):
    ws, state = three_steps(submission.nesterov_step, learning_rate=0.1, momentum=0.9)
    expect_array(ws, np.array([0.81, 0.5751, 0.327321]), **TOL, what=_("w after steps 1, 2, 3"))
    check_state(state, "velocity", -0.21141)


@pytest.mark.points(1)
def test_adagrad_course_example(submission):
    ws, state = three_steps(submission.adagrad_step, learning_rate=0.1, initial_accumulator_value=0.1, epsilon=1e-6)
    expected = np.array([0.9046537844146199, 0.8393387918934879, 0.7875128345573223])
    textbook = np.array([0.904653831984445, 0.8393388676273702, 0.78751292984224])
    expect_keras_form(ws, expected, textbook, "adagrad")
    check_state(state, "accumulator", 2.6228880772329135)


@pytest.mark.points(1)
def test_rmsprop_course_example(submission):
    ws, state = three_steps(submission.rmsprop_step, learning_rate=0.1, rho=0.9)
    expected = np.array([0.6837723920969265, 0.4988708044756769, 0.36918076036188563])
    textbook = np.array([0.6837723339831303, 0.4988707391005095, 0.36918069587998514])
    expect_keras_form(ws, expected, textbook, "rmsprop")
    check_state(state, "v", 0.14796622953327662)


@pytest.mark.points(1)
def test_adam_course_example(submission):
    # 0.900000316..., not 0.90000001: Keras adds epsilon to sqrt(v), not to sqrt(v_hat).
    ws, state = three_steps(submission.adam_step, learning_rate=0.1)
    expected = np.array([0.900000316226766, 0.8004127762155153, 0.7015870148647835])
    textbook = np.array([0.900000009999999, 0.8004122480821506, 0.7015863025553359])
    expect_keras_form(ws, expected, textbook, "adam")
    check_state(state, "m", 0.24204130608196045)
    check_state(state, "v", 0.002447852180968101)


@pytest.mark.points(1)
def test_momentum_two_float32_params(submission):
    params = [np.array([1.0, -2.0], dtype=np.float32), np.array([[0.5]], dtype=np.float32)]
    grads = [np.array([0.5, -1.0], dtype=np.float32), np.array([[2.0]], dtype=np.float32)]
    result = submission.momentum_step(params, grads, None)
    expect_true(isinstance(result, (tuple, list)) and len(result) == 2, _("momentum_step should return a pair."),
                stage=Stage.TYPE)
    new_params, state = result
    expect_true(isinstance(new_params, (list, tuple)) and len(new_params) == 2,
                _("new_params should be a list of 2 arrays."), stage=Stage.TYPE)
    # Default hyperparameters: learning_rate 0.01, momentum 0.9.
    expect_array(new_params[0], np.array([0.995, -1.99], dtype=np.float32), rtol=1e-6, atol=1e-7,
                 what=_f("param {index}", index=0))
    expect_array(new_params[1], np.array([[0.48]], dtype=np.float32), rtol=1e-6, atol=1e-7,
                 what=_f("param {index}", index=1))
    expect_true(isinstance(state, dict) and "velocity" in state, _("the state should be a dict with 'velocity'."),
                stage=Stage.TYPE)
    expect_array(state["velocity"][1], np.array([[-0.02]], dtype=np.float32), rtol=1e-6, atol=1e-7,
                 what="state['velocity'][1]")


@pytest.mark.points(1)
def test_loss_curve_sgd_and_adam(submission):
    expect_array(submission.loss_curve("sgd", w0=1.0, steps=2, learning_rate=0.1), np.array([0.5, 0.405, 0.32805]),
                 **TOL, what="loss_curve('sgd', 1.0, 2, learning_rate=0.1)")
    expected = np.array([0.5, 0.4050002846041394, 0.3203303061645143, 0.24611216971343897, 0.18237174539179118,
                         0.1290140796290906])
    textbook = np.array([0.5, 0.4050000089999991, 0.3203298834399611, 0.2461116699666337, 0.18237121863646602,
                         0.12901356526687607])
    expect_either_form(submission.loss_curve("adam", w0=1.0, steps=5, learning_rate=0.1), expected, textbook,
                       what="loss_curve('adam', 1.0, 5, learning_rate=0.1)")


# ----------------------------------------------------------------------------- the contract of every rule
# One step with the default hyperparameters on two float32 params of shapes (3,) and (2, 2): new
# params of the same shapes and dtype, a state with "iterations" (an int) and the rule's keys, each
# a list with one float32 array per param; then one step from a state in the handout's format that
# the function did not make itself (iterations 6).

STATE_KEYS = {"sgd": [], "momentum": ["velocity"], "ema_momentum": ["m"], "nesterov": ["velocity"],
              "adagrad": ["accumulator"], "rmsprop": ["v"], "adam": ["m", "v"]}
F32 = dict(rtol=1e-5, atol=1e-6)
PARAMS = [[0.5, -1.0, 2.0], [[1.0, -0.5], [0.25, -2.0]]]
GRADS = [[0.2, -0.4, 1.0], [[-0.5, 0.1], [0.3, 0.8]]]
SIGNED_STATE = [[0.1, -0.2, 0.05], [[0.3, 0.0], [-0.1, 0.2]]]  # velocity, m
POSITIVE_STATE = [[0.4, 0.9, 0.2], [[0.5, 0.1], [0.3, 0.6]]]  # accumulator, v
# rule: (params after one step from state None, that step's state, params after a step from STATE_IN)
FLOAT32_STEPS = {
    "sgd": ([[0.498, -0.99599999, 1.99], [[1.005, -0.50099999], [0.24699999, -2.0079999]]],
            {},
            [[0.498, -0.99599999, 1.99], [[1.005, -0.50099999], [0.24699999, -2.0079999]]]),
    "momentum": ([[0.498, -0.99599999, 1.99], [[1.005, -0.50099999], [0.24699999, -2.0079999]]],
                 {"velocity": [[-0.0020000001, 0.0040000002, -0.0099999998],
                               [[0.0049999999, -0.001], [-0.003, -0.0080000004]]]},
                 [[0.588, -1.176, 2.0350001], [[1.275, -0.50099999], [0.15700001, -1.8280001]]]),
    "ema_momentum": ([[0.4998, -0.99959999, 1.999], [[1.0005, -0.50010002], [0.24969999, -2.0007999]]],
                     {"m": [[0.020000001, -0.040000003, 0.1],
                            [[-0.050000001, 0.010000001], [0.030000001, 0.080000006]]]},
                     [[0.4989, -0.99779999, 1.9985501], [[0.99779999, -0.50010002], [0.25060001, -2.0026]]]),
    "nesterov": ([[0.4962, -0.99239999, 1.9809999], [[1.0095, -0.50190002], [0.24430001, -2.0151999]]],
                 {"velocity": [[-0.0020000001, 0.0040000002, -0.0099999998],
                               [[0.0049999999, -0.001], [-0.003, -0.0080000004]]]},
                 [[0.5772, -1.1544, 2.0215001], [[1.2525001, -0.50190002], [0.16330001, -1.8532]]]),
    "adagrad": ([[0.49946547, -0.99921554, 1.9990466], [[1.0008452, -0.50030154], [0.24931176, -2.0009301]]],
                {"accumulator": [[0.14, 0.26000002, 1.1], [[0.34999999, 0.11], [0.19, 0.74000007]]]},
                [[0.49969849, -0.9996115, 1.9990871], [[1.0005773, -0.50030154], [0.24951962, -2.0007184]]]),
    "rmsprop": ([[0.49683776, -0.99683774, 1.9968377], [[1.0031623, -0.50316215], [0.24683774, -2.0031624]]],
                {"v": [[0.0040000002, 0.016000001, 0.1], [[0.025, 0.001], [0.0090000005, 0.064000003]]]},
                [[0.49966851, -0.99955988, 1.9981102], [[1.0007255, -0.50033152], [0.24943204, -2.0010293]]]),
    "adam": ([[0.49900001, -0.99900001, 1.999], [[1.0009999, -0.50099999], [0.24900001, -2.0009999]]],
             {"m": [[0.020000001, -0.040000003, 0.1], [[-0.050000001, 0.010000001], [0.030000001, 0.080000006]]],
              "v": [[4.0000006e-05, 0.00016000003, 0.001],
                    [[0.00025000001, 1.0000002e-05], [9.0000009e-05, 0.0006400001]]]},
             [[0.49997213, -0.99996287, 1.9999481], [[0.99995017, -0.50000507], [0.25001755, -2.0000536]]]),
}


def float32_arrays(values):
    return [np.array(v, dtype=np.float32) for v in values]


def expect_step_result(result, what, state_keys=None):
    """The structure of (new_params, new_state), before any value: a pair; params a list of two float32
    arrays of the params' shapes; with ``state_keys``, the state a dict with an int 'iterations' and
    each key a list of two float32 arrays of the params' shapes. Returns (params, state)."""
    expect_items(result, 2, what=_f("what {what} returned", what=what), noun=_("a pair (new_params, new_state)"))
    params, state = result
    expect_items(params, 2, what=_f("the new params of {what}", what=what), kinds=(list, tuple),
                 noun=_("a list with one array per param"))
    shapes = [np.shape(p) for p in PARAMS]
    if state_keys is not None:
        expect_keys(state, ["iterations", *state_keys], what=_f("the state after {what}", what=what))
        expect_int(state["iterations"], what=_f("state['iterations'] after {what}", what=what))
        for key in state_keys:
            expect_items(state[key], 2, what=_f("state[{key}] after {what}", key=repr(key), what=what),
                         kinds=(list, tuple), noun=_("a list with one array per param"))
    arrays = [(_f("param {index} after {what}", index=i, what=what), array, shape)
              for i, (array, shape) in enumerate(zip(params, shapes))]
    for key in state_keys or []:
        arrays += [(_f("state[{key}][{index}] after {what}", key=repr(key), index=i, what=what), array, shape)
                   for i, (array, shape) in enumerate(zip(state[key], shapes))]
    for label, array, shape in arrays:
        expect_array_like(array, shape, np.float32, what=label)
    return params, state


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", list(STATE_KEYS))
def test_float32_step_with_defaults_and_given_state(submission, rule):
    step = submission.read_only(f"{rule}_step")  # and the inputs must come back unchanged
    after_one, expected_state, after_resume = FLOAT32_STEPS[rule]
    function = f"{rule}_step"
    what = _f("{function}(params, grads, None) on float32 params", function=function)
    params, state = expect_step_result(step(float32_arrays(PARAMS), float32_arrays(GRADS), None), what,
                                       STATE_KEYS[rule])
    for i, (got, expected) in enumerate(zip(params, float32_arrays(after_one))):
        expect_array(got, expected, **F32, what=_f("param {index} after {what}", index=i, what=what))
    check_iterations(state, steps=1)
    for key in STATE_KEYS[rule]:
        for i, (got, expected) in enumerate(zip(state[key], float32_arrays(expected_state[key]))):
            expect_array(got, expected, **F32,
                         what=_f("state[{key}][{index}] after {what}", key=repr(key), index=i, what=what))
    given = {"iterations": 6}
    for key in STATE_KEYS[rule]:
        given[key] = float32_arrays(POSITIVE_STATE if key in ("accumulator", "v") else SIGNED_STATE)
    what = _f("{function} from a given state (iterations 6)", function=function)
    params, _state = expect_step_result(step(float32_arrays(PARAMS), float32_arrays(GRADS), given), what)
    for i, (got, expected) in enumerate(zip(params, float32_arrays(after_resume))):
        expect_array(got, expected, **F32, what=_f("param {index} after {what}", index=i, what=what))


# loss_curve(rule, w0=[2.0, -0.5], steps=3, learning_rate=0.1) for every rule: a vector w0 works too.
CURVES = {
    "sgd": [2.125, 1.7212500000000002, 1.3942125000000003, 1.1293121250000004],
    "momentum": [2.125, 1.7212500000000002, 1.1016, 0.5019164999999999],
    "ema_momentum": [2.125, 2.0827125, 2.00394982125, 1.895184853237125],
    "nesterov": [2.125, 1.3942125000000003, 0.7028225212499998, 0.2276704537121248],
    "adagrad": [2.125, 1.8936458525920994, 1.7436216502814983, 1.6292929313709972],
    "rmsprop": [2.125, 1.4344307677424524, 1.088571647079398, 0.856669855811256],
    "adam": [2.125, 1.885000553396728, 1.6656574426746804, 1.4670470055325653],
}
# The same with epsilon where the textbooks put it (accepted too).
TEXTBOOK_CURVES = {
    "adagrad": [2.125, 1.8936458604953432, 1.7436216621853073, 1.629292945656208],
    "rmsprop": [2.125, 1.4344307059009482, 1.088571651737657, 0.8566698854113287],
    "adam": [2.125, 1.885000017499998, 1.6656566494900495, 1.4670461129651637],
}


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", list(CURVES))
def test_loss_curve_vector_w0(submission, rule):
    curve = submission.loss_curve(rule, w0=np.array([2.0, -0.5]), steps=3, learning_rate=0.1)
    expect_either_form(curve, np.array(CURVES[rule]), np.array(TEXTBOOK_CURVES.get(rule, CURVES[rule])),
                       what=f"loss_curve({rule!r}, w0=np.array((2.0, -0.5)), steps=3, learning_rate=0.1)")
