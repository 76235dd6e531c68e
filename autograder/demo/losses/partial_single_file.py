import numpy as np


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    if from_logits:
        e = np.exp(y_pred - y_pred.max(axis=-1, keepdims=True))
        p = e / e.sum(axis=-1, keepdims=True)
    else:
        p = np.clip(y_pred, 1e-7, 1 - 1e-7)
    return np.mean(-np.sum(y_true * np.log(p), axis=-1))


def binary_crossentropy(y_true, y_pred, from_logits=False):
    if from_logits:
        x = y_pred
        return np.mean(np.maximum(x, 0) - x * y_true + np.log1p(np.exp(-np.abs(x))))
    p = y_pred
    return np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def mean_absolute_error(y_true, y_pred):
    return np.mean(np.abs(y_true - y_pred))


def mean_squared_error(y_true, y_pred):
    return np.mean(np.square(y_true - y_pred))


def huber(y_true, y_pred, delta=1.0):
    e = np.abs(y_true - y_pred)
    return np.mean(np.where(e <= 1.0, 0.5 * e**2, e - 0.5))
