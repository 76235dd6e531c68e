"""Read LeCun's IDX format (the MNIST / Fashion-MNIST ``*-idx?-ubyte[.gz]`` files).

Parsed by hand rather than trusted blindly, because the common failure is a half
downloaded or mis-named file: each problem (truncated gzip, wrong magic, wrong number
of dimensions, missing or extra bytes) becomes a DatasetCorrupt naming the file.
The payload is wrapped with ``np.frombuffer`` (no per-pixel Python work).
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from datasets.errors import DatasetCorrupt

GZIP_MAGIC = b"\x1f\x8b"
UBYTE = 0x08  # IDX element type code for unsigned bytes, the only one MNIST uses


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is gzip (by content, not by name)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetCorrupt(path, f"cannot be read ({exc.strerror or exc})") from exc
    if data[:2] != GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except EOFError as exc:
        raise DatasetCorrupt(path, "truncated gzip: the compressed stream ends early "
                                   "(an interrupted download or copy?)") from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise DatasetCorrupt(path, f"corrupt gzip: {exc}") from exc


def parse(data: bytes, path: Path | str, expected_ndim: int) -> np.ndarray:
    """Turn IDX bytes into a uint8 array of the shape the header gives."""
    if len(data) < 4:
        raise DatasetCorrupt(path, f"truncated IDX: {len(data)} bytes, shorter than the 4-byte magic")
    if data[0] != 0 or data[1] != 0:
        raise DatasetCorrupt(path, f"wrong IDX magic 0x{data[:4].hex()}: not an IDX file "
                                   f"(expected 0x000008{expected_ndim:02x})")
    if data[2] != UBYTE:
        raise DatasetCorrupt(path, f"wrong IDX magic 0x{data[:4].hex()}: element type 0x{data[2]:02x}, "
                                   "expected 0x08 (unsigned bytes)")
    ndim = data[3]
    if ndim != expected_ndim:
        kind = "images" if expected_ndim == 3 else "labels"
        raise DatasetCorrupt(path, f"wrong IDX shape: {ndim} dimensions, {kind} files have {expected_ndim} "
                                   f"(magic 0x{data[:4].hex()}; images and labels swapped?)")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetCorrupt(path, f"truncated IDX: {len(data)} bytes, the header alone needs {header}")
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64))
    found = len(data) - header
    if found < expected:
        raise DatasetCorrupt(path, f"truncated IDX: header says shape {shape} ({expected} bytes of data), "
                                   f"the file has {found}")
    if found > expected:
        raise DatasetCorrupt(path, f"wrong IDX shape: header says {shape} ({expected} bytes of data), "
                                   f"the file has {found - expected} bytes more")
    return np.frombuffer(data, np.uint8, count=expected, offset=header).reshape(shape)


def read(path: Path, expected_ndim: int) -> np.ndarray:
    """Read one IDX file, gzipped or not."""
    return parse(read_bytes(path), path, expected_ndim)


def encode(array: np.ndarray) -> bytes:
    """IDX bytes for a uint8 array (the inverse of ``parse``; used for tests and fixtures)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, UBYTE, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    return header + array.tobytes()
