"""Public checks for rnn_letters: shapes and parameter counts (the grader also trains the models)."""

import numpy as np
import pytest

from autograder.checks import Stage, expect_true
from autograder.model_checks import as_model


@pytest.mark.points(1)
def test_one_hot_alphabet_shape(submission):
    codes = submission.one_hot_alphabet()
    expect_true(isinstance(codes, np.ndarray) and codes.shape == (5, 5), "one_hot_alphabet() should be a (5, 5) array.",
                stage=Stage.SHAPE)
    expect_true(np.array_equal(codes.sum(axis=1), np.ones(5)), "each row of one_hot_alphabet() should hold a single 1.")


@pytest.mark.points(1)
def test_onehot_dataset_shapes(submission):
    x, y = submission.onehot_dataset(4)
    expect_true(x.shape == (5, 4, 5), f"onehot_dataset(4) gives x of shape {x.shape}; it should be (5, 4, 5), "
                "[samples, timesteps, features].", stage=Stage.SHAPE)
    expect_true(y.shape == (5,), f"onehot_dataset(4) gives y of shape {y.shape}; it should be (5,).", stage=Stage.SHAPE)


@pytest.mark.points(1)
def test_onehot_rnn_has_47_parameters(submission):
    count = as_model(submission.build_onehot_rnn(1)).count_params()
    expect_true(count == 47, f"build_onehot_rnn(1) has {count} parameters; SimpleRNN(3) + Dense(5) on one-hot "
                "letters has 47.")


@pytest.mark.points(1)
def test_embedding_rnn_has_48_parameters(submission):
    count = as_model(submission.build_embedding_rnn(4)).count_params()
    expect_true(count == 48, f"build_embedding_rnn(4) has {count} parameters; Embedding(5, 2) + SimpleRNN(3) + "
                "Dense(5) has 48.")
