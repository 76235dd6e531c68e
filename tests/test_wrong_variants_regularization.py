"""The hidden regularization tests catch the known-wrong variants, and only where they are wrong.

Each file in tests/wrong_variants/regularization/ is the reference with one mistake. Graded with
the hidden tests, it must lose points on exactly the tests listed for it below, and earn full
points on every other test.
"""

from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "regularization" / "regularization.py"
VARIANTS = Path(__file__).resolve().parent / "wrong_variants" / "regularization"


BN_OUTPUTS = ["test_batch_norm_training_output_dense", "test_batch_norm_training_output_conv_float32"]
BN_DEFAULTS = "test_batch_norm_default_momentum_and_epsilon"
# Every early-stopping test in which training stops (all but test_early_stopping_never_stops).
ES_STOPPING = ["test_early_stopping_patience_min_mode", "test_early_stopping_max_mode",
               "test_early_stopping_min_delta", "test_early_stopping_baseline",
               "test_early_stopping_start_from_epoch", "test_early_stopping_seeded_histories"]

# variant -> the tests it must lose (every other test must give it full points)
EXPECTED_LOSSES = {
    "l2_one_half": ["test_l2_penalty_values[float32]", "test_l2_penalty_values[float64]", "test_l2_gradient_values",
                    "test_l1l2_penalty_values", "test_l1l2_gradient_values", "test_regularizer_default_factors"],
    "l1l2_defaults_0_01": ["test_regularizer_default_factors"],
    "dropout_no_inverse_scaling": ["test_dropout_kept_values_scaled_by_inverse_keep_probability"],
    "dropout_scales_at_inference": ["test_dropout_inference_and_rate_0_are_identity",
                                    "test_dropout_kept_values_scaled_by_inverse_keep_probability"],
    "dropout_rate_is_keep_probability": ["test_dropout_fraction_dropped"],
    "dropout_ignores_seed": ["test_dropout_same_seed_same_mask"],
    "bn_unbiased_variance": BN_OUTPUTS + ["test_batch_norm_moving_variance_update", "test_batch_norm_epsilon",
                                         BN_DEFAULTS],
    "bn_unbiased_moving_variance": ["test_batch_norm_moving_variance_update", BN_DEFAULTS],
    "bn_momentum_swapped": ["test_batch_norm_moving_mean_update", "test_batch_norm_moving_variance_update",
                            BN_DEFAULTS],
    "bn_epsilon_outside_sqrt": BN_OUTPUTS + ["test_batch_norm_inference_uses_moving_statistics",
                                            "test_batch_norm_epsilon", BN_DEFAULTS],
    "es_stopped_epoch_one_based": ES_STOPPING,
    "es_wait_greater_than_patience": ES_STOPPING,
    "es_baseline_as_initial_best": ["test_early_stopping_baseline", "test_early_stopping_seeded_histories"],
    "es_signed_min_delta": ["test_early_stopping_min_delta"],
}


def test_every_variant_file_has_expectations():
    assert sorted(p.stem for p in VARIANTS.glob("*.py")) == sorted(EXPECTED_LOSSES)


def test_reference_scores_full_marks(grade_hidden):
    results = grade_hidden("regularization", SOLUTION)
    failing = [r for r in results.values() if r.points < r.max_points]
    assert not failing, failing
    assert sum(r.max_points for r in results.values()) == 28


@pytest.mark.parametrize("variant", sorted(EXPECTED_LOSSES))
def test_wrong_variant_loses_exactly_its_tests(variant, grade_hidden):
    results = grade_hidden("regularization", VARIANTS / f"{variant}.py")
    assert set(EXPECTED_LOSSES[variant]) <= set(results), "a listed test does not exist"
    lost = {name for name, r in results.items() if r.points < r.max_points}
    assert lost == set(EXPECTED_LOSSES[variant])
    # Caught by the checks (a wrong value), not by an error of the grader.
    assert all(results[name].stage in ("values", "finite") for name in lost), {n: results[n].stage for n in lost}
