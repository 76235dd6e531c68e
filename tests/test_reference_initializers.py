"""The reference initializers agree with keras.initializers, and the hidden statistical checks
almost never fail a correct implementation.

- compute_fans equals Keras's for every rank.
- On large samples (about 200,000 values), the reference and Keras's initializers pass the same
  statistical checks as the hidden tests, and their standard deviations and extremes agree.
- Many seeds: the hidden tests' statistics (moments, bounds, CDF) of the reference stay far
  below their tolerances. Each check is designed to fail a correct implementation with
  probability at most 1e-9 (see the hidden test file's docstring); here no seed fails, and the
  largest statistic over all seeds stays below MAX_RATIO of its tolerance.
"""

import importlib.util
import math
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from keras.src.initializers.random_initializers import compute_fans as keras_compute_fans  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "initializers" / "initializers.py"
HIDDEN = ROOT / "autograder" / "hidden" / "test_initializers.py"

SEEDS = range(300)  # per function and shape: 300 seeds x 2 shapes x 7 functions = 4,200 samples
# The largest statistic / tolerance over all seeds must stay below this. A ratio r corresponds to a
# tail probability of about (2 / DELTA)^(-r^2) (for the Hoeffding, DKW and chi-square bounds alike):
# r = 1 is DELTA = 1e-9 by design; over 600 samples per function the maximum is expected near
# r = 0.6 to 0.7 (a tail probability of about 1e-3), which is what this test sees.
MAX_RATIO = 0.8


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ref():
    return load(SOLUTION, "reference_initializers_under_test")


@pytest.fixture(scope="module")
def hidden():
    return load(HIDDEN, "hidden_initializers_checks_under_test")


# ----------------------------------------------------------------------------- fans


@pytest.mark.parametrize("shape", [(), (1,), (7,), (9, 1), (784, 512), (3, 16, 32), (5, 5, 1, 6), (3, 3, 64, 128),
                                   (11, 11, 3, 96), (2, 3, 3, 4, 8), (1, 1, 1, 1)])
def test_compute_fans_matches_keras(ref, shape):
    got = ref.compute_fans(shape)
    assert got == keras_compute_fans(shape)
    assert type(got) is tuple and all(type(v) is int for v in got)


# ----------------------------------------------------------------------------- the reference against Keras


def distributions(hidden, shape):
    """name -> (reference call, Keras initializer, kind, center, std after truncation, half width of the support)."""
    fan_in, fan_out = hidden.fans(shape)
    glorot, he, standard = math.sqrt(2 / (fan_in + fan_out)), math.sqrt(2 / fan_in), 1 / math.sqrt(fan_in)
    c = hidden.TRUNCATION_CORRECTION
    return {
        "random_normal": (dict(mean=0.5, stddev=2.0), lambda s: keras.initializers.RandomNormal(0.5, 2.0, seed=s),
                          "normal", 0.5, 2.0, None),
        "truncated_normal": (dict(mean=-1.0, stddev=3.0),
                             lambda s: keras.initializers.TruncatedNormal(-1.0, 3.0, seed=s),
                             "truncated_normal", -1.0, 3.0 * c, 6.0),
        "standard_uniform": ({}, lambda s: keras.initializers.RandomUniform(-standard, standard, seed=s),
                             "uniform", 0.0, standard / math.sqrt(3), standard),
        "glorot_normal": ({}, lambda s: keras.initializers.GlorotNormal(seed=s), "truncated_normal", 0.0, glorot,
                          2 * glorot / c),
        "glorot_uniform": ({}, lambda s: keras.initializers.GlorotUniform(seed=s), "uniform", 0.0, glorot / 1,
                           glorot * math.sqrt(3)),
        "he_normal": ({}, lambda s: keras.initializers.HeNormal(seed=s), "truncated_normal", 0.0, he, 2 * he / c),
        "he_uniform": ({}, lambda s: keras.initializers.HeUniform(seed=s), "uniform", 0.0, he, he * math.sqrt(3)),
    }


def all_ratios(hidden, x, kind, center, std, half_width):
    """Every statistic the hidden tests compute for this kind of distribution, over its tolerance."""
    if kind == "normal":
        ratios = hidden.gaussian_moment_ratios(x, center, std)
        grid = center + std * np.linspace(-4.0, 4.0, 81)
        ratios["cdf"] = hidden.cdf_ratio(x, lambda t: hidden.normal_cdf(t, center, std), grid)
        return ratios
    ratios = hidden.bounded_moment_ratios(x, center, std, half_width)
    ratios.update(hidden.bound_ratios(x, center, half_width, kind))
    grid = hidden.support_grid(center, half_width)
    if kind == "uniform":
        ratios["cdf"] = hidden.cdf_ratio(x, lambda t: hidden.uniform_cdf(t - center, half_width), grid)
    else:
        stddev = half_width / 2.0
        ratios["cdf"] = hidden.cdf_ratio(x, lambda t: hidden.truncated_normal_cdf(t, center, stddev), grid)
    return ratios


@pytest.mark.parametrize("shape", [(500, 400), (3, 3, 128, 160)])
@pytest.mark.parametrize("name", ["random_normal", "truncated_normal", "standard_uniform", "glorot_normal",
                                  "glorot_uniform", "he_normal", "he_uniform"])
def test_reference_statistics_match_keras_on_large_samples(ref, hidden, name, shape):
    kwargs, keras_initializer, kind, center, std, half_width = distributions(hidden, shape)[name]
    ours = getattr(ref, name)(shape, seed=1, dtype="float64", **kwargs)
    theirs = np.asarray(keras_initializer(2)(shape, dtype="float64"))
    assert ours.shape == theirs.shape == shape and ours.dtype == theirs.dtype == np.float64
    for sample in (ours, theirs):
        ratios = all_ratios(hidden, sample, kind, center, std, half_width)
        assert max(ratios.values()) <= 1.0, ratios
    # Side by side: standard deviations within 1.5% (sampling error about 0.2%), same support.
    assert abs(np.std(ours) / np.std(theirs) - 1) < 0.015
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.02 * std
    if half_width is not None:
        for sample in (ours, theirs):
            assert np.max(np.abs(sample - center)) <= half_width * (1 + 1e-12)
            assert np.max(np.abs(sample - center)) > 0.99 * half_width
    else:
        # Neither is truncated: about 4.55% of the values lie beyond 2 std.
        for sample in (ours, theirs):
            assert 0.04 < np.mean(np.abs(sample - center) > 2 * std) < 0.051


def test_float32_outputs_stay_within_their_support(ref):
    for seed in range(20):
        x = ref.he_normal((3, 3, 8, 16), seed=seed)  # float32 by default
        bound = 2 * math.sqrt(2 / 72) / 0.87962566103423978
        assert x.dtype == np.float32 and np.max(np.abs(x)) <= bound * (1 + 1e-6)
        y = ref.glorot_uniform((20, 30), seed=seed)
        assert y.dtype == np.float32 and np.max(np.abs(y)) <= math.sqrt(6 / 50) * (1 + 1e-6)


def test_seed_and_generator(ref):
    a = ref.he_uniform((4, 5), seed=3)
    np.testing.assert_array_equal(a, ref.he_uniform((4, 5), seed=3))
    np.testing.assert_array_equal(a, ref.he_uniform((4, 5), seed=np.random.default_rng(3)))
    assert not np.array_equal(a, ref.he_uniform((4, 5), seed=4))
    rng = np.random.default_rng(5)
    assert not np.array_equal(ref.he_normal((4, 5), seed=rng), ref.he_normal((4, 5), seed=rng))
    # No seed (None, the default): fresh values on every call.
    assert not np.array_equal(ref.truncated_normal((4, 5)), ref.truncated_normal((4, 5)))


@pytest.mark.parametrize("name", ["random_normal", "truncated_normal", "standard_uniform", "glorot_normal",
                                  "glorot_uniform", "he_normal", "he_uniform"])
def test_a_shape_with_a_zero_gives_an_empty_array(ref, name):
    # compute_fans((0, 0)) is (0, 0): n = max(1, fan) keeps every scale finite.
    x = getattr(ref, name)((0, 0), seed=1)
    assert x.shape == (0, 0) and x.dtype == np.float32


# ----------------------------------------------------------------------------- false-fail rate


@pytest.mark.parametrize("name", ["random_normal", "truncated_normal", "standard_uniform", "glorot_normal",
                                  "glorot_uniform", "he_normal", "he_uniform"])
def test_hidden_checks_never_fail_the_reference_over_many_seeds(ref, hidden, name):
    worst: dict[str, float] = {}
    base = 100_000 * (1 + sorted(distributions(hidden, hidden.DENSE)).index(name))  # independent samples per function
    for shape in (hidden.DENSE, hidden.CONV):
        kwargs, _, kind, center, std, half_width = distributions(hidden, shape)[name]
        for seed in SEEDS:
            x = getattr(ref, name)(shape, seed=base + len(shape) * 1000 + seed, dtype="float64", **kwargs)
            for check, ratio in all_ratios(hidden, x, kind, center, std, half_width).items():
                worst[check] = max(worst.get(check, 0.0), ratio)
    print(name, {check: round(ratio, 3) for check, ratio in worst.items()})
    assert all(ratio <= 1.0 for ratio in worst.values()), worst
    assert max(worst.values()) < MAX_RATIO, worst


def test_tolerances_are_the_documented_ones(hidden):
    # ln(2 / 1e-9) = 21.4; Phi^-1(1 - 5e-10) = 6.109; the edge density of a 2-sigma truncated normal.
    assert abs(hidden.LOG_TERM - 21.4164) < 1e-3
    assert abs(hidden.Z_DELTA - 6.1094) < 1e-3
    assert abs(hidden.EDGE_DENSITY["truncated_normal"] - 0.22627) < 1e-4
    n = 60_000
    assert abs(hidden.dkw_tolerance(n) - 0.01336) < 1e-4
    assert abs(hidden.hoeffding_tolerance(n, 1.0) - 0.01336) < 1e-4
    # The std correction is that of N(0, 1) truncated to [-2, 2]: variance 1 - 4 phi(2) / (Phi(2) - Phi(-2)).
    phi2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    assert abs(math.sqrt(1 - 4 * phi2 / mass) - hidden.TRUNCATION_CORRECTION) < 1e-15
