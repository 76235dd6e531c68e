"""Are the model assignments' references, recipes and thresholds what the course and evidence say?"""

import dataclasses
import json
from pathlib import Path

import pytest

from autograder.assignments import get_assignment
from autograder.engine.plugin import load_module_from_path
from autograder.keras_models import spec_of
from autograder.model_recipes import MIN_TEST_ACCURACY, RECIPES
from autograder.training import train_and_evaluate

EVIDENCE = Path(__file__).parents[1] / "benchmarks" / "results" / "model_thresholds.json"


def reference(assignment_id):
    return load_module_from_path(get_assignment(assignment_id).solution_path, f"_reference_{assignment_id}")


@pytest.mark.parametrize("assignment_id, builder, parameters", [
    ("mnist_mlp", "build_mlp", 673_802),
    ("mnist_mlp", "build_mlp_functional", 673_802),
    ("lenet", "build_lenet", 44_426),
    ("alexnet", "build_alexnet", 27_672_714),
])
def test_reference_parameter_counts_match_the_course(assignment_id, builder, parameters):
    """Do the references have the parameter counts of course notes 000 and 004?"""
    assert getattr(reference(assignment_id), builder)().count_params() == parameters


def test_lenet_shapes_match_notes_003():
    """Does the LeNet reference trace a (1, 28, 28, 1) input as notes 003 print it?"""
    assert reference("lenet").layer_output_shapes() == [
        (1, 24, 24, 6), (1, 12, 12, 6), (1, 8, 8, 16), (1, 4, 4, 16), (1, 256), (1, 120), (1, 84), (1, 10)]


@pytest.mark.parametrize("assignment_id", ["mnist_mlp", "lenet", "alexnet"])
def test_thresholds_follow_the_recorded_evidence(assignment_id):
    """Is each threshold at or below what the evidence derives, between the known-wrong architectures
    and the reference with margin, and far above a model that cannot learn?"""
    evidence = json.loads(EVIDENCE.read_text())["assignments"][assignment_id]
    assert evidence["recipe"] == json.loads(json.dumps(dataclasses.asdict(RECIPES[assignment_id])))
    assert evidence["threshold_in_use"] == MIN_TEST_ACCURACY[assignment_id]
    assert MIN_TEST_ACCURACY[assignment_id] <= evidence["derived_threshold"] < evidence["reference_min"]
    assert evidence["broken_recipe_learning_rate_0"] < MIN_TEST_ACCURACY[assignment_id] - 0.5
    assert evidence["sabotaged_zero_initialized"] < MIN_TEST_ACCURACY[assignment_id] - 0.5
    # Issue 15: a margin of at least 0.02 between the reference's worst seed and the best known-wrong
    # architecture that drives the threshold, and the threshold clearly inside it.
    assert evidence["margin"] >= 0.02
    sides = evidence["threshold_sides"]
    assert sides["above_best_wrong"] >= 0.01 and sides["below_reference_worst"] >= 0.01, sides
    assert sides["below_alternatives_min"] > 0, sides


def test_training_is_reproducible_and_a_broken_recipe_fails():
    """Does the grader's LeNet recipe give the same accuracy twice, and does lr=0 fall below the bar?"""
    spec = spec_of(reference("lenet").build_lenet())
    recipe = dataclasses.replace(RECIPES["lenet"], train_samples=6_400)
    first, second = train_and_evaluate(spec, recipe), train_and_evaluate(spec, recipe)
    assert first.test_accuracy == second.test_accuracy
    broken = train_and_evaluate(spec, dataclasses.replace(recipe, learning_rate=0.0))
    assert broken.test_accuracy < MIN_TEST_ACCURACY["lenet"] - 0.5


def test_verify_model_assignments(verified):
    """Do the model references score full marks, and the stubs zero, through the real grader?

    Each report is ``api.verify([assignment])``, verified once per session (``verified``,
    tests/shared_grades.py): tests/test_otter_export.py compares otter with the same grades."""
    reports = [verified(assignment) for assignment in ("mnist_mlp", "lenet", "alexnet", "rnn_letters")]
    assert [(r.assignment, r.problems) for r in reports] == [
        ("mnist_mlp", []), ("lenet", []), ("alexnet", []), ("rnn_letters", [])]


FUNCTIONAL_LENET = '''
def build_lenet():
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(filters=6, kernel_size=5, activation="relu")(inputs)
    x = layers.MaxPooling2D(pool_size=2, strides=2)(x)
    x = layers.Conv2D(filters=16, kernel_size=5, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2, strides=2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(120, activation="relu")(x)
    x = layers.Dense(84, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
'''


def test_a_functional_lenet_traces_its_layers_as_the_stub_says(tmp_path):
    """The stub allows a functional LeNet: does its layer-by-layer trace (skipping the InputLayer that
    model.layers lists first, as the stub says) pass the public tests and the hidden ones that do not train?"""
    from autograder.engine.local import LocalSubmission
    from autograder.engine.runner import run_tests
    from in_process import hidden_results

    assignment = get_assignment("lenet")
    source = assignment.solution_path.read_text()
    start, end = source.index("def build_lenet():"), source.index("def layer_output_shapes():")
    path = tmp_path / "lenet.py"
    path.write_text(source[:start] + FUNCTIONAL_LENET.lstrip() + "\n\n" + source[end:])
    module = load_module_from_path(path, "_functional_lenet")
    assert type(module.build_lenet()).__name__ == "Functional"
    assert type(module.build_lenet().layers[0]).__name__ == "InputLayer"
    public = run_tests(assignment.public_tests_path, LocalSubmission(path))
    assert all(r.points == r.max_points for r in public), {r.name: r.message for r in public if r.points < r.max_points}
    hidden = hidden_results("lenet", path, ["test_architecture", "test_parameter_counts", "test_layer_output_shapes"])
    assert all(r.points == r.max_points for r in hidden.values()), {n: r.message for n, r in hidden.items()}
