"""Assignment: LeNet for 28x28 grey-scale images, with Keras 3.

Course notes: 000 section 6.5 (卷积神经网络的构建) and 003 (LeNet, layer output shapes).
Handout: README.md (English) and README.zh_CN.md (简体中文讲义), in this folder.

Use ``import keras`` and ``keras.layers`` only (not ``tensorflow.keras``) and only Keras's
built-in layers: the grader rebuilds your architecture from its config, on TensorFlow or on
JAX, and cannot rebuild Lambda layers, custom layers or subclasses of keras.Model.

The architecture, for inputs of shape (28, 28, 1) (an image scaled to [0, 1]):

    layer                                  output shape         parameters
    Conv2D(6 filters, 5x5, relu)           (None, 24, 24, 6)       156
    MaxPooling2D(2x2, strides 2)           (None, 12, 12, 6)         0
    Conv2D(16 filters, 5x5, relu)          (None, 8, 8, 16)      2,416
    MaxPooling2D(2x2, strides 2)           (None, 4, 4, 16)          0
    Flatten                                (None, 256)               0
    Dense(120, relu)                       (None, 120)          30,840
    Dense(84, relu)                        (None, 84)           10,164
    Dense(10, softmax)                     (None, 10)              850
    total                                                       44,426

Both convolutions use the default padding ('valid'). Start the model with
``keras.Input(shape=(28, 28, 1))``.
"""

import keras  # noqa: F401
import numpy as np  # noqa: F401
from keras import layers  # noqa: F401


def build_lenet() -> "keras.Model":
    """LeNet as above, as a keras.Sequential (or functional) model (compiled or not: the grader
    compiles its own copy)."""
    raise NotImplementedError("build_lenet")


def layer_output_shapes() -> list:
    """Trace one image through your LeNet, layer by layer, as course notes 003 do.

    Build the model with ``build_lenet()``, make an input ``X`` of shape (1, 28, 28, 1)
    (float32, any values), then for each layer in ``model.layers`` compute ``X = layer(X)``
    and record ``X.shape``. A functional model lists its ``keras.Input`` first, as a
    ``keras.layers.InputLayer``: skip that one (it is not a layer you call), so that either
    kind of model gives the same 8 shapes.

    Returns:
        A list with one tuple of Python ints per layer, in order, e.g. the first is
        (1, 24, 24, 6). (Convert with ``tuple(int(n) for n in X.shape)``.)
    """
    raise NotImplementedError("layer_output_shapes")
