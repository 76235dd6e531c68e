"""The hidden losses tests catch the known-wrong variants, and only where they are wrong.

Each variant in tests/wrong_variants/losses.toml (rendered by tests/variant_files.py) is the reference with one mistake (most of them break one
sentence of the handout or the stub; autograder/hidden/contracts/losses.toml names it). Graded with
the hidden tests, it must lose points on exactly the tests listed for it below, and earn full
points on every other test (the mistake touches nothing else).
"""

from pathlib import Path

import pytest

import variant_files


ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "losses" / "losses.py"
VARIANTS = variant_files.folder() / "losses"

# variant -> the tests it must lose (every other test must give it full points)
EXPECTED_LOSSES = {
    "bce_epsilon_1e_12": ["test_binary_crossentropy_probabilities_of_exactly_0_and_1"],
    "bce_hard_label_where": [
        "test_binary_crossentropy_probabilities[float32]",
        "test_binary_crossentropy_probabilities[float64]",
        "test_binary_crossentropy_from_logits[float32]",
        "test_binary_crossentropy_from_logits[float64]",
    ],
    "bce_sums_last_axis": [
        "test_binary_crossentropy_probabilities[float32]",
        "test_binary_crossentropy_probabilities[float64]",
        "test_binary_crossentropy_probabilities_of_exactly_0_and_1",
        "test_binary_crossentropy_from_logits[float32]",
        "test_binary_crossentropy_from_logits[float64]",
        "test_binary_crossentropy_large_logits[float32]",
        "test_binary_crossentropy_large_logits[float64]",
    ],
    "cce_argmax_label": [
        "test_categorical_crossentropy_probabilities[float32]",
        "test_categorical_crossentropy_probabilities[float64]",
    ],
    "cce_casts_y_pred_to_y_true_dtype": [
        "test_categorical_crossentropy_from_logits[float32]",
        "test_categorical_crossentropy_from_logits[float64]",
    ],
    "cce_clips_before_renormalising": ["test_categorical_crossentropy_renormalises_rows"],
    "cce_default_from_logits": [
        "test_categorical_crossentropy_probabilities[float32]",
        "test_categorical_crossentropy_probabilities[float64]",
        "test_categorical_crossentropy_renormalises_rows",
        "test_categorical_crossentropy_probabilities_of_exactly_0_and_1",
    ],
    "cce_logits_clipped": [
        "test_categorical_crossentropy_large_logits[float32]",
        "test_categorical_crossentropy_large_logits[float64]",
    ],
    "cce_no_renormalising": ["test_categorical_crossentropy_renormalises_rows"],
    "huber_default_delta_2": ["test_huber_default_delta[float32]", "test_huber_default_delta[float64]"],
    "huber_linear_without_offset": [
        "test_huber_default_delta[float32]",
        "test_huber_default_delta[float64]",
        "test_huber_custom_delta[delta_0.5]",
        "test_huber_custom_delta[delta_2.5]",
    ],
    "mae_batch_sum": ["test_mean_absolute_error[float32]", "test_mean_absolute_error[float64]"],
    "mae_sums_last_axis": ["test_mean_absolute_error[float32]", "test_mean_absolute_error[float64]"],
    "mse_is_rmse": ["test_mean_squared_error[float32]", "test_mean_squared_error[float64]"],
    "mse_squeezes_y_true": ["test_mean_squared_error[float32]", "test_mean_squared_error[float64]"],
}


def test_every_variant_file_has_expectations():
    assert sorted(p.stem for p in VARIANTS.glob("*.py")) == sorted(EXPECTED_LOSSES)


def test_reference_scores_full_marks(grade_hidden):
    variant_files.assert_full_marks(grade_hidden("losses", SOLUTION), 25)


@pytest.mark.parametrize("variant", sorted(EXPECTED_LOSSES))
def test_wrong_variant_loses_exactly_its_tests(variant, grade_hidden):
    results = grade_hidden("losses", VARIANTS / f"{variant}.py")
    variant_files.assert_loses_exactly(results, EXPECTED_LOSSES[variant])