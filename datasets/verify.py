"""Checks that arrays are a well-formed image dataset, and whether they are the real one.

Two levels, because users may legitimately hand in a small subset (a class exercise, a
test fixture) but a file that claims the full size must be the genuine data:

* ``check_structure``: shapes, dtypes, label range -- every source must pass it.
* ``check_canonical``: label counts and content sha256 against ``catalog`` -- required
  of the cache, the offline packages, downloads, and any user split of full size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from datasets.catalog import KEYS, Dataset
from datasets.errors import DatasetCorrupt

Arrays = dict[str, np.ndarray]
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_array(array: np.ndarray) -> str:
    """sha256 of an array's bytes in C order (equal to the IDX payload's sha256)."""
    return hashlib.sha256(np.ascontiguousarray(array).data).hexdigest()


def _where(files: Mapping[str, str | Path], key: str, default: str | Path) -> str | Path:
    return files.get(key, default)


def check_structure(arrays: Mapping[str, np.ndarray], dataset: Dataset, where: str | Path,
                    files: Mapping[str, str | Path] | None = None) -> Arrays:
    """Validate the four arrays and return them normalised: uint8 images and labels, writable.

    ``files`` maps an array name to the file it came from, so errors name that file.
    """
    files = files or {}
    missing = [key for key in KEYS if key not in arrays]
    if missing:
        raise DatasetCorrupt(where, f"missing arrays {', '.join(missing)} (a Keras-style file has "
                                    f"{', '.join(KEYS)})")
    out: Arrays = {}
    for split in ("train", "test"):
        x, y = np.asarray(arrays[f"x_{split}"]), np.asarray(arrays[f"y_{split}"])
        x_at, y_at = _where(files, f"x_{split}", where), _where(files, f"y_{split}", where)
        if x.dtype != np.uint8:
            raise DatasetCorrupt(x_at, f"x_{split} has dtype {x.dtype}, expected uint8 pixels 0-255")
        if x.ndim != 3 or x.shape[1:] != dataset.image_shape:
            raise DatasetCorrupt(x_at, f"x_{split} has shape {x.shape}, expected (n, 28, 28)")
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise DatasetCorrupt(y_at, f"y_{split} has shape {y.shape} and dtype {y.dtype}, "
                                       "expected a 1-D array of integer labels")
        if len(y) != len(x):
            raise DatasetCorrupt(y_at, f"y_{split} has {len(y)} labels but x_{split} has {len(x)} images")
        if len(y) and (y.min() < 0 or y.max() > 9):
            raise DatasetCorrupt(y_at, f"y_{split} has labels outside 0-9 (min {y.min()}, max {y.max()})")
        y = y.astype(np.uint8, copy=False)
        out[f"x_{split}"] = x if x.flags.writeable else x.copy()
        out[f"y_{split}"] = y if y.flags.writeable else y.copy()
    return out


def full_size_splits(arrays: Mapping[str, np.ndarray], dataset: Dataset) -> list[str]:
    """The splits ("train", "test") that have the canonical number of examples."""
    sizes = {"train": dataset.n_train, "test": dataset.n_test}
    return [split for split, n in sizes.items() if len(arrays[f"y_{split}"]) == n]


def check_canonical(arrays: Mapping[str, np.ndarray], dataset: Dataset, where: str | Path,
                    files: Mapping[str, str | Path] | None = None,
                    splits: tuple[str, ...] = ("train", "test")) -> None:
    """Require the given splits to be exactly the real dataset (counts, then sha256)."""
    files = files or {}
    expected_counts = {"train": dataset.train_label_counts, "test": dataset.test_label_counts}
    for split in splits:
        y_key = f"y_{split}"
        counts = tuple(int(c) for c in np.bincount(arrays[y_key], minlength=10))
        if counts != expected_counts[split]:
            raise DatasetCorrupt(_where(files, y_key, where),
                                 f"{y_key} label counts {list(counts)} differ from {dataset.title}'s "
                                 f"{list(expected_counts[split])}")
        for key in (f"x_{split}", y_key):
            actual = sha256_array(arrays[key])
            if actual != dataset.content_sha256[key]:
                raise DatasetCorrupt(_where(files, key, where),
                                     f"bad checksum: {key} has sha256 {actual}, the real {dataset.title} "
                                     f"has {dataset.content_sha256[key]}")
