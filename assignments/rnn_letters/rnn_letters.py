"""Assignment: predict the next letter with a recurrent network (course notes 001, section 6.4).

Handout: README.md (English) and README.zh_CN.md (简体中文讲义), in this folder.

The alphabet is the five letters "abcde", in a cycle: a -> b -> c -> d -> e -> a.

- With one letter in, predict the next: a->b, b->c, c->d, d->e, e->a.
- With four letters in, predict the fifth: abcd->e, bcde->a, cdea->b, deab->c, eabc->d.

Each task is done twice: with one-hot inputs, and with letter ids fed to an Embedding layer.
Letter ids: a=0, b=1, c=2, d=3, e=4. Samples are always in the order of their first letter
(the window starting at a, then b, ..., then e).

Recurrent layers want inputs shaped [samples, timesteps, features]:
- one-hot:   x has shape (5, timesteps, 5), dtype float32; x[i, t] is the one-hot vector of
             the t-th letter of sample i;
- embedding: x has shape (5, timesteps), an integer dtype; x[i, t] is that letter's id.
Labels y have shape (5,), an integer dtype: the id of the letter that follows each sample.

Models use Keras 3 (``import keras``) and built-in layers only: the grader rebuilds them from
their config and trains them itself.
"""

import keras  # noqa: F401
import numpy as np  # noqa: F401
from keras import layers  # noqa: F401

ALPHABET = "abcde"


def one_hot_alphabet() -> np.ndarray:
    """The one-hot code of each letter: a (5, 5) float32 array whose row i encodes letter id i."""
    raise NotImplementedError("one_hot_alphabet")


def onehot_dataset(timesteps: int):
    """Training data for the one-hot models.

    Args:
        timesteps: 1 (one letter in) or 4 (four letters in).

    Returns:
        (x, y): x float32 of shape (5, timesteps, 5), y integer of shape (5,), as described at
        the top of this file.
    """
    raise NotImplementedError("onehot_dataset")


def id_dataset(timesteps: int):
    """Training data for the embedding models.

    Returns:
        (x, y): x integer of shape (5, timesteps) holding letter ids, y integer of shape (5,).
    """
    raise NotImplementedError("id_dataset")


def build_onehot_rnn(timesteps: int) -> "keras.Model":
    """keras.Input(shape=(timesteps, 5)) -> SimpleRNN(3) -> Dense(5, softmax).

    With timesteps=1 this has 47 parameters: SimpleRNN 5*3 + 3*3 + 3 = 27, Dense 3*5 + 5 = 20.
    """
    raise NotImplementedError("build_onehot_rnn")


def build_embedding_rnn(timesteps: int) -> "keras.Model":
    """keras.Input(shape=(timesteps,)) -> Embedding(5, 2) -> SimpleRNN(3) -> Dense(5, softmax).

    48 parameters: Embedding 5*2 = 10, SimpleRNN 2*3 + 3*3 + 3 = 18, Dense 20.
    """
    raise NotImplementedError("build_embedding_rnn")


def predict_next(model: "keras.Model", letters: str) -> str:
    """The letter a trained model predicts after ``letters``.

    Encode ``letters`` the way ``model`` expects (one-hot if its input has 3 axes,
    ``len(model.input_shape) == 3``; letter ids if it has 2), as a batch of one sample; run the
    model; return the letter with the highest probability.

    Args:
        model: a trained model from one of the builders above (1 or 4 time steps).
        letters: as many letters as the model has time steps, e.g. "a" or "bcde".

    Returns:
        One letter, e.g. "b".
    """
    raise NotImplementedError("predict_next")


# ---------------------------------------------------------------- bonus (notes 001, 6.5)


def build_onehot_lstm(timesteps: int) -> "keras.Model":
    """Bonus: keras.Input(shape=(timesteps, 5)) -> LSTM(3) -> Dense(5, softmax)."""
    raise NotImplementedError("build_onehot_lstm")


def build_onehot_gru(timesteps: int) -> "keras.Model":
    """Bonus: keras.Input(shape=(timesteps, 5)) -> GRU(3) -> Dense(5, softmax)."""
    raise NotImplementedError("build_onehot_gru")
