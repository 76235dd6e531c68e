"""The local cache: one verified Keras-style ``<name>.npz`` per dataset.

Decoding gzip or the 220 MB MNIST pickle takes seconds; an uncompressed npz loads in a
fraction of one, so the first successful load from a package or a download writes it.
Only data that passed ``verify.check_canonical`` is cached (never a user's subset), and it
is re-verified on every read, so the cache can never hand out something else.

The folder is ``$AUTOGRADER_DATA_DIR``, else ``$XDG_CACHE_HOME/autograder/datasets``, else
``~/.cache/autograder/datasets``. A cache file is itself a valid ``path=`` argument.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from datasets import npzfile
from datasets.catalog import Dataset

ENV_DATA_DIR = "AUTOGRADER_DATA_DIR"


def cache_dir() -> Path:
    """The cache folder (not created here)."""
    configured = os.environ.get(ENV_DATA_DIR)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "autograder" / "datasets"


def cache_file(dataset: Dataset) -> Path:
    return cache_dir() / f"{dataset.name}.npz"


def read(dataset: Dataset) -> dict[str, np.ndarray] | None:
    """The cached arrays, or None when there is no cache file (corruption raises)."""
    path = cache_file(dataset)
    if not path.is_file():
        return None
    return npzfile.read(path)


def write(dataset: Dataset, arrays: Mapping[str, np.ndarray]) -> Path | None:
    """Cache verified arrays; returns the file, or None when the folder is not writable.

    A read-only home (a sandbox, a shared lab machine) must not make a load fail: the
    data is returned either way, only the next load is slower.
    """
    path = cache_file(dataset)
    try:
        npzfile.write_atomic(path, arrays)
    except OSError:
        return None
    return path
