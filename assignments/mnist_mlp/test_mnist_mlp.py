"""Public checks for mnist_mlp: parameter counts, shapes and the handout's architecture, layer by
layer (the grader also trains it)."""

import keras
import pytest

from autograder.checks import Stage, expect_true
from autograder.i18n import _f
from autograder.model_checks import (as_model, check_architecture, check_parameter_counts, model_as_graded,
                                     model_from_table)


@pytest.mark.points(2)
@pytest.mark.parametrize("builder", ["build_mlp", "build_mlp_functional"])
def test_parameter_count(submission, builder):
    model = as_model(getattr(submission, builder)())
    count = model.count_params()
    expect_true(count == 673_802, _f("{call} has {count} parameters; the MLP has 673,802.", call=builder + "()",
                                     count=format(count, ",")))


@pytest.mark.points(1)
@pytest.mark.parametrize("builder", ["build_mlp", "build_mlp_functional"])
def test_input_and_output_shapes(submission, builder):
    model = as_model(getattr(submission, builder)())
    expect_true(tuple(model.input_shape) == (None, 784), _f("{call} takes inputs of shape {shape}; it should "
                                                            "take (None, 784).", call=builder + "()",
                                                            shape=model.input_shape), stage=Stage.SHAPE)
    expect_true(tuple(model.output_shape) == (None, 10), _f("{call} outputs shape {shape}; it should output "
                                                            "(None, 10).", call=builder + "()",
                                                            shape=model.output_shape), stage=Stage.SHAPE)


# ----------------------------------------------------------------------------- the handout's architecture
# The table of the handout, layer by layer: the grader compares your layers' types (in order), output
# shapes, activations, settings (dropout rate, regularizer, trainable, BatchNormalization's momentum and
# epsilon, ...) and trainable and non-trainable parameter counts with it, and checks that build_mlp is a
# keras.Sequential and build_mlp_functional a functional model, before it trains your model.

MLP_TABLE = [
    ("Dense", {"units": 512, "activation": "relu"}),
    ("BatchNormalization", {}),
    ("Dropout", {"rate": 0.2}),
    ("Dense", {"units": 512, "kernel_regularizer": keras.regularizers.L2(0.01)}),
    ("BatchNormalization", {}),
    ("Activation", {"activation": "relu"}),
    ("Dropout", {"rate": 0.2}),
    ("Dense", {"units": 10, "activation": "softmax"}),
]


@pytest.mark.points(2)
@pytest.mark.parametrize("builder", ["build_mlp", "build_mlp_functional"])
def test_layers_match_the_handout(submission, builder):
    model = model_as_graded(getattr(submission, builder)(), what=f"{builder}()")
    handout = model_from_table((784,), MLP_TABLE)
    kind = "Sequential" if builder == "build_mlp" else "Functional"
    check_architecture(model, handout, what=f"{builder}()", kind=kind)
    check_parameter_counts(model, handout, what=f"{builder}()")
