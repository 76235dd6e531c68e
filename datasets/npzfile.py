"""Read and write Keras-style ``.npz`` files (x_train, y_train, x_test, y_test).

Reading never unpickles (``allow_pickle=False``), and every way a damaged zip can fail
becomes a DatasetCorrupt naming the file. Writing goes to a temporary file in the same
folder and is renamed into place, so a reader (or a second grader process) never sees a
half-written cache file.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from datasets.catalog import KEYS
from datasets.errors import DatasetCorrupt

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first local header, or an empty zip
NPY_MAGIC = b"\x93NUMPY"


def _magic_problem(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            head = handle.read(6)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if head.startswith(NPY_MAGIC):
        return f"is a single .npy array, not an .npz archive of {', '.join(KEYS)}"
    if not head.startswith(ZIP_MAGICS):
        return f"not an .npz file (it starts with {head!r}, an .npz is a zip archive)"
    return None


def read(path: Path) -> dict[str, np.ndarray]:
    """The four arrays of a Keras-style npz (structure is checked by the caller)."""
    problem = _magic_problem(path)
    if problem:
        raise DatasetCorrupt(path, problem)
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in KEYS if key not in archive.files]
            if missing:
                raise DatasetCorrupt(path, f"missing arrays {', '.join(missing)} (has "
                                           f"{', '.join(archive.files) or 'none'}; a Keras-style file has "
                                           f"{', '.join(KEYS)})")
            return {key: archive[key] for key in KEYS}
    except DatasetCorrupt:
        raise
    except zipfile.BadZipFile as exc:
        raise DatasetCorrupt(path, f"corrupt or truncated .npz: {exc}") from exc
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DatasetCorrupt(path, "holds object arrays (pickled Python objects), refused: "
                                       "dataset arrays are plain uint8/integer arrays") from exc
        raise DatasetCorrupt(path, f"unreadable .npz (truncated or damaged array data?): {exc}") from exc
    except (EOFError, OSError) as exc:
        raise DatasetCorrupt(path, f"unreadable .npz (truncated or damaged?): {exc}") from exc


def write_atomic(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Write an uncompressed npz (fast to load) via temp file + rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp",
                                         delete=False)
    try:
        with handle:
            np.savez(handle, **{key: arrays[key] for key in KEYS})
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)  # temp files are 0600; a shared cache folder must stay readable
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
