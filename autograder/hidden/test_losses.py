"""Hidden grading tests: losses (25 points).

Points per function:
    categorical_crossentropy  9   probabilities (one-hot and soft labels) float32 1, float64 1;
                                  renormalises rows, then clips 1;
                                  probabilities of exactly 0 and 1 (clipping) 2;
                                  from logits (float and int labels) float32 1, float64 1;
                                  large logits float32 1, float64 1
    binary_crossentropy       8   probabilities (labels 0/1 and in between) float32 1, float64 1;
                                  exactly 0 and 1 (clipping) 2; from logits (labels 0/1 and in between)
                                  float32 1, float64 1; large logits float32 1, float64 1
    mean_absolute_error       2   float32 1, float64 1
    mean_squared_error        2   float32 1, float64 1
    huber                     4   default delta float32 1, float64 1; delta 0.5 1, delta 2.5 1
    total                    25

Every test calls exactly one student function, so a function that hangs or crashes costs
only its own tests. Each loss is a single number, judged with expect_scalar; tolerances:
float32 rtol 1e-5 / atol 1e-6, float64 rtol 1e-10 / atol 1e-12, except the exactly-0-and-1
tests (rtol 1e-6, see CLIP_TOL).

The exactly-0-and-1 tests use float64 only: in float32, 1 - 1e-7 rounds to 1 - 1.19e-7, so
a student who computes in float64 would differ from Keras's float32 value by 1% on a
clipped 1, and the computing dtype is not what those tests are about (the handout does not
grade it).
"""

import numpy as np
import pytest

from autograder.checks import expect_scalar
from autograder.i18n import _, _f

DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}
# Exactly 0 and 1: these tests judge that log never sees 0 and that eps is 1e-7 (a wrong eps or
# no clipping is off by whole units); clipping only from below is off by ~1e-8 relative and passes.
# Clipping before renormalising passes on rows that sum to 1, but not on the rows with zeros that
# do not (test_categorical_crossentropy_renormalises_rows).
CLIP_TOL = dict(rtol=1e-6, atol=1e-9)


def one_hot(rng, batch, classes, dtype):
    return np.eye(classes, dtype=dtype)[rng.integers(0, classes, size=batch)]


def softmax_rows(rng, batch, classes, dtype, scale=2.0):
    logits = rng.normal(scale=scale, size=(batch, classes))
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (p / p.sum(axis=-1, keepdims=True)).astype(dtype)


# ----------------------------------------------------------------------------- categorical cross-entropy


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_categorical_crossentropy_probabilities(submission, reference, dtype):
    rng = np.random.default_rng(1001)
    y_true, y_pred = one_hot(rng, 12, 5, dtype), softmax_rows(rng, 12, 5, dtype)
    expect_scalar(
        submission.categorical_crossentropy(y_true, y_pred), reference.categorical_crossentropy(y_true, y_pred),
        **TOL[dtype], what=_("categorical_crossentropy of one-hot labels and probabilities"),
    )
    # Soft labels (rows of class probabilities): -sum_c y_c log p_c, not -log p[argmax y].
    y_true, y_pred = softmax_rows(rng, 12, 5, dtype, scale=1.0), softmax_rows(rng, 12, 5, dtype)
    expect_scalar(
        submission.categorical_crossentropy(y_true, y_pred), reference.categorical_crossentropy(y_true, y_pred),
        **TOL[dtype], what=_("categorical_crossentropy of soft labels (rows of class probabilities)"),
    )


@pytest.mark.points(1)
def test_categorical_crossentropy_renormalises_rows(submission, reference):
    rng = np.random.default_rng(1002)
    y_true = one_hot(rng, 8, 4, np.float64)
    y_pred = rng.uniform(0.05, 2.0, size=(8, 4))  # rows that do not sum to 1
    expect_scalar(
        submission.categorical_crossentropy(y_true, y_pred), reference.categorical_crossentropy(y_true, y_pred),
        **TOL[np.float64], what=_("categorical_crossentropy of predictions whose rows do not sum to 1"),
    )
    # Rows with zeros that do not sum to 1: renormalising first, then clipping, gives -log(1e-7) for
    # each 0; clipping first, then renormalising, does not (it is off by up to log 2 here).
    y_true = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]], dtype=np.float64)
    y_pred = np.array([[0, 0.5, 0], [0.25, 0, 0], [0.2, 0.3, 0], [0, 0.4, 0.1]], dtype=np.float64)
    expect_scalar(
        submission.categorical_crossentropy(y_true, y_pred), reference.categorical_crossentropy(y_true, y_pred),
        **CLIP_TOL, what=_("categorical_crossentropy of rows with zeros that do not sum to 1"),
    )


@pytest.mark.points(2)
def test_categorical_crossentropy_probabilities_of_exactly_0_and_1(submission, reference):
    y_true = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=np.float64)
    y_pred = np.array([[0, 1, 0], [1, 0, 0], [0.5, 0.5, 0], [0.2, 0, 0.8], [0, 0, 1], [0.7, 0.1, 0.2]], dtype=np.float64)
    expect_scalar(
        submission.categorical_crossentropy(y_true, y_pred), reference.categorical_crossentropy(y_true, y_pred),
        **CLIP_TOL, what=_("categorical_crossentropy with predicted probabilities of exactly 0 and 1"),
    )


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_categorical_crossentropy_from_logits(submission, reference, dtype):
    rng = np.random.default_rng(1003)
    y_true = one_hot(rng, 10, 6, dtype)
    logits = rng.normal(scale=3.0, size=(10, 6)).astype(dtype)
    expect_scalar(
        submission.categorical_crossentropy(y_true, logits, from_logits=True),
        reference.categorical_crossentropy(y_true, logits, from_logits=True),
        **TOL[dtype], what="categorical_crossentropy(..., from_logits=True)",
    )
    # Int one-hot labels: cast y_true to y_pred's dtype (not y_pred to y_true's).
    expect_scalar(
        submission.categorical_crossentropy(y_true.astype(np.int64), logits, from_logits=True),
        reference.categorical_crossentropy(y_true, logits, from_logits=True),
        **TOL[dtype], what=_("categorical_crossentropy(..., from_logits=True) of int one-hot labels"),
    )


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_categorical_crossentropy_large_logits(submission, reference, dtype):
    rng = np.random.default_rng(1004)
    fixed = np.array([[1000.0, -1000.0, 0.0, 0.0], [-1000.0, -1000.0, -1000.0, -1000.0], [1000.0, 1000.0, -1000.0, 999.0]])
    logits = np.vstack([fixed, rng.uniform(-1000.0, 1000.0, size=(5, 4))]).astype(dtype)
    labels = np.array([1, 2, 2, *rng.integers(0, 4, size=5)])
    y_true = np.eye(4, dtype=dtype)[labels]
    expect_scalar(
        submission.categorical_crossentropy(y_true, logits, from_logits=True),
        reference.categorical_crossentropy(y_true, logits, from_logits=True),
        **TOL[dtype], what=_("categorical_crossentropy of logits up to +-1000"),
    )


# ----------------------------------------------------------------------------- binary cross-entropy


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_crossentropy_probabilities(submission, reference, dtype):
    rng = np.random.default_rng(2001)
    for shape in [(10, 1), (6, 4)]:
        y_true = rng.integers(0, 2, size=shape).astype(dtype)
        y_pred = rng.uniform(0.01, 0.99, size=shape).astype(dtype)
        expect_scalar(
            submission.binary_crossentropy(y_true, y_pred), reference.binary_crossentropy(y_true, y_pred),
            **TOL[dtype], what=_f("binary_crossentropy of shape {shape}", shape=shape),
        )
    # Labels anywhere in [0, 1], not only 0 and 1.
    y_true = rng.uniform(0.0, 1.0, size=(6, 4)).astype(dtype)
    y_pred = rng.uniform(0.01, 0.99, size=(6, 4)).astype(dtype)
    expect_scalar(
        submission.binary_crossentropy(y_true, y_pred), reference.binary_crossentropy(y_true, y_pred),
        **TOL[dtype], what=_("binary_crossentropy of labels between 0 and 1"),
    )


@pytest.mark.points(2)
def test_binary_crossentropy_probabilities_of_exactly_0_and_1(submission, reference):
    y_true = np.array([[0, 1, 1, 0], [1, 0, 0, 1], [0, 1, 0, 1]], dtype=np.float64)
    y_pred = np.array([[0, 1, 0, 1], [1, 0, 1, 0.5], [0.25, 0.75, 0, 1]], dtype=np.float64)
    expect_scalar(
        submission.binary_crossentropy(y_true, y_pred), reference.binary_crossentropy(y_true, y_pred),
        **CLIP_TOL, what=_("binary_crossentropy with predicted probabilities of exactly 0 and 1"),
    )


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_crossentropy_from_logits(submission, reference, dtype):
    rng = np.random.default_rng(2002)
    for shape in [(9, 1), (5, 3)]:
        y_true = rng.integers(0, 2, size=shape).astype(dtype)
        logits = rng.normal(scale=3.0, size=shape).astype(dtype)
        expect_scalar(
            submission.binary_crossentropy(y_true, logits, from_logits=True),
            reference.binary_crossentropy(y_true, logits, from_logits=True),
            **TOL[dtype], what=_f("binary_crossentropy(..., from_logits=True) of shape {shape}", shape=shape),
        )
    y_true = rng.uniform(0.0, 1.0, size=(5, 3)).astype(dtype)  # labels between 0 and 1
    logits = rng.normal(scale=3.0, size=(5, 3)).astype(dtype)
    expect_scalar(
        submission.binary_crossentropy(y_true, logits, from_logits=True),
        reference.binary_crossentropy(y_true, logits, from_logits=True),
        **TOL[dtype], what=_("binary_crossentropy(..., from_logits=True) of labels between 0 and 1"),
    )


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_crossentropy_large_logits(submission, reference, dtype):
    rng = np.random.default_rng(2003)
    fixed = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 750.0], [-750.0, 40.0, -40.0]])
    logits = np.vstack([fixed, rng.uniform(-1000.0, 1000.0, size=(3, 3))]).astype(dtype)
    y_true = np.vstack([[[1, 1, 0], [0, 1, 0], [1, 0, 1]], rng.integers(0, 2, size=(3, 3))]).astype(dtype)
    expect_scalar(
        submission.binary_crossentropy(y_true, logits, from_logits=True),
        reference.binary_crossentropy(y_true, logits, from_logits=True),
        **TOL[dtype], what=_("binary_crossentropy of logits up to +-1000"),
    )


# ----------------------------------------------------------------------------- regression losses


def regression_pair(seed, shape, dtype):
    rng = np.random.default_rng(seed)
    y_true = rng.normal(size=shape)
    y_pred = y_true + rng.normal(scale=1.5, size=shape)
    return y_true.astype(dtype), y_pred.astype(dtype)


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_mean_absolute_error(submission, reference, dtype):
    for seed, shape in [(3001, (12, 1)), (3002, (5, 6))]:
        y_true, y_pred = regression_pair(seed, shape, dtype)
        expect_scalar(
            submission.mean_absolute_error(y_true, y_pred), reference.mean_absolute_error(y_true, y_pred),
            **TOL[dtype], what=_f("mean_absolute_error of shape {shape}", shape=shape),
        )


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_mean_squared_error(submission, reference, dtype):
    for seed, shape in [(3003, (12, 1)), (3004, (5, 6))]:
        y_true, y_pred = regression_pair(seed, shape, dtype)
        expect_scalar(
            submission.mean_squared_error(y_true, y_pred), reference.mean_squared_error(y_true, y_pred),
            **TOL[dtype], what=_f("mean_squared_error of shape {shape}", shape=shape),
        )


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_huber_default_delta(submission, reference, dtype):
    for seed, shape in [(3005, (12, 1)), (3006, (5, 6))]:
        y_true, y_pred = regression_pair(seed, shape, dtype)
        expect_scalar(
            submission.huber(y_true, y_pred), reference.huber(y_true, y_pred),
            **TOL[dtype], what=_f("huber(y_true, y_pred) of shape {shape}", shape=shape),
        )


@pytest.mark.points(1)
@pytest.mark.parametrize("delta", [pytest.param(0.5, id="delta_0.5"), pytest.param(2.5, id="delta_2.5")])
def test_huber_custom_delta(submission, reference, delta):
    y_true, y_pred = regression_pair(3007, (8, 3), np.float64)
    y_pred = y_true + 2.0 * (y_pred - y_true)  # errors from about -6 to 6: both sides of delta
    expect_scalar(
        submission.huber(y_true, y_pred, delta=delta), reference.huber(y_true, y_pred, delta=delta),
        **TOL[np.float64], what=f"huber(..., delta={delta})",
    )
