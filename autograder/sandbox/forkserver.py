"""Pre-warmed sandboxes: one per grading thread, forking a fresh worker for each submission.

Starting a sandboxed interpreter and importing numpy costs about 0.2 s of CPU, and importing
Keras 4 s or more: as much as grading a numeric submission, and most of what grading a model
adds to its training. A :class:`ForkServer` pays it once. It starts the same sandbox as
launcher.spawn_worker (bubblewrap, the same limits) around child/zygote.py, which imports
those modules and then forks one child per submission.

Nothing is copied into the sandbox: each fork request carries a read-only descriptor on the
submission's files (child/payload.py), which the confined child unpacks into a /submission of
its own (child/confine.py), so the host never writes into a folder a sandbox can write. Before
each fork the zygote's resource limits, nice level and CPU affinity are compared with what they
were at start: a sandbox whose zygote was changed is replaced, never forked from. Only under
bubblewrap: in the other modes each worker is spawned.
"""

from __future__ import annotations

import json
import multiprocessing.util
import os
import select
import signal
import socket
import subprocess
import tempfile
import threading

from autograder.sandbox.launcher import SandboxConfig, spawn_zygote
from autograder.sandbox.watchdog import process_tree

START_TIMEOUT_S = 300.0  # importing Keras on a loaded machine; not the student's time
REPLY_TIMEOUT_S = 15.0
MAX_REPLY_BYTES = 64 * 1024
LOG_TAIL_BYTES = 2000


class ForkServerGone(RuntimeError):
    """The pre-warmed sandbox stopped answering; it has been killed and is replaced on next use."""


class ConfinementUnavailable(ForkServerGone):
    """This kernel does not let a pre-warmed sandbox confine its children (nested namespaces,
    mounts, seccomp): the grader spawns a sandbox per child instead."""


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


def zygote_settings(pid: int) -> tuple:
    """What every forked child inherits from the zygote and a process of the same uid could
    change from outside (prlimit(2), setpriority(2), sched_setaffinity(2)): its resource limits,
    nice level and CPU affinity, as the host reads them."""
    with open(f"/proc/{pid}/limits") as limits:
        return limits.read(), os.getpriority(os.PRIO_PROCESS, pid), frozenset(os.sched_getaffinity(pid))


class ForkServer:
    """A sandbox that has imported ``config.preload`` and forks a worker on request."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self._log = tempfile.TemporaryFile()
        self._gone = False
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._control = ours
        try:
            self.process = spawn_zygote(config, theirs.fileno(), self._log)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        ready = self._receive(START_TIMEOUT_S)
        self.zygote_pid = _host_pid_of(int(ready.get("pid", 0)), self.process.pid)
        if ready.get("status") != "ready" or self.zygote_pid is None:
            self.close()
            raise ForkServerGone("the pre-warmed sandbox did not start properly")
        if ready.get("confined") is not True:
            tail = self._log_tail()
            self.close()
            raise ConfinementUnavailable("a pre-warmed sandbox cannot confine its children here"
                                         + (f": {tail[-300:]}" if tail else ""))
        try:
            self._settings = zygote_settings(self.zygote_pid)
        except OSError:
            self.close()
            raise ForkServerGone("the pre-warmed sandbox ended") from None

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

    def unchanged(self) -> bool:
        """Whether the zygote's limits, nice level and affinity are still those it started with."""
        try:
            return zygote_settings(self.zygote_pid) == self._settings
        except OSError:
            return False

    def fork(self, module_path: str, module_name: str, stderr_file, payload_fd: int) -> ZygoteChild:
        """A confined child serving ``module_path``, unpacked from ``payload_fd`` (payload.py)."""
        if not self.unchanged():
            self.close()
            raise ForkServerGone("the pre-warmed sandbox's limits, priority or affinity were changed")
        requests_read, requests_write = os.pipe()
        responses_read, responses_write = os.pipe()
        try:
            reply = self._request({"op": "fork", "module": module_path, "name": module_name},
                                  (requests_read, responses_write, stderr_file.fileno(), payload_fd))
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
        """Kill the whole sandbox (its PID namespace dies with it)."""
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
