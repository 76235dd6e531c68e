"""The hidden mlp_numpy tests catch the known-wrong variants, and only where they are wrong.

Each variant in tests/wrong_variants/mlp_numpy.toml (rendered by tests/variant_files.py) is the
reference with one of issue 19's known mistakes; autograder/hidden/contracts/mlp_numpy.toml names the
sentence of the handout or the stub it breaks. Graded with the hidden tests, it must lose points on
exactly the tests listed for it below, and earn full points on every other test. A mistake in a
layer also costs the model's tests that go through that layer (model_backward, train_step and, where
the model then cannot learn, train): the student's model calls the student's layers.
"""

from pathlib import Path

import pytest

import variant_files

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "mlp_numpy" / "mlp_numpy.py"
VARIANTS = variant_files.folder() / "mlp_numpy"

MODEL_BACKWARD = ["test_model_backward[float32]", "test_model_backward[float64]", "test_train_step"]

# variant -> the tests it must lose (every other test must give it full points)
EXPECTED_LOSSES = {
    "grad_W_missing_transpose": ["test_fc_backward[float32]", "test_fc_backward[float64]", *MODEL_BACKWARD,
                                 "test_train_learns_mnist"],
    "relu_backward_uses_output": ["test_relu_backward[float32]", "test_relu_backward[float64]", *MODEL_BACKWARD],
    "softmax_without_max_shift": ["test_softmax_forward_extreme_logits"],
    "cross_entropy_gradient_not_divided_by_batch": [
        "test_cross_entropy_backward[float32]", "test_cross_entropy_backward[float64]", *MODEL_BACKWARD,
        "test_train_learns_mnist"],
    "bias_column_dropped_in_backward": [*MODEL_BACKWARD, "test_train_learns_mnist"],
    "sgd_step_wrong_sign": ["test_sgd_step", "test_train_step", "test_train_learns_mnist"],
    "he_init_wrong_fan": ["test_init_weights_he_normal"],
}
# The stages at which each variant may lose (a wrong value by default).
STAGES = {
    "grad_W_missing_transpose": ("exception",),
    "bias_column_dropped_in_backward": ("shape", "exception"),
}


def test_every_variant_file_has_expectations():
    assert sorted(p.stem for p in VARIANTS.glob("*.py")) == sorted(EXPECTED_LOSSES)


def test_reference_scores_full_marks(grade_hidden):
    variant_files.assert_full_marks(grade_hidden("mlp_numpy", SOLUTION), 30)


@pytest.mark.parametrize("variant", sorted(EXPECTED_LOSSES))
def test_wrong_variant_loses_exactly_its_tests(variant, grade_hidden):
    results = grade_hidden("mlp_numpy", VARIANTS / f"{variant}.py")
    variant_files.assert_loses_exactly(results, EXPECTED_LOSSES[variant], STAGES.get(variant, ("values", "finite")))
