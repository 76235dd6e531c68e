"""Public tests for the regularization assignment: small fixed cases.

Run them with ``pytest assignments/regularization``. The expected values are those of
keras.regularizers, keras.layers.BatchNormalization and keras.callbacks.EarlyStopping. The
grader's hidden tests use other shapes, both dtypes, other factors, large dropout samples
(checking the fraction dropped), epsilon and momentum, and many more histories.
"""

import numpy as np
import pytest

from autograder.checks import Stage, expect_array, expect_equal, expect_scalar, expect_true

TOL = dict(rtol=1e-10, atol=1e-12)
W = np.array([[0.5, -1.0], [0.0, 2.0], [-0.25, 1.5]])


@pytest.mark.points(1)
def test_l1_penalty_and_gradient(submission):
    expect_scalar(submission.l1_penalty(W, l1=0.01), 0.0525, **TOL, what="l1_penalty(W, l1=0.01)")
    expected = np.array([[0.01, -0.01], [0.0, 0.01], [-0.01, 0.01]])
    expect_array(submission.l1_gradient(W, l1=0.01), expected, **TOL, what="l1_gradient(W, l1=0.01)")


@pytest.mark.points(1)
def test_l2_penalty_and_gradient_no_one_half(submission):
    expect_scalar(submission.l2_penalty(W, l2=0.01), 0.075625, **TOL, what="l2_penalty(W, l2=0.01)")
    expected = np.array([[0.01, -0.02], [0.0, 0.04], [-0.005, 0.03]])
    expect_array(submission.l2_gradient(W, l2=0.01), expected, **TOL, what="l2_gradient(W, l2=0.01)")


@pytest.mark.points(1)
def test_l1l2_penalty_course_factors(submission):
    # The course's L1L2(0.001, 0.001).
    expect_scalar(submission.l1l2_penalty(W, l1=0.001, l2=0.001), 0.0128125, **TOL,
                  what="l1l2_penalty(W, l1=0.001, l2=0.001)")


@pytest.mark.points(1)
def test_dropout_course_example(submission):
    # The course's example: Dropout(0.2) on np.arange(1, 11).reshape(5, 2).
    x = np.arange(1, 11).reshape(5, 2).astype(np.float32)
    expect_array(submission.dropout(x, 0.2, training=False, seed=0), x, rtol=0, atol=0,
                 what="dropout(x, 0.2, training=False)")
    out = submission.dropout(x, 0.2, training=True, seed=0)
    expect_true(type(out) is np.ndarray and out.shape == x.shape and out.dtype == x.dtype,
                "dropout(x, 0.2, training=True) should be a float32 array of shape (5, 2).", stage=Stage.TYPE)
    # Every value is either dropped (0) or scaled by 1 / (1 - 0.2) = 1.25.
    expected = np.where(out == 0, 0.0, x * 1.25).astype(np.float32)
    expect_array(out, expected, rtol=1e-6, atol=0, what="the kept values of dropout(x, 0.2, training=True)")
    expect_array(submission.dropout(x, 0.2, training=True, seed=0), out, rtol=0, atol=0,
                 what="a second call with seed=0")


@pytest.mark.points(1)
def test_batch_norm_training(submission):
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0], [7.0, 8.0]])
    result = submission.batch_norm(x, np.ones(2), np.zeros(2), np.zeros(2), np.ones(2), training=True)
    expect_true(isinstance(result, (tuple, list)) and len(result) == 3,
                "batch_norm should return (y, new_moving_mean, new_moving_variance).", stage=Stage.TYPE)
    a, b = 1.3415066425424822, 0.447168880847494  # 3 / sqrt(5 + 1e-3), 1 / sqrt(5 + 1e-3)
    expect_array(result[0], np.array([[-a, -a], [-b, b], [b, -b], [a, a]]), **TOL, what="y")
    expect_array(result[1], np.array([0.04, 0.05]), **TOL, what="new_moving_mean")
    expect_array(result[2], np.array([1.04, 1.04]), **TOL, what="new_moving_variance (biased batch variance 5)")


@pytest.mark.points(1)
def test_batch_norm_inference(submission):
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0], [7.0, 8.0]])
    result = submission.batch_norm(x, np.array([2.0, 0.5]), np.array([0.1, -0.1]), np.array([4.0, 5.0]),
                                   np.array([4.0, 6.25]), training=False)
    expect_true(isinstance(result, (tuple, list)) and len(result) == 3,
                "batch_norm should return (y, new_moving_mean, new_moving_variance).", stage=Stage.TYPE)
    expected = np.array([[-2.8996250702978545, -0.699952005759232], [-0.8998750234326182, 0.09998400191974402],
                         [1.0998750234326182, -0.29998400191974406], [3.0996250702978547, 0.49995200575923204]])
    expect_array(result[0], expected, **TOL, what="y")
    expect_array(result[1], np.array([4.0, 5.0]), **TOL, what="new_moving_mean (unchanged)")
    expect_array(result[2], np.array([4.0, 6.25]), **TOL, what="new_moving_variance (unchanged)")


HISTORY = [0.9, 0.7, 0.6, 0.62, 0.61, 0.65, 0.59, 0.6, 0.61, 0.63, 0.64, 0.7]


@pytest.mark.points(1)
def test_early_stopping_patience(submission):
    # patience 0 and 1 stop at the same epoch: wait grows before it is compared with patience.
    for patience, stopped, epochs in [(0, 3, 4), (1, 3, 4), (3, 5, 6)]:
        expect_equal(submission.early_stopping(HISTORY, patience=patience),
                     {"stopped_epoch": stopped, "best_epoch": 2, "epochs_run": epochs},
                     what=f"early_stopping(history, patience={patience})")


@pytest.mark.points(1)
def test_early_stopping_max_mode_and_min_delta(submission):
    accuracy = [0.6, 0.7, 0.72, 0.71, 0.73, 0.725, 0.72, 0.7]
    expect_equal(submission.early_stopping(accuracy, patience=2, mode="max"),
                 {"stopped_epoch": 6, "best_epoch": 4, "epochs_run": 7}, what="early_stopping(accuracy, 2, mode='max')")
    # patience 4: 0.59 at epoch 6 is a new best; with min_delta 0.015 it is not (0.59 + 0.015 >= 0.6).
    expect_equal(submission.early_stopping(HISTORY, patience=4),
                 {"stopped_epoch": 10, "best_epoch": 6, "epochs_run": 11},
                 what="early_stopping(history, patience=4)")
    expect_equal(submission.early_stopping(HISTORY, patience=4, min_delta=0.015),
                 {"stopped_epoch": 6, "best_epoch": 2, "epochs_run": 7},
                 what="early_stopping(history, patience=4, min_delta=0.015)")
