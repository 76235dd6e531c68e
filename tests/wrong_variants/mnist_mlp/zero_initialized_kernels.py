"""WRONG VARIANT, graded by tests/test_wrong_variants_models.py.

The mistake: build_mlp's Dense layers start from zero kernels and biases (the architecture is the table's; it cannot learn).

A copy of solutions/mnist_mlp/mnist_mlp.py with that one mistake.
"""

import keras
from keras import layers, regularizers


def _hidden_block(x):
    x = layers.Dense(512, activation="relu")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(512, kernel_regularizer=regularizers.l2(0.01))(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    return layers.Dropout(0.2)(x)


def build_mlp():
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(512, activation="relu", kernel_initializer="zeros", bias_initializer="zeros"),
            layers.BatchNormalization(),
            layers.Dropout(0.2),
            layers.Dense(512, kernel_regularizer=regularizers.l2(0.01), kernel_initializer="zeros", bias_initializer="zeros"),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax", kernel_initializer="zeros", bias_initializer="zeros"),
        ],
        name="mnist_mlp",
    )


def build_mlp_functional():
    inputs = keras.Input(shape=(784,))
    outputs = layers.Dense(10, activation="softmax")(_hidden_block(inputs))
    return keras.Model(inputs=inputs, outputs=outputs, name="mnist_mlp_functional")
