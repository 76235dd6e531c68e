"""Hidden grading tests: regularization (28 points).

Points per function:
    l1_penalty / l1_gradient      3   penalty float32 1, float64 1; gradient (with zeros) 1
    l2_penalty / l2_gradient      3   penalty float32 1, float64 1; gradient 1
    l1l2_penalty / l1l2_gradient  2   penalty 1, gradient 1
    default factors               1   L1 0.01, L2 0.01, L1L2 0.0 and 0.0 (Keras's defaults), penalties
                                      and gradients, each L1L2 factor also on its own
    dropout                       4   inference and rate 0 are the identity, rate 1 gives zeros 1;
                                      kept values scaled by 1/(1 - rate) 1; fraction dropped 1; same
                                      seed, same mask, and the defaults (training, a fresh mask
                                      without a seed) 1
    batch_norm                    7   training output dense float64 1, conv float32 1; moving mean 1;
                                      moving variance 1; inference output 1; epsilon 1; defaults
                                      (momentum, epsilon, and training=False) 1
    early_stopping                8   patience (min mode, and all defaults) 1, max mode 1, min_delta 1,
                                      baseline 1, start_from_epoch 1, never stopping 1 (each: its
                                      handwritten cases, which are public, and a hidden twin of each),
                                      40 seeded histories 2 (hidden)
    total                        28

Values are checked against the reference (which tests/test_reference_regularization.py checks
against keras.regularizers, keras.layers.BatchNormalization and keras.callbacks.EarlyStopping):
float32 rtol 1e-5 / atol 1e-6, float64 rtol 1e-10 / atol 1e-12 (batch-norm outputs atol 1e-5 in
float32, where x - mean cancels).

Dropout is random, so its tests are exact where they can be (identity; every output either 0 or
x / (1 - rate); the same seed gives the same array, and the same mask for another x of the same
shape) and statistical for the fraction dropped: with n = 100,000 independent drops, Hoeffding's
inequality puts the fraction within sqrt(ln(2/DELTA) / (2n)) = 0.0103 of the rate except with
probability DELTA = 1e-9 per check (two checks), so a correct dropout loses that point with
probability below 2e-9. Using the keep probability for the drop probability (rate 0.2 vs 0.8)
is off by 0.6.

Early stopping's handwritten cases are the public tests' EARLY_STOPPING_CASES, so their failure
messages show the call and both decisions. Each test then runs every case's hidden twin (the same
settings on the history plus seeded noise), so that copying the public decisions into a table
earns no point; the twins and the seeded histories are hidden, and their messages show no value.

Early stopping histories are rounded to 0.001, and min_delta (0.0025, 0.0075, ...) and the
baselines are chosen so that current +- min_delta is never within 2e-4 of best or baseline: no
comparison is a near-tie in which Keras's float32 arithmetic and a student's float64 could
disagree (tests/test_reference_regularization.py runs every case through Keras).
"""

import math
import numbers

import numpy as np
import pytest

from autograder.checks import CheckFailure, Stage, expect_array, expect_scalar, expect_true
from autograder.i18n import _, _f

DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}
BN_TOL = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-12)}
DELTA = 1e-9


def weights(seed, shape, dtype, zeros=0):
    w = np.random.default_rng(seed).normal(scale=0.5, size=shape)
    w.ravel()[:zeros] = 0.0
    return w.astype(dtype)


def expect_float_array(got, shape, dtype, what):
    if type(got) is not np.ndarray:
        raise CheckFailure(Stage.TYPE, _f("{what} should be a numpy.ndarray, but it is a {type}.",
                                          what=what, type=type(got).__name__))
    if got.shape != tuple(shape):
        raise CheckFailure(Stage.SHAPE, _f("{what} has shape {got}, but it should have shape {expected}.",
                                           what=what, got=got.shape, expected=tuple(shape)))
    if got.dtype != np.dtype(dtype):
        raise CheckFailure(Stage.DTYPE, _f("{what} has dtype {got}, but it should have dtype {expected}.",
                                           what=what, got=got.dtype, expected=np.dtype(dtype)))
    if not np.all(np.isfinite(got)):
        raise CheckFailure(Stage.FINITE, _f("{what} contains NaN or infinity.", what=what))


# ----------------------------------------------------------------------------- L1, L2, L1L2


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_l1_penalty_values(submission, reference, dtype):
    for seed, shape, l1 in [(101, (6, 5), 0.003), (102, (3, 3, 2, 4), 0.05)]:
        w = weights(seed, shape, dtype, zeros=2)
        expect_scalar(submission.l1_penalty(w, l1=l1), reference.l1_penalty(w, l1=l1), **TOL[dtype],
                      what=_f("l1_penalty of a {shape} kernel", shape=shape))


@pytest.mark.points(1)
def test_l1_gradient_values_with_zeros(submission, reference):
    for seed, shape, l1, dtype in [(103, (7, 4), 0.02, np.float64), (104, (2, 3, 5), 0.1, np.float32)]:
        w = weights(seed, shape, dtype, zeros=3)
        expect_array(submission.l1_gradient(w, l1=l1), reference.l1_gradient(w, l1=l1), **TOL[dtype],
                     what=_f("l1_gradient of a {shape} kernel (some weights exactly 0)", shape=shape))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_l2_penalty_values(submission, reference, dtype):
    for seed, shape, l2 in [(201, (6, 5), 0.003), (202, (3, 3, 2, 4), 0.05)]:
        w = weights(seed, shape, dtype)
        expect_scalar(submission.l2_penalty(w, l2=l2), reference.l2_penalty(w, l2=l2), **TOL[dtype],
                      what=_f("l2_penalty of a {shape} kernel", shape=shape))


@pytest.mark.points(1)
def test_l2_gradient_values(submission, reference):
    for seed, shape, l2, dtype in [(203, (7, 4), 0.02, np.float64), (204, (2, 3, 5), 0.1, np.float32)]:
        w = weights(seed, shape, dtype)
        expect_array(submission.l2_gradient(w, l2=l2), reference.l2_gradient(w, l2=l2), **TOL[dtype],
                     what=_f("l2_gradient of a {shape} kernel", shape=shape))


@pytest.mark.points(1)
def test_l1l2_penalty_values(submission, reference):
    for seed, shape, l1, l2, dtype in [(301, (5, 6), 0.01, 0.02, np.float64),
                                       (302, (3, 3, 4, 2), 0.003, 0.0, np.float32), (303, (9,), 0.0, 0.04, np.float64)]:
        w = weights(seed, shape, dtype, zeros=1)
        expect_scalar(submission.l1l2_penalty(w, l1=l1, l2=l2), reference.l1l2_penalty(w, l1=l1, l2=l2),
                      **TOL[dtype], what=_f("l1l2_penalty of a {shape} kernel", shape=shape))


@pytest.mark.points(1)
def test_l1l2_gradient_values(submission, reference):
    for seed, shape, l1, l2, dtype in [(304, (5, 6), 0.01, 0.02, np.float64),
                                       (305, (3, 3, 4, 2), 0.003, 0.05, np.float32)]:
        w = weights(seed, shape, dtype, zeros=2)
        expect_array(submission.l1l2_gradient(w, l1=l1, l2=l2), reference.l1l2_gradient(w, l1=l1, l2=l2),
                     **TOL[dtype], what=_f("l1l2_gradient of a {shape} kernel", shape=shape))


@pytest.mark.points(1)
def test_regularizer_default_factors(submission, reference):
    w = weights(306, (4, 5), np.float64, zeros=1)
    expect_scalar(submission.l1_penalty(w), reference.l1_penalty(w), **TOL[np.float64], what="l1_penalty(w)")
    expect_scalar(submission.l2_penalty(w), reference.l2_penalty(w), **TOL[np.float64], what="l2_penalty(w)")
    expect_scalar(submission.l1l2_penalty(w), reference.l1l2_penalty(w), **TOL[np.float64], what="l1l2_penalty(w)")
    expect_array(submission.l1_gradient(w), reference.l1_gradient(w), **TOL[np.float64], what="l1_gradient(w)")
    expect_array(submission.l2_gradient(w), reference.l2_gradient(w), **TOL[np.float64], what="l2_gradient(w)")
    expect_array(submission.l1l2_gradient(w), reference.l1l2_gradient(w), **TOL[np.float64], what="l1l2_gradient(w)")
    # Each of L1L2's factors on its own: the other one given.
    for given in ({"l1": 0.02}, {"l2": 0.03}):
        call = f"(w, {', '.join(f'{k}={v}' for k, v in given.items())})"
        expect_scalar(submission.l1l2_penalty(w, **given), reference.l1l2_penalty(w, **given), **TOL[np.float64],
                      what=f"l1l2_penalty{call}")
        expect_array(submission.l1l2_gradient(w, **given), reference.l1l2_gradient(w, **given), **TOL[np.float64],
                     what=f"l1l2_gradient{call}")


# ----------------------------------------------------------------------------- dropout


def nonzero_inputs(seed, shape, dtype):
    """Values in +-[0.5, 2]: an output of 0 then always means 'dropped'."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)).astype(dtype)


@pytest.mark.points(1)
def test_dropout_inference_rate_0_and_rate_1(submission):
    for seed, shape, dtype in [(401, (8, 10), np.float32), (402, (2, 4, 4, 3), np.float64)]:
        x = nonzero_inputs(seed, shape, dtype)
        expect_array(submission.dropout(x, 0.5, training=False, seed=1), x, rtol=0, atol=0,
                     what="dropout(x, 0.5, training=False)")
    x = nonzero_inputs(403, (6, 7), np.float64)
    expect_array(submission.dropout(x, 0.0, training=True, seed=1), x, rtol=0, atol=0,
                 what="dropout(x, 0.0, training=True)")
    # Rate 1 drops everything: zeros (not NaN from 0 / (1 - 1)).
    for seed, shape, dtype in [(404, (5, 9), np.float32), (405, (3, 4, 2), np.float64)]:
        x = nonzero_inputs(seed, shape, dtype)
        what = _f("dropout(x, 1.0, training=True) of a {dtype} {shape} array", dtype=dtype.__name__, shape=shape)
        out = submission.dropout(x, 1.0, training=True, seed=seed)
        expect_float_array(out, shape, dtype, what)
        expect_true(np.all(out == 0), _f("{what} should be all zeros (rate 1 drops every value).", what=what))


@pytest.mark.points(1)
def test_dropout_kept_values_scaled_by_inverse_keep_probability(submission):
    for seed, shape, rate, dtype in [(411, (50, 40), 0.3, np.float64), (412, (4, 6, 6, 5), 0.5, np.float32),
                                     (413, (1000,), 0.8, np.float64)]:
        x = nonzero_inputs(seed, shape, dtype)
        what = _f("dropout(x, {rate}, training=True) of a {dtype} {shape} array",
                  rate=rate, dtype=dtype.__name__, shape=shape)
        out = submission.dropout(x, rate, training=True, seed=seed)
        expect_float_array(out, shape, dtype, what)
        expect_true(np.any(out != 0), _f("{what} dropped every value.", what=what))
        # Every output is 0 (dropped) or x / (1 - rate) (kept).
        expected = np.where(out == 0, 0.0, x.astype(np.float64) / (1.0 - rate)).astype(dtype)
        expect_array(out, expected, **TOL[dtype], what=_f("the kept values of {what}", what=what))


@pytest.mark.points(1)
def test_dropout_fraction_dropped(submission):
    tolerance = math.sqrt(math.log(2.0 / DELTA) / (2.0 * 100_000))  # Hoeffding, 0.0103
    for seed, rate in [(421, 0.2), (422, 0.7)]:
        x = nonzero_inputs(seed, (200, 500), np.float64)
        what = _f("dropout(x, {rate}, training=True) of 100,000 values", rate=rate)
        out = submission.dropout(x, rate, training=True, seed=seed)
        expect_float_array(out, x.shape, np.float64, what)
        fraction = float(np.mean(out == 0))
        expect_true(abs(fraction - rate) <= tolerance,
                    _f("{what} dropped a fraction {fraction} of them; each value should be dropped with "
                       "probability rate.", what=what, fraction=format(fraction, ".3f")))


@pytest.mark.points(1)
def test_dropout_same_seed_same_mask(submission):
    x = nonzero_inputs(431, (30, 40), np.float64)
    a = submission.dropout(x, 0.4, training=True, seed=7)
    expect_float_array(a, x.shape, np.float64, "dropout(x, 0.4, training=True, seed=7)")
    expect_array(submission.dropout(x, 0.4, training=True, seed=7), a, rtol=0, atol=0,
                 what=_("a second call of dropout(x, 0.4, training=True, seed=7)"))
    y = nonzero_inputs(432, (30, 40), np.float64)
    b = submission.dropout(y, 0.4, training=True, seed=7)
    expect_float_array(b, y.shape, np.float64, "dropout(y, 0.4, training=True, seed=7)")
    expect_true(np.array_equal(a == 0, b == 0),
                _("dropout with seed=7 dropped other positions for another input of the same shape: the mask "
                  "should depend on the seed and the shape only."))
    c = submission.dropout(x, 0.4, training=True, seed=8)
    expect_float_array(c, x.shape, np.float64, "dropout(x, 0.4, training=True, seed=8)")
    expect_true(not np.array_equal(a == 0, c == 0), _("seeds 7 and 8 gave the same mask."))
    # The defaults, training=True and seed=None: each call drops afresh. Two equal masks of 1,200
    # drops at rate 0.4 have probability 0.52 ** 1200, below 1e-300.
    d1, d2 = submission.dropout(x, 0.4), submission.dropout(x, 0.4)
    for out in (d1, d2):
        expect_float_array(out, x.shape, np.float64, "dropout(x, 0.4)")
        expect_true(np.any(out == 0), _("dropout(x, 0.4) dropped nothing: training should default to True."))
    expect_true(not np.array_equal(d1 == 0, d2 == 0), _("two calls of dropout(x, 0.4) without a seed dropped the "
                                                        "same positions: with seed=None each call should draw a "
                                                        "fresh mask."))


# ----------------------------------------------------------------------------- batch_norm


def bn_inputs(seed, shape, dtype):
    rng = np.random.default_rng(seed)
    channels = shape[-1]
    x = rng.normal(loc=rng.uniform(-3, 3, size=channels), scale=rng.uniform(0.5, 3.0, size=channels), size=shape)
    gamma, beta = rng.uniform(0.5, 2.0, size=channels), rng.normal(size=channels)
    moving_mean, moving_variance = rng.normal(size=channels), rng.uniform(0.5, 2.0, size=channels)
    return [a.astype(dtype) for a in (x, gamma, beta, moving_mean, moving_variance)]


def bn_outputs(submission, reference, args, what, **kwargs):
    got = submission.batch_norm(*args, **kwargs)
    expected = reference.batch_norm(*args, **kwargs)
    expect_true(isinstance(got, (tuple, list)) and len(got) == 3,
                _f("{what} should return (y, new_moving_mean, new_moving_variance).", what=what), stage=Stage.TYPE)
    return got, expected


def bn_case(submission, reference, seed, shape, dtype, part, what, **kwargs):
    args = bn_inputs(seed, shape, dtype)
    got, expected = bn_outputs(submission, reference, args, what, **kwargs)
    names = ["y", "new_moving_mean", "new_moving_variance"]
    expect_array(got[part], expected[part], **BN_TOL[dtype], what=_f("{name} of {what}", name=names[part], what=what))


@pytest.mark.points(1)
def test_batch_norm_training_output_dense(submission, reference):
    bn_case(submission, reference, 501, (16, 5), np.float64, 0, _("batch_norm of a (16, 5) batch, training"),
            training=True, momentum=0.9, epsilon=1e-3)


@pytest.mark.points(1)
def test_batch_norm_training_output_conv_float32(submission, reference):
    bn_case(submission, reference, 502, (4, 3, 3, 6), np.float32, 0,
            _("batch_norm of a (4, 3, 3, 6) float32 batch, training"), training=True, momentum=0.9, epsilon=1e-3)


@pytest.mark.points(1)
def test_batch_norm_moving_mean_update(submission, reference):
    for seed, shape in [(511, (16, 5)), (512, (4, 3, 3, 6))]:
        bn_case(submission, reference, seed, shape, np.float64, 1, _f("batch_norm of a {shape} batch, training",
                                                                      shape=shape),
                training=True, momentum=0.8, epsilon=1e-3)


@pytest.mark.points(1)
def test_batch_norm_moving_variance_update(submission, reference):
    for seed, shape in [(521, (16, 5)), (522, (4, 3, 3, 6))]:
        bn_case(submission, reference, seed, shape, np.float64, 2, _f("batch_norm of a {shape} batch, training",
                                                                      shape=shape),
                training=True, momentum=0.8, epsilon=1e-3)


@pytest.mark.points(1)
def test_batch_norm_inference_uses_moving_statistics(submission, reference):
    for seed, shape, dtype in [(531, (16, 5), np.float64), (532, (2, 5, 5, 3), np.float32)]:
        args = bn_inputs(seed, shape, dtype)
        what = _f("batch_norm of a {shape} batch, inference", shape=shape)
        got, expected = bn_outputs(submission, reference, args, what, training=False, momentum=0.9, epsilon=1e-3)
        expect_array(got[0], expected[0], **BN_TOL[dtype], what=_f("{name} of {what}", name="y", what=what))
        expect_array(got[1], args[3], rtol=0, atol=0,
                     what=_f("{name} of {what} (unchanged)", name="new_moving_mean", what=what))
        expect_array(got[2], args[4], rtol=0, atol=0,
                     what=_f("{name} of {what} (unchanged)", name="new_moving_variance", what=what))


@pytest.mark.points(1)
def test_batch_norm_epsilon(submission, reference):
    # A constant feature (variance 0) and a large epsilon: where epsilon goes matters.
    x, gamma, beta, moving_mean, moving_variance = bn_inputs(541, (12, 4), np.float64)
    x[:, 1] = 0.7
    moving_variance[2] = 0.01
    for training in (True, False):
        what = _f("batch_norm(..., training={training}, epsilon=0.1) with a constant feature", training=training)
        got, expected = bn_outputs(submission, reference, [x, gamma, beta, moving_mean, moving_variance], what,
                                   training=training, momentum=0.9, epsilon=0.1)
        expect_array(got[0], expected[0], **BN_TOL[np.float64], what=_f("{name} of {what}", name="y", what=what))


@pytest.mark.points(1)
def test_batch_norm_default_momentum_and_epsilon(submission, reference):
    args = bn_inputs(551, (10, 3), np.float64)
    args[0][:, 0] *= 0.01  # a small variance, where epsilon = 1e-3 shows
    what = "batch_norm(x, gamma, beta, moving_mean, moving_variance, training=True)"
    got, expected = bn_outputs(submission, reference, args, what, training=True)
    for part, name in enumerate(["y", "new_moving_mean", "new_moving_variance"]):
        expect_array(got[part], expected[part], **BN_TOL[np.float64],
                     what=_f("{name} of {what}", name=name, what=what))
    what = _("batch_norm(x, gamma, beta, moving_mean, moving_variance) (inference, the default)")
    got, expected = bn_outputs(submission, reference, args, what)
    for part, name in enumerate(["y", "new_moving_mean", "new_moving_variance"]):
        expect_array(got[part], expected[part], **BN_TOL[np.float64],
                     what=_f("{name} of {what}", name=name, what=what))


# ----------------------------------------------------------------------------- early_stopping

KEYS = ("stopped_epoch", "best_epoch", "epochs_run")


def expect_decision(got, expected, what, public):
    """The dict's keys and int values, then each value. ``public``: the case is one of the public
    tests' EARLY_STOPPING_CASES, so the message may show what was expected and what came back."""
    expect_true(isinstance(got, dict), _f("{what} should return a dict with keys {keys}.",
                                          what=what, keys=", ".join(KEYS)), stage=Stage.TYPE)
    for key in KEYS:
        expect_true(key in got, _f("{what} returned no {key}.", what=what, key=repr(key)), stage=Stage.TYPE)
        ok = isinstance(got[key], numbers.Integral) and not isinstance(got[key], bool)
        expect_true(ok, _f("{key} of {what} should be an int.", key=key, what=what), stage=Stage.TYPE)
        if public:
            expect_true(int(got[key]) == expected[key],
                        _f("{what} returned {key}={got}, but keras.callbacks.EarlyStopping gives "
                           "{key}={expected} (a public case: EARLY_STOPPING_CASES in the public tests).",
                           what=what, key=key, got=int(got[key]), expected=expected[key]))
        else:
            expect_true(int(got[key]) == expected[key], _f("{key} of {what} is wrong.", key=key, what=what))


def call_text(history, kwargs):
    """The call as a student can rerun it: early_stopping([1.0, 0.8, ...], patience=2)."""
    return f"early_stopping({[float(v) for v in history]!r}{''.join(f', {k}={v!r}' for k, v in kwargs.items())})"


def check_public_cases(submission, reference, cases, seed):
    """Handwritten cases, all shown in the public tests: a failure names the call. Then each
    case's hidden twin: its settings on its history plus seeded noise, rounded to 0.001 like every
    history here (so no comparison is a near-tie, see above), whose message shows no value; so a
    table of the public answers earns nothing."""
    for history, kwargs in cases:
        expect_decision(submission.early_stopping(history, **kwargs), reference.early_stopping(history, **kwargs),
                        call_text(history, kwargs), public=True)
    rng = np.random.default_rng(seed)
    for i, (history, kwargs) in enumerate(cases, 1):
        twin = [round(float(v) + float(rng.normal(0.0, 0.02)), 3) for v in history]
        expect_decision(submission.early_stopping(twin, **kwargs), reference.early_stopping(twin, **kwargs),
                        _f("early_stopping on a hidden history with the settings of public case {number} of "
                           "{total}", number=i, total=len(cases)),
                        public=False)


# The handcrafted cases, (history, keyword arguments). They are public: the public tests'
# EARLY_STOPPING_CASES lists each with Keras's decision (tests/test_wrong_variants_regularization.py
# checks that it lists exactly these, and tests/test_reference_regularization.py replays every one
# through keras.callbacks.EarlyStopping), so a failure may show the call and both decisions. The
# seeded histories below are hidden: their messages show no value.
LOSS = [1.0, 0.8, 0.7, 0.72, 0.71, 0.75, 0.69, 0.74, 0.76, 0.78, 0.8, 0.9]
ACCURACY = [0.5, 0.62, 0.7, 0.69, 0.71, 0.705, 0.7, 0.712, 0.69, 0.68, 0.7]
DELTA_LOSS = [1.0, 0.9, 0.895, 0.889, 0.884, 0.87, 0.869, 0.868, 0.8675, 0.86]
DELTA_ACCURACY = [0.5, 0.6, 0.605, 0.612, 0.62, 0.622, 0.63, 0.631]
BASELINE_LOSS = [1.0, 0.9, 0.85, 0.86, 0.84, 0.83, 0.87, 0.88, 0.89, 0.9]
WARMUP_LOSS = [0.5, 1.0, 1.1, 1.2, 0.9, 0.95, 0.97, 0.99, 1.0]
CASES = {
    "patience": [(LOSS, {"patience": p}) for p in (0, 1, 2, 3, 5)]
    + [(LOSS, {"patience": 2, "mode": "min"}), ([0.5, 0.6, 0.4, 0.45, 0.3], {"patience": 0}),
       (LOSS, {}), ([0.5, 0.6, 0.4, 0.45, 0.3], {})],  # Keras's defaults: patience 0, mode "min", ...
    "max_mode": [(ACCURACY, {"patience": p, "mode": "max"}) for p in (0, 1, 2, 3)]
    + [([0.9, 0.8, 0.85, 0.95, 0.94], {"patience": 1, "mode": "max"}), (ACCURACY, {"mode": "max"})],
    "min_delta": [(DELTA_LOSS, {"patience": p, "min_delta": d}) for p, d in [(1, 0.0075), (2, 0.0075), (1, 0.0125),
                                                                               (0, 0.0025)]]
    + [(DELTA_LOSS, {"patience": 1, "min_delta": -0.0075}),  # Keras uses |min_delta|
       (DELTA_ACCURACY, {"patience": 1, "min_delta": 0.0075, "mode": "max"})],
    "baseline": [(BASELINE_LOSS, {"patience": 2, "baseline": b}) for b in (0.8, 0.845, 0.95)]
    + [(BASELINE_LOSS, {"patience": 0, "baseline": 0.5}),
       (BASELINE_LOSS, {"patience": 1, "baseline": 0.8457, "min_delta": 0.0025}),
       ([0.6, 0.65, 0.7, 0.69, 0.68, 0.71], {"patience": 1, "mode": "max", "baseline": 0.695})],
    "start_from_epoch": [(WARMUP_LOSS, {"patience": p, "start_from_epoch": s}) for p, s in [(0, 3), (1, 3), (2, 1),
                                                                                            (1, 20)]],
    "never_stops": [
        ([1.0, 0.9, 0.8, 0.7, 0.6], {"patience": 0}),
        ([0.1, 0.2, 0.3, 0.4], {"patience": 0, "mode": "max"}),
        ([1.0, 1.1, 0.9, 1.0, 0.8, 0.85], {"patience": 2}),
        ([0.7], {"patience": 0}),
        ([0.7, 0.8, 0.9], {"patience": 3}),
    ],
}


@pytest.mark.points(1)
def test_early_stopping_patience_min_mode(submission, reference):
    check_public_cases(submission, reference, CASES["patience"], seed=611)


@pytest.mark.points(1)
def test_early_stopping_max_mode(submission, reference):
    check_public_cases(submission, reference, CASES["max_mode"], seed=612)


@pytest.mark.points(1)
def test_early_stopping_min_delta(submission, reference):
    check_public_cases(submission, reference, CASES["min_delta"], seed=613)


@pytest.mark.points(1)
def test_early_stopping_baseline(submission, reference):
    check_public_cases(submission, reference, CASES["baseline"], seed=614)


@pytest.mark.points(1)
def test_early_stopping_start_from_epoch(submission, reference):
    check_public_cases(submission, reference, CASES["start_from_epoch"], seed=615)


@pytest.mark.points(1)
def test_early_stopping_never_stops(submission, reference):
    check_public_cases(submission, reference, CASES["never_stops"], seed=616)


SEEDED_CASES_SEED = 601


def seeded_cases(seed, count):
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        n = int(rng.integers(6, 30))
        mode = str(rng.choice(["min", "max"]))
        drift = -0.03 if mode == "min" else 0.03
        history = np.round(1.0 + np.cumsum(rng.normal(drift, 0.05, size=n)), 3)
        history = [float(v) for v in history]
        kwargs = {"patience": int(rng.integers(0, 6)), "mode": mode}
        if rng.random() < 0.5:
            kwargs["min_delta"] = float(rng.choice([0.0025, 0.0155, 0.0305]))
        if rng.random() < 0.3:
            kwargs["baseline"] = float(np.round(rng.uniform(0.6, 1.4), 3) + 0.0002)
        if rng.random() < 0.3:
            kwargs["start_from_epoch"] = int(rng.integers(1, 6))
        cases.append((history, kwargs))
    return cases


@pytest.mark.points(2)
def test_early_stopping_seeded_histories(submission, reference):
    cases = seeded_cases(SEEDED_CASES_SEED, 40)
    for i, (history, kwargs) in enumerate(cases, 1):
        expect_decision(submission.early_stopping(history, **kwargs), reference.early_stopping(history, **kwargs),
                        _f("early_stopping on hidden seeded history {number} of {total}", number=i, total=len(cases)),
                        public=False)
