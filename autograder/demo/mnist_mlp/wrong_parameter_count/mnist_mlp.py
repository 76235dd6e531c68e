"""Reference solution: the MNIST multilayer perceptron of course notes 000, section 5."""

import keras
from keras import layers, regularizers


def _hidden_block(x):
    x = layers.Dense(512, activation="relu")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(256, kernel_regularizer=regularizers.l2(0.01))(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    return layers.Dropout(0.2)(x)


def build_mlp():
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(512, activation="relu"),
            layers.BatchNormalization(),
            layers.Dropout(0.2),
            layers.Dense(256, kernel_regularizer=regularizers.l2(0.01)),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax"),
        ],
        name="mnist_mlp",
    )


def build_mlp_functional():
    inputs = keras.Input(shape=(784,))
    outputs = layers.Dense(10, activation="softmax")(_hidden_block(inputs))
    return keras.Model(inputs=inputs, outputs=outputs, name="mnist_mlp_functional")
