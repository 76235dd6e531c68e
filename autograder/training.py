"""The grader's own training recipe, run in the trusted process on a rebuilt model.

A student's architecture is rebuilt from its config (``keras_models.rebuild``) right after
the seed is set, so its initial weights depend only on the recipe's seed; it is trained with
the grader's optimizer, data subset and epochs, and evaluated on the test set here. Nothing
the student wrote runs during training or evaluation, so the accuracy cannot be faked.

The backend, the device and the number of CPU threads are fixed per grading process (see
``configure_process``) before Keras is imported: seeded CPU training is bit-identical only at
a fixed thread count.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from autograder.keras_models import rebuild

DEFAULT_THREADS = 2
EVALUATION_BATCH = 1000
CURVE_POINTS = 40  # about this many points on a recorded training curve


@dataclass(frozen=True)
class Recipe:
    """How the grader trains a submitted architecture. Thresholds are measured per recipe."""

    dataset: str  # "mnist" or "fashion_mnist"
    train_samples: int
    epochs: int
    batch_size: int
    optimizer: str  # a keras.optimizers class name, e.g. "Adam" or "SGD"
    learning_rate: float
    test_samples: int = 10_000
    input_shape: tuple = (28, 28, 1)  # images are reshaped to this, e.g. (784,) for an MLP
    seed: int = 0

    def __post_init__(self):
        if self.train_samples % self.batch_size:
            raise ValueError(f"train_samples={self.train_samples} must be a multiple of batch_size={self.batch_size}")


@dataclass
class TrainingReport:
    test_accuracy: float
    train_seconds: float
    evaluate_seconds: float
    history: dict[str, list[float]] = field(default_factory=dict)  # per epoch: mean loss and accuracy
    # The training curve: mean loss and accuracy over each stretch of steps, at its last ``step``.
    curve: dict[str, list[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Device:
    """Where grading trains models: the device, the Keras backend and the CPU thread count."""

    device: str = "cpu"  # "cpu" or "gpu"
    backend: str = "tensorflow"  # "tensorflow", "jax" or "torch"
    threads: int = DEFAULT_THREADS

    def environment(self) -> dict[str, str]:
        env = {
            "KERAS_BACKEND": self.backend,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "TF_DETERMINISTIC_OPS": "1",
            "TF_NUM_INTRAOP_THREADS": str(self.threads),
            "TF_NUM_INTEROP_THREADS": "1",
            # Unset, OpenMP starts a team per core on top of TF's threads; with it AlexNet's
            # fit() stalled for seconds on return (benchmarks/fit_stall.py).
            "OMP_NUM_THREADS": str(self.threads),
        }
        if self.device == "cpu":
            env["CUDA_VISIBLE_DEVICES"] = ""
            env["JAX_PLATFORMS"] = "cpu"
        else:
            env["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"  # share the GPU between grading workers
        return env


def configure_process(device: Device) -> None:
    """Set the backend, device and threads for this process; must run before Keras is imported."""
    os.environ.update(device.environment())


def device_in_use() -> dict[str, str]:
    """What this process actually trains on, for the gradebook."""
    import keras

    backend = keras.backend.backend()
    device = "cpu"
    if backend == "jax":
        import jax

        device = jax.default_backend()
    elif backend == "tensorflow":
        import tensorflow as tf

        device = "gpu" if tf.config.list_logical_devices("GPU") else "cpu"
    elif backend == "torch":
        import torch

        device = "gpu" if torch.cuda.is_available() else "cpu"
    return {"backend": backend, "device": device}


@lru_cache(maxsize=4)
def prepared_data(dataset: str, train_samples: int, test_samples: int, input_shape: tuple):
    """Scaled float32 images in ``input_shape`` and int labels: the first N of each split."""
    import datasets

    (x_train, y_train), (x_test, y_test) = datasets.load(dataset)

    def scale(images: np.ndarray, count: int) -> np.ndarray:
        return (images[:count].astype(np.float32) / 255.0).reshape((-1, *input_shape))

    return (scale(x_train, train_samples), y_train[:train_samples].astype(np.int64),
            scale(x_test, test_samples), y_test[:test_samples].astype(np.int64))


def _batches(count: int, batch_size: int, rng: np.random.Generator):
    """Shuffled index batches, full ones only.

    A partial last batch makes TensorFlow trace the train step again for its shape, and with
    OpenMP's default thread team it made AlexNet's ``fit()`` stall 6 to 10 s on return
    (``benchmarks/fit_stall.py``). Recipes use sample counts that are whole multiples of the
    batch size, the grader feeds the batches itself, and ``Device`` fixes OMP_NUM_THREADS.
    """
    order = rng.permutation(count)
    for start in range(0, count - batch_size + 1, batch_size):
        yield order[start:start + batch_size]


def _accuracy_of(model, x: np.ndarray, y: np.ndarray) -> float:
    correct = 0
    for start in range(0, len(x), EVALUATION_BATCH):
        probabilities = np.asarray(model.predict_on_batch(x[start:start + EVALUATION_BATCH]))
        correct += int(np.count_nonzero(probabilities.argmax(axis=-1) == y[start:start + EVALUATION_BATCH]))
    return correct / len(x)


def train_and_evaluate(spec, recipe: Recipe, *,
                       before_training: Callable[[float], None] | None = None) -> TrainingReport:
    """Rebuild the submitted architecture with the recipe's seed, train it, evaluate it.

    ``before_training`` gets the built model's accuracy on the first EVALUATION_BATCH test
    images before any step, and may raise to stop there (model_checks refuses a model that is
    already accurate); measured on the model about to be trained, it costs one batch.
    """
    import keras

    x_train, y_train, x_test, y_test = prepared_data(recipe.dataset, recipe.train_samples, recipe.test_samples,
                                                     tuple(recipe.input_shape))
    keras.utils.set_random_seed(recipe.seed)
    model = rebuild(spec)
    if before_training is not None:
        before_training(_accuracy_of(model, x_test[:EVALUATION_BATCH], y_test[:EVALUATION_BATCH]))
    optimizer = keras.optimizers.get({"class_name": recipe.optimizer, "config": {"learning_rate": recipe.learning_rate}})
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(recipe.seed)
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    # train_on_batch resets the metrics on every call, so its logs are that batch's own values:
    # the history holds each epoch's mean, the curve the mean of every `every` steps.
    steps_per_epoch = len(x_train) // recipe.batch_size
    every = max(1, recipe.epochs * steps_per_epoch // CURVE_POINTS)
    curve: dict[str, list[float]] = {"step": [], "loss": [], "accuracy": []}
    window = np.zeros(2)
    step = 0
    started = time.perf_counter()
    for _ in range(recipe.epochs):
        epoch = np.zeros(2)
        for batch in _batches(len(x_train), recipe.batch_size, rng):
            logs = model.train_on_batch(x_train[batch], y_train[batch], return_dict=True)
            values = (float(logs.get("loss", float("nan"))),
                      float(logs.get("accuracy", logs.get("compile_metrics", float("nan")))))
            epoch += values
            window += values
            step += 1
            if step % every == 0:
                curve["step"].append(step)
                curve["loss"].append(float(window[0] / every))
                curve["accuracy"].append(float(window[1] / every))
                window[:] = 0.0
        history["loss"].append(float(epoch[0] / steps_per_epoch))
        history["accuracy"].append(float(epoch[1] / steps_per_epoch))
    if step % every:
        curve["step"].append(step)
        curve["loss"].append(float(window[0] / (step % every)))
        curve["accuracy"].append(float(window[1] / (step % every)))
    trained = time.perf_counter()
    test_accuracy = _accuracy_of(model, x_test, y_test)
    return TrainingReport(
        test_accuracy=test_accuracy,
        train_seconds=trained - started,
        evaluate_seconds=time.perf_counter() - trained,
        history=history,
        curve=curve,
    )


@dataclass
class FitReport:
    """How a tiny model fared on a small, fixed training set that it should learn exactly."""

    steps: int
    accuracy: float
    predictions: list[int]
    seconds: float
    model: object = None  # the trained, rebuilt Keras model (grader-side)


def train_until_fit(spec, x: np.ndarray, y: np.ndarray, *, seed: int, learning_rate: float, max_steps: int,
                    check_every: int = 10) -> FitReport:
    """Train on the whole set (one batch) until every example is predicted right, or max_steps.

    One compiled ``train_on_batch`` step costs a fraction of an epoch of ``fit()`` (which
    builds a data iterator and runs callbacks every epoch), and stopping at the first perfect
    check keeps grading cheap without cutting any seed's training short.
    """
    import keras

    keras.utils.set_random_seed(seed)
    model = rebuild(spec)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    started = time.perf_counter()
    predictions = np.asarray(model.predict_on_batch(x)).argmax(axis=-1)
    if np.array_equal(predictions, y):
        # Fitting before any step means weights from the config (Constant initializers, a seed
        # searched for), not learning: such a model would pass even with every layer frozen.
        from autograder.checks import CheckFailure, Stage

        raise CheckFailure(Stage.VALUES, "the model predicts every example right before any training: its weights "
                                         "come from its config (e.g. Constant initializers or a fixed seed), not "
                                         "from learning. Use Keras's default initializers.")
    steps = 0
    while steps < max_steps and not np.array_equal(predictions, y):
        for _ in range(check_every):
            model.train_on_batch(x, y)
        steps += check_every
        predictions = np.asarray(model.predict_on_batch(x)).argmax(axis=-1)
    return FitReport(steps=steps, accuracy=float(np.mean(predictions == y)), predictions=predictions.tolist(),
                     seconds=time.perf_counter() - started, model=model)
