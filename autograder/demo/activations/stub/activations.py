"""Assignment: activation functions in NumPy.

Course notes: 000 section 1.2.1 (激活函数) and 001 section 2.3.
Handout: README.md (English) and README.zh_CN.md (简体中文讲义), in this folder.

Write each function with NumPy alone (np.exp, np.maximum, np.where, np.max, np.sum, ...).
Do not call tf.nn.*, keras.activations.*, scipy.special.expit or scipy.special.softmax:
the grader only sees your return values, but the point is to write the formulas yourself.

Conventions for every function below:
- Input ``x``: a NumPy array, dtype float32 or float64, any shape with at least one axis.
- Output: a NumPy array (``numpy.ndarray``, not a list, not a tf.Tensor) with the same
  shape AND the same dtype as ``x``. Beware: multiplying a float32 array by a
  ``np.float64(...)`` scalar gives float64; a plain Python float keeps float32.
- No overflow, no NaN: the grader calls your functions with inputs as large as +-1000.
  ``np.exp(1000)`` is ``inf`` and ``inf / inf`` is NaN; rewrite the formula so that exp
  never gets a large positive argument.

Check your work with ``pytest assignments/activations`` (public tests; the grader's hidden
tests use other inputs, shapes and both dtypes).
"""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic sigmoid, element-wise.

        sigmoid(x) = 1 / (1 + exp(-x))

    Stable form: for x >= 0 use 1 / (1 + exp(-x)); for x < 0 use the equal expression
    exp(x) / (1 + exp(x)). Then exp only ever sees arguments <= 0.

    Args:
        x: float32 or float64 array, any shape.

    Returns:
        Array of the same shape and dtype as ``x``, values in [0, 1]
        (sigmoid(-1000) is 0.0, sigmoid(1000) is 1.0).

    Do not call tf.nn.sigmoid, keras.activations.sigmoid or scipy.special.expit.
    """
    raise NotImplementedError("sigmoid")


def tanh(x: np.ndarray) -> np.ndarray:
    """The hyperbolic tangent, element-wise.

        tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x)) = (1 - exp(-2x)) / (1 + exp(-2x))

    Stable form: tanh is odd (tanh(-x) = -tanh(x)), so compute
    (1 - exp(-2|x|)) / (1 + exp(-2|x|)) and give it the sign of x.

    Args:
        x: float32 or float64 array, any shape.

    Returns:
        Array of the same shape and dtype as ``x``, values in [-1, 1]
        (tanh(-1000) is -1.0, tanh(1000) is 1.0).

    Write it from np.exp (or np.expm1); do not call tf.nn.tanh or keras.activations.tanh.
    np.tanh is fine for comparing against in your own checks.
    """
    raise NotImplementedError("tanh")


def relu(x: np.ndarray) -> np.ndarray:
    """The rectified linear unit, element-wise.

        relu(x) = max(0, x)

    Args:
        x: float32 or float64 array, any shape.

    Returns:
        Array of the same shape and dtype as ``x``.

    Do not call tf.nn.relu or keras.activations.relu.
    """
    raise NotImplementedError("relu")


def leaky_relu(x: np.ndarray, alpha: float = 0.1) -> np.ndarray:
    """Leaky ReLU, element-wise.

        leaky_relu(x) = x          if x >= 0
                        alpha * x  if x < 0
                      = max(alpha * x, x)   (for 0 < alpha < 1)

    The default alpha = 0.1 follows the course notes (f(x) = max(0.1x, x)). Careful:
    tf.nn.leaky_relu's default is alpha=0.2, so ``tf.nn.leaky_relu(x)`` is NOT the
    expected answer; ``tf.nn.leaky_relu(x, alpha=0.1)`` is.

    Args:
        x: float32 or float64 array, any shape.
        alpha: the slope for negative inputs, a Python float with 0 < alpha < 1.

    Returns:
        Array of the same shape and dtype as ``x``.

    Do not call tf.nn.leaky_relu or keras.activations.leaky_relu.
    """
    raise NotImplementedError("leaky_relu")


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``.

        softmax(x)_i = exp(x_i) / sum_j exp(x_j)        (i, j run along ``axis``)

    Stable form: subtract the maximum along ``axis`` first (use keepdims=True so that it
    broadcasts); this does not change the result and keeps every exponent <= 0:

        m = max_j x_j;   softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m)

    Args:
        x: float32 or float64 array, any shape (for example (batch, classes)).
        axis: the axis to normalise over; default -1 (the last axis, one distribution
            per row of a (batch, classes) array). Other axes (0, 1, ...) must work too.

    Returns:
        Array of the same shape and dtype as ``x``; its values are in [0, 1] and sum to 1
        along ``axis``.

    Do not call tf.nn.softmax, keras.activations.softmax or scipy.special.softmax.
    """
    raise NotImplementedError("softmax")
