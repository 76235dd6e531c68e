"""The hidden model tests catch the known-wrong variants, and only where they are wrong.

Each variant in tests/wrong_variants/<assignment>.toml (rendered by tests/variant_files.py) for the model assignments (mnist_mlp, lenet,
alexnet, rnn_letters) is the reference with one mistake that no public test can see: the
architecture is the table's, layer for layer and setting for setting, but it cannot learn. Graded
with the hidden tests, it must lose points on exactly the tests listed for it below (the learning
tests), and earn full points on every other test. The mistakes the public tests see are contract
mutants (tests/contract_mutants/mutants.py), checked by tests/test_public_contract.py.

Each variant is trained by the grader, as a submission is: about 30 s for mnist_mlp and lenet,
more for alexnet. The references' full marks are tests/test_model_assignments.py's
test_verify_model_assignments.
"""

from pathlib import Path

import pytest

import variant_files

VARIANTS = variant_files.folder()
ASSIGNMENTS = ("mnist_mlp", "lenet", "alexnet", "rnn_letters")

# (assignment, variant) -> the tests it must lose (every other test must give it full points)
EXPECTED_LOSSES = {
    # Zero kernels and biases: the output layer's kernel gets a zero gradient (its inputs are 0), and
    # every layer below it too (the output layer's kernel is 0): only the output bias learns.
    ("mnist_mlp", "zero_initialized_kernels"): ["test_sequential_learns_mnist"],
    ("lenet", "zero_initialized_kernels"): ["test_learns_mnist"],
    ("alexnet", "zero_initialized_kernels"): ["test_learns_mnist"],
    ("rnn_letters", "zero_initialized_onehot_rnn"): ["test_learns_every_transition[onehot_1_letter]",
                                                     "test_learns_every_transition[onehot_4_letters]"],
}


def test_every_variant_file_has_expectations():
    found = sorted((path.parent.name, path.stem) for assignment in ASSIGNMENTS
                   for path in (VARIANTS / assignment).glob("*.py"))
    assert found == sorted(EXPECTED_LOSSES)


@pytest.mark.parametrize("assignment, variant", sorted(EXPECTED_LOSSES), ids=lambda v: v)
def test_wrong_variant_loses_exactly_its_tests(assignment, variant, grade_hidden):
    results = grade_hidden(assignment, VARIANTS / assignment / f"{variant}.py")
    variant_files.assert_loses_exactly(results, EXPECTED_LOSSES[(assignment, variant)], ("values",))
