"""Assignment: a multilayer perceptron for MNIST, built twice with Keras 3.

Course notes: 000 section 5 (神经网络案例) and section 1.3 (Sequential and functional models).
Handout: README.md (English) and README.zh_CN.md (简体中文讲义), in this folder.

Use ``import keras`` and ``keras.layers`` only (not ``tensorflow.keras``): the grader rebuilds
your architecture from its config, on TensorFlow or on JAX, so the same file must work on
both. Use only Keras's built-in layers; a Lambda layer, a custom layer or a subclass of
keras.Model cannot be rebuilt by the grader and scores zero.

The architecture, for inputs of shape (784,) (a flattened 28x28 image scaled to [0, 1]):

    layer                     output shape   parameters
    Dense(512, relu)          (None, 512)    401,920
    BatchNormalization        (None, 512)      2,048   (1,024 of them non-trainable)
    Dropout(0.2)              (None, 512)          0
    Dense(512), L2(0.01) on its kernel, no activation
                              (None, 512)    262,656
    BatchNormalization        (None, 512)      2,048   (1,024 non-trainable)
    Activation("relu")        (None, 512)          0
    Dropout(0.2)              (None, 512)          0
    Dense(10, softmax)        (None, 10)       5,130
    total                                    673,802   (672,778 trainable)

Note the order: the first block activates before batch normalization, the second after it
(as in the course notes). Start each model with ``keras.Input(shape=(784,))``.

The grader trains your architecture itself (its own seed, optimizer and data) and evaluates
it on the MNIST test set; the handout says how and what accuracy is required.
"""

import keras  # noqa: F401
from keras import layers, regularizers  # noqa: F401


def build_mlp() -> "keras.Model":
    """The MLP above as a ``keras.Sequential`` model.

    Returns:
        A keras.Sequential whose first item is ``keras.Input(shape=(784,))`` (compiled or not:
        the grader compiles its own copy).
    """
    raise NotImplementedError("build_mlp")


def build_mlp_functional() -> "keras.Model":
    """The same MLP with the functional API: ``inputs = keras.Input(...)``, layers called on
    tensors, then ``keras.Model(inputs=inputs, outputs=outputs)``.

    Returns:
        A functional keras.Model with the same layers, shapes and parameter counts as
        ``build_mlp()``.
    """
    raise NotImplementedError("build_mlp_functional")
