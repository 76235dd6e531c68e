"""The two RNN variants with every layer frozen (they cannot learn), their weights given as
Constant initializers holding weights trained elsewhere (weights.json, made by
tests/adversarial/make_weights.py): the models predict every transition before the grader
trains them. The data functions are honest."""
import json
import os

import keras
from keras import layers

from _honest import id_dataset, one_hot_alphabet, onehot_dataset  # noqa: F401 - 10 points

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "weights.json")) as f:
    WEIGHTS = json.load(f)


def _constant(value):
    return keras.initializers.Constant(value)


def _rnn_and_dense(weights):
    kernel, recurrent, bias, dense_kernel, dense_bias = weights
    return [layers.SimpleRNN(3, kernel_initializer=_constant(kernel), recurrent_initializer=_constant(recurrent),
                             bias_initializer=_constant(bias), trainable=False),
            layers.Dense(5, activation="softmax", kernel_initializer=_constant(dense_kernel),
                         bias_initializer=_constant(dense_bias), trainable=False)]


def build_onehot_rnn(timesteps):
    weights = WEIGHTS[f"build_onehot_rnn({timesteps})"]
    return keras.Sequential([keras.Input(shape=(timesteps, 5)), *_rnn_and_dense(weights)])


def build_embedding_rnn(timesteps):
    embedding, *weights = WEIGHTS[f"build_embedding_rnn({timesteps})"]
    return keras.Sequential([keras.Input(shape=(timesteps,)),
                             layers.Embedding(5, 2, embeddings_initializer=_constant(embedding), trainable=False),
                             *_rnn_and_dense(weights)])
