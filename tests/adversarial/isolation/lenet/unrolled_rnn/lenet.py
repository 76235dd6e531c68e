"""A recurrent layer over the 784 pixels, unrolled: its graph holds 784 copies of the step (and of
its gradient), which the grader would trace before the first training step."""
import keras
from keras import layers

from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    return keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Reshape((784, 1)),
                             layers.SimpleRNN(8, unroll=True), layers.Dense(10, activation="softmax")], name="lenet")
