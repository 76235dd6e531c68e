"""LeNet with a Lambda layer whose function would leave a mark on the grader's disk if it ever
ran there."""
import keras
from keras import layers

import adversarial_kit as kit
from _honest import layer_output_shapes  # noqa: F401

MARK = kit.pwned_path("lambda-layer")


def _mark(x):
    open(MARK, "w").write("pwned")
    return x


def build_lenet():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(6, 5, activation="relu"), layers.MaxPooling2D(2, 2),
        layers.Conv2D(16, 5, activation="relu"), layers.MaxPooling2D(2, 2),
        layers.Flatten(), layers.Lambda(lambda x: _mark(x)),
        layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="lenet")
