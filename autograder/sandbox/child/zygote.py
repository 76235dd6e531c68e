"""A pre-warmed sandbox: imports numpy (and Keras) once, then forks a fresh worker per submission.

Run inside the sandbox as ``python -I zygote.py CONTROL_FD [MODULE ...]``: it imports the
modules named (never any student's code), then serves the grader on CONTROL_FD, a Unix
SOCK_SEQPACKET socket, one JSON message per packet:

- ``fork`` with four descriptors (request pipe, response pipe, output file, the submission's
  files packed by payload.py): fork a child that confines itself (confine.py: namespaces of its
  own, in which it is PID 1; private capped /tmp, /dev/shm and /submission; no capabilities;
  a seccomp filter), unpacks the submission into its /submission, takes the first three
  descriptors as its stdin, stdout and stderr and runs worker.py's ``main``. A fork costs
  milliseconds where a new interpreter costs 0.2 s with numpy and 4 s or more with Keras.
- ``reset``: end the child and everything it started, and check that the sandbox is as it was
  before the child: the reply says ``clean``, or ``dirty`` when that could not be made sure
  (the grader then throws this sandbox away and starts another).

Why a child cannot reach the next submission through this process, bubblewrap's init or the
sandbox's shared folders: it lives in a user namespace nested in the sandbox's, so it has no
capability over any process outside it (no ptrace, no /proc/PID/mem), and in a PID namespace of
its own, so it cannot name them either (kill, prlimit, setpriority, sched_setaffinity); the
seccomp filter refuses those calls a second time. Its /tmp, /dev/shm and /submission are its
own tmpfs, gone with its mount namespace, and it cannot unmount them (no capabilities). When it
ends, the kernel kills everything else in its PID namespace. This process never runs or reads
student code and is not dumpable. Between children, every other process in the sandbox's PID
namespace is killed anyway, and the shared folders and System V IPC are checked; when anything
cannot be made sure, the sandbox is replaced. At start, it forks a confined child once to prove
that this kernel allows all of this: ``ready`` says ``confined`` true or false (the grader then
starts a sandbox per submission instead).
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

import confine  # noqa: E402
import payload  # noqa: E402
import worker  # noqa: E402

PR_SET_DUMPABLE = 4
MAX_PACKET_BYTES = 64 * 1024
# The folders that outlive a child inside the sandbox (tmpfs); /submission is the grader's to empty.
SHARED_FOLDERS = ("/tmp", "/dev/shm")
SUBMISSION_DIR = "/submission"
CONFINEMENT_FAILED = 70  # the exit code of a child that could not confine itself
MAX_ENTRIES_TO_REMOVE = 20_000
KILL_DEADLINE_S = 5.0
SYSV_IPC_TABLES = ("/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem")
IGNORED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
                   signal.SIGUSR2, signal.SIGPIPE, signal.SIGALRM, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)

_libc = ctypes.CDLL(None, use_errno=True)


def _set_dumpable(dumpable: bool) -> None:
    _libc.prctl(PR_SET_DUMPABLE, int(dumpable), 0, 0, 0)


# -- the child ------------------------------------------------------------------------------

def _confine(payload_fd: int | None) -> None:
    """In PID 1 of the child's own namespaces: private folders (the submission unpacked into its
    own), no capabilities, the seccomp filter. Raises if any step fails."""
    confine.confine_worker(tmp_bytes=confine.TMP_BYTES, shm_bytes=confine.SHM_BYTES,
                           work_bytes=payload.MAX_BYTES, work_files=payload.MAX_FILES)
    os.chdir(SUBMISSION_DIR)  # the new tmpfs, not the folder it covers
    confine.drop_capabilities()
    if payload_fd is not None:
        payload.unpack(payload_fd, SUBMISSION_DIR)
    if not confine.install_seccomp():
        raise confine.ConfinementError(0, "the seccomp filter could not be loaded")


def _fork_confined(run) -> int:
    """Fork a child that enters namespaces of its own and forks ``run``'s process as PID 1 there.
    Returns the first child's pid: it waits for the second and exits as it did (killed by a
    signal, it kills itself with the same one), so that its status is the worker's."""
    child = os.fork()
    if child:
        return child
    code = CONFINEMENT_FAILED
    try:
        confine.enter_namespaces()
        worker_pid = os.fork()
        if worker_pid == 0:
            run()  # never returns
        _set_dumpable(False)
        os.closerange(0, os.sysconf("SC_OPEN_MAX"))
        _, status = os.waitpid(worker_pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code < 0:
            try:
                signal.signal(-code, signal.SIG_DFL)
            except (OSError, ValueError):  # SIGKILL and SIGSTOP have no handler to reset
                pass
            os.kill(os.getpid(), -code)
            code = 128 - code
    except BaseException:  # noqa: BLE001 - the namespaces could not be made: say why
        traceback.print_exc()
    finally:
        os._exit(code)


def _become_worker(fds: list[int], module_path: str, module_name: str) -> None:
    """In the confined child: take the grader's descriptors, drop the zygote's, serve. Never returns."""
    code = 0
    try:
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        try:
            _confine(fds[3] if len(fds) > 3 else None)
        except BaseException:  # noqa: BLE001 - never run student code unconfined
            traceback.print_exc()
            os._exit(CONFINEMENT_FAILED)
        os.setsid()  # its own session, as a spawned worker has
        for number in IGNORED_SIGNALS:  # as a new interpreter sets them
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        _set_dumpable(True)  # like any process: its own /proc entries stay readable to it
        # A new interpreter seeds these from the OS; forked ones would all share the zygote's.
        random.seed()
        numpy.random.seed()
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


def _self_test() -> bool:
    """Whether a child can be confined here (nested namespaces, mounts, seccomp)."""
    def run() -> None:
        code = CONFINEMENT_FAILED
        try:
            _confine(None)
            code = 0
        except BaseException:  # noqa: BLE001
            traceback.print_exc()
        finally:
            os._exit(code)

    child = _fork_confined(run)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) == 0


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
    """What the shared folders hold when no child runs: path -> (inode, kind, size, mtime, ctime).

    The inode change time cannot be set by anyone: an edit that restores size and mtime still
    moves it."""
    snapshot = {}
    for folder in SHARED_FOLDERS:
        for path in _entries(folder):
            info = os.lstat(path)
            snapshot[path] = (info.st_ino, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
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
    confined = _self_test()
    _end_child(None)
    baseline = _snapshot()
    child: int | None = None
    control.send(json.dumps({"status": "ready", "pid": os.getpid(), "confined": confined}).encode())
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, MAX_PACKET_BYTES, 4)
        except OSError:
            return
        if not data:  # the grader closed its end
            return
        request = json.loads(data)
        if request.get("op") == "fork" and len(fds) == 4 and child is None:
            module, name = str(request["module"]), str(request["name"])
            child = _fork_confined(lambda: _become_worker(fds, module, name))
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
    confine.seccomp_available()  # loads libseccomp once, for every child
    for number in IGNORED_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    _set_dumpable(False)
    serve(control)


if __name__ == "__main__":
    main()
