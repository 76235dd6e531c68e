"""leaky_relu starts 10 processes holding 500 MB each: each under the per-process limit, 5 GB in all
(on its first call only, so that they never hold more than that)."""
import numpy as np

import adversarial_kit as kit
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    if kit.next_count("memory_fork_bomb") == 0:
        kit.memory_fork_bomb(children=10, each_bytes=500 << 20)
    return np.zeros_like(x)
