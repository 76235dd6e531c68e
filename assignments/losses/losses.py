"""Assignment: loss functions in NumPy, with the conventions of Keras 3.

Course notes: 000 section 2 (常见损失函数) and 001 section 2.4.
Handout: README.md (English) and README.zh_CN.md (简体中文讲义), in this folder.

Write each function with NumPy alone. Do not call keras.losses.*, tf.keras.losses.*,
tf.nn.*_cross_entropy_with_logits or any other library loss: the grader only sees your
return values, but the point is to write the formulas yourself.

Conventions for every function below (they are those of ``keras.losses.<Name>()`` with its
default reduction, "sum_over_batch_size"):
- ``y_true`` and ``y_pred`` are NumPy arrays of the same shape ``(batch, k)``: ``k`` classes
  or outputs per sample, ``k`` may be 1 (for example a binary label per sample, shape (batch, 1)).
- ``y_pred`` is float32 or float64. ``y_true`` may be float or int (for example a one-hot
  int array); cast it to ``y_pred.dtype`` first.
- Reduction: first one value per sample (a sum or a mean over the last axis, as each
  function says), then the mean of those values over the batch.
- Return a single number: a Python float (``float(...)``) or a NumPy floating scalar.
  Not an array of one value per sample.
- Cross-entropies on probabilities clip them with EPSILON = 1e-7 (Keras's
  ``keras.config.epsilon()``) so that log never sees 0; on logits they use a stable
  formula instead and never clip.

Check your work with ``pytest assignments/losses`` (public tests; the grader's hidden tests use
other inputs, shapes and both dtypes).
"""

import numpy as np

EPSILON = 1e-7


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False):
    """Categorical (multi-class) cross-entropy, averaged over the batch.

    Per sample:  loss = -sum_c y_true[c] * log(p[c])      (sum over the last axis)

    If from_logits is False, ``y_pred`` holds probabilities, and p is computed as Keras does:
        1. renormalise each row to sum to 1:  p = y_pred / sum(y_pred, axis=-1, keepdims=True)
        2. then clip:                         p = clip(p, EPSILON, 1 - EPSILON)
    in that order (so a predicted probability of exactly 0 costs -log(1e-7) = 16.118...).

    If from_logits is True, ``y_pred`` holds logits z (any real numbers, possibly +-1000), and
        log(p) = log_softmax(z) = (z - m) - log(sum_j exp(z_j - m)),  m = max_j z_j
    computed exactly like that, stably and without clipping. (log(softmax(z)) is not stable:
    softmax underflows to 0 and log(0) is -inf.)

    Args:
        y_true: shape (batch, classes); one-hot rows (or any rows of class probabilities).
        y_pred: shape (batch, classes), float32 or float64; probabilities or logits.
        from_logits: whether y_pred holds logits.

    Returns:
        The mean over the batch of the per-sample losses: a Python float (or NumPy scalar).
    """
    raise NotImplementedError("categorical_crossentropy")


def binary_crossentropy(y_true, y_pred, from_logits: bool = False):
    """Binary cross-entropy, averaged over the last axis and then over the batch.

    Element-wise:  l = -(y * log(p) + (1 - y) * log(1 - p))     with y = y_true

    If from_logits is False, ``y_pred`` holds probabilities and p = clip(y_pred, EPSILON, 1 - EPSILON).

    If from_logits is True, ``y_pred`` holds logits x (p = sigmoid(x)); compute l stably as
        l = max(x, 0) - x * y + log1p(exp(-|x|))
    (the same value, without overflow, for any x, even +-1000; no clipping).

    Per sample: the mean of l over the last axis; then the mean over the batch. (For a
    (batch, k) array that is the mean of all elements.)

    Args:
        y_true: shape (batch, k), labels in [0, 1] (usually exactly 0 or 1); k may be 1.
        y_pred: shape (batch, k), float32 or float64; probabilities or logits.
        from_logits: whether y_pred holds logits.

    Returns:
        A Python float (or NumPy scalar).
    """
    raise NotImplementedError("binary_crossentropy")


def mean_absolute_error(y_true, y_pred):
    """Mean absolute error (L1 loss).

    Per sample:  mean over the last axis of |y_true - y_pred|; then the mean over the batch.

    Args:
        y_true: shape (batch, k); k may be 1.
        y_pred: shape (batch, k), float32 or float64.

    Returns:
        A Python float (or NumPy scalar).
    """
    raise NotImplementedError("mean_absolute_error")


def mean_squared_error(y_true, y_pred):
    """Mean squared error (L2 loss).

    Per sample:  mean over the last axis of (y_true - y_pred)**2; then the mean over the batch.

    Args:
        y_true: shape (batch, k); k may be 1.
        y_pred: shape (batch, k), float32 or float64.

    Returns:
        A Python float (or NumPy scalar).
    """
    raise NotImplementedError("mean_squared_error")


def huber(y_true, y_pred, delta: float = 1.0):
    """Huber loss (smooth L1), as keras.losses.Huber(delta=delta).

    Element-wise, with the error e = y_pred - y_true:
        l = 0.5 * e**2                       if |e| <= delta
        l = delta * |e| - 0.5 * delta**2     if |e| >  delta
    (quadratic near 0, linear further out; the two pieces meet at |e| = delta).

    Per sample: the mean of l over the last axis; then the mean over the batch.

    Args:
        y_true: shape (batch, k); k may be 1.
        y_pred: shape (batch, k), float32 or float64.
        delta: a positive Python float, where the loss changes from quadratic to linear.

    Returns:
        A Python float (or NumPy scalar).
    """
    raise NotImplementedError("huber")
