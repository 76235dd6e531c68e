"""Weightless work: forty 28x28 max-pooling windows at every pixel of 16 channels. The size check
counted weights times positions, so it saw one small convolution; each pooling layer reads 10
million values per image."""
import keras
from keras import layers

from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    return keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(16, 3, padding="same"),
                             *[layers.MaxPooling2D(pool_size=28, strides=1, padding="same") for _ in range(40)],
                             layers.GlobalAveragePooling2D(), layers.Dense(10, activation="softmax")], name="lenet")
