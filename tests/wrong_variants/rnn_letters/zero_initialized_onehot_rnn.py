"""WRONG VARIANT, graded by tests/test_wrong_variants_models.py.

The mistake: build_onehot_rnn's layers start from zero kernels and biases: its state stays 0, so no gradient reaches a kernel and it cannot learn (the architecture is the docstring's).

A copy of solutions/rnn_letters/rnn_letters.py with that one mistake.
"""

import keras
import numpy as np
from keras import layers

ALPHABET = "abcde"


def one_hot_alphabet():
    return np.eye(len(ALPHABET), dtype=np.float32)


def letter_ids(letters):
    return np.array([ALPHABET.index(letter) for letter in letters], dtype=np.int64)


def _windows(timesteps):
    """Each of the 5 windows of `timesteps` letters of the cycle abcde, and the letter after it."""
    starts = range(len(ALPHABET))
    inputs = [[(start + k) % len(ALPHABET) for k in range(timesteps)] for start in starts]
    targets = [(start + timesteps) % len(ALPHABET) for start in starts]
    return np.array(inputs, dtype=np.int64), np.array(targets, dtype=np.int64)


def onehot_dataset(timesteps):
    ids, targets = _windows(timesteps)
    return one_hot_alphabet()[ids], targets


def id_dataset(timesteps):
    return _windows(timesteps)


def build_onehot_rnn(timesteps):
    return keras.Sequential([keras.Input(shape=(timesteps, len(ALPHABET))),
                             layers.SimpleRNN(3, kernel_initializer="zeros", recurrent_initializer="zeros"),
                             layers.Dense(len(ALPHABET), activation="softmax", kernel_initializer="zeros")])


def build_embedding_rnn(timesteps):
    return keras.Sequential([keras.Input(shape=(timesteps,)), layers.Embedding(len(ALPHABET), 2),
                             layers.SimpleRNN(3), layers.Dense(len(ALPHABET), activation="softmax")])


def build_onehot_lstm(timesteps):
    return keras.Sequential([keras.Input(shape=(timesteps, len(ALPHABET))), layers.LSTM(3),
                             layers.Dense(len(ALPHABET), activation="softmax")])


def build_onehot_gru(timesteps):
    return keras.Sequential([keras.Input(shape=(timesteps, len(ALPHABET))), layers.GRU(3),
                             layers.Dense(len(ALPHABET), activation="softmax")])


def predict_next(model, letters):
    ids = letter_ids(letters)[np.newaxis, :]
    if len(model.input_shape) == 3:  # one-hot inputs: (batch, timesteps, features)
        inputs = one_hot_alphabet()[ids]
    else:  # letter ids for an Embedding: (batch, timesteps)
        inputs = ids
    probabilities = np.asarray(model.predict(inputs, verbose=0))
    return ALPHABET[int(probabilities[0].argmax())]
