"""Public tests for the losses assignment: a few fixed cases (most from the course notes), and the
contract of every loss (a single number, float32 and float64, never NaN or infinity).

Run them with ``pytest assignments/losses``. The grader's hidden tests check the same things
on other inputs: random arrays of several shapes, float32 and float64, probabilities of
exactly 0 and 1, and logits as large as +-1000.
"""

import numpy as np
import pytest

from autograder.checks import expect_scalar
from autograder.i18n import _, _f

# The course notes' classification example (000, 2.1.1): Keras gives 1.177.
CCE_TRUE = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
CCE_PRED = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])


@pytest.mark.points(1)
def test_categorical_crossentropy_course_example(submission):
    expect_scalar(submission.categorical_crossentropy(CCE_TRUE, CCE_PRED), 1.176939193690798, rtol=1e-7)


@pytest.mark.points(1)
def test_categorical_crossentropy_int_one_hot_labels(submission):
    y_true = CCE_TRUE.astype(np.int64)
    expect_scalar(submission.categorical_crossentropy(y_true, CCE_PRED), 1.176939193690798, rtol=1e-7)


@pytest.mark.points(1)
def test_categorical_crossentropy_from_logits_example(submission):
    logits = np.array([[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]])
    expect_scalar(submission.categorical_crossentropy(CCE_TRUE, logits, from_logits=True), 4.148148266017152, rtol=1e-7)


@pytest.mark.points(1)
def test_categorical_crossentropy_large_logits_example(submission):
    # One sample whose true class has logit -1000 while another has +1000: the loss is 2000.
    y_true = np.array([[1.0, 0.0]])
    logits = np.array([[-1000.0, 1000.0]])
    expect_scalar(submission.categorical_crossentropy(y_true, logits, from_logits=True), 2000.0, rtol=1e-7)


@pytest.mark.points(1)
def test_binary_crossentropy_course_example(submission):
    # The course notes' example (000, 2.1.2): Keras gives 0.5108.
    y_true = np.array([[0.0], [1.0]])
    y_pred = np.array([[0.4], [0.6]])
    expect_scalar(submission.binary_crossentropy(y_true, y_pred), 0.5108256237659907, rtol=1e-7)


@pytest.mark.points(1)
def test_binary_crossentropy_clips_zero(submission):
    # Predicting 0 for a true 1 costs -log(1e-7), not infinity.
    y_true = np.array([[0.0], [1.0]])
    y_pred = np.array([[0.0], [0.0]])
    expect_scalar(submission.binary_crossentropy(y_true, y_pred), 8.059047875479163, rtol=1e-7)


@pytest.mark.points(1)
def test_binary_crossentropy_from_logits_example(submission):
    y_true = np.array([[0.0, 1.0], [1.0, 1.0]])
    logits = np.array([[-1.0, 2.0], [0.5, -3.0]])
    expect_scalar(submission.binary_crossentropy(y_true, logits, from_logits=True), 0.990713508578761, rtol=1e-7)


@pytest.mark.points(1)
def test_mean_absolute_error_course_example(submission):
    y_true = np.array([[0.0], [1.0]])
    y_pred = np.array([[1.0], [1.0]])
    expect_scalar(submission.mean_absolute_error(y_true, y_pred), 0.5, rtol=1e-7)


@pytest.mark.points(1)
def test_mean_squared_error_example(submission):
    y_true = np.array([[0.0, 2.0], [1.0, -1.0]])
    y_pred = np.array([[1.0, 0.0], [1.0, 0.0]])
    # per sample: (1 + 4) / 2 = 2.5 and (0 + 1) / 2 = 0.5; mean 1.5
    expect_scalar(submission.mean_squared_error(y_true, y_pred), 1.5, rtol=1e-7)


@pytest.mark.points(1)
def test_huber_course_example(submission):
    # The course notes' example (000, 2.2.3): Keras gives 0.18.
    y_true = np.array([[0.0], [1.0]])
    y_pred = np.array([[0.6], [0.4]])
    expect_scalar(submission.huber(y_true, y_pred), 0.18, rtol=1e-7)


@pytest.mark.points(1)
def test_huber_delta_2(submission):
    y_true = np.array([[0.0, 0.0], [1.0, 2.0]])
    y_pred = np.array([[0.5, 3.0], [1.0, -1.0]])
    expect_scalar(submission.huber(y_true, y_pred, delta=2.0), 2.03125, rtol=1e-7)


# ----------------------------------------------------------------------------- the output's contract
# Every loss is a single number (a Python float or a NumPy floating scalar), for float32 and float64
# inputs alike, and never infinity or NaN: probabilities of exactly 0 or 1 are clipped, and logits
# as large as +-1000 go through the stable formulas.

DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}


@pytest.mark.points(1)
def test_categorical_crossentropy_clips_0_and_1(submission):
    # Probability 0 on the true class costs -log(1e-7); probability 1 costs -log(1 - 1e-7).
    y_true = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    y_pred = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.25, 0.75, 0.0]])
    expect_scalar(submission.categorical_crossentropy(y_true, y_pred), 5.468592607803369, rtol=1e-6, atol=1e-9,
                  what=_("categorical_crossentropy with probabilities of exactly 0 and 1"))


@pytest.mark.points(1)
def test_categorical_crossentropy_rows_not_summing_to_1(submission):
    # Each row is divided by its sum first: (0.25, 0.75) and (0.5, 0.5).
    y_true = np.array([[0.0, 1.0], [1.0, 0.0]])
    y_pred = np.array([[1.0, 3.0], [2.0, 2.0]])
    expect_scalar(submission.categorical_crossentropy(y_true, y_pred), 0.4904146265058631, **TOL[np.float64],
                  what=_("categorical_crossentropy of rows that do not sum to 1"))


@pytest.mark.points(1)
def test_categorical_crossentropy_float32_logits_up_to_1000(submission):
    y_true = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=np.float32)
    logits = np.array([[-1000.0, 1000.0, 999.0], [500.0, -500.0, 1000.0]], dtype=np.float32)
    expect_scalar(submission.categorical_crossentropy(y_true, logits, from_logits=True), 250.1566308437591,
                  **TOL[np.float32], what=_("categorical_crossentropy of float32 logits up to +-1000"))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_crossentropy_logits_up_to_1000(submission, dtype):
    y_true = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], dtype=dtype)
    logits = np.array([[-1000.0, 500.0, 1000.0], [800.0, -800.0, 0.0]], dtype=dtype)
    dtype_name = np.dtype(dtype).name
    expect_scalar(submission.binary_crossentropy(y_true, logits, from_logits=True), 516.78219119676, **TOL[dtype],
                  what=_f("binary_crossentropy of {dtype} logits up to +-1000", dtype=dtype_name))


@pytest.mark.points(1)
def test_mean_absolute_error_three_outputs(submission):
    # per sample: (1 + 0 + 2) / 3 = 1 and (0 + 2 + 0.5) / 3; then the mean over the batch
    y_true = np.array([[0.0, 1.0, 2.0], [1.0, -1.0, 0.5]])
    y_pred = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    expect_scalar(submission.mean_absolute_error(y_true, y_pred), 0.9166666666666667, **TOL[np.float64],
                  what=_f("mean_absolute_error of shape {shape}", shape="(2, 3)"))
