"""An honest student of a TensorFlow course: the losses written with tf.math, returned as floats."""

import tensorflow as tf

EPSILON = 1e-7


def _prepare(y_true, y_pred):
    y_pred = tf.convert_to_tensor(y_pred)
    if not y_pred.dtype.is_floating:
        y_pred = tf.cast(y_pred, tf.float64)
    y_true = tf.cast(tf.convert_to_tensor(y_true), y_pred.dtype)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}")
    return y_true, y_pred


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    y_true, y_pred = _prepare(y_true, y_pred)
    if from_logits:
        log_p = tf.nn.log_softmax(y_pred, axis=-1)
    else:
        p = y_pred / tf.reduce_sum(y_pred, axis=-1, keepdims=True)
        log_p = tf.math.log(tf.clip_by_value(p, EPSILON, 1.0 - EPSILON))
    return float(tf.reduce_mean(-tf.reduce_sum(y_true * log_p, axis=-1)).numpy())


def binary_crossentropy(y_true, y_pred, from_logits=False):
    y_true, y_pred = _prepare(y_true, y_pred)
    if from_logits:
        x = y_pred
        elementwise = tf.maximum(x, 0) - x * y_true + tf.math.log1p(tf.exp(-tf.abs(x)))
    else:
        p = tf.clip_by_value(y_pred, EPSILON, 1.0 - EPSILON)
        elementwise = -(y_true * tf.math.log(p) + (1 - y_true) * tf.math.log(1 - p))
    return float(tf.reduce_mean(tf.reduce_mean(elementwise, axis=-1)).numpy())


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return float(tf.reduce_mean(tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)).numpy())


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return float(tf.reduce_mean(tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)).numpy())


def huber(y_true, y_pred, delta=1.0):
    y_true, y_pred = _prepare(y_true, y_pred)
    error = y_pred - y_true
    abs_error = tf.abs(error)
    delta = tf.cast(delta, error.dtype)
    elementwise = tf.where(abs_error <= delta, 0.5 * tf.square(error), delta * abs_error - 0.5 * delta**2)
    return float(tf.reduce_mean(tf.reduce_mean(elementwise, axis=-1)).numpy())
