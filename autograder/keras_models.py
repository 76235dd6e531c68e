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

That measure counts what layers compute without weights too (an attention layer's score matrix is
positions squared per head; a pooling window's reads), and the grader trains only layers whose
cost it models: any other built-in layer is refused by name, since no assignment's architecture
uses it. When the grader is about to train, the model is measured at the shape of the data it will
be fed (a declared ``keras.Input((2, 2, 1))`` does not stop a Sequential from running on 28x28
images), and ``ModelCost`` turns the measure into the memory of a training step and the largest
evaluation batch that fits (``training.py`` enforces both, and a time budget).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from autograder.checks import MAX_TYPE_NAME_BYTES, CheckFailure, Stage, without_ansi
from autograder.engine.calls import MAX_STUDENT_MESSAGE_BYTES, student_text
from autograder.i18n import N_, _, _f
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
# The bytes of a model's weights, at each variable's own dtype: the rebuild for the architecture
# checks allocates them before any training-time check (AlexNet: 111 MB in float32).
MAX_WEIGHT_BYTES = 512 * 1024 * 1024
# Bytes per value of the dtypes a model's variables may have, and those its layers may compute in
# or pass between them (a Hashing layer's int64, a lookup's integers). Any other (complex128 is 16
# bytes, strings have no size) is refused by name.
FLOAT_BYTES = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8}
VALUE_BYTES = {**FLOAT_BYTES, "bool": 1, "int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4,
               "int64": 8, "uint64": 8}
MAX_WORK_PER_EXAMPLE = 2_000_000_000  # weights times the positions each is applied at, summed over layers
MAX_ACTIVATIONS_PER_EXAMPLE = 5_000_000
# Far beyond the course's models too (AlexNet: 22 layers); building and tracing a graph costs time
# per layer, whatever the layer computes.
MAX_LAYERS = 500
# What the grader's training or evaluation of one submitted model may hold: weights, gradients and
# optimizer slots, and a batch's activations. With TensorFlow and the data (about 0.8 GB), it keeps a
# grading process under 2 GB. AlexNet needs 0.6 GB of it, LeNet and the MLP a few MB.
MAX_MODEL_BYTES = 1024 * 1024 * 1024
# Copies of every weight while training: the trained model's, its gradients, Adam's two slots, and
# the rebuilt model that the architecture checks keep.
PARAMETER_COPIES = 5
# Copies of a batch's activations while training: the forward values kept for the backward pass,
# their gradients, and the temporaries between them (measured: tests/test_trusted_budget.py).
ACTIVATION_COPIES = 3
# Multiply-adds per evaluation batch: a long forward pass is cut into batches between which the
# grader looks at its clock (AlexNet: 47 G per 1000 images; 2 to 5 s on 2 cores).
MAX_EVALUATION_WORK = 50_000_000_000
# Unrolled, a recurrent layer's graph has one copy of its step per time step.
MAX_UNROLLED_STEPS = 100

# The layers the grader trains: those whose cost the size check measures. For most, their weights
# applied at every position and their outputs are the whole cost; the others are measured below
# (_hidden_cost). Any other Keras layer is refused: none of the assignments' architectures uses one.
PLAIN_LAYERS = {
    "InputLayer", "Dense", "EinsumDense", "Embedding", "Identity", "Masking",
    "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
    "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
    "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax",
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout", "GaussianNoise",
    "AlphaDropout", "ActivityRegularization",
    "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization", "RMSNormalization",
    "Normalization", "Rescaling", "Resizing", "CenterCrop", "Discretization", "CategoryEncoding", "Hashing",
    "IntegerLookup",
    "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness",
    "RandomCrop",
    "Flatten", "Reshape", "Permute", "RepeatVector", "Cropping1D", "Cropping2D", "Cropping3D",
    "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "UpSampling1D", "UpSampling2D", "UpSampling3D",
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
}
POOLING_LAYERS = {"MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
                  "AveragePooling3D"}
ATTENTION_LAYERS = {"Attention", "AdditiveAttention", "MultiHeadAttention", "GroupQueryAttention"}
RECURRENT_LAYERS = {"SimpleRNN", "LSTM", "GRU", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "Bidirectional"}
RECURRENT_CELLS = {"SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"}
MODELED_LAYERS = PLAIN_LAYERS | POOLING_LAYERS | ATTENTION_LAYERS | RECURRENT_LAYERS | {"Dot", "TimeDistributed"}


# Settings that change neither output shapes nor parameter counts, but change learning (or what a
# layer computes at test time): those the handouts' tables state, and those they leave at Keras's
# defaults (a BatchNormalization() with PyTorch's momentum=0.1 and epsilon=1e-5 is not the table's).
# Initializers are not compared: the learning test sees those that matter.
COMPARED_SETTINGS = (
    "rate", "noise_shape",  # Dropout
    "kernel_regularizer", "bias_regularizer", "activity_regularizer", "trainable", "use_bias",
    "strides", "pool_size", "padding", "dilation_rate", "data_format",  # convolutions and pooling
    "momentum", "epsilon", "center", "scale", "axis",  # BatchNormalization
    "recurrent_activation", "dropout", "recurrent_dropout", "go_backwards", "return_sequences",
    "return_state", "reset_after",  # recurrent layers
    "mask_zero",  # Embedding: mask_zero=True masks letter id 0
)


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


def _name(text) -> str:
    """A config-chosen name (a class, a module, a layer's name) as a message may quote it: capped,
    cleaned and with its numbers masked (engine.calls.student_text), whatever its type."""
    return student_text(str(text) if isinstance(text, str) else repr(text)[:2 * MAX_TYPE_NAME_BYTES],
                        MAX_TYPE_NAME_BYTES)


def _error_text(error: BaseException) -> str:
    """Why Keras failed on a config, as a message may quote it: Keras's text can quote the config."""
    return f"{_name(type(error).__name__)}: {student_text(without_ansi(error), MAX_STUDENT_MESSAGE_BYTES)}"


# How the sandbox names a model whose config Keras could not save (sandbox/child/protocol.py).
UNSAVABLE_MARK = " (its config cannot be saved"
HOW_TO_BUILD = N_("Write the same layers with keras.Sequential([keras.Input(shape=...), layer, layer, ...]) or "
                   "with the functional API (inputs = keras.Input(shape=...); x = layer(x) for each layer; "
                   "keras.Model(inputs, outputs)).")


def not_a_model(value, *, what: str | None = None) -> CheckFailure:
    """Why ``value`` (a submission's return value that is not a rebuildable model) cannot be graded;
    ``what`` names the function in the message ("the function" by default).

    A keras.Model whose config Keras cannot save crosses the sandbox as a foreign object named
    "module.Class (its config cannot be saved: ...)": typically a subclass of keras.Model whose
    constructor takes an argument. The message says why the grader cannot use it and what to write."""
    what = _("the function") if what is None else what
    type_name = str(getattr(value, "_autograder_type_name", type(value).__name__))
    if UNSAVABLE_MARK in type_name:
        qualified = type_name.split(UNSAVABLE_MARK, 1)[0]
        module, _dot, class_name = qualified.rpartition(".")
        if module == "keras" or module.startswith("keras."):
            return CheckFailure(Stage.TYPE, _f("{what} returned a {name} with a custom layer whose config Keras cannot "
                                               "save (a layer's config is rebuilt from its class, and the grader has "
                                               "only Keras's built-in classes), so the grader cannot rebuild it. "
                                               "{how_to_build}",
                                               what=what, name=_name(class_name), how_to_build=_(HOW_TO_BUILD)))
        return subclass_failure(class_name, what=what)
    return CheckFailure(Stage.TYPE, _f("{what} should return a keras.Model, but it returned a {name}.",
                                       what=what, name=_name(type_name)))


def subclass_failure(class_name: str, *, what: str | None = None) -> CheckFailure:
    """Why a subclass of keras.Model cannot be graded, and what to write instead; ``what`` names
    the function in the message ("the function" by default)."""
    what = _("the function") if what is None else what
    return CheckFailure(Stage.TYPE, _f("{what} returned a {name}, a subclass of keras.Model. The grader rebuilds your "
                                       "model from its config in another process, from Keras's built-in classes "
                                       "only, and a subclass's config cannot be rebuilt without its code (Keras "
                                       "cannot even save it when its constructor takes an argument), so the grader "
                                       "cannot rebuild it. {how_to_build}",
                                       what=what, name=_name(class_name), how_to_build=_(HOW_TO_BUILD)))


def keras_error_text(error: BaseException) -> str:
    """Keras's own error, as feedback may quote it: ANSI codes removed, capped and masked."""
    return _error_text(error)


def _refuse(reason: str) -> CheckFailure:
    return CheckFailure(
        Stage.TYPE,
        # TRANSLATORS: {reason} is one of the clauses "its config is not valid JSON", "it has more than ...".
        _f("your model cannot be rebuilt by the grader: {reason}. Build it from Keras's built-in layers with "
           "keras.Sequential or the functional API (no Lambda layers, custom layers or subclasses).", reason=reason),
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
        raise _refuse(_("its config is nested too deeply"))
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
            raise _refuse(_f("it contains a {name} object", name=_name(class_name)))
        if node.get("registered_name") not in (None, class_name):
            raise _refuse(_f("it uses the custom class {name}", name=_name(class_name)))
        if class_name.startswith("__") and module is None:
            if class_name not in ALLOWED_SPECIAL_OBJECTS:
                raise _refuse(_f("it contains a {name} object", name=_name(class_name)))
        elif module is None:
            raise _refuse(_f("it uses the custom class {name}", name=_name(class_name)))
        elif not (isinstance(module, str) and (module == "keras" or module.startswith("keras."))):
            raise _refuse(_f("it uses {name} from {module}, which is not part of Keras",
                             name=_name(class_name), module=_name(module)))
        elif module not in PUBLIC_MODULES and module not in MODEL_MODULES:
            raise _refuse(_f("it uses {name} from {module}, which is not part of Keras's public API",
                             name=_name(class_name), module=_name(module)))
        elif not _resolve_public_class(module, class_name):
            raise _refuse(_f("it uses {module}.{name}, which is not a Keras class",
                             module=_name(module), name=_name(class_name)))
        config = node.get("config")
        if isinstance(config, dict) and any(isinstance(config.get(key), str)
                                            for key in FILE_READING_SETTINGS.get(class_name, ())):
            raise _refuse(_f("its {name} layer reads a file; give it its vocabulary as a list", name=_name(class_name)))
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


@dataclass(frozen=True)
class ModelCost:
    """What one example costs the grader to train a model on, measured without building it."""

    parameters: int
    work: int  # multiply-adds per example
    activations: int  # values per example: every layer's outputs, attention scores, recurrent states
    value_bytes: int = 4  # float32; 8 where a layer computes or stores in float64
    weight_bytes: int = 0  # the weights at their variables' own dtypes: what a rebuild allocates

    def training_bytes(self, batch_size: int) -> int:
        activations = ACTIVATION_COPIES * self.activations * batch_size
        return self.value_bytes * (PARAMETER_COPIES * self.parameters + activations)

    def evaluation_batch(self, largest: int) -> int:
        """The largest batch up to ``largest`` whose activations fit beside the weights and whose
        forward pass stays short enough for the grader to keep an eye on its time."""
        room = MAX_MODEL_BYTES // self.value_bytes - PARAMETER_COPIES * self.parameters
        by_memory = room // max(1, self.activations)
        by_work = MAX_EVALUATION_WORK // max(1, self.work)
        return int(max(1, min(largest, by_memory, by_work)))

    def check_trainable(self, batch_size: int, *, what: str | None = None) -> None:
        """Refuse a model whose training step on ``batch_size`` examples would not fit MAX_MODEL_BYTES;
        ``what`` names it in the message ("model" by default)."""
        what = _("model") if what is None else what
        needed = self.training_bytes(batch_size)
        if needed > MAX_MODEL_BYTES:
            raise CheckFailure(
                Stage.VALUES,
                _f("{what} would need about {needed} GB to train on batches of {batch_size} ({parameters} "
                   "parameters, {activations} values per example in its layers' outputs, attention scores and "
                   "recurrent states); the grader trains models up to {limit} GB. The architecture needs far less: "
                   "check the sizes of its layers.",
                   what=what, needed=format(needed / 2**30, ".1f"), batch_size=batch_size,
                   parameters=format(self.parameters, ","), activations=format(self.activations, ","),
                   limit=format(MAX_MODEL_BYTES / 2**30, ".0f")),
            )


def _not_modeled(class_name: str) -> CheckFailure:
    class_name = _name(class_name)
    return CheckFailure(
        Stage.TYPE,
        # TRANSLATORS: {layer} is a layer class with its article: "an Attention", "a Lambda".
        _f("the grader does not train models with {layer} layer: the assignment's architecture does not use it, and "
           "its cost is not one the grader bounds before training. Remove it (or replace it with a layer the "
           "architecture uses).", layer=_a(class_name)),
    )


def _check_modeled(layer) -> None:
    """The layer, and any layer or cell it wraps, is one whose cost _hidden_cost measures."""
    name = type(layer).__name__
    if name not in MODELED_LAYERS:
        raise _not_modeled(name)
    inner = [getattr(layer, attribute, None) for attribute in ("layer", "forward_layer", "backward_layer")]
    cell = getattr(layer, "cell", None)
    cells = [*getattr(cell, "cells", ()), cell] if cell is not None else []
    for wrapped in (w for w in inner if w is not None):
        if name == "Bidirectional" and type(wrapped).__name__ not in RECURRENT_LAYERS - {"Bidirectional"}:
            raise _not_modeled(type(wrapped).__name__)
        _check_modeled(wrapped)
    for each in cells:
        if type(each).__name__ not in RECURRENT_CELLS:
            raise _not_modeled(type(each).__name__)


def _dilated_cost(layer, input_shapes: list, output_shapes: list, *, time_axis: bool = False) -> tuple[int, int]:
    """(multiply-adds, activations) per example of a dilated convolution beyond its weights and outputs.

    TensorFlow runs one through space_to_batch: each input is padded to a multiple of the dilation
    d (with "same" padding, by (k-1)*d more) per spatial axis, and the kernel runs on a batch d**rank
    times larger, on a grid of ceil(n/d)*d positions per axis; the result is gathered back and
    cropped. Counted here for every backend and padding as the larger, "same", case: the padded
    input, the grid's output and its gathered copy, and the weights applied at every grid position.
    A dilation whose span (k-1)*d+1 exceeds its input on an axis reads only padding there, and
    grows the grid without bound: it is refused (a transposed convolution, which grows its input,
    excepted)."""
    import math

    dilation = tuple(int(d) for d in (getattr(layer, "dilation_rate", None) or ()))
    if not input_shapes or all(d == 1 for d in dilation):
        return 0, 0
    name = type(layer).__name__
    lead = 2 if time_axis else 1
    first = lambda shapes: tuple(shapes[0]) if shapes else ()  # noqa: E731
    shape_in, shape_out = first(input_shapes), first(output_shapes)
    if getattr(layer, "data_format", "channels_last") == "channels_first":
        channels, spatial_in, spatial_out = shape_in[lead], shape_in[lead + 1:], shape_out[lead + 1:]
    else:
        channels, spatial_in, spatial_out = shape_in[-1], shape_in[lead:-1], shape_out[lead:-1]
    channels = int(channels or 1)
    kernel = tuple(int(k) for k in (getattr(layer, "kernel_size", None) or (1,) * len(dilation)))
    padded = grid = 1
    for axis, (d, k) in enumerate(zip(dilation, kernel)):
        n_in = spatial_in[axis] if axis < len(spatial_in) else None
        n_out = spatial_out[axis] if axis < len(spatial_out) else None
        span = (k - 1) * d + 1
        if n_in is not None and span > int(n_in) and "Transpose" not in name:
            raise CheckFailure(Stage.SHAPE, _f("your model's {name} layer has dilation_rate={dilation} with kernel "
                                               "size {kernel}: it spans {span} positions, more than its input's "
                                               "{size} on that axis, so it reads only padding there. Use a dilation "
                                               "whose span fits its input.",
                                               name=_name(name), dilation=d, kernel=k, span=format(span, ","),
                                               size=int(n_in)))
        n = max(int(n_in or 1), int(n_out or 1))
        padded *= math.ceil((n + (k - 1) * d) / d) * d
        grid *= math.ceil(n / d) * d
    if name.startswith(("Depthwise", "Separable")):
        grid_channels = channels * int(getattr(layer, "depth_multiplier", 1) or 1)
    else:
        grid_channels = int(getattr(layer, "filters", None) or channels) * (4 if name.startswith("ConvLSTM") else 1)
    weights = sum(_elements((None, *w.shape)) for w in layer.weights)
    return weights * grid, padded * channels + 2 * grid * grid_channels


def _hidden_cost(layer, input_shapes: list, output_shapes: list, *, training: bool = False) -> tuple[int, int]:
    """(multiply-adds, activations) per example that a layer computes beyond its weights applied at
    every position and its outputs: what makes a weightless layer expensive. Upper bounds.
    ``training``: the grader is about to trace and train it (see _work_of's ``concrete``)."""
    name = type(layer).__name__
    positions = max([_positions(s) for s in input_shapes] or [1])
    if name in ATTENTION_LAYERS:
        # Scores: heads x query positions x key positions (bounded by the longest input squared, which
        # also covers attention over several axes), then their softmax and dropout mask.
        config = layer.get_config()
        heads = int(config.get("num_heads") or config.get("num_query_heads") or 1)
        depth = max([int(s[-1] or 1) for s in input_shapes] or [1])
        key_dim = int(config.get("key_dim") or config.get("head_dim") or depth)
        value_dim = int(config.get("value_dim") or key_dim)
        scores = heads * positions * positions
        work, activations = scores * (key_dim + value_dim), 3 * scores
        if name == "AdditiveAttention" or config.get("score_mode") == "concat":
            work, activations = work + scores * depth, activations + scores * depth  # a (Tq, Tv, dim) tensor
        return work, activations
    if hasattr(layer, "dilation_rate") and name not in RECURRENT_LAYERS:
        work, activations = _dilated_cost(layer, input_shapes, output_shapes)
        if name.startswith("Separable"):
            # Its depthwise step's output, kept for the pointwise step's backward pass.
            activations += _elements(input_shapes[0]) * int(layer.depth_multiplier or 1)
        return work, activations
    if name in POOLING_LAYERS:
        import math

        window = math.prod(getattr(layer, "pool_size", None) or (1,))
        return sum(_elements(s) for s in output_shapes) * window, 0
    if name == "Dot":
        depth = max([int(n or 1) for s in input_shapes for n in tuple(s)[1:]] or [1])
        return sum(_elements(s) for s in output_shapes) * depth, 0
    if name in RECURRENT_LAYERS:
        # Each step's gates and states are kept for the backward pass: per time step (and position),
        # the output width of every kernel.
        steps = max([int(s[1] or 1) for s in input_shapes if len(tuple(s)) > 2] or [1])
        parts = (layer, getattr(layer, "forward_layer", None), getattr(layer, "backward_layer", None))
        if training and any(getattr(part, "unroll", False) for part in parts) and steps > MAX_UNROLLED_STEPS:
            raise CheckFailure(Stage.VALUES, _f("the grader does not train a recurrent layer unrolled over {steps} "
                                                "time steps (at most {limit}): use unroll=False.",
                                                steps=steps, limit=MAX_UNROLLED_STEPS))
        widths = sum(int(w.shape[-1]) for w in layer.weights if len(w.shape) >= 2)
        work = activations = 0
        for part in parts:  # a ConvLSTM's dilated convolutions, at every time step
            if part is not None and hasattr(part, "dilation_rate"):
                part_work, part_activations = _dilated_cost(part, input_shapes, output_shapes, time_axis=True)
                work, activations = work + steps * part_work, activations + steps * part_activations
        return work, activations + positions * widths
    if name == "TimeDistributed":
        steps = max([int(s[1] or 1) for s in input_shapes if len(tuple(s)) > 1] or [1])
        inner_in = [(s[0], *tuple(s)[2:]) for s in input_shapes]
        inner_out = [(s[0], *tuple(s)[2:]) for s in output_shapes]
        work, activations = _hidden_cost(layer.layer, inner_in, inner_out, training=training)
        return steps * work, steps * activations
    return 0, 0


def _dtype_bytes(dtype, where: str, *, allowed: dict = VALUE_BYTES) -> int:
    """Bytes per value of ``dtype``; refuses a dtype the grader does not train (complex, string, float8)."""
    name = str(getattr(dtype, "name", dtype))
    if name not in allowed:
        if allowed is FLOAT_BYTES:
            message = _f("your model's {where} uses dtype {dtype}; the grader trains models with weights in {dtypes} "
                         "only (Keras's default, float32, is what the assignments use).",
                         where=where, dtype=_name(name), dtypes=", ".join(FLOAT_BYTES))
        else:
            message = _f("your model's {where} uses dtype {dtype}; the grader trains models with values in integers "
                         "or {dtypes} only (Keras's default, float32, is what the assignments use).",
                         where=where, dtype=_name(name), dtypes=", ".join(FLOAT_BYTES))
        raise CheckFailure(Stage.TYPE, message)
    return allowed[name]


def _value_bytes(layer) -> int:
    """The largest bytes per value a layer computes in or stores its weights in (at least float32's)."""
    where = _f("{name} layer", name=_name(type(layer).__name__))
    policy = getattr(layer, "dtype_policy", None)
    variable_dtype = getattr(policy, "variable_dtype", None) or getattr(layer, "variable_dtype", None) or "float32"
    compute_dtype = getattr(policy, "compute_dtype", None) or getattr(layer, "compute_dtype", None) or "float32"
    return max(4, _dtype_bytes(compute_dtype, where), _dtype_bytes(variable_dtype, where, allowed=FLOAT_BYTES))


def _weight_bytes(model) -> int:
    """The bytes of a (stateless) model's weights, each at its variable's own dtype; refuses a
    variable or layer dtype the grader does not train."""
    for layer in model._flatten_layers(include_self=True, recursive=True):
        _value_bytes(layer)
    return sum(_elements((None, *w.shape))
               * _dtype_bytes(w.dtype, _f("weight {name}", name=_name(getattr(w, "path", w.name))), allowed=FLOAT_BYTES)
               for w in model.weights)


def _unknown_dimension(shapes) -> bool:
    return any(n is None for shape in shapes for n in tuple(shape)[1:])


def _work_of(model, keras, *, concrete: bool = False) -> tuple[int, int, int]:
    """(multiply-adds, activations, bytes per value) per example, over every call of every layer in
    the graph (a layer called twice counts twice; a nested model is walked too). A layer's weights
    are counted at every position of its largest input or output: an image layer's pixels, a
    recurrent layer's time steps; what it computes without weights is added by _hidden_cost.

    ``concrete``: the model was built at the shape of the data it is about to be trained on, so every
    dimension must be known (a dimension left unknown could be anything at run time), and every layer
    must be one whose cost is measured (MODELED_LAYERS). The checks that only look at a model (its
    architecture, its parameter counts) rebuild it without training it, and keep what they earn."""
    graph = model._functional if isinstance(model, keras.Sequential) else model
    nodes_by_depth = getattr(graph, "_nodes_by_depth", None)
    if nodes_by_depth is None:
        raise _refuse(_("its layers are not connected as a Sequential or functional model"))
    work = activations = 0
    value_bytes = 4
    for nodes in nodes_by_depth.values():
        for node in nodes:
            operation = node.operation
            inputs = [t.shape for t in node.input_tensors]
            outputs = [t.shape for t in node.output_tensors]
            if concrete and _unknown_dimension([*inputs, *outputs]):
                raise CheckFailure(Stage.SHAPE, _f("your model's {name} layer has an output of unknown size at the "
                                                   "grader's input shape; give every dimension a size (start with "
                                                   "keras.Input(shape=...) of the data's shape).",
                                                   name=_name(type(operation).__name__)))
            if isinstance(operation, keras.Model):
                declared = [t.shape for t in operation.inputs]
                if concrete and [tuple(s)[1:] for s in declared] != [tuple(s)[1:] for s in inputs]:
                    raise CheckFailure(Stage.SHAPE, _f("your model's inner model {name} takes inputs of shape "
                                                       "{declared} but is called on {inputs}.",
                                                       name=_name(operation.name), declared=_name(declared),
                                                       inputs=_name(inputs)))
                inner_work, inner_activations, inner_bytes = _work_of(operation, keras, concrete=concrete)
                work, activations = work + inner_work, activations + inner_activations
                value_bytes = max(value_bytes, inner_bytes)
                continue
            if concrete:
                _check_modeled(operation)
            for tensor in node.output_tensors:
                value_bytes = max(value_bytes, _dtype_bytes(tensor.dtype,
                                                            _f("{name} layer", name=_name(type(operation).__name__))))
            weights = sum(_elements((None, *w.shape)) for w in getattr(operation, "weights", []))
            work += weights * max([_positions(s) for s in [*inputs, *outputs]] or [1])
            activations += sum(_elements(s) for s in outputs)
            hidden_work, hidden_activations = _hidden_cost(operation, inputs, outputs, training=concrete)
            work, activations = work + hidden_work, activations + hidden_activations
            value_bytes = max(value_bytes, _value_bytes(operation))
    return work, activations, value_bytes


def _with_input_shape(config: dict, input_shape: tuple) -> dict:
    """The config with its inputs declared at the shape of the data the grader feeds.

    A Sequential runs its layers on whatever it is given, whatever its ``keras.Input`` declared, so
    the cost is measured at the data's shape. A declared shape of the same rank, or one more or
    one less trailing 1 (Keras adjusts those), takes the data's sizes; another rank is refused:
    such a model cannot take the data anyway."""
    model_config = config.get("config")
    if not isinstance(model_config, dict):
        return config
    data = tuple(int(n) for n in input_shape)

    def fitted(shape):
        if not isinstance(shape, (list, tuple)) or not shape:
            return shape
        declared = tuple(shape)[1:]
        if len(declared) == len(data):
            return [None, *data]
        if len(declared) == len(data) + 1 and declared[-1] in (1, None):
            return [None, *data, 1]
        if len(declared) + 1 == len(data) and data[-1] == 1:
            return [None, *data[:-1]]
        raise CheckFailure(Stage.SHAPE, _f("your model's input has shape {declared}, but the grader trains it on "
                                           "examples of shape {data}.", declared=_name(tuple(declared)), data=data))

    if "build_input_shape" in model_config:
        model_config["build_input_shape"] = fitted(model_config["build_input_shape"])
    for layer in model_config.get("layers") or []:
        if not (isinstance(layer, dict) and isinstance(layer.get("config"), dict)):
            continue
        if layer.get("class_name") == "InputLayer":
            for key in ("batch_shape", "batch_input_shape"):
                if key in layer["config"]:
                    layer["config"][key] = fitted(layer["config"][key])
    return config


def _count_layers(node) -> int:
    if isinstance(node, list):
        return sum(_count_layers(item) for item in node)
    if not isinstance(node, dict):
        return 0
    own = 1 if node.get("module") == "keras.layers" else 0
    return own + sum(_count_layers(value) for value in node.values())


def _size_of(config: dict, *, concrete: bool = False, weights_only: bool = False) -> ModelCost:
    """The cost of the model a config describes, built without allocating any weight: in a
    stateless scope, variables get their shapes but no memory. ``weights_only``: measure its
    parameters and their bytes, not its work (work and activations are then 0)."""
    import keras
    from keras.src.backend.common import global_state
    from keras.src.backend.common.stateless_scope import StatelessScope

    registry = "uninitialized_variables"
    pending = list(global_state.get_global_attribute(registry, [], set_to_default=True))
    try:
        with keras.saving.custom_object_scope({}), StatelessScope(initialize_variables=False):
            model = keras.saving.deserialize_keras_object(config, safe_mode=True)
            if not isinstance(model, keras.Model):
                raise _refuse(_("its config does not describe a model"))
            parameters = sum(_elements((None, *w.shape)) for w in model.weights)
            weight_bytes = _weight_bytes(model)
            measured = model.built and not weights_only
            work, activations, value_bytes = _work_of(model, keras, concrete=concrete) if measured else (0, 0, 4)
        return ModelCost(parameters, work, activations, value_bytes, weight_bytes)
    finally:
        # Forget the shape-only variables: nothing may ever initialize (allocate) them.
        global_state.set_global_attribute(registry, pending)


def _measure(config: dict, input_shape: tuple | None, *, weights_only: bool = False) -> ModelCost:
    import copy

    # Keras consumes the config it deserializes: measure a copy.
    measured = copy.deepcopy(config)
    if input_shape is not None:
        measured = _with_input_shape(measured, input_shape)
    try:
        cost = _size_of(measured, concrete=input_shape is not None, weights_only=weights_only)
    except CheckFailure:
        raise
    except Exception as error:  # noqa: BLE001 - any failure to build is the submission's
        raise _refuse(_f("Keras could not rebuild it ({error})", error=_error_text(error))) from None
    if cost.weight_bytes > MAX_WEIGHT_BYTES:
        raise _refuse(_f("its {parameters} weights would take {size} MB, more than the grader rebuilds ({limit} MB)",
                         parameters=format(cost.parameters, ","), size=format(cost.weight_bytes / 2**20, ",.0f"),
                         limit=format(MAX_WEIGHT_BYTES / 2**20, ",.0f")))
    return cost


def _check_size(config: dict, input_shape: tuple | None = None) -> ModelCost:
    if _count_layers(config) > MAX_LAYERS:
        raise _refuse(_f("it has more than {limit} layers", limit=MAX_LAYERS))
    # The rebuild allocates the weights at the declared shape: they are measured there in any case,
    # and the cost of training at the data's shape (see _with_input_shape) too where it is given.
    cost = _measure(config, None, weights_only=input_shape is not None)
    if input_shape is not None:
        declared, cost = cost, _measure(config, input_shape)
        cost = ModelCost(max(cost.parameters, declared.parameters), cost.work, cost.activations, cost.value_bytes,
                         max(cost.weight_bytes, declared.weight_bytes))
    for amount, limit, message in (
            (cost.parameters, MAX_PARAMETERS, N_("it has {amount} parameters, more than the grader trains ({limit})")),
            (cost.work, MAX_WORK_PER_EXAMPLE,
             N_("it has {amount} multiply-adds per example, more than the grader trains ({limit})")),
            (cost.activations, MAX_ACTIVATIONS_PER_EXAMPLE,
             N_("it has {amount} activations per example, more than the grader trains ({limit})"))):
        if amount > limit:
            raise _refuse(_f(message, amount=format(amount, ","), limit=format(limit, ",")))
    return cost


def rebuild_with_cost(spec, *, input_shape: tuple | None = None) -> "tuple[keras.Model, ModelCost]":  # noqa: F821
    """The student's model, rebuilt from its config with fresh weights, and its cost; raises
    CheckFailure. ``input_shape``: the shape of one example of the data the grader is about to
    train it on; the cost is then measured at that shape (see _with_input_shape)."""
    if not isinstance(spec, KerasModelSpec):
        raise not_a_model(spec)
    if len(spec.config_json) > MAX_CONFIG_BYTES:
        raise _refuse(_("its config is unreasonably large"))
    try:
        config = json.loads(spec.config_json)
    except (ValueError, RecursionError):
        raise _refuse(_("its config is not valid JSON")) from None
    if not isinstance(config, dict):
        raise _refuse(_("its config does not describe a model"))
    # The grader compiles with its own recipe: a compiled model's optimizer, loss and metrics
    # are dropped rather than rebuilt.
    config.pop("compile_config", None)
    module = config.get("module")
    if config.get("class_name") not in ("Sequential", "Functional", "Model") and not (
            isinstance(module, str) and (module == "keras" or module.startswith("keras."))):
        # A subclass of keras.Model (saved with its code's name): say so plainly, before the walk
        # below would name it as just another custom class.
        raise subclass_failure(config.get("class_name"))
    _check_serialized_objects(config)
    if config.get("class_name") not in ("Sequential", "Functional", "Model"):
        raise _refuse(_f("it is a {name}, not a Sequential or functional model", name=_name(config.get("class_name"))))
    cost = _check_size(config, input_shape)

    import keras

    try:
        with keras.saving.custom_object_scope({}):
            model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as error:  # noqa: BLE001 - any failure to rebuild is the submission's
        raise _refuse(_f("Keras could not rebuild it ({error})", error=_error_text(error))) from None
    if not isinstance(model, keras.Model):
        raise _refuse(_("its config does not describe a model"))
    if not model.built:
        raise CheckFailure(Stage.SHAPE, _("your model has no input shape: start it with keras.Input(shape=...)."))
    return model, cost


def rebuild(spec) -> "keras.Model":  # noqa: F821 - keras is imported lazily
    """The student's model, rebuilt from its config with fresh weights; raises CheckFailure."""
    return rebuild_with_cost(spec)[0]


def count_parameters(weights) -> int:
    """From the weights' shapes: no copy of their values."""
    import math

    return int(sum(math.prod(int(n) for n in w.shape) for w in weights))


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
    """``noun`` with its English article ("an Attention", "a Dense"), as a message quotes a class."""
    # TRANSLATORS: a class name with its article ("an Attention"); languages without articles keep {noun} alone.
    return _f("an {noun}", noun=noun) if noun[:1].lower() in "aeiou" else _f("a {noun}", noun=noun)


def expect_same_architecture(got, expected, *, what: str | None = None) -> None:
    """Compare layer by layer; the message names the first layer that differs and how. ``what``
    names the model ("model" by default)."""
    what = _("model") if what is None else what
    got_layers, expected_layers = layer_summaries(got), layer_summaries(expected)
    for mine, theirs in zip(got_layers, expected_layers):
        name = _f("layer {index} ({name})", index=mine.index, name=mine.class_name)
        if mine.class_name != theirs.class_name:
            # TRANSLATORS: {got} and {expected} are layer classes with their articles ("a Dense", "an Embedding").
            raise CheckFailure(Stage.TYPE, _f("{what}: layer {index} is {got}, but the architecture needs {expected} "
                                              "there.", what=what, index=mine.index, got=_a(mine.class_name),
                                              expected=_a(theirs.class_name)))
        if mine.output_shape != theirs.output_shape:
            # TRANSLATORS: {layer} is "layer 3 (Dense)".
            raise CheckFailure(Stage.SHAPE, _f("{what}: {layer} outputs shape {got}, but it should output {expected}.",
                                               what=what, layer=name, got=mine.output_shape,
                                               expected=theirs.output_shape))
        if mine.activation != theirs.activation:
            raise CheckFailure(Stage.VALUES, _f("{what}: {layer} uses activation {got}, but it should use {expected}.",
                                                what=what, layer=name, got=mine.activation,
                                                expected=theirs.activation))
        if (mine.trainable_params, mine.non_trainable_params) != (theirs.trainable_params, theirs.non_trainable_params):
            raise CheckFailure(Stage.VALUES, _f("{what}: {layer} has {trainable} trainable and {non_trainable} "
                                                "non-trainable parameters; check its settings (units, kernel size, "
                                                "padding, use_bias, trainable).",
                                                what=what, layer=name, trainable=mine.trainable_params,
                                                non_trainable=mine.non_trainable_params))
        for (key, mine_value), (_key, their_value) in zip(mine.settings, theirs.settings):
            if mine_value != their_value:
                raise CheckFailure(Stage.VALUES, _f("{what}: {layer} has {key}={got}, but the architecture needs "
                                                    "{key}={expected}.",
                                                    what=what, layer=name, key=key, got=mine_value,
                                                    expected=their_value))
    if len(got_layers) != len(expected_layers):
        raise CheckFailure(Stage.SHAPE, _f("{what} has {got} layers, but the architecture has {expected}.",
                                           what=what, got=len(got_layers), expected=len(expected_layers)))
