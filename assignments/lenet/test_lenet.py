"""Public checks for lenet: parameter count, the handout's architecture layer by layer, and every
traced shape (the grader also trains it)."""

import pytest

from autograder.checks import Stage, expect_equal, expect_items, expect_true
from autograder.i18n import _, _f
from autograder.model_checks import (as_model, check_architecture, check_parameter_counts, model_as_graded,
                                     model_from_table)


@pytest.mark.points(2)
def test_parameter_count(submission):
    count = as_model(submission.build_lenet()).count_params()
    expect_true(count == 44_426, _f("build_lenet() has {count} parameters; LeNet has 44,426.",
                                    count=format(count, ",")))


@pytest.mark.points(1)
def test_output_shape(submission):
    model = as_model(submission.build_lenet())
    expect_true(tuple(model.output_shape) == (None, 10), _f("{call} outputs shape {shape}; it should output "
                                                            "(None, 10).", call="build_lenet()",
                                                            shape=model.output_shape), stage=Stage.SHAPE)


@pytest.mark.points(1)
def test_first_two_layer_shapes(submission):
    shapes = submission.layer_output_shapes()
    expect_true(isinstance(shapes, list) and len(shapes) >= 2, _("layer_output_shapes() should return a list of "
                                                                 "tuples, one per layer."), stage=Stage.TYPE)
    expect_equal(shapes[0], (1, 24, 24, 6), what=_("the shape after the first Conv2D"))
    expect_equal(shapes[1], (1, 12, 12, 6), what=_("the shape after the first MaxPooling2D"))


# ----------------------------------------------------------------------------- the handout's architecture
# The table of the handout, layer by layer: the grader compares your layers' types (in order), output
# shapes, activations (the last one included), settings and parameter counts with it, before it
# trains your model.

LENET_TABLE = [
    ("Conv2D", {"filters": 6, "kernel_size": 5, "activation": "relu"}),
    ("MaxPooling2D", {"pool_size": 2, "strides": 2}),
    ("Conv2D", {"filters": 16, "kernel_size": 5, "activation": "relu"}),
    ("MaxPooling2D", {"pool_size": 2, "strides": 2}),
    ("Flatten", {}),
    ("Dense", {"units": 120, "activation": "relu"}),
    ("Dense", {"units": 84, "activation": "relu"}),
    ("Dense", {"units": 10, "activation": "softmax"}),
]
# The handout's output shapes, for one (1, 28, 28, 1) input.
TRACED_SHAPES = [(1, 24, 24, 6), (1, 12, 12, 6), (1, 8, 8, 16), (1, 4, 4, 16), (1, 256), (1, 120), (1, 84), (1, 10)]


@pytest.mark.points(2)
def test_layers_match_the_handout(submission):
    model = model_as_graded(submission.build_lenet(), what="build_lenet()")
    handout = model_from_table((28, 28, 1), LENET_TABLE)
    check_architecture(model, handout, what="build_lenet()")
    check_parameter_counts(model, handout, what="build_lenet()")


@pytest.mark.points(1)
def test_every_traced_shape(submission):
    shapes = submission.layer_output_shapes()
    expect_items(shapes, len(TRACED_SHAPES), what="layer_output_shapes()", kinds=(list,),
                 noun=_("a list with one shape per layer"))
    for index, (got, expected) in enumerate(zip(shapes, TRACED_SHAPES), start=1):
        what = _f("the shape after layer {index}", index=index)
        expect_items(got, len(expected), what=what, kinds=(tuple,), noun=_("a tuple of ints"))
        for n in got:
            expect_true(type(n) is int, _f("{what} should hold Python ints (int(n)), not {type}.", what=what,
                                           type=type(n).__name__),
                        stage=Stage.TYPE)
    for index, (got, expected) in enumerate(zip(shapes, TRACED_SHAPES), start=1):
        expect_equal(got, expected, what=_f("the shape after layer {index}", index=index))
