"""Is a student's model rebuilt only from built-in Keras parts, and compared layer by layer?"""

import json
import re

import keras
import pytest

from autograder.checks import CheckFailure, Stage
from autograder.keras_models import expect_same_architecture, layer_summaries, rebuild, spec_of
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
    frame = protocol.encode_frame({"value": spec_of(model, with_weights=True)})
    length = protocol.parse_header_length(frame[:protocol.HEADER_PREFIX_BYTES])
    header = frame[protocol.HEADER_PREFIX_BYTES:protocol.HEADER_PREFIX_BYTES + length]
    rest, blobs = frame[protocol.HEADER_PREFIX_BYTES + length:], []
    for size in protocol.blob_sizes_of(header):
        blobs.append(rest[:size])
        rest = rest[size:]
    decoded = protocol.decode_frame(header, blobs)["value"]
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
