"""Does a pre-warmed sandbox give each submission a child as fresh as a new sandbox would?

One fork server serves the submissions of a grading thread one after the other. What one
submission's child does must not reach the next one's: files, processes, IPC objects, the
server itself and bubblewrap's init are checked here, each by a submission that tries and a
later one that looks. tests/test_isolation.py does the same through ``autograder grade``.
"""

import os
import resource
import textwrap

import pytest

from autograder.assignments import Limits
from autograder.sandbox import forkserver
from autograder.sandbox.launcher import SandboxConfig, SandboxMode, bwrap_problem
from autograder.sandbox.proxy import SandboxedSubmission

pytestmark = pytest.mark.skipif(bwrap_problem() is not None, reason=f"bubblewrap unusable: {bwrap_problem()}")

LIMITS = Limits(import_timeout_s=20, call_timeout_s=3, total_timeout_s=60, memory_mb=1024)
CONFIG = SandboxConfig(SandboxMode.BWRAP)

TRESPASSER = textwrap.dedent(
    """
    import ctypes, os, signal, subprocess, sys

    def leave_files():
        for folder in ("/tmp", "/dev/shm", "/submission"):
            with open(f"{folder}/planted", "w") as planted:
                planted.write("for the next student")
        os.makedirs("/tmp/locked/inner")
        open("/tmp/locked/inner/file", "w").close()
        os.chmod("/tmp/locked/inner", 0)
        os.chmod("/tmp/locked", 0)
        return "planted"

    def leave_daemon():
        subprocess.Popen([sys.executable, "-c", "import os, time\\nif os.fork(): os._exit(0)\\ntime.sleep(600)"],
                         start_new_session=True).wait()
        return "left"

    def leave_shared_memory():
        libc = ctypes.CDLL(None, use_errno=True)
        made = libc.shmget(0x5EED, 4096, 0o1000 | 0o666)  # IPC_CREAT
        return made if made >= 0 else os.strerror(ctypes.get_errno())

    def read_parent(name):
        try:
            with open(f"/proc/{os.getppid()}/{name}", "rb") as f:
                return f.read(64).decode("latin-1")
        except OSError as error:
            return "refused: " + type(error).__name__

    def outside_pids():
        # The pids /proc lists besides this process's own: bubblewrap's init, the zygote and
        # this child's parent, in the sandbox's PID namespace (this child is PID 1 of its own).
        mine = os.readlink("/proc/self")
        return [int(p) for p in os.listdir("/proc") if p.isdigit() and p != mine]

    def reach_outside():
        # Everything a same-uid process could do to the zygote or bubblewrap's init.
        import resource
        libc = ctypes.CDLL(None, use_errno=True)
        reached = []
        for pid in outside_pids():
            for name in ("mem", "environ", "status", "cmdline", "limits"):
                try:
                    with open(f"/proc/{pid}/{name}", "rb") as f:
                        if f.read(64):
                            reached.append(f"read {pid}/{name}")
                except OSError:
                    pass
            if libc.ptrace(16, pid, 0, 0) == 0:  # PTRACE_ATTACH
                reached.append(f"ptrace {pid}")
            if libc.ptrace(0x4206, pid, 0, 0) == 0:  # PTRACE_SEIZE
                reached.append(f"seize {pid}")
            try:
                resource.prlimit(pid, resource.RLIMIT_FSIZE, (1, 1))
                reached.append(f"prlimit {pid}")
            except OSError:
                pass
            try:
                os.setpriority(os.PRIO_PROCESS, pid, 19)
                reached.append(f"setpriority {pid}")
            except OSError:
                pass
            try:
                os.sched_setaffinity(pid, {0})
                reached.append(f"affinity {pid}")
            except OSError:
                pass
        return reached

    def kill_everything():
        for pid in [-1, *outside_pids()]:
            for number in (signal.SIGSTOP, signal.SIGKILL):
                try:
                    os.kill(pid, number)
                except OSError:
                    pass
        return "tried"
    """
)

LOOKER = textwrap.dedent(
    """
    import os

    def look():
        found = {folder: sorted(os.listdir(folder)) for folder in ("/tmp", "/dev/shm", "/submission")}
        with open("/proc/sysvipc/shm") as table:
            found["shm"] = table.read().splitlines()[1:]
        # Processes whose /proc entry can be read: bubblewrap's init, the zygote and this
        # child's parent are listed but covered.
        found["processes"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit()
                                    and os.path.exists(f"/proc/{p}/status"))
        found["self"] = int(os.readlink("/proc/self"))
        found["pid"] = os.getpid()
        return found
    """
)


def _submission(tmp_path, name: str, source: str) -> SandboxedSubmission:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "student.py").write_text(source)
    submission = SandboxedSubmission(folder, "student.py", "student", LIMITS, CONFIG)
    assert submission.start() is None
    return submission


def _server_pid() -> int:
    return forkserver.forkserver_for(CONFIG).process.pid


def _look(tmp_path, name: str = "looker") -> dict:
    with _submission(tmp_path, name, LOOKER) as looker:
        return looker.look()


def test_the_next_submission_finds_nothing_left(tmp_path):
    """Files in /tmp, /dev/shm and the working folder, a locked folder and a daemon are gone,
    and the same server goes on (a clean reset needs no new sandbox)."""
    fresh = _look(tmp_path, "first-looker")  # /tmp holds the binds' parents where the venv is under /tmp
    with _submission(tmp_path, "trespasser", TRESPASSER) as trespasser:
        server = _server_pid()
        assert trespasser.leave_files() == "planted"
        assert trespasser.leave_daemon() == "left"
    seen = _look(tmp_path)
    assert seen["/tmp"] == fresh["/tmp"] and "planted" not in seen["/tmp"]
    assert seen["/dev/shm"] == []
    assert seen["/submission"] == ["student.py"]
    # Only the looker itself, PID 1 of its own namespace: the daemon is gone.
    assert seen["processes"] == [seen["self"]] and seen["pid"] == 1
    assert _server_pid() == server


def test_ipc_is_private_to_each_child(tmp_path):
    """System V shared memory outlives its process, but not its IPC namespace: each child has
    its own, so the next one finds none and the same server goes on. The seccomp filter now
    refuses shmget before that (memory the watchdog cannot count), so what this proves is the
    filter, with the private IPC namespace behind it."""
    with _submission(tmp_path, "trespasser", TRESPASSER) as trespasser:
        server = _server_pid()
        assert trespasser.leave_shared_memory() == "Operation not permitted"
    seen = _look(tmp_path)
    assert seen["shm"] == []
    assert _server_pid() == server


def test_the_zygote_and_bubblewraps_init_are_out_of_reach(tmp_path):
    """No read of their /proc entries, no ptrace, no prlimit, setpriority or affinity: the child's
    user namespace gives it no capability over them, its PID namespace cannot name them, /proc
    covers them and the seccomp filter refuses the calls."""
    with _submission(tmp_path, "trespasser", TRESPASSER) as trespasser:
        server = forkserver.forkserver_for(CONFIG)
        before = forkserver.zygote_settings(server.zygote_pid)
        assert len(trespasser.outside_pids()) >= 3
        assert trespasser.reach_outside() == []
        assert trespasser.kill_everything() == "tried"
        for name in ("mem", "environ", "cwd/student.py", "fd/0"):
            assert trespasser.read_parent(name).startswith("refused"), name
    assert server.alive() and forkserver.zygote_settings(server.zygote_pid) == before
    seen = _look(tmp_path)
    assert seen["/submission"] == ["student.py"]
    assert _server_pid() == server.process.pid


@pytest.mark.parametrize("change", ["limits", "priority", "affinity"])
def test_a_changed_zygote_is_never_forked_from(tmp_path, change):
    """Should the zygote's limits, nice level or affinity change anyway (the host can), the next
    child comes from a new sandbox with the settings it had at start."""
    with _submission(tmp_path, "first", LOOKER):
        server = forkserver.forkserver_for(CONFIG)
        before = forkserver.zygote_settings(server.zygote_pid)
    if change == "limits":
        resource.prlimit(server.zygote_pid, resource.RLIMIT_AS, (64 * 2**20, 64 * 2**20))
    elif change == "priority":
        os.setpriority(os.PRIO_PROCESS, server.zygote_pid, 19)
    elif change == "affinity":
        cpus = sorted(os.sched_getaffinity(server.zygote_pid))
        if len(cpus) < 2:
            pytest.skip("one CPU: no affinity to narrow")
        os.sched_setaffinity(server.zygote_pid, cpus[:1])
    seen = _look(tmp_path)
    assert seen["/submission"] == ["student.py"]
    replacement = forkserver.forkserver_for(CONFIG)
    assert replacement is not server and not server.alive()
    assert forkserver.zygote_settings(replacement.zygote_pid) == before


ROOT_ON_THE_HOST = textwrap.dedent(
    """
    import ctypes, os

    def write_kernel_settings():
        # Started by root, the sandbox's uid is root's on the host: /proc/sys files are root's.
        # The value written is the one already there, so that a failure changes nothing.
        written = []
        for path in ("/proc/sys/vm/stat_interval", "/proc/sys/kernel/core_pattern"):
            try:
                value = open(path).read()
                with open(path, "w") as setting:
                    setting.write(value)
                written.append(path)
            except OSError:
                pass
        return written

    def link_into_roots_keyring():
        libc = ctypes.CDLL(None, use_errno=True)
        data = b"left for the next student"
        key = libc.syscall(248, b"user", b"isolation-test", data, len(data), ctypes.c_int(-3))  # add_key
        return key
    """
)


def test_root_on_the_host_gains_nothing(tmp_path):
    """When the grader is root, so is the sandbox's uid on the host (without capabilities): the
    kernel's settings in /proc/sys and root's keyrings stay out of reach."""
    with _submission(tmp_path, "root", ROOT_ON_THE_HOST) as attacker:
        assert attacker.write_kernel_settings() == []
        assert attacker.link_into_roots_keyring() == -1
