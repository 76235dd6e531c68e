"""Assignment: gradient-descent update rules in NumPy, exactly as Keras 3 applies them.

Course notes: 000 section 3 (SGD, momentum, AdaGrad, RMSprop and Adam on w = 1.0,
loss = w^2 / 2) and 001 section 2.6 (the update formulas).
Handout: README.md (English) and README.zh_CN.md (简体中文讲义), in this folder.

Write each rule with NumPy alone; do not call keras.optimizers.* or tf.* (compare with them
in your own checks if you like).

THE CONTRACT OF EVERY RULE

    <rule>_step(params, grads, state=None, **hyperparameters) -> (new_params, new_state)

- ``params``: a list of NumPy float arrays, one per variable (any shapes; float32 or float64).
- ``grads``: a list of arrays of the same shapes and dtypes: d loss / d param.
- ``state``: None on the first step: start from the rule's initial state (for example zeros).
  On later steps, the dict that your previous call returned. A state is plain data: a dict with
  - "iterations": a Python int, the number of steps taken so far (0 before the first step);
  - the rule's own keys (listed in each docstring), each a list with one array per param,
    of that param's shape and dtype.
  Use exactly these keys: the grader reads your state, and also hands your function states
  that it made itself.
- Return a pair ``(new_params, new_state)``: a new list of new arrays (same shapes and dtypes
  as params; never modify the inputs in place) and the new state dict ("iterations" one more).
- Compute in each param's dtype: a float32 param gives a float32 result. Hyperparameters are
  Python floats; ``w - lr * g`` with a Python float ``lr`` keeps float32.
- Hyperparameters are keyword arguments whose defaults are Keras's.

One training step of a model is then: compute grads at params, call the rule, repeat with the
returned params and state. ``loss_curve`` at the bottom does exactly that on the course's
example.

Check your work with ``pytest assignments/optimizers``.
"""

import numpy as np


def sgd_step(params, grads, state=None, learning_rate=0.01):
    """Plain SGD, keras.optimizers.SGD(learning_rate=0.01):

        w = w - lr * g

    State: {"iterations": int} (SGD keeps nothing else).

    On the course example (w = 1.0, grad = w, lr = 0.1) one step gives w = 0.9.
    """
    raise NotImplementedError("sgd_step")


def momentum_step(params, grads, state=None, learning_rate=0.01, momentum=0.9):
    """Momentum in Keras's form, keras.optimizers.SGD(learning_rate, momentum):

        v = momentum * v - lr * g          (v starts at 0)
        w = w + v

    State: {"iterations": int, "velocity": [v per param]}.

    (Keras's SGD has momentum=0.0 by default; this function's default is the course's 0.9.)
    On the course example (lr 0.1, momentum 0.9): w goes 1.0 -> 0.9 -> 0.72 (steps 0.1, 0.18).
    """
    raise NotImplementedError("momentum_step")


def ema_momentum_step(params, grads, state=None, learning_rate=0.01, beta=0.9):
    """The course's SGDM (001 section 2.6): an exponential moving average of the gradients.

        m = beta * m + (1 - beta) * g      (m starts at 0)
        w = w - lr * m

    State: {"iterations": int, "m": [m per param]}.

    This is not Keras's form: it equals momentum_step with learning rate lr * (1 - beta) and
    momentum beta (its velocity is -lr * m). On the course example (lr 0.1, beta 0.9) one step
    gives w = 1 - 0.1 * 0.1 = 0.99.
    """
    raise NotImplementedError("ema_momentum_step")


def nesterov_step(params, grads, state=None, learning_rate=0.01, momentum=0.9):
    """Nesterov momentum in Keras's form, keras.optimizers.SGD(lr, momentum, nesterov=True):

        v = momentum * v - lr * g          (v starts at 0)
        w = w + momentum * v - lr * g      (with the NEW v)

    State: {"iterations": int, "velocity": [v per param]}.
    """
    raise NotImplementedError("nesterov_step")


def adagrad_step(params, grads, state=None, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
    """AdaGrad, keras.optimizers.Adagrad:

        a = a + g^2                        (a starts at initial_accumulator_value, not 0)
        w = w - lr * g / sqrt(a + epsilon) (epsilon INSIDE the square root)

    State: {"iterations": int, "accumulator": [a per param]}.

    (001 writes V_t = sum of g^2 without an initial value or epsilon; Keras starts the sum at
    0.1 and adds epsilon under the root. The textbook's g / (sqrt(a) + epsilon) is accepted too,
    except for the one point for Keras's form exactly: see the handout's "Where ε goes".)
    """
    raise NotImplementedError("adagrad_step")


def rmsprop_step(params, grads, state=None, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    """RMSprop, keras.optimizers.RMSprop (momentum=0, centered=False):

        v = rho * v + (1 - rho) * g^2      (v starts at 0)
        w = w - lr * g / sqrt(v + epsilon) (epsilon INSIDE the square root)

    State: {"iterations": int, "v": [v per param]}.

    (The textbook's g / (sqrt(v) + epsilon) is accepted too, except for the one point for Keras's
    form exactly: see the handout's "Where ε goes".)
    """
    raise NotImplementedError("rmsprop_step")


def adam_step(params, grads, state=None, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Adam with bias correction, keras.optimizers.Adam (amsgrad=False):

        t = iterations + 1                 (the number of this step: 1, 2, ...)
        m = beta_1 * m + (1 - beta_1) * g          (m, v start at 0)
        v = beta_2 * v + (1 - beta_2) * g^2
        alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        w = w - alpha * m / (sqrt(v) + epsilon)

    Without epsilon this is the course's w - lr * m_hat / sqrt(v_hat), with
    m_hat = m / (1 - beta_1^t) and v_hat = v / (1 - beta_2^t). Keras adds epsilon to sqrt(v),
    NOT to sqrt(v_hat): write it as above for full points. (The paper's Algorithm 1,
    lr * m_hat / (sqrt(v_hat) + epsilon), is accepted too, except for the one point for Keras's
    form exactly: see the handout's "Where ε goes".)

    State: {"iterations": int, "m": [m per param], "v": [v per param]}.
    """
    raise NotImplementedError("adam_step")


def loss_curve(rule, w0=1.0, steps=10, **hyperparameters):
    """Run ``steps`` steps of a rule on the course's problem and return the loss curve.

    The problem: loss(w) = sum(w^2) / 2, whose gradient is w itself (for w = 1.0 this is the
    course's loss = w^2 / 2).

    Args:
        rule: one of "sgd", "momentum", "ema_momentum", "nesterov", "adagrad", "rmsprop", "adam";
            use your <rule>_step function.
        w0: the starting point, a float or a 1-D float64 array. Use params = [w] with
            w = np.array(w0, dtype=np.float64, ndmin=1).
        steps: the number of steps.
        **hyperparameters: passed on to the step function (for example learning_rate=0.1).

    Returns:
        A float64 array of shape (steps + 1,): the loss at w0, then after each step.
        For example loss_curve("sgd", 1.0, 2, learning_rate=0.1) is [0.5, 0.405, 0.32805].
    """
    raise NotImplementedError("loss_curve")
