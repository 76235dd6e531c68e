"""Hidden grading tests: alexnet (20 points).

    build_alexnet          architecture 6, parameter counts 4, learns MNIST 10
"""

import pytest

from autograder.model_checks import check_architecture, check_learns, check_parameter_counts
from autograder.model_recipes import MIN_TEST_ACCURACY, RECIPES


@pytest.fixture(scope="module")
def reference_model(reference):
    return reference.build_alexnet()


# The build runs once, in the sandbox; a failure there fails every test that uses it.
@pytest.fixture(scope="module")
def student_model(submission):
    return submission.build_alexnet()


@pytest.mark.points(6)
def test_architecture(student_model, reference_model):
    check_architecture(student_model, reference_model, what="build_alexnet()")


@pytest.mark.points(4)
def test_parameter_counts(student_model, reference_model):
    check_parameter_counts(student_model, reference_model, what="build_alexnet()")


@pytest.mark.points(10)
def test_learns_mnist(student_model, reference_model):
    check_learns(student_model, RECIPES["alexnet"], MIN_TEST_ACCURACY["alexnet"], what="build_alexnet()",
                 reference_model=reference_model)
