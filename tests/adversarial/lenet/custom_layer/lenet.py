"""LeNet with a registered custom layer (and custom objects) whose from_config, build and call
would leave a mark on the grader's disk if they ever ran there."""
import keras
from keras import layers

import adversarial_kit as kit
from _honest import layer_output_shapes  # noqa: F401

MARK = kit.pwned_path("custom-layer")


def _mark():
    open(MARK, "w").write("pwned")


@keras.saving.register_keras_serializable(package="cheat")
class Identity(layers.Layer):
    @classmethod
    def from_config(cls, config):
        _mark()
        return cls(**config)

    def build(self, input_shape):
        _mark()

    def call(self, x):
        _mark()
        return x


def build_lenet():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(6, 5, activation="relu"), layers.MaxPooling2D(2, 2),
        layers.Conv2D(16, 5, activation="relu"), layers.MaxPooling2D(2, 2),
        layers.Flatten(), Identity(),
        layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="lenet")
