"""Public tests for the mlp_numpy assignment: a fixed case for every function, and its contract
(numpy arrays of the stated shapes, the input's dtype, float32 and float64, nothing modified in
place).

Run them with ``pytest assignments/mlp_numpy``. The grader's hidden tests check the same things
on other inputs and shapes, compare every backward with numerical and TensorFlow gradients, and
train your model with ``train`` on MNIST (see the handout). These tests need NumPy alone.
"""

import numpy as np
import pytest

from autograder.checks import CheckFailure, Stage, expect_array, expect_array_like, expect_items, expect_scalar
from autograder.i18n import _, _f

DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]
TOL = {np.float32: dict(rtol=1e-4, atol=1e-6), np.float64: dict(rtol=1e-9, atol=1e-12)}

X = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])           # (batch 2, 3 features)
W = np.array([[0.5, -1.0], [1.0, 0.25], [-0.5, 2.0]])          # (3, 2)
Y = np.array([[0.0, 1.0], [1.0, 0.0]])                          # one-hot, 2 classes


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def with_ones(x):
    return np.concatenate([x, np.ones((x.shape[0], 1))], axis=1)


def small_model():
    x = np.array([[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0]])       # (batch 3, 2 features)
    labels = np.eye(3)[[0, 2, 1]]                               # 3 classes
    W1 = np.array([[0.3, -0.2, 0.5, 0.1], [0.4, 0.6, -0.3, 0.2], [0.1, 0.2, 0.3, -0.4]])  # (2 + 1, 4)
    W2 = np.array([[0.2, -0.5, 0.3], [0.7, 0.1, -0.2], [-0.3, 0.4, 0.5], [0.6, -0.1, 0.2]])  # (4, 3)
    return x, labels, W1, W2


def model_gradients(x, labels, W1, W2):
    """The model's gradients, written out here (the hidden tests use TensorFlow and central differences)."""
    x1 = with_ones(x)
    h1 = x1 @ W1
    a1 = np.maximum(h1, 0)
    grad_h2 = (softmax(a1 @ W2) - labels) / x.shape[0]
    grad_h1 = np.where(h1 > 0, grad_h2 @ W2.T, 0)
    return x1.T @ grad_h1, a1.T @ grad_h2


@pytest.mark.points(1)
def test_add_bias_column(submission):
    expect_array(submission.add_bias_column(X.astype(np.float32)), with_ones(X).astype(np.float32), **TOL[np.float32],
                 what="add_bias_column(x) (float32)")


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_fc_forward_and_backward(submission, dtype):
    x, w, grad_h = X.astype(dtype), W.astype(dtype), np.array([[1.0, 0.5], [-1.0, 2.0]], dtype=dtype)
    expect_array(submission.fc_forward(x, w), (X @ W).astype(dtype), **TOL[dtype], what=f"fc_forward ({dtype.__name__})")
    got = submission.read_only("fc_backward")(x, w, grad_h)
    expect_items(got, 2, what="fc_backward(x, W, grad_h)")
    backward = f"fc_backward ({dtype.__name__})"
    expect_array(got[0], (grad_h @ w.T).astype(dtype), **TOL[dtype], what=_f("{name} of {what}", name="grad_x",
                                                                             what=backward))
    expect_array(got[1], (x.T @ grad_h).astype(dtype), **TOL[dtype], what=_f("{name} of {what}", name="grad_W",
                                                                             what=backward))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_forward_and_backward(submission, dtype):
    x = X.astype(dtype)
    grad = np.array([[2.0, 3.0, -1.0], [4.0, 5.0, 6.0]], dtype=dtype)
    expect_array(submission.relu_forward(x), np.maximum(X, 0).astype(dtype), **TOL[dtype], what="relu_forward(x)")
    # The mask comes from the input x: x > 0.
    expected = np.array([[2.0, 0.0, -1.0], [0.0, 5.0, 0.0]], dtype=dtype)
    expect_array(submission.read_only("relu_backward")(x, grad), expected, **TOL[dtype], what="relu_backward(x, grad_out)")


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_forward_and_backward(submission, dtype):
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]])
    expect_array(submission.softmax_forward(z.astype(dtype)), softmax(z).astype(dtype), **TOL[dtype],
                 what=_("softmax_forward(logits), logits up to +-1000"))
    p = softmax(np.array([[0.5, -1.0, 2.0], [0.0, 0.3, -0.2]]))
    g = np.array([[1.0, -2.0, 0.5], [0.25, 0.0, 3.0]])
    expected = p * (g - np.sum(g * p, axis=-1, keepdims=True))
    expect_array(submission.read_only("softmax_backward")(p.astype(dtype), g.astype(dtype)), expected.astype(dtype),
                 **TOL[dtype], what="softmax_backward(probs, grad_probs)")


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy(submission, dtype):
    p = np.array([[0.2, 0.8], [0.6, 0.4]])
    loss = -(np.log(0.8 + 1e-12) + np.log(0.6 + 1e-12)) / 2
    expect_scalar(submission.cross_entropy_forward(p.astype(dtype), Y.astype(dtype)), loss, **TOL[dtype],
                  what="cross_entropy_forward(probs, labels)")
    expected = -Y / (p + 1e-12) / 2  # divided by the batch size, 2
    expect_array(submission.read_only("cross_entropy_backward")(p.astype(dtype), Y.astype(dtype)),
                 expected.astype(dtype), **TOL[dtype], what="cross_entropy_backward(probs, labels)")
    z = np.array([[0.5, -0.5], [2.0, 1.0]])
    expect_array(submission.read_only("softmax_cross_entropy_backward")(z.astype(dtype), Y.astype(dtype)),
                 ((softmax(z) - Y) / 2).astype(dtype), **TOL[dtype], what="softmax_cross_entropy_backward(logits, labels)")


@pytest.mark.points(1)
def test_init_weights_shapes_and_scale(submission):
    got = submission.init_weights(300, input_dim=784, num_classes=10, seed=0)
    expect_items(got, 2, what="init_weights(300)")
    expect_array_like(got[0], (785, 300), np.float64, what=_f("{name} of {what}", name="W1", what="init_weights(300)"))
    expect_array_like(got[1], (300, 10), np.float64, what=_f("{name} of {what}", name="W2", what="init_weights(300)"))
    for name, value in zip(("W1", "W2"), got):
        ratio = float(np.std(value)) / np.sqrt(2.0 / value.shape[0])
        if abs(ratio - 1.0) > 0.1:
            raise CheckFailure(Stage.VALUES, _f("{name}'s standard deviation is {ratio} times sqrt(2 / fan_in).",
                                                name=name, ratio=format(ratio, ".2f")))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_model_forward_and_backward(submission, dtype):
    x, labels, W1, W2 = small_model()
    weights = [W1.astype(dtype), W2.astype(dtype)]
    probs = softmax(np.maximum(with_ones(x) @ W1, 0) @ W2)
    expect_array(submission.read_only("model_forward")(x.astype(dtype), weights), probs.astype(dtype), **TOL[dtype],
                 what="model_forward(x, weights)")
    got = submission.read_only("model_backward")(x.astype(dtype), labels.astype(dtype), weights)
    expect_items(got, 2, what="model_backward(x, labels, weights)")
    for name, value, expected in zip(("grad_W1", "grad_W2"), got, model_gradients(x, labels, W1, W2)):
        expect_array(value, expected.astype(dtype), **TOL[dtype], what=_f("{name} of {what}", name=name,
                                                                          what="model_backward"))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sgd_step_and_train_step(submission, dtype):
    x, labels, W1, W2 = small_model()
    weights = [W1.astype(dtype), W2.astype(dtype)]
    grads = model_gradients(x, labels, W1, W2)
    new = submission.read_only("sgd_step")(weights, [g.astype(dtype) for g in grads], 0.5)
    expect_items(new, 2, what="sgd_step(weights, grads, 0.5)")
    for index, (value, w, g) in enumerate(zip(new, (W1, W2), grads)):
        expect_array(value, (w - 0.5 * g).astype(dtype), **TOL[dtype], what=_f("item {index} of {what}", index=index,
                                                                               what="sgd_step"))
    got = submission.read_only("train_step")(x.astype(dtype), labels.astype(dtype), weights, 0.5)
    expect_items(got, 2, what="train_step(x, labels, weights, 0.5)")
    expect_items(got[0], 2, what=_f("the new weights of {what}", what="train_step"))
    for index, (value, w, g) in enumerate(zip(got[0], (W1, W2), grads)):
        expect_array(value, (w - 0.5 * g).astype(dtype), **TOL[dtype], what=_f("new W{number} of {what}",
                                                                               number=index + 1, what="train_step"))
    loss = -np.sum(labels * np.log(softmax(np.maximum(with_ones(x) @ W1, 0) @ W2) + 1e-12)) / 3
    expect_scalar(got[1], loss, **TOL[dtype], what=_f("the loss of {what}", what="train_step"))


@pytest.mark.points(1)
def test_train_returns_float32_weights_that_learn(submission):
    # Two well-separated blobs in 4-D: any correct train() separates them in one epoch.
    rng = np.random.default_rng(0)
    centres = np.array([[2.0, 0.0, -2.0, 1.0], [-2.0, 1.0, 2.0, -1.0]])
    classes = rng.integers(0, 2, size=256)
    x = (centres[classes] + rng.normal(scale=0.5, size=(256, 4))).astype(np.float32)
    labels = np.eye(2, dtype=np.float32)[classes]
    weights = submission.read_only("train")(x, labels, hidden_dim=8, epochs=1, batch_size=32, learning_rate=0.1, seed=0)
    expect_items(weights, 2, what="train(x, labels, hidden_dim=8, ...)")
    expect_array_like(weights[0], (5, 8), np.float32, what=_f("{name} of {what}", name="W1", what="train(...)"))
    expect_array_like(weights[1], (8, 2), np.float32, what=_f("{name} of {what}", name="W2", what="train(...)"))
    hidden = np.maximum(with_ones(x.astype(np.float64)) @ weights[0], 0)
    accuracy = float(np.mean(np.argmax(hidden @ weights[1], axis=1) == classes))
    if accuracy < 0.9:
        raise CheckFailure(Stage.VALUES, _f("train(...)'s weights classify {accuracy} of two separated blobs right.",
                                            accuracy=format(accuracy, ".2f")))
