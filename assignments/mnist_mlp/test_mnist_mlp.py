"""Public checks for mnist_mlp: parameter counts and output shapes (the grader also trains it)."""

import pytest

from autograder.checks import Stage, expect_true
from autograder.model_checks import as_model


@pytest.mark.points(2)
@pytest.mark.parametrize("builder", ["build_mlp", "build_mlp_functional"])
def test_parameter_count(submission, builder):
    model = as_model(getattr(submission, builder)())
    count = model.count_params()
    expect_true(count == 673_802, f"{builder}() has {count:,} parameters; the MLP has 673,802.")


@pytest.mark.points(1)
@pytest.mark.parametrize("builder", ["build_mlp", "build_mlp_functional"])
def test_input_and_output_shapes(submission, builder):
    model = as_model(getattr(submission, builder)())
    expect_true(tuple(model.input_shape) == (None, 784), f"{builder}() takes inputs of shape {model.input_shape}; "
                "it should take (None, 784).", stage=Stage.SHAPE)
    expect_true(tuple(model.output_shape) == (None, 10), f"{builder}() outputs shape {model.output_shape}; "
                "it should output (None, 10).", stage=Stage.SHAPE)
