"""The trusted side of the sandbox: call a student's functions in the child, with time limits.

A hang, crash or exit fails only the call in which it happened: the child is killed and the
next call starts a fresh one. Every call counts against the submission's total time budget.
While a child lives, a watchdog counts its processes, their memory together and its working
folder's size: the limits the kernel sets are per process or per file, and a fork bomb, a crowd
of processes each under the memory limit or a folder of files each under the size limit would
otherwise be bounded only by the machine.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import Limits
from autograder.checks import CheckFailure, Stage
from autograder.engine import calls
from autograder.sandbox.child import protocol
from autograder.sandbox.launcher import (MAX_PROCESSES, MAX_WORKDIR_BYTES, MAX_WORKDIR_FILES, SandboxConfig,
                                         folder_usage, kill_processes_of, private_memory_bytes, sandbox_processes,
                                         spawn_worker)

STDERR_TAIL_BYTES = 4096
EXIT_GRACE_S = 1.0
# A function that hung this often is not called again: a hang costs a bounded time.
MAX_TIMEOUTS_PER_FUNCTION = 2
WATCH_INTERVAL_S = 0.1


class _Timeout(Exception):
    pass


class _ChildGone(Exception):
    pass


@dataclass(frozen=True)
class ImportFailure:
    """The module could not be imported; ``kind`` is 'syntax_error', 'exception', 'timeout' or 'crash'."""

    kind: str
    message: str


class _Watchdog:
    """Kills a sandbox whose processes, together, are too many or hold too much memory, or
    whose working folder grows too large.

    RLIMIT_AS bounds each process, RLIMIT_FSIZE each file, and RLIMIT_NPROC works only for a uid
    of the sandbox's own (under bubblewrap started by root, the sandbox's processes are root's
    on the host, which the kernel exempts). So every WATCH_INTERVAL_S this counts the sandbox's
    processes (its whole PID namespace under bubblewrap, its uid in the user mode), their
    private memory and the size of its working folder (on the host's disk), and kills all of
    them past MAX_PROCESSES processes, the sandbox's memory limit in total, or
    MAX_WORKDIR_BYTES / MAX_WORKDIR_FILES in the folder (which is then restored, so that the
    next call starts from the submission as staged).
    """

    def __init__(self, pid: int, config: SandboxConfig, workdir: Path):
        self._pid = pid
        self._config = config
        self._workdir = workdir
        self._max_bytes = config.memory_mb * 1024 * 1024
        self.breach: str | None = None
        self.workdir_breached = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"sandbox-watchdog-{pid}", daemon=True)
        self._thread.start()

    def _check(self) -> str | None:
        pids = sandbox_processes(self._config, self._pid, MAX_PROCESSES + 1)
        if len(pids) > MAX_PROCESSES:
            return f"it started more than {MAX_PROCESSES} processes"
        if (private_memory_bytes(pids) > self._max_bytes
                and private_memory_bytes(pids, precise=True) > self._max_bytes):
            return f"its processes held more than {self._config.memory_mb} MB of memory together"
        used, files = folder_usage(self._workdir, MAX_WORKDIR_FILES)
        if used > MAX_WORKDIR_BYTES or files > MAX_WORKDIR_FILES:
            return f"it wrote more than {MAX_WORKDIR_BYTES // 2**20} MB or {MAX_WORKDIR_FILES} files into its folder"
        return None

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_INTERVAL_S):
            breach = self._check()
            if breach is None:
                continue
            if self._stop.is_set():  # the child is being killed anyway: its pid may be reaped
                return
            self.breach = breach
            self.workdir_breached = "into its folder" in breach
            try:
                os.killpg(self._pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            kill_processes_of(self._config)
            return

    def stop(self) -> str | None:
        """Stop watching (before the child is reaped, so that its pid is never reused under us)."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        return self.breach


def _files_of(folder: Path) -> dict[str, int]:
    """Relative path -> size of every regular file under ``folder``."""
    sizes = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            try:
                sizes[os.path.relpath(path, folder)] = os.lstat(path).st_size
            except OSError:
                pass
    return sizes


def _restore_folder(folder: Path, original: dict[str, int]) -> None:
    """Undo a working folder's growth: remove what was not there, cut grown files back to their
    size. Links are removed, never followed (one could point at the grader's own files)."""
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = os.path.join(root, name)
            relative = os.path.relpath(path, folder)
            try:
                if relative not in original or os.path.islink(path):
                    os.unlink(path)
                elif os.lstat(path).st_size > original[relative]:
                    descriptor = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
                    try:
                        os.ftruncate(descriptor, original[relative])
                    finally:
                        os.close(descriptor)
            except OSError:
                pass
        for name in dirs:
            path = os.path.join(root, name)
            relative = os.path.relpath(path, folder) + os.sep
            if not os.path.islink(path) and not any(key.startswith(relative) for key in original):
                shutil.rmtree(path, ignore_errors=True)


def _describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "it stopped answering"
    if returncode < 0:
        signal_number = -returncode
        name = signal.Signals(signal_number).name if signal_number in signal.Signals._value2member_map_ else str(signal_number)
        hint = " (out of memory?)" if signal_number == signal.SIGKILL else ""
        return f"killed by signal {name}{hint}"
    return f"it exited with code {returncode}"


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
        self._watchdog: _Watchdog | None = None
        self._breach: str | None = None  # why the watchdog killed the last child, if it did
        self._buffer = bytearray()
        self._next_id = 0
        self._timeouts: dict[str, int] = {}
        self._budget_deadline = time.monotonic() + limits.total_timeout_s
        self._stderr = tempfile.TemporaryFile()
        self._original_files = _files_of(self._staging_dir)  # to undo a folder that outgrew its limit
        self.import_failure: ImportFailure | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> ImportFailure | None:
        """Start the child and import the module; return why the import failed, if it did."""
        self._kill()
        self._process = spawn_worker(self._config, self._staging_dir, self._module_filename,
                                     self._module_name, self._stderr)
        self._watchdog = _Watchdog(self._process.pid, self._config, self._staging_dir)
        os.set_blocking(self._process.stdout.fileno(), False)
        deadline = min(time.monotonic() + self._limits.import_timeout_s, self._budget_deadline)
        try:
            ready = self._read_message(deadline)
            if ready.get("status") != "ready":
                raise protocol.ProtocolError("the worker did not start properly")
            answer = self._read_message(deadline)
        except _Timeout:
            self._kill()
            return self._fail_import("timeout", f"importing your module took longer than {self._limits.import_timeout_s:g} s")
        except (_ChildGone, protocol.ProtocolError):
            code = self._kill()
            return self._fail_import("crash", f"the process importing your module ended: {self._why_ended(code)}")
        if answer.get("status") == "imported":
            self.import_failure = None
            return None
        self._kill()
        where = f" ({answer.get('where')})" if answer.get("where") else ""
        if answer.get("kind") == "syntax_error":
            return self._fail_import("syntax_error", f"SyntaxError{where}: {answer.get('message', '')}")
        return self._fail_import("exception", f"importing your module raised {answer.get('type')}{where}: {answer.get('message', '')}")

    def _fail_import(self, kind: str, message: str) -> ImportFailure:
        self.import_failure = ImportFailure(kind, message)
        return self.import_failure

    def close(self) -> None:
        if self._watchdog is not None:
            self._breach = self._watchdog.stop()
        if self._process is not None and self._process.poll() is None:
            try:
                self._process.stdin.close()  # EOF asks the worker to leave
                self._process.wait(timeout=EXIT_GRACE_S)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()
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
        restore = watchdog is not None and watchdog.workdir_breached
        # The whole session, even when its leader has exited: children it left running go too.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        kill_processes_of(self._config)
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
            _restore_folder(self._staging_dir, self._original_files)
        return code

    # -- calls -----------------------------------------------------------------------------

    def call(self, name: str, *args, **kwargs):
        if self._timeouts.get(name, 0) >= MAX_TIMEOUTS_PER_FUNCTION:
            raise CheckFailure(Stage.TIMEOUT, f"{name}() timed out {MAX_TIMEOUTS_PER_FUNCTION} times already; "
                                              "it was not called again")
        if self._process is None:
            failure = self.start()
            if failure is not None:
                raise CheckFailure(Stage.CRASH, f"could not call {name}(): {failure.message}")
        remaining = self._budget_deadline - time.monotonic()
        if remaining <= 0:
            raise CheckFailure(Stage.TIMEOUT, f"the time budget for this submission ({self._limits.total_timeout_s:g} s) is used up")
        timeout = min(self._limits.call_timeout_s, remaining)
        deadline = time.monotonic() + timeout
        self._next_id += 1
        request = protocol.encode_frame({"op": "call", "id": self._next_id, "name": name,
                                         "args": list(args), "kwargs": dict(kwargs)})
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
        return self._result_of(name, reply)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)

    @staticmethod
    def _result_of(name: str, reply: dict):
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
            raise calls.raised(name, str(reply.get("type")), str(reply.get("message", "")), str(reply.get("where", "")))
        if status == "unencodable":
            raise CheckFailure(Stage.TYPE, f"{name}() returned a value that cannot be checked: {reply.get('message', '')}"[:300])
        raise calls.crashed(name, f"unexpected reply {status!r}")

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
            raise protocol.ProtocolError("malformed reply: no status")
        return message
