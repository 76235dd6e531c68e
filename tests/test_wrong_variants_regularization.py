"""The hidden regularization tests catch the known-wrong variants, and only where they are wrong.

Each variant in tests/wrong_variants/regularization.toml (rendered by tests/variant_files.py) is the reference with one mistake. Graded with
the hidden tests, it must lose points on exactly the tests listed for it below, and earn full
points on every other test.

Also: the hidden early-stopping tests show the call and both decisions only for the handwritten
cases, which are exactly the public tests' EARLY_STOPPING_CASES; the seeded histories stay hidden.
"""

import importlib.util
from pathlib import Path

import pytest

import variant_files


ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "regularization" / "regularization.py"
VARIANTS = variant_files.folder() / "regularization"
HIDDEN = ROOT / "autograder" / "hidden" / "test_regularization.py"
PUBLIC = ROOT / "assignments" / "regularization" / "test_regularization.py"


DEFAULTS = "test_regularizer_default_factors"
BN_OUTPUTS = ["test_batch_norm_training_output_dense", "test_batch_norm_training_output_conv_float32"]
BN_INFERENCE = "test_batch_norm_inference_uses_moving_statistics"
BN_MOVING = ["test_batch_norm_moving_mean_update", "test_batch_norm_moving_variance_update"]
BN_DEFAULTS = "test_batch_norm_default_momentum_and_epsilon"
ES_PATIENCE, ES_MAX, ES_DELTA = ("test_early_stopping_patience_min_mode", "test_early_stopping_max_mode",
                                 "test_early_stopping_min_delta")
ES_BASELINE, ES_START, ES_NEVER, ES_SEEDED = ("test_early_stopping_baseline", "test_early_stopping_start_from_epoch",
                                              "test_early_stopping_never_stops", "test_early_stopping_seeded_histories")
# Every early-stopping test in which training stops (all but test_early_stopping_never_stops).
ES_STOPPING = [ES_PATIENCE, ES_MAX, ES_DELTA, ES_BASELINE, ES_START, ES_SEEDED]
ES_ALL = ES_STOPPING + [ES_NEVER]
DROPOUT_EDGES, DROPOUT_SEED = "test_dropout_inference_rate_0_and_rate_1", "test_dropout_same_seed_same_mask"
DROPOUT_SCALE = "test_dropout_kept_values_scaled_by_inverse_keep_probability"
L2_PENALTY = ["test_l2_penalty_values[float32]", "test_l2_penalty_values[float64]"]
L1_PENALTY = ["test_l1_penalty_values[float32]", "test_l1_penalty_values[float64]"]

# variant -> the tests it must lose (every other test must give it full points)
EXPECTED_LOSSES = {
    # L1, L2, L1L2: formulas, precision and each default
    "l1_penalty_no_abs": L1_PENALTY + [DEFAULTS],
    "l1_penalty_in_float32": ["test_l1_penalty_values[float64]", DEFAULTS],
    "l1_gradient_one_at_zero": ["test_l1_gradient_values_with_zeros", DEFAULTS],
    "l2_one_half": L2_PENALTY + ["test_l2_gradient_values", "test_l1l2_penalty_values", "test_l1l2_gradient_values",
                                 DEFAULTS],
    "l2_penalty_one_half": L2_PENALTY + [DEFAULTS],
    "l2_gradient_without_2": ["test_l2_gradient_values", DEFAULTS],
    "l1l2_penalty_l2_one_half": ["test_l1l2_penalty_values", DEFAULTS],
    "l1l2_gradient_without_2": ["test_l1l2_gradient_values", DEFAULTS],
    "l1_penalty_default_0_1": [DEFAULTS],
    "l1_gradient_default_0_1": [DEFAULTS],
    "l2_penalty_default_0_1": [DEFAULTS],
    "l2_gradient_default_0_1": [DEFAULTS],
    "l1l2_defaults_0_01": [DEFAULTS],
    "l1l2_penalty_l2_default_0_01": [DEFAULTS],
    "l1l2_gradient_l1_default_0_01": [DEFAULTS],
    # dropout
    "dropout_no_inverse_scaling": [DROPOUT_SCALE],
    "dropout_scales_at_inference": [DROPOUT_EDGES, DROPOUT_SCALE],
    "dropout_rate_one_nan": [DROPOUT_EDGES],
    "dropout_rate_is_keep_probability": ["test_dropout_fraction_dropped"],
    "dropout_ignores_seed": [DROPOUT_SEED],
    "dropout_mask_depends_on_x": [DROPOUT_SEED],
    "dropout_training_default_false": [DROPOUT_SEED],
    "dropout_seed_default_0": [DROPOUT_SEED],
    # batch_norm
    "bn_unbiased_variance": BN_OUTPUTS + ["test_batch_norm_moving_variance_update", "test_batch_norm_epsilon",
                                         BN_DEFAULTS],
    "bn_unbiased_moving_variance": ["test_batch_norm_moving_variance_update", BN_DEFAULTS],
    "bn_momentum_swapped": BN_MOVING + [BN_DEFAULTS],
    "bn_epsilon_outside_sqrt": BN_OUTPUTS + [BN_INFERENCE, "test_batch_norm_epsilon", BN_DEFAULTS],
    "bn_inference_uses_batch_statistics": [BN_INFERENCE, "test_batch_norm_epsilon", BN_DEFAULTS],
    "bn_updates_moving_at_inference": [BN_INFERENCE, BN_DEFAULTS],
    "bn_moving_statistics_swapped": BN_MOVING + [BN_INFERENCE, BN_DEFAULTS],
    "bn_training_default_true": [BN_DEFAULTS],
    "bn_momentum_default_0_9": [BN_DEFAULTS],
    "bn_epsilon_default_1e_5": [BN_DEFAULTS],
    # early_stopping
    "es_stopped_epoch_one_based": ES_STOPPING,
    "es_best_epoch_one_based": ES_ALL,
    "es_epochs_run_is_stopped_epoch": ES_STOPPING,
    "es_wait_greater_than_patience": ES_STOPPING,
    "es_wait_grows_after_comparison": ES_STOPPING,
    "es_stop_check_after_improvement": ES_ALL,
    "es_baseline_as_initial_best": [ES_BASELINE, ES_SEEDED],
    "es_baseline_ignored": [ES_BASELINE, ES_SEEDED],
    "es_best_starts_at_first_value": [ES_START, ES_NEVER, ES_SEEDED],
    "es_signed_min_delta": [ES_DELTA],
    "es_max_mode_ignores_min_delta": [ES_DELTA],
    "es_start_from_epoch_inclusive": [ES_PATIENCE, ES_MAX, ES_START, ES_NEVER, ES_SEEDED],
    "es_patience_default_2": [ES_PATIENCE, ES_MAX],
    "es_min_delta_default_0_01": [ES_PATIENCE, ES_MAX, ES_BASELINE, ES_SEEDED],
    "es_mode_default_max": [ES_PATIENCE, ES_DELTA, ES_BASELINE, ES_START, ES_NEVER],
    "es_baseline_default_0": [ES_PATIENCE, ES_DELTA, ES_START, ES_NEVER, ES_SEEDED],
    "es_start_from_epoch_default_1": [ES_PATIENCE, ES_MAX, ES_NEVER, ES_SEEDED],
}


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_variant_file_has_expectations():
    assert sorted(p.stem for p in VARIANTS.glob("*.py")) == sorted(EXPECTED_LOSSES)


def test_reference_scores_full_marks(grade_hidden):
    variant_files.assert_full_marks(grade_hidden("regularization", SOLUTION), 28)


@pytest.mark.parametrize("variant", sorted(EXPECTED_LOSSES))
def test_wrong_variant_loses_exactly_its_tests(variant, grade_hidden):
    results = grade_hidden("regularization", VARIANTS / f"{variant}.py")
    variant_files.assert_loses_exactly(results, EXPECTED_LOSSES[variant])


# ----------------------------------------------------------------------------- early-stopping feedback


def test_hidden_handwritten_cases_are_the_public_cases():
    """Is every early-stopping case whose failure message shows values one that the public tests show?"""
    hidden, public = load(HIDDEN, "hidden_regularization_cases"), load(PUBLIC, "public_regularization_cases")
    reference = load(SOLUTION, "reference_regularization_cases")
    handwritten = [(list(h), dict(k)) for group in hidden.CASES.values() for h, k in group]
    shown = [(list(h), dict(k)) for h, k, _ in public.EARLY_STOPPING_CASES]
    assert handwritten == shown
    for history, kwargs, (stopped, best, epochs) in public.EARLY_STOPPING_CASES:
        assert reference.early_stopping(history, **kwargs) == {"stopped_epoch": stopped, "best_epoch": best,
                                                               "epochs_run": epochs}, (history, kwargs)


def test_early_stopping_feedback_names_public_cases_only(grade_hidden):
    """What does a student read when early stopping goes wrong? The call and both decisions for a
    public case; only the index for a hidden seeded history."""
    results = grade_hidden("regularization", VARIANTS / "es_patience_default_2.py")
    assert results["test_early_stopping_patience_min_mode"].message == (
        "early_stopping([1.0, 0.8, 0.7, 0.72, 0.71, 0.75, 0.69, 0.74, 0.76, 0.78, 0.8, 0.9]) returned "
        "stopped_epoch=4, but keras.callbacks.EarlyStopping gives stopped_epoch=3 (a public case: "
        "EARLY_STOPPING_CASES in the public tests).")
    results = grade_hidden("regularization", VARIANTS / "es_baseline_as_initial_best.py")
    assert results["test_early_stopping_seeded_histories"].message == (
        "stopped_epoch of early_stopping on hidden seeded history 5 of 40 is wrong.")
