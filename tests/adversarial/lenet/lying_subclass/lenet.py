"""A Sequential subclass whose evaluate, predict, fit and count_params lie (and keras.Model's
evaluate, for everyone in this process); its layers are frozen, so it cannot learn."""
import keras
import numpy as np
from keras import layers

from _honest import layer_output_shapes  # noqa: F401


class Confident(keras.Sequential):
    def evaluate(self, *args, **kwargs):
        return [0.0, 1.0]

    def predict(self, x, *args, **kwargs):
        return np.eye(10)[np.zeros(len(x), dtype=int)]

    def fit(self, *args, **kwargs):
        return None

    def count_params(self):
        return 44426


keras.Model.evaluate = lambda self, *args, **kwargs: [0.0, 1.0]


def frozen_lenet(cls):
    model = cls([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(6, 5, activation="relu"), layers.MaxPooling2D(2, 2),
        layers.Conv2D(16, 5, activation="relu"), layers.MaxPooling2D(2, 2),
        layers.Flatten(), layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="lenet")
    model.trainable = False
    return model


def build_lenet():
    return frozen_lenet(Confident)
