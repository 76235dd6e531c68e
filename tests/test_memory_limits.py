"""Memory is bounded by what a submission holds, not by the address space it reserves.

An honest student of this TensorFlow course writes ``import tensorflow as tf`` at the top of
a NumPy assignment. TensorFlow reserves far more address space than it touches, so the old
address-space cap (1 GB for numeric assignments) failed the import and scored the student 0.
Now the watchdog bounds the memory the sandbox's processes hold (resident anonymous and
shared pages), RLIMIT_DATA stops one huge private allocation at once, and every message about
memory says the limit.
"""

from __future__ import annotations

import textwrap

import pytest

from autograder.assignments import NUMERIC_LIMITS
from autograder.checks import CheckFailure, Stage
from autograder.engine import calls
from autograder.sandbox.launcher import (MAX_OPEN_FILES, MAX_THREADS, SandboxConfig, SandboxMode, bwrap_problem,
                                         memory_rlimits)
from autograder.sandbox.proxy import SandboxedSubmission

needs_bwrap = pytest.mark.skipif(bwrap_problem() is not None, reason=f"bubblewrap unusable: {bwrap_problem()}")
MODES = [pytest.param(SandboxMode.BWRAP, marks=needs_bwrap), SandboxMode.PROCESS]
LIMIT_MB = NUMERIC_LIMITS.memory_mb

MODULE = textwrap.dedent(
    """
    import ctypes, mmap, os, socket, threading, time
    import numpy as np
    import tensorflow as tf

    def sigmoid(x):
        return tf.math.sigmoid(tf.constant(x)).numpy()

    def touch_private(megabytes):
        hoard = np.ones(megabytes << 20, dtype=np.uint8)
        return int(hoard[::4096].sum())

    def touch_shared(megabytes):
        hoard = mmap.mmap(-1, megabytes << 20, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
        for offset in range(0, megabytes << 20, 4096):
            hoard[offset] = 1
        return len(hoard)

    def allocate_far_too_much():
        return np.ones(8 << 30, dtype=np.uint8).sum()

    HOARD = []

    def memfd():
        return os.memfd_create("hoard")

    def sysv_shared_memory():
        libc = ctypes.CDLL(None, use_errno=True)
        identifier = libc.shmget(0, 1 << 20, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
        return identifier if identifier >= 0 else os.strerror(ctypes.get_errno())

    def sparse_page_tables(processes):
        # In each process, 60,000 read-only 4 KB mappings 2 MB apart (vm.max_map_count is about
        # 65,000), each read once: the zero page, so no resident memory, but a page-table page
        # each (about 240 MB per process).
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
        for _ in range(processes):
            if os.fork() == 0:
                base = 0x100000000000
                for i in range(60_000):
                    address = libc.mmap(base + i * (2 << 20), 4096, 1, 0x122, -1, 0)  # PROT_READ; PRIVATE|ANON|FIXED
                    if address in (None, ctypes.c_void_p(-1).value):
                        break
                    ctypes.c_char.from_address(address).value
                time.sleep(10)
                os._exit(0)
        time.sleep(10)
        return "held"

    def threads(count):
        threading.stack_size(65536)
        wake = threading.Event()
        for _ in range(count):
            worker = threading.Thread(target=wake.wait, daemon=True)
            worker.start()
            HOARD.append(worker)
        time.sleep(5)
        return len(HOARD)

    def sockets(pairs):
        made = 0
        for _ in range(pairs):
            try:
                HOARD.append(socket.socketpair())
            except OSError as error:
                return made, type(error).__name__
            made += 1
        return made, None
    """
)


@pytest.fixture
def tensorflow_student(tmp_path, request):
    (tmp_path / "student.py").write_text(MODULE)
    submission = SandboxedSubmission(tmp_path, "student.py", "student", NUMERIC_LIMITS, SandboxConfig(request.param))
    yield submission
    submission.close()


def failure_of(call, *args) -> CheckFailure:
    with pytest.raises(CheckFailure) as caught:
        call(*args)
    return caught.value


@pytest.mark.slow
@pytest.mark.parametrize("tensorflow_student", MODES, indirect=True)
def test_a_module_that_imports_tensorflow_is_graded_under_the_numeric_limits(tensorflow_student):
    assert tensorflow_student.start() is None, tensorflow_student.import_failure
    assert tensorflow_student.sigmoid([0.0]).tolist() == [0.5]
    # What the sandbox's processes hold stays bounded: past the limit they are killed, and the
    # message says the limit; an allocation past the backstop fails at once as a MemoryError.
    for touch in (tensorflow_student.touch_private, tensorflow_student.touch_shared):
        failure = failure_of(touch, LIMIT_MB + 512)
        assert failure.stage is Stage.CRASH, failure.message
        assert f"more than {LIMIT_MB} MB" in failure.message
    failure = failure_of(tensorflow_student.allocate_far_too_much)
    assert failure.stage is Stage.EXCEPTION and "MemoryError" in failure.message
    assert f"{LIMIT_MB} MB" in failure.message
    # After each, the next call gets a fresh child that imports TensorFlow again.
    assert tensorflow_student.sigmoid([0.0]).tolist() == [0.5]


@pytest.mark.parametrize("tensorflow_student", MODES, indirect=True)
def test_memory_no_process_shows_is_refused_or_counted(tensorflow_student):
    """Found by a red team: pages of a memfd written and never mapped, System V segments,
    page tables of sparse mappings, socket buffers and threads were invisible to the watchdog."""
    assert tensorflow_student.start() is None, tensorflow_student.import_failure
    # About 240 MB of page tables per process for 10 s: counted, so killed.
    failure = failure_of(tensorflow_student.sparse_page_tables, LIMIT_MB // 200 + 1)
    assert failure.stage is Stage.CRASH and f"more than {LIMIT_MB} MB" in failure.message, failure.message
    failure = failure_of(tensorflow_student.threads, MAX_THREADS + 100)
    assert f"more than {MAX_THREADS} threads" in failure.message or "can't start new thread" in failure.message
    made, error = tensorflow_student.sockets(MAX_OPEN_FILES)
    assert made < MAX_OPEN_FILES // 2 and error == "OSError"


@needs_bwrap
@pytest.mark.parametrize("tensorflow_student", [SandboxMode.BWRAP], indirect=True)
def test_shared_memory_that_no_process_maps_is_refused(tensorflow_student):
    """Under the seccomp filter (every mode but ``process``)."""
    assert tensorflow_student.start() is None, tensorflow_student.import_failure
    failure = failure_of(tensorflow_student.memfd)
    assert "PermissionError" in failure.message
    assert tensorflow_student.sysv_shared_memory() == "Operation not permitted"


def test_the_backstops_lie_above_the_limit_the_watchdog_enforces():
    data, address_space = memory_rlimits(LIMIT_MB)
    assert LIMIT_MB * 2**20 < data < address_space


@pytest.mark.parametrize("type_name, message", [
    ("MemoryError", "Unable to allocate 8.00 GiB for an array"),
    ("ImportError", "libtensorflow_cc.so.2: failed to map segment from shared object"),
    ("RuntimeError", "std::bad_alloc"),
])
def test_an_allocation_refused_says_the_limit(type_name, message):
    assert "1024 MB" in calls.raised("f", type_name, message, memory_mb=1024).message
    assert "1024 MB" in calls.import_failed("exception", type_name, message, "line 1", memory_mb=1024)


def test_other_errors_do_not_mention_memory():
    assert "MB" not in calls.raised("f", "ValueError", "shapes (3,) and (4,) not aligned", memory_mb=1024).message
    assert "MB" not in calls.import_failed("exception", "ImportError", "No module named 'scipy'", "line 1",
                                           memory_mb=1024)
