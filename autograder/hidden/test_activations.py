"""Hidden grading tests: activations (20 points).

Points per function:
    sigmoid     5   values float32 1, values float64 1, other shapes 1, extremes float32 1, extremes float64 1
    tanh        4   values float32 1, values float64 1, extremes float32 1, extremes float64 1
    relu        3   values float32 1, values float64 1, other shapes 1
    leaky_relu  3   default alpha 0.1 float32 1, float64 1, other alphas 1
    softmax     5   last axis float32 1, float64 1, other axes 1, extremes float32 1, extremes float64 1
    total      20

Every test calls exactly one student function (several times at most), so a function that
hangs or crashes costs only its own tests. Tolerances: float32 rtol 1e-5 / atol 1e-6,
float64 rtol 1e-10 / atol 1e-12; the atol lets any honest formula through where the exact
value is tiny (e.g. 1 - exp(-2x) near x = 0). A naive exp(x) / (1 + exp(x)) sigmoid, naive
tanh or naive softmax returns NaN at +-1000 and loses exactly the extreme-value tests.
"""

import numpy as np
import pytest

from autograder.checks import expect_array
from autograder.i18n import _, _f

DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}
# At +-1000 in float32, exp(x - logsumexp(x)) is a stable softmax too, but x - logsumexp(x)
# loses up to 3e-5 to rounding near 1000: extreme-value tests judge stability, not the last digit.
EXTREME_TOL = {np.float32: dict(rtol=1e-4, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}

EXTREME_POINTS = [-1000.0, -750.0, -100.0, -40.0, -1.0, 0.0, 1.0, 40.0, 100.0, 750.0, 1000.0]


def normal(seed, shape, dtype, scale=3.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape).astype(dtype)


def extremes(seed, dtype):
    """Fixed extreme points, then random values in [-1000, 1000], as a (3, 11) array."""
    random = np.random.default_rng(seed).uniform(-1000.0, 1000.0, size=(2, len(EXTREME_POINTS)))
    return np.vstack([np.array(EXTREME_POINTS), random]).astype(dtype)


# ----------------------------------------------------------------------------- sigmoid


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_values(submission, reference, dtype):
    x = normal(101, (6, 9), dtype)
    expect_array(submission.sigmoid(x), reference.sigmoid(x), **TOL[dtype])


@pytest.mark.points(1)
def test_sigmoid_other_shapes(submission, reference):
    for seed, shape, dtype in [(102, (13,), np.float64), (103, (2, 3, 5), np.float32), (104, (1, 1), np.float64)]:
        x = normal(seed, shape, dtype)
        expect_array(submission.sigmoid(x), reference.sigmoid(x), **TOL[dtype],
                     what=_f("sigmoid of a {rank}-D input", rank=len(shape)))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_extreme_inputs(submission, reference, dtype):
    x = extremes(105, dtype)
    expect_array(submission.sigmoid(x), reference.sigmoid(x), **EXTREME_TOL[dtype])


# ----------------------------------------------------------------------------- tanh


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_values(submission, reference, dtype):
    x = normal(201, (5, 4, 3), dtype, scale=2.0)
    expect_array(submission.tanh(x), reference.tanh(x), **TOL[dtype])


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_extreme_inputs(submission, reference, dtype):
    x = extremes(202, dtype)
    expect_array(submission.tanh(x), reference.tanh(x), **EXTREME_TOL[dtype])


# ----------------------------------------------------------------------------- relu


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_values(submission, reference, dtype):
    x = normal(301, (7, 8), dtype)
    expect_array(submission.relu(x), reference.relu(x), **TOL[dtype])


@pytest.mark.points(1)
def test_relu_other_shapes(submission, reference):
    for seed, shape, dtype in [(302, (21,), np.float32), (303, (2, 3, 4, 2), np.float64)]:
        x = normal(seed, shape, dtype)
        expect_array(submission.relu(x), reference.relu(x), **TOL[dtype],
                     what=_f("relu of a {rank}-D input", rank=len(shape)))
    x = extremes(304, np.float64)
    expect_array(submission.relu(x), reference.relu(x), **TOL[np.float64], what=_("relu of large inputs"))


# ----------------------------------------------------------------------------- leaky_relu


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_leaky_relu_default_alpha(submission, reference, dtype):
    x = normal(401, (6, 7), dtype)
    expect_array(submission.leaky_relu(x), reference.leaky_relu(x), **TOL[dtype], what=_("leaky_relu(x) with the default alpha"))


@pytest.mark.points(1)
def test_leaky_relu_other_alphas(submission, reference):
    for seed, alpha, shape, dtype in [(402, 0.2, (10,), np.float32), (403, 0.01, (3, 4, 5), np.float64), (404, 0.3, (4, 4), np.float64)]:
        x = normal(seed, shape, dtype)
        expect_array(
            submission.leaky_relu(x, alpha=alpha), reference.leaky_relu(x, alpha=alpha), **TOL[dtype],
            what=f"leaky_relu(x, alpha={alpha})",
        )


# ----------------------------------------------------------------------------- softmax


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_last_axis(submission, reference, dtype):
    x = normal(501, (8, 10), dtype)
    expect_array(submission.softmax(x), reference.softmax(x), **TOL[dtype], what=_("softmax(x) of a (batch, classes) array"))


@pytest.mark.points(1)
def test_softmax_other_axes(submission, reference):
    x = normal(502, (6, 4), np.float64)
    expect_array(submission.softmax(x, axis=0), reference.softmax(x, axis=0), **TOL[np.float64], what="softmax(x, axis=0)")
    x = normal(503, (3, 5, 4), np.float32)
    expect_array(submission.softmax(x, axis=1), reference.softmax(x, axis=1), **TOL[np.float32],
                 what=_("softmax(x, axis=1) of a 3-D array"))
    x = normal(504, (12,), np.float64)
    expect_array(submission.softmax(x), reference.softmax(x), **TOL[np.float64], what=_("softmax of a 1-D array"))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_extreme_logits(submission, reference, dtype):
    fixed = np.array([
        [1000.0, -1000.0, 0.0, 5.0],
        [-1000.0, -1000.0, -1000.0, -1000.0],
        [1000.0, 1000.0, 999.0, -1000.0],
        [-1000.0, -999.0, -1000.0, -998.0],
        [750.0, 0.0, -750.0, 749.5],
    ])
    random = np.random.default_rng(505).uniform(-1000.0, 1000.0, size=(4, 4))
    x = np.vstack([fixed, random]).astype(dtype)
    expect_array(submission.softmax(x), reference.softmax(x), **EXTREME_TOL[dtype], what=_("softmax of logits up to +-1000"))
