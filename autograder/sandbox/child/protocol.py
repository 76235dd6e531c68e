"""Length-prefixed frames of tagged JSON plus raw array bytes, for both sides of the pipe.

Only plain data crosses: None, bool, int, float, str, lists, tuples, dicts with string keys,
numpy arrays and scalars of numeric dtypes. Nothing is ever unpickled or evaluated, so a
hostile child can at worst send values that it could have returned honestly.

This file is imported by the sandboxed worker, so it depends on numpy and the standard
library alone.
"""

from __future__ import annotations

import json
import math
import struct
import sys

import numpy as np

MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_BLOB_BYTES = 512 * 1024 * 1024
MAX_DEPTH = 32
MAX_DIMENSIONS = 64  # numpy's own limit
ALLOWED_DTYPE_KINDS = "biufc"  # bool, signed, unsigned, float, complex: never object or void
_LENGTH = struct.Struct(">I")


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed, bounded frame."""


class ForeignObject:
    """Stands in, on the trusted side, for a value of a type that cannot cross the pipe."""

    def __init__(self, type_name: str):
        self._autograder_type_name = type_name

    def __repr__(self) -> str:
        return f"<{self._autograder_type_name} object>"


class KerasModelSpec:
    """A Keras model as it crosses the pipe: its serialized config (JSON text), never its code.

    From the sandbox: the config alone; the trusted side rebuilds it from built-in layers
    only (autograder/keras_models.py), so the student's objects and methods stay behind.
    Into the sandbox: config and weights of a model the grader trained; the worker turns it
    back into a Keras model (see ``materialize_models``) for the student's code to use.
    """

    def __init__(self, config_json: str, type_name: str, weights: list | None = None):
        self.config_json = config_json
        self._autograder_type_name = type_name
        self.weights = weights

    def __repr__(self) -> str:
        return f"<Keras model {self._autograder_type_name}>"


def _keras_model_class():
    # Only where the student's code imported Keras: the grader never imports it for them.
    keras = sys.modules.get("keras")
    return getattr(keras, "Model", None) if keras is not None else None


def _encode_keras_model(model) -> dict:
    keras = sys.modules["keras"]
    try:
        config_json = json.dumps(keras.saving.serialize_keras_object(model))
    except Exception as error:  # noqa: BLE001 - an unserializable model is reported, not raised
        return {"t": "foreign", "type": f"{_type_name(model)} (its config cannot be saved: {error})"[:300]}
    return {"t": "keras_model", "config": config_json, "type": _type_name(model)}


def _type_name(value) -> str:
    cls = type(value)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def _encode(value, blobs: list[bytes], depth: int):
    if depth > MAX_DEPTH:
        raise ProtocolError("value is nested too deeply")
    if value is None or type(value) is bool:
        return value
    if type(value) is int:
        return {"t": "int", "v": str(value)}
    if type(value) is float:
        return {"t": "float", "v": value.hex()}
    if type(value) is str:
        return {"t": "str", "v": value}
    if type(value) in (list, tuple):
        return {"t": type(value).__name__, "v": [_encode(item, blobs, depth + 1) for item in value]}
    if type(value) is dict and all(type(key) is str for key in value):
        return {"t": "dict", "v": [[key, _encode(item, blobs, depth + 1)] for key, item in value.items()]}
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        is_scalar = isinstance(value, np.generic)
        # np.array(..., subok=False) drops any subclass: its data, not its methods, travels.
        array = np.array(value, copy=True, subok=False)
        if array.dtype.kind not in ALLOWED_DTYPE_KINDS:
            return {"t": "foreign", "type": f"{_type_name(value)} of dtype {array.dtype}"}
        blobs.append(np.ascontiguousarray(array).tobytes())
        return {
            "t": "npscalar" if is_scalar else "ndarray",
            "dtype": array.dtype.str,
            "shape": list(array.shape),
            "blob": len(blobs) - 1,
        }
    if isinstance(value, KerasModelSpec):
        weights = [_encode(np.asarray(w), blobs, depth + 1) for w in (value.weights or [])]
        return {"t": "keras_model", "config": value.config_json, "type": value._autograder_type_name,
                "weights": weights}
    model_class = _keras_model_class()
    if model_class is not None and isinstance(value, model_class):
        return _encode_keras_model(value)
    return {"t": "foreign", "type": _type_name(value)}


def encode_frame(message: dict) -> bytes:
    """``message`` is a dict whose ``value``/``args``/``kwargs`` entries may hold any plain data."""
    blobs: list[bytes] = []
    header = {key: (_encode(item, blobs, 0) if key in ("value", "args", "kwargs") else item)
              for key, item in message.items()}
    header["blob_sizes"] = [len(blob) for blob in blobs]
    header_bytes = json.dumps(header).encode("utf-8")
    return b"".join([_LENGTH.pack(len(header_bytes)), header_bytes, *blobs])


class _Blobs:
    """A frame's array data blocks, each of which one array may take, once.

    Arrays name their block by index. Were a block free to serve many arrays, a frame of a few
    megabytes could name one block a thousand times and make the decoder copy it a thousand
    times (3 GB held for 11 s from an 8 MB frame): taking each block once bounds what a frame
    decodes to by the frame's own size. A block that no array takes is simply not used.
    """

    def __init__(self, blobs: list[bytes]):
        self._blobs = blobs
        self._taken: set[int] = set()

    def take(self, index) -> bytes:
        if type(index) is not int or not 0 <= index < len(self._blobs):
            raise ProtocolError("array data index out of range")
        if index in self._taken:
            raise ProtocolError("array data block used twice")
        self._taken.add(index)
        return self._blobs[index]


def _decode(node, blobs: _Blobs, depth: int):
    if depth > MAX_DEPTH:
        raise ProtocolError("value is nested too deeply")
    if node is None or type(node) is bool:
        return node
    if type(node) is not dict:
        raise ProtocolError(f"unexpected node {type(node).__name__}")
    tag = node.get("t")
    if tag == "int":
        return int(node["v"])
    if tag == "float":
        return float.fromhex(node["v"])
    if tag == "str":
        return str(node["v"])
    if tag in ("list", "tuple"):
        items = [_decode(item, blobs, depth + 1) for item in node["v"]]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        return {str(key): _decode(item, blobs, depth + 1) for key, item in node["v"]}
    if tag in ("ndarray", "npscalar"):
        dtype = np.dtype(str(node["dtype"]))
        if dtype.kind not in ALLOWED_DTYPE_KINDS:
            raise ProtocolError(f"dtype {dtype} is not allowed")
        shape = tuple(int(n) for n in node["shape"])
        if len(shape) > MAX_DIMENSIONS or any(n < 0 for n in shape):
            raise ProtocolError("bad array shape")
        blob = blobs.take(node["blob"])
        # Exact integers: a product computed in int64 could overflow to match a short blob.
        if len(blob) != math.prod(shape) * dtype.itemsize:
            raise ProtocolError("array size does not match its shape")
        array = np.frombuffer(blob, dtype=dtype).reshape(shape).copy()
        return array[()] if tag == "npscalar" else array
    if tag == "foreign":
        return ForeignObject(str(node["type"])[:300])
    if tag == "keras_model":
        weights = [_decode(w, blobs, depth + 1) for w in node.get("weights", [])]
        spec = KerasModelSpec(str(node["config"]), str(node["type"])[:200], weights or None)
        return _materialize(spec) if _MATERIALIZE_MODELS else spec
    raise ProtocolError(f"unknown tag {tag[:50]!r}" if type(tag) is str else "unknown tag")


# Set by the sandboxed worker alone: there, model specs become Keras models for the student's
# code. The grader never sets it, so it never deserializes a model outside keras_models.py.
_MATERIALIZE_MODELS = False


def materialize_models() -> None:
    global _MATERIALIZE_MODELS
    _MATERIALIZE_MODELS = True


def _materialize(spec: KerasModelSpec):
    import keras

    model = keras.saving.deserialize_keras_object(json.loads(spec.config_json), safe_mode=True)
    if spec.weights:
        model.set_weights(spec.weights)
    return model


def decode_frame(header_bytes: bytes, blobs: list[bytes]) -> dict:
    """The message in a frame; a frame that is not well formed, whatever is wrong with it (bad
    JSON, nesting too deep for the parser, a shape that overflows, an unknown dtype, a data block
    named twice or out of range), raises ProtocolError and nothing else. Each data block becomes
    at most one array, so the arrays decoded are no larger than the frame's data."""
    try:
        header = json.loads(header_bytes.decode("utf-8"))
        if type(header) is not dict:
            raise ProtocolError("frame header is not an object")
        taken = _Blobs(blobs)
        return {key: (_decode(item, taken, 0) if key in ("value", "args", "kwargs") else item)
                for key, item in header.items() if key != "blob_sizes"}
    except ProtocolError:
        raise
    except Exception as error:  # noqa: BLE001 - RecursionError, OverflowError, MemoryError, ... included
        raise ProtocolError(f"malformed frame: {type(error).__name__}: {str(error)[:200]}") from None


def parse_header_length(prefix: bytes) -> int:
    (length,) = _LENGTH.unpack(prefix)
    if length > MAX_HEADER_BYTES:
        raise ProtocolError(f"frame header of {length} bytes is over the limit")
    return length


def blob_sizes_of(header_bytes: bytes) -> list[int]:
    try:
        sizes = json.loads(header_bytes.decode("utf-8")).get("blob_sizes", [])
    except Exception as error:  # noqa: BLE001 - bad JSON, too deeply nested, not an object
        raise ProtocolError(f"frame header is not a JSON object: {type(error).__name__}: {str(error)[:200]}") from None
    if type(sizes) is not list:
        raise ProtocolError("frame data is malformed")
    if not all(type(n) is int and n >= 0 for n in sizes) or sum(sizes) > MAX_BLOB_BYTES:
        raise ProtocolError("frame data is malformed or over the size limit")
    return sizes


HEADER_PREFIX_BYTES = _LENGTH.size
