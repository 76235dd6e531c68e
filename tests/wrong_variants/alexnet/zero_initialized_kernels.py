"""WRONG VARIANT, graded by tests/test_wrong_variants_models.py.

The mistake: build_alexnet's layers start from zero kernels and biases (the architecture is the table's; it cannot learn).

A copy of solutions/alexnet/alexnet.py with that one mistake.
"""

import keras
from keras import layers


def build_alexnet():
    def conv(filters):
        return layers.Conv2D(filters, (3, 3), strides=1, padding="same", activation="relu",
                             kernel_initializer="zeros", bias_initializer="zeros")

    def pool():
        return layers.MaxPooling2D(pool_size=(2, 2), strides=2, padding="same")

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            conv(16), pool(),
            conv(32), pool(),
            conv(64), conv(128), conv(256), pool(),
            layers.Flatten(),
            layers.Dense(4096, activation="relu", kernel_initializer="zeros", bias_initializer="zeros"), layers.Dropout(0.4),
            layers.Dense(2048, activation="relu", kernel_initializer="zeros", bias_initializer="zeros"), layers.Dropout(0.4),
            layers.Dense(1024, activation="relu", kernel_initializer="zeros", bias_initializer="zeros"), layers.Dropout(0.4),
            layers.Dense(10, activation="softmax", kernel_initializer="zeros", bias_initializer="zeros"),
        ],
        name="alexnet",
    )
