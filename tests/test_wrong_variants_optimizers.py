"""The hidden optimizers tests catch the known-wrong variants, and only where they are wrong.

Each file in tests/wrong_variants/optimizers/ is the reference with one mistake. Graded with the
hidden tests, it must lose points on exactly the tests listed for it below, and earn full points
on every other test. An epsilon in the wrong place changes a float64 trajectory by more than
1e-7 relative but a float32 one by less than float32's tolerance: those variants keep their
float32 state test.
"""

from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "optimizers" / "optimizers.py"
VARIANTS = Path(__file__).resolve().parent / "wrong_variants" / "optimizers"


def rule_tests(rule, state=True):
    names = [f"test_one_step_course_example[{rule}]", f"test_course_example_trajectory[{rule}]",
             f"test_random_quadratics[{rule}]"]
    return names + ([f"test_state_float32_and_resume[{rule}]"] if state else [])


CURVE_SGD_MOMENTUM = "test_loss_curve_sgd_and_momentum"
CURVE_EMA_NESTEROV = "test_loss_curve_ema_momentum_and_nesterov_vector_w0"
CURVE_ADAPTIVE = "test_loss_curve_adagrad_rmsprop_adam"

# variant -> the tests it must lose (every other test must give it full points)
EXPECTED_LOSSES = {
    "momentum_course_form": rule_tests("momentum") + [CURVE_SGD_MOMENTUM],
    # Same params as Keras, velocity of the opposite sign: only the state test sees it.
    "momentum_velocity_sign": ["test_state_float32_and_resume[momentum]"],
    "ema_momentum_keras_form": rule_tests("ema_momentum") + [CURVE_EMA_NESTEROV],
    "nesterov_without_lookahead": rule_tests("nesterov") + [CURVE_EMA_NESTEROV],
    "adagrad_zero_accumulator": rule_tests("adagrad") + [CURVE_ADAPTIVE],
    "adagrad_epsilon_outside_sqrt": rule_tests("adagrad", state=False) + [CURVE_ADAPTIVE],
    "rmsprop_epsilon_outside_sqrt": rule_tests("rmsprop", state=False) + [CURVE_ADAPTIVE],
    "adam_no_bias_correction": rule_tests("adam") + [CURVE_ADAPTIVE],
    "adam_epsilon_on_v_hat": rule_tests("adam", state=False) + [CURVE_ADAPTIVE],
    # Right on its own trajectories; wrong when resumed from a state it did not make.
    "adam_own_step_counter": ["test_state_float32_and_resume[adam]"],
}


def test_every_variant_file_has_expectations():
    assert sorted(p.stem for p in VARIANTS.glob("*.py")) == sorted(EXPECTED_LOSSES)


def test_reference_scores_full_marks(grade_hidden):
    results = grade_hidden("optimizers", SOLUTION)
    failing = [r for r in results.values() if r.points < r.max_points]
    assert not failing, failing
    assert sum(r.max_points for r in results.values()) == 30


@pytest.mark.parametrize("variant", sorted(EXPECTED_LOSSES))
def test_wrong_variant_loses_exactly_its_tests(variant, grade_hidden):
    results = grade_hidden("optimizers", VARIANTS / f"{variant}.py")
    assert set(EXPECTED_LOSSES[variant]) <= set(results), "a listed test does not exist"
    lost = {name for name, r in results.items() if r.points < r.max_points}
    assert lost == set(EXPECTED_LOSSES[variant])
    # Caught by the checks (a wrong value), not by an error of the grader.
    assert all(results[name].stage in ("values", "finite") for name in lost), {n: results[n].stage for n in lost}
