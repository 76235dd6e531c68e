"""Does only plain data cross the pipe, exactly and safely?"""

import json

import numpy as np
import pytest

from autograder.sandbox.child import protocol


def roundtrip(value):
    frame = protocol.encode_frame({"status": "ok", "value": value})
    length = protocol.parse_header_length(frame[: protocol.HEADER_PREFIX_BYTES])
    header = frame[protocol.HEADER_PREFIX_BYTES: protocol.HEADER_PREFIX_BYTES + length]
    rest = frame[protocol.HEADER_PREFIX_BYTES + length:]
    blobs, offset = [], 0
    for size in protocol.blob_sizes_of(header):
        blobs.append(rest[offset: offset + size])
        offset += size
    return protocol.decode_frame(header, blobs)["value"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.uint8, np.bool_, np.complex64])
def test_arrays_keep_dtype_shape_and_bits(dtype):
    """Are arrays of every numeric dtype returned bit for bit?"""
    array = (np.random.default_rng(0).normal(size=(3, 4, 2)) * 100).astype(dtype)
    back = roundtrip(array)
    assert type(back) is np.ndarray and back.dtype == array.dtype and back.shape == array.shape
    assert back.tobytes() == array.tobytes()


def test_plain_values_keep_their_types():
    """Do ints, floats (inf and nan too), strings, tuples, lists, dicts and numpy scalars survive?"""
    value = {"a": (1, 2.5, float("inf")), "b": [None, True, "x"], "c": np.float32(1.5), "big": 2**80}
    back = roundtrip(value)
    assert back["a"] == (1, 2.5, float("inf")) and type(back["a"]) is tuple
    assert back["b"] == [None, True, "x"]
    assert type(back["c"]) is np.float32 and back["c"] == np.float32(1.5)
    assert back["big"] == 2**80
    assert np.isnan(roundtrip(float("nan")))


def test_subclass_travels_as_plain_array():
    """Does an ndarray subclass with a rigged comparison arrive as a plain array of its data?"""
    class Rigged(np.ndarray):
        def __eq__(self, other):
            return True

    back = roundtrip(np.arange(3.0).view(Rigged))
    assert type(back) is np.ndarray and back.tolist() == [0.0, 1.0, 2.0]


def test_unknown_objects_become_foreign_stand_ins():
    """Does an always-equal object arrive as a named stand-in rather than itself?"""
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    back = roundtrip(AlwaysEqual())
    assert isinstance(back, protocol.ForeignObject)
    assert "AlwaysEqual" in back._autograder_type_name
    assert "object" in roundtrip(np.array([object()], dtype=object))._autograder_type_name


def test_hostile_frames_are_refused():
    """Are object dtypes, size mismatches, oversized headers and unknown tags refused?"""
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_frame(json.dumps({"value": {"t": "ndarray", "dtype": "|O", "shape": [1], "blob": 0}}).encode(), [b"x" * 8])
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_frame(json.dumps({"value": {"t": "ndarray", "dtype": "<f8", "shape": [4], "blob": 0}}).encode(), [b"x" * 8])
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_frame(json.dumps({"value": {"t": "pickle", "v": "..."}}).encode(), [])
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_header_length((protocol.MAX_HEADER_BYTES + 1).to_bytes(4, "big"))
    with pytest.raises(protocol.ProtocolError):
        protocol.blob_sizes_of(json.dumps({"blob_sizes": [protocol.MAX_BLOB_BYTES + 1]}).encode())
