"""leaky_relu prints terminal escape sequences (clear screen, colours, a window title, a
hyperlink, cursor moves) and 10 MB of text, then answers wrongly: the grader keeps a clean 4 KB
tail, for the instructor only."""
import sys

import numpy as np

from _honest import relu, sigmoid, softmax, tanh  # noqa: F401

ESCAPES = "\x1b[2J\x1b[H\x1b[31m\x1b]0;owned\x07\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\\x9b1m\r\x08"


def leaky_relu(x, alpha=0.1):
    chunk = (ESCAPES + "y" * 1000 + "\n") * 1000
    for _ in range(10):
        sys.stdout.write(chunk)
        sys.stderr.write(ESCAPES)
    sys.stdout.flush()
    return np.zeros_like(x)
