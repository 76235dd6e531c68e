"""WRONG VARIANT, graded by tests/test_wrong_variants_losses.py.

The mistake: categorical_crossentropy takes -log p[argmax y_true] (the true class's term only),
right for one-hot labels only.

A copy of solutions/losses/losses.py with that one mistake.
"""

import numpy as np

# keras.config.epsilon(): probabilities are clipped to [EPSILON, 1 - EPSILON] before log.
EPSILON = 1e-7


def _prepare(y_true, y_pred):
    y_pred = np.asarray(y_pred)
    if not np.issubdtype(y_pred.dtype, np.floating):
        y_pred = y_pred.astype(np.float64)
    y_true = np.asarray(y_true).astype(y_pred.dtype, copy=False)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}")
    return y_true, y_pred


def _batch_mean(per_sample: np.ndarray) -> float:
    return float(np.mean(per_sample))


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> float:
    """mean over the batch of  -sum_c y_true[c] * log p[c].

    Probabilities (from_logits=False): p = y_pred / sum(y_pred, axis=-1), then clipped to
    [1e-7, 1 - 1e-7]. Logits (from_logits=True): log p = log_softmax(y_pred), computed stably
    and never clipped.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    if from_logits:
        log_p = _log_softmax(y_pred)
    else:
        p = y_pred / np.sum(y_pred, axis=-1, keepdims=True)
        log_p = np.log(np.clip(p, EPSILON, 1.0 - EPSILON))
    picked = np.take_along_axis(log_p, np.argmax(y_true, axis=-1)[:, None], axis=-1)
    return _batch_mean(-picked[:, 0])


def binary_crossentropy(y_true, y_pred, from_logits: bool = False) -> float:
    """mean over the batch of  mean over the last axis of  -(y log p + (1 - y) log(1 - p)).

    Probabilities: p = clip(y_pred, 1e-7, 1 - 1e-7). Logits x: the same quantity written
    stably as max(x, 0) - x * y + log1p(exp(-|x|)).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    if from_logits:
        x = y_pred
        elementwise = np.maximum(x, 0) - x * y_true + np.log1p(np.exp(-np.abs(x)))
    else:
        p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        elementwise = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
    return _batch_mean(np.mean(elementwise, axis=-1))


def mean_absolute_error(y_true, y_pred) -> float:
    """mean over the batch of  mean over the last axis of  |y_true - y_pred|."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return _batch_mean(np.mean(np.abs(y_true - y_pred), axis=-1))


def mean_squared_error(y_true, y_pred) -> float:
    """mean over the batch of  mean over the last axis of  (y_true - y_pred)**2."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return _batch_mean(np.mean(np.square(y_true - y_pred), axis=-1))


def huber(y_true, y_pred, delta: float = 1.0) -> float:
    """Huber (smooth L1): with e = y_pred - y_true,
    0.5 * e**2 where |e| <= delta, and delta * |e| - 0.5 * delta**2 elsewhere;
    mean over the last axis, then over the batch.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    error = y_pred - y_true
    abs_error = np.abs(error)
    elementwise = np.where(abs_error <= delta, 0.5 * np.square(error), delta * abs_error - 0.5 * delta**2)
    return _batch_mean(np.mean(elementwise, axis=-1))
