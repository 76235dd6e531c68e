"""The reference regularisation functions agree with Keras 3 (TensorFlow backend).

- L1 / L2 / L1L2 penalties equal keras.regularizers' values (constant factors included: no 1/2
  on L2) and their gradients equal tf.GradientTape's.
- dropout: Keras's own Dropout layer passes the hidden tests' checks (every output 0 or
  x / (1 - rate); fraction dropped within the Hoeffding tolerance), and so does the reference
  over many seeds, far inside the tolerance.
- batch_norm equals keras.layers.BatchNormalization: outputs and moving statistics, training and
  inference, dense and conv inputs, several momenta and epsilons.
- early_stopping equals keras.callbacks.EarlyStopping on every hidden case and on 300 more
  seeded histories, and the public tests' EARLY_STOPPING_CASES are Keras's decisions.

Keras keeps the L1 factor in float32 (also for float64 weights): the float64 comparisons use
factors that float32 represents exactly.
"""

import importlib.util
import math
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "regularization" / "regularization.py"
HIDDEN = ROOT / "autograder" / "hidden" / "test_regularization.py"
TOL = {np.float32: dict(rtol=2e-6, atol=1e-7), np.float64: dict(rtol=1e-12, atol=1e-14)}
DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ref():
    return load(SOLUTION, "reference_regularization_under_test")


@pytest.fixture(scope="module")
def hidden():
    return load(HIDDEN, "hidden_regularization_checks_under_test")


# ----------------------------------------------------------------------------- penalties


def keras_value_and_gradient(regularizer, w):
    variable = tf.Variable(w)
    with tf.GradientTape() as tape:
        penalty = regularizer(variable)
    return float(penalty.numpy()), tape.gradient(penalty, variable).numpy()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 5), (3, 3, 2, 4), (9,)])
def test_penalties_and_gradients_match_keras(ref, dtype, shape):
    w = np.random.default_rng(len(shape)).normal(scale=0.5, size=shape).astype(dtype)
    w.ravel()[:2] = 0.0  # sign(0) = 0 in the L1 gradient, as TensorFlow's gradient of abs
    l1, l2 = (0.015625, 0.0078125) if dtype == np.float64 else (0.003, 0.05)
    cases = [
        (keras.regularizers.L1(l1), ref.l1_penalty(w, l1=l1), ref.l1_gradient(w, l1=l1)),
        (keras.regularizers.L2(l2), ref.l2_penalty(w, l2=l2), ref.l2_gradient(w, l2=l2)),
        (keras.regularizers.L1L2(l1, l2), ref.l1l2_penalty(w, l1=l1, l2=l2), ref.l1l2_gradient(w, l1=l1, l2=l2)),
    ]
    for regularizer, penalty, gradient in cases:
        expected_penalty, expected_gradient = keras_value_and_gradient(regularizer, w)
        assert isinstance(penalty, float)
        np.testing.assert_allclose(penalty, expected_penalty, **TOL[dtype])
        assert gradient.dtype == dtype and gradient.shape == shape
        np.testing.assert_allclose(gradient, expected_gradient, **TOL[dtype])


def test_default_factors_are_keras_defaults(ref):
    w = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    np.testing.assert_allclose(ref.l1_penalty(w), float(keras.regularizers.L1()(w)), rtol=2e-6)
    np.testing.assert_allclose(ref.l2_penalty(w), float(keras.regularizers.L2()(w)), rtol=2e-6)
    assert ref.l1l2_penalty(w) == float(keras.regularizers.L1L2()(w)) == 0.0
    assert float(keras.regularizers.l1_l2()(w)) == 0.0  # l1_l2 is L1L2, defaults 0.0 too


def test_l2_has_no_one_half(ref):
    w = np.array([1.0, -2.0, 3.0])
    assert ref.l2_penalty(w, l2=0.5) == pytest.approx(0.5 * 14)
    np.testing.assert_allclose(ref.l2_gradient(w, l2=0.5), w)


# ----------------------------------------------------------------------------- dropout


def dropout_ratios(x, out, rate):
    """The hidden tests' dropout checks: max error of the kept values; dropped fraction / tolerance."""
    kept = out != 0
    scaled = x.astype(np.float64) / (1 - rate)
    error = np.max(np.abs(out[kept] - scaled[kept]) / np.abs(scaled[kept])) if kept.any() else 0.0
    tolerance = math.sqrt(math.log(2 / 1e-9) / (2 * x.size))
    return error, abs(np.mean(~kept) - rate) / tolerance


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.7])
def test_keras_dropout_passes_the_hidden_checks(hidden, rate):
    x = hidden.nonzero_inputs(1, (200, 500), np.float64)
    layer = keras.layers.Dropout(rate, seed=3, dtype="float64")
    out = layer(x, training=True).numpy()
    error, fraction_ratio = dropout_ratios(x, out, rate)
    assert error < 1e-12 and fraction_ratio <= 1.0
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)


def test_reference_dropout_over_many_seeds(ref, hidden):
    worst = 0.0
    for seed in range(200):
        rate = (0.2, 0.7)[seed % 2]
        x = hidden.nonzero_inputs(seed, (200, 500), np.float64)
        error, fraction_ratio = dropout_ratios(x, ref.dropout(x, rate, training=True, seed=seed), rate)
        assert error < 1e-12
        worst = max(worst, fraction_ratio)
    # The hidden tolerance (0.0103 on the fraction) is about 7 standard deviations of the fraction
    # (0.0013 to 0.0015); over 200 seeds the largest deviation is expected near 3 of them, a ratio
    # near 0.4 (0.31 here), and a correct dropout exceeds 1 with probability below 1e-9.
    assert worst < 0.6, worst


def test_reference_dropout_conventions(ref):
    x = np.arange(1, 11).reshape(5, 2).astype(np.float32)
    out = ref.dropout(x, 0.2, training=True, seed=0)
    assert out.dtype == np.float32 and set(np.unique(out[out != 0] / x[out != 0])) <= {np.float32(1.25)}
    np.testing.assert_array_equal(ref.dropout(x, 0.2, training=False), x)
    np.testing.assert_array_equal(ref.dropout(x, 0.0, training=True), x)
    np.testing.assert_array_equal(ref.dropout(x, 1.0, training=True), np.zeros_like(x))
    np.testing.assert_array_equal(keras.layers.Dropout(1.0)(x, training=True).numpy(), np.zeros_like(x))
    y = np.full((5, 2), 7.0, dtype=np.float32)
    assert np.array_equal(out == 0, ref.dropout(y, 0.2, training=True, seed=0) == 0)  # mask from seed and shape
    np.testing.assert_array_equal(out, ref.dropout(x, 0.2, training=True, seed=np.random.default_rng(0)))


# ----------------------------------------------------------------------------- batch normalisation


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,momentum,epsilon", [((16, 5), 0.9, 1e-3), ((4, 3, 3, 6), 0.8, 1e-3),
                                                    ((12, 4), 0.99, 0.1), ((10, 3), 0.5, 1e-5)])
def test_batch_norm_matches_keras(ref, hidden, shape, momentum, epsilon, dtype):
    x, gamma, beta, moving_mean, moving_variance = hidden.bn_inputs(sum(shape), shape, dtype)
    x[:, 0] *= 0.01  # a small variance, where epsilon shows
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, dtype=np.dtype(dtype).name)
    layer.build(shape)
    layer.set_weights([gamma, beta, moving_mean, moving_variance])
    tol = TOL[dtype] if dtype == np.float64 else dict(rtol=1e-5, atol=1e-5)

    y, new_mean, new_variance = ref.batch_norm(x, gamma, beta, moving_mean, moving_variance, training=True,
                                               momentum=momentum, epsilon=epsilon)
    np.testing.assert_allclose(y, layer(x, training=True).numpy(), **tol)
    np.testing.assert_allclose(new_mean, layer.moving_mean.numpy(), **tol)
    np.testing.assert_allclose(new_variance, layer.moving_variance.numpy(), **tol)
    assert y.dtype == new_mean.dtype == new_variance.dtype == dtype

    y, same_mean, same_variance = ref.batch_norm(x, gamma, beta, new_mean, new_variance, training=False,
                                                 momentum=momentum, epsilon=epsilon)
    np.testing.assert_allclose(y, layer(x, training=False).numpy(), **tol)
    np.testing.assert_array_equal(same_mean, new_mean)
    np.testing.assert_array_equal(same_variance, new_variance)


def test_batch_norm_defaults_are_keras_defaults(ref, hidden):
    x, gamma, beta, moving_mean, moving_variance = hidden.bn_inputs(5, (10, 3), np.float64)
    layer = keras.layers.BatchNormalization(dtype="float64")
    layer.build(x.shape)
    layer.set_weights([gamma, beta, moving_mean, moving_variance])
    y, new_mean, new_variance = ref.batch_norm(x, gamma, beta, moving_mean, moving_variance, training=True)
    np.testing.assert_allclose(y, layer(x, training=True).numpy(), **TOL[np.float64])
    np.testing.assert_allclose(new_variance, layer.moving_variance.numpy(), **TOL[np.float64])
    # Inference is the default, as in Keras outside fit().
    y, _, _ = ref.batch_norm(x, gamma, beta, new_mean, new_variance)
    np.testing.assert_allclose(y, layer(x).numpy(), **TOL[np.float64])


# ----------------------------------------------------------------------------- early stopping


class _Model:
    stop_training = False


def keras_early_stopping(history, **kwargs):
    """Replay keras.callbacks.EarlyStopping on a history, as fit() calls it."""
    callback = keras.callbacks.EarlyStopping(monitor="val_loss", **kwargs)
    model = _Model()
    callback.set_model(model)
    callback.on_train_begin()
    epochs_run = 0
    for epoch, value in enumerate(history):
        epochs_run = epoch + 1
        callback.on_epoch_end(epoch, {"val_loss": value})
        if model.stop_training:
            break
    return {"stopped_epoch": int(callback.stopped_epoch), "best_epoch": int(callback.best_epoch),
            "epochs_run": epochs_run}


def test_early_stopping_matches_keras_on_every_hidden_case(ref, hidden):
    cases = [case for group in hidden.CASES.values() for case in group]
    cases += hidden.seeded_cases(hidden.SEEDED_CASES_SEED, 40)
    for history, kwargs in cases:
        assert ref.early_stopping(history, **kwargs) == keras_early_stopping(history, **kwargs), (history, kwargs)


def test_public_early_stopping_cases_are_keras_decisions():
    """The decisions written in the public tests' EARLY_STOPPING_CASES (which the hidden tests' failure
    messages quote) are Keras's own."""
    public = load(ROOT / "assignments" / "regularization" / "test_regularization.py", "public_regularization_under_test")
    for history, kwargs, (stopped, best, epochs) in public.EARLY_STOPPING_CASES:
        assert keras_early_stopping(history, **kwargs) == {"stopped_epoch": stopped, "best_epoch": best,
                                                           "epochs_run": epochs}, (history, kwargs)


def test_hidden_never_stopping_cases_never_stop(ref, hidden):
    for history, kwargs in hidden.CASES["never_stops"]:
        decision = ref.early_stopping(history, **kwargs)
        assert decision["stopped_epoch"] == 0 and decision["epochs_run"] == len(history)


def test_early_stopping_matches_keras_on_more_seeded_histories(ref, hidden):
    for history, kwargs in hidden.seeded_cases(12345, 300):
        assert ref.early_stopping(history, **kwargs) == keras_early_stopping(history, **kwargs), (history, kwargs)


def test_early_stopping_course_example(ref):
    # The course's callback: EarlyStopping(monitor="loss", patience=3); len(history) epochs ran.
    history = [0.9, 0.7, 0.6, 0.62, 0.61, 0.65, 0.59, 0.6, 0.61, 0.63, 0.64, 0.7]
    assert ref.early_stopping(history, patience=3) == keras_early_stopping(history, patience=3)
    assert ref.early_stopping(history, patience=3)["epochs_run"] == 6
