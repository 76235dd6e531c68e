"""Assignment: backpropagation from scratch in NumPy, an MLP for MNIST.

Handouts: assignments/mlp_numpy/README.md (English) and README.zh_CN.md (简体中文).
Course notes: 004 (the NJUPT lecture, 全连接神经网络的自定义编码实现): FullConnectionLayer,
Relu, Softmax, CrossEntropy and FullConnectionModel with He initialization.

Write each function with NumPy alone: no TensorFlow, no Keras, no autograd. The notes keep
their arrays inside objects (self.mem, self.W1); here every function takes what it needs as
arguments and returns NEW arrays, so that the grader can call it with its own weights. The
classes at the end of this file are the notes' classes, written with your functions: you do
not have to change them.

Conventions for every function below:
- Arrays: NumPy arrays of dtype float32 or float64. ``x`` is a batch of inputs, shape
  (batch, input_dim); ``labels`` are one-hot, shape (batch, num_classes), x's dtype.
- Output: ``numpy.ndarray`` results (not lists of numbers, not tf.Tensor), with the shapes
  given in each docstring and the dtype of the inputs (float32 in, float32 out).
- The bias, as in the notes: a column of ones is appended to x, so W1 has one more row than
  x has features, W1 of shape (input_dim + 1, hidden_dim). The output layer has no bias:
  W2 has shape (hidden_dim, num_classes). ``weights`` is the list [W1, W2].
- Never modify an argument in place: w = w - lr * g, not w -= lr * g. The grader checks.

Check your work with ``pytest assignments/mlp_numpy`` (public tests; the grader's hidden
tests use other shapes, both dtypes, numerical and TensorFlow gradients, and train your
model on MNIST).
"""

import numpy as np

EPS = 1e-12  # inside the log of the cross-entropy: log(p + EPS)


# ----------------------------------------------------------------------------- the layers


def add_bias_column(x: np.ndarray) -> np.ndarray:
    """x with a column of ones appended: (batch, d) -> (batch, d + 1)."""
    return np.concatenate([x, np.ones((x.shape[0], 1), dtype=x.dtype)], axis=1)


def fc_forward(x: np.ndarray, W: np.ndarray) -> np.ndarray:
    """H = X W: (batch, d_in) @ (d_in, d_out) -> (batch, d_out)."""
    return np.matmul(x, W)


def fc_backward(x: np.ndarray, W: np.ndarray, grad_h: np.ndarray) -> tuple:
    """(grad_x, grad_W) = (grad_H W^T, X^T grad_H)."""
    grad_x = np.matmul(grad_h, W.T)
    grad_W = np.matmul(x.T, grad_h)
    return grad_x, grad_W


def relu_forward(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0).astype(x.dtype, copy=False)


def relu_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """The upstream gradient where the layer's INPUT was positive, 0 elsewhere."""
    return np.where(x > 0, grad_out, 0).astype(grad_out.dtype, copy=False)


def softmax_forward(logits: np.ndarray) -> np.ndarray:
    """Softmax of each row, with the row's maximum subtracted first."""
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / np.sum(exp, axis=-1, keepdims=True)


def softmax_backward(probs: np.ndarray, grad_probs: np.ndarray) -> np.ndarray:
    """The gradient with respect to the logits: p * (g - sum_j g_j p_j), row by row."""
    return probs * (grad_probs - np.sum(grad_probs * probs, axis=-1, keepdims=True))


def cross_entropy_forward(probs: np.ndarray, labels: np.ndarray) -> float:
    """The batch's mean of -sum_k y_k log(p_k + EPS), as a Python float."""
    batch = probs.shape[0]
    return float(-np.sum(labels * np.log(probs + EPS)) / batch)


def cross_entropy_backward(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The gradient of cross_entropy_forward with respect to probs: -y / (p + EPS) / batch."""
    batch = probs.shape[0]
    return -labels / (probs + EPS) / batch


def softmax_cross_entropy_backward(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The gradient of the mean cross-entropy of softmax(logits) with respect to the logits,
    in one step: (softmax(logits) - y) / batch."""
    batch = logits.shape[0]
    return (softmax_forward(logits) - labels) / batch


# ----------------------------------------------------------------------------- the model


def init_weights(hidden_dim: int, input_dim: int = 784, num_classes: int = 10, seed: int = 0) -> list:
    """He initialization, as the notes write it: standard normal values divided by
    sqrt(fan_in / 2), where fan_in is the number of rows of the matrix:

        W1 = N(0, 1) of shape (input_dim + 1, hidden_dim) / sqrt((input_dim + 1) / 2)
        W2 = N(0, 1) of shape (hidden_dim, num_classes)   / sqrt(hidden_dim / 2)

    Use np.random.default_rng(seed): the same seed gives the same weights.

    Returns:
        [W1, W2], float64.
    """
    raise NotImplementedError("init_weights")


def model_forward(x: np.ndarray, weights: list) -> np.ndarray:
    """FullConnectionModel.forward: class probabilities

        softmax( relu( [x, 1] W1 ) W2 )

    Args:
        x: (batch, input_dim).
        weights: [W1, W2] of shapes (input_dim + 1, hidden_dim) and (hidden_dim, num_classes).

    Returns:
        (batch, num_classes).
    """
    raise NotImplementedError("model_forward")


def model_backward(x: np.ndarray, labels: np.ndarray, weights: list) -> list:
    """FullConnectionModel.backward: the gradients of the batch's mean cross-entropy of
    model_forward(x, weights) with respect to W1 and W2.

    Go backwards through the layers as the notes do: cross-entropy, softmax (or the combined
    softmax_cross_entropy_backward), fc 2, relu, fc 1 (whose input is x WITH its bias column).

    Returns:
        [grad_W1, grad_W2], of the shapes of W1 and W2.
    """
    raise NotImplementedError("model_backward")


def sgd_step(weights: list, grads: list, learning_rate: float) -> list:
    """One gradient-descent update: a new list [W - learning_rate * grad_W for each W].

    Returns new arrays; ``weights`` and ``grads`` stay unchanged.
    """
    raise NotImplementedError("sgd_step")


def train_step(x: np.ndarray, labels: np.ndarray, weights: list, learning_rate: float) -> tuple:
    """One training step on one batch: forward, backward, sgd_step.

    Returns:
        A tuple (new_weights, loss): the updated [W1, W2] and the batch's mean cross-entropy
        BEFORE the update.
    """
    raise NotImplementedError("train_step")


def train(x: np.ndarray, labels: np.ndarray, hidden_dim: int = 100, epochs: int = 3, batch_size: int = 32,
          learning_rate: float = 0.1, seed: int = 0) -> list:
    """Mini-batch SGD training from scratch.

    Start from init_weights(hidden_dim, x.shape[1], labels.shape[1], seed) converted to x's
    dtype. In each epoch visit every sample once, in a new random order (for example
    np.random.default_rng(seed).permutation), in batches of ``batch_size``, with train_step.

    Args:
        x: (n, input_dim) training inputs, float32 or float64 (the grader: MNIST pixels / 255).
        labels: (n, num_classes) one-hot labels, x's dtype.

    Returns:
        The trained weights [W1, W2], in x's dtype. The grader evaluates them with its own
        forward pass on the MNIST test set.
    """
    raise NotImplementedError("train")


# ----------------------------------------------------------------------------- the notes' classes
# The classes of the course notes, written with the functions above. Nothing here is graded.


class FullConnectionLayer:
    def forward(self, X, W):
        self.mem = {"X": X, "W": W}
        return fc_forward(X, W)

    def backward(self, grad_H):
        return fc_backward(self.mem["X"], self.mem["W"], grad_H)


class Relu:
    def forward(self, X):
        self.mem = {"X": X}
        return relu_forward(X)

    def backward(self, grad_y):
        return relu_backward(self.mem["X"], grad_y)


class Softmax:
    def forward(self, X):
        self.mem = {"p": softmax_forward(X)}
        return self.mem["p"]

    def backward(self, grad_y):
        return softmax_backward(self.mem["p"], grad_y)


class CrossEntropy:
    def forward(self, p, y):
        self.mem = {"p": p}
        return cross_entropy_forward(p, y)

    def backward(self, y):
        return cross_entropy_backward(self.mem["p"], y)


class FullConnectionModel:
    def __init__(self, latent_dims, seed=0):
        self.W1, self.W2 = init_weights(latent_dims, seed=seed)

    def forward(self, X, labels):
        self.h2_soft = model_forward(X, [self.W1, self.W2])
        self.loss = cross_entropy_forward(self.h2_soft, labels)
        return self.loss

    def backward(self, X, labels):
        self.W1_grad, self.W2_grad = model_backward(X, labels, [self.W1, self.W2])
