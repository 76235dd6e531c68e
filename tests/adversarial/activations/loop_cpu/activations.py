"""leaky_relu spins forever on the CPU."""
from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def leaky_relu(x, alpha=0.1):
    while True:
        pass
