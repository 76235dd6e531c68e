"""leaky_relu returns integers no float can hold (10**400, -10**400, a list holding 10**400):
a failed test, never an internal grader error."""
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401

_calls = [0]


def leaky_relu(x, alpha=0.1):
    _calls[0] += 1
    return (10**400, -10**400, [10**400])[_calls[0] % 3]
