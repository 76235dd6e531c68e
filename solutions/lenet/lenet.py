"""Reference solution: LeNet for 28x28x1 images, course notes 000 section 6.5 and 003."""

import keras
import numpy as np
from keras import layers


def build_lenet():
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(filters=6, kernel_size=5, activation="relu"),
            layers.MaxPooling2D(pool_size=2, strides=2),
            layers.Conv2D(filters=16, kernel_size=5, activation="relu"),
            layers.MaxPooling2D(pool_size=2, strides=2),
            layers.Flatten(),
            layers.Dense(120, activation="relu"),
            layers.Dense(84, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="lenet",
    )


def layer_output_shapes():
    model = build_lenet()
    x = np.random.default_rng(0).uniform(size=(1, 28, 28, 1)).astype("float32")
    shapes = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):  # a functional model lists its keras.Input first
            continue
        x = layer(x)
        shapes.append(tuple(int(n) for n in x.shape))
    return shapes
