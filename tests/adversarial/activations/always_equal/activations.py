"""Values that claim to equal anything: an always-equal object, an ndarray subclass overriding
comparisons and ufuncs, NaN, and a numpy scalar subclass. Only softmax is honest."""
import numpy as np

from _honest import softmax  # noqa: F401


class AlwaysEqual:
    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)

    def __init__(self, like):
        self._shape, self._dtype = np.shape(like), np.asarray(like).dtype

    def __eq__(self, other):
        return True

    __le__ = __ge__ = __eq__

    def __ne__(self, other):
        return False

    __lt__ = __gt__ = __ne__

    def __sub__(self, other):
        return np.zeros(self._shape)

    __rsub__ = __sub__

    def __array__(self, dtype=None, copy=None):
        return np.zeros(self._shape, dtype=dtype or self._dtype)


class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.broadcast(self, other).shape, dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.broadcast(self, other).shape, dtype=bool)

    __le__ = __ge__ = __eq__
    __lt__ = __gt__ = __ne__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        shape = np.broadcast(*[np.asarray(i) for i in inputs if hasattr(i, "shape") or np.isscalar(i)]).shape
        return np.zeros(shape, dtype=bool) if ufunc in (np.isnan, np.isinf) else np.ones(shape, dtype=bool)

    def all(self, *args, **kwargs):
        return True

    def any(self, *args, **kwargs):
        return False


class LyingFloat(np.float64):
    def __eq__(self, other):
        return True


def sigmoid(x):
    return AlwaysEqual(x)


def tanh(x):
    return np.zeros_like(x).view(Liar)


def relu(x):
    return np.full_like(x, np.nan)


def leaky_relu(x, alpha=0.1):
    return LyingFloat(0.0)
