"""Pre-warmed sandboxes: one per grading thread, forking a fresh worker for each submission.

Starting a sandboxed interpreter and importing numpy costs about 0.2 s of CPU, and importing
Keras 4 s or more: as much as grading a numeric submission, and most of what grading a model
adds to its training. A :class:`ForkServer` pays it once. It starts the same sandbox as
launcher.spawn_worker (bubblewrap, the same limits) around child/zygote.py, which imports
those modules and then forks one child per submission.

A submission's files are copied into the sandbox's working folder (the slot) just before its
first child is forked, and removed after that child and everything it started have been
killed; so the slot only ever holds one submission, and the zygote never runs student code.
Only under bubblewrap: in the other modes each worker is spawned.
"""

from __future__ import annotations

import json
import multiprocessing.util
import os
import select
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
from pathlib import Path

from autograder.sandbox.launcher import SandboxConfig, spawn_zygote
from autograder.sandbox.watchdog import process_tree

START_TIMEOUT_S = 300.0  # importing Keras on a loaded machine; not the student's time
REPLY_TIMEOUT_S = 15.0
MAX_REPLY_BYTES = 64 * 1024
LOG_TAIL_BYTES = 2000


class ForkServerGone(RuntimeError):
    """The pre-warmed sandbox stopped answering; it has been killed and is replaced on next use."""


class ZygoteChild:
    """A forked worker, as the proxy sees it: its pipes, and the sandbox's pid for the watchdog."""

    def __init__(self, server: ForkServer, stdin, stdout):
        self.server = server
        self.pid = server.process.pid
        self.stdin = stdin
        self.stdout = stdout

    def end(self) -> int | None:
        """Kill it and all it started; its exit code (Popen's convention), None if unknown."""
        return self.server.end_child()


def _host_pid_of(namespace_pid: int, root_pid: int) -> int | None:
    """The host pid of the process under ``root_pid`` whose pid in its own namespace is given."""
    for pid in process_tree(root_pid, 16):
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("NSpid:") and int(line.split()[-1]) == namespace_pid and pid != root_pid:
                        return pid
        except (OSError, ValueError):
            continue
    return None


def _empty_folder(folder: Path) -> None:
    """Remove everything in ``folder``, even what a child made unwritable (links not followed)."""
    def unlock_and_retry(function, path, _):
        parent = os.path.dirname(path)
        os.chmod(parent, stat.S_IRWXU)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, stat.S_IRWXU)
        function(path)

    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, onerror=unlock_and_retry)
        else:
            os.unlink(entry.path)


class ForkServer:
    """A sandbox that has imported ``config.preload`` and forks a worker on request."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.slot = Path(tempfile.mkdtemp(prefix="autograder-slot-"))
        self.loaded_for: object | None = None  # whose files are in the slot
        self._log = tempfile.TemporaryFile()
        self._gone = False
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._control = ours
        try:
            self.process = spawn_zygote(config, self.slot, theirs.fileno(), self._log)
        except BaseException:
            ours.close()
            shutil.rmtree(self.slot, ignore_errors=True)
            raise
        finally:
            theirs.close()
        ready = self._receive(START_TIMEOUT_S)
        self.zygote_pid = _host_pid_of(int(ready.get("pid", 0)), self.process.pid)
        if ready.get("status") != "ready" or self.zygote_pid is None:
            self.close()
            raise ForkServerGone("the pre-warmed sandbox did not start properly")

    # -- the zygote's answers ------------------------------------------------------------------

    def _log_tail(self) -> str:
        try:
            size = self._log.seek(0, os.SEEK_END)
            self._log.seek(max(0, size - LOG_TAIL_BYTES))
            return self._log.read().decode("utf-8", errors="replace").strip()
        except (OSError, ValueError):
            return ""

    def _receive(self, timeout: float) -> dict:
        readable, _, _ = select.select([self._control], [], [], timeout)
        try:
            data = self._control.recv(MAX_REPLY_BYTES) if readable else b""
            reply = json.loads(data) if data else None
        except (OSError, ValueError):
            reply = None
        if not isinstance(reply, dict):
            why = "did not answer in time" if not readable else "ended"
            tail = self._log_tail()
            self.close()
            raise ForkServerGone(f"the pre-warmed sandbox {why}" + (f": {tail[-500:]}" if tail else ""))
        return reply

    def _request(self, message: dict, fds: tuple[int, ...] = ()) -> dict:
        if self._gone:
            raise ForkServerGone("the pre-warmed sandbox was closed")
        try:
            socket.send_fds(self._control, [json.dumps(message).encode()], list(fds))
        except OSError:
            self.close()
            raise ForkServerGone("the pre-warmed sandbox ended") from None
        return self._receive(REPLY_TIMEOUT_S)

    # -- what the proxy asks -------------------------------------------------------------------

    def alive(self) -> bool:
        return not self._gone and self.process.poll() is None

    def load(self, staging_dir: Path, owner: object) -> None:
        """Put one submission's files, and only those, into the slot."""
        _empty_folder(self.slot)
        shutil.copytree(staging_dir, self.slot, symlinks=True, dirs_exist_ok=True)
        self.loaded_for = owner

    def unload(self) -> None:
        """Empty the slot, once no child runs."""
        self.loaded_for = None
        try:
            _empty_folder(self.slot)
        except OSError:
            self.close()  # a slot that cannot be emptied is never handed to another submission

    def fork(self, module_path: str, module_name: str, stderr_file) -> ZygoteChild:
        requests_read, requests_write = os.pipe()
        responses_read, responses_write = os.pipe()
        try:
            reply = self._request({"op": "fork", "module": module_path, "name": module_name},
                                  (requests_read, responses_write, stderr_file.fileno()))
        except BaseException:
            os.close(requests_write)
            os.close(responses_read)
            raise
        finally:
            os.close(requests_read)
            os.close(responses_write)
        if reply.get("status") != "forked":
            os.close(requests_write)
            os.close(responses_read)
            self.close()
            raise ForkServerGone(f"the pre-warmed sandbox refused to fork: {reply}")
        return ZygoteChild(self, open(requests_write, "wb", buffering=0), open(responses_read, "rb", buffering=0))

    def end_child(self) -> int | None:
        """Kill the child and all it left behind; a sandbox that cannot be made clean is replaced."""
        try:
            reply = self._request({"op": "reset"})
        except ForkServerGone:
            return None
        if reply.get("status") != "clean":
            self.close()
        code = reply.get("returncode")
        return code if isinstance(code, int) else None

    def close(self) -> None:
        """Kill the whole sandbox (its PID namespace dies with it) and remove the slot."""
        if self._gone:
            return
        self._gone = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._control.close()
        self._log.close()
        shutil.rmtree(self.slot, ignore_errors=True)
        with _registry_lock:
            _open_servers.discard(self)


# One server per grading thread (a Dask worker may grade in several threads at once), for the
# latest configuration it was asked for: another assignment gets a sandbox of its own.
_per_thread = threading.local()
_open_servers: set[ForkServer] = set()
_registry_lock = threading.Lock()


def _key(config: SandboxConfig) -> tuple:
    return config.mode, config.memory_mb, tuple(sorted(config.env.items())), config.preload


def forkserver_for(config: SandboxConfig) -> ForkServer:
    """This thread's pre-warmed sandbox for ``config``, started (or replaced) if need be."""
    server: ForkServer | None = getattr(_per_thread, "server", None)
    if server is not None and (_key(server.config) != _key(config) or not server.alive()):
        server.close()
        server = None
    if server is None:
        server = ForkServer(config)
        _per_thread.server = server
        with _registry_lock:
            _open_servers.add(server)
    return server


def close_all() -> None:
    with _registry_lock:
        servers = list(_open_servers)
    for server in servers:
        server.close()


# Run at interpreter exit, and also when a multiprocessing worker exits (it skips atexit).
multiprocessing.util.Finalize(None, close_all, exitpriority=20)
