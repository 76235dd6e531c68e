"""Values that claim to equal anything: an ndarray subclass, an always-equal object, a str
subclass. id_dataset is honest."""
import numpy as np

from _honest import id_dataset  # noqa: F401 - the honest part: 4 points


class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.broadcast(self, other).shape, dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.broadcast(self, other).shape, dtype=bool)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(np.shape(inputs[0]), dtype=bool)


class AlwaysEqual:
    shape = (5, 1, 5)
    dtype = np.dtype("float32")

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


class Letter(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


def one_hot_alphabet():
    return np.zeros((5, 5), dtype=np.float32).view(Liar)


def onehot_dataset(timesteps):
    return AlwaysEqual(), AlwaysEqual()


def predict_next(model, letters):
    return Letter("?")
