"""WRONG VARIANT, graded by tests/test_wrong_variants_optimizers.py.

The mistake: rmsprop_step's learning_rate defaults to 0.01, not Keras's 0.001.

A copy of solutions/optimizers/optimizers.py with that one mistake.
"""

import numpy as np


def _start(params, state, **slots):
    """A fresh state: iterations 0 and, for each slot, one array per param filled with its value."""
    if state is not None:
        return state
    fresh = {"iterations": 0}
    for name, value in slots.items():
        fresh[name] = [np.full_like(np.asarray(p), value) for p in params]
    return fresh


def _arrays(params, grads):
    params = [np.asarray(p) for p in params]
    grads = [np.asarray(g, dtype=p.dtype) for p, g in zip(params, grads)]
    return params, grads


def _c(value, like):
    """A hyperparameter as a scalar of the param's dtype."""
    return like.dtype.type(value)


def sgd_step(params, grads, state=None, learning_rate=0.01):
    """keras.optimizers.SGD(learning_rate): w = w - lr * g. State: {"iterations"}."""
    params, grads = _arrays(params, grads)
    state = _start(params, state)
    new = [w - g * _c(learning_rate, w) for w, g in zip(params, grads)]
    return new, {"iterations": int(state["iterations"]) + 1}


def momentum_step(params, grads, state=None, learning_rate=0.01, momentum=0.9):
    """keras.optimizers.SGD(learning_rate, momentum): v = momentum*v - lr*g; w = w + v.

    State: {"iterations", "velocity"}; velocity starts at zeros.
    """
    params, grads = _arrays(params, grads)
    state = _start(params, state, velocity=0.0)
    new_params, velocity = [], []
    for w, g, v in zip(params, grads, state["velocity"]):
        v = np.asarray(v, dtype=w.dtype)
        v = v * _c(momentum, w) - g * _c(learning_rate, w)
        velocity.append(v)
        new_params.append(w + v)
    return new_params, {"iterations": int(state["iterations"]) + 1, "velocity": velocity}


def ema_momentum_step(params, grads, state=None, learning_rate=0.01, beta=0.9):
    """The course's SGDM (001 section 2.6): m = beta*m + (1-beta)*g; w = w - lr*m.

    State: {"iterations", "m"}; m starts at zeros. (It equals Keras's momentum form with
    learning rate lr*(1-beta) and momentum beta, with velocity = -lr*m.)
    """
    params, grads = _arrays(params, grads)
    state = _start(params, state, m=0.0)
    new_params, ms = [], []
    for w, g, m in zip(params, grads, state["m"]):
        m = np.asarray(m, dtype=w.dtype)
        m = _c(beta, w) * m + _c(1.0 - beta, w) * g
        ms.append(m)
        new_params.append(w - _c(learning_rate, w) * m)
    return new_params, {"iterations": int(state["iterations"]) + 1, "m": ms}


def nesterov_step(params, grads, state=None, learning_rate=0.01, momentum=0.9):
    """keras.optimizers.SGD(learning_rate, momentum, nesterov=True):

        v = momentum*v - lr*g;  w = w + momentum*v - lr*g      (v: the new velocity)

    State: {"iterations", "velocity"}; velocity starts at zeros.
    """
    params, grads = _arrays(params, grads)
    state = _start(params, state, velocity=0.0)
    new_params, velocity = [], []
    for w, g, v in zip(params, grads, state["velocity"]):
        v = np.asarray(v, dtype=w.dtype)
        v = v * _c(momentum, w) - g * _c(learning_rate, w)
        velocity.append(v)
        new_params.append(w + (v * _c(momentum, w) - g * _c(learning_rate, w)))
    return new_params, {"iterations": int(state["iterations"]) + 1, "velocity": velocity}


def adagrad_step(params, grads, state=None, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
    """keras.optimizers.Adagrad: a = a + g^2;  w = w - lr * g / sqrt(a + epsilon).

    State: {"iterations", "accumulator"}; the accumulator starts at initial_accumulator_value.
    """
    params, grads = _arrays(params, grads)
    state = _start(params, state, accumulator=initial_accumulator_value)
    new_params, accumulators = [], []
    for w, g, a in zip(params, grads, state["accumulator"]):
        a = np.asarray(a, dtype=w.dtype) + g * g
        accumulators.append(a)
        new_params.append(w - _c(learning_rate, w) * g / np.sqrt(a + _c(epsilon, w)))
    return new_params, {"iterations": int(state["iterations"]) + 1, "accumulator": accumulators}


def rmsprop_step(params, grads, state=None, learning_rate=0.01, rho=0.9, epsilon=1e-7):
    """keras.optimizers.RMSprop (momentum=0, centered=False):

        v = rho*v + (1-rho)*g^2;  w = w - lr * g / sqrt(v + epsilon)

    State: {"iterations", "v"}; v starts at zeros.
    """
    params, grads = _arrays(params, grads)
    state = _start(params, state, v=0.0)
    new_params, vs = [], []
    for w, g, v in zip(params, grads, state["v"]):
        v = _c(rho, w) * np.asarray(v, dtype=w.dtype) + _c(1.0 - rho, w) * (g * g)
        vs.append(v)
        new_params.append(w - _c(learning_rate, w) * g / np.sqrt(v + _c(epsilon, w)))
    return new_params, {"iterations": int(state["iterations"]) + 1, "v": vs}


def adam_step(params, grads, state=None, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """keras.optimizers.Adam (amsgrad=False), with bias correction and Keras's epsilon placement:

        t = iterations + 1
        m = m + (g - m) * (1 - beta_1)            (= beta_1*m + (1-beta_1)*g)
        v = v + (g^2 - v) * (1 - beta_2)          (= beta_2*v + (1-beta_2)*g^2)
        alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        w = w - alpha * m / (sqrt(v) + epsilon)

    which is lr * m_hat / (sqrt(v_hat) + epsilon * sqrt(1 - beta_2^t)): epsilon is added to
    sqrt(v), not to sqrt(v_hat). State: {"iterations", "m", "v"}; m and v start at zeros.
    """
    params, grads = _arrays(params, grads)
    state = _start(params, state, m=0.0, v=0.0)
    t = int(state["iterations"]) + 1
    new_params, ms, vs = [], [], []
    for w, g, m, v in zip(params, grads, state["m"], state["v"]):
        dt = w.dtype.type
        beta_1_power, beta_2_power = dt(beta_1) ** dt(t), dt(beta_2) ** dt(t)
        alpha = dt(learning_rate) * np.sqrt(dt(1) - beta_2_power) / (dt(1) - beta_1_power)
        m = np.asarray(m, dtype=w.dtype)
        v = np.asarray(v, dtype=w.dtype)
        m = m + (g - m) * dt(1.0 - beta_1)
        v = v + (g * g - v) * dt(1.0 - beta_2)
        ms.append(m)
        vs.append(v)
        new_params.append(w - (m * alpha) / (np.sqrt(v) + dt(epsilon)))
    return new_params, {"iterations": t, "m": ms, "v": vs}


RULES = {
    "sgd": sgd_step,
    "momentum": momentum_step,
    "ema_momentum": ema_momentum_step,
    "nesterov": nesterov_step,
    "adagrad": adagrad_step,
    "rmsprop": rmsprop_step,
    "adam": adam_step,
}


def loss_curve(rule, w0=1.0, steps=10, **hyperparameters):
    """Run ``steps`` steps of ``rule`` on loss(w) = sum(w^2) / 2 (gradient: w) from w0.

    Returns a float64 array of shape (steps + 1,): the loss before the first step, then after
    each step.
    """
    w = np.array(w0, dtype=np.float64, ndmin=1)
    step = RULES[rule]
    params, state = [w], None
    losses = [0.5 * float(np.sum(w * w))]
    for _ in range(int(steps)):
        params, state = step(params, [params[0].copy()], state, **hyperparameters)
        losses.append(0.5 * float(np.sum(params[0] * params[0])))
    return np.array(losses, dtype=np.float64)

