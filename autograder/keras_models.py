"""Rebuild a student's Keras model in the trusted process, and compare architectures.

A model leaves the sandbox as its serialized config (see ``KerasModelSpec``). Here it is
rebuilt from Keras's own built-in classes only: every serialized object in the config must
come from a ``keras`` module and be unregistered (no custom classes), and no Lambda layer or
Python function may appear. Deserialization then runs in Keras's safe mode. So no line of
the student's code runs in the grader, and a model whose ``evaluate``, ``predict`` or
``count_params`` lie cannot be rebuilt at all: the grader trains and evaluates its own copy.

Models that cannot be rebuilt (subclassed models, custom layers, Lambda layers) fail the
checks that need the model, with a message that says what to change.

The config is the student's to forge (the sandbox's Keras can be patched to send any JSON), so
it is read as hostile: every object in it must resolve to a class of Keras's public API (no
function, no private module), none may read a file, and its size is measured before any weight
is allocated: the model is first built in a stateless scope, where variables get their shapes
but no memory, and refused if its parameters or its work per example are far beyond what any
course model needs (a config asking for billions of weights would otherwise take the grader's
memory, or its time in training).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from autograder.checks import CheckFailure, Stage
from autograder.sandbox.child.protocol import KerasModelSpec

# Built-in layers never need these; they are how a config smuggles in code.
FORBIDDEN_CLASS_NAMES = {"Lambda", "TFOpLambda", "SlicingOpLambda", "TorchModuleWrapper", "JaxLayer", "FlaxLayer",
                         "TFSMLayer", "__lambda__", "__typespec__", "function"}
# The special objects Keras writes into a model's config without a module; any other "__x__" is refused.
ALLOWED_SPECIAL_OBJECTS = {"__keras_tensor__", "__tensor__", "__numpy__", "__bytes__", "__ellipsis__", "__slice__"}
# Where built-in model parts live in a config. A name is looked up in the public module and must
# be a class: Keras would otherwise return any function of any keras.* module for it.
PUBLIC_MODULES = ("keras", "keras.layers", "keras.models", "keras.initializers", "keras.regularizers",
                  "keras.constraints")
MODEL_MODULES = {"keras.src.models.functional": "Functional", "keras.src.models.sequential": "Sequential",
                 "keras.src.models.model": "Model"}
# Layers that read a file named in their config (a vocabulary) on the grader's disk.
FILE_READING_SETTINGS = {"StringLookup": ("vocabulary",), "IntegerLookup": ("vocabulary",),
                         "TextVectorization": ("vocabulary", "idf_weights")}
MAX_CONFIG_BYTES = 4 * 1024 * 1024
# Far beyond the course's models (AlexNet here: 27.7M parameters, 47M multiply-adds and 68K
# activations per example), far below what hurts a grading machine.
MAX_PARAMETERS = 100_000_000
MAX_WORK_PER_EXAMPLE = 2_000_000_000  # weights times the positions each is applied at, summed over layers
MAX_ACTIVATIONS_PER_EXAMPLE = 5_000_000


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


def _resolve_public_class(module: str, class_name: str):
    import importlib
    import inspect

    if module in MODEL_MODULES:
        return MODEL_MODULES[module] == class_name
    namespace = importlib.import_module(module)
    return inspect.isclass(getattr(namespace, class_name, None))


def _check_serialized_objects(node, depth: int = 0) -> None:
    """Walk the config; every serialized object must be a public, unregistered Keras class."""
    if depth > 200:
        raise _refuse("its config is nested too deeply")
    if isinstance(node, list):
        for item in node:
            _check_serialized_objects(item, depth + 1)
        return
    if not isinstance(node, dict):
        return
    if "class_name" in node:
        class_name = node.get("class_name")
        module = node.get("module")
        if not isinstance(class_name, str) or class_name in FORBIDDEN_CLASS_NAMES:
            raise _refuse(f"it contains a {class_name} object")
        if node.get("registered_name") not in (None, class_name):
            raise _refuse(f"it uses the custom class {class_name}")
        if class_name.startswith("__") and module is None:
            if class_name not in ALLOWED_SPECIAL_OBJECTS:
                raise _refuse(f"it contains a {class_name} object")
        elif module is None:
            raise _refuse(f"it uses the custom class {class_name}")
        elif not (isinstance(module, str) and (module == "keras" or module.startswith("keras."))):
            raise _refuse(f"it uses {class_name} from {module}, which is not part of Keras")
        elif module not in PUBLIC_MODULES and module not in MODEL_MODULES:
            raise _refuse(f"it uses {class_name} from {module}, which is not part of Keras's public API")
        elif not _resolve_public_class(module, class_name):
            raise _refuse(f"it uses {module}.{class_name}, which is not a Keras class")
        config = node.get("config")
        if isinstance(config, dict) and any(isinstance(config.get(key), str)
                                            for key in FILE_READING_SETTINGS.get(class_name, ())):
            raise _refuse(f"its {class_name} layer reads a file; give it its vocabulary as a list")
    for value in node.values():
        _check_serialized_objects(value, depth + 1)


def _elements(shape) -> int:
    import math

    return math.prod(int(n) if n is not None else 1 for n in tuple(shape)[1:])


def _positions(shape) -> int:
    """How many times a layer's weights are applied per example along this tensor: its
    dimensions between the batch and the features (image positions, time steps)."""
    import math

    return math.prod(int(n) if n is not None else 1 for n in tuple(shape)[1:-1])


def _work_of(model, keras) -> tuple[int, int]:
    """(multiply-adds, activations) per example, over every call of every layer in the graph
    (a layer called twice counts twice; a nested model is walked too). A layer's weights are
    counted at every position of its largest input or output: an image layer's pixels, a
    recurrent layer's time steps."""
    graph = model._functional if isinstance(model, keras.Sequential) else model
    nodes_by_depth = getattr(graph, "_nodes_by_depth", None)
    if nodes_by_depth is None:
        raise _refuse("its layers are not connected as a Sequential or functional model")
    work = activations = 0
    for nodes in nodes_by_depth.values():
        for node in nodes:
            operation = node.operation
            if isinstance(operation, keras.Model):
                inner_work, inner_activations = _work_of(operation, keras)
                work, activations = work + inner_work, activations + inner_activations
                continue
            tensors = [*node.input_tensors, *node.output_tensors]
            weights = sum(_elements((None, *w.shape)) for w in getattr(operation, "weights", []))
            work += weights * max([_positions(t.shape) for t in tensors] or [1])
            activations += sum(_elements(t.shape) for t in node.output_tensors)
    return work, activations


def _size_of(config: dict) -> tuple[int, int, int]:
    """(parameters, multiply-adds per example, activations per example) of the model a config
    describes, built without allocating any weight: in a stateless scope, variables get their
    shapes but no memory."""
    import keras
    from keras.src.backend.common import global_state
    from keras.src.backend.common.stateless_scope import StatelessScope

    registry = "uninitialized_variables"
    pending = list(global_state.get_global_attribute(registry, [], set_to_default=True))
    try:
        with keras.saving.custom_object_scope({}), StatelessScope(initialize_variables=False):
            model = keras.saving.deserialize_keras_object(config, safe_mode=True)
            if not isinstance(model, keras.Model):
                raise _refuse("its config does not describe a model")
            parameters = sum(_elements((None, *w.shape)) for w in model.weights)
            work, activations = _work_of(model, keras) if model.built else (0, 0)
        return parameters, work, activations
    finally:
        # Forget the shape-only variables: nothing may ever initialize (allocate) them.
        global_state.set_global_attribute(registry, pending)


def _check_size(config: dict) -> None:
    import copy

    try:
        # Keras consumes the config it deserializes: measure a copy.
        parameters, work, activations = _size_of(copy.deepcopy(config))
    except CheckFailure:
        raise
    except Exception as error:  # noqa: BLE001 - any failure to build is the submission's
        raise _refuse(f"Keras could not rebuild it ({type(error).__name__}: {str(error)[:200]})") from None
    for amount, limit, what in ((parameters, MAX_PARAMETERS, "parameters"),
                                (work, MAX_WORK_PER_EXAMPLE, "multiply-adds per example"),
                                (activations, MAX_ACTIVATIONS_PER_EXAMPLE, "activations per example")):
        if amount > limit:
            raise _refuse(f"it has {amount:,} {what}, more than the grader trains ({limit:,})")


def rebuild(spec) -> "keras.Model":  # noqa: F821 - keras is imported lazily
    """The student's model, rebuilt from its config with fresh weights; raises CheckFailure."""
    if not isinstance(spec, KerasModelSpec):
        type_name = getattr(spec, "_autograder_type_name", type(spec).__name__)
        raise CheckFailure(Stage.TYPE, f"the function should return a keras.Model, but it returned a {type_name}.")
    if len(spec.config_json) > MAX_CONFIG_BYTES:
        raise _refuse("its config is unreasonably large")
    try:
        config = json.loads(spec.config_json)
    except (ValueError, RecursionError):
        raise _refuse("its config is not valid JSON") from None
    if not isinstance(config, dict):
        raise _refuse("its config does not describe a model")
    # The grader compiles with its own recipe: a compiled model's optimizer, loss and metrics
    # are dropped rather than rebuilt.
    config.pop("compile_config", None)
    _check_serialized_objects(config)
    if config.get("class_name") not in ("Sequential", "Functional", "Model"):
        raise _refuse(f"it is a {config.get('class_name')}, not a Sequential or functional model")
    _check_size(config)

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
