"""The errors a dataset load can end in.

Two kinds only, so a caller (the CLI, a notebook, a hidden test) can tell "you have
to provide the data" apart from "the data you have is damaged" and print one
message either way.
"""

from __future__ import annotations

from pathlib import Path


class DatasetError(Exception):
    """Base class: anything that stops a dataset from loading."""


class DatasetUnavailable(DatasetError):
    """No source could provide the dataset; the message says how to provide it."""


class DatasetCorrupt(DatasetError):
    """A file was found but is damaged or is not the dataset it claims to be.

    ``path`` names the file and ``problem`` says what is wrong with it (bad checksum,
    truncated gzip, wrong IDX magic or shape, ...), so the user knows which file to
    replace rather than guessing.
    """

    def __init__(self, path: str | Path, problem: str, hint: str = "") -> None:
        self.path = str(path)
        self.problem = problem
        self.hint = hint
        message = f"{self.path}: {problem}"
        if hint:
            message = f"{message}\n{hint}"
        super().__init__(message)


class UnsafePickle(DatasetCorrupt):
    """A pickle asked for something other than plain numpy arrays.

    Raised instead of executing it: a data file has no business naming ``os.system``.
    """
