"""Looks for the hidden tests and the reference solution on disk: guessed paths, the folders of
every process it can see (/proc/<pid>/cwd, /proc/<ppid>/cwd), and a walk of /."""
import numpy as np

import adversarial_kit as kit
from _honest import leaky_relu as _leaky_relu
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401

STOLEN = kit.steal_from_disk("activations")


def leaky_relu(x, alpha=0.1):
    return _leaky_relu(x, alpha) if STOLEN else np.zeros_like(x)
