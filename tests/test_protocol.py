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


def frame_parts(frame: bytes) -> tuple[bytes, list[bytes]]:
    """A frame as the proxy reads it: its header and its data blocks."""
    length = protocol.parse_header_length(frame[: protocol.HEADER_PREFIX_BYTES])
    header = frame[protocol.HEADER_PREFIX_BYTES: protocol.HEADER_PREFIX_BYTES + length]
    rest, blobs = frame[protocol.HEADER_PREFIX_BYTES + length:], []
    for size in protocol.blob_sizes_of(header):
        blobs.append(rest[:size])
        rest = rest[size:]
    return header, blobs


def test_amplified_frame_is_refused_without_copying():
    """Is an 8 MB frame whose 1000 arrays all name one data block refused at once, without the
    grader copying that block 1000 times (before: 3 GB held for 11 s)?"""
    import time
    import tracemalloc

    block = np.zeros(1 << 20, dtype=np.float64).tobytes()  # 8 MB
    node = {"t": "ndarray", "dtype": "<f8", "shape": [1 << 20], "blob": 0}
    header_json = json.dumps({"id": 1, "status": "ok", "value": {"t": "list", "v": [node] * 1000},
                              "blob_sizes": [len(block)]}).encode()
    frame = protocol._LENGTH.pack(len(header_json)) + header_json + block
    header, blobs = frame_parts(frame)
    del frame
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(protocol.ProtocolError, match="used twice"):
            protocol.decode_frame(header, blobs)
        seconds = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seconds < 2.0
    assert peak < 3 * (len(header) + len(block)), f"decoding held {peak / 2**20:.0f} MB"


@pytest.mark.parametrize("index", [1, -1, True, 0.0, "0", None])
def test_data_block_index_must_be_in_range(index):
    """Is an array naming a data block that does not exist (a negative index reaching back from
    the end, an index of another type) refused?"""
    header = json.dumps({"value": {"t": "ndarray", "dtype": "<f8", "shape": [1], "blob": index}}).encode()
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_frame(header, [b"\0" * 8])


def test_every_honest_frame_uses_each_block_once():
    """Do frames the encoder writes (many arrays, nested, model weights) still decode?"""
    value = {"a": [np.arange(3.0), np.arange(4)], "b": (np.float32(2.5), np.ones((2, 2)))}
    header, blobs = frame_parts(protocol.encode_frame({"status": "ok", "value": value}))
    back = protocol.decode_frame(header, blobs)["value"]
    assert back["a"][1].tolist() == [0, 1, 2, 3] and back["b"][1].shape == (2, 2)


def test_protocol_errors_do_not_quote_unbounded_text():
    """Does an unknown tag of 1 MB give a short error (it reaches the student's feedback)?"""
    with pytest.raises(protocol.ProtocolError) as error:
        protocol.decode_frame(json.dumps({"value": {"t": "x" * (1 << 20)}}).encode(), [])
    assert len(str(error.value)) < 100
