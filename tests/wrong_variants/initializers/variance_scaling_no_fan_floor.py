"""WRONG VARIANT, graded by tests/test_wrong_variants_initializers.py.

The mistake: Glorot and He divide by n, not max(1, n): a shape with a 0 in it divides by zero.

A copy of solutions/initializers/initializers.py with that one mistake.
"""

import math

import numpy as np

# The standard deviation of a standard normal truncated to [-2, 2]: Keras divides by it so that
# the std after truncation is the one asked for.
TRUNCATED_NORMAL_STD_CORRECTION = 0.87962566103423978


def _rng(seed):
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def _float_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a float type, got {dtype}")
    return dtype


def _shape(shape):
    return tuple(int(n) for n in shape)


def compute_fans(shape):
    """(fan_in, fan_out) of a weight shape, as keras.src.initializers.random_initializers.compute_fans."""
    shape = _shape(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = 1
    for n in shape[:-2]:
        receptive_field *= n
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _truncated_standard_normal(rng, shape):
    """Standard normal values with those outside [-2, 2] re-drawn until none is left."""
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2.0
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2.0
    return z


def random_normal(shape, seed=None, mean=0.0, stddev=0.05, dtype="float32"):
    """keras.initializers.RandomNormal(mean, stddev): N(mean, stddev^2), not truncated."""
    rng, shape, dtype = _rng(seed), _shape(shape), _float_dtype(dtype)
    return (mean + stddev * rng.standard_normal(shape)).astype(dtype)


def truncated_normal(shape, seed=None, mean=0.0, stddev=0.05, dtype="float32"):
    """keras.initializers.TruncatedNormal(mean, stddev): N(mean, stddev^2) with values more than
    2 * stddev from the mean re-drawn (stddev is the untruncated one; the std of the result is
    0.8796... * stddev)."""
    rng, shape, dtype = _rng(seed), _shape(shape), _float_dtype(dtype)
    return (mean + stddev * _truncated_standard_normal(rng, shape)).astype(dtype)


def _variance_scaling(shape, seed, dtype, scale, mode, distribution):
    rng, shape, dtype = _rng(seed), _shape(shape), _float_dtype(dtype)
    fan_in, fan_out = compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    scale = scale / n
    if distribution == "truncated_normal":
        stddev = math.sqrt(scale) / TRUNCATED_NORMAL_STD_CORRECTION
        return (stddev * _truncated_standard_normal(rng, shape)).astype(dtype)
    limit = math.sqrt(3.0 * scale)
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def standard_uniform(shape, seed=None, dtype="float32"):
    """U(-1/sqrt(d), 1/sqrt(d)) with d = max(1, fan_in); = VarianceScaling(1/3, "fan_in", "uniform")."""
    rng, shape, dtype = _rng(seed), _shape(shape), _float_dtype(dtype)
    limit = 1.0 / math.sqrt(max(1.0, compute_fans(shape)[0]))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def glorot_normal(shape, seed=None, dtype="float32"):
    """keras.initializers.GlorotNormal: truncated normal, std after truncation sqrt(2/(fan_in+fan_out))."""
    return _variance_scaling(shape, seed, dtype, 1.0, "fan_avg", "truncated_normal")


def glorot_uniform(shape, seed=None, dtype="float32"):
    """keras.initializers.GlorotUniform: U[-limit, limit), limit = sqrt(6/(fan_in+fan_out))."""
    return _variance_scaling(shape, seed, dtype, 1.0, "fan_avg", "uniform")


def he_normal(shape, seed=None, dtype="float32"):
    """keras.initializers.HeNormal: truncated normal, std after truncation sqrt(2/fan_in)."""
    return _variance_scaling(shape, seed, dtype, 2.0, "fan_in", "truncated_normal")


def he_uniform(shape, seed=None, dtype="float32"):
    """keras.initializers.HeUniform: U[-limit, limit), limit = sqrt(6/fan_in)."""
    return _variance_scaling(shape, seed, dtype, 2.0, "fan_in", "uniform")
