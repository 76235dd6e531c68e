"""The reference losses agree with Keras 3 (TensorFlow backend) and never overflow."""

import importlib.util
import os
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "losses" / "losses.py"

DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]
SHAPES = [pytest.param((8, 1), id="batch_1"), pytest.param((6, 5), id="batch_5"), pytest.param((1, 3), id="one_sample")]
TOL = {np.float32: dict(rtol=2e-6, atol=1e-7), np.float64: dict(rtol=1e-12, atol=1e-14)}


@pytest.fixture(scope="module")
def ref():
    spec = importlib.util.spec_from_file_location("reference_losses_under_test", SOLUTION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def keras_mean(function, y_true, y_pred, **kwargs) -> float:
    """A Keras 3 loss function (one value per sample, in y_pred's dtype), averaged over the batch."""
    return float(tf.reduce_mean(function(tf.constant(y_true), tf.constant(y_pred), **kwargs)).numpy())


def check(got, expected: float, dtype):
    assert isinstance(got, float)
    np.testing.assert_allclose(got, expected, **TOL[dtype])


def one_hot(rng, shape, dtype):
    return np.eye(shape[-1], dtype=dtype)[rng.integers(0, shape[-1], size=shape[0])]


def probabilities(rng, shape, dtype, scale=2.0):
    logits = rng.normal(scale=scale, size=shape)
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (p / p.sum(axis=-1, keepdims=True)).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 5), (10, 3), (1, 4)])
def test_categorical_crossentropy_probabilities(ref, shape, dtype):
    rng = np.random.default_rng(1)
    y_true, y_pred = one_hot(rng, shape, dtype), probabilities(rng, shape, dtype)
    expected = keras_mean(keras.losses.categorical_crossentropy, y_true, y_pred)
    check(ref.categorical_crossentropy(y_true, y_pred), expected, dtype)
    check(ref.categorical_crossentropy(y_true, y_pred, from_logits=False), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_categorical_crossentropy_renormalises_then_clips(ref, dtype):
    rng = np.random.default_rng(2)
    y_true = rng.dirichlet(np.ones(4), size=7).astype(dtype)  # soft labels
    y_pred = rng.uniform(0.05, 3.0, size=(7, 4)).astype(dtype)  # rows do not sum to 1
    expected = keras_mean(keras.losses.categorical_crossentropy, y_true, y_pred)
    check(ref.categorical_crossentropy(y_true, y_pred), expected, dtype)
    # Zeros in rows that do not sum to 1 (the hidden test's rows): renormalise first, then clip.
    y_true = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]], dtype=dtype)
    y_pred = np.array([[0, 0.5, 0], [0.25, 0, 0], [0.2, 0.3, 0], [0, 0.4, 0.1]], dtype=dtype)
    expected = keras_mean(keras.losses.categorical_crossentropy, y_true, y_pred)
    check(ref.categorical_crossentropy(y_true, y_pred), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_categorical_crossentropy_exact_zero_and_one(ref, dtype):
    y_true = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]], dtype=dtype)
    y_pred = np.array([[0, 1, 0], [1, 0, 0], [0.5, 0.5, 0], [0.2, 0, 0.8]], dtype=dtype)
    expected = keras_mean(keras.losses.categorical_crossentropy, y_true, y_pred)
    check(ref.categorical_crossentropy(y_true, y_pred), expected, dtype)
    # The course notes' example: keras gives 1.177 (float32).
    y_true = np.array([[0, 1, 0], [0, 0, 1]], dtype=dtype)
    y_pred = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]], dtype=dtype)
    check(ref.categorical_crossentropy(y_true, y_pred), keras_mean(keras.losses.categorical_crossentropy, y_true, y_pred), dtype)
    np.testing.assert_allclose(ref.categorical_crossentropy(y_true, y_pred), 1.1769392, rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [pytest.param(3.0, id="moderate"), pytest.param(1000.0, id="huge")])
def test_categorical_crossentropy_from_logits(ref, scale, dtype):
    rng = np.random.default_rng(3)
    y_true = one_hot(rng, (9, 6), dtype)
    logits = rng.normal(scale=scale, size=(9, 6)).astype(dtype)
    expected = keras_mean(keras.losses.categorical_crossentropy, y_true, logits, from_logits=True)
    check(ref.categorical_crossentropy(y_true, logits, from_logits=True), expected, dtype)
    tf_value = float(tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_true, logits=logits)).numpy())
    check(ref.categorical_crossentropy(y_true, logits, from_logits=True), tf_value, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_binary_crossentropy_probabilities(ref, shape, dtype):
    rng = np.random.default_rng(4)
    y_true = rng.integers(0, 2, size=shape).astype(dtype)
    y_pred = rng.uniform(0.001, 0.999, size=shape).astype(dtype)
    expected = keras_mean(keras.losses.binary_crossentropy, y_true, y_pred)
    check(ref.binary_crossentropy(y_true, y_pred), expected, dtype)
    soft = rng.uniform(0, 1, size=shape).astype(dtype)  # labels between 0 and 1
    expected = keras_mean(keras.losses.binary_crossentropy, soft, y_pred)
    check(ref.binary_crossentropy(soft, y_pred), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_crossentropy_exact_zero_and_one(ref, dtype):
    y_true = np.array([[0, 1, 1], [1, 0, 0], [0, 1, 0.3]], dtype=dtype)
    y_pred = np.array([[0, 1, 0], [1, 0, 1], [1, 0, 0.5]], dtype=dtype)
    expected = keras_mean(keras.losses.binary_crossentropy, y_true, y_pred)
    check(ref.binary_crossentropy(y_true, y_pred), expected, dtype)
    # The course notes' example: y_true [[0],[1]], y_pred [[0.4],[0.6]] -> 0.5108.
    y_true, y_pred = np.array([[0], [1]], dtype=dtype), np.array([[0.4], [0.6]], dtype=dtype)
    np.testing.assert_allclose(ref.binary_crossentropy(y_true, y_pred), -np.log(0.6), rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [pytest.param(3.0, id="moderate"), pytest.param(1000.0, id="huge")])
@pytest.mark.parametrize("shape", SHAPES)
def test_binary_crossentropy_from_logits(ref, shape, scale, dtype):
    rng = np.random.default_rng(5)
    y_true = rng.integers(0, 2, size=shape).astype(dtype)
    logits = rng.normal(scale=scale, size=shape).astype(dtype)
    expected = keras_mean(keras.losses.binary_crossentropy, y_true, logits, from_logits=True)
    check(ref.binary_crossentropy(y_true, logits, from_logits=True), expected, dtype)
    soft = rng.uniform(0, 1, size=shape).astype(dtype)
    expected = keras_mean(keras.losses.binary_crossentropy, soft, logits, from_logits=True)
    check(ref.binary_crossentropy(soft, logits, from_logits=True), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_regression_losses(ref, shape, dtype):
    rng = np.random.default_rng(6)
    y_true = rng.normal(size=shape).astype(dtype)
    y_pred = (y_true + rng.normal(scale=1.5, size=shape)).astype(dtype)
    check(ref.mean_absolute_error(y_true, y_pred), keras_mean(keras.losses.mean_absolute_error, y_true, y_pred), dtype)
    check(ref.mean_squared_error(y_true, y_pred), keras_mean(keras.losses.mean_squared_error, y_true, y_pred), dtype)
    check(ref.huber(y_true, y_pred), keras_mean(keras.losses.huber, y_true, y_pred), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("delta", [0.1, 0.5, 1.0, 2.5, 100.0])
def test_huber_delta(ref, delta, dtype):
    rng = np.random.default_rng(7)
    y_true = rng.normal(size=(7, 3)).astype(dtype)
    y_pred = (y_true + rng.normal(scale=2.0, size=(7, 3))).astype(dtype)
    expected = keras_mean(keras.losses.huber, y_true, y_pred, delta=delta)
    check(ref.huber(y_true, y_pred, delta=delta), expected, dtype)


def test_course_examples_with_keras_classes(ref):
    """The course notes' examples, with the Keras loss classes (float32, sum_over_batch_size)."""
    y_true = np.array([[0.0], [1.0]], dtype=np.float32)
    cases = [
        (ref.mean_absolute_error, keras.losses.MeanAbsoluteError(), np.array([[1.0], [1.0]], dtype=np.float32)),
        (ref.mean_squared_error, keras.losses.MeanSquaredError(), np.array([[1.0], [1.0]], dtype=np.float32)),
        (ref.huber, keras.losses.Huber(), np.array([[0.6], [0.4]], dtype=np.float32)),
        (ref.binary_crossentropy, keras.losses.BinaryCrossentropy(), np.array([[0.4], [0.6]], dtype=np.float32)),
    ]
    for function, keras_loss, y_pred in cases:
        np.testing.assert_allclose(function(y_true, y_pred), float(keras_loss(y_true, y_pred)), rtol=1e-6)
    y_true = np.array([[0, 1, 0], [0, 0, 1]], dtype=np.float32)
    y_pred = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]], dtype=np.float32)
    np.testing.assert_allclose(
        ref.categorical_crossentropy(y_true, y_pred), float(keras.losses.CategoricalCrossentropy()(y_true, y_pred)), rtol=1e-6
    )
    logits = np.array([[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]], dtype=np.float32)
    np.testing.assert_allclose(
        ref.categorical_crossentropy(y_true, logits, from_logits=True),
        float(keras.losses.CategoricalCrossentropy(from_logits=True)(y_true, logits)),
        rtol=1e-6,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_no_overflow_warning_and_no_nan_at_extremes(ref, dtype):
    y_true = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=dtype)
    probs = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]], dtype=dtype)
    logits = np.array([[1000, -1000, 0], [1000, 1000, -1000], [-1000, -1000, -1000]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            values = [
                ref.categorical_crossentropy(y_true, probs),
                ref.categorical_crossentropy(y_true, logits, from_logits=True),
                ref.binary_crossentropy(y_true, probs),
                ref.binary_crossentropy(y_true, logits, from_logits=True),
                ref.mean_absolute_error(y_true, logits),
                ref.mean_squared_error(y_true, logits),
                ref.huber(y_true, logits),
            ]
    assert all(np.isfinite(v) for v in values)
    # From logits nothing is clipped: a logit 2000 below the target's costs 2000.
    np.testing.assert_allclose(values[1], (2000.0 + (2000.0 + np.log(2.0)) + np.log(3.0)) / 3, rtol=1e-6)


def test_y_true_is_cast_to_y_pred_dtype(ref):
    y_pred = np.array([[0.2, 0.7, 0.1], [0.3, 0.3, 0.4]])
    y_int = np.array([[0, 1, 0], [0, 0, 1]])
    assert ref.categorical_crossentropy(y_int, y_pred) == ref.categorical_crossentropy(y_int.astype(float), y_pred)
    assert isinstance(ref.mean_squared_error(y_int, y_pred), float)
