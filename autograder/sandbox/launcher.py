"""Start the sandboxed worker process: bubblewrap where Linux allows it, a bare process otherwise.

Under bubblewrap (``--unshare-all``) the child has its own mount, PID, network, IPC and user
namespaces. Its filesystem holds only ``/usr``, the Python installation and environment,
the worker's files at ``/grader``, its own copy of the submission at ``/submission`` and an
empty ``/tmp``; the grader's package (hidden tests), the reference solutions, the gradebook
and other students' submissions do not exist there. Everything but ``/submission``, ``/tmp``
and ``/dev/shm`` is read-only, and those three are tmpfs (host memory), capped where
bubblewrap can. The submission's files reach ``/submission`` through a read-only descriptor
that the worker unpacks (child/payload.py): no host folder is writable from the sandbox, so
the host never writes where a sandbox could have planted a link. The network has only a
loopback device. It runs as uid 65534 with no capabilities and dies with the grader; the
worker loads a seccomp filter (child/confine.py) before it imports the student's module.

Where namespaces are not allowed (Docker's default seccomp profile, as on Gradescope) but the
grader runs as root, the ``user`` mode runs the child as a uid of its own with no groups: it can read
only what the world can read, and the grader's files are made root-only (``chmod go-rwx``) by
whoever deploys them. It can write only in its working folder and in world-writable places (/tmp).

Memory is bounded by what the sandbox's processes hold: the watchdog (watchdog.py) kills the
sandbox once their resident memory together passes its limit. The kernel's per-process limits
are backstops that stop one huge allocation at once, sized so that an honest ``import
tensorflow`` fits (see ``memory_rlimits``). Every child also gets no core dumps, a cap on file
size, a clean environment and a session of its own, so that everything it starts can be killed.
What the kernel cannot bound here (processes, when bubblewrap runs as root) the watchdog bounds
for the sandbox as a whole too. SECURITY.md has the whole picture.
"""

from __future__ import annotations

import atexit
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path

from autograder.assignments import PACKAGE_DIR, SOLUTIONS_DIR
from autograder.sandbox.child import payload
from autograder.sandbox.child.confine import SHM_BYTES, TMP_BYTES

CHILD_DIR = Path(__file__).resolve().parent / "child"
SANDBOX_GRADER_DIR = "/grader"
SANDBOX_SUBMISSION_DIR = "/submission"
NOBODY = 65534
# Unused by any account on common distributions; the user mode draws a fresh one per submission.
SUBMISSION_UIDS = range(200_000, 300_000)
# Per submission, in every mode, the watchdog's bounds on the sandbox's processes and on their
# threads together (each thread takes one of the host's pids; see watchdog.py). RLIMIT_NPROC of
# its uid in the user mode counts threads, so it is MAX_THREADS (TensorFlow starts a pool of
# threads per core).
MAX_PROCESSES = 256
MAX_THREADS = 1024
MAX_FILE_BYTES = 64 * 1024 * 1024
# Open descriptors per process: each socket can hold up to net.core.wmem_max of kernel buffers,
# which no process's resident memory shows (Python, NumPy and TensorFlow keep fewer than 20 open).
MAX_OPEN_FILES = 256
# The per-process backstops above a sandbox's memory limit (which the watchdog enforces on the
# memory actually held). RLIMIT_AS must not be the bound itself: TensorFlow reserves address
# space it never touches (``import tensorflow``: 1.9 GB of address space for 0.25 GB of
# anonymous memory on 2 cores; thread stacks grow it with the cores), so an address-space cap at
# the limit made an honest ``import tensorflow`` fail to load its library. RLIMIT_DATA counts
# only private writable memory (0.36 GB for that import, thread stacks included): an allocation
# past it fails at once with MemoryError, before it can touch the host's memory. Shared
# anonymous memory escapes RLIMIT_DATA; the watchdog counts it, and RLIMIT_AS stops it far out.
DATA_HEADROOM_MB = 2048
ADDRESS_SPACE_HEADROOM_MB = 16 * 1024


class SandboxMode(str, Enum):
    BWRAP = "bwrap"
    USER = "user"  # a bare process as an unprivileged user: needs root, no namespaces
    PROCESS = "process"


class SandboxUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class SandboxConfig:
    mode: SandboxMode
    memory_mb: int = 1024
    env: dict[str, str] = field(default_factory=dict)
    # The user mode's uid: one per submission, so that a submission can neither touch another
    # one's folder nor leave processes behind that survive its cleanup (kill_processes_of).
    uid: int = field(default_factory=lambda: SUBMISSION_UIDS.start + secrets.randbelow(len(SUBMISSION_UIDS)))
    # Under bubblewrap, fork each worker from a pre-warmed sandbox that has imported ``preload``
    # (forkserver.py) rather than start an interpreter per submission.
    prewarmed: bool = True
    preload: tuple[str, ...] = ()


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
    # glibc reserves 64 MB of address space per malloc arena, up to 8 arenas per core; TensorFlow
    # starts two pools of threads per core unless told (a student may import it in any assignment).
    "MALLOC_ARENA_MAX": "4",
    "TF_NUM_INTEROP_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
}


@lru_cache(maxsize=1)
def _bwrap_sizes_tmpfs() -> bool:
    """Whether this bubblewrap can cap a tmpfs's size (``--size``, since 0.5)."""
    try:
        usage = subprocess.run([shutil.which("bwrap") or "bwrap", "--help"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--size" in usage.stdout + usage.stderr


def _tmpfs(path: str, size: int) -> list[str]:
    """A tmpfs at ``path``: its files live in the host's memory, so it is capped where bwrap can."""
    return (["--size", str(size)] if _bwrap_sizes_tmpfs() else []) + ["--tmpfs", path]


def _bwrap_base_args() -> list[str]:
    return [
        shutil.which("bwrap") or "bwrap", "--unshare-all", "--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY),
        "--die-with-parent", "--new-session", "--clearenv",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
        # /dev and / are tmpfs too, writable without a cap: read-only once set up (see bwrap_command).
        "--proc", "/proc", "--dev", "/dev", *_tmpfs("/dev/shm", SHM_BYTES), "--remount-ro", "/dev",
        *_tmpfs("/tmp", TMP_BYTES),
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


@lru_cache(maxsize=1)
def user_mode_problem() -> str | None:
    """Why the child cannot run as the unprivileged user here, or None when it can."""
    if os.geteuid() != 0:
        return "switching to an unprivileged user needs root"
    try:
        probe = subprocess.run([sys.executable, "-I", "-c", "import numpy"], capture_output=True, timeout=60,
                               cwd="/", env=BASE_ENV, user=NOBODY, group=NOBODY, extra_groups=[])
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"cannot start Python as uid {NOBODY}: {error}"
    if probe.returncode != 0:
        reason = probe.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        return (f"uid {NOBODY} cannot run {sys.executable} with numpy ({reason[0]}); "
                "the Python installation must be readable by every user")
    return None


@lru_cache(maxsize=1)
def _world_readable_child_dir() -> Path:
    """A copy of the worker's files that the unprivileged user can read (the package may not be)."""
    folder = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
    for source in CHILD_DIR.glob("*.py"):
        shutil.copyfile(source, folder / source.name)
        (folder / source.name).chmod(0o644)
    folder.chmod(0o755)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _hand_over(staging_dir: Path, uid: int) -> None:
    """Give the submission's user its working folder (private to it), and a path to it through
    the grader's private temporary folders (traverse only: they cannot be listed)."""
    for path in (staging_dir, *staging_dir.rglob("*")):
        os.chown(path, uid, uid, follow_symlinks=False)
    staging_dir.chmod(0o700)
    temp_root = Path(tempfile.gettempdir()).resolve()
    for parent in staging_dir.parents:
        if not _is_within(parent, temp_root) or parent == temp_root:
            break
        parent.chmod(parent.stat().st_mode | 0o111)


def default_mode() -> SandboxMode:
    return SandboxMode.BWRAP if bwrap_problem() is None else SandboxMode.PROCESS


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _python_roots() -> list[Path]:
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent.parent}
    return sorted(r for r in roots if not _is_within(r, Path("/usr")))


def bwrap_command(config: SandboxConfig, python_args: list[str], *, zygote: bool = False) -> list[str]:
    """The sandbox, with an empty ``/submission``: a capped tmpfs that the worker fills from its
    payload descriptor, or, for a pre-warmed sandbox, a mount point for each child's own.

    ``/proc`` is read-only for a worker: started by root, the sandbox's uid is root's on the
    host, which the kernel lets write /proc/sys (kernel.core_pattern among them) without any
    capability. A zygote's children write their namespace's uid map there first, then make it
    read-only themselves (child/confine.py)."""
    args = _bwrap_base_args()
    if not zygote:
        args += ["--remount-ro", "/proc"]
    roots = _python_roots()
    for root in roots:
        args += ["--ro-bind", str(root), str(root)]
    # A non-editable install would put the package (and its hidden tests) inside a bound
    # environment: hide it behind an empty tmpfs.
    for secret in (PACKAGE_DIR, SOLUTIONS_DIR):
        if any(_is_within(secret, root) for root in roots) or _is_within(secret, Path("/usr")):
            args += ["--tmpfs", str(secret), "--remount-ro", str(secret)]
    args += ["--ro-bind", str(CHILD_DIR), SANDBOX_GRADER_DIR]
    args += [*_tmpfs(SANDBOX_SUBMISSION_DIR, payload.MAX_BYTES), "--chdir", SANDBOX_SUBMISSION_DIR]
    # The root is a tmpfs bwrap made: read-only, so that the only places to write are /tmp and
    # /dev/shm (capped) and /submission (on disk, watched by the watchdog).
    args += ["--remount-ro", "/"]
    for key, value in {**BASE_ENV, **config.env}.items():
        args += ["--setenv", key, value]
    return [*args, "--", *python_args]


def memory_rlimits(memory_mb: int) -> tuple[int, int]:
    """(RLIMIT_DATA, RLIMIT_AS) in bytes for a sandbox whose processes may hold ``memory_mb``
    together: backstops above the watchdog's limit (see DATA_HEADROOM_MB)."""
    return (memory_mb + DATA_HEADROOM_MB) * 2**20, (memory_mb + ADDRESS_SPACE_HEADROOM_MB) * 2**20


def _limits_prefix(memory_mb: int, processes: int | None) -> list[str]:
    """``prlimit`` sets the limits by exec, which is safe where a preexec_fn is not (threads).

    RLIMIT_NPROC counts every process of the real uid, so it bounds a fork bomb only where the
    child has a uid of its own (the user mode); bubblewrap's PID namespace dies with its init.
    """
    data, address_space = memory_rlimits(memory_mb)
    nproc = [f"--nproc={processes}"] if processes else []
    return [shutil.which("prlimit") or "prlimit", f"--data={data}", f"--as={address_space}", "--core=0",
            f"--fsize={MAX_FILE_BYTES}", f"--nofile={MAX_OPEN_FILES}", *nproc, "--"]


def _limit_resources(memory_mb: int, processes: int | None):
    """The fallback where util-linux's prlimit is missing."""
    def apply() -> None:
        data, address_space = memory_rlimits(memory_mb)
        resource.setrlimit(resource.RLIMIT_DATA, (data, data))
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
        resource.setrlimit(resource.RLIMIT_NOFILE, (MAX_OPEN_FILES, MAX_OPEN_FILES))
        if processes:
            resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))

    return apply


def kill_processes_of(config: SandboxConfig) -> None:
    """In the user mode, kill every process of the submission's uid, including any that left
    the child's session (a daemon); ``kill(-1)`` run as that uid reaches exactly those."""
    if config.mode is not SandboxMode.USER:
        return
    try:
        subprocess.run(["kill", "-KILL", "-1"], user=config.uid, group=config.uid, extra_groups=[],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10, close_fds=True)
    except (OSError, subprocess.TimeoutExpired):
        pass


def end_processes_of(config: SandboxConfig, timeout_s: float = 5.0) -> None:
    """In the user mode, kill the submission's uid's processes and wait (at most ``timeout_s``)
    until none is left. A SIGKILL is delivered asynchronously: a process in the middle of a call
    finishes it first, and a crowd of them takes a while to go. The next child of the same
    submission must not start among them (the watchdog would count them as its own)."""
    if config.mode is not SandboxMode.USER:
        return
    deadline = time.monotonic() + timeout_s
    kill_processes_of(config)
    while processes_of_uid(config.uid) and time.monotonic() < deadline:
        time.sleep(0.02)
        kill_processes_of(config)


# Where any uid may write on a host without namespaces: what the user mode's submission leaves
# there is removed once all its processes are dead (remove_files_of).
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")


def remove_files_of(config: SandboxConfig) -> None:
    """In the user mode, once every process of the submission's uid is dead: remove what it
    left in the world-writable folders (and in world-writable folders inside them), so that
    nothing it wrote outlives it. Entries are judged by their owner without following links,
    and folders go with ``rmtree``, which works through descriptors."""
    if config.mode is not SandboxMode.USER:
        return
    # A process in the middle of writing a file finishes that call first: wait until none is left.
    end_processes_of(config)
    for folder in WORLD_WRITABLE:
        _remove_owned(folder, config.uid, depth=3)


def processes_of_uid(uid: int, limit: int | None = None) -> list[int]:
    """The processes owned by ``uid`` (the user mode's submission), at most ``limit`` of them."""
    found = []
    for name in os.listdir("/proc"):
        if limit is not None and len(found) >= limit:
            break
        try:
            if name.isdigit() and os.stat(f"/proc/{name}").st_uid == uid:
                found.append(int(name))
        except OSError:
            continue
    return found


def _remove_owned(folder: str, uid: int, depth: int) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
            is_folder = entry.is_dir(follow_symlinks=False)
            if info.st_uid == uid:
                if is_folder:
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            elif is_folder and info.st_mode & 0o002 and depth > 1:  # another world-writable folder
                _remove_owned(entry.path, uid, depth - 1)
        except OSError:
            continue


def _popen_sandboxed(config: SandboxConfig, staging_dir: Path | None, script: str, script_args: list[str], *,
                     stdin, stdout, stderr, pass_fds: tuple[int, ...] = ()) -> subprocess.Popen:
    """Start ``python -I child/SCRIPT ARGS`` in the sandbox, in its own session, under the limits;
    ``script_args`` name the submission's files as the child sees them (see submission_path).
    ``staging_dir`` is the child's working folder outside bubblewrap (None under it)."""
    if config.mode is SandboxMode.BWRAP:
        command = bwrap_command(config, [sys.executable, "-I", "-B", f"{SANDBOX_GRADER_DIR}/{script}", *script_args],
                                zygote=script == "zygote.py")
        cwd, env = None, {}
    else:
        child_dir = _world_readable_child_dir() if config.mode is SandboxMode.USER else CHILD_DIR
        command = [sys.executable, "-I", "-B", str(child_dir / script), *script_args]
        cwd, env = str(staging_dir), {**BASE_ENV, **config.env}
    user = {}
    if config.mode is SandboxMode.USER:
        _hand_over(staging_dir, config.uid)
        user = {"user": config.uid, "group": config.uid, "extra_groups": []}
    processes = MAX_THREADS if config.mode is SandboxMode.USER else None
    has_prlimit = shutil.which("prlimit") is not None
    if has_prlimit:
        command = _limits_prefix(config.memory_mb, processes) + command
    return subprocess.Popen(
        command,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        cwd=cwd,
        env=env,
        start_new_session=True,
        preexec_fn=None if has_prlimit else _limit_resources(config.memory_mb, processes),
        close_fds=True,
        pass_fds=pass_fds,
        **user,
    )


def submission_path(config: SandboxConfig, staging_dir: Path, module_filename: str) -> str:
    """The student's module as the sandboxed child sees it."""
    if config.mode is SandboxMode.BWRAP:
        return f"{SANDBOX_SUBMISSION_DIR}/{module_filename}"
    return str(staging_dir / module_filename)


def spawn_worker(config: SandboxConfig, workdir: Path, module_filename: str, module_name: str,
                 stderr_file, payload_fd: int | None = None) -> subprocess.Popen:
    """Start the worker for ``module_filename``; its stdin/stdout are the pipes. Under bubblewrap
    the worker unpacks the submission from ``payload_fd`` into its own /submission; elsewhere it
    works in ``workdir`` (the user mode's fresh private copy, or the staged folder)."""
    if config.mode is SandboxMode.BWRAP:
        return _popen_sandboxed(config, None, "worker.py",
                                [submission_path(config, workdir, module_filename), module_name, str(payload_fd)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr_file,
                                pass_fds=(payload_fd,))
    confine = ["confine"] if config.mode is SandboxMode.USER else []
    return _popen_sandboxed(config, workdir, "worker.py",
                            [submission_path(config, workdir, module_filename), module_name, *confine],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr_file)


def spawn_zygote(config: SandboxConfig, control_fd: int, log_file) -> subprocess.Popen:
    """Start a pre-warmed sandbox (child/zygote.py) serving on ``control_fd``; it imports
    ``config.preload`` before any submission is known."""
    return _popen_sandboxed(config, None, "zygote.py", [str(control_fd), *config.preload],
                            stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file, pass_fds=(control_fd,))
