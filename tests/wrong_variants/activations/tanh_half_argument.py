"""WRONG VARIANT, graded by tests/test_wrong_variants_activations.py.

The mistake: tanh uses exp(-|x|) where exp(-2|x|) is meant (it computes tanh(x / 2)).

A copy of solutions/activations/activations.py with that one mistake.
"""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) = 1 / (1 + exp(-x)), evaluated so that exp never sees a large positive argument.

    For x >= 0 use 1 / (1 + exp(-x)); for x < 0 use the equal form exp(x) / (1 + exp(x)).
    """
    x = np.asarray(x)
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    exp_x = np.exp(x[~positive])
    out[~positive] = exp_x / (1.0 + exp_x)
    return out


def tanh(x: np.ndarray) -> np.ndarray:
    """tanh(x) = (1 - exp(-2x)) / (1 + exp(-2x)) for x >= 0, and tanh(-x) = -tanh(x).

    Written with expm1 (exp(t) - 1 without cancellation) so that it stays accurate near 0:
    with t = expm1(-2|x|), tanh(|x|) = -t / (2 + t).
    """
    x = np.asarray(x)
    t = np.expm1(-1.0 * np.abs(x))
    return (np.sign(x) * (-t / (2.0 + t))).astype(x.dtype, copy=False)


def relu(x: np.ndarray) -> np.ndarray:
    """relu(x) = max(0, x), element-wise."""
    x = np.asarray(x)
    return np.maximum(x, 0).astype(x.dtype, copy=False)


def leaky_relu(x: np.ndarray, alpha: float = 0.1) -> np.ndarray:
    """leaky_relu(x) = x for x >= 0, alpha * x for x < 0 (= max(alpha * x, x) for 0 < alpha < 1).

    The default alpha = 0.1 follows the course notes; tf.nn.leaky_relu's default is 0.2.
    """
    x = np.asarray(x)
    return np.where(x >= 0, x, alpha * x).astype(x.dtype, copy=False)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m) along ``axis``, m = max_j x_j.

    Subtracting the maximum changes nothing mathematically and keeps every exponent <= 0.
    """
    x = np.asarray(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    exp_shifted = np.exp(shifted)
    return (exp_shifted / np.sum(exp_shifted, axis=axis, keepdims=True)).astype(x.dtype, copy=False)
