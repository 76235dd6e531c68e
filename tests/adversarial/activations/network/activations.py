"""Connects to an external address and to a listener on the grader machine's 127.0.0.1; answers
honestly only if it got through."""
import numpy as np

import adversarial_kit as kit
from _honest import leaky_relu as _leaky_relu
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    return _leaky_relu(x, alpha) if kit.reach_network() else np.zeros_like(x)
