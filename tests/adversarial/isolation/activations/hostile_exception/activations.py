"""leaky_relu raises, carrying its hidden input out in everything the grader reports of an
exception: a class whose name is 4 MB of the input's values with terminal escapes, raised from a
code object whose file name (which compile() takes as given) is 4 MB more under the submission's
folder; every other call raises ValueError(x). Each must reach the feedback capped, cleaned and
without a value of x."""
import os

from _honest import relu, sigmoid, softmax, tanh  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))
ESCAPES = "\x1b[2J\x1b[31m\x1b]0;owned\x07\x1b]8;;http://evil.example\x1b\\\r"
_calls = [0]


def _payload(x, size):
    values = " ".join(repr(float(v)) for v in x.ravel())
    return ((ESCAPES + values) * (size // max(len(values), 1) + 1))[:size]


def leaky_relu(x, alpha=0.1):
    _calls[0] += 1
    if _calls[0] % 2 == 0:
        raise ValueError(x)
    leak = type("Leak" + _payload(x, 4 << 20), (Exception,), {})
    filename = os.path.join(HERE, _payload(x, 4 << 20) + ".py")
    exec(compile("raise leak(message)", filename, "exec"), {"leak": leak, "message": _payload(x, 1 << 20)})
