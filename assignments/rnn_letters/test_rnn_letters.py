"""Public checks for rnn_letters: the data's types, shapes and encoding, the models' layers and
parameter counts, and what predict_next returns (the grader also trains the models)."""

import math

import keras
import numpy as np
import pytest

from autograder.checks import (Stage, expect_array, expect_array_like, expect_equal, expect_items,
                               expect_true)
from autograder.i18n import _, _f
from autograder.model_checks import (as_model, check_architecture, check_parameter_counts, model_as_graded,
                                     model_for, model_from_table)

ALPHABET = "abcde"


@pytest.mark.points(1)
def test_one_hot_alphabet_shape(submission):
    codes = submission.one_hot_alphabet()
    expect_true(isinstance(codes, np.ndarray) and codes.shape == (5, 5), _("one_hot_alphabet() should be a (5, 5) array."),
                stage=Stage.SHAPE)
    expect_true(np.array_equal(codes.sum(axis=1), np.ones(5)), _("each row of one_hot_alphabet() should hold a single 1."))


def check_dataset(result, timesteps, *, name, onehot):
    """(x, y): a tuple; x float32 (5, T, 5) one-hot codes or integer (5, T) ids; y integer (5,).
    Then the encoding of the first sample (the window starting at 'a') and the first letter of every
    sample (samples in the order of their first letter)."""
    expect_items(result, 2, what=_f("what {name} returns", name=name), kinds=(tuple,), noun=_("a tuple (x, y)"))
    x, y = result
    if onehot:
        expect_array_like(x, (5, timesteps, 5), "float32", what=_f("x from {name}", name=name))
    else:
        expect_array_like(x, (5, timesteps), "integer", what=_f("x from {name}", name=name))
    expect_array_like(y, (5,), "integer", what=_f("y from {name}", name=name))
    ids = np.arange(timesteps) % 5
    first = np.eye(5, dtype=np.float32)[ids] if onehot else ids
    expect_true(np.array_equal(x[0], first), _f("x from {name} is wrong at sample 0 (the window starting at 'a'); "
                                                "check the encoding.", name=name))
    starts = x[:, 0].argmax(axis=-1) if onehot else x[:, 0]
    expect_true(np.array_equal(starts, np.arange(5)), _f("the samples of x from {name} are not in the order of "
                                                         "their first letter (a, b, c, d, e).", name=name))
    expect_true(int(y[0]) == timesteps % 5, _f("y from {name} is wrong at sample 0 (the window starting at 'a').",
                                               name=name))


@pytest.mark.points(1)
def test_onehot_dataset_shapes(submission):
    result = submission.onehot_dataset(4)
    expect_items(result, 2, what=_f("what {name} returns", name="onehot_dataset(4)"), kinds=(tuple,),
                 noun=_("a tuple (x, y)"))
    x, y = result
    for name, value, shape in [("x", x, (5, 4, 5)), ("y", y, (5,))]:
        expect_true(isinstance(value, np.ndarray), _f("onehot_dataset(4) gives {name} of type {type}; it should be a "
                                                      "numpy.ndarray.", name=name, type=type(value).__name__),
                    stage=Stage.TYPE)
        expected_shape = str(shape) + (", [samples, timesteps, features]" if name == "x" else "")
        expect_true(value.shape == shape, _f("onehot_dataset(4) gives {name} of shape {got}; it should be {expected}.",
                                             name=name, got=value.shape, expected=expected_shape), stage=Stage.SHAPE)


@pytest.mark.points(1)
def test_onehot_rnn_has_47_parameters(submission):
    count = as_model(submission.build_onehot_rnn(1)).count_params()
    expect_true(count == 47, _f("build_onehot_rnn(1) has {count} parameters; SimpleRNN(3) + Dense(5) on one-hot "
                                "letters has 47.", count=count))


@pytest.mark.points(1)
def test_embedding_rnn_has_48_parameters(submission):
    count = as_model(submission.build_embedding_rnn(4)).count_params()
    expect_true(count == 48, _f("build_embedding_rnn(4) has {count} parameters; Embedding(5, 2) + SimpleRNN(3) + "
                                "Dense(5) has 48.", count=count))


# ----------------------------------------------------------------------------- the contracts
# The data: exactly the types, shapes and dtypes of the handout, for 1 and 4 letters in.


@pytest.mark.points(1)
def test_one_hot_alphabet_is_float32_identity(submission):
    expect_array(submission.one_hot_alphabet(), np.eye(5, dtype=np.float32), rtol=0, atol=0,
                 what=_("one_hot_alphabet() (row i encodes letter id i)"))


@pytest.mark.points(1)
@pytest.mark.parametrize("dataset", ["onehot_dataset", "id_dataset"])
@pytest.mark.parametrize("timesteps", [1, 4])
def test_dataset_contract(submission, dataset, timesteps):
    check_dataset(getattr(submission, dataset)(timesteps), timesteps, name=f"{dataset}({timesteps})",
                  onehot=dataset == "onehot_dataset")


# The models: the handout's layers, for each number of letters in. The grader compares your layers'
# types (in order), output shapes, activations (the softmax included), settings and parameter
# counts with these, then trains your model.

RECURRENT = {"build_onehot_rnn": "SimpleRNN", "build_embedding_rnn": "SimpleRNN", "build_onehot_lstm": "LSTM",
             "build_onehot_gru": "GRU"}


def handout_model(builder, timesteps):
    table = [(RECURRENT[builder], {"units": 3}), ("Dense", {"units": 5, "activation": "softmax"})]
    if builder == "build_embedding_rnn":
        return model_from_table((timesteps,), [("Embedding", {"input_dim": 5, "output_dim": 2}), *table])
    return model_from_table((timesteps, 5), table)


VARIANTS = [pytest.param(builder, timesteps, id=f"{builder}-{timesteps}")
            for builder in ("build_onehot_rnn", "build_embedding_rnn") for timesteps in (1, 4)]
BONUS_VARIANTS = [pytest.param(builder, timesteps, id=f"{builder}-{timesteps}")
                  for builder in ("build_onehot_lstm", "build_onehot_gru") for timesteps in (1, 4)]


@pytest.mark.points(1)
@pytest.mark.parametrize("builder, timesteps", VARIANTS)
def test_model_layers_match_the_handout(submission, builder, timesteps):
    what = f"{builder}({timesteps})"
    model = model_as_graded(getattr(submission, builder)(timesteps), what=what)
    handout = handout_model(builder, timesteps)
    check_architecture(model, handout, what=what)
    check_parameter_counts(model, handout, what=what)


@pytest.mark.points(1, bonus=True)
@pytest.mark.parametrize("builder, timesteps", BONUS_VARIANTS)
def test_bonus_model_layers_match_the_handout(submission, builder, timesteps):
    what = f"{builder}({timesteps})"
    model = model_as_graded(getattr(submission, builder)(timesteps), what=what)
    handout = handout_model(builder, timesteps)
    check_architecture(model, handout, what=what)
    check_parameter_counts(model, handout, what=what)


# predict_next: a letter (a str), from a model that this test builds with fixed weights. Its recurrent
# layer forgets all but the last letter, and it predicts the letter two places after it ("a" -> "c").


def fixed_model(embedding, timesteps):
    angles = [2 * math.pi * letter / 5 for letter in range(5)]
    directions = np.array([[math.cos(a), math.sin(a)] for a in angles])
    readout = np.zeros((3, 5))
    for letter in range(5):
        readout[:2, (letter + 2) % 5] = 4.0 * directions[letter]
    head = [np.zeros((3, 3)), np.zeros(3), readout, np.zeros(5)]  # recurrent kernel, bias, Dense
    layers = [keras.layers.SimpleRNN(3), keras.layers.Dense(5, activation="softmax")]
    if embedding:
        model = keras.Sequential([keras.Input((timesteps,)), keras.layers.Embedding(5, 2), *layers])
        model.set_weights([directions, np.eye(2, 3), *head])
    else:
        model = keras.Sequential([keras.Input((timesteps, 5)), *layers])
        model.set_weights([np.hstack([directions, np.zeros((5, 1))]), *head])
    return model


@pytest.mark.points(1)
@pytest.mark.parametrize("embedding", [False, True], ids=["onehot", "embedding"])
@pytest.mark.parametrize("timesteps", [1, 4])
def test_predict_next_reads_the_model(submission, embedding, timesteps):
    model = model_for(submission, fixed_model(embedding, timesteps))
    windows = list(ALPHABET) if timesteps == 1 else ["abcd", "cdea", "eabc"]
    for letters in windows:
        answer = ALPHABET[(ALPHABET.index(letters[-1]) + 2) % 5]
        if embedding:
            what = _f("predict_next(model, {letters}) for an embedding model of {timesteps} step(s)",
                      letters=repr(letters), timesteps=timesteps)
        else:
            what = _f("predict_next(model, {letters}) for a one-hot model of {timesteps} step(s)",
                      letters=repr(letters), timesteps=timesteps)
        expect_equal(submission.predict_next(model, letters), answer, what=what)
