"""My mlp_numpy homework (course notes 004): every function written and checked with pytest."""

import numpy as np

EPS = 1e-12  # inside the log of the cross-entropy: log(p + EPS), so that p = 0 gives no -inf


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
    """He initialization, as the notes write it: N(0, 1) divided by sqrt(fan_in / 2), where
    W1's fan_in counts the bias row (input_dim + 1). Returns [W1, W2], float64."""
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0.0, 1.0, size=(input_dim + 1, hidden_dim)) / np.sqrt((input_dim + 1) / 2)
    W2 = rng.normal(0.0, 1.0, size=(hidden_dim, num_classes)) / np.sqrt(hidden_dim / 2)
    return [W1, W2]


def model_forward(x: np.ndarray, weights: list) -> np.ndarray:
    """Class probabilities: softmax(relu([x, 1] W1) W2), shape (batch, num_classes)."""
    W1, W2 = weights
    h1 = fc_forward(add_bias_column(x), W1)
    h2 = fc_forward(relu_forward(h1), W2)
    return softmax_forward(h2)


def model_backward(x: np.ndarray, labels: np.ndarray, weights: list) -> list:
    """[grad_W1, grad_W2]: the gradients of the batch's mean cross-entropy, chained layer by
    layer backwards, as the notes' FullConnectionModel.backward does."""
    W1, W2 = weights
    x1 = add_bias_column(x)
    h1 = fc_forward(x1, W1)
    a1 = relu_forward(h1)
    probs = softmax_forward(fc_forward(a1, W2))
    grad_probs = cross_entropy_backward(probs, labels)
    grad_h2 = softmax_backward(probs, grad_probs)
    grad_a1, grad_W2 = fc_backward(a1, W2, grad_h2)
    grad_h1 = relu_backward(h1, grad_a1)
    _, grad_W1 = fc_backward(x1, W1, grad_h1)
    return [grad_W1, grad_W2]


def sgd_step(weights: list, grads: list, learning_rate: float) -> list:
    """New weights W - learning_rate * grad_W, one per weight; the inputs stay unchanged."""
    return [W - learning_rate * g for W, g in zip(weights, grads)]


def train_step(x: np.ndarray, labels: np.ndarray, weights: list, learning_rate: float) -> tuple:
    """One SGD step on one batch: (new weights, the batch's loss before the step)."""
    loss = cross_entropy_forward(model_forward(x, weights), labels)
    grads = model_backward(x, labels, weights)
    return sgd_step(weights, grads, learning_rate), loss


def train(x: np.ndarray, labels: np.ndarray, hidden_dim: int = 100, epochs: int = 3, batch_size: int = 32,
          learning_rate: float = 0.1, seed: int = 0) -> list:
    """Mini-batch SGD from init_weights(hidden_dim, x.shape[1], labels.shape[1], seed): each
    epoch visits the samples in a new random order (a generator seeded with ``seed``), in
    batches of ``batch_size`` (a last, smaller batch included). Returns [W1, W2] in x's dtype."""
    weights = [w.astype(x.dtype) for w in init_weights(hidden_dim, x.shape[1], labels.shape[1], seed)]
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(x.shape[0])
        for start in range(0, x.shape[0], batch_size):
            batch = order[start:start + batch_size]
            weights, _ = train_step(x[batch], labels[batch], weights, learning_rate)
    return weights


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
