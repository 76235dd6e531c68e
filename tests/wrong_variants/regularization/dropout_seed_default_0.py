"""WRONG VARIANT, graded by tests/test_wrong_variants_regularization.py.

The mistake: dropout's seed defaults to 0, so every unseeded call draws the same mask.

A copy of solutions/regularization/regularization.py with that one mistake.
"""

import numpy as np


def _float(w):
    w = np.asarray(w)
    return w if w.dtype.kind == "f" else w.astype(np.float64)


def l1_penalty(weights, l1=0.01):
    """keras.regularizers.L1(l1): l1 * sum(|w|), computed in the weights' dtype."""
    w = _float(weights)
    return float(w.dtype.type(l1) * np.sum(np.abs(w)))


def l1_gradient(weights, l1=0.01):
    """d/dw of l1 * sum(|w|): l1 * sign(w) (0 where w == 0, as TensorFlow's gradient of abs)."""
    w = _float(weights)
    return (w.dtype.type(l1) * np.sign(w)).astype(w.dtype)


def l2_penalty(weights, l2=0.01):
    """keras.regularizers.L2(l2): l2 * sum(w^2) (no 1/2)."""
    w = _float(weights)
    return float(w.dtype.type(l2) * np.sum(np.square(w)))


def l2_gradient(weights, l2=0.01):
    """d/dw of l2 * sum(w^2): 2 * l2 * w."""
    w = _float(weights)
    return (w.dtype.type(2.0 * l2) * w).astype(w.dtype)


def l1l2_penalty(weights, l1=0.0, l2=0.0):
    """keras.regularizers.L1L2(l1, l2) (defaults 0.0 and 0.0): l1 * sum(|w|) + l2 * sum(w^2)."""
    w = _float(weights)
    dt = w.dtype.type
    return float(dt(l1) * np.sum(np.abs(w)) + dt(l2) * np.sum(np.square(w)))


def l1l2_gradient(weights, l1=0.0, l2=0.0):
    """l1 * sign(w) + 2 * l2 * w."""
    w = _float(weights)
    dt = w.dtype.type
    return (dt(l1) * np.sign(w) + dt(2.0 * l2) * w).astype(w.dtype)


def dropout(x, rate, training=True, seed=0):
    """keras.layers.Dropout(rate)(x, training): inverted dropout.

    Training: each element is dropped (set to 0) independently with probability ``rate`` and
    the kept ones are scaled by 1 / (1 - rate). The mask is ``rng.random(x.shape) < rate``
    (True = dropped) with rng = np.random.default_rng(seed) (or seed itself if it is a
    Generator). Inference (training False), or rate 0: x unchanged. rate 1: all zeros.
    """
    x = _float(x)
    if not training or rate == 0.0:
        return x.copy()
    if rate >= 1.0:
        return np.zeros_like(x)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    dropped = rng.random(x.shape) < rate
    return np.where(dropped, x.dtype.type(0), x / x.dtype.type(1.0 - rate)).astype(x.dtype)


def batch_norm(x, gamma, beta, moving_mean, moving_variance, training=False, momentum=0.99, epsilon=1e-3):
    """keras.layers.BatchNormalization(axis=-1, momentum, epsilon) forward pass.

    Returns (y, new_moving_mean, new_moving_variance).
    """
    x = _float(x)
    dt = x.dtype.type
    gamma, beta = np.asarray(gamma, dtype=x.dtype), np.asarray(beta, dtype=x.dtype)
    moving_mean = np.asarray(moving_mean, dtype=x.dtype)
    moving_variance = np.asarray(moving_variance, dtype=x.dtype)
    if training:
        axes = tuple(range(x.ndim - 1))
        mean = np.mean(x, axis=axes)
        variance = np.mean(np.square(x - mean), axis=axes)  # biased: divide by the count
        new_mean = moving_mean * dt(momentum) + mean * dt(1.0 - momentum)
        new_variance = moving_variance * dt(momentum) + variance * dt(1.0 - momentum)
    else:
        mean, variance = moving_mean, moving_variance
        new_mean, new_variance = moving_mean.copy(), moving_variance.copy()
    y = gamma * (x - mean) / np.sqrt(variance + dt(epsilon)) + beta
    return y.astype(x.dtype), new_mean, new_variance


def early_stopping(history, patience=0, min_delta=0.0, mode="min", baseline=None, start_from_epoch=0):
    """keras.callbacks.EarlyStopping's decisions on ``history[epoch]``, the monitored values.

    Returns {"stopped_epoch", "best_epoch", "epochs_run"}: Keras's stopped_epoch (0-based epoch
    at whose end training stopped, 0 if it never stopped) and best_epoch (0-based), and the
    number of epochs that ran.
    """
    if mode not in ("min", "max"):
        raise ValueError("mode must be 'min' or 'max'")
    delta = abs(float(min_delta))

    def improves(current, reference):
        if reference is None:
            return True
        if mode == "min":
            return current + delta < reference
        return current - delta > reference

    wait, best, best_epoch, stopped_epoch = 0, None, 0, 0
    epochs_run = 0
    for epoch, value in enumerate(history):
        epochs_run = epoch + 1
        current = float(value)
        if epoch < start_from_epoch:
            continue
        wait += 1
        if improves(current, best):
            best, best_epoch = current, epoch
            if baseline is None or improves(current, float(baseline)):
                wait = 0
            continue
        if wait >= patience and epoch > 0:
            stopped_epoch = epoch
            break
    return {"stopped_epoch": int(stopped_epoch), "best_epoch": int(best_epoch), "epochs_run": int(epochs_run)}
