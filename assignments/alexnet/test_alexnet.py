"""Public checks for alexnet: parameter count and output shape (the grader also trains it)."""

import pytest

from autograder.checks import Stage, expect_true
from autograder.model_checks import as_model


@pytest.mark.points(2)
def test_parameter_count(submission):
    count = as_model(submission.build_alexnet()).count_params()
    expect_true(count == 27_672_714, f"build_alexnet() has {count:,} parameters; the small AlexNet has 27,672,714.")


@pytest.mark.points(1)
def test_output_shape(submission):
    model = as_model(submission.build_alexnet())
    expect_true(tuple(model.output_shape) == (None, 10), f"build_alexnet() outputs shape {model.output_shape}; "
                "it should output (None, 10).", stage=Stage.SHAPE)
