"""Assignment: weight initialisers in NumPy, exactly as Keras 3 defines them.

Course notes: 000 section 1.2.2 (参数初始化).
Handout: README.md (English) and README.zh_CN.md (简体中文讲义), in this folder.

Write each function with NumPy alone. Do not call keras.initializers.*, tf.keras.initializers.*,
tf.random.* or scipy.stats: the point is to write the definitions yourself. (Keras draws
different random numbers than NumPy, so your arrays will never equal Keras's element by
element; the grader checks their statistics instead, see below.)

Conventions for every random function below:
- ``shape``: a tuple of ints, for example (fan_in, fan_out) for a Dense kernel or
  (kh, kw, cin, cout) for a Conv2D kernel.
- ``seed``: an int, or None (the default). Turn it into a generator with
  ``rng = np.random.default_rng(seed)`` and draw every random number from ``rng``: the same
  int seed must always give the same array, two different seeds different arrays, and no
  seed (None) fresh random numbers on every call.
- ``dtype``: a string, "float32" (the default, Keras's float type) or "float64". Return a
  ``numpy.ndarray`` of exactly this shape and dtype (draw in float64, then ``.astype(dtype)``).
- The fans come from ``compute_fans(shape)`` (below), as in Keras.

How the grader checks random arrays: on seeded samples of about 60,000 values it checks the
shape and dtype, that the same seed gives the same array, the mean and standard deviation,
the bounds (uniform limits, truncation points) and the whole distribution (the empirical CDF).
Its tolerances come from the sample size so that a correct function passes with a probability
above 1 - 1e-9 per check: if you lose a point, the definition is wrong, not your luck.

Check your work with ``pytest assignments/initializers``.
"""

import numpy as np

# The standard deviation of a standard normal truncated to [-2, 2] (Keras's constant).
TRUNCATED_NORMAL_STD_CORRECTION = 0.87962566103423978


def compute_fans(shape):
    """The numbers of input and output units of a weight shape, as Keras computes them.

        len(shape) == 0:  fan_in = fan_out = 1
        len(shape) == 1:  fan_in = fan_out = shape[0]                       (a bias)
        len(shape) == 2:  fan_in = shape[0], fan_out = shape[1]             (a Dense kernel)
        len(shape) >= 3:  a convolution kernel (..., cin, cout):
                          receptive_field = product of shape[:-2]            (kh * kw for Conv2D)
                          fan_in  = shape[-2] * receptive_field             (kh * kw * cin)
                          fan_out = shape[-1] * receptive_field             (kh * kw * cout)

    Args:
        shape: a tuple of ints.

    Returns:
        A tuple of two Python ints ``(fan_in, fan_out)``.
    """
    raise NotImplementedError("compute_fans")


def random_normal(shape, seed=None, mean=0.0, stddev=0.05, dtype="float32"):
    """keras.initializers.RandomNormal(mean=0.0, stddev=0.05): samples of N(mean, stddev^2).

    Not truncated. Keras's default stddev is 0.05 (the course notes' "mean 0, std 1, scaled to
    small values").

    Returns:
        Array of the given shape and dtype.
    """
    raise NotImplementedError("random_normal")


def truncated_normal(shape, seed=None, mean=0.0, stddev=0.05, dtype="float32"):
    """keras.initializers.TruncatedNormal(mean=0.0, stddev=0.05).

    Draw from N(mean, stddev^2); every value more than 2 * stddev away from the mean is
    discarded and drawn again (repeat until none is left). ``stddev`` is the standard deviation
    of the normal *before* truncation: the standard deviation of the result is smaller,
    TRUNCATED_NORMAL_STD_CORRECTION * stddev = 0.8796 * stddev.

    Hint: draw z = rng.standard_normal(shape); while some |z| > 2, redraw those positions;
    return mean + stddev * z. (Clipping to [-2, 2] is NOT the same distribution.)

    Returns:
        Array of the given shape and dtype, every value in [mean - 2 stddev, mean + 2 stddev].
    """
    raise NotImplementedError("truncated_normal")


def standard_uniform(shape, seed=None, dtype="float32"):
    """The course's "standard" initialisation: U(-1/sqrt(d), 1/sqrt(d)), d = max(1, fan_in).

    d is the number of inputs of a neuron: fan_in from compute_fans(shape). (In Keras terms:
    VarianceScaling(scale=1/3, mode="fan_in", distribution="uniform").) Draw with
    ``rng.uniform(-limit, limit, size=shape)``.

    Returns:
        Array of the given shape and dtype, every value in [-limit, limit).
    """
    raise NotImplementedError("standard_uniform")


def glorot_normal(shape, seed=None, dtype="float32"):
    """keras.initializers.GlorotNormal (Xavier normal).

    A truncated normal (as in truncated_normal, mean 0) whose standard deviation AFTER
    truncation is sqrt(2 / (fan_in + fan_out)). Keras gets it by truncating a normal of
    stddev = sqrt(2 / (fan_in + fan_out)) / 0.87962566103423978 at 2 * stddev:

        n = max(1, (fan_in + fan_out) / 2)
        stddev = sqrt(1 / n) / TRUNCATED_NORMAL_STD_CORRECTION
        values = stddev * (standard normal truncated to [-2, 2])

    Returns:
        Array of the given shape and dtype, every value in [-2 stddev, 2 stddev].
    """
    raise NotImplementedError("glorot_normal")


def glorot_uniform(shape, seed=None, dtype="float32"):
    """keras.initializers.GlorotUniform (Xavier uniform): U[-limit, limit),

        limit = sqrt(6 / (fan_in + fan_out))    (= sqrt(3 / n), n = max(1, (fan_in + fan_out) / 2))

    Returns:
        Array of the given shape and dtype.
    """
    raise NotImplementedError("glorot_uniform")


def he_normal(shape, seed=None, dtype="float32"):
    """keras.initializers.HeNormal.

    A truncated normal (mean 0) whose standard deviation AFTER truncation is sqrt(2 / fan_in):

        n = max(1, fan_in)
        stddev = sqrt(2 / n) / TRUNCATED_NORMAL_STD_CORRECTION
        values = stddev * (standard normal truncated to [-2, 2])

    Returns:
        Array of the given shape and dtype, every value in [-2 stddev, 2 stddev].
    """
    raise NotImplementedError("he_normal")


def he_uniform(shape, seed=None, dtype="float32"):
    """keras.initializers.HeUniform: U[-limit, limit),

        limit = sqrt(6 / fan_in)    (= sqrt(3 * 2 / n), n = max(1, fan_in))

    Returns:
        Array of the given shape and dtype.
    """
    raise NotImplementedError("he_uniform")
