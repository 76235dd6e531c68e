"""Hidden grading tests: lenet (20 points).

    build_lenet            architecture 5, parameter counts 3, learns MNIST 8
    layer_output_shapes    exact shapes for a (1, 28, 28, 1) input 4
"""

import pytest

from autograder.checks import expect_equal
from autograder.i18n import _f
from autograder.model_checks import check_architecture, check_learns, check_parameter_counts
from autograder.model_recipes import MIN_TEST_ACCURACY, RECIPES


@pytest.fixture(scope="module")
def reference_model(reference):
    return reference.build_lenet()


# The build runs once, in the sandbox; a failure there fails every test that uses it.
@pytest.fixture(scope="module")
def student_model(submission):
    return submission.build_lenet()


@pytest.mark.points(5)
def test_architecture(student_model, reference_model):
    check_architecture(student_model, reference_model, what="build_lenet()")


@pytest.mark.points(3)
def test_parameter_counts(student_model, reference_model):
    check_parameter_counts(student_model, reference_model, what="build_lenet()")


@pytest.mark.points(8)
def test_learns_mnist(student_model, reference_model):
    check_learns(student_model, RECIPES["lenet"], MIN_TEST_ACCURACY["lenet"], what="build_lenet()",
                 reference_model=reference_model)


@pytest.mark.points(4)
def test_layer_output_shapes(submission, reference):
    got = submission.layer_output_shapes()
    expected = reference.layer_output_shapes()
    if isinstance(got, list) and len(got) == len(expected):
        for index, (mine, theirs) in enumerate(zip(got, expected), start=1):
            expect_equal(mine, theirs, what=_f("the shape after layer {index}", index=index))
    expect_equal(got, expected, what="layer_output_shapes()")
