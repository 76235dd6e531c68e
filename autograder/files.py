"""Writing files: refusing an output path that cannot be written, before any work
(:func:`check_output_path`), and writing a file atomically, so that a reader sees the old file
or the new one, never half of one (:func:`write_atomically`).

The data goes to a temporary file beside the target (``.<name>.<random>.tmp``, which a run
killed mid-write leaves behind for its owner to remove) and is renamed over it; on any failure
the temporary file is removed and the target is left as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def shared_mode() -> int:
    """The permissions a new file usually gets, 0666 less the umask (mkstemp's are 0600)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(path: Path, data: bytes | str, *, mode: int, durable: bool = False) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` with permissions ``mode``, creating its folder;
    ``durable`` syncs the data to disk before the rename (a gradebook's CSVs, a course file), so
    that a crash right after leaves the whole new file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), mode)
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class OutputPathError(Exception):
    """An output path that cannot take what the command writes: a file where a folder goes, a
    folder where a file goes, or a path under a file. Raised before any work is done."""


def _file_above(path: Path) -> Path | None:
    """The nearest existing parent of ``path`` that is not a folder (so that nothing can be
    created under it), or None."""
    for parent in path.parents:
        try:
            if parent.is_dir():
                return None
            if os.path.lexists(parent):
                return parent
        except OSError:  # unreadable: let the write itself say so
            return None
    return None


def check_output_path(path: Path, *, what: str, folder: bool = True, fix: str | None = None) -> Path:
    """Refuse, before any work, an output ``path`` that cannot be written: for a ``folder``, an
    existing file; for a file, an existing folder; for either, a path under a file. ``what`` is
    what would be written there ("the gradebook"); ``fix`` says what to do (by default: pass
    another path with -o). Raises OutputPathError with one line; returns ``path``."""
    path = Path(path)
    kind = "folder" if folder else "file"
    fix = fix or f"pass another {kind} with -o" + (" (a folder that does not exist yet is created)" if folder else "")
    above = _file_above(path)
    if above is not None:
        raise OutputPathError(f"cannot write {what} to {path}: {above} is a file, not a folder; {fix}")
    if folder and os.path.lexists(path) and not path.is_dir():
        raise OutputPathError(f"cannot write {what} to {path}: it is a file, not a folder; {fix}")
    if not folder and path.is_dir():
        raise OutputPathError(f"cannot write {what} to {path}: it is a folder, not a file; {fix}")
    return path
