"""A partial rnn_letters: the data and predict_next are done, the models are not written yet."""

import numpy as np

ALPHABET = "abcde"


def one_hot_alphabet():
    return np.eye(len(ALPHABET), dtype=np.float32)


def _windows(timesteps):
    inputs = [[(start + k) % len(ALPHABET) for k in range(timesteps)] for start in range(len(ALPHABET))]
    targets = [(start + timesteps) % len(ALPHABET) for start in range(len(ALPHABET))]
    return np.array(inputs, dtype=np.int64), np.array(targets, dtype=np.int64)


def onehot_dataset(timesteps):
    ids, targets = _windows(timesteps)
    return one_hot_alphabet()[ids], targets


def id_dataset(timesteps):
    return _windows(timesteps)


def build_onehot_rnn(timesteps):
    raise NotImplementedError


def build_embedding_rnn(timesteps):
    raise NotImplementedError


def predict_next(model, letters):
    ids = np.array([[ALPHABET.index(letter) for letter in letters]])
    inputs = one_hot_alphabet()[ids] if len(model.input_shape) == 3 else ids
    return ALPHABET[int(np.asarray(model.predict(inputs, verbose=0))[0].argmax())]
