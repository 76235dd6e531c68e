"""The reference activations agree with TensorFlow/Keras and never overflow."""

import importlib.util
import os
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "activations" / "activations.py"

DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]
SHAPES = [(17,), (5, 8), (3, 4, 6)]
TOL = {np.float32: dict(rtol=2e-6, atol=1e-7), np.float64: dict(rtol=1e-12, atol=1e-15)}
EXTREMES = [-1000.0, -750.0, -100.0, -40.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 40.0, 100.0, 750.0, 1000.0]


@pytest.fixture(scope="module")
def ref():
    spec = importlib.util.spec_from_file_location("reference_activations_under_test", SOLUTION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def inputs(shape, dtype, seed, scale=3.0):
    return (np.random.default_rng(seed).normal(scale=scale, size=shape)).astype(dtype)


def check(got, expected, dtype):
    expected = np.asarray(expected)
    assert type(got) is np.ndarray
    assert got.shape == expected.shape
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_sigmoid_tanh_relu_match_tensorflow(ref, shape, dtype):
    x = inputs(shape, dtype, seed=len(shape))
    check(ref.sigmoid(x), tf.nn.sigmoid(x).numpy(), dtype)
    check(ref.tanh(x), tf.nn.tanh(x).numpy(), dtype)
    check(ref.relu(x), tf.nn.relu(x).numpy(), dtype)
    check(ref.sigmoid(x), keras.activations.sigmoid(x).numpy(), dtype)
    check(ref.tanh(x), np.tanh(x), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.2, 0.5])
def test_leaky_relu_matches_tensorflow(ref, alpha, dtype):
    x = inputs((6, 7), dtype, seed=11)
    got = ref.leaky_relu(x, alpha=alpha)
    check(got, np.where(x >= 0, x, dtype(alpha) * x), dtype)
    # TensorFlow keeps alpha as a float32 attribute, even for float64 inputs: compare at float32 precision.
    np.testing.assert_allclose(got, tf.nn.leaky_relu(x, alpha=alpha).numpy(), rtol=2e-7, atol=0)


def test_leaky_relu_default_alpha_is_the_course_notes_0_1(ref):
    x = np.array([-10.0, -1.0, 0.0, 2.0])
    check(ref.leaky_relu(x), np.array([-1.0, -0.1, 0.0, 2.0]), np.float64)
    # tf.nn.leaky_relu defaults to 0.2: the reference must not.
    assert not np.allclose(ref.leaky_relu(x), tf.nn.leaky_relu(x).numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axis", [((9,), -1), ((5, 8), -1), ((5, 8), 0), ((3, 4, 6), 1), ((3, 4, 6), -1)])
def test_softmax_matches_tensorflow(ref, shape, axis, dtype):
    x = inputs(shape, dtype, seed=20 + len(shape) + axis)
    check(ref.softmax(x, axis=axis), tf.nn.softmax(x, axis=axis).numpy(), dtype)
    check(ref.softmax(x, axis=axis), keras.activations.softmax(x, axis=axis).numpy(), dtype)


def test_softmax_course_example(ref):
    x = np.array([0.2, 0.02, 0.15, 1.3, 0.5, 0.06, 1.1, 0.05, 3.75], dtype=np.float32)
    check(ref.softmax(x), tf.nn.softmax(x).numpy(), np.float32)


@pytest.mark.parametrize("dtype", DTYPES)
def test_extremes_match_tensorflow(ref, dtype):
    x = np.array(EXTREMES, dtype=dtype)
    check(ref.sigmoid(x), tf.nn.sigmoid(x).numpy(), dtype)
    check(ref.tanh(x), tf.nn.tanh(x).numpy(), dtype)
    check(ref.relu(x), tf.nn.relu(x).numpy(), dtype)
    check(ref.leaky_relu(x, alpha=0.1), np.where(x >= 0, x, dtype(0.1) * x), dtype)
    np.testing.assert_allclose(ref.leaky_relu(x, alpha=0.1), tf.nn.leaky_relu(x, alpha=0.1).numpy(), rtol=2e-7, atol=0)
    rows = np.array([[1000, -1000, 0], [-1000, -1000, -1000], [1000, 1000, 999], [-1000, -999, -1000]], dtype=dtype)
    check(ref.softmax(rows), tf.nn.softmax(rows).numpy(), dtype)
    check(ref.softmax(rows, axis=0), tf.nn.softmax(rows, axis=0).numpy(), dtype)
    wide = np.random.default_rng(5).uniform(-1000, 1000, size=(6, 9)).astype(dtype)
    check(ref.softmax(wide), tf.nn.softmax(wide).numpy(), dtype)
    check(ref.sigmoid(wide), tf.nn.sigmoid(wide).numpy(), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_no_overflow_warning_and_no_nan_at_extremes(ref, dtype):
    x = np.array(EXTREMES, dtype=dtype)
    rows = np.array([[1000, -1000, 0], [-1000, -1000, -1000], [1000, 1000, 999]], dtype=dtype)
    # Underflow (exp(-1000) == 0) is expected and harmless; overflow, 0/0 and inf/inf are not.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            outputs = [
                ref.sigmoid(x), ref.tanh(x), ref.relu(x), ref.leaky_relu(x),
                ref.softmax(rows), ref.softmax(rows, axis=0),
            ]
    for out in outputs:
        assert np.all(np.isfinite(out))
        assert out.dtype == dtype
    np.testing.assert_array_equal(ref.sigmoid(np.array([-1000.0, 1000.0], dtype=dtype)), [0.0, 1.0])
    np.testing.assert_array_equal(ref.tanh(np.array([-1000.0, 1000.0], dtype=dtype)), [-1.0, 1.0])


def test_outputs_are_new_arrays(ref):
    x = np.array([-1.0, 0.5, 2.0])
    before = x.copy()
    for out in (ref.sigmoid(x), ref.tanh(x), ref.relu(x), ref.leaky_relu(x), ref.softmax(x)):
        assert out is not x
    np.testing.assert_array_equal(x, before)
