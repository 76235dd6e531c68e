"""Reference solution: the small AlexNet for 28x28x1 images of course notes 004."""

import keras
from keras import layers


def build_alexnet():
    def conv(filters):
        return layers.Conv2D(filters, (3, 3), strides=1, padding="same", activation="relu")

    def pool():
        return layers.MaxPooling2D(pool_size=(2, 2), strides=2)

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            conv(16), pool(),
            conv(32), pool(),
            conv(64), conv(128), conv(256), pool(),
            layers.Flatten(),
            layers.Dense(4096, activation="relu"), layers.Dropout(0.4),
            layers.Dense(2048, activation="relu"), layers.Dropout(0.4),
            layers.Dense(1024, activation="relu"), layers.Dropout(0.4),
            layers.Dense(10, activation="softmax"),
        ],
        name="alexnet",
    )
