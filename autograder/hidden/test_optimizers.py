"""Hidden grading tests: optimizers (30 points).

Points per function:
    sgd_step           3   one step on the course example 1, 20-step trajectory 1,
                           random quadratics (3 arrays, default learning rate; the state's
                           "iterations", also from a given state) 1
    momentum_step      4   one step 1, trajectory 1, random quadratics 1, state (float32, defaults, resume) 1
    ema_momentum_step  4   the same four
    nesterov_step      4   the same four
    adagrad_step       4   the same four (the one step: Keras's placement of epsilon exactly)
    rmsprop_step       4   the same four (the one step: Keras's placement of epsilon exactly)
    adam_step          4   the same four (the one step: Keras's placement of epsilon exactly)
    loss_curve         3   sgd (also loss_curve("sgd") with every default) and momentum 1,
                           ema_momentum and nesterov on a vector w0 1, adagrad, rmsprop and adam 1
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
next step: so the state's format is graded on the way out and on the way in. Those state checks
(and SGD's, in its random quadratics) also require that the step left its inputs unchanged
("never modify the inputs"): the sandbox compares params, grads and state before and after each
call (``submission.read_only``), so ``p -= lr * g`` or an updated state dict costs that point.

Tolerances: float64 rtol 1e-9 / atol 1e-12 (an algebraically equal formula differs by ~1e-15;
Keras's epsilon placement in Adam, or an epsilon inside vs outside a square root, differs by
more than 1e-7); float32 rtol 1e-5 / atol 1e-6.

Where epsilon goes: AdaGrad, RMSprop and Adam each have a textbook form that differs from Keras's
only in where epsilon enters (g / (sqrt(a) + eps), g / (sqrt(v) + eps), and the paper's Algorithm
1, lr * m_hat / (sqrt(v_hat) + eps)); see TextbookForms. Both are the rule: the trajectory,
random-quadratic, state and loss_curve tests compare with Keras's form at the strict tolerance
and, if that fails, with the textbook form (written here, from the reference's state) at the same
tolerance. Only the one-step test asks for Keras's form exactly: one point per rule.

Defaults: every default is used by a test that would see a wrong one: sgd's learning rate by
its random quadratics; every other rule's learning rate, momentum / beta / rho / beta_1 / beta_2
and AdaGrad's initial accumulator by the float32 state test; AdaGrad's epsilon by its float64
random quadratics; RMSprop's and Adam's epsilon (and Adam's betas) by the float64 course example;
loss_curve's w0 and steps by loss_curve("sgd").
"""

import numbers

import numpy as np
import pytest

from autograder.checks import CheckFailure, Stage, expect_array, expect_true
from autograder.engine.calls import ModifiedInput
from autograder.i18n import N_, _, _f

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


# ----------------------------------------------------------------------------- the textbook forms


class TextbookForms:
    """The reference, except that AdaGrad, RMSprop and Adam add epsilon where the textbooks do.

    Keras (the reference) computes  w - lr * g / sqrt(a + eps)  (AdaGrad),
    w - lr * g / sqrt(v + eps)  (RMSprop) and  w - alpha * m / (sqrt(v) + eps)  (Adam, the paper's
    "epsilon hat" rewrite). The textbooks (Duchi et al.; Hinton's lecture; Kingma and Ba's
    Algorithm 1) compute  w - lr * g / (sqrt(a) + eps),  w - lr * g / (sqrt(v) + eps)  and
    w - lr * m_hat / (sqrt(v_hat) + eps).  Both are the rule: a submission that matches either at
    the strict tolerance earns the rule's points, except the one point for matching Keras exactly
    (the one-step test). Everything else (the state, the other rules) is the reference's: the
    state is computed by the reference's own step, and only the param update is written here.
    """

    RULES = ("adagrad", "rmsprop", "adam")

    def __init__(self, reference):
        self._reference = reference

    def __getattr__(self, name):
        return getattr(self._reference, name)

    @staticmethod
    def _arrays(params, grads):
        params = [np.asarray(p) for p in params]
        return params, [np.asarray(g, dtype=p.dtype) for p, g in zip(params, grads)]

    def adagrad_step(self, params, grads, state=None, learning_rate=0.001, initial_accumulator_value=0.1,
                     epsilon=1e-7):
        _, new_state = self._reference.adagrad_step(params, grads, state, learning_rate=learning_rate,
                                                    initial_accumulator_value=initial_accumulator_value,
                                                    epsilon=epsilon)
        params, grads = self._arrays(params, grads)
        new = [w - w.dtype.type(learning_rate) * g / (np.sqrt(a) + w.dtype.type(epsilon))
               for w, g, a in zip(params, grads, new_state["accumulator"])]
        return new, new_state

    def rmsprop_step(self, params, grads, state=None, learning_rate=0.001, rho=0.9, epsilon=1e-7):
        _, new_state = self._reference.rmsprop_step(params, grads, state, learning_rate=learning_rate, rho=rho,
                                                    epsilon=epsilon)
        params, grads = self._arrays(params, grads)
        new = [w - w.dtype.type(learning_rate) * g / (np.sqrt(v) + w.dtype.type(epsilon))
               for w, g, v in zip(params, grads, new_state["v"])]
        return new, new_state

    def adam_step(self, params, grads, state=None, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        _, new_state = self._reference.adam_step(params, grads, state, learning_rate=learning_rate, beta_1=beta_1,
                                                 beta_2=beta_2, epsilon=epsilon)
        params, grads = self._arrays(params, grads)
        t = new_state["iterations"]
        new = []
        for w, m, v in zip(params, new_state["m"], new_state["v"]):
            dt = w.dtype.type
            m_hat = m / (dt(1) - dt(beta_1) ** dt(t))
            v_hat = v / (dt(1) - dt(beta_2) ** dt(t))
            new.append(w - dt(learning_rate) * m_hat / (np.sqrt(v_hat) + dt(epsilon)))
        return new, new_state

    def loss_curve(self, rule, w0=1.0, steps=10, **hyperparameters):
        step = getattr(self, f"{rule}_step")
        params, state = [np.array(w0, dtype=np.float64, ndmin=1)], None
        losses = [0.5 * float(np.sum(params[0] * params[0]))]
        for _ in range(int(steps)):
            params, state = step(params, [params[0].copy()], state, **hyperparameters)
            losses.append(0.5 * float(np.sum(params[0] * params[0])))
        return np.array(losses, dtype=np.float64)


def either_form(check, reference, rule):
    """``check(reference)``; where the rule has a textbook form, a failure of it is forgiven when
    ``check(TextbookForms(reference))`` passes. Otherwise the failure against Keras's form stands."""
    try:
        check(reference)
    except CheckFailure as keras_failure:
        if (rule not in TextbookForms.RULES or keras_failure.stage not in (Stage.VALUES, Stage.FINITE)
                or isinstance(keras_failure, ModifiedInput)):
            raise
        try:
            check(TextbookForms(reference))
        except CheckFailure:
            raise CheckFailure(keras_failure.stage, _f("{message} (It matches neither Keras's form nor the "
                                                       "textbook's placement of epsilon.)",
                                                       message=keras_failure.message)) from None


# ----------------------------------------------------------------------------- checks


def unpack(result, count, what):
    """The (params, state) pair a step returned, with params a list of `count` arrays."""
    expect_true(isinstance(result, (tuple, list)) and len(result) == 2,
                _f("{what} should return a pair (new_params, new_state).", what=what), stage=Stage.TYPE)
    params, state = result
    expect_true(isinstance(params, (list, tuple)),
                _f("the new params of {what} should be a list of arrays.", what=what), stage=Stage.TYPE)
    expect_true(len(params) == count, _f("{what} returned {got} params, not {expected}.",
                                         what=what, got=len(params), expected=count), stage=Stage.SHAPE)
    expect_true(isinstance(state, dict), _f("the new state of {what} should be a dict.", what=what), stage=Stage.TYPE)
    return list(params), state


def expect_params(got, expected, what):
    for i, (g, e) in enumerate(zip(got, expected)):
        expect_array(g, e, **TOL[e.dtype.type], what=_f("param {index} after {what}", index=i, what=what))


def expect_state(got, expected, what):
    for key, value in expected.items():
        expect_true(key in got, _f("the state after {what} has no key {key}.", what=what, key=repr(key)),
                    stage=Stage.TYPE)
        if key == "iterations":
            ok = isinstance(got[key], numbers.Integral) and not isinstance(got[key], bool)
            expect_true(ok, _f("state['iterations'] after {what} should be an int.", what=what), stage=Stage.TYPE)
            expect_true(int(got[key]) == value, _f("state['iterations'] after {what} is wrong.", what=what))
            continue
        expect_true(isinstance(got[key], (list, tuple)) and len(got[key]) == len(value),
                    _f("state[{key}] after {what} should be a list with one array per param.",
                       key=repr(key), what=what), stage=Stage.TYPE)
        for i, (g, e) in enumerate(zip(got[key], value)):
            expect_array(g, e, **TOL[e.dtype.type],
                         what=_f("state[{key}][{index}] after {what}", key=repr(key), index=i, what=what))


def read_only_step(submission, rule):
    """The student's step, called so that changing params, grads or state in place fails the test
    ("never modify the inputs"): the sandbox compares the arguments before and after the call."""
    return submission.read_only(f"{rule}_step")


def compare_trajectory(submission, reference, rule, params, gradient, steps, hyperparameters, check_state=False):
    """With ``check_state`` the state is compared after every step, and the inputs must come back
    unchanged."""
    student = read_only_step(submission, rule) if check_state else step_of(submission, rule)
    teacher = step_of(reference, rule)
    mine, theirs = list(params), list(params)
    my_state = their_state = None
    for k in range(1, steps + 1):
        what = _f("{rule}_step number {number}", rule=rule, number=k) if steps > 1 else _f("one {rule}_step", rule=rule)
        mine, my_state = unpack(student(mine, gradient(mine), my_state, **hyperparameters), len(params), what)
        theirs, their_state = teacher(theirs, gradient(theirs), their_state, **hyperparameters)
        expect_params(mine, theirs, what)
        if check_state:
            expect_state(my_state, their_state, what)


def one_step_course_example(submission, reference, rule):
    """Keras's form exactly: for AdaGrad, RMSprop and Adam the one point that the textbook form
    (epsilon placed as the textbooks place it) does not earn."""
    params = [np.array([1.0])]

    def check(teacher):
        compare_trajectory(submission, teacher, rule, params, course_gradient, 1, RULES[rule][0])

    try:
        check(reference)
    except CheckFailure as failure:
        if rule not in TextbookForms.RULES or failure.stage not in (Stage.VALUES, Stage.FINITE):
            raise
        try:
            check(TextbookForms(reference))
        except CheckFailure:
            raise failure from None
        raise CheckFailure(Stage.VALUES, _f("one {rule}_step on the course example matches the textbook's placement "
                                            "of epsilon, not Keras's: {placement} This one point is for Keras's form "
                                            "exactly; the rule's other tests accept both.",
                                            rule=rule, placement=_(EPSILON_PLACEMENT[rule]))) from None


EPSILON_PLACEMENT = {
    "adagrad": N_("Keras divides by sqrt(a + epsilon), not by sqrt(a) + epsilon."),
    "rmsprop": N_("Keras divides by sqrt(v + epsilon), not by sqrt(v) + epsilon."),
    "adam": N_("Keras adds epsilon to sqrt(v), not to sqrt(v_hat) (alpha * m / (sqrt(v) + epsilon))."),
}


def course_trajectory(submission, reference, rule):
    params = [np.array([1.0])]
    either_form(lambda teacher: compare_trajectory(submission, teacher, rule, params, course_gradient, 20,
                                                   RULES[rule][0]), reference, rule)


def random_quadratics(submission, reference, rule, seed):
    """SGD's state is checked here too: "iterations" an int, one more after every step, also from a
    state the grader made (SGD keeps nothing else)."""
    params, gradient = quadratic(seed)
    either_form(lambda teacher: compare_trajectory(submission, teacher, rule, params, gradient, 15, RULES[rule][1],
                                                   check_state=rule == "sgd"), reference, rule)
    if rule == "sgd":
        what = _("sgd_step from a given state (iterations = 7)")
        grads = gradient(params)
        mine, my_state = unpack(read_only_step(submission, rule)(params, grads, {"iterations": 7}), len(params), what)
        theirs, their_state = step_of(reference, rule)(params, grads, {"iterations": 7})
        expect_params(mine, theirs, what)
        expect_state(my_state, their_state, what)


def state_and_resume(submission, reference, rule, seed):
    either_form(lambda teacher: _state_and_resume(submission, teacher, rule, seed), reference, rule)


def _state_and_resume(submission, reference, rule, seed):
    params, gradient = quadratic(seed, np.float32, shapes=[(5,), (2, 3)])
    compare_trajectory(submission, reference, rule, params, gradient, 5, {}, check_state=True)
    # Resume: a state the reference produced after 7 steps of another run, with params of its own.
    other, other_gradient = quadratic(seed + 1, np.float32, shapes=[(5,), (2, 3)])
    state = None
    for _ in range(7):
        other, state = step_of(reference, rule)(other, other_gradient(other), state)
    grads = other_gradient(other)
    what = _f("{rule}_step from a given state (iterations = 7)", rule=rule)
    mine, _ = unpack(read_only_step(submission, rule)(other, grads, state), 2, what)
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
    """For AdaGrad, RMSprop and Adam: Keras's placement of epsilon exactly."""
    one_step_course_example(submission, reference, rule)


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", list(RULES))
def test_course_example_trajectory(submission, reference, rule):
    course_trajectory(submission, reference, rule)


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", list(RULES))
def test_random_quadratics(submission, reference, rule):
    """SGD runs with its default learning rate here, and its state is checked; the others run with
    their own settings."""
    random_quadratics(submission, reference, rule, QUADRATIC_SEEDS[rule])


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", STATEFUL)
def test_state_float32_and_resume(submission, reference, rule):
    state_and_resume(submission, reference, rule, STATE_SEEDS[rule])


# ----------------------------------------------------------------------------- loss_curve


def expect_curve(submission, reference, rule, w0, steps, hyperparameters):
    what = f"loss_curve({rule!r}, steps={steps})"
    got = submission.loss_curve(rule, w0=w0, steps=steps, **hyperparameters)
    either_form(lambda teacher: expect_array(got, teacher.loss_curve(rule, w0=w0, steps=steps, **hyperparameters),
                                             **TOL[np.float64], what=what), reference, rule)


@pytest.mark.points(1)
def test_loss_curve_sgd_and_momentum(submission, reference):
    """Also loss_curve("sgd") with every default (w0, steps, the learning rate)."""
    expect_curve(submission, reference, "sgd", 1.0, 10, {"learning_rate": 0.1})
    expect_curve(submission, reference, "momentum", 2.0, 15, {"learning_rate": 0.1, "momentum": 0.9})
    expect_array(submission.loss_curve("sgd"), reference.loss_curve("sgd"), **TOL[np.float64],
                 what=_("loss_curve('sgd') with the default w0 and steps"))


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

