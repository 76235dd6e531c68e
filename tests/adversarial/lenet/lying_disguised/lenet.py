"""The lying subclass again, disguised as keras.Sequential itself (module and name forged), so
that its config names a built-in class. The grader rebuilds a plain Sequential from it: the
lies stay behind, and the frozen layers cannot learn."""
import keras
import numpy as np
from keras import layers

from _honest import layer_output_shapes  # noqa: F401


class Sequential(keras.Sequential):
    def evaluate(self, *args, **kwargs):
        return [0.0, 1.0]

    def predict(self, x, *args, **kwargs):
        return np.eye(10)[np.zeros(len(x), dtype=int)]

    def count_params(self):
        return 44426

    def get_weights(self):
        return []


Sequential.__module__ = keras.Sequential.__module__
Sequential.__qualname__ = "Sequential"


def build_lenet():
    model = Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(6, 5, activation="relu"), layers.MaxPooling2D(2, 2),
        layers.Conv2D(16, 5, activation="relu"), layers.MaxPooling2D(2, 2),
        layers.Flatten(), layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="lenet")
    model.trainable = False
    return model
