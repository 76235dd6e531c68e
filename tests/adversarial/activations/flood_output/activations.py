"""leaky_relu writes 200 MB to stdout and 200 MB to stderr, then answers honestly."""
import adversarial_kit as kit
from _honest import leaky_relu as _leaky_relu
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    kit.flood(200 << 20)
    return _leaky_relu(x, alpha)
