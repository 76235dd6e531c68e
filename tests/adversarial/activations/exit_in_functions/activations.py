"""Four functions each end the process in a different way; only softmax is honest."""
import os
import sys

from _honest import softmax  # noqa: F401 - the honest part: 5 points


def sigmoid(x):
    sys.exit(0)


def tanh(x):
    os._exit(0)


def relu(x):
    raise SystemExit(0)


def leaky_relu(x, alpha=0.1):
    raise KeyboardInterrupt
