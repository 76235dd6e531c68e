"""An honest student of a TensorFlow course: activations written with tf.math, returned as NumPy."""

import numpy as np
import tensorflow as tf


def sigmoid(x):
    return tf.math.sigmoid(tf.constant(x)).numpy()


def tanh(x):
    return tf.math.tanh(tf.constant(x)).numpy()


def relu(x):
    return tf.nn.relu(tf.constant(x)).numpy()


def leaky_relu(x, alpha=0.1):
    x = tf.constant(x)
    return tf.where(x >= 0, x, alpha * x).numpy()


def softmax(x, axis=-1):
    return tf.nn.softmax(tf.constant(x), axis=axis).numpy()
