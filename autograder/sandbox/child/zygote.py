"""A pre-warmed sandbox: imports numpy (and Keras) once, then forks a fresh worker per submission.

Run inside the sandbox as ``python -I zygote.py CONTROL_FD [MODULE ...]``: it imports the
modules named (never any student's code), then serves the grader on CONTROL_FD, a Unix
SOCK_SEQPACKET socket, one JSON message per packet:

- ``fork`` with three descriptors (request pipe, response pipe, output file): fork a child that
  takes them as its stdin, stdout and stderr and runs worker.py's ``main`` on the submission
  that the grader has just copied into /submission. A fork costs milliseconds where a new
  interpreter costs 0.2 s with numpy and 4 s or more with Keras.
- ``reset``: end the child and everything it started, and put the sandbox back as it was
  before the child: the reply says ``clean``, or ``dirty`` when that could not be made sure
  (the grader then throws this sandbox away and starts another).

Why a child cannot reach the next submission through this process: this process never runs or
reads student code; it is not dumpable, so the children (same uid, no capabilities) can
neither ptrace it nor read its memory; it ignores the signals it can ignore, and if a child
kills or stops it anyway, the grader sees it stop answering and replaces the whole sandbox.
Between children, every other process in the sandbox's PID namespace is killed, and what a
child could leave for the next one in memory-backed folders or System V IPC is removed or,
when it cannot be, the sandbox is replaced.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import random
import signal
import socket
import sys
import time
import traceback

import numpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import worker  # noqa: E402

PR_SET_DUMPABLE = 4
MAX_PACKET_BYTES = 64 * 1024
# The folders that outlive a child inside the sandbox (tmpfs); /submission is the grader's to empty.
SHARED_FOLDERS = ("/tmp", "/dev/shm")
MAX_ENTRIES_TO_REMOVE = 20_000
KILL_DEADLINE_S = 5.0
SYSV_IPC_TABLES = ("/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem")
IGNORED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
                   signal.SIGUSR2, signal.SIGPIPE, signal.SIGALRM, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)

_libc = ctypes.CDLL(None, use_errno=True)


def _set_dumpable(dumpable: bool) -> None:
    _libc.prctl(PR_SET_DUMPABLE, int(dumpable), 0, 0, 0)


# -- the child ------------------------------------------------------------------------------

def _become_worker(fds: list[int], module_path: str, module_name: str) -> None:
    """In the forked child: take the grader's descriptors, drop the zygote's, serve. Never returns."""
    code = 0
    try:
        os.setsid()  # its own session, as a spawned worker has
        for number in IGNORED_SIGNALS:  # as a new interpreter sets them
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        _set_dumpable(True)  # like any process: its own /proc entries stay readable to it
        # A new interpreter seeds these from the OS; forked ones would all share the zygote's.
        random.seed()
        numpy.random.seed()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # the control socket above all
        worker.main(module_path, module_name)
    except SystemExit as exit_request:
        code = exit_request.code if isinstance(exit_request.code, int) else 1
    except BaseException:  # noqa: BLE001 - printed for the stderr tail, as an interpreter would
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stderr.flush()
        finally:
            os._exit(code)


# -- between children -----------------------------------------------------------------------

def _state(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"


def _others_alive() -> bool:
    """Whether a process other than the namespace's init and this one still lives (zombies aside)."""
    me = str(os.getpid())
    return any(name.isdigit() and name not in ("1", me) and _state(name) not in ("Z", "X", "gone")
               for name in os.listdir("/proc"))


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _end_child(child: int | None) -> int | None:
    """Kill the child and every process it left; return the child's exit code like Popen's."""
    returncode = None
    if child is not None:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid == 0:
            os.kill(child, signal.SIGKILL)
            pid, status = os.waitpid(child, 0)
        returncode = os.waitstatus_to_exitcode(status)
    deadline = time.monotonic() + KILL_DEADLINE_S
    # kill(-1) reaches every process this one may signal, which in this PID namespace is all of
    # them but init and itself; repeated, since a fork bomb can outrun one pass.
    while _others_alive():
        if time.monotonic() > deadline:
            raise RuntimeError("processes survived SIGKILL")
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _reap()
        time.sleep(0.001)
    _reap()
    return returncode


def _entries(folder: str) -> set[str]:
    """Every path under ``folder`` (links not followed), at most MAX_ENTRIES_TO_REMOVE of them.

    Mount points are listed but not entered: bubblewrap binds the Python installation where it
    lives on the host, which may be under /tmp (a checkout there), read-only.
    """
    device = os.lstat(folder).st_dev
    found: set[str] = set()
    stack = [folder]
    while stack:
        folder_now = stack.pop()
        try:
            listing = os.scandir(folder_now)
        except PermissionError:  # a child locked its own folder: unlock it, as its owner may
            os.chmod(folder_now, 0o700)
            listing = os.scandir(folder_now)
        with listing:
            for entry in listing:
                found.add(entry.path)
                if len(found) > MAX_ENTRIES_TO_REMOVE:
                    raise RuntimeError(f"too many files in {folder}")
                if entry.is_dir(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_dev == device:
                    stack.append(entry.path)
    return found


def _snapshot() -> dict[str, tuple]:
    """What the shared folders hold when no child runs: path -> (kind, size, mtime)."""
    snapshot = {}
    for folder in SHARED_FOLDERS:
        for path in _entries(folder):
            info = os.lstat(path)
            snapshot[path] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return snapshot


def _restore_shared_folders(baseline: dict[str, tuple]) -> None:
    """Remove what a child added to /tmp and /dev/shm; raise if anything else changed."""
    current = set()
    for folder in SHARED_FOLDERS:
        current |= _entries(folder)
    for path in sorted(current - baseline.keys(), key=len, reverse=True):  # deepest first
        parent = os.path.dirname(path)
        os.chmod(parent, 0o700)  # the child may have locked its own folder
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, 0o700)
            os.rmdir(path)
        else:
            os.unlink(path)
    if _snapshot() != baseline:
        raise RuntimeError("a file the sandbox started with was changed")


def _sysv_ipc_empty() -> bool:
    """System V IPC objects outlive their process: none may be left for the next child."""
    for table in SYSV_IPC_TABLES:
        try:
            with open(table) as listing:
                if len(listing.read().splitlines()) > 1:  # a header line, then one per object
                    return False
        except OSError:
            pass
    return True


# -- the server -----------------------------------------------------------------------------

def serve(control: socket.socket) -> None:
    baseline = _snapshot()
    child: int | None = None
    control.send(json.dumps({"status": "ready", "pid": os.getpid()}).encode())
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, MAX_PACKET_BYTES, 3)
        except OSError:
            return
        if not data:  # the grader closed its end
            return
        request = json.loads(data)
        if request.get("op") == "fork" and len(fds) == 3 and child is None:
            child = os.fork()
            if child == 0:
                _become_worker(fds, str(request["module"]), str(request["name"]))
            reply = {"status": "forked"}
        elif request.get("op") == "reset":
            try:
                returncode = _end_child(child)
                child = None
                _restore_shared_folders(baseline)
                reply = {"status": "clean" if _sysv_ipc_empty() else "dirty", "returncode": returncode}
            except (OSError, RuntimeError) as error:
                reply = {"status": "dirty", "why": str(error)[:200]}
        else:
            reply = {"status": "refused"}
        for fd in fds:
            os.close(fd)
        control.send(json.dumps(reply).encode())


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    for name in sys.argv[2:]:
        importlib.import_module(name)
    for number in IGNORED_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    _set_dumpable(False)
    serve(control)


if __name__ == "__main__":
    main()
