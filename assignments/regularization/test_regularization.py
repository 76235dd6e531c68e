"""Public tests for the regularization assignment: small fixed cases, and the contract of every
function (numbers, arrays of the input's shape and dtype, the default factors, dropout's mask and
fraction, batch norm on float32 images, early stopping's dict of ints and all its arguments).

Run them with ``pytest assignments/regularization``. The expected values are those of
keras.regularizers, keras.layers.BatchNormalization and keras.callbacks.EarlyStopping. The
grader's hidden tests use other shapes, both dtypes, other factors, large dropout samples
(checking the fraction dropped), epsilon and momentum, the handwritten early-stopping cases of
EARLY_STOPPING_CASES below and 40 seeded histories.
"""

import numpy as np
import pytest

from autograder.checks import (Stage, expect_array, expect_array_like, expect_equal, expect_int, expect_items,
                               expect_keys, expect_scalar, expect_true)
from autograder.i18n import _, _f

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
    expect_array_like(out, x.shape, np.float32, what=_f("dropout(x, {rate}, training=True) of a {dtype} {shape} array",
                                                        rate=0.2, dtype="float32", shape="(5, 2)"))
    # Every value is either dropped (0) or scaled by 1 / (1 - 0.2) = 1.25.
    expected = np.where(out == 0, 0.0, x * 1.25).astype(np.float32)
    expect_array(out, expected, rtol=1e-6, atol=0, what=_f("the kept values of {what}", what="dropout(x, 0.2, training=True)"))
    expect_array(submission.dropout(x, 0.2, training=True, seed=0), out, rtol=0, atol=0,
                 what=_("a second call with seed=0"))


@pytest.mark.points(1)
def test_batch_norm_training(submission):
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0], [7.0, 8.0]])
    result = submission.batch_norm(x, np.ones(2), np.zeros(2), np.zeros(2), np.ones(2), training=True)
    expect_true(isinstance(result, (tuple, list)) and len(result) == 3,
                _("batch_norm should return (y, new_moving_mean, new_moving_variance)."), stage=Stage.TYPE)
    a, b = 1.3415066425424822, 0.447168880847494  # 3 / sqrt(5 + 1e-3), 1 / sqrt(5 + 1e-3)
    expect_array(result[0], np.array([[-a, -a], [-b, b], [b, -b], [a, a]]), **TOL, what="y")
    expect_array(result[1], np.array([0.04, 0.05]), **TOL, what="new_moving_mean")
    expect_array(result[2], np.array([1.04, 1.04]), **TOL, what=_("new_moving_variance (biased batch variance 5)"))


@pytest.mark.points(1)
def test_batch_norm_inference(submission):
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0], [7.0, 8.0]])
    result = submission.batch_norm(x, np.array([2.0, 0.5]), np.array([0.1, -0.1]), np.array([4.0, 5.0]),
                                   np.array([4.0, 6.25]), training=False)
    expect_true(isinstance(result, (tuple, list)) and len(result) == 3,
                _("batch_norm should return (y, new_moving_mean, new_moving_variance)."), stage=Stage.TYPE)
    expected = np.array([[-2.8996250702978545, -0.699952005759232], [-0.8998750234326182, 0.09998400191974402],
                         [1.0998750234326182, -0.29998400191974406], [3.0996250702978547, 0.49995200575923204]])
    expect_array(result[0], expected, **TOL, what="y")
    expect_array(result[1], np.array([4.0, 5.0]), **TOL, what=_("new_moving_mean (unchanged)"))
    expect_array(result[2], np.array([4.0, 6.25]), **TOL, what=_("new_moving_variance (unchanged)"))


HISTORY = [0.9, 0.7, 0.6, 0.62, 0.61, 0.65, 0.59, 0.6, 0.61, 0.63, 0.64, 0.7]


def expect_decision(got, expected, what):
    """A dict with (at least) the three keys, each an integer (Python or NumPy, as the grader
    accepts), then the values."""
    expect_keys(got, expected, what=what)
    for key in expected:
        expect_int(got[key], what=_f("{name} of {what}", name=key, what=what))
    expect_equal({key: int(got[key]) for key in expected}, expected, what=what)


@pytest.mark.points(1)
def test_early_stopping_patience(submission):
    # patience 0 and 1 stop at the same epoch: wait grows before it is compared with patience.
    for patience, stopped, epochs in [(0, 3, 4), (1, 3, 4), (3, 5, 6)]:
        expect_decision(submission.early_stopping(HISTORY, patience=patience),
                        {"stopped_epoch": stopped, "best_epoch": 2, "epochs_run": epochs},
                        what=f"early_stopping(history, patience={patience})")


@pytest.mark.points(1)
def test_early_stopping_max_mode_and_min_delta(submission):
    accuracy = [0.6, 0.7, 0.72, 0.71, 0.73, 0.725, 0.72, 0.7]
    expect_decision(submission.early_stopping(accuracy, patience=2, mode="max"),
                    {"stopped_epoch": 6, "best_epoch": 4, "epochs_run": 7}, what="early_stopping(accuracy, 2, mode='max')")
    # patience 4: 0.59 at epoch 6 is a new best; with min_delta 0.015 it is not (0.59 + 0.015 >= 0.6).
    expect_decision(submission.early_stopping(HISTORY, patience=4),
                    {"stopped_epoch": 10, "best_epoch": 6, "epochs_run": 11},
                    what="early_stopping(history, patience=4)")
    expect_decision(submission.early_stopping(HISTORY, patience=4, min_delta=0.015),
                    {"stopped_epoch": 6, "best_epoch": 2, "epochs_run": 7},
                    what="early_stopping(history, patience=4, min_delta=0.015)")


# ----------------------------------------------------------------------------- the outputs' contract
# Penalties are single numbers; gradients, dropout and batch norm return arrays of the input's
# shape and dtype (float32 or float64, any number of axes); early_stopping returns a dict of three
# ints. The factors default to Keras's: L1 0.01, L2 0.01, L1L2 0.0 and 0.0.

DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]
DTYPE_TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}
W3 = np.array([[[0.5, 0.0], [-1.5, 2.0], [0.25, -0.75]], [[0.0, 1.0], [-2.0, 0.5], [3.0, -0.25]]])  # (2, 3, 2)


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_penalties_and_gradients_keep_shape_and_dtype(submission, dtype):
    dtype_name = np.dtype(dtype).name
    w, tol, kind = W3.astype(dtype), DTYPE_TOL[dtype], _f("a {dtype} (2, 3, 2) kernel", dtype=dtype_name)
    abs_sum, square_sum = float(np.sum(np.abs(W3))), float(np.sum(W3 ** 2))
    expect_scalar(submission.l1_penalty(w, l1=0.05), 0.05 * abs_sum, **tol, what=_f("l1_penalty of {kind}", kind=kind))
    expect_scalar(submission.l2_penalty(w, l2=0.02), 0.02 * square_sum, **tol, what=_f("l2_penalty of {kind}", kind=kind))
    expect_scalar(submission.l1l2_penalty(w, l1=0.05, l2=0.02), 0.05 * abs_sum + 0.02 * square_sum, **tol,
                  what=_f("l1l2_penalty of {kind}", kind=kind))
    expect_array(submission.l1_gradient(w, l1=0.05), (0.05 * np.sign(W3)).astype(dtype), **tol,
                 what=_f("l1_gradient of {kind} (some weights exactly 0)", kind=kind))
    expect_array(submission.l2_gradient(w, l2=0.02), (0.04 * W3).astype(dtype), **tol, what=_f("l2_gradient of {kind}", kind=kind))
    expect_array(submission.l1l2_gradient(w, l1=0.05, l2=0.02), (0.05 * np.sign(W3) + 0.04 * W3).astype(dtype), **tol,
                 what=_f("l1l2_gradient of {kind}", kind=kind))


@pytest.mark.points(1)
def test_default_factors_of_the_regularizers(submission):
    tol = DTYPE_TOL[np.float64]
    expect_scalar(submission.l1_penalty(W), 0.0525, **tol, what=_("l1_penalty(W) (default l1 0.01)"))
    expect_scalar(submission.l2_penalty(W), 0.075625, **tol, what=_("l2_penalty(W) (default l2 0.01)"))
    expect_scalar(submission.l1l2_penalty(W), 0.0, **tol, what=_("l1l2_penalty(W) (default l1 and l2 0.0)"))
    expect_array(submission.l2_gradient(W), 0.02 * W, **tol, what=_("l2_gradient(W) (default l2 0.01)"))


def signed_values(rows, columns):
    """Values in +-[0.5, 2]: an output of 0 then always means 'dropped'."""
    grid = np.arange(rows * columns, dtype=np.float64).reshape(rows, columns)
    return (0.5 + (grid % 7) / 4.0) * np.where(grid % 3 == 0, -1.0, 1.0)


@pytest.mark.points(1)
def test_dropout_float64_4d_and_rate_0(submission):
    x = signed_values(6, 8).reshape(2, 3, 4, 2)
    expect_array(submission.dropout(x, 0.0, training=True, seed=1), x, rtol=0, atol=0,
                 what=_("dropout(x, 0.0, training=True) (rate 0 changes nothing)"))
    expect_array(submission.dropout(x, 0.5, training=False, seed=1), x, rtol=0, atol=0,
                 what=_("dropout(x, 0.5, training=False) of a float64 (2, 3, 4, 2) array"))
    out = submission.dropout(x, 0.5, training=True, seed=2)
    what = _f("dropout(x, {rate}, training=True) of a {dtype} {shape} array", rate=0.5, dtype="float64",
              shape="(2, 3, 4, 2)")
    expect_array_like(out, x.shape, np.float64, what=what)
    expect_true(np.any(out != 0), _f("{what} dropped every value.", what=what))
    expect_array(out, np.where(out == 0, 0.0, x / 0.5), **DTYPE_TOL[np.float64],
                 what=_f("the kept values of {what}", what=what))


@pytest.mark.points(1)
@pytest.mark.parametrize("rate", [0.25, 0.6])
def test_dropout_drops_a_fraction_rate(submission, rate):
    # 20,000 values: the fraction dropped is within 0.05 of the rate but with probability below 1e-40.
    x = signed_values(100, 200)
    what = _f("dropout(x, {rate}, training=True) of 20,000 values", rate=rate)
    out = submission.dropout(x, rate, training=True, seed=5)
    expect_array_like(out, x.shape, np.float64, what=what)
    fraction = float(np.mean(out == 0))
    expect_true(abs(fraction - rate) <= 0.05, _f("{what} dropped a fraction {fraction} of them; each value should "
                                                 "be dropped with probability rate (not 1 - rate).", what=what,
                                                 fraction=format(fraction, ".3f")))


@pytest.mark.points(1)
def test_dropout_mask_depends_on_seed_and_shape_only(submission):
    x, y = signed_values(20, 30), -0.5 * signed_values(20, 30)
    a = submission.dropout(x, 0.5, training=True, seed=3)
    expect_array_like(a, x.shape, np.float64, what="dropout(x, 0.5, training=True, seed=3)")
    b = submission.dropout(y, 0.5, training=True, seed=3)
    expect_array_like(b, y.shape, np.float64, what="dropout(y, 0.5, training=True, seed=3)")
    expect_true(np.array_equal(a == 0, b == 0), _("dropout with seed=3 dropped other positions for another array of "
                                                  "the same shape: the mask should depend on the seed and the shape "
                                                  "only."))
    c = submission.dropout(x, 0.5, training=True, seed=4)
    expect_array_like(c, x.shape, np.float64, what="dropout(x, 0.5, training=True, seed=4)")
    expect_true(not np.array_equal(a == 0, c == 0), _("dropout gave the same mask for seeds 3 and 4."))


# A float32 batch of 2 images of 2x2 pixels with 3 channels; statistics over all axes but the last.
BN_X = np.array([[[[1.0, -2.0, 0.5], [3.0, 0.0, 1.5]], [[-1.0, 2.0, 2.5], [0.0, 4.0, -0.5]]],
                 [[[2.0, -1.0, 1.0], [1.0, 1.0, 0.0]], [[0.5, 3.0, -1.5], [-2.5, 0.0, 2.0]]]], dtype=np.float32)
BN_PARAMETERS = [np.array(v, dtype=np.float32) for v in ([1.5, 0.5, 2.0], [0.1, -0.2, 0.0], [0.5, -0.5, 1.0],
                                                          [2.0, 0.5, 1.5])]  # gamma, beta, moving mean and variance
BN_TOL = dict(rtol=1e-5, atol=1e-5)


def bn_result(submission, what, statistics_dtype, **kwargs):
    """(y, new_moving_mean, new_moving_variance): three arrays, y of the batch's shape and dtype, the
    moving statistics one value per channel; checked before any value."""
    result = submission.batch_norm(BN_X, *BN_PARAMETERS, momentum=0.9, epsilon=1e-3, **kwargs)
    expect_items(result, 3, what=what, noun=_("a tuple (y, new_moving_mean, new_moving_variance)"))
    y, mean, variance = result
    expect_array_like(y, BN_X.shape, np.float32, what=_f("{name} of {what}", name="y", what=what))
    expect_array_like(mean, (3,), statistics_dtype, what=_f("{name} of {what}", name="new_moving_mean", what=what))
    expect_array_like(variance, (3,), statistics_dtype,
                      what=_f("{name} of {what}", name="new_moving_variance", what=what))
    return result


@pytest.mark.points(1)
def test_batch_norm_conv_float32_training(submission):
    what = _("batch_norm of a float32 (2, 2, 2, 3) batch, training")
    y, mean, variance = bn_result(submission, what, "floating", training=True)
    expected = np.array([[[[0.56842989, -0.95653963, -0.30027938], [2.4421494, -0.43025118, 1.30121064]],
                          [[-1.30528963, 0.09603725, 2.90270066], [-0.3684299, 0.62232572, -1.9017694]]],
                         [[[1.50528967, -0.69339544, 0.50046563], [0.56842989, -0.16710697, -1.10102439]],
                          [[0.1, 0.35918152, -3.50325942], [-2.7105794, -0.43025118, 2.10195565]]]], dtype=np.float32)
    expect_array(y, expected, **BN_TOL, what=_f("{name} of {what}", name="y", what=what))
    expect_array(mean, np.array([0.5, -0.3625, 0.96875]), **BN_TOL, check_dtype=False,
                 what=_f("{name} of {what}", name="new_moving_mean", what=what))
    expect_array(variance, np.array([2.05625, 0.8109375, 1.50585938]), **BN_TOL, check_dtype=False,
                 what=_f("{name} of {what}", name="new_moving_variance", what=what))


@pytest.mark.points(1)
def test_batch_norm_conv_float32_inference(submission):
    what = _("batch_norm of a float32 (2, 2, 2, 3) batch, inference")
    y, mean, variance = bn_result(submission, what, np.float32, training=False)
    expected = np.array([[[[0.63019758, -1.25960124, -0.81622452], [2.75098777, 0.15320037, 0.81622452]],
                          [[-1.49059272, 1.56600189, 2.44867349], [-0.43019757, 2.9788034, -2.44867349]]],
                         [[[1.69059277, -0.55320036, 0.0], [0.63019758, 0.8596012, -1.63244903]],
                          [[0.1, 2.27240252, -4.0811224], [-3.08118558, 0.15320037, 1.63244903]]]], dtype=np.float32)
    expect_array(y, expected, **BN_TOL, what=_f("{name} of {what}", name="y", what=what))
    expect_array(mean, BN_PARAMETERS[2], rtol=0, atol=0,
                 what=_f("{name} of {what} (unchanged)", name="new_moving_mean", what=what))
    expect_array(variance, BN_PARAMETERS[3], rtol=0, atol=0,
                 what=_f("{name} of {what} (unchanged)", name="new_moving_variance", what=what))


def expect_decision(got, expected, what):
    """A dict with the keys stopped_epoch, best_epoch and epochs_run, each an int, then their values."""
    expect_keys(got, list(expected), what=what)
    for key in expected:
        expect_int(got[key], what=_f("{name} of {what}", name=key, what=what))
    for key, value in expected.items():
        expect_true(got[key] == value, _f("{key} of {what} is wrong.", key=key, what=what))


@pytest.mark.points(1)
def test_early_stopping_never_stopping(submission):
    # Every epoch improves: training never stops, stopped_epoch stays 0 and all 4 epochs run.
    expect_decision(submission.early_stopping([1.0, 0.9, 0.85, 0.8], patience=0),
                    {"stopped_epoch": 0, "best_epoch": 3, "epochs_run": 4},
                    what=_("early_stopping on a history that never stops"))
    expect_decision(submission.early_stopping([0.2, 0.35, 0.3, 0.4], patience=1, mode="max"),
                    {"stopped_epoch": 2, "best_epoch": 1, "epochs_run": 3},
                    what="early_stopping(accuracy, patience=1, mode='max')")


@pytest.mark.points(1)
def test_early_stopping_baseline_and_start_from_epoch(submission):
    # Until the baseline 0.7 is beaten, an improvement does not reset wait.
    expect_decision(submission.early_stopping([0.9, 0.8, 0.75, 0.76, 0.74, 0.77, 0.78], patience=2, baseline=0.7),
                    {"stopped_epoch": 3, "best_epoch": 2, "epochs_run": 4},
                    what="early_stopping(history, patience=2, baseline=0.7)")
    # Epochs 0 and 1 are not monitored at all.
    expect_decision(submission.early_stopping([0.4, 0.9, 1.3, 0.8, 0.85, 0.88], patience=1, start_from_epoch=2),
                    {"stopped_epoch": 4, "best_epoch": 3, "epochs_run": 5},
                    what="early_stopping(history, patience=1, start_from_epoch=2)")


# Keras's decisions on more handwritten histories: (history, keyword arguments, (stopped_epoch,
# best_epoch, epochs_run)). The grader's hidden tests replay exactly these cases too (and, hidden,
# 40 seeded histories); when one fails there, its message names the call, as here.
ES_LOSS = [1.0, 0.8, 0.7, 0.72, 0.71, 0.75, 0.69, 0.74, 0.76, 0.78, 0.8, 0.9]
ES_ACCURACY = [0.5, 0.62, 0.7, 0.69, 0.71, 0.705, 0.7, 0.712, 0.69, 0.68, 0.7]
ES_DELTA_LOSS = [1.0, 0.9, 0.895, 0.889, 0.884, 0.87, 0.869, 0.868, 0.8675, 0.86]
ES_BASELINE_LOSS = [1.0, 0.9, 0.85, 0.86, 0.84, 0.83, 0.87, 0.88, 0.89, 0.9]
ES_WARMUP_LOSS = [0.5, 1.0, 1.1, 1.2, 0.9, 0.95, 0.97, 0.99, 1.0]
EARLY_STOPPING_CASES = [
    # patience, min mode; {} is Keras's defaults (patience 0, min_delta 0.0, mode "min", ...)
    (ES_LOSS, {"patience": 0}, (3, 2, 4)),
    (ES_LOSS, {"patience": 1}, (3, 2, 4)),
    (ES_LOSS, {"patience": 2}, (4, 2, 5)),
    (ES_LOSS, {"patience": 3}, (5, 2, 6)),
    (ES_LOSS, {"patience": 5}, (11, 6, 12)),
    (ES_LOSS, {"patience": 2, "mode": "min"}, (4, 2, 5)),
    ([0.5, 0.6, 0.4, 0.45, 0.3], {"patience": 0}, (1, 0, 2)),
    (ES_LOSS, {}, (3, 2, 4)),
    ([0.5, 0.6, 0.4, 0.45, 0.3], {}, (1, 0, 2)),
    # max mode
    (ES_ACCURACY, {"patience": 0, "mode": "max"}, (3, 2, 4)),
    (ES_ACCURACY, {"patience": 1, "mode": "max"}, (3, 2, 4)),
    (ES_ACCURACY, {"patience": 2, "mode": "max"}, (6, 4, 7)),
    (ES_ACCURACY, {"patience": 3, "mode": "max"}, (10, 7, 11)),
    ([0.9, 0.8, 0.85, 0.95, 0.94], {"patience": 1, "mode": "max"}, (1, 0, 2)),
    (ES_ACCURACY, {"mode": "max"}, (3, 2, 4)),
    # min_delta (a negative one means the same as a positive one)
    (ES_DELTA_LOSS, {"patience": 1, "min_delta": 0.0075}, (2, 1, 3)),
    (ES_DELTA_LOSS, {"patience": 2, "min_delta": 0.0075}, (7, 5, 8)),
    (ES_DELTA_LOSS, {"patience": 1, "min_delta": 0.0125}, (2, 1, 3)),
    (ES_DELTA_LOSS, {"patience": 0, "min_delta": 0.0025}, (6, 5, 7)),
    (ES_DELTA_LOSS, {"patience": 1, "min_delta": -0.0075}, (2, 1, 3)),
    ([0.5, 0.6, 0.605, 0.612, 0.62, 0.622, 0.63, 0.631], {"patience": 1, "min_delta": 0.0075, "mode": "max"},
     (2, 1, 3)),
    # baseline
    (ES_BASELINE_LOSS, {"patience": 2, "baseline": 0.8}, (3, 2, 4)),
    (ES_BASELINE_LOSS, {"patience": 2, "baseline": 0.845}, (3, 2, 4)),
    (ES_BASELINE_LOSS, {"patience": 2, "baseline": 0.95}, (7, 5, 8)),
    (ES_BASELINE_LOSS, {"patience": 0, "baseline": 0.5}, (3, 2, 4)),
    (ES_BASELINE_LOSS, {"patience": 1, "baseline": 0.8457, "min_delta": 0.0025}, (3, 2, 4)),
    ([0.6, 0.65, 0.7, 0.69, 0.68, 0.71], {"patience": 1, "mode": "max", "baseline": 0.695}, (3, 2, 4)),
    # start_from_epoch
    (ES_WARMUP_LOSS, {"patience": 0, "start_from_epoch": 3}, (5, 4, 6)),
    (ES_WARMUP_LOSS, {"patience": 1, "start_from_epoch": 3}, (5, 4, 6)),
    (ES_WARMUP_LOSS, {"patience": 2, "start_from_epoch": 1}, (3, 1, 4)),
    (ES_WARMUP_LOSS, {"patience": 1, "start_from_epoch": 20}, (0, 0, 9)),
    # never stopping: stopped_epoch stays 0 and every epoch runs
    ([1.0, 0.9, 0.8, 0.7, 0.6], {"patience": 0}, (0, 4, 5)),
    ([0.1, 0.2, 0.3, 0.4], {"patience": 0, "mode": "max"}, (0, 3, 4)),
    ([1.0, 1.1, 0.9, 1.0, 0.8, 0.85], {"patience": 2}, (0, 4, 6)),
    ([0.7], {"patience": 0}, (0, 0, 1)),
    ([0.7, 0.8, 0.9], {"patience": 3}, (0, 0, 3)),
]


@pytest.mark.points(1)
def test_early_stopping_more_keras_cases(submission):
    for history, kwargs, decision in EARLY_STOPPING_CASES:
        call = f"early_stopping({history!r}{''.join(f', {k}={v!r}' for k, v in kwargs.items())})"
        got = submission.early_stopping(history, **kwargs)
        expected = dict(zip(("stopped_epoch", "best_epoch", "epochs_run"), decision))
        expect_keys(got, list(expected), what=call)
        for key in expected:
            expect_int(got[key], what=_f("{name} of {what}", name=key, what=call))
        for key, value in expected.items():
            expect_true(got[key] == value, _f("{call} returned {key}={got}, but keras.callbacks.EarlyStopping gives "
                                              "{key}={expected}.", call=call, key=key, got=int(got[key]),
                                              expected=value))
