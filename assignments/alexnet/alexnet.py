"""Assignment: a small AlexNet for 28x28 grey-scale images, with Keras 3.

Course notes: 004 (AlexNet编码实现).
Handout: README.md (English) and README.zh_CN.md (简体中文讲义), in this folder.

Use ``import keras`` and ``keras.layers`` only (not ``tensorflow.keras``) and only Keras's
built-in layers: the grader rebuilds your architecture from its config, on TensorFlow or on
JAX, and cannot rebuild Lambda layers, custom layers or subclasses of keras.Model.

The architecture, for inputs of shape (28, 28, 1). Every Conv2D is 3x3, strides 1,
padding 'same', relu; every MaxPooling2D is 2x2, strides 2, padding 'same':

    layer                       output shape          parameters
    Conv2D(16)                  (None, 28, 28, 16)           160
    MaxPooling2D                (None, 14, 14, 16)             0
    Conv2D(32)                  (None, 14, 14, 32)         4,640
    MaxPooling2D                (None, 7, 7, 32)               0
    Conv2D(64)                  (None, 7, 7, 64)          18,496
    Conv2D(128)                 (None, 7, 7, 128)         73,856
    Conv2D(256)                 (None, 7, 7, 256)        295,168
    MaxPooling2D                (None, 4, 4, 256)              0
    Flatten                     (None, 4096)                   0
    Dense(4096, relu)           (None, 4096)          16,781,312
    Dropout(0.4)                (None, 4096)                   0
    Dense(2048, relu)           (None, 2048)           8,390,656
    Dropout(0.4)                (None, 2048)                   0
    Dense(1024, relu)           (None, 1024)           2,098,176
    Dropout(0.4)                (None, 1024)                   0
    Dense(10, softmax)          (None, 10)                10,250
    total                                             27,672,714

Start the model with ``keras.Input(shape=(28, 28, 1))``.
"""

import keras  # noqa: F401
from keras import layers  # noqa: F401


def build_alexnet() -> "keras.Model":
    """The small AlexNet above, as a keras.Sequential (or functional) model (compiled or not: the
    grader compiles its own copy)."""
    raise NotImplementedError("build_alexnet")
