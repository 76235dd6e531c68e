"""Reads other processes' memory and command lines (/proc/<ppid>/mem, /proc/<pid>/cmdline, ...)
looking for the hidden tests or the reference solution."""
import numpy as np

import adversarial_kit as kit
from _honest import leaky_relu as _leaky_relu
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    # Looked for during the call: the grader is then in the middle of this very test.
    return _leaky_relu(x, alpha) if kit.steal_from_memory() else np.zeros_like(x)
