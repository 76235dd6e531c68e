"""Public tests for the activations assignment: a few fixed cases.

Run them with ``pytest assignments/activations``. The grader's hidden tests check the same
things on other inputs: random arrays of several shapes, float32 and float64, and extremes.
"""

import numpy as np
import pytest

from autograder.checks import expect_array

X = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])


@pytest.mark.points(1)
def test_sigmoid_small_vector(submission):
    expected = np.array([0.11920292202211755, 0.37754066879814546, 0.5, 0.6224593312018546, 0.8807970779778823])
    expect_array(submission.sigmoid(X), expected, rtol=1e-7, atol=1e-12)


@pytest.mark.points(1)
def test_sigmoid_large_inputs_float32(submission):
    x = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0], dtype=np.float32)
    expected = np.array([0.0, 0.0, 0.5, 1.0, 1.0], dtype=np.float32)
    expect_array(submission.sigmoid(x), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.points(1)
def test_tanh_small_vector(submission):
    expected = np.array([-0.9640275800758168, -0.46211715726000974, 0.0, 0.46211715726000974, 0.9640275800758168])
    expect_array(submission.tanh(X), expected, rtol=1e-7, atol=1e-12)


@pytest.mark.points(1)
def test_relu_small_vector(submission):
    expected = np.array([0.0, 0.0, 0.0, 0.5, 2.0])
    expect_array(submission.relu(X), expected)


@pytest.mark.points(1)
def test_leaky_relu_default_alpha_0_1(submission):
    expected = np.array([-0.2, -0.05, 0.0, 0.5, 2.0])
    expect_array(submission.leaky_relu(X), expected, rtol=1e-7, atol=1e-12)


@pytest.mark.points(1)
def test_leaky_relu_alpha_0_01_keeps_float32(submission):
    x = X.astype(np.float32)
    expected = np.array([-0.02, -0.005, 0.0, 0.5, 2.0], dtype=np.float32)
    expect_array(submission.leaky_relu(x, alpha=0.01), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.points(1)
def test_softmax_course_example(submission):
    # The example of the course notes (000, 1.2.1.5).
    x = np.array([0.2, 0.02, 0.15, 1.3, 0.5, 0.06, 1.1, 0.05, 3.75])
    expected = np.array([
        0.021671519403344577, 0.018101574593635105, 0.020614586930099512,
        0.06510484227882363, 0.029253491340158918, 0.01884031386690262,
        0.05330333654796452, 0.018652849611709082, 0.7544574854273621,
    ])
    expect_array(submission.softmax(x), expected, rtol=1e-7, atol=1e-12)


@pytest.mark.points(1)
def test_softmax_rows_and_columns(submission):
    x = np.array([[1.0, 2.0], [3.0, 5.0]])
    rows = np.array([[0.2689414213699951, 0.7310585786300049], [0.11920292202211755, 0.8807970779778823]])
    columns = np.array([[0.11920292202211755, 0.04742587317756679], [0.8807970779778823, 0.9525741268224334]])
    expect_array(submission.softmax(x), rows, rtol=1e-7, atol=1e-12, what="softmax(x) (axis=-1)")
    expect_array(submission.softmax(x, axis=0), columns, rtol=1e-7, atol=1e-12, what="softmax(x, axis=0)")


@pytest.mark.points(1)
def test_softmax_large_logits(submission):
    x = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
    expected = np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    expect_array(submission.softmax(x), expected, rtol=1e-7, atol=1e-12)
