"""The hidden optimizers tests catch the known-wrong variants, only where they are wrong, and
credit the textbook forms of the adaptive rules.

Each variant in tests/wrong_variants/optimizers.toml (rendered by tests/variant_files.py) is the reference with one change. Graded with the
hidden tests, it must lose points on exactly the tests listed for it below, and earn full points
on every other test.

Three files are not mistakes but the textbook forms of a rule, which differ from Keras's only in
where epsilon goes: AdaGrad and RMSprop with g / (sqrt(a) + eps), Adam as the paper's Algorithm 1
(lr * m_hat / (sqrt(v_hat) + eps)). They differ from Keras by about 1e-7 relative, more than the
float64 tolerance: the hidden tests accept them everywhere except in the one point per rule that
is for Keras's form exactly (the one-step test). The variants built on a textbook form with a real
mistake (no bias correction, a zero accumulator, ...) show that accepting it opens no door.
"""

from pathlib import Path

import pytest

import variant_files


ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "optimizers" / "optimizers.py"
VARIANTS = variant_files.folder() / "optimizers"


def one_step(rule):
    return f"test_one_step_course_example[{rule}]"


def trajectory(rule):
    return f"test_course_example_trajectory[{rule}]"


def quadratics(rule):
    return f"test_random_quadratics[{rule}]"


def state(rule):
    return f"test_state_float32_and_resume[{rule}]"


def rule_tests(rule):
    return [one_step(rule), trajectory(rule), quadratics(rule)] + ([state(rule)] if rule != "sgd" else [])


CURVE_SGD_MOMENTUM = "test_loss_curve_sgd_and_momentum"
CURVE_EMA_NESTEROV = "test_loss_curve_ema_momentum_and_nesterov_vector_w0"
CURVE_ADAPTIVE = "test_loss_curve_adagrad_rmsprop_adam"
ALL_CURVES = [CURVE_SGD_MOMENTUM, CURVE_EMA_NESTEROV, CURVE_ADAPTIVE]

# The textbook forms, accepted: each loses only its rule's point for Keras's form exactly.
TEXTBOOK_FORMS = {"adagrad_textbook_form": "adagrad", "rmsprop_textbook_form": "rmsprop",
                  "adam_paper_form": "adam"}

# variant -> the tests it must lose (every other test must give it full points)
EXPECTED_LOSSES = {
    **{name: [one_step(rule)] for name, rule in TEXTBOOK_FORMS.items()},
    # A textbook form with a real mistake loses what the same mistake in Keras's form loses.
    "adagrad_textbook_form_zero_accumulator": rule_tests("adagrad") + [CURVE_ADAPTIVE],
    "rmsprop_textbook_form_no_one_minus_rho": rule_tests("rmsprop") + [CURVE_ADAPTIVE],
    "adam_paper_form_no_bias_correction": rule_tests("adam") + [CURVE_ADAPTIVE],
    "adam_paper_form_no_v_correction": rule_tests("adam") + [CURVE_ADAPTIVE],
    "adam_paper_form_epsilon_1e_8": [one_step("adam"), trajectory("adam"), CURVE_ADAPTIVE],
    # sgd: its state is checked in the random-quadratics test.
    "sgd_adds_gradient": rule_tests("sgd") + [CURVE_SGD_MOMENTUM],
    "sgd_iterations_not_incremented": [quadratics("sgd")],
    # "never modify the inputs": only the tests that call the step read-only see it (the grader
    # hands the student copies, so the other tests' values are right).
    "sgd_in_place": [quadratics("sgd")],
    "adam_state_in_place": [state("adam")],
    "sgd_state_without_iterations": [quadratics("sgd")],
    "sgd_default_learning_rate": [quadratics("sgd"), CURVE_SGD_MOMENTUM],
    # momentum, ema_momentum, nesterov
    "momentum_course_form": rule_tests("momentum") + [CURVE_SGD_MOMENTUM],
    # Same params as Keras, velocity of the opposite sign: only the state test sees it.
    "momentum_velocity_sign": [state("momentum")],
    "momentum_default_learning_rate": [state("momentum")],
    "momentum_default_momentum_0": [state("momentum")],
    "ema_momentum_keras_form": rule_tests("ema_momentum") + [CURVE_EMA_NESTEROV],
    "ema_momentum_default_learning_rate": [state("ema_momentum")],
    "ema_momentum_default_beta": [state("ema_momentum")],
    "nesterov_without_lookahead": rule_tests("nesterov") + [CURVE_EMA_NESTEROV],
    "nesterov_old_velocity": rule_tests("nesterov") + [CURVE_EMA_NESTEROV],
    "nesterov_default_learning_rate": [state("nesterov")],
    "nesterov_default_momentum_0": [state("nesterov")],
    # adagrad
    "adagrad_zero_accumulator": rule_tests("adagrad") + [CURVE_ADAPTIVE],
    "adagrad_without_sqrt": rule_tests("adagrad") + [CURVE_ADAPTIVE],
    # Only the random quadratics pass an initial_accumulator_value other than 0.1.
    "adagrad_accumulator_ignores_argument": [quadratics("adagrad")],
    "adagrad_default_learning_rate": [state("adagrad")],
    "adagrad_default_accumulator_0": [state("adagrad")],
    # The random quadratics run AdaGrad in float64 with the default epsilon.
    "adagrad_default_epsilon_1e_8": [quadratics("adagrad")],
    # rmsprop
    "rmsprop_no_one_minus_rho": rule_tests("rmsprop") + [CURVE_ADAPTIVE],
    "rmsprop_v_starts_at_0_1": rule_tests("rmsprop") + [CURVE_ADAPTIVE],
    "rmsprop_default_learning_rate": [state("rmsprop")],
    "rmsprop_default_rho": [state("rmsprop")],
    # The course example runs RMSprop in float64 with the default epsilon.
    "rmsprop_default_epsilon_1e_8": [one_step("rmsprop"), trajectory("rmsprop"), CURVE_ADAPTIVE],
    # adam
    "adam_no_bias_correction": rule_tests("adam") + [CURVE_ADAPTIVE],
    "adam_t_from_zero": rule_tests("adam") + [CURVE_ADAPTIVE],
    "adam_m_without_one_minus_beta": rule_tests("adam") + [CURVE_ADAPTIVE],
    # With g = 1 the first step's v_hat is 1 whatever averages the gradients: not the one step.
    "adam_v_of_abs_gradient": [trajectory("adam"), quadratics("adam"), state("adam"), CURVE_ADAPTIVE],
    # Right on its own trajectories; wrong when resumed from a state it did not make.
    "adam_own_step_counter": [state("adam")],
    # The bias correction makes the first step independent of beta_1.
    "adam_default_beta_1": [trajectory("adam"), state("adam"), CURVE_ADAPTIVE],
    "adam_default_beta_2": [one_step("adam"), trajectory("adam"), state("adam"), CURVE_ADAPTIVE],
    "adam_default_epsilon_1e_8": [one_step("adam"), trajectory("adam"), CURVE_ADAPTIVE],
    # The notes' Adam, without epsilon: off by about epsilon, below float32's tolerance.
    "adam_notes_form_without_epsilon": [one_step("adam"), trajectory("adam"), quadratics("adam"), CURVE_ADAPTIVE],
    # loss_curve (its defaults: loss_curve("sgd") in the sgd-and-momentum test)
    "loss_curve_loss_without_half": ALL_CURVES,
    "loss_curve_without_initial_loss": ALL_CURVES,
    "loss_curve_ignores_hyperparameters": ALL_CURVES,
    "loss_curve_default_w0_2": [CURVE_SGD_MOMENTUM],
    "loss_curve_default_steps_20": [CURVE_SGD_MOMENTUM],
}

# Where a variant is caught, when not at the values (or finite) stage.
STAGES = {
    "sgd_state_without_iterations": "type",  # the state has no "iterations"
    "loss_curve_without_initial_loss": "shape",  # steps values, not steps + 1
    "loss_curve_default_steps_20": "shape",
}


def test_every_variant_file_has_expectations():
    assert sorted(p.stem for p in VARIANTS.glob("*.py")) == sorted(EXPECTED_LOSSES)


def test_reference_scores_full_marks(grade_hidden):
    variant_files.assert_full_marks(grade_hidden("optimizers", SOLUTION), 30)


@pytest.mark.parametrize("variant", sorted(EXPECTED_LOSSES))
def test_wrong_variant_loses_exactly_its_tests(variant, grade_hidden):
    results = grade_hidden("optimizers", VARIANTS / f"{variant}.py")
    stages = (STAGES[variant],) if variant in STAGES else ("values", "finite")
    variant_files.assert_loses_exactly(results, EXPECTED_LOSSES[variant], stages)


@pytest.mark.parametrize("variant", sorted(TEXTBOOK_FORMS))
def test_textbook_form_loses_at_most_one_point_of_its_rule(variant, grade_hidden):
    """Does a textbook AdaGrad or RMSprop, or the paper's Adam, earn all of its rule's points but the
    one for Keras's form exactly (and all of loss_curve's), graded by the real grader?"""
    rule = TEXTBOOK_FORMS[variant]
    results = grade_hidden("optimizers", VARIANTS / f"{variant}.py")
    of_rule = [r for name, r in results.items() if name.endswith(f"[{rule}]")]
    assert sum(r.max_points for r in of_rule) == 4
    assert sum(r.points for r in of_rule) == 3
    assert all(r.points == r.max_points for name, r in results.items() if not name.endswith(f"[{rule}]"))
    # The lost point says why, without a number.
    message = results[one_step(rule)].message
    assert "textbook" in message and "Keras" in message and not any(ch.isdigit() for ch in message), message
