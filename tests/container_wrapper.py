"""Run a command as in a container whose Python every user can read.

Gradescope's Python is world-readable; this machine's may sit under a private folder (``/root``),
which the ``user`` sandbox mode (an unprivileged uid per submission) cannot reach. Bubblewrap,
run as root and without namespaces of its own, puts a tmpfs over that private folder holding only
the Python installation, the environment and the checkout.
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograder.assignments import REPO_ROOT


def world_readable_python_wrapper() -> list[str]:
    """The command prefix (empty where Python is already world-readable)."""
    blocked = [p for p in Path(sys.base_prefix).resolve().parents if p != Path("/") and not p.stat().st_mode & 0o001]
    if not blocked:
        return []
    private = blocked[-1]
    args = ["bwrap", "--dev-bind", "/", "/", "--tmpfs", str(private)]
    chmods = []
    for keep in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), REPO_ROOT.resolve()}:
        if private in keep.parents:
            args += ["--bind", str(keep), str(keep)]
            # bubblewrap creates the folders on the way as 0700
            chmods += [["--chmod", "0755", str(p)] for p in keep.parents if private in p.parents]
    return [*args, *(arg for chmod in chmods for arg in chmod), "--"]
