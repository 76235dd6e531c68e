"""Two-head attention over the 784 pixels before a LeNet: 1.2 million attention scores per image,
4.9 GB for one evaluation batch of 1000 images (the grader reached 5.75 GB of memory)."""
import keras
from keras import layers

from _honest import build_lenet as _reference
from _honest import layer_output_shapes  # noqa: F401


def build_lenet():
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Reshape((784, 1))(inputs)
    x = layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
    x = layers.Reshape((28, 28, 1))(x)
    for layer in _reference().layers:
        x = layer(x)
    return keras.Model(inputs, x, name="lenet")
