"""Is the grader's own work on a submitted model bounded, in time and in memory, whatever the model?

The grader trains and evaluates a rebuilt model in its own (trusted) process, so a model whose
weightless layers compute or hold a lot (attention scores, pooling windows, an upsampling), or
that declares one input shape and is fed another, must not take the grader's memory or hours of
its time. The cost measure (``keras_models.ModelCost``) refuses what would not fit before any
weight exists; the clock (``training._Clock``) stops what is too slow after a few batches.

The end-to-end test grades a cohort through ``autograder grade`` (a subprocess, as users run it):
the attackers of ``tests/adversarial/isolation/lenet/`` first, then honest students in the same
grading processes, at ``--jobs 1`` and ``--jobs 2``; it checks every score, the time of every
submission, the grading processes' peak memory and that nothing was written outside the output
folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import keras
import pytest
from keras import layers

from autograder import training
from autograder.assignments import REPO_ROOT, get_assignment
from autograder.checks import CheckFailure
from autograder.engine.plugin import load_module_from_path
from autograder.gradebook import Gradebook
from autograder.intake import discover, fingerprint
from autograder.keras_models import MAX_MODEL_BYTES, ModelCost, rebuild_with_cost, spec_of
from autograder.sandbox.child.protocol import KerasModelSpec
from autograder.sandbox.launcher import bwrap_problem
from autograder.training import Budget, OverBudget, Recipe, train_and_evaluate, train_until_fit

ATTACKERS_DIR = Path(__file__).with_name("adversarial") / "isolation" / "lenet"
IMAGE = (28, 28, 1)
# A small recipe for the in-process tests: 10 steps and 1000 test images.
SMALL = Recipe(dataset="mnist", train_samples=640, epochs=1, batch_size=64, optimizer="Adam", learning_rate=1e-3,
               test_samples=1000)


def reference(assignment_id: str):
    return load_module_from_path(get_assignment(assignment_id).solution_path, f"_reference_{assignment_id}")


def cost_of(model, input_shape=IMAGE) -> ModelCost:
    return rebuild_with_cost(spec_of(model), input_shape=input_shape)[1]


def functional(*make):
    """keras.Model over a 28x28x1 input; each ``make`` maps a tensor to a tensor."""
    inputs = x = keras.Input(IMAGE)
    for step in make:
        x = step(x)
    return keras.Model(inputs, x)


def head(x):
    return layers.Dense(10, activation="softmax")(layers.Flatten()(x))


# ----------------------------------------------------------------------------- the cost measure


def test_weightless_layers_are_counted():
    """Do attention scores, pooling windows and recurrent states count, where the weights did not show them?"""
    pixels = lambda x: layers.Reshape((784, 1))(x)  # noqa: E731
    attention = cost_of(functional(pixels, lambda x: layers.Attention()([x, x]), head))
    assert attention.activations >= 3 * 784 * 784
    two_heads = cost_of(functional(pixels, lambda x: layers.MultiHeadAttention(2, 4)(x, x), head))
    assert two_heads.activations >= 3 * 2 * 784 * 784 and two_heads.work >= 2 * 784 * 784 * 8
    pooled = cost_of(functional(layers.MaxPooling2D(pool_size=28, strides=1, padding="same"), head))
    assert pooled.work >= 784 * 784
    recurrent = cost_of(functional(pixels, layers.LSTM(16), head))
    assert recurrent.activations >= 784 * 4 * 16


def test_the_cost_is_measured_at_the_data_shape():
    """A Sequential runs on what it is fed: is a model declared on 1x1 images measured on 28x28 ones?"""
    declared_small = keras.Sequential([keras.Input((1, 1, 1)), layers.UpSampling2D(200),
                                       layers.GlobalAveragePooling2D(), layers.Dense(10)])
    assert rebuild_with_cost(spec_of(declared_small))[1].activations < 100_000  # as declared
    with pytest.raises(CheckFailure, match="31,360,7.. activations per example"):
        cost_of(declared_small)
    unknown = keras.Sequential([keras.Input((None, None, 1)), layers.Conv2D(4, 3), layers.GlobalAveragePooling2D()])
    assert cost_of(unknown).work == cost_of(keras.Sequential([keras.Input(IMAGE), layers.Conv2D(4, 3),
                                                              layers.GlobalAveragePooling2D()])).work
    with pytest.raises(CheckFailure, match=r"input has shape \(784,\)"):
        cost_of(keras.Sequential([keras.Input((784,)), layers.Dense(10)]))


@pytest.mark.parametrize("make, message", [
    (lambda: keras.Sequential([keras.Input(IMAGE), layers.RandomGaussianBlur(1.0, kernel_size=255, sigma=1.0),
                               layers.Flatten(), layers.Dense(10)]), "RandomGaussianBlur layer"),
    (lambda: keras.Sequential([keras.Input(IMAGE), layers.Reshape((784, 1)), layers.SimpleRNN(4, unroll=True)]),
     "unrolled over 784 time steps"),
    (lambda: keras.Sequential([keras.Input(IMAGE), *[layers.Identity() for _ in range(501)], layers.Flatten()]),
     "more than 500 layers"),
    (lambda: functional(lambda x: layers.Reshape((784, 1))(x), lambda x: layers.MultiHeadAttention(2, 4)(x, x),
                        head), r"2\.6 GB to train on batches of 64"),
    (lambda: keras.Sequential([keras.Input(IMAGE), layers.UpSampling2D(50), layers.Flatten(), layers.Dense(10)]),
     r"3\.2 GB to train"),
])
def test_unbounded_models_are_refused_before_any_weight(make, message):
    """Is each refused with a message that names what is wrong?"""
    with pytest.raises(CheckFailure, match=message):
        cost_of(make()).check_trainable(64, what="build_lenet()")


def lenet_with(first):
    """The LeNet reference with ``first`` in place of its first convolution."""
    rest = [layer.__class__.from_config(layer.get_config()) for layer in reference("lenet").build_lenet().layers[1:]]
    return keras.Sequential([keras.Input(IMAGE), first, *rest])


@pytest.mark.parametrize("first", [
    layers.Conv2D(4, kernel_size=2, padding="same", dilation_rate=300),
    layers.DepthwiseConv2D(2, padding="same", dilation_rate=300),
    layers.SeparableConv2D(4, 2, padding="same", dilation_rate=300),
    layers.Conv2D(4, kernel_size=(1, 2), padding="same", dilation_rate=(1, 29)),
], ids=["conv", "depthwise", "separable", "one axis"])
def test_dilations_past_the_input_are_refused(first):
    """A dilated convolution runs on its input padded to a multiple of the dilation, on a batch d**2
    times larger (TensorFlow's space_to_batch): one spanning more than its input (which reads only
    padding) would hold gigabytes per evaluation batch, and is refused by its span."""
    with pytest.raises(CheckFailure, match=r"dilation_rate=(300|29) with kernel size 2: it spans (301|30) positions, "
                                           r"more than its input's (28|14)") as caught:
        cost_of(lenet_with(first))
    assert caught.value.stage.value == "shape"


def test_dilated_convolutions_count_their_padded_grid():
    """Within its input, a dilation still pads each image to a multiple of it: the padded input
    and the output on the dilated grid (twice: it is gathered back) count as activations, in 2-D
    and 3-D; a modest dilation costs about what the convolution without it does."""
    cost = cost_of(lenet_with(layers.Conv2D(4, kernel_size=2, padding="same", dilation_rate=27)))
    plain = cost_of(lenet_with(layers.Conv2D(4, kernel_size=2, padding="same")))
    # Padded to 81x81 (28 + 27, to a multiple of 27); its output on a 54x54 grid, 4 channels.
    assert cost.activations - plain.activations >= 81 * 81 + 2 * 54 * 54 * 4
    assert cost.work - plain.work >= 54 * 54 * 4 * 4
    cube = cost_of(keras.Sequential([keras.Input((16, 16, 16, 1)), layers.Conv3D(2, 2, padding="same", dilation_rate=15),
                                     layers.GlobalAveragePooling3D(), layers.Dense(10)]), (16, 16, 16, 1))
    assert cube.activations >= 45 ** 3 + 2 * 30 ** 3 * 2  # grows as d**3
    modest = cost_of(lenet_with(layers.Conv2D(6, 5, padding="same", dilation_rate=2)))
    undilated = cost_of(lenet_with(layers.Conv2D(6, 5, padding="same")))
    assert modest.activations - undilated.activations <= 36 * 36 + 2 * 28 * 28 * 6  # padded by 8; the same grid
    assert modest.evaluation_batch(1000) == 1000


def f64_dense_of(units: int):
    """A float64 Dense layer whose config, forged after building, asks for ``units`` outputs."""
    dense = layers.Dense(11, activation="softmax", dtype="float64")
    model = keras.Sequential([keras.Input(IMAGE), layers.Flatten(), dense])
    dense.units = units
    return model


def test_weights_are_measured_in_bytes_before_any_rebuild():
    """Is a model whose weights alone would take the grader's memory refused before the rebuild that
    the architecture checks make (which allocates every weight at its own dtype), under the
    parameter limit or not, and at the declared shape even where it is trained at another?"""
    from autograder.keras_models import MAX_PARAMETERS, MAX_WEIGHT_BYTES, rebuild

    assert 126_000 * 785 < MAX_PARAMETERS
    with pytest.raises(CheckFailure, match=r"98,910,000 weights would take 755 MB, more than the grader "
                                           r"rebuilds \(512 MB\)"):
        rebuild(spec_of(f64_dense_of(126_000)))
    # Declared on 300x300 images, it is measured at 28x28 to train, but rebuilt at 300x300.
    # (Forged in its config: built here, it would take this process's memory, and the probe's above.)
    config = json.loads(spec_of(keras.Sequential([keras.Input(IMAGE), layers.Flatten(),
                                                  layers.Dense(800, dtype="float64")])).config_json)
    config["config"]["layers"][0]["config"]["batch_shape"] = [None, 300, 300, 1]
    config["config"]["build_input_shape"] = [None, 300, 300, 1]
    for layer in config["config"]["layers"]:
        layer.pop("build_config", None)
    with pytest.raises(CheckFailure, match="72,000,800 weights would take 549 MB"):
        rebuild_with_cost(KerasModelSpec(json.dumps(config), "Sequential"), input_shape=IMAGE)
    honest = cost_of(f64_dense_of(64))
    assert honest.value_bytes == 8 and honest.weight_bytes == 8 * 785 * 64 < MAX_WEIGHT_BYTES
    assert cost_of(reference("alexnet").build_alexnet()).weight_bytes < MAX_WEIGHT_BYTES / 4


@pytest.mark.parametrize("dtype", ["complex128", "complex64", "string", "float8_e4m3fn"])
def test_only_float_dtypes_are_rebuilt(dtype):
    """A forged config's dtype policy is refused by name unless it is a float16/bfloat16/float32/float64."""
    from autograder.keras_models import rebuild

    config = json.loads(spec_of(f64_dense_of(11)).config_json)
    config["config"]["layers"][-1]["config"]["dtype"]["config"]["name"] = dtype
    with pytest.raises(CheckFailure) as caught:
        rebuild(KerasModelSpec(json.dumps(config), "Sequential"))
    assert dtype in str(caught.value) or "could not rebuild" in str(caught.value)
    config["config"]["layers"][0]["config"]["dtype"] = dtype  # the input's dtype, which flows through
    config["config"]["layers"][-1]["config"]["dtype"]["config"]["name"] = "float32"
    with pytest.raises(CheckFailure, match="dtype|could not rebuild"):
        rebuild(KerasModelSpec(json.dumps(config), "Sequential"))
    for fine in ("float16", "bfloat16", "mixed_float16", "float64"):
        config["config"]["layers"][0]["config"]["dtype"] = "float32"
        config["config"]["layers"][-1]["config"]["dtype"]["config"]["name"] = fine
        rebuild(KerasModelSpec(json.dumps(config), "Sequential"))


def honest_variants():
    """What students write for the course's architectures: the references, and models that differ
    (they lose architecture points) but learn; none may be refused or get a smaller evaluation batch."""
    lenet, mlp = reference("lenet"), reference("mnist_mlp")
    alexnet, rnn = reference("alexnet"), reference("rnn_letters")
    yield "lenet", lenet.build_lenet(), IMAGE, 64
    yield "mlp", mlp.build_mlp(), (784,), 128
    yield "mlp functional", mlp.build_mlp_functional(), (784,), 128
    yield "alexnet", alexnet.build_alexnet(), IMAGE, 64
    yield "lenet, variants", keras.Sequential([
        keras.Input((28, 28)), layers.Reshape(IMAGE), layers.Rescaling(1.0), layers.RandomRotation(0.05),
        layers.Conv2D(32, 3, padding="same"), layers.BatchNormalization(), layers.ReLU(),
        layers.AveragePooling2D(2), layers.SpatialDropout2D(0.1), layers.SeparableConv2D(64, 3, padding="same"),
        layers.LeakyReLU(), layers.MaxPooling2D(2), layers.GlobalAveragePooling2D(), layers.Dropout(0.3),
        layers.Dense(64, activation="elu"), layers.LayerNormalization(), layers.Dense(10, activation="softmax")]), \
        IMAGE, 64
    yield "lenet, dilated", keras.Sequential([
        keras.Input(IMAGE), layers.Conv2D(16, 3, padding="same", dilation_rate=2, activation="relu"),
        layers.DepthwiseConv2D(3, padding="same", dilation_rate=3), layers.MaxPooling2D(2),
        layers.SeparableConv2D(32, 5, padding="same", dilation_rate=2), layers.Conv2D(8, 3, dilation_rate=6),
        layers.Flatten(), layers.Dense(10, activation="softmax")]), IMAGE, 64
    yield "lenet, functional branches", functional(
        lambda x: layers.Concatenate()([layers.Conv2D(8, 3, padding="same")(x),
                                        layers.Conv2D(8, 5, padding="same")(x)]),
        lambda x: layers.Add()([x, layers.Conv2D(16, 1)(x)]), layers.MaxPooling2D(), head), IMAGE, 64
    yield "mlp with noise", keras.Sequential([keras.Input((784,)), layers.Dense(256, activation="relu"),
                                                          layers.GaussianNoise(0.1), layers.Dense(10)]), (784,), 128
    for timesteps in (1, 4):
        yield f"rnn_letters {timesteps}", rnn.build_onehot_lstm(timesteps), (timesteps, 5), 5
        yield f"rnn, unknown length {timesteps}", keras.Sequential([
            keras.Input((None, 5)), layers.Bidirectional(layers.GRU(8)), layers.Dense(5, activation="softmax")]), \
            (timesteps, 5), 5
        yield f"rnn embedding {timesteps}", keras.Sequential([
            keras.Input((timesteps,)), layers.Embedding(5, 4), layers.SimpleRNN(8, unroll=True),
            layers.Dense(5, activation="softmax")]), (timesteps,), 5


def test_honest_models_are_not_refused():
    """Does every reasonable model pass the cost measure at the data's shape, with a full evaluation batch?"""
    for name, model, input_shape, batch in honest_variants():
        cost = cost_of(model, input_shape)
        cost.check_trainable(batch)
        assert cost.evaluation_batch(1000) == 1000, name
        assert cost.training_bytes(batch) < MAX_MODEL_BYTES / 1.5, name  # AlexNet, the largest: 0.56 GB


MEMORY_PROBE = """
import json, sys
import keras
from keras import layers
from autograder.keras_models import rebuild_with_cost, spec_of
from autograder.training import Recipe, prepared_data, train_and_evaluate
recipe = Recipe(**json.loads(sys.argv[1]))
prepared_data(recipe.dataset, recipe.train_samples, recipe.test_samples, recipe.input_shape)
model = keras.Sequential([keras.Input((28, 28, 1)), layers.UpSampling2D(27), layers.Flatten(),
                          layers.Dense(10, activation="softmax")])
spec = spec_of(model)
cost = rebuild_with_cost(spec, input_shape=(28, 28, 1))[1]
del model


def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) * 1024 for line in lines if line.startswith(field + ":"))


# The peak so far (importing Keras, loading the data) is not training's: reset the high-water mark
# to the current resident size (Linux 4.0+), then read the peak training reached.
with open("/proc/self/clear_refs", "w") as clear_refs:
    clear_refs.write("5")
before = status("VmRSS")
train_and_evaluate(spec, recipe)
after = status("VmHWM")
print(json.dumps({"estimate": cost.training_bytes(recipe.batch_size), "used": after - before,
                  "evaluation_batch": cost.evaluation_batch(1000)}))
"""


@pytest.mark.slow
def test_the_memory_estimate_is_an_upper_bound():
    """Does a model just under the cap (a 27x upsampling: 1.1 M values per image) use less than estimated?"""
    from autograder.training import Device

    recipe = {**{k: getattr(SMALL, k) for k in ("dataset", "epochs", "batch_size", "optimizer", "learning_rate")},
              "train_samples": 640, "test_samples": 2000}
    run = subprocess.run([sys.executable, "-c", MEMORY_PROBE, json.dumps(recipe)], capture_output=True, text=True,
                         timeout=300, cwd=REPO_ROOT, env={**os.environ, **Device().environment()})
    assert run.returncode == 0, run.stderr[-2000:]
    measured = json.loads(run.stdout.strip().splitlines()[-1])
    assert measured["evaluation_batch"] < 1000  # its 1000-image batch alone would be 4.6 GB
    assert measured["estimate"] <= MAX_MODEL_BYTES
    assert 0 < measured["used"] <= measured["estimate"], measured


# ----------------------------------------------------------------------------- the clock


def slow_model():
    """Within every size limit, about 2,000 times LeNet's work per image."""
    return keras.Sequential([keras.Input(IMAGE), *[layers.Conv2D(256, 3, padding="same", activation="relu")
                                                   for _ in range(4)],
                             layers.GlobalAveragePooling2D(), layers.Dense(10, activation="softmax")])


def test_a_slow_model_is_stopped_by_the_time_budget(monkeypatch):
    """Is a model over budget stopped, with a message that says why; and one plainly on its way past
    it stopped early, after a few batches rather than at the budget?"""
    spec = spec_of(slow_model())
    started = time.monotonic()
    with pytest.raises(OverBudget, match=r"took longer than 1 s; the grader stopped it") as caught:
        train_and_evaluate(spec, SMALL, budget=Budget(1.0), what="build_lenet()")
    assert caught.value.stage.value == "timeout"
    assert time.monotonic() - started < 30  # 1 s, then at most one evaluation batch (50 G multiply-adds)
    # Projected from its first second (10 s in grading, where tracing must not count): this recipe
    # would take it about 35 s here, past twice a 10 s budget, so the budget is not waited for.
    monkeypatch.setattr(training, "PROJECTION_AFTER_S", 1.0)
    monkeypatch.setattr(training, "PROJECTION_AFTER_SHARE", 0.0)
    started = time.monotonic()
    with pytest.raises(OverBudget, match=r"would take about \d+ s at its pace, more than 10 s \(5x the reference"):
        train_and_evaluate(spec, SMALL, budget=Budget(10.0, 2.0), what="build_lenet()")
    assert time.monotonic() - started < 10


def test_an_honest_model_is_within_its_budget():
    """Does the reference train under a budget derived from its own time, with the same accuracy as without one?"""
    from autograder.training import training_budget

    spec = spec_of(reference("lenet").build_lenet())
    budget = training_budget(spec, SMALL)
    assert budget.seconds >= 30.0 and budget.reference_seconds > 0
    assert train_and_evaluate(spec, SMALL, budget=budget).test_accuracy == train_and_evaluate(spec, SMALL).test_accuracy


def test_fitting_is_bounded_too():
    """Does train_until_fit (rnn_letters) stop a model over its budget, and refuse one that would not fit?"""
    rnn = reference("rnn_letters")
    x, y = rnn.onehot_dataset(4)
    with pytest.raises(OverBudget, match="took longer than 0 s"):
        train_until_fit(spec_of(rnn.build_onehot_rnn(4)), x, y, seed=0, learning_rate=0.05, max_steps=300,
                        budget=Budget(1e-6))
    report = train_until_fit(spec_of(rnn.build_onehot_rnn(4)), x, y, seed=0, learning_rate=0.05, max_steps=300)
    assert report.accuracy == 1.0
    # 63 M parameters: under the parameter limit, but five copies of them do not fit.
    wide = keras.Sequential([keras.Input((4, 5)), layers.Flatten(), layers.Dense(3_000_000), layers.Dense(5)])
    with pytest.raises(CheckFailure, match="to train on batches of 5"):
        train_until_fit(spec_of(wide), x, y, seed=0, learning_rate=0.05, max_steps=300)


# ----------------------------------------------------------------------------- end to end

needs_bwrap = pytest.mark.skipif(bwrap_problem() is not None, reason=f"needs the bwrap sandbox: {bwrap_problem()}")
HONEST = ("zz_honest_1", "zz_honest_2")  # sorted after the attackers: graded after them, by the same workers
MAX_GRADER_RSS = 2 * 1024 ** 3
MAX_SUBMISSION_S = 90.0
# What each attacker's honest part earns: layer_output_shapes (4 of 20); build_lenet's architecture
# (5) and learning (8) are lost, and its parameter counts (3) too unless they are LeNet's: a weightless
# layer the grader does not train keeps them (the checks that only look at a model do not refuse it).
ATTACKER_SCORE = {"unmodeled_layer": 7.0}
# The learning test's message for each attacker: refused before any weight, or stopped by the clock.
LEARNING_MESSAGE = {
    "attention_stack": "activations per example",
    "multihead_attention": "GB to train on batches of 64",
    "upsampled_dense": "GB to train on batches of 64",
    "declared_shape": "activations per example",
    # Stopped on its pace after 10 s; on a machine slow enough that one evaluation batch takes the
    # whole budget, at the budget.
    "conv_time_bomb": ("at its pace, more than", "took longer than"),
    "pooling_time_bomb": ("at its pace, more than", "took longer than"),
    "unmodeled_layer": "does not train models with a RandomGaussianBlur layer",
    "many_layers": "more than 500 layers",
    "unrolled_rnn": "unrolled over 784 time steps",
}


def build_cohort(folder: Path) -> Path:
    solution = get_assignment("lenet").solution_path
    for attacker in LEARNING_MESSAGE:
        shutil.copytree(ATTACKERS_DIR / attacker, folder / attacker)
        shutil.copy(solution, folder / attacker / "_honest.py")
    for honest in HONEST:
        (folder / honest).mkdir(parents=True)
        shutil.copy(solution, folder / honest / "lenet.py")
    return folder


def _descendants(pid: int) -> list[int]:
    children = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            children += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        return []
    return children + [grandchild for child in children for grandchild in _descendants(child)]


class PeakMemory:
    """The largest VmHWM (peak resident memory) of the grading processes under ``pid``, polled."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self):
        while not self._stop.is_set():
            for child in _descendants(self.pid):
                try:
                    if "spawn_main" not in Path(f"/proc/{child}/cmdline").read_text():
                        continue  # the sandboxes: the student's side, with limits of their own
                    for line in Path(f"/proc/{child}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.peak = max(self.peak, int(line.split()[1]) * 1024)
                except OSError:
                    continue
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peak


def everything_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@needs_bwrap
@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cohort_with_cost_attackers_grades_within_bounds(tmp_path, jobs):
    """Attackers first, then honest students in the same grading processes: full marks for the honest,
    their honest part for the attackers, every submission in bounded time, the grader under 2 GB."""
    cohort = build_cohort(tmp_path / "cohort")
    outdir, private_tmp = tmp_path / "out", tmp_path / "tmp"
    private_tmp.mkdir()
    before = {entry.path.name: fingerprint(entry) for entry in discover(cohort)}
    around = {p.name for p in tmp_path.iterdir()}
    repo_before = {p.name for p in REPO_ROOT.iterdir()}
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "autograder", "grade", "lenet", str(cohort), "-o", str(outdir),
                                "--jobs", str(jobs), "--sandbox", "bwrap", "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                               env={**os.environ, "TMPDIR": str(private_tmp)})
    memory = PeakMemory(process.pid)
    try:
        stdout, stderr = process.communicate(timeout=900)
    finally:
        process.kill()
        peak = memory.stop()
    seconds = time.monotonic() - started
    assert process.returncode == 0, stdout[-2000:] + stderr[-2000:]

    with Gradebook(outdir) as gradebook:
        results = {r.student: r for r in gradebook.results("lenet")}
    assert sorted(results) == sorted([*LEARNING_MESSAGE, *HONEST])
    for student, result in results.items():
        assert result.status.value == "graded", (student, result.detail)
        assert not [t for t in result.tests if t.outcome.value == "error"], (student, result.tests)
        assert result.duration_s < MAX_SUBMISSION_S, (student, result.duration_s)
    for honest in HONEST:
        assert results[honest].score == results[honest].max_score == 20.0, results[honest].tests
    for attacker, message in LEARNING_MESSAGE.items():
        assert results[attacker].score == ATTACKER_SCORE.get(attacker, 4.0), (attacker, results[attacker].tests)
        learns = next(t for t in results[attacker].tests if t.name == "test_learns_mnist")
        assert any(m in learns.message for m in ((message,) if isinstance(message, str) else message)), \
            (attacker, learns.message)

    assert 0 < peak < MAX_GRADER_RSS, f"a grading process reached {peak / 2**30:.2f} GB"
    # Nothing written outside the output folder: the submissions, the folder around them, the grader's
    # checkout and its temporary folder are as they were.
    assert {entry.path.name: fingerprint(entry) for entry in discover(cohort)} == before
    assert {p.name for p in tmp_path.iterdir()} - {"out"} == around
    assert everything_under(private_tmp) == set()
    assert {p.name for p in REPO_ROOT.iterdir()} == repo_before
    print(f"--jobs {jobs}: {len(results)} submissions in {seconds:.0f} s, grader peak {peak / 2**30:.2f} GB, "
          f"slowest submission {max(r.duration_s for r in results.values()):.1f} s")


def test_the_memory_backstop_bounds_the_model_not_what_the_process_held_before(monkeypatch):
    """A fresh grader stops a model that takes it past 3 GB; a process that already held 2.8 GB
    (one that graded many models, or a long test run) lets the next model grow by 2 GB, not 0.2."""
    from autograder import training
    from autograder.checks import CheckFailure

    gib = 1024 ** 3
    now = {"rss": 1 * gib, "peak": 1 * gib}
    monkeypatch.setattr(training, "_rss_bytes", lambda: now["rss"])
    monkeypatch.setattr(training, "_peak_rss_bytes", lambda: now["peak"])
    clock = training._Clock(None, 10, "build_lenet()")
    now["peak"] = int(2.9 * gib)
    clock.tick(1)
    now["peak"] = int(3.1 * gib)
    with pytest.raises(CheckFailure, match="memory past 3 GB"):
        clock.tick(1)

    now.update(rss=int(2.8 * gib), peak=int(2.9 * gib))
    clock = training._Clock(None, 10, "build_lenet()")
    now["peak"] = int(4.5 * gib)
    clock.tick(1)
    now["peak"] = int(4.9 * gib)
    with pytest.raises(CheckFailure, match="memory past 5 GB"):
        clock.tick(1)
