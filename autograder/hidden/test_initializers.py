"""Hidden grading tests: initializers (24 points).

Points per function:
    compute_fans      3   dense kernels 1, conv kernels 1, other ranks (scalar, bias, conv1d, conv3d) 1
    random_normal     3   shape/dtype/seed 1, mean and std 1, distribution (not truncated) 1
    truncated_normal  3   shape/dtype/seed 1, std after truncation 1, truncated at 2 stddev 1
                          (both also with the default mean and stddev)
    standard_uniform  3   shape/dtype/seed 1, limit 1/sqrt(fan_in) (fan_in 1 too) 1, distribution 1
    glorot_normal     3   shape/dtype/seed 1, std 1, truncated at 2 sigma 1
    glorot_uniform    3   shape/dtype/seed 1, limit 1, distribution 1
    he_normal         3   shape/dtype/seed 1, std 1, truncated at 2 sigma 1
    he_uniform        3   shape/dtype/seed 1, limit 1, distribution 1
    total            24

compute_fans is checked exactly. The random functions cannot be compared element-wise with the
reference (a student may draw in another order, or truncate by another exact method), so their
tests are statistical, on seeded samples of about 60,000 values:

- shape, dtype, finiteness; the same seed gives the same array, another seed another array, and
  no seed (None, the default) fresh values on every call; a shape with a 0 (fans of 0) works;
- moments: the sample mean and mean square around the known mean;
- bounds: every value within the support, and the extremes close to its ends;
- distribution: the empirical CDF on a grid against the exact CDF (Kolmogorov-Smirnov style).

Every statistical check fails a correct implementation with probability at most DELTA = 1e-9
(over the randomness of its draws; the seeds are fixed, so a given submission always gets the
same score). There are 54 such checks in this file, so a correct submission loses a point
with probability below 6e-8. The tolerances come from exact or distribution-free bounds, not
from the central limit theorem, so they hold at any sample size:

- bounded values (uniform, truncated normal), Hoeffding: the mean of n values in an interval
  of width w is within w * sqrt(ln(2/DELTA) / (2n)) of its expectation;
- untruncated normal (random_normal): the standardised sample mean is exactly N(0, 1/n)
  (|z| <= Phi^-1(1 - DELTA/2) = 6.11), and the sum of squared standardised deviations from the
  known mean is exactly chi-square(n), bounded on both sides by Laurent and Massart (2000):
  P(X - n >= 2 sqrt(n x) + 2x) <= e^-x and P(n - X >= 2 sqrt(n x)) <= e^-x, x = ln(2/DELTA);
- empirical CDF, Dvoretzky-Kiefer-Wolfowitz with Massart's constant:
  P(sup_t |F_n(t) - F(t)| > eps) <= 2 exp(-2 n eps^2), so eps = sqrt(ln(2/DELTA) / (2n));
- extremes: the probability that none of n values falls in the outer band of width eta
  (as a fraction of the support) at one end is at most (1 - p eta)^n <= exp(-n p eta), where
  p is the lowest density on that band in units of the support (1 for a uniform, 0.2263 for a
  normal truncated at 2 sigma: 4 phi(2) / (Phi(2) - Phi(-2))); eta = ln(2/DELTA) / (n p).

tests/test_reference_initializers.py runs these checks on the reference and on keras.initializers
with many seeds and shows the margin; tests/test_wrong_variants_initializers.py shows that
fan_in-for-fan_out, wrong gains, no truncation and no stddev correction each lose points.
Float32 outputs carry a relative rounding error of 6e-8, far below every tolerance; the bound
checks allow a relative 1e-6 beyond the support for that rounding.
"""

import math
import numbers
from statistics import NormalDist

import numpy as np
import pytest

from autograder.checks import CheckFailure, Stage, expect_array, expect_true
from autograder.i18n import _, _f

DELTA = 1e-9
LOG_TERM = math.log(2.0 / DELTA)  # 21.4
Z_DELTA = NormalDist().inv_cdf(1.0 - DELTA / 2.0)  # 6.109
TRUNCATION_CORRECTION = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]
# Lowest density near the ends of the support, in units of the support's width (see above).
EDGE_DENSITY = {"uniform": 1.0, "truncated_normal": 4.0 * math.exp(-2.0) / math.sqrt(2.0 * math.pi) / (
    NormalDist().cdf(2.0) - NormalDist().cdf(-2.0))}
FLOAT_SLACK = 1e-6  # relative: float32 rounding may put a value one ulp beyond the support

DENSE = (300, 200)  # fan_in 300, fan_out 200: 60,000 values
CONV = (3, 3, 64, 96)  # fan_in 576, fan_out 864: 55,296 values


# ----------------------------------------------------------------------------- statistics
# Each function returns ratios statistic / tolerance: a check passes when its ratio is <= 1.
# tests/test_reference_initializers.py imports them to show the margin over many seeds.


def hoeffding_tolerance(n: int, width: float) -> float:
    return width * math.sqrt(LOG_TERM / (2.0 * n))


def dkw_tolerance(n: int) -> float:
    return math.sqrt(LOG_TERM / (2.0 * n))


def bounded_moment_ratios(x, mean: float, std: float, half_width: float) -> dict:
    """Values in [mean - half_width, mean + half_width]: sample mean and mean square (Hoeffding)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    d = x - mean
    return {
        "mean": abs(d.mean()) / hoeffding_tolerance(n, 2.0 * half_width),
        "variance": abs(np.mean(d * d) - std * std) / hoeffding_tolerance(n, half_width * half_width),
    }


def gaussian_moment_ratios(x, mean: float, std: float) -> dict:
    """N(mean, std^2) values: exact normal test of the mean, chi-square bounds on the variance."""
    z = (np.asarray(x, dtype=np.float64).ravel() - mean) / std
    n = z.size
    s = float(np.sum(z * z))
    if s >= n:
        variance = (s - n) / (2.0 * math.sqrt(n * LOG_TERM) + 2.0 * LOG_TERM)
    else:
        variance = (n - s) / (2.0 * math.sqrt(n * LOG_TERM))
    return {"mean": abs(z.mean()) * math.sqrt(n) / Z_DELTA, "variance": variance}


def normal_cdf(t, mean: float, std: float):
    return np.array([NormalDist(mean, std).cdf(float(v)) for v in np.ravel(t)])


def truncated_normal_cdf(t, mean: float, stddev: float):
    """CDF of N(mean, stddev^2) truncated to [mean - 2 stddev, mean + 2 stddev]."""
    low, high = NormalDist().cdf(-2.0), NormalDist().cdf(2.0)
    u = (normal_cdf(t, mean, stddev) - low) / (high - low)
    return np.clip(u, 0.0, 1.0)


def uniform_cdf(t, limit: float):
    return np.clip((np.ravel(t) + limit) / (2.0 * limit), 0.0, 1.0)


def cdf_ratio(x, cdf, grid) -> float:
    """max over the grid of |empirical CDF - CDF|, over the DKW tolerance."""
    values = np.sort(np.asarray(x, dtype=np.float64).ravel())
    empirical = np.searchsorted(values, grid, side="right") / values.size
    return float(np.max(np.abs(empirical - cdf(grid)))) / dkw_tolerance(values.size)


def support_grid(center: float, half_width: float, points: int = 81):
    """Grid points across the support, including points just inside its ends."""
    inner = np.linspace(-1.0, 1.0, points)
    edges = np.array([-0.999, -0.99, 0.99, 0.999])
    return center + half_width * np.concatenate([inner, edges])


def edge_reach_fraction(n: int, kind: str) -> float:
    """eta: with probability >= 1 - DELTA/2 per end, some value lies within eta * width of it."""
    return LOG_TERM / (n * EDGE_DENSITY[kind])


def bound_ratios(x, center: float, half_width: float, kind: str) -> dict:
    """'outside': how far beyond the support (0 inside); 'reach_low/high': gap to the ends over eta."""
    x = np.asarray(x, dtype=np.float64).ravel()
    eta = edge_reach_fraction(x.size, kind)
    width = 2.0 * half_width
    slack = FLOAT_SLACK * (abs(center) + half_width)
    beyond = max(float(np.max(x)) - (center + half_width), (center - half_width) - float(np.min(x)), 0.0)
    return {
        "outside": beyond / slack,
        "reach_high": max(0.0, (center + half_width) - float(np.max(x))) / (eta * width),
        "reach_low": max(0.0, float(np.min(x)) - (center - half_width)) / (eta * width),
    }


# ----------------------------------------------------------------------------- checks


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


def expect_moments(ratios: dict, what: str, size: int):
    expect_true(ratios["mean"] <= 1.0, _f("the mean of {what} ({size} values) is too far from the expected mean "
                                          "({ratio} times the tolerance for this sample size).",
                                          what=what, size=size, ratio=format(ratios["mean"], ".3g")))
    expect_true(ratios["variance"] <= 1.0, _f("the standard deviation of {what} ({size} values) is wrong "
                                              "({ratio} times the tolerance for this sample size): check the gain, "
                                              "the fans, and the truncation correction.",
                                              what=what, size=size, ratio=format(ratios["variance"], ".3g")))


def expect_bounds(ratios: dict, what: str):
    expect_true(ratios["outside"] <= 1.0, _f("{what} has values outside the range it should be limited to.",
                                             what=what))
    expect_true(ratios["reach_high"] <= 1.0 and ratios["reach_low"] <= 1.0,
                _f("{what} does not reach the ends of the range it should cover: is the limit (or the "
                   "truncation point) too small?", what=what))


def expect_cdf(ratio: float, what: str):
    expect_true(ratio <= 1.0, _f("the distribution of {what} is not the expected one: its empirical CDF is "
                                 "{ratio} times the tolerance away from the expected CDF.",
                                 what=what, ratio=format(ratio, ".3g")))


def sample(function, shape, seed, what, **kwargs):
    x = function(shape, seed=seed, **kwargs)
    expect_float_array(x, shape, kwargs.get("dtype", "float32"), what)
    return x


def check_shape_dtype_and_seed(function, name, **kwargs):
    a = sample(function, (4, 5), 11, f"{name}((4, 5), seed=11)", **kwargs)
    b = function((4, 5), seed=11, **kwargs)
    expect_array(b, a, rtol=0, atol=0, what=_f("a second call of {name}((4, 5), seed=11)", name=name))
    c = sample(function, (4, 5), 12, f"{name}((4, 5), seed=12)", **kwargs)
    expect_true(not np.array_equal(a, c), _f("{name} gives the same values for seeds 11 and 12.", name=name))
    sample(function, (3, 3, 2, 4), 13, f"{name}((3, 3, 2, 4), seed=13, dtype='float64')",
           **kwargs, dtype="float64")
    sample(function, (7,), 14, f"{name}((7,), seed=14)", **kwargs)
    expect_true(len(np.unique(a)) > 1, _f("{name}((4, 5), seed=11) has all its values equal.", name=name))
    # A shape with no values has fans of 0: n = max(1, fan) keeps the scale finite.
    sample(function, (0, 0), 15, f"{name}((0, 0), seed=15)", **kwargs)
    # seed defaults to None: fresh random numbers on every call.
    d, e = function((4, 5), **kwargs), function((4, 5), **kwargs)
    expect_float_array(d, (4, 5), kwargs.get("dtype", "float32"), _f("{name}((4, 5)) without a seed", name=name))
    expect_true(not np.array_equal(d, e), _f("two calls of {name}((4, 5)) without a seed give the same values: "
                                             "seed=None should draw fresh random numbers.", name=name))


def fans(shape):
    if len(shape) == 2:
        return shape
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def normal_std(shape, scale, mode):
    fan_in, fan_out = fans(shape)
    n = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    return math.sqrt(scale / n)


def check_scaled_truncated_std(function, name, scale, mode, seed):
    for shape in (DENSE, CONV):
        std = normal_std(shape, scale, mode)
        x = sample(function, shape, seed, f"{name}({shape})")
        expect_moments(bounded_moment_ratios(x, 0.0, std, 2.0 * std / TRUNCATION_CORRECTION),
                       f"{name}({shape})", x.size)
        seed += 1


def check_scaled_truncation(function, name, scale, mode, seed):
    for shape in (DENSE, CONV):
        stddev = normal_std(shape, scale, mode) / TRUNCATION_CORRECTION  # untruncated
        x = sample(function, shape, seed, f"{name}({shape})", dtype="float64")
        expect_bounds(bound_ratios(x, 0.0, 2.0 * stddev, "truncated_normal"), f"{name}({shape})")
        grid = support_grid(0.0, 2.0 * stddev)
        expect_cdf(cdf_ratio(x, lambda t: truncated_normal_cdf(t, 0.0, stddev), grid), f"{name}({shape})")
        seed += 1


def uniform_limit(shape, scale, mode):
    return math.sqrt(3.0) * normal_std(shape, scale, mode)


def check_scaled_uniform_limit(function, name, scale, mode, seed, shapes=(DENSE, CONV)):
    for shape in shapes:
        limit = uniform_limit(shape, scale, mode)
        x = sample(function, shape, seed, f"{name}({shape})")
        expect_bounds(bound_ratios(x, 0.0, limit, "uniform"), f"{name}({shape})")
        seed += 1


def check_scaled_uniform_distribution(function, name, scale, mode, seed):
    for shape in (DENSE, CONV):
        limit = uniform_limit(shape, scale, mode)
        x = sample(function, shape, seed, f"{name}({shape})", dtype="float64")
        expect_moments(bounded_moment_ratios(x, 0.0, limit / math.sqrt(3.0), limit), f"{name}({shape})", x.size)
        expect_cdf(cdf_ratio(x, lambda t: uniform_cdf(t, limit), support_grid(0.0, limit)), f"{name}({shape})")
        seed += 1


# ----------------------------------------------------------------------------- compute_fans


def expect_fans(got, expected, shape):
    what = f"compute_fans({shape})"
    expect_true(type(got) is tuple, _f("{what} should return a tuple (fan_in, fan_out), not a {type}.",
                                       what=what, type=type(got).__name__), stage=Stage.TYPE)
    expect_true(len(got) == 2, _f("{what} should return 2 numbers, not {count}.", what=what, count=len(got)),
                stage=Stage.SHAPE)
    expect_true(all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in got),
                _f("{what} should return two ints.", what=what), stage=Stage.TYPE)
    expect_true(got[0] == expected[0], _f("{what}: fan_in is wrong.", what=what))
    expect_true(got[1] == expected[1], _f("{what}: fan_out is wrong.", what=what))


@pytest.mark.points(1)
def test_compute_fans_dense_kernels(submission, reference):
    for shape in [(784, 512), (512, 10), (9, 1), (3, 7)]:
        expect_fans(submission.compute_fans(shape), reference.compute_fans(shape), shape)


@pytest.mark.points(1)
def test_compute_fans_conv_kernels(submission, reference):
    for shape in [(5, 5, 1, 6), (3, 3, 64, 128), (11, 11, 3, 96), (1, 1, 256, 64), (3, 5, 8, 2)]:
        expect_fans(submission.compute_fans(shape), reference.compute_fans(shape), shape)


@pytest.mark.points(1)
def test_compute_fans_other_ranks(submission, reference):
    for shape in [(), (7,), (3, 16, 32), (2, 3, 3, 4, 8)]:
        expect_fans(submission.compute_fans(shape), reference.compute_fans(shape), shape)


# ----------------------------------------------------------------------------- random_normal


@pytest.mark.points(1)
def test_random_normal_shape_dtype_and_seed(submission):
    check_shape_dtype_and_seed(submission.random_normal, "random_normal")
    check_shape_dtype_and_seed(submission.random_normal, "random_normal", mean=1.0, stddev=2.0)


@pytest.mark.points(1)
def test_random_normal_mean_and_std(submission):
    x = sample(submission.random_normal, DENSE, 201, "random_normal((300, 200))")
    expect_moments(gaussian_moment_ratios(x, 0.0, 0.05), _("random_normal((300, 200)) (default mean and stddev)"),
                   x.size)
    x = sample(submission.random_normal, CONV, 202, "random_normal(..., mean=1.5, stddev=2.0)", mean=1.5, stddev=2.0)
    expect_moments(gaussian_moment_ratios(x, 1.5, 2.0), "random_normal(..., mean=1.5, stddev=2.0)", x.size)


@pytest.mark.points(1)
def test_random_normal_distribution_not_truncated(submission):
    x = sample(submission.random_normal, DENSE, 203, "random_normal(..., mean=-0.5, stddev=0.3)",
               mean=-0.5, stddev=0.3, dtype="float64")
    grid = -0.5 + 0.3 * np.linspace(-4.0, 4.0, 81)
    expect_cdf(cdf_ratio(x, lambda t: normal_cdf(t, -0.5, 0.3), grid), "random_normal(..., mean=-0.5, stddev=0.3)")


# ----------------------------------------------------------------------------- truncated_normal


def truncated_normal_call(mean, stddev):
    """(description, keyword arguments) of a call with mean and stddev, or without them (None)."""
    if mean is None:
        return _("truncated_normal(...) (default mean and stddev)"), {}
    return f"truncated_normal(..., mean={mean}, stddev={stddev})", dict(mean=mean, stddev=stddev)


@pytest.mark.points(1)
def test_truncated_normal_shape_dtype_and_seed(submission):
    check_shape_dtype_and_seed(submission.truncated_normal, "truncated_normal")
    check_shape_dtype_and_seed(submission.truncated_normal, "truncated_normal", mean=1.0, stddev=2.0)


@pytest.mark.points(1)
def test_truncated_normal_std_after_truncation(submission):
    # None: called without mean and stddev, whose defaults are Keras's 0.0 and 0.05.
    for seed, mean, stddev, shape in [(301, None, None, DENSE), (302, 2.0, 0.5, CONV)]:
        what, kwargs = truncated_normal_call(mean, stddev)
        mean, stddev = (0.0, 0.05) if mean is None else (mean, stddev)
        x = sample(submission.truncated_normal, shape, seed, what, **kwargs)
        expect_moments(bounded_moment_ratios(x, mean, TRUNCATION_CORRECTION * stddev, 2.0 * stddev), what, x.size)


@pytest.mark.points(1)
def test_truncated_normal_truncated_at_2_stddev(submission):
    for seed, mean, stddev, shape in [(303, None, None, DENSE), (304, -1.0, 3.0, CONV)]:
        what, kwargs = truncated_normal_call(mean, stddev)
        mean, stddev = (0.0, 0.05) if mean is None else (mean, stddev)
        x = sample(submission.truncated_normal, shape, seed, what, **kwargs, dtype="float64")
        expect_bounds(bound_ratios(x, mean, 2.0 * stddev, "truncated_normal"), what)
        grid = support_grid(mean, 2.0 * stddev)
        expect_cdf(cdf_ratio(x, lambda t: truncated_normal_cdf(t, mean, stddev), grid), what)


# ----------------------------------------------------------------------------- standard_uniform
# standard_uniform = U(-1/sqrt(fan_in), 1/sqrt(fan_in)) = VarianceScaling(scale=1/3, "fan_in", "uniform").


@pytest.mark.points(1)
def test_standard_uniform_shape_dtype_and_seed(submission):
    check_shape_dtype_and_seed(submission.standard_uniform, "standard_uniform")


@pytest.mark.points(1)
def test_standard_uniform_limit_is_1_over_sqrt_fan_in(submission):
    # (1, 60000): fan_in 1, so the limit is 1.
    check_scaled_uniform_limit(submission.standard_uniform, "standard_uniform", 1.0 / 3.0, "fan_in", 401,
                               shapes=(DENSE, CONV, (1, 60000)))


@pytest.mark.points(1)
def test_standard_uniform_distribution(submission):
    check_scaled_uniform_distribution(submission.standard_uniform, "standard_uniform", 1.0 / 3.0, "fan_in", 403)


# ----------------------------------------------------------------------------- glorot_normal


@pytest.mark.points(1)
def test_glorot_normal_shape_dtype_and_seed(submission):
    check_shape_dtype_and_seed(submission.glorot_normal, "glorot_normal")


@pytest.mark.points(1)
def test_glorot_normal_std(submission):
    check_scaled_truncated_std(submission.glorot_normal, "glorot_normal", 1.0, "fan_avg", 501)


@pytest.mark.points(1)
def test_glorot_normal_truncated_at_2_sigma(submission):
    check_scaled_truncation(submission.glorot_normal, "glorot_normal", 1.0, "fan_avg", 503)


# ----------------------------------------------------------------------------- glorot_uniform


@pytest.mark.points(1)
def test_glorot_uniform_shape_dtype_and_seed(submission):
    check_shape_dtype_and_seed(submission.glorot_uniform, "glorot_uniform")


@pytest.mark.points(1)
def test_glorot_uniform_limit(submission):
    check_scaled_uniform_limit(submission.glorot_uniform, "glorot_uniform", 1.0, "fan_avg", 601)


@pytest.mark.points(1)
def test_glorot_uniform_distribution(submission):
    check_scaled_uniform_distribution(submission.glorot_uniform, "glorot_uniform", 1.0, "fan_avg", 603)


# ----------------------------------------------------------------------------- he_normal


@pytest.mark.points(1)
def test_he_normal_shape_dtype_and_seed(submission):
    check_shape_dtype_and_seed(submission.he_normal, "he_normal")


@pytest.mark.points(1)
def test_he_normal_std(submission):
    check_scaled_truncated_std(submission.he_normal, "he_normal", 2.0, "fan_in", 701)


@pytest.mark.points(1)
def test_he_normal_truncated_at_2_sigma(submission):
    check_scaled_truncation(submission.he_normal, "he_normal", 2.0, "fan_in", 703)


# ----------------------------------------------------------------------------- he_uniform


@pytest.mark.points(1)
def test_he_uniform_shape_dtype_and_seed(submission):
    check_shape_dtype_and_seed(submission.he_uniform, "he_uniform")


@pytest.mark.points(1)
def test_he_uniform_limit(submission):
    check_scaled_uniform_limit(submission.he_uniform, "he_uniform", 2.0, "fan_in", 801)


@pytest.mark.points(1)
def test_he_uniform_distribution(submission):
    check_scaled_uniform_distribution(submission.he_uniform, "he_uniform", 2.0, "fan_in", 803)
