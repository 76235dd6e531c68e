"""Hidden grading tests: rnn_letters (30 points, plus 4 bonus points).

    one_hot_alphabet                      exact                                   2
    onehot_dataset(1), onehot_dataset(4)  exact, with order feedback              2 + 2
    id_dataset(1), id_dataset(4)          exact, with order feedback              2 + 2
    4 model variants                      architecture and parameters, 2 each     8
    4 model variants                      all 5 transitions after training, 2 each 8
    predict_next                          on grader-trained models, 1 per variant 4
    bonus: LSTM and GRU (1 and 4 steps)   architecture and learning, 1 each       4 (bonus)

Training is the grader's own: the architecture is rebuilt, seeded, and trained on the whole
set (the reference's data, so that a data bug costs only the data tests) with Adam until all
five transitions are right or MAX_STEPS pass. Measured over 20 seeds per variant, the
reference needs at most 90 steps (benchmarks/rnn_letters.py), so MAX_STEPS (300) leaves a margin of
over three times; a model that cannot learn costs at most MAX_STEPS compiled steps.

predict_next is graded on models that the grader trained on a permuted alphabet cycle, so the
right answers can only come from running the model, not from knowing the cycle.
"""

import numpy as np
import pytest

from autograder.checks import CheckFailure, Stage, expect_equal, expect_true
from autograder.i18n import _f
from autograder.keras_models import spec_of
from autograder.model_checks import check_architecture, check_parameter_counts
from autograder.training import train_until_fit

ALPHABET = "abcde"
SEED = 0
LEARNING_RATE = 0.05
MAX_STEPS = 300
# predict_next's models map each window to PERMUTATION[the true next letter].
PERMUTATION = np.array([3, 0, 4, 1, 2])

TIMESTEPS = [pytest.param(1, id="1_letter"), pytest.param(4, id="4_letters")]
VARIANTS = [
    pytest.param("build_onehot_rnn", "onehot_dataset", 1, id="onehot_1_letter"),
    pytest.param("build_onehot_rnn", "onehot_dataset", 4, id="onehot_4_letters"),
    pytest.param("build_embedding_rnn", "id_dataset", 1, id="embedding_1_letter"),
    pytest.param("build_embedding_rnn", "id_dataset", 4, id="embedding_4_letters"),
]
BONUS_VARIANTS = [
    pytest.param("build_onehot_lstm", 1, id="lstm_1_letter"),
    pytest.param("build_onehot_lstm", 4, id="lstm_4_letters"),
    pytest.param("build_onehot_gru", 1, id="gru_1_letter"),
    pytest.param("build_onehot_gru", 4, id="gru_4_letters"),
]


def expect_exact_tensor(got, expected: np.ndarray, *, what: str, float_dtype: bool) -> None:
    """Type, shape, dtype family, then the first sample (and time step) that differs."""
    if type(got) is not np.ndarray:
        raise CheckFailure(Stage.TYPE, _f("{what} should be a numpy.ndarray, but it is a {type}.",
                                          what=what, type=type(got).__name__))
    if got.shape != expected.shape:
        raise CheckFailure(Stage.SHAPE, _f("{what} has shape {got}, but it should have shape {expected} "
                                           "([samples, timesteps, features] for one-hot inputs).",
                                           what=what, got=got.shape, expected=expected.shape))
    if float_dtype and got.dtype != np.float32:
        raise CheckFailure(Stage.DTYPE, _f("{what} has dtype {got}, but it should be float32.",
                                           what=what, got=got.dtype))
    if not float_dtype and got.dtype.kind not in "iu":
        raise CheckFailure(Stage.DTYPE, _f("{what} has dtype {got}, but it should have an integer dtype.",
                                           what=what, got=got.dtype))
    wrong = np.argwhere(got.reshape(got.shape[0], -1) != expected.reshape(expected.shape[0], -1))
    if wrong.size:
        sample = int(wrong[0][0])
        if got.ndim == 3:
            step = int(np.argwhere(np.any(got[sample] != expected[sample], axis=-1))[0][0])
            where = _f("sample {sample} (the window starting at {letter}), time step {step}",
                       sample=sample, letter=repr(ALPHABET[sample]), step=step)
        elif got.ndim > 1:
            where = _f("sample {sample} (the window starting at {letter})",
                       sample=sample, letter=repr(ALPHABET[sample]))
        else:
            where = _f("entry {sample}", sample=sample)
        raise CheckFailure(Stage.VALUES, _f("{what} is wrong at {where}; check the letter order and the encoding.",
                                            what=what, where=where))


def check_dataset(result, expected, *, name: str, float_inputs: bool) -> None:
    expect_true(isinstance(result, tuple) and len(result) == 2, _f("{name} should return a tuple (x, y).", name=name),
                stage=Stage.TYPE)
    expect_exact_tensor(result[0], expected[0], what=_f("x from {name}", name=name), float_dtype=float_inputs)
    expect_exact_tensor(result[1], expected[1], what=_f("y from {name}", name=name), float_dtype=False)


# ----------------------------------------------------------------------------- data


@pytest.mark.points(2)
def test_one_hot_alphabet(submission, reference):
    expect_exact_tensor(submission.one_hot_alphabet(), reference.one_hot_alphabet(), what="one_hot_alphabet()",
                        float_dtype=True)


@pytest.mark.points(2)
@pytest.mark.parametrize("timesteps", TIMESTEPS)
def test_onehot_dataset(submission, reference, timesteps):
    check_dataset(submission.onehot_dataset(timesteps), reference.onehot_dataset(timesteps),
                  name=f"onehot_dataset({timesteps})", float_inputs=True)


@pytest.mark.points(2)
@pytest.mark.parametrize("timesteps", TIMESTEPS)
def test_id_dataset(submission, reference, timesteps):
    check_dataset(submission.id_dataset(timesteps), reference.id_dataset(timesteps),
                  name=f"id_dataset({timesteps})", float_inputs=False)


# ----------------------------------------------------------------------------- models


@pytest.mark.points(2)
@pytest.mark.parametrize("builder, dataset, timesteps", VARIANTS)
def test_architecture(submission, reference, builder, dataset, timesteps):
    what = f"{builder}({timesteps})"
    student = getattr(submission, builder)(timesteps)
    expected = getattr(reference, builder)(timesteps)
    check_architecture(student, expected, what=what)
    check_parameter_counts(student, expected, what=what)


def _expect_learns(spec, reference, dataset: str, timesteps: int, what: str) -> None:
    x, y = getattr(reference, dataset)(timesteps)
    report = train_until_fit(spec, x, y, seed=SEED, learning_rate=LEARNING_RATE, max_steps=MAX_STEPS, what=what)
    right = int(round(report.accuracy * len(y)))
    expect_true(right == len(y), _f("after {steps} steps of the grader's training (Adam, learning rate "
                                    "{learning_rate}), {what} predicts {right} of {total} transitions correctly; all "
                                    "of them are required. A layer with no units or a frozen layer cannot learn.",
                                    steps=report.steps, learning_rate=LEARNING_RATE, what=what, right=right,
                                    total=len(y)))


@pytest.mark.points(2)
@pytest.mark.parametrize("builder, dataset, timesteps", VARIANTS)
def test_learns_every_transition(submission, reference, builder, dataset, timesteps):
    _expect_learns(getattr(submission, builder)(timesteps), reference, dataset, timesteps, f"{builder}({timesteps})")


# ----------------------------------------------------------------------------- predict_next


def _permuted_models(reference, grader_cache) -> dict:
    """Grader-trained models for each variant, whose answers follow PERMUTATION (made once)."""
    if "permuted_models" not in grader_cache:
        models = {}
        for parameter in VARIANTS:
            builder, dataset, timesteps = parameter.values
            x, y = getattr(reference, dataset)(timesteps)
            report = train_until_fit(spec_of(getattr(reference, builder)(timesteps)), x, PERMUTATION[y], seed=SEED,
                                     learning_rate=LEARNING_RATE, max_steps=MAX_STEPS)
            if report.accuracy < 1:
                raise RuntimeError(f"the grader's permuted {builder}({timesteps}) did not fit")
            windows = ["".join(ALPHABET[i] for i in row) for row in reference.id_dataset(timesteps)[0]]
            answers = [ALPHABET[i] for i in report.predictions]
            models[parameter.id] = (spec_of(report.model, with_weights=True), windows, answers)
        grader_cache["permuted_models"] = models
    return grader_cache["permuted_models"]


@pytest.mark.points(1)
@pytest.mark.parametrize("builder, dataset, timesteps", VARIANTS)
def test_predict_next(submission, reference, grader_cache, request, builder, dataset, timesteps):
    model, windows, answers = _permuted_models(reference, grader_cache)[request.node.callspec.id]
    for number, (letters, answer) in enumerate(zip(windows, answers), start=1):
        expect_equal(submission.predict_next(model, letters), answer,
                     # TRANSLATORS: {kind} is "onehot" or "id" (how the model's input encodes letters).
                     what=_f("predict_next on input {number} of 5 for a {timesteps}-step {kind} model",
                             number=number, timesteps=timesteps, kind=dataset.split("_")[0]))


# ----------------------------------------------------------------------------- bonus


@pytest.mark.points(1, bonus=True)
@pytest.mark.parametrize("builder, timesteps", BONUS_VARIANTS)
def test_bonus_gated_rnn(submission, reference, builder, timesteps):
    what = f"{builder}({timesteps})"
    student = getattr(submission, builder)(timesteps)
    check_architecture(student, getattr(reference, builder)(timesteps), what=what)
    _expect_learns(student, reference, "onehot_dataset", timesteps, what)
