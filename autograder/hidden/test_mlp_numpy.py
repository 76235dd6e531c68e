"""Hidden grading tests: mlp_numpy (30 points).

Points per function:
    fc_forward                      2   float32 1, float64 1
    fc_backward                     2   float32 1, float64 1 (grad_x and grad_W)
    relu_forward                    1   both dtypes
    relu_backward                   2   float32 1, float64 1
    softmax_forward                 3   float32 1, float64 1, logits up to +-1000 (both dtypes) 1
    softmax_backward                2   float32 1, float64 1
    cross_entropy_forward           1   both dtypes
    cross_entropy_backward          2   float32 1, float64 1
    softmax_cross_entropy_backward  2   float32 1, float64 1
    init_weights                    2   shapes, float64, He statistics (fan_in), seeding
    model_forward                   2   float32 1, float64 1
    model_backward                  2   float32 1, float64 1
    sgd_step                        1   both dtypes
    train_step                      1   both dtypes (new weights and loss)
    train                           5   learns MNIST (test accuracy of the returned weights)
    total                          30

Every backward is graded against two gradients computed here, in the grader's process, never in
the sandbox, on the same inputs and weights: TensorFlow's ``tf.GradientTape`` on the forward
pass written with TensorFlow ops, in float64, and central differences (h = 1e-6) of the same
forward pass written in NumPy, in float64. The two must agree with each other first
(``_agreed``); if they did not, that is a grader error, never the student's. A float32
submission is compared with the float64 gradients cast to float32. Each backward is called
read-only (``submission.read_only``): a function that changes its inputs, weights included, in
place fails its test.

Tolerances, derived per dtype from the machine epsilon eps (float32 1.2e-7, float64 2.2e-16):
the inputs are tiny (at most 13 terms in a sum, values of order 1, conditioning below 100), so
an honest computation in the input's dtype is within about 13 * 100 * eps of the float64 value,
relative to the largest entry of the result. We allow 1000 * eps (float32 rtol 1.2e-4) and
1e6 * eps (float64 rtol 2.2e-10), with atol the same multiple of eps times the largest
|expected| entry (so that entries near 0 are judged at the result's scale). Central differences
carry an error of order h^2 + eps / h (about 1e-10 here): they are compared with rtol 1e-6 and
atol 1e-6 times the largest entry, whichever dtype. Every known mistake (a missing transpose,
a missing division by the batch, a relu gradient taken from the output) is off by 10% or more.

Training is graded on learning. ``train`` runs in the sandbox on the grader's own seeded subset of
MNIST (TRAIN_SAMPLES images, pixels / 255, float32, one-hot labels) with the hyperparameters of
TRAINING; it returns weights, which are data: they are checked strictly here (a list of two
float32 arrays of the architecture's exact shapes, finite), then evaluated with the reference's
forward pass on the 10,000 MNIST test images, in this process. So the accuracy cannot be faked.
MIN_TEST_ACCURACY is measured over 5 seeds by benchmarks/mlp_numpy_threshold.py (evidence:
benchmarks/results/mlp_numpy_threshold.json): the reference's worst seed minus max(0.03, 3
standard deviations), rounded down to 0.01, as for the model assignments.
"""

import os
import sys

import numpy as np
import pytest

from autograder.checks import CheckFailure, Stage, expect_array, expect_array_like, expect_items, expect_scalar, \
    record_metric
from autograder.i18n import _f

DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]
EPS_MULTIPLE = {np.float32: 1e3, np.float64: 1e6}
NUMERIC_RTOL = 1e-6
H = 1e-6
CE_EPS = 1e-12  # the handout's EPS, inside log(p + EPS)

# The grader's training recipe (the handout states it), and the minimum test accuracy of its weights.
TRAIN_SAMPLES = 12_800
TRAINING = dict(hidden_dim=100, epochs=3, batch_size=32, learning_rate=0.1, seed=0)
DATA_SEED = 2026
MIN_TEST_ACCURACY = 0.89


def tol(dtype, expected) -> dict:
    """rtol and atol for a result of ``dtype`` whose float64 value is ``expected``."""
    multiple = EPS_MULTIPLE[dtype] * float(np.finfo(dtype).eps)
    scale = float(np.max(np.abs(expected))) if np.size(expected) else 1.0
    return dict(rtol=multiple, atol=multiple * max(scale, 1e-30))


def numeric_tol(expected) -> dict:
    scale = float(np.max(np.abs(expected))) if np.size(expected) else 1.0
    return dict(rtol=NUMERIC_RTOL, atol=NUMERIC_RTOL * max(scale, 1e-30))


def _name(dtype) -> str:
    return np.dtype(dtype).name


# ----------------------------------------------------------------------------- trusted gradients


def _tf():
    """TensorFlow, imported here (the trusted process) on first use: the stub never pays for it.

    TensorFlow 2.21 logs through absl before any log level applies ("Could not find cuda drivers",
    "failed call to cuInit"), and a numeric batch grades in the instructor's own process: the
    native stderr goes nowhere while it imports and first places a tensor, then comes back."""
    if "tensorflow" not in sys.modules:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            import tensorflow as tf

            tf.constant(0.0).numpy()  # device discovery, which logs too
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
    import tensorflow as tf

    return tf


def tape_gradients(loss_of, *arrays) -> list:
    """d loss_of(*arrays) / d each array, by tf.GradientTape, in float64."""
    tf = _tf()
    variables = [tf.Variable(np.asarray(a, dtype=np.float64)) for a in arrays]
    with tf.GradientTape() as tape:
        loss = loss_of(tf, *variables)
    return [g.numpy() for g in tape.gradient(loss, variables)]


def numerical_gradients(loss_of, *arrays) -> list:
    """Central differences of the NumPy scalar function loss_of(*arrays), in float64."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    grads = []
    for a in arrays:
        grad = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            keep = a[index]
            a[index] = keep + H
            up = loss_of(*arrays)
            a[index] = keep - H
            down = loss_of(*arrays)
            a[index] = keep
            grad[index] = (up - down) / (2 * H)
        grads.append(grad)
    return grads


def _agreed(taped, numerical) -> list:
    """The tape's gradients, once the central differences confirm them (else a grader error)."""
    for t, n in zip(taped, numerical):
        np.testing.assert_allclose(n, t, **numeric_tol(t))  # a RuntimeError-like grader failure
    return taped


def trusted_gradients(tf_loss, np_loss, *arrays) -> tuple:
    """(the tape's gradients, the central differences), both float64, checked against each other."""
    numerical = numerical_gradients(np_loss, *arrays)
    try:
        return _agreed(tape_gradients(tf_loss, *arrays), numerical), numerical
    except AssertionError as error:  # never the student's fault: report it as the grader's
        raise RuntimeError(f"the grader's gradients disagree: {str(error)[:200]}") from None


def expect_gradient(got, taped, numerical, dtype, *, what: str) -> None:
    """The usual order (type, shape, dtype, finite, values) against the tape, then the values
    against central differences."""
    expect_array(got, taped.astype(dtype), **tol(dtype, taped), what=what)
    expect_array(got, numerical.astype(dtype), check_dtype=False,
                 **{k: max(v, tol(dtype, numerical)[k]) for k, v in numeric_tol(numerical).items()}, what=what)


# ----------------------------------------------------------------------------- the forward passes


def np_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def np_with_ones(x):
    return np.concatenate([x, np.ones((x.shape[0], 1))], axis=1)


def np_model(x, W1, W2):
    return np_softmax(np.maximum(np_with_ones(x) @ W1, 0) @ W2)


def np_ce(p, y):
    return -np.sum(y * np.log(p + CE_EPS)) / p.shape[0]


def tf_model(tf, x, W1, W2):
    x1 = tf.concat([tf.constant(x, tf.float64), tf.ones((x.shape[0], 1), tf.float64)], axis=1)
    return tf.nn.softmax(tf.matmul(tf.nn.relu(tf.matmul(x1, W1)), W2), axis=-1)


def tf_ce(tf, p, y):
    return -tf.reduce_sum(tf.constant(y, tf.float64) * tf.math.log(p + CE_EPS)) / p.shape[0]


# ----------------------------------------------------------------------------- inputs


def normal(seed, shape, scale=1.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


def one_hot(seed, batch, classes):
    return np.eye(classes)[np.random.default_rng(seed).integers(0, classes, size=batch)]


def away_from_zero(seed, shape):
    """Normal values with |x| >= 0.05: relu's kink stays out of the central differences' reach."""
    x = normal(seed, shape)
    return np.where(np.abs(x) < 0.05, np.sign(x + 1e-9) * 0.05 + x, x)


def probabilities(seed, batch, classes):
    return np_softmax(normal(seed, (batch, classes), scale=2.0))


def model_case(seed, batch=9, input_dim=12, hidden=8, classes=5):
    """x, one-hot labels and He-scaled weights, with no hidden unit at relu's kink."""
    x = normal(seed, (batch, input_dim))
    W1 = normal(seed + 1, (input_dim + 1, hidden), scale=np.sqrt(2 / (input_dim + 1)))
    W2 = normal(seed + 2, (hidden, classes), scale=np.sqrt(2 / hidden))
    h1 = np_with_ones(x) @ W1
    W1[-1] += np.where(np.abs(h1) < 0.05, 0.1, 0.0).max(axis=0)  # move every unit off the kink
    return x, one_hot(seed + 3, batch, classes), W1, W2


# ----------------------------------------------------------------------------- the layers


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_fc_forward(submission, dtype):
    x, W = normal(11, (7, 6)), normal(12, (6, 4))
    got = submission.read_only("fc_forward")(x.astype(dtype), W.astype(dtype))
    expected = _tf().matmul(x, W).numpy()
    expect_array(got, expected.astype(dtype), **tol(dtype, expected), what=f"fc_forward(x, W) ({_name(dtype)})")


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_fc_backward(submission, dtype):
    x, W, R = normal(21, (7, 6)), normal(22, (6, 4)), normal(23, (7, 4))
    got = submission.read_only("fc_backward")(x.astype(dtype), W.astype(dtype), R.astype(dtype))
    expect_items(got, 2, what=f"fc_backward(x, W, grad_h) ({_name(dtype)})")
    taped, numerical = trusted_gradients(lambda tf, x_, W_: tf.reduce_sum(tf.matmul(x_, W_) * R),
                              lambda x_, W_: np.sum((x_ @ W_) * R), x, W)
    for value, t, n, name in zip(got, taped, numerical, ("grad_x", "grad_W")):
        call = "fc_backward(x, W, grad_h) (" + _name(dtype) + ")"
        expect_gradient(value, t, n, dtype, what=_f("{name} of {what}", name=name, what=call))


@pytest.mark.points(1)
def test_relu_forward(submission):
    for seed, shape, dtype in [(31, (6, 7), np.float32), (32, (3, 4, 5), np.float64)]:
        x = normal(seed, shape)
        got = submission.read_only("relu_forward")(x.astype(dtype))
        expected = _tf().nn.relu(x).numpy()
        expect_array(got, expected.astype(dtype), **tol(dtype, expected), what=f"relu_forward(x) ({_name(dtype)})")


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_backward(submission, dtype):
    x, R = away_from_zero(41, (8, 6)), normal(42, (8, 6))
    got = submission.read_only("relu_backward")(x.astype(dtype), R.astype(dtype))
    taped, numerical = trusted_gradients(lambda tf, x_: tf.reduce_sum(tf.nn.relu(x_) * R),
                              lambda x_: np.sum(np.maximum(x_, 0) * R), x)
    expect_gradient(got, taped[0], numerical[0], dtype, what=f"relu_backward(x, grad_out) ({_name(dtype)})")


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_forward(submission, dtype):
    z = normal(51, (8, 10), scale=3.0)
    got = submission.read_only("softmax_forward")(z.astype(dtype))
    expected = _tf().nn.softmax(z, axis=-1).numpy()
    expect_array(got, expected.astype(dtype), **tol(dtype, expected), what=f"softmax_forward(logits) ({_name(dtype)})")


@pytest.mark.points(1)
def test_softmax_forward_extreme_logits(submission):
    fixed = np.array([[1000.0, -1000.0, 0.0, 5.0], [-1000.0, -1000.0, -1000.0, -1000.0],
                      [1000.0, 1000.0, 999.0, -1000.0], [750.0, 0.0, -750.0, 749.5]])
    z = np.vstack([fixed, np.random.default_rng(52).uniform(-1000.0, 1000.0, size=(3, 4))])
    expected = _tf().nn.softmax(z, axis=-1).numpy()
    for dtype in (np.float32, np.float64):
        got = submission.read_only("softmax_forward")(z.astype(dtype))
        # exp(z - max) in float32 loses up to 1e-4 relative near +-1000: stability is judged here, not the last digit.
        expect_array(got, expected.astype(dtype), rtol=1e-4 if dtype is np.float32 else 1e-10, atol=1e-6,
                     what=_f("softmax_forward of {dtype} logits up to +-1000", dtype=_name(dtype)))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_backward(submission, dtype):
    z, G = normal(61, (6, 5), scale=2.0), normal(62, (6, 5))
    p = np_softmax(z)
    got = submission.read_only("softmax_backward")(p.astype(dtype), G.astype(dtype))
    # The gradient with respect to the logits z of sum(softmax(z) * G).
    taped, numerical = trusted_gradients(lambda tf, z_: tf.reduce_sum(tf.nn.softmax(z_, axis=-1) * G),
                              lambda z_: np.sum(np_softmax(z_) * G), z)
    expect_gradient(got, taped[0], numerical[0], dtype, what=f"softmax_backward(probs, grad_probs) ({_name(dtype)})")


@pytest.mark.points(1)
def test_cross_entropy_forward(submission):
    for seed, dtype in [(71, np.float32), (72, np.float64)]:
        p, y = probabilities(seed, 9, 6), one_hot(seed + 10, 9, 6)
        got = submission.read_only("cross_entropy_forward")(p.astype(dtype), y.astype(dtype))
        tf = _tf()
        expected = float(tf_ce(tf, tf.constant(p), y).numpy())
        expect_scalar(got, expected, **tol(dtype, expected), what=f"cross_entropy_forward(probs, labels) ({_name(dtype)})")


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_backward(submission, dtype):
    p, y = probabilities(81, 9, 6), one_hot(82, 9, 6)
    got = submission.read_only("cross_entropy_backward")(p.astype(dtype), y.astype(dtype))
    taped, numerical = trusted_gradients(lambda tf, p_: tf_ce(tf, p_, y), lambda p_: np_ce(p_, y), p)
    # Central differences stay inside (0, 1): every p is far above H.
    expect_gradient(got, taped[0], numerical[0], dtype, what=f"cross_entropy_backward(probs, labels) ({_name(dtype)})")


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_cross_entropy_backward(submission, dtype):
    z, y = normal(91, (9, 6), scale=2.0), one_hot(92, 9, 6)
    got = submission.read_only("softmax_cross_entropy_backward")(z.astype(dtype), y.astype(dtype))

    def tf_loss(tf, z_):
        return -tf.reduce_sum(y * tf.nn.log_softmax(z_, axis=-1)) / z_.shape[0]

    def np_loss(z_):
        shifted = z_ - z_.max(axis=-1, keepdims=True)
        return -np.sum(y * (shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))) / z_.shape[0]

    taped, numerical = trusted_gradients(tf_loss, np_loss, z)
    expect_gradient(got, taped[0], numerical[0], dtype,
                    what=f"softmax_cross_entropy_backward(logits, labels) ({_name(dtype)})")


# ----------------------------------------------------------------------------- the model


@pytest.mark.points(2)
def test_init_weights_he_normal(submission):
    """Shapes, float64, mean about 0 and std sqrt(2 / fan_in) (fan_in: the rows, W1's bias row
    included), the same weights for the same seed and others for another seed."""
    cases = [(64, 784, 10, 5, 0.05), (256, 30, 10, 6, 0.10)]  # hidden, input, classes, seed, std tolerance
    for hidden, inputs, classes, seed, std_tol in cases:
        what = f"init_weights({hidden}, input_dim={inputs}, num_classes={classes}, seed={seed})"
        call = submission.read_only("init_weights")
        got = call(hidden, input_dim=inputs, num_classes=classes, seed=seed)
        expect_items(got, 2, what=what)
        shapes = [(inputs + 1, hidden), (hidden, classes)]
        for name, value, shape in zip(("W1", "W2"), got, shapes):
            expect_array_like(value, shape, np.float64, what=_f("{name} of {what}", name=name, what=what))
            expected_std = np.sqrt(2.0 / shape[0])
            std, mean = float(np.std(value)), float(np.mean(value))
            if abs(std / expected_std - 1.0) > std_tol:
                raise CheckFailure(Stage.VALUES, _f("{name} of {what} has a standard deviation {ratio} times He's "
                                                    "sqrt(2 / fan_in), where fan_in is its number of rows.",
                                                    name=name, what=what, ratio=format(std / expected_std, ".2f")))
            if abs(mean) > 5 * expected_std / np.sqrt(value.size):
                raise CheckFailure(Stage.VALUES, _f("{name} of {what} does not have mean 0.", name=name, what=what))
        again = call(hidden, input_dim=inputs, num_classes=classes, seed=seed)
        expect_items(again, 2, what=what)
        if not all(type(a) is np.ndarray and np.array_equal(a, b) for a, b in zip(again, got)):
            raise CheckFailure(Stage.VALUES, _f("{what} gives other weights when called again with the same seed.",
                                                what=what))
        other = call(hidden, input_dim=inputs, num_classes=classes, seed=seed + 1)
        expect_items(other, 2, what=what)
        if any(type(a) is np.ndarray and a.shape == b.shape and np.array_equal(a, b) for a, b in zip(other, got)):
            raise CheckFailure(Stage.VALUES, _f("init_weights gives the same weights for seeds {seed} and {other}.",
                                                seed=seed, other=seed + 1))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_model_forward(submission, dtype):
    x, _, W1, W2 = model_case(101, batch=11, input_dim=10, hidden=7, classes=4)
    got = submission.read_only("model_forward")(x.astype(dtype), [W1.astype(dtype), W2.astype(dtype)])
    tf = _tf()
    expected = tf_model(tf, x, tf.constant(W1), tf.constant(W2)).numpy()
    expect_array(got, expected.astype(dtype), **tol(dtype, expected), what=f"model_forward(x, weights) ({_name(dtype)})")


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", DTYPES)
def test_model_backward(submission, dtype):
    x, y, W1, W2 = model_case(111)
    what = f"model_backward(x, labels, weights) ({_name(dtype)})"
    got = submission.read_only("model_backward")(x.astype(dtype), y.astype(dtype), [W1.astype(dtype), W2.astype(dtype)])
    expect_items(got, 2, what=what)
    taped, numerical = trusted_gradients(lambda tf, A, B: tf_ce(tf, tf_model(tf, x, A, B), y),
                              lambda A, B: np_ce(np_model(x, A, B), y), W1, W2)
    for value, t, n, name in zip(got, taped, numerical, ("grad_W1", "grad_W2")):
        expect_gradient(value, t, n, dtype, what=_f("{name} of {what}", name=name, what=what))


@pytest.mark.points(1)
def test_sgd_step(submission):
    for seed, dtype, rate in [(121, np.float32, 0.05), (122, np.float64, 0.3)]:
        weights = [normal(seed, (5, 4)).astype(dtype), normal(seed + 1, (4, 3)).astype(dtype)]
        grads = [normal(seed + 2, (5, 4)).astype(dtype), normal(seed + 3, (4, 3)).astype(dtype)]
        what = f"sgd_step(weights, grads, {rate}) ({_name(dtype)})"
        got = submission.read_only("sgd_step")(weights, grads, rate)
        expect_items(got, 2, what=what)
        for index, (value, w, g) in enumerate(zip(got, weights, grads)):
            expected = w.astype(np.float64) - rate * g.astype(np.float64)
            expect_array(value, expected.astype(dtype), **tol(dtype, expected),
                         what=_f("item {index} of {what}", index=index, what=what))


@pytest.mark.points(1)
def test_train_step(submission):
    for seed, dtype, rate in [(131, np.float32, 0.1), (132, np.float64, 0.5)]:
        x, y, W1, W2 = model_case(seed)
        what = f"train_step(x, labels, weights, {rate}) ({_name(dtype)})"
        got = submission.read_only("train_step")(x.astype(dtype), y.astype(dtype), [W1.astype(dtype), W2.astype(dtype)],
                                                 rate)
        expect_items(got, 2, what=what)
        new_weights, loss = got
        expect_items(new_weights, 2, what=_f("the new weights of {what}", what=what))
        grads, _ = trusted_gradients(lambda tf, A, B: tf_ce(tf, tf_model(tf, x, A, B), y),
                                  lambda A, B: np_ce(np_model(x, A, B), y), W1, W2)
        for index, (value, w, g) in enumerate(zip(new_weights, (W1, W2), grads)):
            expected = w - rate * g
            expect_array(value, expected.astype(dtype), **tol(dtype, expected),
                         what=_f("new W{number} of {what}", number=index + 1, what=what))
        expected_loss = np_ce(np_model(x, W1, W2), y)
        expect_scalar(loss, expected_loss, **tol(dtype, expected_loss), what=_f("the loss of {what}", what=what))


# ----------------------------------------------------------------------------- training


def mnist_data(grader_cache: dict):
    """(x_train, one-hot y_train, x_test, y_test): the grader's seeded subset, loaded once per process."""
    if "mnist" not in grader_cache:
        import datasets

        (x_train, y_train), (x_test, y_test) = datasets.load("mnist")
        chosen = np.random.default_rng(DATA_SEED).choice(len(x_train), size=TRAIN_SAMPLES, replace=False)
        x = x_train[chosen].reshape(TRAIN_SAMPLES, -1).astype(np.float32) / np.float32(255.0)
        y = np.eye(10, dtype=np.float32)[y_train[chosen]]
        grader_cache["mnist"] = (x, y, x_test.reshape(len(x_test), -1).astype(np.float32) / np.float32(255.0),
                                 y_test.astype(np.int64))
    return grader_cache["mnist"]


@pytest.mark.points(5)
def test_train_learns_mnist(submission, reference, grader_cache):
    x, y, x_test, y_test = mnist_data(grader_cache)
    settings = ", ".join(f"{k}={v}" for k, v in TRAINING.items())
    call = "train(x, labels, " + settings + ")"
    what = _f("{call} on {count} MNIST images", call=call, count=TRAIN_SAMPLES)
    weights = submission.read_only("train")(x, y, **TRAINING)
    # The weights are data: checked strictly before anything uses them.
    expect_items(weights, 2, what=what)
    hidden = TRAINING["hidden_dim"]
    expect_array_like(weights[0], (x.shape[1] + 1, hidden), np.float32, what=_f("{name} of {what}", name="W1", what=what))
    expect_array_like(weights[1], (hidden, 10), np.float32, what=_f("{name} of {what}", name="W2", what=what))
    probs = reference.model_forward(x_test, [weights[0], weights[1]])
    accuracy = float(np.mean(np.argmax(probs, axis=1) == y_test))
    record_metric("test_accuracy", accuracy)
    record_metric("required_test_accuracy", MIN_TEST_ACCURACY)
    if not accuracy >= MIN_TEST_ACCURACY:
        raise CheckFailure(Stage.VALUES, _f("the weights that {what} returned reach {accuracy} test accuracy; at least "
                                            "{minimum} is required. Check model_backward's gradients and sgd_step's "
                                            "sign first.", what=what, accuracy=format(accuracy, ".3f"),
                                            minimum=format(MIN_TEST_ACCURACY, ".2f")))
