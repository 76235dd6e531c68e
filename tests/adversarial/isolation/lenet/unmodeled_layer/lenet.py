"""A built-in layer whose cost no weight count shows: a Gaussian blur with a 255-pixel kernel (its
work grows with the kernel, which is a setting, not a weight)."""
import keras
from keras import layers

from _honest import build_lenet as _reference
from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    return keras.Sequential([keras.Input(shape=(28, 28, 1)),
                             layers.RandomGaussianBlur(factor=1.0, kernel_size=255, sigma=1.0, value_range=(0, 1)),
                             *_reference().layers], name="lenet")
