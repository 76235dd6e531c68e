"""Public tests for the initializers assignment.

Run them with ``pytest assignments/initializers``. Random arrays are checked by their
statistics on 40,000 values with wide margins: the standard deviation within 5% of the
expected one (the sampling error is about 0.4%, so a correct function never fails), every value
within the range, and the largest values close to its ends. The grader's hidden tests check
the same things with tolerances derived from the sample size, plus the whole distribution.
"""

import math

import numpy as np
import pytest

from autograder.checks import expect_array, expect_equal, expect_true

CORRECTION = 0.87962566103423978
DENSE = (200, 200)  # fan_in = fan_out = 200: 40,000 values
CONV = (3, 3, 16, 32)  # fan_in 144, fan_out 288: 4,608 values


def check_array(x, shape, dtype, what):
    expect_true(type(x) is np.ndarray, f"{what} should be a numpy.ndarray.")
    expect_equal(x.shape, shape, what=f"the shape of {what}")
    expect_true(x.dtype == np.dtype(dtype), f"{what} should have dtype {dtype}, not {x.dtype}.")


def check_std(x, expected_std, what, mean=0.0):
    std = math.sqrt(np.mean((x.astype(np.float64) - mean) ** 2))
    expect_true(abs(std / expected_std - 1) < 0.05, f"the standard deviation of {what} is off by "
                f"{100 * abs(std / expected_std - 1):.1f}% (allowed: 5%).")


def check_range(x, low, high, what, reach=0.97):
    expect_true(x.min() >= low - 1e-6 * abs(low) and x.max() <= high + 1e-6 * abs(high),
                f"{what} has values outside its range.")
    expect_true(x.max() >= high - (1 - reach) * (high - low) / 2 and x.min() <= low + (1 - reach) * (high - low) / 2,
                f"{what} does not reach the ends of its range.")


@pytest.mark.points(1)
def test_compute_fans_course_examples(submission):
    expect_equal(submission.compute_fans((9, 1)), (9, 1), what="compute_fans((9, 1))")
    expect_equal(submission.compute_fans((784, 512)), (784, 512), what="compute_fans((784, 512))")
    expect_equal(submission.compute_fans((5, 5, 1, 6)), (25, 150), what="compute_fans((5, 5, 1, 6))")
    expect_equal(submission.compute_fans((3, 3, 16, 32)), (144, 288), what="compute_fans((3, 3, 16, 32))")


@pytest.mark.points(1)
def test_random_normal_seed_shape_dtype_and_std(submission):
    x = submission.random_normal(DENSE, seed=0)
    check_array(x, DENSE, "float32", "random_normal((200, 200), seed=0)")
    expect_array(submission.random_normal(DENSE, seed=0), x, rtol=0, atol=0, what="a second call with seed=0")
    expect_true(not np.array_equal(submission.random_normal(DENSE, seed=1), x), "seeds 0 and 1 gave the same array.")
    check_std(x, 0.05, "random_normal(shape) (default stddev 0.05)")
    y = submission.random_normal(DENSE, seed=2, mean=1.0, stddev=2.0, dtype="float64")
    check_array(y, DENSE, "float64", "random_normal(..., dtype='float64')")
    check_std(y, 2.0, "random_normal(..., mean=1.0, stddev=2.0)", mean=1.0)
    # Not truncated: about 4.6% of the values lie beyond 2 stddev.
    beyond = np.mean(np.abs(y - 1.0) > 4.0)
    expect_true(0.035 < beyond < 0.057, "random_normal should not be truncated.")


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
    check_range(x, -1 / 12, 1 / 12, "standard_uniform((3, 3, 16, 32)) (limit 1/sqrt(144))")


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
    check_range(x, -math.sqrt(6 / 144), math.sqrt(6 / 144), "he_uniform((3, 3, 16, 32)) (limit sqrt(6/144))")
