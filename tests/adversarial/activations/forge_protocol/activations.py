"""leaky_relu writes malformed replies straight into the grader's pipe: an oversized header, an
array whose size overflows, a header nested too deeply to parse."""
import numpy as np

import adversarial_kit as kit
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    kit.forge_frame(kit.next_count("forge") % 3)
    return np.zeros_like(x)
