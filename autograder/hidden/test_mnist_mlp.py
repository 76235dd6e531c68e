"""Hidden grading tests: mnist_mlp (20 points).

    build_mlp              architecture 5, parameter counts 3, learns MNIST 7
    build_mlp_functional   architecture 5
"""

import pytest

from autograder.model_checks import check_architecture, check_learns, check_parameter_counts
from autograder.model_recipes import MIN_TEST_ACCURACY, RECIPES


@pytest.fixture(scope="module")
def reference_model(reference):
    return reference.build_mlp()


# Each build runs once, in the sandbox; a failure there fails every test that uses it.
@pytest.fixture(scope="module")
def sequential(submission):
    return submission.build_mlp()


@pytest.fixture(scope="module")
def functional(submission):
    return submission.build_mlp_functional()


@pytest.mark.points(5)
def test_sequential_architecture(sequential, reference_model):
    check_architecture(sequential, reference_model, what="build_mlp()", kind="Sequential")


@pytest.mark.points(3)
def test_sequential_parameter_counts(sequential, reference_model):
    check_parameter_counts(sequential, reference_model, what="build_mlp()")


@pytest.mark.points(7)
def test_sequential_learns_mnist(sequential, reference_model):
    check_learns(sequential, RECIPES["mnist_mlp"], MIN_TEST_ACCURACY["mnist_mlp"], what="build_mlp()",
                 reference_model=reference_model)


@pytest.mark.points(5)
def test_functional_architecture(functional, reference_model):
    check_architecture(functional, reference_model, what="build_mlp_functional()", kind="Functional")
