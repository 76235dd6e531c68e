"""A submission's files as one read-only descriptor, so that the host never writes into a folder
a sandbox can write.

The grader packs the staged submission (its own private folder) into an unlinked temporary
tar file and hands the worker a read-only descriptor to it; the worker unpacks it into its
own fresh, capped /submission. Nothing the child does can then make the host write anywhere:
there is no shared folder to race a symlink into (isolate requires its box and every parent
to be writable by root only "to avoid symlink attacks" for the same reason).

Standard library only: the sandboxed worker imports it.
"""

from __future__ import annotations

import os
import stat
import tarfile
import tempfile

# What a worker unpacks at most; the staged submission is far smaller (intake refuses archives
# over 50 MB), and the child's /submission is a tmpfs capped at these sizes anyway.
MAX_BYTES = 256 * 1024 * 1024
MAX_FILES = 10_000


class PayloadError(RuntimeError):
    pass


def pack(folder: str | os.PathLike) -> int:
    """A read-only descriptor on a tar of ``folder``'s regular files and folders (links and
    anything else are left out, as the intake leaves them out). The caller closes it."""
    with tempfile.TemporaryFile() as archive_file:
        with tarfile.open(fileobj=archive_file, mode="w") as archive:
            for root, dirs, files in os.walk(folder):
                dirs.sort()
                for name in sorted(dirs) + sorted(files):
                    path = os.path.join(root, name)
                    mode = os.lstat(path).st_mode
                    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
                        archive.add(path, arcname=os.path.relpath(path, folder), recursive=False)
        archive_file.flush()
        # A new open file description, read-only: the child can read it, never write it.
        return os.open(f"/proc/self/fd/{archive_file.fileno()}", os.O_RDONLY | os.O_CLOEXEC)


def unpack(fd: int, destination: str) -> None:
    """Unpack the files behind ``fd`` (read from its start) into ``destination``; closes ``fd``."""
    with os.fdopen(fd, "rb") as source:
        source.seek(0)
        with tarfile.open(fileobj=source, mode="r:") as archive:
            members = archive.getmembers()
            if len(members) > MAX_FILES or sum(m.size for m in members) > MAX_BYTES:
                raise PayloadError("the submission is too large to unpack")
            # The "data" filter refuses links, devices, absolute paths and ".." components.
            archive.extractall(destination, members=members, filter="data")
