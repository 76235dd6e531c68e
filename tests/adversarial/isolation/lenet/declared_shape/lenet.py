"""Declares 1x1 images, so the size check measures a tiny model; a Sequential runs its layers on the
28x28 images it is given anyway: a 200x upsampling of those is 31 million values per image."""
import keras
from keras import layers

from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    return keras.Sequential([keras.Input(shape=(1, 1, 1)), layers.UpSampling2D(size=200),
                             layers.GlobalAveragePooling2D(), layers.Dense(10, activation="softmax")], name="lenet")
