"""Public checks for lenet: parameter count and the first layers' shapes (the grader also trains it)."""

import pytest

from autograder.checks import Stage, expect_equal, expect_true
from autograder.model_checks import as_model


@pytest.mark.points(2)
def test_parameter_count(submission):
    count = as_model(submission.build_lenet()).count_params()
    expect_true(count == 44_426, f"build_lenet() has {count:,} parameters; LeNet has 44,426.")


@pytest.mark.points(1)
def test_output_shape(submission):
    model = as_model(submission.build_lenet())
    expect_true(tuple(model.output_shape) == (None, 10), f"build_lenet() outputs shape {model.output_shape}; "
                "it should output (None, 10).", stage=Stage.SHAPE)


@pytest.mark.points(1)
def test_first_two_layer_shapes(submission):
    shapes = submission.layer_output_shapes()
    expect_true(isinstance(shapes, list) and len(shapes) >= 2, "layer_output_shapes() should return a list of tuples, "
                "one per layer.", stage=Stage.TYPE)
    expect_equal(shapes[0], (1, 24, 24, 6), what="the shape after the first Conv2D")
    expect_equal(shapes[1], (1, 12, 12, 6), what="the shape after the first MaxPooling2D")
