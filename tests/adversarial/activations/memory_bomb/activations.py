"""leaky_relu allocates 6 GB (more than the sandbox's address-space limit), then answers honestly."""
import adversarial_kit as kit
from _honest import leaky_relu as _leaky_relu
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    kit.allocate(6 << 30)
    return _leaky_relu(x, alpha)
