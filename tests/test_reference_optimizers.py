"""The reference update rules reproduce keras.optimizers step for step.

Every rule Keras has (SGD, SGD with momentum, Nesterov, Adagrad, RMSprop, Adam) is run side by
side with the reference on seeded random quadratics with several parameter arrays and on the
course's example (w = 1.0, loss = w^2 / 2); parameters and optimizer state must agree after
every step to 1e-6. The course's EMA momentum is checked against its own formula and against
Keras's SGD with learning rate lr * (1 - beta) and momentum beta, which it equals.

Keras keeps hyperparameters (learning rate, momentum, ...) in float32 even for float64
variables, so the float64 runs use hyperparameters that float32 represents exactly
(0.125, 0.875, 2**-20, ...); they then agree to the last bit. The float32 runs use Keras's
defaults and the course's values.
"""

import importlib.util
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "optimizers" / "optimizers.py"
HIDDEN = ROOT / "autograder" / "hidden" / "test_optimizers.py"
TOL = dict(rtol=1e-6, atol=1e-9)


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ref():
    return load(SOLUTION, "reference_optimizers_under_test")


@pytest.fixture(scope="module")
def hidden():
    return load(HIDDEN, "hidden_optimizers_checks_under_test")


def keras_optimizer(rule, hyperparameters):
    """The Keras optimizer for a rule, and a function giving its state in the reference's format."""
    h = dict(hyperparameters)
    if rule == "sgd":
        return keras.optimizers.SGD(**h), lambda o: {}
    if rule in ("momentum", "nesterov"):
        h.setdefault("momentum", 0.9)  # the reference's default (Keras's SGD defaults to 0.0)
        return (keras.optimizers.SGD(nesterov=rule == "nesterov", **h),
                lambda o: {"velocity": [v.numpy() for v in o.momentums]})
    if rule == "ema_momentum":
        lr, beta = h.get("learning_rate", 0.01), h.get("beta", 0.9)
        # velocity = -lr * m
        return (keras.optimizers.SGD(learning_rate=lr * (1 - beta), momentum=beta),
                lambda o: {"m": [-v.numpy() / np.asarray(lr, v.numpy().dtype) for v in o.momentums]})
    if rule == "adagrad":
        return keras.optimizers.Adagrad(**h), lambda o: {"accumulator": [v.numpy() for v in o._accumulators]}
    if rule == "rmsprop":
        return keras.optimizers.RMSprop(**h), lambda o: {"v": [v.numpy() for v in o._velocities]}
    if rule == "adam":
        return (keras.optimizers.Adam(**h),
                lambda o: {"m": [v.numpy() for v in o._momentums], "v": [v.numpy() for v in o._velocities]})
    raise KeyError(rule)


def run_side_by_side(ref, rule, params, gradient, steps, hyperparameters, tol=TOL):
    """Run Keras and the reference from the same params; compare params and state after every step."""
    optimizer, keras_state = keras_optimizer(rule, hyperparameters)
    variables = [keras.Variable(p.copy(), dtype=p.dtype.name) for p in params]
    step = getattr(ref, f"{rule}_step")
    ours, state = [p.copy() for p in params], None
    for k in range(1, steps + 1):
        current = [np.asarray(v.numpy()) for v in variables]
        optimizer.apply_gradients(zip([tf.constant(g) for g in gradient(current)], variables))
        ours, state = step(ours, gradient(ours), state, **hyperparameters)
        assert state["iterations"] == k and int(optimizer.iterations.numpy()) == k
        for mine, theirs in zip(ours, variables):
            assert mine.dtype == theirs.numpy().dtype
            np.testing.assert_allclose(mine, theirs.numpy(), **tol, err_msg=f"{rule} params after step {k}")
        for key, arrays in keras_state(optimizer).items():
            for mine, theirs in zip(state[key], arrays):
                np.testing.assert_allclose(mine, theirs, **tol, err_msg=f"{rule} state[{key!r}] after step {k}")
    return ours


# Hyperparameters that float32 represents exactly (see the module docstring).
EXACT = {
    "sgd": {"learning_rate": 0.125},
    "momentum": {"learning_rate": 0.0625, "momentum": 0.875},
    "nesterov": {"learning_rate": 0.0625, "momentum": 0.75},
    "ema_momentum": {"learning_rate": 0.25, "beta": 0.75},
    "adagrad": {"learning_rate": 0.25, "initial_accumulator_value": 0.125, "epsilon": 2.0 ** -20},
    "rmsprop": {"learning_rate": 0.03125, "rho": 0.875, "epsilon": 2.0 ** -20},
    "adam": {"learning_rate": 0.0625, "beta_1": 0.875, "beta_2": 1 - 2.0 ** -10, "epsilon": 2.0 ** -20},
}
RULES = list(EXACT)


@pytest.mark.parametrize("rule", RULES)
def test_float64_random_quadratics_match_keras_exactly(ref, hidden, rule):
    params, gradient = hidden.quadratic(1000 + RULES.index(rule))
    run_side_by_side(ref, rule, params, gradient, 30, EXACT[rule], tol=dict(rtol=1e-12, atol=1e-14))


@pytest.mark.parametrize("rule", RULES)
def test_float32_random_quadratics_with_defaults_match_keras(ref, hidden, rule):
    params, gradient = hidden.quadratic(2000 + RULES.index(rule), np.float32, shapes=[(5,), (2, 3), (3, 1, 2)])
    run_side_by_side(ref, rule, params, gradient, 30, {})


@pytest.mark.parametrize("rule", RULES)
def test_course_example_with_the_notes_hyperparameters_matches_keras(ref, hidden, rule):
    # The hidden tests' course example (w = 1.0, loss = w^2 / 2), run in float32 as the notes do.
    hyperparameters = hidden.RULES[rule][0]
    run_side_by_side(ref, rule, [np.array([1.0], dtype=np.float32)], hidden.course_gradient, 20, hyperparameters)


@pytest.mark.parametrize("rule", RULES)
def test_hidden_quadratic_hyperparameters_match_keras_in_float32(ref, hidden, rule):
    params, gradient = hidden.quadratic(3000 + RULES.index(rule), np.float32)
    run_side_by_side(ref, rule, params, gradient, 15, hidden.RULES[rule][1], tol=dict(rtol=1e-5, atol=1e-6))


def test_course_notes_first_steps(ref):
    # 000 section 3: SGD lr 0.1 gives 0.9; momentum 0.9 moves w by 0.1 then 0.18.
    (w,), _ = ref.sgd_step([np.array([1.0])], [np.array([1.0])], None, learning_rate=0.1)
    assert w[0] == pytest.approx(0.9)
    params, state = [np.array([1.0])], None
    ws = [1.0]
    for _ in range(2):
        params, state = ref.momentum_step(params, [params[0].copy()], state, learning_rate=0.1, momentum=0.9)
        ws.append(params[0][0])
    assert ws[0] - ws[1] == pytest.approx(0.1) and ws[1] - ws[2] == pytest.approx(0.18)


def test_ema_momentum_is_the_course_formula(ref):
    rng = np.random.default_rng(7)
    w, m = rng.normal(size=4), np.zeros(4)
    params, state = [w.copy()], None
    for _ in range(10):
        g = rng.normal(size=4)
        m = 0.8 * m + (1 - 0.8) * g
        w = w - 0.3 * m
        params, state = ref.ema_momentum_step(params, [g], state, learning_rate=0.3, beta=0.8)
        np.testing.assert_allclose(params[0], w, rtol=1e-14)
        np.testing.assert_allclose(state["m"][0], m, rtol=1e-14)


def test_adam_epsilon_is_added_to_sqrt_v_not_sqrt_v_hat(ref):
    # With a large epsilon the two placements differ visibly; Keras's is eps + sqrt(v).
    g, lr, eps = 0.5, 0.1, 0.1
    (w,), _ = ref.adam_step([np.array([1.0])], [np.array([g])], None, learning_rate=lr, epsilon=eps)
    m, v = 0.1 * g, 0.001 * g * g
    keras_form = 1.0 - lr * np.sqrt(1 - 0.999) / (1 - 0.9) * m / (np.sqrt(v) + eps)
    textbook = 1.0 - lr * (m / 0.1) / (np.sqrt(v / 0.001) + eps)
    assert w[0] == pytest.approx(keras_form, rel=1e-14)
    assert abs(w[0] - textbook) > 1e-2
    variable = keras.Variable(np.array([1.0]), dtype="float64")
    keras.optimizers.Adam(learning_rate=0.125, epsilon=0.125).apply_gradients([(tf.constant([g]), variable)])
    (ours,), _ = ref.adam_step([np.array([1.0])], [np.array([g])], None, learning_rate=0.125, epsilon=0.125)
    np.testing.assert_allclose(ours, variable.numpy(), rtol=1e-6)


def test_inputs_are_not_modified(ref):
    params, grads = [np.array([1.0, 2.0])], [np.array([0.5, -0.5])]
    for rule in RULES:
        state = None
        for _ in range(2):
            before = ([p.copy() for p in params], [g.copy() for g in grads])
            snapshot = None if state is None else {k: (v if k == "iterations" else [a.copy() for a in v])
                                                   for k, v in state.items()}
            new_params, new_state = getattr(ref, f"{rule}_step")(params, grads, state)
            np.testing.assert_array_equal(params[0], before[0][0])
            np.testing.assert_array_equal(grads[0], before[1][0])
            if snapshot is not None:
                for key, value in snapshot.items():
                    if key != "iterations":
                        np.testing.assert_array_equal(state[key][0], value[0])
            assert new_params[0] is not params[0]
            state = new_state


def test_loss_curve_matches_keras(ref):
    for rule in ("sgd", "momentum", "adagrad", "rmsprop", "adam"):
        curve = ref.loss_curve(rule, w0=1.0, steps=10, **EXACT[rule])
        optimizer, _ = keras_optimizer(rule, EXACT[rule])
        variable = keras.Variable(np.array([1.0]), dtype="float64")
        losses = [0.5]
        for _ in range(10):
            optimizer.apply_gradients([(tf.constant(variable.numpy()), variable)])
            losses.append(0.5 * float(variable.numpy()[0]) ** 2)
        assert curve.dtype == np.float64 and curve.shape == (11,)
        np.testing.assert_allclose(curve, losses, rtol=1e-12)


def test_hidden_textbook_forms_are_the_textbooks(ref, hidden):
    """The textbook forms that the hidden tests accept are the formulas as the textbooks write them
    (AdaGrad and RMSprop with epsilon outside the root, Adam as Algorithm 1 of Kingma and Ba), and
    differ from Keras's by more than the float64 tolerance (so the one-step test tells them apart)
    but less than float32's."""
    textbook = hidden.TextbookForms(ref)
    rng = np.random.default_rng(11)
    lr, rho, beta_1, beta_2, eps, a0 = 0.05, 0.8, 0.85, 0.99, 1e-6, 0.3
    w = rng.normal(size=5)
    a, r, m, v = np.full(5, a0), np.zeros(5), np.zeros(5), np.zeros(5)
    forms = {"adagrad": dict(learning_rate=lr, initial_accumulator_value=a0, epsilon=eps),
             "rmsprop": dict(learning_rate=lr, rho=rho, epsilon=eps),
             "adam": dict(learning_rate=lr, beta_1=beta_1, beta_2=beta_2, epsilon=eps)}
    ws = {rule: [w.copy()] for rule in forms}
    states = dict.fromkeys(forms)
    expected = dict.fromkeys(forms, w.copy())
    for t in range(1, 11):
        g = rng.normal(size=5)
        a = a + g * g
        r = rho * r + (1 - rho) * g * g
        m, v = beta_1 * m + (1 - beta_1) * g, beta_2 * v + (1 - beta_2) * g * g
        m_hat, v_hat = m / (1 - beta_1 ** t), v / (1 - beta_2 ** t)
        expected = {"adagrad": expected["adagrad"] - lr * g / (np.sqrt(a) + eps),
                    "rmsprop": expected["rmsprop"] - lr * g / (np.sqrt(r) + eps),
                    "adam": expected["adam"] - lr * m_hat / (np.sqrt(v_hat) + eps)}
        for rule, hyperparameters in forms.items():
            ws[rule], states[rule] = getattr(textbook, f"{rule}_step")(ws[rule], [g], states[rule], **hyperparameters)
            np.testing.assert_allclose(ws[rule][0], expected[rule], rtol=1e-13, err_msg=f"{rule} step {t}")
    # The course example's first Adam step: Keras 0.900000316..., Algorithm 1 0.90000001.
    (keras_w,), _ = ref.adam_step([np.array([1.0])], [np.array([1.0])], None, learning_rate=0.1)
    (paper_w,), _ = textbook.adam_step([np.array([1.0])], [np.array([1.0])], None, learning_rate=0.1)
    assert paper_w[0] == pytest.approx(1 - 0.1 / (1 + 1e-7), rel=1e-15)
    assert 1e-8 < abs(keras_w[0] - paper_w[0]) / keras_w[0] < 1e-5
    for rule in ("adagrad", "rmsprop"):
        hyperparameters = hidden.RULES[rule][0]
        (keras_w,), _ = getattr(ref, f"{rule}_step")([np.array([1.0])], [np.array([1.0])], None, **hyperparameters)
        (book_w,), _ = getattr(textbook, f"{rule}_step")([np.array([1.0])], [np.array([1.0])], None, **hyperparameters)
        assert 1e-8 < abs(keras_w[0] - book_w[0]) / keras_w[0] < 1e-5, rule
