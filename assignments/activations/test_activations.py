"""Public tests for the activations assignment: a few fixed cases, and the contract of every
function (a numpy array of the input's shape and dtype, float32 and float64, with no NaN even at
+-1000).

Run them with ``pytest assignments/activations``. The grader's hidden tests check the same
things on other inputs: random arrays of several shapes, float32 and float64, and extremes.
"""

import numpy as np
import pytest

from autograder.checks import expect_array
from autograder.i18n import _, _f

X = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])


@pytest.mark.points(1)
def test_sigmoid_small_vector(submission):
    expected = np.array([0.11920292202211755, 0.37754066879814546, 0.5, 0.6224593312018546, 0.8807970779778823])
    expect_array(submission.sigmoid(X), expected, rtol=1e-7, atol=1e-12)


@pytest.mark.points(1)
def test_sigmoid_large_inputs_float32(submission):
    x = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0], dtype=np.float32)
    expected = np.array([0.0, 0.0, 0.5, 1.0, 1.0], dtype=np.float32)
    expect_array(submission.sigmoid(x), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.points(1)
def test_tanh_small_vector(submission):
    expected = np.array([-0.9640275800758168, -0.46211715726000974, 0.0, 0.46211715726000974, 0.9640275800758168])
    expect_array(submission.tanh(X), expected, rtol=1e-7, atol=1e-12)


@pytest.mark.points(1)
def test_relu_small_vector(submission):
    expected = np.array([0.0, 0.0, 0.0, 0.5, 2.0])
    expect_array(submission.relu(X), expected)


@pytest.mark.points(1)
def test_leaky_relu_default_alpha_0_1(submission):
    expected = np.array([-0.2, -0.05, 0.0, 0.5, 2.0])
    expect_array(submission.leaky_relu(X), expected, rtol=1e-7, atol=1e-12)


@pytest.mark.points(1)
def test_leaky_relu_alpha_0_01_keeps_float32(submission):
    x = X.astype(np.float32)
    expected = np.array([-0.02, -0.005, 0.0, 0.5, 2.0], dtype=np.float32)
    expect_array(submission.leaky_relu(x, alpha=0.01), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.points(1)
def test_softmax_course_example(submission):
    # The example of the course notes (000, 1.2.1.5).
    x = np.array([0.2, 0.02, 0.15, 1.3, 0.5, 0.06, 1.1, 0.05, 3.75])
    expected = np.array([
        0.021671519403344577, 0.018101574593635105, 0.020614586930099512,
        0.06510484227882363, 0.029253491340158918, 0.01884031386690262,
        0.05330333654796452, 0.018652849611709082, 0.7544574854273621,
    ])
    expect_array(submission.softmax(x), expected, rtol=1e-7, atol=1e-12)


@pytest.mark.points(1)
def test_softmax_rows_and_columns(submission):
    x = np.array([[1.0, 2.0], [3.0, 5.0]])
    rows = np.array([[0.2689414213699951, 0.7310585786300049], [0.11920292202211755, 0.8807970779778823]])
    columns = np.array([[0.11920292202211755, 0.04742587317756679], [0.8807970779778823, 0.9525741268224334]])
    expect_array(submission.softmax(x), rows, rtol=1e-7, atol=1e-12, what="softmax(x) (axis=-1)")
    expect_array(submission.softmax(x, axis=0), columns, rtol=1e-7, atol=1e-12, what="softmax(x, axis=0)")


@pytest.mark.points(1)
def test_softmax_large_logits(submission):
    x = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
    expected = np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    expect_array(submission.softmax(x), expected, rtol=1e-7, atol=1e-12)


# ----------------------------------------------------------------------------- the output's contract
# Every function returns a numpy array of its input's shape (any number of axes, axes of length 1
# included) and its input's dtype, float32 or float64, and never NaN or infinity, even at +-1000.

DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}
LARGE_TOL = {np.float32: dict(rtol=1e-4, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}
# A 3-D input with an axis of length 1: shape (2, 1, 3).
X3 = np.array([[[-2.5, 0.0, 1.5]], [[0.75, -0.25, 3.0]]])
LARGE = np.array([-1000.0, -500.0, -50.0, 0.0, 50.0, 500.0, 1000.0])


def described(name, dtype):
    dtype_name = np.dtype(dtype).name
    return _f("{name} of a {dtype} input of shape (2, 1, 3)", name=name, dtype=dtype_name)


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_keeps_shape_and_dtype(submission, dtype):
    expected = 1.0 / (1.0 + np.exp(-X3))
    expect_array(submission.sigmoid(X3.astype(dtype)), expected.astype(dtype), **TOL[dtype],
                 what=described("sigmoid", dtype))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_keeps_shape_and_dtype(submission, dtype):
    expect_array(submission.tanh(X3.astype(dtype)), np.tanh(X3).astype(dtype), **TOL[dtype],
                 what=described("tanh", dtype))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_keeps_shape_and_dtype(submission, dtype):
    expect_array(submission.relu(X3.astype(dtype)), np.maximum(X3, 0.0).astype(dtype), **TOL[dtype],
                 what=described("relu", dtype))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_leaky_relu_keeps_shape_and_dtype(submission, dtype):
    x = X3.astype(dtype)
    expect_array(submission.leaky_relu(x), np.where(X3 >= 0, X3, 0.1 * X3).astype(dtype), **TOL[dtype],
                 what=described("leaky_relu", dtype))
    expect_array(submission.leaky_relu(x, alpha=0.25), np.where(X3 >= 0, X3, 0.25 * X3).astype(dtype), **TOL[dtype],
                 what=described("leaky_relu(x, alpha=0.25)", dtype))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_keeps_shape_and_dtype(submission, dtype):
    x = X3.astype(dtype)
    for axis in (-1, 0):
        exp = np.exp(X3 - X3.max(axis=axis, keepdims=True))
        expected = (exp / exp.sum(axis=axis, keepdims=True)).astype(dtype)
        expect_array(submission.softmax(x, axis=axis), expected, **TOL[dtype],
                     what=described(f"softmax(x, axis={axis})", dtype))


@pytest.mark.points(1)
def test_sigmoid_large_inputs_float64(submission):
    expected = np.array([0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 1.0])
    expect_array(submission.sigmoid(LARGE), expected, **LARGE_TOL[np.float64], what=_("sigmoid of inputs up to +-1000"))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_large_inputs(submission, dtype):
    expected = np.array([-1.0, -1.0, -1.0, 0.0, 1.0, 1.0, 1.0], dtype=dtype)
    dtype_name = np.dtype(dtype).name
    expect_array(submission.tanh(LARGE.astype(dtype)), expected, **LARGE_TOL[dtype],
                 what=_f("tanh of {dtype} inputs up to +-1000", dtype=dtype_name))


@pytest.mark.points(1)
def test_softmax_large_logits_float32(submission):
    x = np.array([[500.0, -500.0, 1000.0], [-1000.0, 999.0, 1000.0]], dtype=np.float32)
    expected = np.array([[0.0, 0.0, 1.0], [0.0, 0.2689414213699951, 0.7310585786300049]], dtype=np.float32)
    expect_array(submission.softmax(x), expected, **LARGE_TOL[np.float32],
                 what=_("softmax of float32 logits up to +-1000"))
