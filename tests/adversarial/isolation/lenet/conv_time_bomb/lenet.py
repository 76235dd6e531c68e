"""Within every size limit (1.4 billion multiply-adds and 0.8 million values per image, 1.8 million
parameters), but about 2,000 times LeNet's work: hours of the grader's training, and a minute for
the 1000 images of the check before training."""
import keras
from keras import layers

from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    return keras.Sequential([keras.Input(shape=(28, 28, 1)),
                             *[layers.Conv2D(256, 3, padding="same", activation="relu") for _ in range(4)],
                             layers.GlobalAveragePooling2D(), layers.Dense(10, activation="softmax")], name="lenet")
