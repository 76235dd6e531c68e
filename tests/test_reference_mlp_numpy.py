"""The reference mlp_numpy agrees with TensorFlow: every forward with tf ops, every backward with
tf.GradientTape on the same inputs and weights, in float32 and float64; He initialization has
the notes' standard deviation; nothing is modified in place. No MNIST training here: the reference's
training is graded (and so checked) by tests/test_wrong_variants_mlp_numpy.py, and measured over 5
seeds by benchmarks/mlp_numpy_threshold.py."""

import importlib.util
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "mlp_numpy" / "mlp_numpy.py"
DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]
TOL = {np.float32: dict(rtol=1e-4, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-12)}


@pytest.fixture(scope="module")
def ref():
    spec = importlib.util.spec_from_file_location("reference_mlp_numpy_under_test", SOLUTION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def normal(seed, shape, dtype, scale=1.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape).astype(dtype)


def check(got, expected, dtype):
    expected = np.asarray(expected)
    assert type(got) is np.ndarray and got.shape == expected.shape and got.dtype == dtype
    np.testing.assert_allclose(got, expected, **TOL[dtype])


def tape(loss_of, *arrays):
    variables = [tf.Variable(a) for a in arrays]
    with tf.GradientTape() as t:
        loss = loss_of(*variables)
    return [g.numpy() for g in t.gradient(loss, variables)]


@pytest.mark.parametrize("dtype", DTYPES)
def test_layers_match_tensorflow(ref, dtype):
    x, W, R = normal(1, (9, 7), dtype), normal(2, (7, 5), dtype), normal(3, (9, 5), dtype)
    check(ref.fc_forward(x, W), tf.matmul(x, W).numpy(), dtype)
    grad_x, grad_W = ref.fc_backward(x, W, R)
    expected = tape(lambda a, b: tf.reduce_sum(tf.matmul(a, b) * R), x, W)
    check(grad_x, expected[0], dtype)
    check(grad_W, expected[1], dtype)
    check(ref.relu_forward(x), tf.nn.relu(x).numpy(), dtype)
    check(ref.relu_backward(x, x * 2), tape(lambda a: tf.reduce_sum(tf.nn.relu(a) * (x * 2)), x)[0], dtype)
    z = normal(4, (6, 4), dtype, scale=3.0)
    p = ref.softmax_forward(z)
    check(p, tf.nn.softmax(z).numpy(), dtype)
    G = normal(5, (6, 4), dtype)
    check(ref.softmax_backward(p, G), tape(lambda a: tf.reduce_sum(tf.nn.softmax(a) * G), z)[0], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_losses_match_tensorflow(ref, dtype):
    z = normal(6, (8, 5), dtype, scale=2.0)
    y = np.eye(5, dtype=dtype)[np.random.default_rng(7).integers(0, 5, size=8)]
    p = tf.nn.softmax(z).numpy()

    def ce(q):
        return -tf.reduce_sum(y * tf.math.log(q + ref.EPS)) / q.shape[0]

    assert ref.cross_entropy_forward(p, y) == pytest.approx(float(ce(tf.constant(p))), rel=TOL[dtype]["rtol"])
    check(ref.cross_entropy_backward(p, y), tape(ce, p)[0], dtype)
    keras_loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(y, z)).numpy()
    assert ref.cross_entropy_forward(ref.softmax_forward(z), y) == pytest.approx(float(keras_loss), rel=1e-4)
    combined = tape(lambda a: tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(y, a)), z)[0]
    check(ref.softmax_cross_entropy_backward(z, y), combined, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_model_and_steps_match_tensorflow(ref, dtype):
    x = normal(8, (10, 6), dtype)
    y = np.eye(4, dtype=dtype)[np.random.default_rng(9).integers(0, 4, size=10)]
    W1, W2 = normal(10, (7, 5), dtype, scale=0.5), normal(11, (5, 4), dtype, scale=0.5)
    originals = [W1.copy(), W2.copy()]

    def forward(a, b):
        x1 = tf.concat([x, tf.ones((x.shape[0], 1), x.dtype)], axis=1)
        return tf.nn.softmax(tf.matmul(tf.nn.relu(tf.matmul(x1, a)), b))

    def loss(a, b):
        return -tf.reduce_sum(y * tf.math.log(forward(a, b) + ref.EPS)) / x.shape[0]

    check(ref.model_forward(x, [W1, W2]), forward(W1, W2).numpy(), dtype)
    grads = ref.model_backward(x, y, [W1, W2])
    for got, expected in zip(grads, tape(loss, W1, W2)):
        check(got, expected, dtype)
    (new_W1, new_W2), step_loss = ref.train_step(x, y, [W1, W2], 0.5)
    check(new_W1, W1 - dtype(0.5) * grads[0], dtype)
    check(new_W2, W2 - dtype(0.5) * grads[1], dtype)
    assert step_loss == pytest.approx(float(loss(W1, W2)), rel=TOL[dtype]["rtol"])
    for before, after in zip(originals, (W1, W2)):
        np.testing.assert_array_equal(before, after)


def test_he_initialization_has_the_notes_standard_deviation(ref):
    W1, W2 = ref.init_weights(200, seed=3)
    assert W1.shape == (785, 200) and W2.shape == (200, 10) and W1.dtype == W2.dtype == np.float64
    assert np.std(W1) == pytest.approx(np.sqrt(2 / 785), rel=0.02)
    assert np.std(W2) == pytest.approx(np.sqrt(2 / 200), rel=0.05)
    again = ref.init_weights(200, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(again, (W1, W2)))


def test_train_returns_weights_in_the_inputs_dtype(ref):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(70, 6)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, size=70)]
    W1, W2 = ref.train(x, y, hidden_dim=5, epochs=2, batch_size=32, learning_rate=0.1, seed=1)
    assert (W1.shape, W2.shape, W1.dtype, W2.dtype) == ((7, 5), (5, 3), np.float32, np.float32)
