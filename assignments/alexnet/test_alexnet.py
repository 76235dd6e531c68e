"""Public checks for alexnet: parameter count, output shape and the handout's architecture, layer by
layer (the grader also trains it)."""

import pytest

from autograder.checks import Stage, expect_true
from autograder.i18n import _f
from autograder.model_checks import (as_model, check_architecture, check_parameter_counts, model_as_graded,
                                     model_from_table)


@pytest.mark.points(2)
def test_parameter_count(submission):
    count = as_model(submission.build_alexnet()).count_params()
    expect_true(count == 27_672_714, _f("build_alexnet() has {count} parameters; the small AlexNet has 27,672,714.",
                                        count=format(count, ",")))


@pytest.mark.points(1)
def test_output_shape(submission):
    model = as_model(submission.build_alexnet())
    expect_true(tuple(model.output_shape) == (None, 10), _f("{call} outputs shape {shape}; it should output "
                                                            "(None, 10).", call="build_alexnet()",
                                                            shape=model.output_shape), stage=Stage.SHAPE)


# ----------------------------------------------------------------------------- the handout's architecture
# The table of the handout, layer by layer: the grader compares your layers' types (in order), output
# shapes, activations (the last one included), settings (strides, padding, pool size, dropout rate)
# and parameter counts with it, before it trains your model.


def conv(filters):
    return ("Conv2D", {"filters": filters, "kernel_size": (3, 3), "strides": 1, "padding": "same",
                       "activation": "relu"})


POOL = ("MaxPooling2D", {"pool_size": (2, 2), "strides": 2, "padding": "same"})
ALEXNET_TABLE = [
    conv(16), POOL,
    conv(32), POOL,
    conv(64), conv(128), conv(256), POOL,
    ("Flatten", {}),
    ("Dense", {"units": 4096, "activation": "relu"}), ("Dropout", {"rate": 0.4}),
    ("Dense", {"units": 2048, "activation": "relu"}), ("Dropout", {"rate": 0.4}),
    ("Dense", {"units": 1024, "activation": "relu"}), ("Dropout", {"rate": 0.4}),
    ("Dense", {"units": 10, "activation": "softmax"}),
]


@pytest.mark.points(2)
def test_layers_match_the_handout(submission):
    model = model_as_graded(submission.build_alexnet(), what="build_alexnet()")
    handout = model_from_table((28, 28, 1), ALEXNET_TABLE)
    check_architecture(model, handout, what="build_alexnet()")
    check_parameter_counts(model, handout, what="build_alexnet()")
