"""leaky_relu leaves a child in its own session and a double-forked daemon running after it returns."""
import numpy as np

import adversarial_kit as kit
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    kit.leave_processes_behind()
    return np.zeros_like(x)
