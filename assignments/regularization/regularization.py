"""Assignment: regularisation in NumPy, exactly as Keras 3 does it.

Course notes: 000 section 4 (正则化: L1/L2, dropout, early stopping, batch normalisation)
and 001 section 2.5.
Handout: README.md (English) and README.zh_CN.md (简体中文讲义), in this folder.

Write each function with NumPy alone; do not call keras.regularizers.*, keras.layers.*,
keras.callbacks.* or tf.* (compare with them in your own checks if you like).

Conventions:
- Arrays are NumPy float32 or float64; compute in the input's dtype and return arrays of the
  input's shape and dtype. (A Python float hyperparameter keeps float32: ``l2 * w`` is float32
  for a float32 ``w``.)
- A penalty is a single number: return a Python float (``float(...)``) or a NumPy scalar.
- The grader passes ints as seeds, or no seed.

Check your work with ``pytest assignments/regularization``.
"""

import numpy as np


# ----------------------------------------------------------------------------- L1, L2, L1L2
# The penalty is added to the loss; its gradient is added to the kernel's gradient.


def l1_penalty(weights, l1=0.01):
    """keras.regularizers.L1(l1=0.01):  penalty = l1 * sum(|w|)  over all elements.

    Args:
        weights: a kernel, any shape, float32 or float64.
        l1: the factor (Keras's default 0.01).

    Returns:
        A single number.
    """
    raise NotImplementedError("l1_penalty")


def l1_gradient(weights, l1=0.01):
    """The gradient of l1_penalty with respect to the weights:  l1 * sign(w).

    At w == 0 use 0 (sign(0) = 0), as TensorFlow's gradient of |w| does.

    Returns:
        Array of the same shape and dtype as ``weights``.
    """
    raise NotImplementedError("l1_gradient")


def l2_penalty(weights, l2=0.01):
    """keras.regularizers.L2(l2=0.01):  penalty = l2 * sum(w^2).

    Careful: Keras has NO factor 1/2 (some textbooks write l2/2 * sum(w^2); Keras does not).

    Returns:
        A single number.
    """
    raise NotImplementedError("l2_penalty")


def l2_gradient(weights, l2=0.01):
    """The gradient of l2_penalty:  2 * l2 * w.

    Returns:
        Array of the same shape and dtype as ``weights``.
    """
    raise NotImplementedError("l2_gradient")


def l1l2_penalty(weights, l1=0.0, l2=0.0):
    """keras.regularizers.L1L2(l1=0.0, l2=0.0):  penalty = l1 * sum(|w|) + l2 * sum(w^2).

    Note Keras's defaults: 0.0 and 0.0 here (so l1l2_penalty(w) is 0.0), unlike L1 and L2's 0.01.

    Returns:
        A single number.
    """
    raise NotImplementedError("l1l2_penalty")


def l1l2_gradient(weights, l1=0.0, l2=0.0):
    """The gradient of l1l2_penalty:  l1 * sign(w) + 2 * l2 * w.

    Returns:
        Array of the same shape and dtype as ``weights``.
    """
    raise NotImplementedError("l1l2_gradient")


# ----------------------------------------------------------------------------- dropout


def dropout(x, rate, training=True, seed=None):
    """keras.layers.Dropout(rate)(x, training=training): inverted dropout.

    Training (training=True and rate > 0): drop each element independently with probability
    ``rate`` (set it to 0) and scale the kept elements by 1 / (1 - rate), so that the expected
    output equals x:

        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        dropped = rng.random(x.shape) < rate
        out = where(dropped, 0, x / (1 - rate))

    Draw the mask from the seed and x's shape only (as above): the same seed then gives the same
    mask (for any x of that shape), and seed=None a fresh mask at every call. rate == 1 gives all
    zeros.

    Inference (training=False), or rate == 0: return x unchanged. Keras's layer does nothing at
    inference: the scaling already happened during training.

    Args:
        x: float32 or float64 array, any shape.
        rate: the probability of dropping an element, 0 <= rate <= 1 (the course's 0.2, ...).
        training: whether the network is training.
        seed: an int or None.

    Returns:
        Array of the same shape and dtype as ``x``.
    """
    raise NotImplementedError("dropout")


# ----------------------------------------------------------------------------- batch normalisation


def batch_norm(x, gamma, beta, moving_mean, moving_variance, training=False, momentum=0.99, epsilon=1e-3):
    """The forward pass of keras.layers.BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3).

    The features are on the last axis (C channels); the statistics are taken over all the
    other axes: axis 0 for a (batch, C) input, axes (0, 1, 2) for a (batch, H, W, C) input.

    Training (training=True): use the batch's statistics and update the moving ones:
        mean = mean of x over the other axes                      (shape (C,))
        var  = mean of (x - mean)^2 over the other axes           (BIASED: divide by the count, not count - 1)
        y    = gamma * (x - mean) / sqrt(var + epsilon) + beta
        new_moving_mean     = moving_mean * momentum + mean * (1 - momentum)
        new_moving_variance = moving_variance * momentum + var * (1 - momentum)
    (momentum weighs the OLD moving value: 0.99 means the moving statistics change slowly.)

    Inference (training=False, Keras's default outside fit()): use the moving statistics:
        y = gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta
        and return moving_mean and moving_variance unchanged.

    Args:
        x: float32 or float64 array of shape (..., C).
        gamma, beta, moving_mean, moving_variance: arrays of shape (C,), x's dtype.
        training: whether to use (and update with) the batch's statistics.
        momentum, epsilon: Keras's defaults 0.99 and 1e-3.

    Returns:
        A tuple (y, new_moving_mean, new_moving_variance): y like x; the others of shape (C,).
    """
    raise NotImplementedError("batch_norm")


# ----------------------------------------------------------------------------- early stopping


def early_stopping(history, patience=0, min_delta=0.0, mode="min", baseline=None, start_from_epoch=0):
    """Replay keras.callbacks.EarlyStopping on a history of monitored values.

    ``history[epoch]`` is the monitored value (for example val_loss) at the end of epoch
    ``epoch`` (0-based) of a training of len(history) epochs. After each epoch Keras's callback
    does exactly this (with wait = 0, best = None, best_epoch = 0, stopped_epoch = 0 at the start):

        if epoch < start_from_epoch: skip this epoch (nothing changes)
        wait += 1
        if improves(current, best):
            best, best_epoch = current, epoch
            if baseline is None or improves(current, baseline):
                wait = 0
            (continue with the next epoch: no stopping check this epoch)
        elif wait >= patience and epoch > 0:
            stopped_epoch = epoch;  training stops (no further epochs run)

    where improves(current, reference) is True when reference is None, and otherwise
        mode "min":  current + |min_delta| < reference     (current - min_delta, with min_delta < 0)
        mode "max":  current - |min_delta| > reference
    Keras uses |min_delta|: a negative min_delta means the same as a positive one.
    (Keras's mode "auto" picks "min" for a loss and "max" for an accuracy; here, pass it.)

    Args:
        history: a list of floats, one per epoch.
        patience, min_delta, mode, baseline, start_from_epoch: as keras.callbacks.EarlyStopping.

    Returns:
        A dict of three ints (Python or NumPy integers):
        - "stopped_epoch": Keras's ``stopped_epoch``: the 0-based epoch at whose end training
          stopped, or 0 if it never stopped;
        - "best_epoch": Keras's ``best_epoch``: the 0-based epoch of the best value seen;
        - "epochs_run": the number of epochs that ran, len(history.history["loss"]) in the
          course's example: stopped_epoch + 1 if it stopped, else len(history).
    """
    raise NotImplementedError("early_stopping")
