"""Writing a file atomically: a reader sees the old file or the new one, never half of one.

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
