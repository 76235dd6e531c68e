"""Rebuild a student's Keras model in the trusted process, and compare architectures.

A model leaves the sandbox as its serialized config (see ``KerasModelSpec``). Here it is
rebuilt from Keras's own built-in classes only: every serialized object in the config must
come from a ``keras`` module and be unregistered (no custom classes), and no Lambda layer or
Python function may appear. Deserialization then runs in Keras's safe mode. So no line of
the student's code runs in the grader, and a model whose ``evaluate``, ``predict`` or
``count_params`` lie cannot be rebuilt at all: the grader trains and evaluates its own copy.

Models that cannot be rebuilt (subclassed models, custom layers, Lambda layers) fail the
checks that need the model, with a message that says what to change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from autograder.checks import CheckFailure, Stage
from autograder.sandbox.child.protocol import KerasModelSpec

# Built-in layers never need these; they are how a config smuggles in code.
FORBIDDEN_CLASS_NAMES = {"Lambda", "TFOpLambda", "SlicingOpLambda", "TorchModuleWrapper", "JaxLayer", "FlaxLayer",
                         "TFSMLayer", "__lambda__", "function"}
MAX_CONFIG_BYTES = 4 * 1024 * 1024


# Settings that change neither output shapes nor parameter counts, but change learning.
COMPARED_SETTINGS = ("rate", "kernel_regularizer", "trainable", "use_bias", "strides", "pool_size", "padding")


@dataclass(frozen=True)
class LayerSummary:
    index: int
    class_name: str
    output_shape: tuple
    activation: str | None
    trainable_params: int
    non_trainable_params: int
    settings: tuple = ()


def _describe_setting(value):
    """A compact, comparable form of a config value (a regularizer becomes e.g. 'L2(l2=0.01)')."""
    if isinstance(value, dict) and "class_name" in value:
        config = value.get("config") or {}
        arguments = ", ".join(f"{k}={round(v, 10) if isinstance(v, float) else v}" for k, v in sorted(config.items()))
        return f"{value['class_name']}({arguments})"
    if isinstance(value, list):
        return tuple(value)
    return value


def _settings_of(layer) -> tuple:
    config = layer.get_config()
    return tuple((key, _describe_setting(config[key])) for key in COMPARED_SETTINGS if key in config)


def spec_of(model, *, with_weights: bool = False) -> KerasModelSpec:
    """A grader-built model as plain data, e.g. to hand a trained model to the student's code."""
    import keras
    import numpy as np

    weights = [np.asarray(w) for w in model.get_weights()] if with_weights else None
    return KerasModelSpec(json.dumps(keras.saving.serialize_keras_object(model)), type(model).__name__, weights)


def _refuse(reason: str) -> CheckFailure:
    return CheckFailure(
        Stage.TYPE,
        f"your model cannot be rebuilt by the grader: {reason}. Build it from Keras's built-in layers "
        "with keras.Sequential or the functional API (no Lambda layers, custom layers or subclasses).",
    )


def _check_serialized_objects(node) -> None:
    """Walk the config; every serialized object must be a built-in, unregistered Keras object."""
    if isinstance(node, list):
        for item in node:
            _check_serialized_objects(item)
        return
    if not isinstance(node, dict):
        return
    if "class_name" in node:
        class_name = node.get("class_name")
        module = node.get("module")
        if not isinstance(class_name, str) or class_name in FORBIDDEN_CLASS_NAMES:
            raise _refuse(f"it contains a {class_name} object")
        if module is not None and not (isinstance(module, str) and (module == "keras" or module.startswith("keras."))):
            raise _refuse(f"it uses {class_name} from {module}, which is not part of Keras")
        if node.get("registered_name") not in (None, class_name) or (module is None and not class_name.startswith("__")):
            raise _refuse(f"it uses the custom class {class_name}")
    for value in node.values():
        _check_serialized_objects(value)


def rebuild(spec) -> "keras.Model":  # noqa: F821 - keras is imported lazily
    """The student's model, rebuilt from its config with fresh weights; raises CheckFailure."""
    if not isinstance(spec, KerasModelSpec):
        type_name = getattr(spec, "_autograder_type_name", type(spec).__name__)
        raise CheckFailure(Stage.TYPE, f"the function should return a keras.Model, but it returned a {type_name}.")
    if len(spec.config_json) > MAX_CONFIG_BYTES:
        raise _refuse("its config is unreasonably large")
    try:
        config = json.loads(spec.config_json)
    except ValueError:
        raise _refuse("its config is not valid JSON") from None
    _check_serialized_objects(config)
    if config.get("class_name") not in ("Sequential", "Functional", "Model"):
        raise _refuse(f"it is a {config.get('class_name')}, not a Sequential or functional model")

    import keras

    try:
        with keras.saving.custom_object_scope({}):
            model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as error:  # noqa: BLE001 - any failure to rebuild is the submission's
        raise _refuse(f"Keras could not rebuild it ({type(error).__name__}: {str(error)[:200]})") from None
    if not isinstance(model, keras.Model):
        raise _refuse("its config does not describe a model")
    if not model.built:
        raise CheckFailure(Stage.SHAPE, "your model has no input shape: start it with keras.Input(shape=...).")
    return model


def count_parameters(weights) -> int:
    return int(sum(int(w.numpy().size) if hasattr(w, "numpy") else int(w.size) for w in weights))


def layer_summaries(model) -> list[LayerSummary]:
    """One row per layer (InputLayer excluded), in order."""
    rows = []
    for index, layer in enumerate(layer for layer in model.layers if type(layer).__name__ != "InputLayer"):
        activation = getattr(layer, "activation", None)
        rows.append(LayerSummary(
            index=index + 1,
            class_name=type(layer).__name__,
            output_shape=tuple(layer.output.shape),
            activation=getattr(activation, "__name__", None) if activation is not None else None,
            trainable_params=count_parameters(layer.trainable_weights),
            non_trainable_params=count_parameters(layer.non_trainable_weights),
            settings=_settings_of(layer),
        ))
    return rows


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def expect_same_architecture(got, expected, *, what: str = "model") -> None:
    """Compare layer by layer; the message names the first layer that differs and how."""
    got_layers, expected_layers = layer_summaries(got), layer_summaries(expected)
    for mine, theirs in zip(got_layers, expected_layers):
        name = f"layer {mine.index} ({mine.class_name})"
        if mine.class_name != theirs.class_name:
            raise CheckFailure(Stage.TYPE, f"{what}: layer {mine.index} is {_a(mine.class_name)}, "
                                           f"but the architecture needs {_a(theirs.class_name)} there.")
        if mine.output_shape != theirs.output_shape:
            raise CheckFailure(Stage.SHAPE, f"{what}: {name} outputs shape {mine.output_shape}, "
                                            f"but it should output {theirs.output_shape}.")
        if mine.activation != theirs.activation:
            raise CheckFailure(Stage.VALUES, f"{what}: {name} uses activation {mine.activation}, "
                                             f"but it should use {theirs.activation}.")
        if (mine.trainable_params, mine.non_trainable_params) != (theirs.trainable_params, theirs.non_trainable_params):
            raise CheckFailure(Stage.VALUES, f"{what}: {name} has {mine.trainable_params} trainable and "
                                             f"{mine.non_trainable_params} non-trainable parameters; check its "
                                             "settings (units, kernel size, padding, use_bias, trainable).")
        for (key, mine_value), (_, their_value) in zip(mine.settings, theirs.settings):
            if mine_value != their_value:
                raise CheckFailure(Stage.VALUES, f"{what}: {name} has {key}={mine_value}, "
                                                 f"but the architecture needs {key}={their_value}.")
    if len(got_layers) != len(expected_layers):
        raise CheckFailure(Stage.SHAPE, f"{what} has {len(got_layers)} layers, but the architecture has "
                                        f"{len(expected_layers)}.")
