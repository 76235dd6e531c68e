"""leaky_relu sleeps for 11 days."""
import time

from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    time.sleep(10 ** 6)
