"""Is a student's model rebuilt only from built-in Keras parts, and compared layer by layer?"""

import json
import re

import keras
import pytest

from autograder.checks import CheckFailure, Stage, without_ansi
from autograder.engine.otter_bridge import _round_trip
from autograder.keras_models import expect_same_architecture, keras_error_text, layer_summaries, rebuild, spec_of
from autograder.model_checks import as_model, check_learns, learning_failure
from autograder.model_recipes import RECIPES
from autograder.training import TrainingReport
from autograder.sandbox.child import protocol
from autograder.sandbox.child.protocol import KerasModelSpec


def lenet(padding="valid", first_activation="relu"):
    return keras.Sequential([
        keras.Input((28, 28, 1)), keras.layers.Conv2D(6, 5, activation=first_activation, padding=padding),
        keras.layers.MaxPooling2D(2), keras.layers.Flatten(), keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ])


def test_round_trip_keeps_the_architecture():
    """Does a built-in model come back with the same layers and parameter counts?"""
    model = lenet()
    rebuilt = rebuild(spec_of(model))
    assert rebuilt.count_params() == model.count_params()
    assert layer_summaries(rebuilt) == layer_summaries(model)


def test_first_differing_layer_is_named():
    """Does the feedback name the first layer that differs and how?"""
    with pytest.raises(CheckFailure, match=r"layer 1 \(Conv2D\) outputs shape \(None, 28, 28, 6\)") as caught:
        expect_same_architecture(rebuild(spec_of(lenet(padding="same"))), lenet())
    assert caught.value.stage is Stage.SHAPE
    with pytest.raises(CheckFailure, match="activation sigmoid"):
        expect_same_architecture(rebuild(spec_of(lenet(first_activation="sigmoid"))), lenet())
    changed = lenet()
    changed.layers[3].rate = 0.5
    with pytest.raises(CheckFailure, match="rate=0.5"):
        expect_same_architecture(rebuild(spec_of(changed)), lenet())


class Liar(keras.Sequential):
    def evaluate(self, *args, **kwargs):
        return [0.0, 1.0]


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(3)

    def call(self, x):
        return self.dense(x)


def custom_activation(x):
    return x


def lambda_model():
    inputs = keras.Input((3,))
    return keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))


@pytest.mark.parametrize("make, reason", [
    (lambda: Liar([keras.Input((4,)), keras.layers.Dense(2)]), "Liar"),
    (lambda: Subclassed(), "Subclassed"),
    (lambda: keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation=custom_activation)]), "function"),
    (lambda_model, "Lambda"),
])
def test_models_with_student_code_are_refused(make, reason):
    """Are subclasses, Lambda layers and custom functions refused, so none of their code runs here?"""
    model = make()
    if not model.built:
        model(keras.ops.ones((1, 4)))
    with pytest.raises(CheckFailure, match=reason):
        rebuild(KerasModelSpec(json.dumps(keras.saving.serialize_keras_object(model)), type(model).__name__))


def test_forged_module_is_refused():
    """Is a config that names a non-Keras module refused before Keras imports anything?"""
    config = json.loads(spec_of(lenet()).config_json)
    config["config"]["layers"][1]["module"] = "os"
    with pytest.raises(CheckFailure, match="not part of Keras"):
        rebuild(KerasModelSpec(json.dumps(config), "forged"))


def test_models_cross_the_pipe_as_config_and_weights():
    """Does a trained model reach the sandbox side whole, and leave it as config only?"""
    model = lenet()
    decoded = _through_the_pipe(spec_of(model, with_weights=True))
    assert isinstance(decoded, KerasModelSpec) and len(decoded.weights) == len(model.get_weights())
    materialized = protocol._materialize(decoded)
    assert all((a == b).all() for a, b in zip(materialized.get_weights(), model.get_weights()))


LONG_NAME = "3.14159" * 600  # 4 KB of digits and dots: a hidden input, written into a config


@pytest.mark.parametrize("field, value", [
    ("class_name", LONG_NAME),
    ("module", "keras." + LONG_NAME),
    ("module", None),
    ("registered_name", LONG_NAME),
])
def test_config_chosen_names_are_capped_in_messages(field, value):
    """A config's class name or module is the student's text: quoted at most 80 bytes, numbers masked."""
    config = json.loads(spec_of(lenet()).config_json)
    layer = config["config"]["layers"][1]
    layer[field] = value
    if value is None:
        layer["class_name"] = LONG_NAME
    with pytest.raises(CheckFailure) as caught:
        rebuild(KerasModelSpec(json.dumps(config), "forged"))
    message = str(caught.value)
    assert len(message.encode()) < 400 and "14159" not in message, message
    assert not re.search(r"\d{4}", message), message


def test_keras_errors_are_capped_in_messages():
    """Keras's own error, which can quote the config, is capped and masked too."""
    config = json.loads(spec_of(lenet()).config_json)
    config["config"]["layers"][-1]["config"]["units"] = LONG_NAME
    with pytest.raises(CheckFailure, match="could not rebuild") as caught:
        rebuild(KerasModelSpec(json.dumps(config), "forged"))
    message = str(caught.value)
    assert len(message.encode()) < 500 and not re.search(r"\d{4}", message), message


# ----------------------------------------------------------------------------- feedback a student can act on


def _through_the_pipe(value):
    """``value`` as the trusted side receives it from the sandbox (encoded and decoded as the pipe
    carries it, by the in-process bridge's own round trip)."""
    return _round_trip({"value": value}, materialize_models=False)["value"]


def test_keras_errors_reach_feedback_without_ansi_codes():
    """Does Keras's bold "\\x1b[1m...\\x1b[0m" reach feedback as plain text, whole or with its ESC gone?"""
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Reshape((2, 2))(inputs)))
    config = json.loads(spec_of(model).config_json)
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "Reshape":
            layer["config"]["target_shape"] = [3, 3]
    with pytest.raises(CheckFailure) as caught:
        rebuild(KerasModelSpec(json.dumps(config), "Functional"))
    message = str(caught.value)
    assert "Exception encountered when calling Reshape.call(). The total size of the tensor must be unchanged." in message
    assert "[1m" not in message and "[0m" not in message and "\x1b" not in message
    assert keras_error_text(ValueError("[1mInput 0 is incompatible[0m")) == "ValueError: Input 0 is incompatible"
    assert without_ansi("\x1b[1mbold\x1b[0m and [1;31mred[0m, but [1] stays") == "bold and red, but [1] stays"


class LeNet5(keras.Model):
    """A subclass whose constructor takes an argument: Keras cannot save its config."""

    def __init__(self, num_classes):
        super().__init__()
        self.flatten = keras.layers.Flatten()
        self.dense = keras.layers.Dense(num_classes, activation="softmax")

    def call(self, x):
        return self.dense(self.flatten(x))


def test_a_subclass_is_explained_not_called_the_wrong_type():
    """Does a subclass with a constructor argument get told why the grader cannot use it and what to
    write instead, by the architecture checks and the learning test alike (not "run autograder check")?"""
    model = LeNet5(10)
    model(keras.ops.ones((1, 28, 28, 1)))
    received = _through_the_pipe(model)
    for check in (lambda: as_model(received, what="build_lenet()"), lambda: as_model(model, what="build_lenet()"),
                  lambda: check_learns(received, RECIPES["lenet"], 0.5, what="build_lenet()"),
                  lambda: check_learns(model, RECIPES["lenet"], 0.5, what="build_lenet()")):
        with pytest.raises(CheckFailure) as caught:
            check()
        message = str(caught.value)
        assert caught.value.stage is Stage.TYPE
        assert "build_lenet() returned a LeNet5, a subclass of keras.Model. The grader rebuilds your model from its " \
               "config in another process" in message, message
        assert "a subclass's config cannot be rebuilt without its code" in message
        assert "keras.Sequential([keras.Input(shape=...), layer, layer, ...]) or with the functional API" in message
        assert "should return a keras.Model" not in message and "autograder check" not in message


def test_batchnorm_settings_are_compared():
    """Does PyTorch's BatchNormalization (momentum 0.1, epsilon 1e-5) differ from the table's BatchNormalization()?"""
    def mlp(**settings):
        return keras.Sequential([keras.Input((8,)), keras.layers.Dense(4),
                                 keras.layers.BatchNormalization(**settings)])

    with pytest.raises(CheckFailure, match=r"layer 2 \(BatchNormalization\) has momentum=0.1, but the architecture "
                                           r"needs momentum=0.99"):
        expect_same_architecture(rebuild(spec_of(mlp(momentum=0.1, epsilon=1e-5))), mlp())
    with pytest.raises(CheckFailure, match="has epsilon="):
        expect_same_architecture(rebuild(spec_of(mlp(epsilon=1e-5))), mlp())


def _report(test_accuracy, training_accuracies):
    return TrainingReport(test_accuracy=test_accuracy, train_seconds=1.0, evaluate_seconds=1.0,
                          history={"loss": [1.0] * len(training_accuracies), "accuracy": training_accuracies})


def test_a_model_that_trains_well_but_tests_badly_is_told_why():
    """Is the train-well/test-badly pattern explained (BatchNormalization's moving statistics, overfitting,
    train/test differences) instead of the generic "a layer that cannot learn"?"""
    recipe = RECIPES["alexnet"]
    message = learning_failure(_report(0.11, [0.6, 0.95]), recipe, 0.84, what="build_alexnet()")
    steps = recipe.epochs * recipe.train_samples // recipe.batch_size
    assert f"build_alexnet() reaches 0.950 accuracy on its training batches in the last epoch but 0.110 on the test " \
           "images; at least 0.840 is required. It learns, but what it learned does not carry over" in message
    assert f"a BatchNormalization whose momentum is close to 1 (at test time it uses its moving mean and variance, " \
           f"which after {steps} steps still hold momentum**{steps} of their initial values); overfitting" in message
    assert "cannot learn" not in message
    generic = learning_failure(_report(0.11, [0.3, 0.12]), recipe, 0.84, what="build_alexnet()")
    assert "reaches 0.110 test accuracy; at least 0.840 is required. Check activations" in generic


def test_a_keras_error_in_training_is_the_submissions_failure():
    """Does Keras's error while the grader trains a rebuilt model (an output that does not fit the labels)
    reach feedback as a failure that says so, not as an internal error of the grader?"""
    import numpy as np

    from autograder.training import train_until_fit

    model = keras.Sequential([keras.Input((4, 5)), keras.layers.SimpleRNN(3, return_sequences=True),
                              keras.layers.Dense(5, activation="softmax")])
    x = np.eye(5, dtype=np.float32)[np.arange(20).reshape(5, 4) % 5]
    with pytest.raises(CheckFailure) as caught:
        train_until_fit(spec_of(model), x, np.arange(5), seed=0, learning_rate=0.05, max_steps=10,
                        what="build_onehot_rnn(4)")
    message = str(caught.value)
    assert caught.value.stage is Stage.EXCEPTION
    assert message.startswith("Keras failed while the grader trained or ran build_onehot_rnn(4) (ValueError: ")
    assert "Often an output that does not fit the labels" in message and "[1m" not in message
