"""Does a pre-warmed sandbox give each submission a child as fresh as a new sandbox would?

One fork server serves the submissions of a grading thread one after the other. What one
submission's child does must not reach the next one's: files, processes, IPC objects and the
server itself are checked here, each by a submission that tries and a later one that looks.
"""

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
        return libc.shmget(0x5EED, 4096, 0o1000 | 0o666)  # IPC_CREAT

    def read_parent(name):
        try:
            with open(f"/proc/{os.getppid()}/{name}", "rb") as f:
                return f.read(64).decode("latin-1")
        except OSError as error:
            return "refused: " + type(error).__name__

    def kill_parent():
        os.kill(os.getppid(), signal.SIGKILL)
        return "killed"

    def stop_parent():
        os.kill(os.getppid(), signal.SIGSTOP)
        return "stopped"
    """
)

LOOKER = textwrap.dedent(
    """
    import os

    def look():
        found = {folder: sorted(os.listdir(folder)) for folder in ("/tmp", "/dev/shm", "/submission")}
        with open("/proc/sysvipc/shm") as table:
            found["shm"] = table.read().splitlines()[1:]
        found["processes"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
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
    # The namespace's init, the zygote and the looker itself: the daemon is gone.
    assert len(seen["processes"]) == 3
    assert _server_pid() == server


def test_ipc_left_behind_replaces_the_sandbox(tmp_path):
    """System V shared memory outlives its process: the server that held it is replaced."""
    with _submission(tmp_path, "trespasser", TRESPASSER) as trespasser:
        server = _server_pid()
        assert trespasser.leave_shared_memory() >= 0
    seen = _look(tmp_path)
    assert seen["shm"] == []
    assert _server_pid() != server


def test_the_zygote_is_out_of_reach(tmp_path):
    """Its memory, environment and working folder are closed to the child, as a new process's
    parent's would be."""
    with _submission(tmp_path, "trespasser", TRESPASSER) as trespasser:
        for name in ("mem", "environ", "cwd/student.py", "fd/0"):
            assert trespasser.read_parent(name).startswith("refused"), name


@pytest.mark.parametrize("attack", ["kill_parent", "stop_parent"])
def test_a_child_that_attacks_the_zygote_only_loses_its_own_call(tmp_path, monkeypatch, attack):
    """Killing or stopping the zygote ends this submission's sandbox; the next one gets a new one."""
    monkeypatch.setattr(forkserver, "REPLY_TIMEOUT_S", 2.0)
    with _submission(tmp_path, "trespasser", TRESPASSER) as trespasser:
        server = _server_pid()
        try:
            getattr(trespasser, attack)()
        except Exception:  # noqa: BLE001 - the call may crash with its sandbox: that is allowed
            pass
    seen = _look(tmp_path)
    assert seen["/submission"] == ["student.py"]
    assert _server_pid() != server
