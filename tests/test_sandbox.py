"""Does the sandbox contain what a submission does, and keep the grader's secrets from it?"""

import os
import textwrap
import time
import uuid

import numpy as np
import pytest

from autograder.assignments import HIDDEN_TESTS_DIR, SOLUTIONS_DIR, Limits
from autograder.checks import CheckFailure, Stage
from autograder.sandbox.launcher import SandboxConfig, SandboxMode, bwrap_problem
from autograder.sandbox.proxy import SandboxedSubmission

FAST_LIMITS = Limits(import_timeout_s=20, call_timeout_s=2, total_timeout_s=60, memory_mb=1024)

needs_bwrap = pytest.mark.skipif(bwrap_problem() is not None, reason=f"bubblewrap unusable: {bwrap_problem()}")
BOTH_MODES = [pytest.param(SandboxMode.BWRAP, marks=needs_bwrap), SandboxMode.PROCESS]

MODULE = textwrap.dedent(
    """
    import os, socket, subprocess, sys, time
    import numpy as np
    print("student output")

    def double(x):
        return x * 2

    def todo():
        raise NotImplementedError

    def divide():
        return 1 / 0

    def spin():
        while True:
            pass

    def nap():
        time.sleep(1000)

    def hard_exit():
        os._exit(3)

    def soft_exit():
        sys.exit(0)

    def hog():
        return np.ones(4_000_000_000, dtype=np.uint8).sum()

    def read(path):
        try:
            with open(path, "rb") as f:
                return f.read(100).decode("latin-1")
        except OSError as error:
            return "refused: " + type(error).__name__

    def listdir(path):
        try:
            return sorted(os.listdir(path))
        except OSError as error:
            return "refused: " + type(error).__name__

    def connect():
        try:
            socket.create_connection(("10.255.255.1", 80), timeout=1)
            return "connected"
        except OSError as error:
            return "refused: " + type(error).__name__

    def identity():
        return os.getuid(), sorted(os.environ)

    def leave_child_running(marker):
        subprocess.Popen([sys.executable, "-c",
            "import time\\nwhile True:\\n open('/submission/heartbeat', 'a').write('x')\\n time.sleep(0.05)",
            marker], start_new_session=True)
        return "started"
    """
)


@pytest.fixture
def sandbox(tmp_path, request):
    (tmp_path / "student.py").write_text(MODULE)
    submission = SandboxedSubmission(tmp_path, "student.py", "student", FAST_LIMITS, SandboxConfig(request.param))
    assert submission.start() is None
    yield submission
    submission.close()


def failure_of(call) -> CheckFailure:
    with pytest.raises(CheckFailure) as caught:
        call()
    return caught.value


@pytest.mark.parametrize("sandbox", BOTH_MODES, indirect=True)
def test_calls_return_plain_copies(sandbox):
    """Does a call return what the student's function returned, as plain data?"""
    result = sandbox.double(np.arange(3, dtype=np.float32))
    assert result.dtype == np.float32 and result.tolist() == [0.0, 2.0, 4.0]


@pytest.mark.parametrize("sandbox", BOTH_MODES, indirect=True)
def test_each_failure_has_its_stage(sandbox):
    """Are not-implemented, missing, exceptions, exits, hangs and memory hogs told apart?"""
    assert failure_of(sandbox.todo).stage is Stage.NOT_ATTEMPTED
    assert failure_of(sandbox.no_such_function).stage is Stage.MISSING
    assert failure_of(sandbox.divide).stage is Stage.EXCEPTION
    assert "ZeroDivisionError" in failure_of(sandbox.divide).message
    assert failure_of(sandbox.soft_exit).stage is Stage.EXCEPTION
    assert failure_of(sandbox.hard_exit).stage is Stage.CRASH
    assert failure_of(sandbox.hog).stage in (Stage.EXCEPTION, Stage.CRASH)
    started = time.monotonic()
    assert failure_of(sandbox.spin).stage is Stage.TIMEOUT
    assert failure_of(sandbox.nap).stage is Stage.TIMEOUT
    assert time.monotonic() - started < 10
    # After every kind of failure, the next call gets a fresh, working child.
    assert sandbox.double(2) == 4


@pytest.mark.parametrize("sandbox", BOTH_MODES, indirect=True)
def test_a_function_that_hangs_twice_is_not_called_again(sandbox):
    """Is the time a hanging function can cost bounded?"""
    failure_of(sandbox.spin)
    failure_of(sandbox.spin)
    started = time.monotonic()
    assert "not called again" in failure_of(sandbox.spin).message
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("sandbox", BOTH_MODES, indirect=True)
def test_student_output_is_kept_apart_from_the_protocol(sandbox):
    """Does printing not corrupt the pipe, and is it kept for diagnostics?"""
    assert sandbox.double(1) == 2
    assert "student output" in sandbox.stderr_tail()


@pytest.mark.parametrize("sandbox", [pytest.param(SandboxMode.BWRAP, marks=needs_bwrap)], indirect=True)
def test_grader_files_are_invisible(sandbox):
    """Can the student read the hidden tests, the solutions or the grader's home?"""
    for secret in (HIDDEN_TESTS_DIR / "test_activations.py", SOLUTIONS_DIR / "activations" / "activations.py"):
        assert sandbox.read(str(secret)).startswith("refused")
    assert sandbox.listdir(str(HIDDEN_TESTS_DIR)).startswith("refused")
    assert sandbox.read("/etc/passwd").startswith("refused")


@pytest.mark.parametrize("sandbox", [pytest.param(SandboxMode.BWRAP, marks=needs_bwrap)], indirect=True)
def test_no_network_no_privilege_clean_environment(sandbox):
    """Is the child unprivileged, offline and without the grader's environment?"""
    assert sandbox.connect().startswith("refused")
    uid, env = sandbox.identity()
    assert uid == 65534
    assert not any(name.startswith(("AUTOGRADER", "SSH", "GITHUB", "CI")) for name in env)


@pytest.mark.parametrize("sandbox", [pytest.param(SandboxMode.BWRAP, marks=needs_bwrap)], indirect=True)
def test_processes_left_behind_are_killed(sandbox, tmp_path):
    """Does a background process the student started die with the sandbox?"""
    marker = f"left-behind-{uuid.uuid4().hex}"
    assert sandbox.leave_child_running(marker) == "started"
    deadline = time.monotonic() + 5
    while not _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_with(marker)
    sandbox.close()
    deadline = time.monotonic() + 5
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _processes_with(marker)


def _processes_with(marker: str) -> list[int]:
    """The host's processes whose command line holds ``marker``."""
    found = []
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/cmdline", "rb") as cmdline:
                if marker.encode() in cmdline.read():
                    found.append(int(name))
        except (OSError, ValueError):
            continue
    return found


def test_import_failures_are_reported(tmp_path):
    """Are a syntax error, an exit at import and a hang at import each reported, not raised?"""
    cases = {
        "syntax": ("def broken(:\n", "syntax_error"),
        "exits": ("import sys\nsys.exit(0)\n", "exception"),
        "hangs": ("while True:\n    pass\n", "timeout"),
        "dies": ("import os\nos._exit(9)\n", "crash"),
    }
    limits = Limits(import_timeout_s=2, call_timeout_s=2, total_timeout_s=30, memory_mb=1024)
    for name, (source, kind) in cases.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "m.py").write_text(source)
        with SandboxedSubmission(folder, "m.py", "m", limits, SandboxConfig(SandboxMode.PROCESS)) as submission:
            failure = submission.start()
        assert failure is not None and failure.kind == kind, name
