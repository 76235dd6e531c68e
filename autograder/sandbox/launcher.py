"""Start the sandboxed worker process: bubblewrap where Linux allows it, a bare process otherwise.

Under bubblewrap (``--unshare-all``) the child has its own mount, PID, network, IPC and user
namespaces. Its filesystem holds only ``/usr``, the Python installation and environment,
the worker's two files at ``/grader``, a private copy of the submission at ``/submission``
and an empty ``/tmp``; the grader's package (hidden tests), the reference solutions, the
gradebook and other students' submissions do not exist there. The network has only a
loopback device. It runs as uid 65534 with no capabilities and dies with the grader.

In both modes the child gets a memory limit (RLIMIT_AS), no core dumps, a cap on file size,
a clean environment and a session of its own, so that everything it starts can be killed.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path

from autograder.assignments import PACKAGE_DIR, SOLUTIONS_DIR

CHILD_DIR = Path(__file__).resolve().parent / "child"
SANDBOX_GRADER_DIR = "/grader"
SANDBOX_SUBMISSION_DIR = "/submission"
NOBODY = 65534
MAX_FILE_BYTES = 64 * 1024 * 1024


class SandboxMode(str, Enum):
    BWRAP = "bwrap"
    PROCESS = "process"


class SandboxUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class SandboxConfig:
    mode: SandboxMode
    memory_mb: int = 1024
    env: dict[str, str] = field(default_factory=dict)


BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
}


def _bwrap_base_args() -> list[str]:
    return [
        shutil.which("bwrap") or "bwrap", "--unshare-all", "--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY),
        "--die-with-parent", "--new-session", "--clearenv",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
    ]


@lru_cache(maxsize=1)
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot be used here, or None when it works."""
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    try:
        probe = subprocess.run([*_bwrap_base_args(), "/bin/true"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap failed to start: {error}"
    if probe.returncode != 0:
        reason = probe.stderr.decode(errors="replace").strip()
        return f"bubblewrap cannot create namespaces here ({reason}); unprivileged user namespaces may be disabled"
    return None


def default_mode() -> SandboxMode:
    return SandboxMode.BWRAP if bwrap_problem() is None else SandboxMode.PROCESS


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _python_roots() -> list[Path]:
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent.parent}
    return sorted(r for r in roots if not _is_within(r, Path("/usr")))


def bwrap_command(config: SandboxConfig, staging_dir: Path, python_args: list[str]) -> list[str]:
    args = _bwrap_base_args()
    roots = _python_roots()
    for root in roots:
        args += ["--ro-bind", str(root), str(root)]
    # A non-editable install would put the package (and its hidden tests) inside a bound
    # environment: hide it behind an empty tmpfs.
    for secret in (PACKAGE_DIR, SOLUTIONS_DIR):
        if any(_is_within(secret, root) for root in roots) or _is_within(secret, Path("/usr")):
            args += ["--tmpfs", str(secret)]
    args += ["--ro-bind", str(CHILD_DIR), SANDBOX_GRADER_DIR]
    args += ["--bind", str(staging_dir), SANDBOX_SUBMISSION_DIR, "--chdir", SANDBOX_SUBMISSION_DIR]
    for key, value in {**BASE_ENV, **config.env}.items():
        args += ["--setenv", key, value]
    return [*args, "--", *python_args]


def _limits_prefix(memory_mb: int) -> list[str]:
    """``prlimit`` sets the limits by exec, which is safe where a preexec_fn is not (threads)."""
    memory = memory_mb * 1024 * 1024
    return [shutil.which("prlimit") or "prlimit", f"--as={memory}", "--core=0", f"--fsize={MAX_FILE_BYTES}", "--"]


def _limit_resources(memory_mb: int):
    """The fallback where util-linux's prlimit is missing."""
    def apply() -> None:
        memory = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))

    return apply


def spawn_worker(config: SandboxConfig, staging_dir: Path, module_filename: str, module_name: str,
                 stderr_file) -> subprocess.Popen:
    """Start the worker for ``staging_dir/module_filename``; its stdin/stdout are the pipes."""
    if config.mode is SandboxMode.BWRAP:
        worker = f"{SANDBOX_GRADER_DIR}/worker.py"
        module = f"{SANDBOX_SUBMISSION_DIR}/{module_filename}"
        command = bwrap_command(config, staging_dir, [sys.executable, "-I", "-B", worker, module, module_name])
        cwd, env = None, {}
    else:
        worker = str(CHILD_DIR / "worker.py")
        module = str(staging_dir / module_filename)
        command = [sys.executable, "-I", "-B", worker, module, module_name]
        cwd, env = str(staging_dir), {**BASE_ENV, **config.env}
    has_prlimit = shutil.which("prlimit") is not None
    if has_prlimit:
        command = _limits_prefix(config.memory_mb) + command
    return subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr_file,
        cwd=cwd,
        env=env,
        start_new_session=True,
        preexec_fn=None if has_prlimit else _limit_resources(config.memory_mb),
        close_fds=True,
    )
