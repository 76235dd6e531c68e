"""Writes results.json, gradebook.csv and gradebook.sqlite (full marks) into its folder, its parent,
/tmp, /, the grader's checkout, the submissions folder and the output folder."""
import numpy as np

import adversarial_kit as kit
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401

WROTE = kit.write_everywhere()


def leaky_relu(x, alpha=0.1):
    kit.write_everywhere()
    return np.zeros_like(x)
