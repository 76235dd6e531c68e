"""Overwrites every classmate's activations.py it can find, in the submissions folder and in the
grader's private copies of the submissions being graded at the same time."""
import numpy as np

import adversarial_kit as kit
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401

kit.tamper_with_classmates("activations", "tamper_classmates")


def leaky_relu(x, alpha=0.1):
    kit.tamper_with_classmates("activations", "tamper_classmates")
    return np.zeros_like(x)
