"""The grader's own training recipe, run in the trusted process on a rebuilt model.

A student's architecture is rebuilt from its config (``keras_models.rebuild``) right after
the seed is set, so its initial weights depend only on the recipe's seed; it is trained with
the grader's optimizer, data subset and epochs, and evaluated on the test set here. Nothing
the student wrote runs during training or evaluation, so the accuracy cannot be faked.

The backend, the device and the number of CPU threads are fixed per grading process (see
``configure_process``) before Keras is imported: seeded CPU training is bit-identical only at
a fixed thread count.

The student chose the architecture, so the grader's work on it is bounded. Before any weight
exists, the model's cost is measured at the data's shape (``keras_models.ModelCost``): a training
step that would not fit the memory cap is refused, and evaluation runs in batches that fit. Then
training and evaluation run against a time budget derived from the reference architecture's own
time on this machine (``training_budget``); the grader looks at its clock after every batch, and
stops a model over budget (or plainly on its way past it) with a failure that says so. A batch of
submissions goes on; an honest model costs one clock reading per batch.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from autograder.checks import CheckFailure, Stage
from autograder.i18n import _, _f
from autograder.keras_models import keras_error_text, rebuild_with_cost

DEFAULT_THREADS = 2
EVALUATION_BATCH = 1000
CURVE_POINTS = 40  # about this many points on a recorded training curve
# A submitted model may take this many times the reference's training and evaluation time on this
# machine, and at least TIME_BUDGET_FLOOR_S (the reference's time is extrapolated from a few timed
# steps, and a machine that grades two submissions at once slows both).
TIME_BUDGET_FACTOR = 5
TIME_BUDGET_FLOOR_S = 30.0
# Where no reference time is known (train_until_fit's tiny sets): the floor, a hundred times what
# rnn_letters' reference needs.
DEFAULT_FIT_BUDGET_S = TIME_BUDGET_FLOOR_S
# Once this share of the budget has passed (and at least PROJECTION_AFTER_S), a model whose
# progress projects to more than PROJECTION_MARGIN budgets is stopped then, not at the budget.
# The first seconds include tracing the model's functions (1 to 3 s, more on a busy machine), which
# a projection made then would multiply by every step to come: rnn_letters' reference, which fits
# in about a second, projected to 715 s after 3 s. After 10 s, tracing inflates a projection by
# less than the margin.
PROJECTION_AFTER_SHARE = 0.25
PROJECTION_AFTER_S = 10.0
PROJECTION_MARGIN = 2.0
# A grading process whose peak resident memory passes this while it trains a submitted model stops
# that model (a backstop: the cost measure should refuse such a model before it starts). A process
# that already holds more when training starts (one that has graded many models, or a test run)
# allows the model MAX_TRAINING_GROWTH_BYTES over what it held then, so that the bound is on the
# model and not on what earlier work left behind.
MAX_GRADER_RSS_BYTES = 3 * 1024 ** 3
MAX_TRAINING_GROWTH_BYTES = 2 * 1024 ** 3


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


@dataclass(frozen=True)
class Budget:
    """How long the grader may spend training and evaluating one submitted model, and why."""

    seconds: float
    reference_seconds: float | None = None  # the reference's time on this machine, when measured

    @property
    def explanation(self) -> str:
        if self.reference_seconds is None:
            return _f("{seconds} s", seconds=format(self.seconds, ".0f"))
        return _f("{seconds} s ({factor}x the reference architecture's {reference} s on the grader's machine, at "
                  "least {floor} s)", seconds=format(self.seconds, ".0f"), factor=TIME_BUDGET_FACTOR,
                  reference=format(self.reference_seconds, ".1f"), floor=format(TIME_BUDGET_FLOOR_S, ".0f"))


class OverBudget(CheckFailure):
    """A submitted model took (or was about to take) more than its time budget."""


def _peak_rss_bytes() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def _rss_bytes() -> int:
    """This process's resident memory now (the peak where /proc cannot say)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return _peak_rss_bytes()


class _Clock:
    """The grader's clock on one submitted model: ``tick(units)`` after every batch of work.

    Work is counted in forward passes of one example (a training example counts 3: forward,
    backward, update). The time budget is hard; past PROJECTION_AFTER_* the clock also stops a model
    whose pace projects far past it, so that a model at seconds per step is stopped after about 10 s
    rather than after the whole budget. The process's peak memory is read too (one getrusage call):
    a model that the cost measure let through anyway is stopped at the first batch after it took
    the peak past MAX_GRADER_RSS_BYTES, or MAX_TRAINING_GROWTH_BYTES past what the process held
    when training started if that is more (a backstop; it cannot undo that batch's peak)."""

    def __init__(self, budget: Budget | None, total_units: int, what: str):
        self.budget, self.total_units, self.what = budget, max(1, total_units), what
        self.started = time.perf_counter()
        self.done = 0
        self.peak_at_start = _peak_rss_bytes()
        self.max_peak = max(MAX_GRADER_RSS_BYTES, _rss_bytes() + MAX_TRAINING_GROWTH_BYTES)
        self.after = max(PROJECTION_AFTER_S, PROJECTION_AFTER_SHARE * budget.seconds) if budget else float("inf")

    def tick(self, units: int) -> None:
        self.done += units
        peak = _peak_rss_bytes()
        if peak > self.max_peak and peak > self.peak_at_start:
            raise CheckFailure(Stage.VALUES, _f("training {what} took the grader's memory past {limit} GB; the grader "
                                                "stopped it. The architecture needs far less: check the sizes of its "
                                                "layers.", what=self.what, limit=format(self.max_peak / 2**30, ".0f")))
        if self.budget is None:
            return
        elapsed = time.perf_counter() - self.started
        if elapsed > self.budget.seconds:
            # TRANSLATORS: {budget} is "300 s" or "300 s (5x the reference architecture's ...)".
            raise OverBudget(Stage.TIMEOUT, _f("training and evaluating {what} took longer than {budget}; the grader "
                                               "stopped it. The architecture trains far faster: check the number and "
                                               "sizes of its layers.", what=self.what, budget=self.budget.explanation))
        if elapsed > self.after and self.done < self.total_units:
            projected = elapsed * self.total_units / self.done
            if projected > PROJECTION_MARGIN * self.budget.seconds:
                raise OverBudget(Stage.TIMEOUT, _f("training and evaluating {what} would take about {projected} s at "
                                                   "its pace, more than {budget}; the grader stopped it. The "
                                                   "architecture trains far faster: check the number and sizes of its "
                                                   "layers.", what=self.what, projected=format(projected, ".0f"),
                                                   budget=self.budget.explanation))


@contextlib.contextmanager
def _keras_errors(what: str):
    """Keras's error while the grader trains or runs a rebuilt model (an output that does not fit the
    labels, say) as a failure of the submission, its text without Keras's ANSI bold codes and
    capped and masked like any text the config chose (keras_models.keras_error_text)."""
    try:
        yield
    except CheckFailure:
        raise
    except Exception as error:  # noqa: BLE001 - narrowed below: Keras's and the backend's own errors only
        module = type(error).__module__ or ""
        if not (isinstance(error, (ValueError, TypeError)) or module.startswith(("tensorflow", "jax", "keras"))):
            raise
        raise CheckFailure(Stage.EXCEPTION, _f("Keras failed while the grader trained or ran {what} ({error}). Often "
                                               "an output that does not fit the labels: the grader's labels are class "
                                               "ids, one per example.",
                                               what=what, error=keras_error_text(error))) from None


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


class DeviceUnavailable(Exception):
    """The device asked for cannot be used; the message says which backend found no GPU and how
    to train on the CPU instead."""


# How long a fresh interpreter may take to import a backend and count its GPUs (TensorFlow takes
# seconds to import, more on a busy machine).
GPU_PROBE_TIMEOUT_S = 120.0
# Each prints how many GPUs the backend sees; run with the environment of a grading process.
GPU_PROBES = {
    "tensorflow": "import tensorflow as tf; print(len(tf.config.list_physical_devices('GPU')))",
    "jax": "import jax; print(sum(1 for d in jax.devices() if d.platform == 'gpu'))",
    "torch": "import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)",
}


def gpu_problem(backend: str, *, timeout: float = GPU_PROBE_TIMEOUT_S) -> str | None:
    """Why grading processes could not train on a GPU with ``backend`` (one line), or None if
    they can.

    Asked of a fresh interpreter with the environment ``Device("gpu", backend)`` gives a grading
    process, so that the grader's own process never imports the backend; it may take up to
    ``timeout`` seconds.
    """
    import subprocess
    import sys

    environment = {**os.environ, **Device("gpu", backend).environment()}
    try:
        done = subprocess.run([sys.executable, "-c", GPU_PROBES[backend]], env=environment, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"the {backend} backend did not say within {timeout:.0f} s whether it sees a GPU"
    except OSError as error:
        return f"the {backend} backend could not be asked for a GPU ({error.strerror or error})"
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        last = lines[-1][:200] if lines else f"exit status {done.returncode}"
        if "ModuleNotFoundError" in last:
            return f"the {backend} backend is not installed ({last}); install it or pass another --backend"
        return f"the {backend} backend failed to start ({last})"
    words = done.stdout.split()
    if not words or not words[-1].isdigit():
        return f"the {backend} backend did not say how many GPUs it sees"
    return None if int(words[-1]) > 0 else f"the {backend} backend sees no GPU on this machine"


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


def _accuracy_of(model, x: np.ndarray, y: np.ndarray, batch: int = EVALUATION_BATCH,
                 clock: _Clock | None = None) -> float:
    """Accuracy in batches of ``batch`` (a model's own ModelCost.evaluation_batch: EVALUATION_BATCH
    for every course model, fewer for one whose activations would not fit)."""
    correct = 0
    for start in range(0, len(x), batch):
        probabilities = np.asarray(model.predict_on_batch(x[start:start + batch]))
        correct += int(np.count_nonzero(probabilities.argmax(axis=-1) == y[start:start + batch]))
        if clock is not None:
            clock.tick(len(probabilities))
    return correct / len(x)


_REFERENCE_SECONDS: dict[tuple, float] = {}


def _without_names(node) -> str:
    """A config as a key that is the same for every build of one architecture (Keras numbers the
    names of the layers it makes: conv2d, conv2d_1, ...)."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("name", "inbound_nodes", "keras_history")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return json.dumps(strip(node), sort_keys=True, default=str)


MEASURED_STEPS_S = 0.5  # time at least this long of the reference's steps (after its first, traced one)


def reference_seconds(reference_spec, recipe: "Recipe") -> float:
    """The reference's training and evaluation time under ``recipe`` on this machine, extrapolated
    from its timed steps and one timed evaluation batch; measured once per grading process.

    Training the reference through would cost as much again as a submission, once per process;
    a second of steps and a batch predict its time within the margin TIME_BUDGET_FACTOR leaves."""
    key = (recipe, _without_names(json.loads(reference_spec.config_json)))
    if key not in _REFERENCE_SECONDS:
        import keras

        x_train, y_train, x_test, _ = prepared_data(recipe.dataset, recipe.train_samples, recipe.test_samples,
                                                    tuple(recipe.input_shape))
        model, _ = rebuild_with_cost(reference_spec)
        model.compile(optimizer=keras.optimizers.get({"class_name": recipe.optimizer,
                                                      "config": {"learning_rate": recipe.learning_rate}}),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        x, y = x_train[:recipe.batch_size], y_train[:recipe.batch_size]
        model.train_on_batch(x, y)  # traced once: not part of a step's time
        steps, started = 0, time.perf_counter()
        while steps < 5 or (time.perf_counter() - started < MEASURED_STEPS_S and steps < 200):
            model.train_on_batch(x, y)
            steps += 1
        step_s = (time.perf_counter() - started) / steps
        model.predict_on_batch(x_test[:EVALUATION_BATCH])
        started = time.perf_counter()
        model.predict_on_batch(x_test[:EVALUATION_BATCH])
        batch_s = time.perf_counter() - started
        total_steps = recipe.epochs * (recipe.train_samples // recipe.batch_size)
        evaluation_batches = 1 + -(-recipe.test_samples // EVALUATION_BATCH)  # before training, and after
        _REFERENCE_SECONDS[key] = step_s * total_steps + batch_s * evaluation_batches
    return _REFERENCE_SECONDS[key]


def training_budget(reference_spec, recipe: "Recipe") -> Budget:
    """TIME_BUDGET_FACTOR times the reference's time on this machine, at least TIME_BUDGET_FLOOR_S."""
    measured = reference_seconds(reference_spec, recipe)
    return Budget(max(TIME_BUDGET_FLOOR_S, TIME_BUDGET_FACTOR * measured), measured)


def train_and_evaluate(spec, recipe: Recipe, *,
                       before_training: Callable[[float], None] | None = None,
                       budget: Budget | None = None, what: str | None = None) -> TrainingReport:
    """Rebuild the submitted architecture with the recipe's seed, train it, evaluate it.

    ``before_training`` gets the built model's accuracy on the first EVALUATION_BATCH test
    images before any step, and may raise to stop there (model_checks refuses a model that is
    already accurate); measured on the model about to be trained, it costs one batch.

    A model whose training step would not fit the grader's memory cap is refused before any weight
    exists; with a ``budget`` (every submitted model has one: model_checks.check_learns), training
    and evaluation stop with an ``OverBudget`` failure once past it. Trusted callers (benchmarks,
    the reference) may leave it out. ``what`` names the model in messages ("your model" by default).
    """
    import keras

    what = _("your model") if what is None else what

    x_train, y_train, x_test, y_test = prepared_data(recipe.dataset, recipe.train_samples, recipe.test_samples,
                                                     tuple(recipe.input_shape))
    keras.utils.set_random_seed(recipe.seed)
    model, cost = rebuild_with_cost(spec, input_shape=tuple(recipe.input_shape))
    cost.check_trainable(recipe.batch_size, what=what)
    evaluation_batch = cost.evaluation_batch(EVALUATION_BATCH)
    checked = min(EVALUATION_BATCH, len(x_test)) if before_training is not None else 0
    clock = _Clock(budget, 3 * recipe.epochs * (len(x_train) // recipe.batch_size) * recipe.batch_size
                   + checked + len(x_test), what)
    if before_training is not None:
        with _keras_errors(what):
            untrained = _accuracy_of(model, x_test[:EVALUATION_BATCH], y_test[:EVALUATION_BATCH], evaluation_batch,
                                     clock)
        before_training(untrained)
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
    for _epoch in range(recipe.epochs):
        epoch = np.zeros(2)
        for batch in _batches(len(x_train), recipe.batch_size, rng):
            with _keras_errors(what):
                logs = model.train_on_batch(x_train[batch], y_train[batch], return_dict=True)
            clock.tick(3 * len(batch))
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
    with _keras_errors(what):
        test_accuracy = _accuracy_of(model, x_test, y_test, evaluation_batch, clock)
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
                    check_every: int = 10, budget: Budget | None = Budget(DEFAULT_FIT_BUDGET_S),
                    what: str | None = None) -> FitReport:
    """Train on the whole set (one batch) until every example is predicted right, or max_steps.

    One compiled ``train_on_batch`` step costs a fraction of an epoch of ``fit()`` (which
    builds a data iterator and runs callbacks every epoch), and stopping at the first perfect
    check keeps grading cheap without cutting any seed's training short.

    Bounded like ``train_and_evaluate``: the memory of a step on the whole set is checked before
    any weight exists, and ``budget`` (DEFAULT_FIT_BUDGET_S unless given) bounds the time. ``what``
    names the model in messages ("your model" by default).
    """
    import keras

    what = _("your model") if what is None else what

    keras.utils.set_random_seed(seed)
    model, cost = rebuild_with_cost(spec, input_shape=tuple(x.shape[1:]))
    cost.check_trainable(len(x), what=what)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    clock = _Clock(budget, (3 * max_steps + max_steps // check_every + 1) * len(x), what)
    started = time.perf_counter()
    with _keras_errors(what):
        predictions = np.asarray(model.predict_on_batch(x)).argmax(axis=-1)
    clock.tick(len(x))
    if np.array_equal(predictions, y):
        # Fitting before any step means weights from the config (Constant initializers, a seed
        # searched for), not learning: such a model would pass even with every layer frozen.
        raise CheckFailure(Stage.VALUES, _("the model predicts every example right before any training: its weights "
                                           "come from its config (e.g. Constant initializers or a fixed seed), not "
                                           "from learning. Use Keras's default initializers."))
    steps = 0
    while steps < max_steps and not np.array_equal(predictions, y):
        with _keras_errors(what):
            for _step in range(check_every):
                model.train_on_batch(x, y)
                clock.tick(3 * len(x))
            predictions = np.asarray(model.predict_on_batch(x)).argmax(axis=-1)
        steps += check_every
        clock.tick(len(x))
    return FitReport(steps=steps, accuracy=float(np.mean(predictions == y)), predictions=predictions.tolist(),
                     seconds=time.perf_counter() - started, model=model)
