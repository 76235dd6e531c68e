"""Sandboxed autograder for a TensorFlow/Keras deep-learning course."""

__version__ = "0.1.0"
