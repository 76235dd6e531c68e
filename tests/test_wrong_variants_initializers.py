"""The hidden initializers tests catch the known-wrong variants, and only where they are wrong.

Each variant in tests/wrong_variants/initializers.toml (rendered by tests/variant_files.py) is the reference with one mistake. Graded with
the hidden tests, it must lose points on exactly the tests listed for it below, and earn full
points on every other test (the mistake touches nothing else).
"""

from pathlib import Path

import pytest

import variant_files


ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "initializers" / "initializers.py"
VARIANTS = variant_files.folder() / "initializers"


NORMAL_STD = ["test_glorot_normal_std", "test_he_normal_std"]
NORMAL_TRUNCATION = ["test_glorot_normal_truncated_at_2_sigma", "test_he_normal_truncated_at_2_sigma"]
TRUNCATED_NORMAL = ["test_truncated_normal_std_after_truncation", "test_truncated_normal_truncated_at_2_stddev"]

# variant -> the tests it must lose (every other test must give it full points)
EXPECTED_LOSSES = {
    "fans_swapped": [
        "test_compute_fans_dense_kernels", "test_compute_fans_conv_kernels", "test_compute_fans_other_ranks",
        "test_standard_uniform_limit_is_1_over_sqrt_fan_in", "test_standard_uniform_distribution",
        "test_he_normal_std", "test_he_normal_truncated_at_2_sigma",
        "test_he_uniform_limit", "test_he_uniform_distribution",
    ],
    "glorot_fan_in_only": [
        "test_glorot_normal_std", "test_glorot_normal_truncated_at_2_sigma",
        "test_glorot_uniform_limit", "test_glorot_uniform_distribution",
    ],
    "he_wrong_gain": [
        "test_he_normal_std", "test_he_normal_truncated_at_2_sigma",
        "test_he_uniform_limit", "test_he_uniform_distribution",
    ],
    "glorot_uniform_wrong_gain": ["test_glorot_uniform_limit", "test_glorot_uniform_distribution"],
    # Untruncated with the right std: the std tests pass (as they should), the truncation tests fail.
    "no_truncation": NORMAL_TRUNCATION + TRUNCATED_NORMAL,
    # Truncated at 2 sqrt(scale/n) instead of 2 sqrt(scale/n) / 0.8796: std 12% low, support too narrow.
    "no_std_correction": NORMAL_STD + NORMAL_TRUNCATION,
    "clipped_truncation": NORMAL_STD + NORMAL_TRUNCATION + TRUNCATED_NORMAL,
    "random_normal_truncated": ["test_random_normal_mean_and_std", "test_random_normal_distribution_not_truncated"],
    # The defaults (called without mean and stddev) and the stddev before truncation.
    "random_normal_default_mean_1": ["test_random_normal_mean_and_std"],
    "random_normal_default_stddev_1": ["test_random_normal_mean_and_std"],
    "truncated_normal_default_mean_1": TRUNCATED_NORMAL,
    "truncated_normal_default_stddev_1": TRUNCATED_NORMAL,
    "truncated_normal_stddev_after_truncation": TRUNCATED_NORMAL,
    "glorot_uniform_seed_defaults_to_0": ["test_glorot_uniform_shape_dtype_and_seed"],
    # d = max(2, fan_in) is caught only by a fan_in of 1.
    "standard_uniform_fan_floor_2": ["test_standard_uniform_limit_is_1_over_sqrt_fan_in"],
    "standard_uniform_fan_out": ["test_standard_uniform_limit_is_1_over_sqrt_fan_in", "test_standard_uniform_distribution"],
    "compute_fans_channels_first": [
        "test_compute_fans_conv_kernels", "test_compute_fans_other_ranks",
        "test_standard_uniform_limit_is_1_over_sqrt_fan_in", "test_standard_uniform_distribution",
        "test_glorot_normal_std", "test_glorot_normal_truncated_at_2_sigma",
        "test_glorot_uniform_limit", "test_glorot_uniform_distribution",
        "test_he_normal_std", "test_he_normal_truncated_at_2_sigma",
        "test_he_uniform_limit", "test_he_uniform_distribution",
    ],
    # Raises ZeroDivisionError for the shape (0, 0).
    "variance_scaling_no_fan_floor": [
        "test_glorot_normal_shape_dtype_and_seed", "test_glorot_uniform_shape_dtype_and_seed",
        "test_he_normal_shape_dtype_and_seed", "test_he_uniform_shape_dtype_and_seed",
    ],
}
# Variants whose mistake raises an exception in the student's code (reported as such, not as a wrong value).
RAISING = ["variance_scaling_no_fan_floor"]


def test_every_variant_file_has_expectations():
    assert sorted(p.stem for p in VARIANTS.glob("*.py")) == sorted(EXPECTED_LOSSES)


def test_reference_scores_full_marks(grade_hidden):
    variant_files.assert_full_marks(grade_hidden("initializers", SOLUTION), 24)


@pytest.mark.parametrize("variant", sorted(EXPECTED_LOSSES))
def test_wrong_variant_loses_exactly_its_tests(variant, grade_hidden):
    results = grade_hidden("initializers", VARIANTS / f"{variant}.py")
    variant_files.assert_loses_exactly(results, EXPECTED_LOSSES[variant], ("values", "finite", "exception") if variant in RAISING else ("values", "finite"))