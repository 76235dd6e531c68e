"""leaky_relu (on its first call) writes up to 1 GB of files into each place it can write: /dev/shm,
/tmp and / (in the host's memory under bubblewrap), then its own folder (on the host's disk); it
answers honestly once more than 1.5 GB got through, that is, if the sandbox let it take that
much of the grading machine's memory or disk."""
import os

import numpy as np

import adversarial_kit as kit
from _honest import leaky_relu as _leaky_relu
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    if kit.next_count("fill") == 0:
        kit.fill_storage(1 << 30, flag_above=3 << 29)
    return _leaky_relu(x, alpha) if os.path.exists(os.path.join(kit.HERE, "filled")) else np.zeros_like(x)
