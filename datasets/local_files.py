"""Data the user points at with ``path=``: a Keras-style npz, or the four IDX files.

Accepted forms:

* a ``.npz`` file with x_train, y_train, x_test, y_test (Keras's ``mnist.npz``, or a
  cache file of this package);
* a folder holding ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
  ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz`` (``.gz`` optional), or
  holding ``<name>.npz`` / ``mnist.npz``;
* the four IDX files themselves, as a list of paths (recognised by their names).

Every file is checked for structure. A split of the canonical size (60k train, 10k
test) claims to be the real dataset, so it must match the content sha256 in
``catalog`` -- a full-size file that differs is damaged or mislabelled. Keras's own
``mnist.npz`` is also recognised by its published file sha256. Smaller files (a subset,
a classroom toy) are accepted on structure alone and are not cached.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from datasets import npzfile
from datasets.catalog import IDX_STEMS, KEYS, MNIST, Dataset
from datasets.errors import DatasetUnavailable
from datasets.offline import load_idx_files
from datasets.verify import check_canonical, check_structure, full_size_splits, sha256_file

PathArg = str | os.PathLike | Iterable[str | os.PathLike]


@dataclass(frozen=True)
class UserData:
    arrays: dict[str, np.ndarray]
    canonical: bool     # verified to be the complete real dataset (safe to cache)
    location: str


def _expected_names() -> str:
    return ", ".join(f"{stem}.gz" for stem in IDX_STEMS.values())


def _idx_key(path: Path) -> str | None:
    name = path.name.lower()
    for key, stem in IDX_STEMS.items():
        if name in (stem, f"{stem}.gz"):
            return key
    return None


def _idx_in_folder(folder: Path) -> dict[str, Path] | None:
    found: dict[str, Path] = {}
    for key, stem in IDX_STEMS.items():
        for name in (f"{stem}.gz", stem):
            if (folder / name).is_file():
                found[key] = folder / name
                break
    if not found:
        return None
    missing = [f"{IDX_STEMS[key]}.gz" for key in KEYS if key not in found]
    if missing:
        raise DatasetUnavailable(f"{folder} has some IDX files but not {', '.join(missing)}; "
                                 f"a dataset folder needs all four: {_expected_names()}")
    return found


def _from_npz(path: Path, dataset: Dataset) -> UserData:
    arrays = check_structure(npzfile.read(path), dataset, path)
    full = full_size_splits(arrays, dataset)
    if dataset is MNIST and sha256_file(path) == dataset.download_sha256["mnist.npz"]:
        return UserData(arrays, True, str(path))   # Keras's published file, byte for byte
    check_canonical(arrays, dataset, path, splits=tuple(full))
    return UserData(arrays, len(full) == 2, str(path))


def _from_idx(files: dict[str, Path], dataset: Dataset) -> UserData:
    arrays = load_idx_files(files, dataset)
    full = full_size_splits(arrays, dataset)
    check_canonical(arrays, dataset, files["x_train"].parent, files=files, splits=tuple(full))
    return UserData(arrays, len(full) == 2, str(files["x_train"].parent))


def read(dataset: Dataset, path: PathArg) -> UserData:
    """Load ``dataset`` from what the user gave; errors name the file and the problem."""
    if isinstance(path, (str, os.PathLike)):
        target = Path(path).expanduser()
        if not target.exists():
            raise DatasetUnavailable(f"{dataset.title}: the path {target} does not exist")
        if target.is_dir():
            files = _idx_in_folder(target)
            if files:
                return _from_idx(files, dataset)
            for name in (f"{dataset.name}.npz", "mnist.npz" if dataset is MNIST else None):
                if name and (target / name).is_file():
                    return _from_npz(target / name, dataset)
            raise DatasetUnavailable(f"{dataset.title}: {target} holds neither the IDX files "
                                     f"({_expected_names()}) nor {dataset.name}.npz")
        if _idx_key(target):
            raise DatasetUnavailable(f"{dataset.title}: {target} is one IDX file; pass its folder, or a "
                                     f"list of all four ({_expected_names()})")
        return _from_npz(target, dataset)
    paths = [Path(p).expanduser() for p in path]
    files: dict[str, Path] = {}
    for p in paths:
        key = _idx_key(p)
        if key is None:
            raise DatasetUnavailable(f"{dataset.title}: {p} is not named like an IDX file "
                                     f"({_expected_names()})")
        if not p.is_file():
            raise DatasetUnavailable(f"{dataset.title}: the file {p} does not exist")
        files[key] = p
    missing = [f"{IDX_STEMS[key]}.gz" for key in KEYS if key not in files]
    if missing or len(paths) != 4:
        raise DatasetUnavailable(f"{dataset.title}: pass exactly the four IDX files; missing "
                                 f"{', '.join(missing) or '(duplicates given)'}")
    return _from_idx(files, dataset)
