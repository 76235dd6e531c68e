"""Public tests for the initializers assignment: a few statistics, and the contract of every
function (compute_fans: a tuple of two ints for any rank; the random functions: an array of the
shape and dtype asked for, the same for the same seed, another for another seed).

Run them with ``pytest assignments/initializers``. Random arrays are checked by their
statistics on 40,000 values with wide margins: the standard deviation within 5% of the
expected one (the sampling error is about 0.4%, so a correct function never fails), every value
within the range, and the largest values close to its ends. The grader's hidden tests check
the same things with tolerances derived from the sample size, plus the whole distribution.
"""

import math

import numpy as np
import pytest

from autograder.checks import (Stage, expect_array, expect_array_like, expect_equal, expect_int, expect_items,
                               expect_true)
from autograder.i18n import _, _f

CORRECTION = 0.87962566103423978
DENSE = (200, 200)  # fan_in = fan_out = 200: 40,000 values
CONV = (3, 3, 16, 32)  # fan_in 144, fan_out 288: 4,608 values


def check_array(x, shape, dtype, what):
    expect_true(type(x) is np.ndarray, _f("{what} should be a numpy.ndarray.", what=what), stage=Stage.TYPE)
    expect_true(x.shape == tuple(shape), _f("{what} has shape {got}, but it should have shape {expected}.", what=what,
                                            got=x.shape, expected=tuple(shape)),
                stage=Stage.SHAPE)
    expect_true(x.dtype == np.dtype(dtype), _f("{what} should have dtype {expected}, not {got}.", what=what,
                                               expected=dtype, got=x.dtype), stage=Stage.DTYPE)


def check_std(x, expected_std, what, mean=0.0):
    std = math.sqrt(np.mean((x.astype(np.float64) - mean) ** 2))
    off_by = format(100 * abs(std / expected_std - 1), ".1f")
    expect_true(abs(std / expected_std - 1) < 0.05, _f("the standard deviation of {what} is off by {percent}% "
                                                       "(allowed: 5%).", what=what, percent=off_by))


def check_range(x, low, high, what, reach=0.97):
    expect_true(x.min() >= low - 1e-6 * abs(low) and x.max() <= high + 1e-6 * abs(high),
                _f("{what} has values outside its range.", what=what))
    expect_true(x.max() >= high - (1 - reach) * (high - low) / 2 and x.min() <= low + (1 - reach) * (high - low) / 2,
                _f("{what} does not reach the ends of its range.", what=what))


@pytest.mark.points(1)
def test_compute_fans_course_examples(submission):
    # A tuple of two integers (Python or NumPy ints, as the grader accepts), then the values.
    for shape, fans in [((9, 1), (9, 1)), ((784, 512), (784, 512)), ((5, 5, 1, 6), (25, 150)),
                        ((3, 3, 16, 32), (144, 288))]:
        what = f"compute_fans({shape})"
        got = submission.compute_fans(shape)
        expect_true(type(got) is tuple, _f("{what} should return a tuple (fan_in, fan_out), not a {type}.", what=what,
                                           type=type(got).__name__),
                    stage=Stage.TYPE)
        expect_true(len(got) == 2, _f("{what} should return 2 numbers, not {count}.", what=what, count=len(got)),
                    stage=Stage.SHAPE)
        for value in got:
            expect_int(value, what=_f("each number of {what}", what=what))
        expect_equal(tuple(int(v) for v in got), fans, what=what)


@pytest.mark.points(1)
def test_random_normal_seed_shape_dtype_and_std(submission):
    x = submission.random_normal(DENSE, seed=0)
    check_array(x, DENSE, "float32", "random_normal((200, 200), seed=0)")
    expect_array(submission.random_normal(DENSE, seed=0), x, rtol=0, atol=0, what=_("a second call with seed=0"))
    expect_true(not np.array_equal(submission.random_normal(DENSE, seed=1), x), _("seeds 0 and 1 gave the same array."))
    check_std(x, 0.05, _("random_normal(shape) (default stddev 0.05)"))
    y = submission.random_normal(DENSE, seed=2, mean=1.0, stddev=2.0, dtype="float64")
    check_array(y, DENSE, "float64", "random_normal(..., dtype='float64')")
    check_std(y, 2.0, "random_normal(..., mean=1.0, stddev=2.0)", mean=1.0)
    # Not truncated: about 4.6% of the values lie beyond 2 stddev.
    beyond = np.mean(np.abs(y - 1.0) > 4.0)
    expect_true(0.035 < beyond < 0.057, _("random_normal should not be truncated."))


@pytest.mark.points(1)
def test_truncated_normal_range_and_std(submission):
    x = submission.truncated_normal(DENSE, seed=3, stddev=1.0, dtype="float64")
    check_array(x, DENSE, "float64", "truncated_normal(..., stddev=1.0)")
    check_range(x, -2.0, 2.0, "truncated_normal(..., stddev=1.0)")
    check_std(x, CORRECTION, "truncated_normal(..., stddev=1.0)")


@pytest.mark.points(1)
def test_standard_uniform_limit(submission):
    x = submission.standard_uniform(CONV, seed=4)
    check_array(x, CONV, "float32", "standard_uniform((3, 3, 16, 32))")
    check_range(x, -1 / 12, 1 / 12, _("standard_uniform((3, 3, 16, 32)) (limit 1/sqrt(144))"))


@pytest.mark.points(1)
def test_glorot_normal_std_and_truncation(submission):
    x = submission.glorot_normal(DENSE, seed=5)
    check_array(x, DENSE, "float32", "glorot_normal((200, 200))")
    std = math.sqrt(2 / 400)
    check_std(x, std, "glorot_normal((200, 200))")
    check_range(x, -2 * std / CORRECTION, 2 * std / CORRECTION, "glorot_normal((200, 200))")


@pytest.mark.points(1)
def test_glorot_uniform_limit_example(submission):
    x = submission.glorot_uniform(DENSE, seed=6)
    check_array(x, DENSE, "float32", "glorot_uniform((200, 200))")
    check_range(x, -math.sqrt(6 / 400), math.sqrt(6 / 400), "glorot_uniform((200, 200))")


@pytest.mark.points(1)
def test_he_normal_std_and_truncation(submission):
    x = submission.he_normal(DENSE, seed=7)
    check_array(x, DENSE, "float32", "he_normal((200, 200))")
    std = math.sqrt(2 / 200)
    check_std(x, std, "he_normal((200, 200))")
    check_range(x, -2 * std / CORRECTION, 2 * std / CORRECTION, "he_normal((200, 200))")


@pytest.mark.points(1)
def test_he_uniform_limit_example(submission):
    x = submission.he_uniform(CONV, seed=8)
    check_array(x, CONV, "float32", "he_uniform((3, 3, 16, 32))")
    check_range(x, -math.sqrt(6 / 144), math.sqrt(6 / 144), _("he_uniform((3, 3, 16, 32)) (limit sqrt(6/144))"))


# ----------------------------------------------------------------------------- the outputs' contract
# compute_fans returns a tuple of two ints for any rank; every random function returns a numpy
# array of exactly the shape and dtype asked for (float32 by default), with no NaN or infinity; the
# same seed gives the same array, another seed another array.

RANDOM_FUNCTIONS = ["random_normal", "truncated_normal", "standard_uniform", "glorot_normal", "glorot_uniform",
                    "he_normal", "he_uniform"]


def expect_fans(got, expected, shape):
    what = f"compute_fans({shape})"
    expect_items(got, 2, what=what, kinds=(tuple,), noun=_("a tuple (fan_in, fan_out)"))
    for name, value in zip(("fan_in", "fan_out"), got):
        expect_int(value, what=_f("the {name} of {what}", name=name, what=what))
    expect_true(got[0] == expected[0], _f("{what}: fan_in is wrong.", what=what))
    expect_true(got[1] == expected[1], _f("{what}: fan_out is wrong.", what=what))


@pytest.mark.points(1)
def test_compute_fans_scalar_bias_and_other_kernels(submission):
    # The handout's table: () and (n,) have fans 1 and n; any kernel (..., cin, cout) multiplies
    # cin and cout by the product of the leading axes (a Conv1D kernel has 3 axes, a Conv3D kernel 5).
    for shape, expected in [((), (1, 1)), ((6,), (6, 6)), ((4, 8, 16), (32, 64)), ((3, 2, 2, 5, 7), (60, 84))]:
        expect_fans(submission.compute_fans(shape), expected, shape)


@pytest.mark.points(1)
@pytest.mark.parametrize("name", RANDOM_FUNCTIONS)
def test_shapes_dtypes_and_seeds(submission, name):
    function = getattr(submission, name)
    settings = [{}, {"mean": -1.0, "stddev": 0.5}] if name in ("random_normal", "truncated_normal") else [{}]
    for kwargs in settings:
        call = f"{name}(shape, seed{''.join(f', {k}={v}' for k, v in kwargs.items())}"
        closed, float64_call = call + ")", call + ", dtype='float64')"
        a = function((5, 4), seed=3, **kwargs)
        expect_array_like(a, (5, 4), "float32",
                          what=_f("{call} with shape (5, 4) (default dtype float32)", call=closed))
        expect_array(function((5, 4), seed=3, **kwargs), a, rtol=0, atol=0,
                     what=_f("a second call of {call} with the same seed", call=closed))
        expect_true(len(np.unique(a)) > 1, _f("{call} gave 20 equal values.", call=closed))
        b = function((5, 4), seed=4, **kwargs)
        expect_array_like(b, (5, 4), "float32", what=_f("{call} with another seed", call=closed))
        expect_true(not np.array_equal(a, b), _f("{call} gives the same array for seeds 3 and 4.", call=closed))
        expect_array_like(function((2, 3, 3, 2), seed=5, dtype="float64", **kwargs), (2, 3, 3, 2), "float64",
                          what=_f("{call} with shape (2, 3, 3, 2)", call=float64_call))
        expect_array_like(function((6,), seed=6, **kwargs), (6,), "float32",
                          what=_f("{call} with shape (6,)", call=closed))
