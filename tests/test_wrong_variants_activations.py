"""The hidden activations tests catch the known-wrong variants, and only where they are wrong.

Each variant in tests/wrong_variants/activations.toml (rendered by tests/variant_files.py) is the reference with one mistake (most of them break one
sentence of the handout or the stub; autograder/hidden/contracts/activations.toml names it). Graded with
the hidden tests, it must lose points on exactly the tests listed for it below, and earn full
points on every other test (the mistake touches nothing else).
"""

from pathlib import Path

import pytest

import variant_files


ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "activations" / "activations.py"
VARIANTS = variant_files.folder() / "activations"

# variant -> the tests it must lose (every other test must give it full points)
EXPECTED_LOSSES = {
    "leaky_relu_default_0_2": [
        "test_leaky_relu_default_alpha[float32]",
        "test_leaky_relu_default_alpha[float64]",
    ],
    "leaky_relu_ignores_alpha": ["test_leaky_relu_other_alphas"],
    "relu_2d_only": ["test_relu_other_shapes"],
    "relu_is_abs": ["test_relu_values[float32]", "test_relu_values[float64]", "test_relu_other_shapes"],
    "sigmoid_float64_in_float32": [
        "test_sigmoid_values[float64]",
        "test_sigmoid_other_shapes",
        "test_sigmoid_extreme_inputs[float64]",
    ],
    "sigmoid_sign_flipped": [
        "test_sigmoid_values[float32]",
        "test_sigmoid_values[float64]",
        "test_sigmoid_other_shapes",
        "test_sigmoid_extreme_inputs[float32]",
        "test_sigmoid_extreme_inputs[float64]",
    ],
    "softmax_default_axis_0": [
        "test_softmax_last_axis[float32]",
        "test_softmax_last_axis[float64]",
        "test_softmax_extreme_logits[float32]",
        "test_softmax_extreme_logits[float64]",
    ],
    "softmax_ignores_axis": ["test_softmax_other_axes"],
    "softmax_returns_log_softmax": [
        "test_softmax_last_axis[float32]",
        "test_softmax_last_axis[float64]",
        "test_softmax_other_axes",
        "test_softmax_extreme_logits[float32]",
        "test_softmax_extreme_logits[float64]",
    ],
    "tanh_half_argument": [
        "test_tanh_values[float32]",
        "test_tanh_values[float64]",
        "test_tanh_extreme_inputs[float32]",
        "test_tanh_extreme_inputs[float64]",
    ],
    "tanh_without_sign": [
        "test_tanh_values[float32]",
        "test_tanh_values[float64]",
        "test_tanh_extreme_inputs[float32]",
        "test_tanh_extreme_inputs[float64]",
    ],
}
# Variants whose mistake raises an exception in the student's code (reported as such, not as a wrong value).
RAISING = ["relu_2d_only"]


def test_every_variant_file_has_expectations():
    assert sorted(p.stem for p in VARIANTS.glob("*.py")) == sorted(EXPECTED_LOSSES)


def test_reference_scores_full_marks(grade_hidden):
    variant_files.assert_full_marks(grade_hidden("activations", SOLUTION), 20)


@pytest.mark.parametrize("variant", sorted(EXPECTED_LOSSES))
def test_wrong_variant_loses_exactly_its_tests(variant, grade_hidden):
    results = grade_hidden("activations", VARIANTS / f"{variant}.py")
    variant_files.assert_loses_exactly(results, EXPECTED_LOSSES[variant], ("values", "finite", "exception") if variant in RAISING else ("values", "finite"))