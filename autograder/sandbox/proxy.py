"""The trusted side of the sandbox: call a student's functions in the child, with time limits.

A hang, crash or exit fails only the call in which it happened: the child is killed and the
next call starts a fresh one. Every call counts against the submission's total time budget.
While a child lives, a watchdog (watchdog.py) bounds its processes, their memory together and
its working folder's size. Under bubblewrap the child is forked from a pre-warmed sandbox
(forkserver.py), or spawned where the kernel does not let it confine its children; elsewhere it
is a new process.

Where the child's files come from: under bubblewrap, a read-only descriptor on the staged
submission that the child unpacks into its own /submission (child/payload.py); in the user
mode, a fresh copy that the host makes for each child in a new root-only folder before handing
it to the submission's uid, and removes (symlink-safe) once every process of that uid is dead.
Either way the host never writes into a folder a live sandbox could have written.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import Limits
from autograder.checks import CheckFailure, Stage
from autograder.engine import calls
from autograder.i18n import _, _f
from autograder.sandbox.child import payload, protocol
from autograder.sandbox.forkserver import (ConfinementUnavailable, ForkServer, ForkServerGone, ZygoteChild,
                                           forkserver_for)
from autograder.sandbox.launcher import (SandboxConfig, SandboxMode, end_processes_of, remove_files_of, spawn_worker,
                                         submission_path)
from autograder.sandbox.watchdog import Watchdog, files_of, restore_folder

STDERR_TAIL_BYTES = 4096
EXIT_GRACE_S = 1.0
# A function that hung this often is not called again: a hang costs a bounded time.
MAX_TIMEOUTS_PER_FUNCTION = 2


class _Timeout(Exception):
    pass


class _ChildGone(Exception):
    pass


@dataclass(frozen=True)
class ImportFailure:
    """The module could not be imported; ``kind`` is 'syntax_error', 'exception', 'timeout' or 'crash'."""

    kind: str
    message: str


def _describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return _("it stopped answering")
    if returncode < 0:
        signal_number = -returncode
        name = signal.Signals(signal_number).name if signal_number in signal.Signals._value2member_map_ else str(signal_number)
        if signal_number == signal.SIGKILL:
            return _f("killed by signal {signal} (out of memory?)", signal=name)
        return _f("killed by signal {signal}", signal=name)
    return _f("it exited with code {code}", code=returncode)


# Why pre-warmed sandboxes are not used, once one has said that it cannot confine its children
# on this kernel: every later child is spawned in a sandbox of its own (launcher.spawn_worker).
_prewarming_refused: str | None = None


class SandboxedSubmission:
    """A student's module living in a sandboxed child process.

    ``submission.softmax(x)`` sends the call to the child and returns a plain-data copy of the
    result, or raises a :class:`CheckFailure` that says what went wrong.
    """

    def __init__(self, staging_dir: Path, module_filename: str, module_name: str, limits: Limits,
                 config: SandboxConfig):
        self._staging_dir = Path(staging_dir)
        self._module_filename = module_filename
        self._module_name = module_name
        self._limits = limits
        self._config = config
        self._process: subprocess.Popen | None = None
        self._watchdog: Watchdog | None = None
        self._breach: str | None = None  # why the watchdog killed the last child, if it did
        self._buffer = bytearray()
        self._next_id = 0
        self._timeouts: dict[str, int] = {}
        self._budget_deadline = time.monotonic() + limits.total_timeout_s
        self._stderr = tempfile.TemporaryFile()
        # The process mode works in the staged folder itself, restored after a breach.
        self._original_files = files_of(self._staging_dir) if config.mode is SandboxMode.PROCESS else {}
        self._payload_fd: int | None = None  # bubblewrap: the submission's files, packed once
        self._private_copy: Path | None = None  # the user mode: this child's own folder
        self._forkserver: ForkServer | None = None  # the pre-warmed sandbox of our last child, if any
        self.import_failure: ImportFailure | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> ImportFailure | None:
        """Start the child and import the module; return why the import failed, if it did."""
        self._kill()
        global _prewarming_refused
        if self._config.mode is SandboxMode.BWRAP and self._config.prewarmed and _prewarming_refused is None:
            try:
                self._fork_child()
            except ConfinementUnavailable as error:
                _prewarming_refused = str(error)
        if self._process is None:
            workdir = self._child_workdir()
            self._process = spawn_worker(self._config, workdir, self._module_filename, self._module_name,
                                         self._stderr, self._packed())
            watched = None if self._config.mode is SandboxMode.BWRAP else workdir
            self._watchdog = Watchdog(self._process.pid, self._config, watched)
        os.set_blocking(self._process.stdout.fileno(), False)
        deadline = min(time.monotonic() + self._limits.import_timeout_s, self._budget_deadline)
        try:
            ready = self._read_message(deadline)
            if ready.get("status") != "ready":
                raise protocol.ProtocolError("the worker did not start properly")
            answer = self._read_message(deadline)
        except _Timeout:
            self._kill()
            return self._fail_import("timeout", _f("importing your module took longer than {seconds} s",
                                                   seconds=format(self._limits.import_timeout_s, "g")))
        except (_ChildGone, protocol.ProtocolError):
            code = self._kill()
            return self._fail_import("crash", _f("the process importing your module ended: {how}",
                                                 how=self._why_ended(code)))
        if answer.get("status") == "imported":
            self.import_failure = None
            return None
        self._kill()
        kind = "syntax_error" if answer.get("kind") == "syntax_error" else "exception"
        return self._fail_import(kind, calls.import_failed(kind, str(answer.get("type", "")), str(answer.get("message", "")),
                                                           str(answer.get("where", "")), memory_mb=self._config.memory_mb))

    def _packed(self) -> int | None:
        """Under bubblewrap, the read-only descriptor on the submission's files (packed once)."""
        if self._config.mode is not SandboxMode.BWRAP:
            return None
        if self._payload_fd is None:
            self._payload_fd = payload.pack(self._staging_dir)
        return self._payload_fd

    def _child_workdir(self) -> Path:
        """The host folder a spawned child works in. The user mode gets a fresh copy in a new
        root-only folder for every child (the last one's was removed when it was killed)."""
        if self._config.mode is not SandboxMode.USER:
            return self._staging_dir
        self._private_copy = Path(tempfile.mkdtemp(prefix="autograder-user-"))
        shutil.copytree(self._staging_dir, self._private_copy, symlinks=True, dirs_exist_ok=True)
        return self._private_copy

    def _remove_private_copy(self) -> None:
        """Once every process of the submission's uid is dead. ``rmtree`` works through
        descriptors, never following a link a process left there."""
        copy, self._private_copy = self._private_copy, None
        if copy is not None:
            shutil.rmtree(copy, ignore_errors=True)

    def _fork_child(self) -> None:
        """A child forked by this thread's pre-warmed sandbox. A sandbox that a watchdog or a
        child ended, or whose zygote was changed, is replaced once."""
        module_path = submission_path(self._config, self._staging_dir, self._module_filename)
        for attempt in range(2):  # a server that ended since its last use is replaced once
            server = forkserver_for(self._config)
            self._forkserver = server
            try:
                self._process = server.fork(module_path, self._module_name, self._stderr, self._packed())
                break
            except ConfinementUnavailable:
                raise
            except ForkServerGone:
                if attempt:
                    raise
        self._watchdog = Watchdog(server.process.pid, self._config, None, exclude=server.zygote_pid)

    def _fail_import(self, kind: str, message: str) -> ImportFailure:
        self.import_failure = ImportFailure(kind, message)
        return self.import_failure

    def close(self) -> None:
        if self._watchdog is not None:
            self._breach = self._watchdog.stop()
        if isinstance(self._process, subprocess.Popen) and self._process.poll() is None:
            try:
                self._process.stdin.close()  # EOF asks the worker to leave
                self._process.wait(timeout=EXIT_GRACE_S)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()
        remove_files_of(self._config)  # the user mode: what its uid left in /tmp and the like
        if self._payload_fd is not None:
            os.close(self._payload_fd)
            self._payload_fd = None
        self._stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def stderr_tail(self) -> str:
        """The last few KB the student's code printed (its stdout and stderr together)."""
        try:
            size = self._stderr.seek(0, os.SEEK_END)
            self._stderr.seek(max(0, size - STDERR_TAIL_BYTES))
            return self._stderr.read().decode("utf-8", errors="replace")
        except (OSError, ValueError):
            return ""

    def _why_ended(self, returncode: int | None) -> str:
        return self._breach or _describe_exit(returncode)

    def _kill(self) -> int | None:
        process, self._process = self._process, None
        watchdog, self._watchdog = self._watchdog, None
        self._buffer.clear()
        self._breach = watchdog.stop() if watchdog is not None else None
        if process is None:
            return None
        if isinstance(process, ZygoteChild):
            for stream in (process.stdin, process.stdout):
                stream.close()
            # After a watchdog's kill the sandbox is gone; the next child comes from a new one.
            return process.end()
        restore = watchdog is not None and watchdog.workdir_breached and self._config.mode is SandboxMode.PROCESS
        # The whole session, even when its leader has exited: children it left running go too.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        end_processes_of(self._config)  # the user mode: every process of its uid, gone before the next child
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            code = process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        if restore:  # the next call's child starts from the submission as it was staged
            restore_folder(self._staging_dir, self._original_files)
        self._remove_private_copy()
        return code

    # -- calls -----------------------------------------------------------------------------

    def call(self, name: str, *args, **kwargs):
        return self._call(name, args, kwargs, read_only=False)

    def read_only(self, name: str):
        """``name``'s function, called so that changing an argument in place fails the test: the
        worker compares the arguments before and after the call (sandbox/child/unchanged.py)."""
        return lambda *args, **kwargs: self._call(name, args, kwargs, read_only=True)

    def _call(self, name: str, args, kwargs: dict, *, read_only: bool):
        if self._timeouts.get(name, 0) >= MAX_TIMEOUTS_PER_FUNCTION:
            raise CheckFailure(Stage.TIMEOUT, _f("{name}() timed out {count} times already; it was not called again",
                                                 name=name, count=MAX_TIMEOUTS_PER_FUNCTION))
        if self._process is None:
            failure = self.start()
            if failure is not None:
                raise CheckFailure(Stage.CRASH, _f("could not call {name}(): {reason}", name=name,
                                                   reason=failure.message))
        remaining = self._budget_deadline - time.monotonic()
        if remaining <= 0:
            raise CheckFailure(Stage.TIMEOUT, _f("the time budget for this submission ({seconds} s) is used up",
                                                 seconds=format(self._limits.total_timeout_s, "g")))
        timeout = min(self._limits.call_timeout_s, remaining)
        deadline = time.monotonic() + timeout
        self._next_id += 1
        request = protocol.encode_frame({"op": "call", "id": self._next_id, "name": name,
                                         "args": list(args), "kwargs": dict(kwargs), "read_only": read_only})
        try:
            self._write(request, deadline)
            reply = self._read_message(deadline)
            while reply.get("id") != self._next_id:  # stale or forged frames are skipped
                reply = self._read_message(deadline)
        except _Timeout:
            self._kill()
            self._timeouts[name] = self._timeouts.get(name, 0) + 1
            raise calls.timed_out(name, timeout) from None
        except (_ChildGone, protocol.ProtocolError, BrokenPipeError) as error:
            code = self._kill()
            malformed = isinstance(error, protocol.ProtocolError) and not self._breach
            how = str(error) if malformed else self._why_ended(code)
            raise calls.crashed(name, how) from None
        return self._result_of(name, reply, self._config.memory_mb)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)

    @staticmethod
    def _result_of(name: str, reply: dict, memory_mb: int):
        status = reply.get("status")
        if status == "ok":
            return reply.get("value")
        if status == "not_implemented":
            raise calls.not_attempted(name)
        if status == "missing":
            raise calls.missing(name)
        if status == "not_callable":
            raise calls.not_callable(name, str(reply.get("type")))
        if status == "raised":
            raise calls.raised(name, str(reply.get("type")), str(reply.get("message", "")), str(reply.get("where", "")),
                               memory_mb=memory_mb)
        if status == "modified_input":
            raise calls.modified_input(name, str(reply.get("where", "")))
        if status == "unencodable":
            raise calls.unencodable(name, str(reply.get("message", "")))
        raise calls.crashed(name, _f("unexpected reply {status}", status=repr(status)))

    # -- pipe I/O with deadlines ------------------------------------------------------------

    def _write(self, data: bytes, deadline: float) -> None:
        fd = self._process.stdin.fileno()
        os.set_blocking(fd, False)
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            _, writable, _ = select.select([], [fd], [], remaining)
            if writable:
                try:
                    view = view[os.write(fd, view):]
                except BlockingIOError:
                    continue
                except (BrokenPipeError, OSError):
                    raise _ChildGone from None

    def _fill(self, size: int, deadline: float) -> None:
        fd = self._process.stdout.fileno()
        while len(self._buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            readable, _, _ = select.select([fd], [], [], remaining)
            if not readable:
                continue
            try:
                chunk = os.read(fd, max(size - len(self._buffer), 1 << 16))
            except BlockingIOError:
                continue
            if not chunk:
                raise _ChildGone
            self._buffer += chunk

    def _take(self, size: int, deadline: float) -> bytes:
        self._fill(size, deadline)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _read_message(self, deadline: float) -> dict:
        """The next frame from the child. Whatever is wrong with a frame is the child's doing and
        raises ProtocolError (the caller then kills the child, with whatever else it had queued in
        the pipe): it is never a grader error, and never read as the reply to a later call."""
        header_length = protocol.parse_header_length(self._take(protocol.HEADER_PREFIX_BYTES, deadline))
        header = self._take(header_length, deadline)
        blobs = [self._take(size, deadline) for size in protocol.blob_sizes_of(header)]
        message = protocol.decode_frame(header, blobs)
        if type(message.get("status")) is not str:
            raise protocol.ProtocolError(_("malformed reply: no status"))
        return message
