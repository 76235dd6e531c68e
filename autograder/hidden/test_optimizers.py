"""Hidden grading tests: optimizers (30 points).

Points per function:
    sgd_step           3   one step on the course example 1, 20-step trajectory 1,
                           random quadratics (3 arrays, default learning rate) 1
    momentum_step      4   one step 1, trajectory 1, random quadratics 1, state (float32, defaults, resume) 1
    ema_momentum_step  4   the same four
    nesterov_step      4   the same four
    adagrad_step       4   the same four
    rmsprop_step       4   the same four
    adam_step          4   the same four
    loss_curve         3   sgd and momentum 1, ema_momentum and nesterov on a vector w0 1,
                           adagrad, rmsprop and adam 1
    total             30

The course example (000 section 3) is w = 1.0, loss = w^2 / 2 (gradient w), with the notes'
hyperparameters: SGD lr 0.1; momentum lr 0.1, 0.9; AdaGrad lr 0.1, initial accumulator 0.1,
epsilon 1e-6; RMSprop lr 0.1, rho 0.9; Adam lr 0.1. The random quadratics are seeded
loss = sum_i (w_i - c_i)^T A_i (w_i - c_i) / 2 over three parameter arrays of different shapes,
with A_i symmetric positive definite (eigenvalues in [0.2, 2]).

Trajectories are closed-loop, as in training: each gradient is computed from the parameters the
student's previous step returned, and the parameters are compared with the reference after
every step. The state tests run 5 steps on float32 parameters with the default
hyperparameters, compare the returned state (the keys the handout specifies) after every step,
then hand the student a state that the reference produced on another trajectory and compare the
next step: so the state's format is graded on the way out and on the way in.

Tolerances: float64 rtol 1e-9 / atol 1e-12 (an algebraically equal formula differs by ~1e-15;
Keras's epsilon placement in Adam, or an epsilon inside vs outside a square root, differs by
more than 1e-7); float32 rtol 1e-5 / atol 1e-6.
"""

import numbers

import numpy as np
import pytest

from autograder.checks import Stage, expect_array, expect_true

TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-9, atol=1e-12)}

# (course example hyperparameters, random-quadratic hyperparameters, state keys besides "iterations")
RULES = {
    "sgd": ({"learning_rate": 0.1}, {}, []),
    "momentum": ({"learning_rate": 0.1, "momentum": 0.9}, {"learning_rate": 0.05, "momentum": 0.8}, ["velocity"]),
    "ema_momentum": ({"learning_rate": 0.1, "beta": 0.9}, {"learning_rate": 0.3, "beta": 0.7}, ["m"]),
    "nesterov": ({"learning_rate": 0.1, "momentum": 0.9}, {"learning_rate": 0.05, "momentum": 0.85}, ["velocity"]),
    "adagrad": ({"learning_rate": 0.1, "initial_accumulator_value": 0.1, "epsilon": 1e-6},
                {"learning_rate": 0.3, "initial_accumulator_value": 0.5}, ["accumulator"]),
    "rmsprop": ({"learning_rate": 0.1, "rho": 0.9}, {"learning_rate": 0.02, "rho": 0.8, "epsilon": 1e-4}, ["v"]),
    "adam": ({"learning_rate": 0.1}, {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-5},
             ["m", "v"]),
}
STATEFUL = [rule for rule, (_, _, keys) in RULES.items() if keys]
QUADRATIC_SHAPES = [(4,), (3, 2), (2, 2, 3)]


def step_of(module, rule):
    return getattr(module, f"{rule}_step")


# ----------------------------------------------------------------------------- problems


def course_gradient(params):
    return [np.array(p, copy=True) for p in params]


def quadratic(seed, dtype=np.float64, shapes=QUADRATIC_SHAPES):
    """Seeded SPD quadratics: (initial params, gradient function)."""
    rng = np.random.default_rng(seed)
    matrices, centres, start = [], [], []
    for shape in shapes:
        n = int(np.prod(shape))
        q, _ = np.linalg.qr(rng.normal(size=(n, n)))
        matrices.append(q @ np.diag(rng.uniform(0.2, 2.0, size=n)) @ q.T)
        centres.append(rng.normal(size=n))
        start.append(rng.normal(scale=2.0, size=shape).astype(dtype))

    def gradient(params):
        return [(a @ (np.asarray(p, dtype=np.float64).ravel() - c)).reshape(p.shape).astype(p.dtype)
                for p, a, c in zip(params, matrices, centres)]

    return start, gradient


# ----------------------------------------------------------------------------- checks


def unpack(result, count, what):
    """The (params, state) pair a step returned, with params a list of `count` arrays."""
    expect_true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"{what} should return a pair (new_params, new_state).", stage=Stage.TYPE)
    params, state = result
    expect_true(isinstance(params, (list, tuple)), f"the new params of {what} should be a list of arrays.",
                stage=Stage.TYPE)
    expect_true(len(params) == count, f"{what} returned {len(params)} params, not {count}.", stage=Stage.SHAPE)
    expect_true(isinstance(state, dict), f"the new state of {what} should be a dict.", stage=Stage.TYPE)
    return list(params), state


def expect_params(got, expected, what):
    for i, (g, e) in enumerate(zip(got, expected)):
        expect_array(g, e, **TOL[e.dtype.type], what=f"param {i} after {what}")


def expect_state(got, expected, what):
    for key, value in expected.items():
        expect_true(key in got, f"the state after {what} has no key {key!r}.", stage=Stage.TYPE)
        if key == "iterations":
            ok = isinstance(got[key], numbers.Integral) and not isinstance(got[key], bool)
            expect_true(ok, f"state['iterations'] after {what} should be an int.", stage=Stage.TYPE)
            expect_true(int(got[key]) == value, f"state['iterations'] after {what} is wrong.")
            continue
        expect_true(isinstance(got[key], (list, tuple)) and len(got[key]) == len(value),
                    f"state[{key!r}] after {what} should be a list with one array per param.", stage=Stage.TYPE)
        for i, (g, e) in enumerate(zip(got[key], value)):
            expect_array(g, e, **TOL[e.dtype.type], what=f"state[{key!r}][{i}] after {what}")


def compare_trajectory(submission, reference, rule, params, gradient, steps, hyperparameters, check_state=False):
    student, teacher = step_of(submission, rule), step_of(reference, rule)
    mine, theirs = list(params), list(params)
    my_state = their_state = None
    for k in range(1, steps + 1):
        what = f"{rule}_step number {k}" if steps > 1 else f"one {rule}_step"
        mine, my_state = unpack(student(mine, gradient(mine), my_state, **hyperparameters), len(params), what)
        theirs, their_state = teacher(theirs, gradient(theirs), their_state, **hyperparameters)
        expect_params(mine, theirs, what)
        if check_state:
            expect_state(my_state, their_state, what)


def one_step_course_example(submission, reference, rule):
    params = [np.array([1.0])]
    compare_trajectory(submission, reference, rule, params, course_gradient, 1, RULES[rule][0])


def course_trajectory(submission, reference, rule):
    params = [np.array([1.0])]
    compare_trajectory(submission, reference, rule, params, course_gradient, 20, RULES[rule][0])


def random_quadratics(submission, reference, rule, seed):
    params, gradient = quadratic(seed)
    compare_trajectory(submission, reference, rule, params, gradient, 15, RULES[rule][1])


def state_and_resume(submission, reference, rule, seed):
    params, gradient = quadratic(seed, np.float32, shapes=[(5,), (2, 3)])
    compare_trajectory(submission, reference, rule, params, gradient, 5, {}, check_state=True)
    # Resume: a state the reference produced after 7 steps of another run, with params of its own.
    other, other_gradient = quadratic(seed + 1, np.float32, shapes=[(5,), (2, 3)])
    state = None
    for _ in range(7):
        other, state = step_of(reference, rule)(other, other_gradient(other), state)
    grads = other_gradient(other)
    what = f"{rule}_step from a given state (iterations = 7)"
    mine, _ = unpack(step_of(submission, rule)(other, grads, state), 2, what)
    theirs, _ = step_of(reference, rule)(other, grads, state)
    expect_params(mine, theirs, what)


# ----------------------------------------------------------------------------- the seven rules

# Seeds of each rule's random problems: every rule gets problems of its own.
QUADRATIC_SEEDS = {"sgd": 100, "momentum": 200, "ema_momentum": 300, "nesterov": 400, "adagrad": 500,
                   "rmsprop": 600, "adam": 700}
STATE_SEEDS = {rule: seed + 50 for rule, seed in QUADRATIC_SEEDS.items()}


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", list(RULES))
def test_one_step_course_example(submission, reference, rule):
    one_step_course_example(submission, reference, rule)


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", list(RULES))
def test_course_example_trajectory(submission, reference, rule):
    course_trajectory(submission, reference, rule)


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", list(RULES))
def test_random_quadratics(submission, reference, rule):
    """SGD runs with its default learning rate here; the others with their own settings."""
    random_quadratics(submission, reference, rule, QUADRATIC_SEEDS[rule])


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", STATEFUL)
def test_state_float32_and_resume(submission, reference, rule):
    state_and_resume(submission, reference, rule, STATE_SEEDS[rule])



# ----------------------------------------------------------------------------- loss_curve


def expect_curve(submission, reference, rule, w0, steps, hyperparameters):
    what = f"loss_curve({rule!r}, steps={steps})"
    expect_array(submission.loss_curve(rule, w0=w0, steps=steps, **hyperparameters),
                 reference.loss_curve(rule, w0=w0, steps=steps, **hyperparameters), **TOL[np.float64], what=what)


@pytest.mark.points(1)
def test_loss_curve_sgd_and_momentum(submission, reference):
    expect_curve(submission, reference, "sgd", 1.0, 10, {"learning_rate": 0.1})
    expect_curve(submission, reference, "momentum", 2.0, 15, {"learning_rate": 0.1, "momentum": 0.9})


@pytest.mark.points(1)
def test_loss_curve_ema_momentum_and_nesterov_vector_w0(submission, reference):
    w0 = np.array([1.0, -2.0, 0.5])
    expect_curve(submission, reference, "ema_momentum", w0, 12, {"learning_rate": 0.5, "beta": 0.9})
    expect_curve(submission, reference, "nesterov", w0, 12, {"learning_rate": 0.1, "momentum": 0.9})


@pytest.mark.points(1)
def test_loss_curve_adagrad_rmsprop_adam(submission, reference):
    expect_curve(submission, reference, "adagrad", 1.0, 20, RULES["adagrad"][0])
    expect_curve(submission, reference, "rmsprop", 1.0, 20, RULES["rmsprop"][0])
    expect_curve(submission, reference, "adam", 1.0, 20, RULES["adam"][0])

