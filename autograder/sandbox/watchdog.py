"""Bounds on a sandbox as a whole, where the kernel's limits are per process or per file.

While a child lives, a :class:`Watchdog` counts its processes, their memory together and its
working folder's size: a fork bomb, a crowd of processes each under the memory limit or a
folder of files each under the size limit would otherwise be bounded only by the machine.
The functions here measure a sandbox; the launcher starts it and the proxy talks to it.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from pathlib import Path

from autograder.i18n import _f
from autograder.sandbox.launcher import (MAX_PROCESSES, MAX_THREADS, SandboxConfig, SandboxMode, kill_processes_of,
                                         processes_of_uid)

WATCH_INTERVAL_S = 0.1
MAX_WORKDIR_BYTES = 256 * 1024 * 1024  # the working folder is on the host's disk
MAX_WORKDIR_FILES = 10_000


# Linux lists a thread's children in /proc only with CONFIG_PROC_CHILDREN; elsewhere the tree is
# rebuilt from every process's parent.
_LISTS_CHILDREN = os.path.exists(f"/proc/self/task/{os.getpid()}/children")


def _children_of(pid: int) -> list[int]:
    """The children of every thread of ``pid``."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    children: list[int] = []
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as listing:
                children += [int(n) for n in listing.read().split()]
        except (OSError, ValueError):
            pass
    return children


def _parents() -> dict[int, list[int]]:
    """parent pid -> child pids, for every process (the fallback where /proc lists no children)."""
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(parent, []).append(int(name))
    return tree


def process_tree(root_pid: int, limit: int) -> list[int]:
    """``root_pid`` and its descendants, at most ``limit`` of them."""
    tree = None if _LISTS_CHILDREN else _parents()
    found: list[int] = []
    seen: set[int] = set()
    stack = [root_pid]
    while stack and len(found) < limit:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        found.append(pid)
        stack += _children_of(pid) if tree is None else tree.get(pid, [])
    return found


def sandbox_processes(config: SandboxConfig, root_pid: int, limit: int, exclude: int | None = None) -> list[int]:
    """The processes a sandbox is made of, at most ``limit`` of them.

    In the user mode, every process of the submission's uid (a daemon that left the tree
    included); otherwise the process tree under ``root_pid``: under bubblewrap that is every
    process of its PID namespace, since orphans there are adopted by the namespace's init.
    ``exclude`` is a pre-warmed sandbox's zygote (forkserver.py): it runs no student code, and
    its children are counted.
    """
    if config.mode is SandboxMode.USER:
        return processes_of_uid(config.uid, limit)
    found = process_tree(root_pid, limit + (exclude is not None))
    return [pid for pid in found if pid != exclude][:limit]


def folder_usage(folder: Path, max_files: int) -> tuple[int, int]:
    """(bytes, files) under ``folder``, counting at most ``max_files + 1`` files (links not followed)."""
    total, files, stack = 0, 0, [str(folder)]
    while stack and files <= max_files:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    else:
                        files += 1
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
                except OSError:
                    pass
    return total, files


_STATUS_MEMORY = ("RssAnon", "RssShmem", "VmPTE")


def _status_of(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/status") as status:
        return dict(line.split(":", 1) for line in status if ":" in line)


def private_memory_bytes(pids: list[int], *, precise: bool = False) -> int:
    """Memory the processes hold: their resident anonymous and shared-memory pages and their
    page tables (RssAnon + RssShmem + VmPTE from /proc/PID/status: cheap, but counting pages
    that forked processes still share once per process); ``precise`` uses the proportional
    share of the pages instead (Pss_Anon + Pss_Shmem), which costs milliseconds for a large
    process. Libraries' code, mapped from files, is not counted: ``import tensorflow`` holds
    0.25 GB of anonymous memory in 0.6 GB resident. Page tables are counted because a process
    can make hundreds of MB of them while holding almost no pages (sparse mappings)."""
    total = 0
    for pid in pids:
        try:
            status = _status_of(pid)
            page_tables = int(status.get("VmPTE", "0 kB").split()[0]) * 1024
            if precise:
                with open(f"/proc/{pid}/smaps_rollup") as rollup:
                    fields = dict(line.split(":", 1) for line in rollup if ":" in line)
                if "Pss_Anon" in fields:
                    counted = ("Pss_Anon", "Pss_Shmem")
                else:  # before Linux 5.10: all of Pss (libraries included) errs on the safe side
                    counted = ("Pss",)
                total += sum(int(fields.get(name, "0 kB").split()[0]) for name in counted) * 1024 + page_tables
            else:
                total += sum(int(status.get(name, "0 kB").split()[0]) for name in _STATUS_MEMORY) * 1024
        except (OSError, IndexError, ValueError):
            pass
    return total


def thread_count(pids: list[int]) -> int:
    """Threads of the processes together (each holds one of the host's pids)."""
    total = 0
    for pid in pids:
        try:
            total += int(_status_of(pid).get("Threads", "1").split()[0])
        except (OSError, IndexError, ValueError):
            pass
    return total


class Watchdog:
    """Kills a sandbox whose processes, together, are too many or hold too much memory, or
    whose working folder grows too large.

    This is the sandbox's memory bound: the kernel's RLIMIT_DATA and RLIMIT_AS are only backstops
    far above it (launcher.memory_rlimits). RLIMIT_FSIZE bounds each file, and RLIMIT_NPROC works
    only for a uid of the sandbox's own (under bubblewrap started by root, the sandbox's
    processes are root's on the host, which the kernel exempts). So every WATCH_INTERVAL_S
    this counts the sandbox's processes (its whole PID namespace under bubblewrap, its uid in
    the user mode), their threads, their memory (private_memory_bytes) and the size of its
    working folder (on the host's disk), and kills all of them past MAX_PROCESSES processes,
    MAX_THREADS threads, the sandbox's memory limit in total, or MAX_WORKDIR_BYTES /
    MAX_WORKDIR_FILES in the folder (which is then restored, so that the next call starts from
    the submission as staged).
    """

    def __init__(self, pid: int, config: SandboxConfig, workdir: Path | None, exclude: int | None = None):
        """``workdir`` is None under bubblewrap, where the child's /submission is a capped tmpfs."""
        self._pid = pid
        self._exclude = exclude
        self._config = config
        self._workdir = workdir
        self._max_bytes = config.memory_mb * 1024 * 1024
        self.breach: str | None = None
        self.workdir_breached = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"sandbox-watchdog-{pid}", daemon=True)
        self._thread.start()

    def _check(self) -> tuple[str, bool] | None:
        """Why the sandbox must be killed (a message for the student), and whether it is the growth of
        its working folder (which the process mode restores); None while it keeps within bounds."""
        pids = sandbox_processes(self._config, self._pid, MAX_PROCESSES + 1, self._exclude)
        if len(pids) > MAX_PROCESSES:
            return _f("it started more than {count} processes", count=MAX_PROCESSES), False
        if thread_count(pids) > MAX_THREADS:
            return _f("it started more than {count} threads", count=MAX_THREADS), False
        if (private_memory_bytes(pids) > self._max_bytes
                and private_memory_bytes(pids, precise=True) > self._max_bytes):
            return _f("its processes held more than {megabytes} MB of memory together",
                      megabytes=self._config.memory_mb), False
        if self._workdir is None:
            return None
        used, files = folder_usage(self._workdir, MAX_WORKDIR_FILES)
        if used > MAX_WORKDIR_BYTES or files > MAX_WORKDIR_FILES:
            return _f("it wrote more than {megabytes} MB or {files} files into its folder",
                      megabytes=MAX_WORKDIR_BYTES // 2**20, files=MAX_WORKDIR_FILES), True
        return None

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_INTERVAL_S):
            found = self._check()
            if found is None:
                continue
            if self._stop.is_set():  # the child is being killed anyway: its pid may be reaped
                return
            self.breach, self.workdir_breached = found
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


def files_of(folder: Path) -> dict[str, int]:
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


def restore_folder(folder: Path, original: dict[str, int]) -> None:
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
