"""A model of thirty 256-filter convolutions at full resolution: 18 million weights (less than
AlexNet's), but 14 billion multiply-adds per image, hours of the grader's training."""
import keras
from keras import layers

from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    return keras.Sequential([keras.Input(shape=(28, 28, 1)),
                             *[layers.Conv2D(256, 3, padding="same", activation="relu") for _ in range(30)],
                             layers.Flatten(), layers.Dense(10, activation="softmax")], name="lenet")
