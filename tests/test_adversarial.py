"""The adversarial suite: cheating submissions for every family of assignments, graded as a class.

Each family (numeric: ``activations``; model: ``lenet``; rnn: ``rnn_letters``) has a cohort in
``tests/adversarial/<id>/``: a partial honest student, the reference (added here as a second
honest student) and one folder per cheat. A cheat holds ``<id>.py``; the test adds
``_honest.py`` (a copy of the reference, for the functions where the cheat should still earn
its points), the attacks it shares with every other cheat (``tests/adversarial/kit``), and
``adversarial.json``: what a determined student could learn anyway (the real paths of the
grader's checkout, the submissions and the output folder, the port of a listener this test opens
on 127.0.0.1, and a marker unique to this run).

For every cheat the test checks that
1. its score is exactly what its honest outputs earn (``EXPECTED`` says how much, and why);
2. the batch completes: every student has a row, with the expected status, and no test is
   recorded as a grader error;
3. the honest students' rows are the same as in a batch of the honest students alone (for the model
   families, the reference's row is the one it gets graded alone by ``api.verify``, in a grading
   process of its own, the same sandbox and device: tests/shared_grades.py verifies it once per
   session, so that it is not trained again; the partial student is graded in a batch of its own);
and, for the batch as a whole, that no process a cheat started survives it, nothing was written
outside the submissions' private folders, no submission was changed, nobody connected to the
listener, and no code from a model's config ran in the grader. SECURITY.md maps each attack to
what stops it.

Every family is graded in the bubblewrap sandbox; the numeric one also in the user mode (each
submission as a uid of its own), directly where this machine allows it, else through the CLI in
a wrapper that makes root's private Python readable, as Gradescope's container does. The cheats
the user mode is not meant to stop (network, the shared /tmp, a world-readable checkout) are
left out of that cohort (NOT_IN_USER_MODE).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from autograder import api
from autograder.assignments import REPO_ROOT, get_assignment
from autograder.gradebook import Gradebook
from autograder.intake import discover, fingerprint
from autograder.sandbox.launcher import bwrap_problem, user_mode_problem
from container_wrapper import world_readable_python_wrapper

ADVERSARIAL_DIR = Path(__file__).with_name("adversarial")
KIT = ADVERSARIAL_DIR / "kit" / "adversarial_kit.py"
HONEST = ("honest_reference", "honest_partial")
GRADED, IMPORT_ERROR = "graded", "import_error"

# student -> (score, status). The cheat's "target" function is where its attack lives:
# activations: leaky_relu (3 of 20 points: 2 + 1); lenet: build_lenet (16 of 20: architecture 5,
# parameters 3, learning 8; layer_output_shapes is the other 4); rnn_letters: one_hot_alphabet
# (2 of 30; the cheats leave the model builders and predict_next out so that the grader trains
# and sends nothing: onehot_dataset 4 + id_dataset 4 = 8 is their honest part).
EXPECTED = {
    "activations": {
        "honest_reference": (20.0, GRADED),
        "honest_partial": (14.0, GRADED),  # naive tanh/softmax (NaN at +-1000), alpha 0.2
        # An exit at import leaves nothing to call.
        "exit_import_sys_exit": (0.0, IMPORT_ERROR),
        "exit_import_os_exit": (0.0, IMPORT_ERROR),
        "exit_import_raise_systemexit": (0.0, IMPORT_ERROR),
        "exit_import_keyboardinterrupt": (0.0, IMPORT_ERROR),
        # Each exit fails its own function's tests; softmax (5) is honest.
        "exit_in_functions": (5.0, GRADED),
        # The target times out twice, then is not called again: 17.
        "loop_cpu": (17.0, GRADED),
        "loop_sleep": (17.0, GRADED),
        # The 6 GB allocation fails (MemoryError): the honest answer after it is never returned.
        "memory_bomb": (17.0, GRADED),
        # The target returns zeros after starting processes: 17 whatever happens to them.
        "memory_fork_bomb": (17.0, GRADED),
        "fork_bomb": (17.0, GRADED),
        "background_processes": (17.0, GRADED),
        # /, /dev and the root tmpfs are read-only, /tmp and /dev/shm capped, its folder watched:
        # the 1.5 GB that would make it answer honestly never get through (it scored 19 before).
        "fill_storage": (17.0, GRADED),
        # The output is capped; the honest answers after it still count: 20.
        "flood_output": (20.0, GRADED),
        # Patching the child's numpy/pytest/keras changes nothing in the grader: zeros earn 0.
        "monkeypatch": (17.0, GRADED),
        # Only plain data crosses: the lying values fail; softmax (5) is honest.
        "always_equal": (5.0, GRADED),
        # The target answers right only if the theft or the escape worked.
        "steal_disk": (17.0, GRADED),
        "steal_environment": (17.0, GRADED),
        "steal_memory": (17.0, GRADED),
        "write_fake_results": (17.0, GRADED),
        "tamper_classmates": (17.0, GRADED),
        "network": (17.0, GRADED),
        # Killing everything it can reach kills only its own sandbox: the target's calls crash.
        "kill_everything": (17.0, GRADED),
        # Malformed replies are the target's crash, never a grader error.
        "forge_protocol": (17.0, GRADED),
    },
    "lenet": {
        "honest_reference": (20.0, GRADED),
        "honest_partial": (4.0, GRADED),  # layer_output_shapes only
        "exit_import_sys_exit": (0.0, IMPORT_ERROR),
        "exit_import_os_exit": (0.0, IMPORT_ERROR),
        "exit_import_raise_systemexit": (0.0, IMPORT_ERROR),
        "exit_import_keyboardinterrupt": (0.0, IMPORT_ERROR),
        # build_lenet's exit fails its 16 points; the honest layer_output_shapes keeps its 4.
        "exit_in_function_sys_exit": (4.0, GRADED),
        "exit_in_function_os_exit": (0.0, GRADED),  # both functions exit
        "loop": (4.0, GRADED),  # build_lenet times out once (it is called once)
        "resources": (4.0, GRADED),  # build_lenet returns nothing after its attacks
        # The model it returns has every layer frozen: wrong architecture (trainable), wrong
        # parameter split, cannot learn. Patching its own Keras changes nothing in the grader.
        "monkeypatch": (4.0, GRADED),
        "always_equal": (0.0, GRADED),
        "steal": (4.0, GRADED),  # the real LeNet only if a theft worked
        "write_and_tamper": (4.0, GRADED),
        "network": (4.0, GRADED),
        "kill_everything": (4.0, GRADED),
        "forge_protocol": (0.0, GRADED),
        # Lying methods: the subclass is refused (student code); the disguised one is rebuilt as a
        # plain Sequential, whose frozen layers fail all three model checks. Shapes: 4.
        "lying_subclass": (4.0, GRADED),
        "lying_disguised": (4.0, GRADED),
        # Code in a config (Lambda, custom class, bytecode, Python callables, Keras's private
        # functions, a SavedModel, a parser bomb) is refused before anything is built: 4.
        "lambda_layer": (4.0, GRADED),
        "custom_layer": (4.0, GRADED),
        "payload_lambda_bytecode": (4.0, GRADED),
        "payload_builtins": (4.0, GRADED),
        "payload_keras_internals": (4.0, GRADED),
        "payload_tfsm": (4.0, GRADED),
        "payload_deep_nesting": (4.0, GRADED),
        # Models too large for the grader to build or train are refused before any weight exists.
        "config_memory_bomb": (4.0, GRADED),
        "config_compute_bomb": (4.0, GRADED),
        # Frozen layers with trained weights in Constant initializers: accurate before training,
        # so the learning check refuses it (it scored 12 before that check: learns 8 + shapes 4).
        "pretrained_weights": (4.0, GRADED),
    },
    "rnn_letters": {
        "honest_reference": (30.0, GRADED),
        "honest_partial": (14.0, GRADED),  # the data and predict_next; no model yet
        "exit_import_sys_exit": (0.0, IMPORT_ERROR),
        "exit_import_os_exit": (0.0, IMPORT_ERROR),
        "exit_import_raise_systemexit": (0.0, IMPORT_ERROR),
        "exit_import_keyboardinterrupt": (0.0, IMPORT_ERROR),
        "exit_in_functions": (8.0, GRADED),  # onehot_dataset 4 + id_dataset 4 are honest
        "loop": (8.0, GRADED),
        "resources": (8.0, GRADED),
        "monkeypatch": (8.0, GRADED),
        "always_equal": (4.0, GRADED),  # id_dataset only; predict_next's str subclass fails
        "steal": (8.0, GRADED),
        "write_and_tamper": (8.0, GRADED),
        "network": (8.0, GRADED),
        "kill_everything": (8.0, GRADED),
        "forge_protocol": (4.0, GRADED),  # id_dataset only
        # Frozen RNNs with trained weights in Constant initializers: they fit before any training
        # step, which the learning check refuses; their frozen layers also fail the architecture
        # check. The data functions: 10 (it scored 18 before that check: + 8 for learning).
        "pretrained_weights": (10.0, GRADED),
    },
}

# The cheats whose guarantees the user mode does not give on this test's terms: it has the host's
# network, /tmp and /dev/shm, and it relies on the deployment (run_autograder) to make the
# grader's files unreadable, which this shared checkout is not.
NOT_IN_USER_MODE = {"network", "write_fake_results", "steal_disk", "fill_storage"}


def _cheats(assignment_id: str) -> list[str]:
    return sorted(p.name for p in (ADVERSARIAL_DIR / assignment_id).iterdir()
                  if p.is_dir() and p.name not in HONEST and not p.name.startswith(("_", ".")))


def build_cohort(assignment_id: str, folder: Path, cheats: list[str], settings: dict,
                 honest: tuple[str, ...] = HONEST) -> Path:
    """The ``honest`` students and the given cheats, each as a folder named by its student id."""
    assignment = get_assignment(assignment_id)
    folder.mkdir(parents=True)
    if "honest_reference" in honest:
        reference = folder / "honest_reference"
        reference.mkdir()
        shutil.copy(assignment.solution_path, reference / assignment.module_filename)
    if "honest_partial" in honest:
        shutil.copytree(ADVERSARIAL_DIR / assignment_id / "honest_partial", folder / "honest_partial")
    for cheat in cheats:
        target = folder / cheat
        shutil.copytree(ADVERSARIAL_DIR / assignment_id / cheat, target)
        shutil.copy(assignment.solution_path, target / "_honest.py")
        shutil.copy(KIT, target / KIT.name)
        (target / "adversarial.json").write_text(json.dumps(settings))
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    return {entry.path.name: fingerprint(entry) for entry in discover(folder)}


def row_of(result) -> tuple:
    """(score, status, ((test, points, outcome, stage), ...)) of a SubmissionResult."""
    return (result.score, result.status.value, tuple((t.name, t.points, t.outcome.value, t.stage) for t in result.tests))


def rows_of(outdir: Path, assignment_id: str) -> dict:
    """student -> (score, status, ((test, points, outcome, stage), ...)) as the gradebook has it."""
    with Gradebook(outdir) as gradebook:
        return {r.student: row_of(r) for r in gradebook.results(assignment_id)}


def surviving_processes(marker: str, wait_s: float = 5.0) -> str:
    """The processes whose command line holds ``marker``, after giving teardown a moment."""
    deadline = time.monotonic() + wait_s
    while True:
        found = subprocess.run(["pgrep", "-af", marker], capture_output=True, text=True).stdout.strip()
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _subfolders(folder: Path) -> list[Path]:
    try:
        return [entry for entry in folder.iterdir() if entry.is_dir()]
    except OSError:
        return []


def files_with_marker(marker: str, folders: list[Path]) -> list[str]:
    """Files named after the marker, or fake results files holding it, in or right below ``folders``."""
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        found += [str(path) for path in folder.glob(f"{marker}*")]
        for below in _subfolders(folder):  # one by one: another process may remove its own meanwhile
            try:
                found += [str(path) for path in below.glob(f"{marker}*")]
            except OSError:
                pass
        for name in ("results.json", "gradebook.csv", "gradebook.sqlite"):
            path = folder / name
            try:
                if path.is_file() and marker.encode() in path.read_bytes()[:1 << 20]:
                    found.append(str(path))
            except OSError:
                pass
    return found


class Listener:
    """A TCP listener on 127.0.0.1 that records whoever connects."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.received.append(connection.recv(1024) or b"(connected)")
                except OSError:
                    self.received.append(b"(connected)")

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def grade_in_process(assignment_id: str, cohort: Path, outdir: Path, sandbox: str) -> None:
    api.grade(assignment_id, cohort, outdir, jobs=2, sandbox=sandbox)


def grade_in_a_container(assignment_id: str, cohort: Path, outdir: Path, sandbox: str) -> None:
    """``autograder grade`` in a subprocess, as in a container where the user mode works."""
    command = [*world_readable_python_wrapper(), sys.executable, "-m", "autograder", "grade", assignment_id,
               str(cohort), "-o", str(outdir), "--jobs", "2", "--sandbox", sandbox]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=REPO_ROOT)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]


def grade_adversarial_cohort(assignment_id: str, sandbox: str, tmp_path: Path, listener: Listener,
                             monkeypatch, cheats: list[str], grade=grade_in_process, reference_alone=None) -> None:
    """``reference_alone``: the reference graded on its own in this ``sandbox`` (a SubmissionResult), to
    compare the honest reference's row with; None grades it in the batch of the honest students alone."""
    marker = f"advsuite-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("ADVERSARIAL_SECRET", marker)  # the grader's environment, which no cheat may read
    try:
        _grade_and_check(assignment_id, sandbox, tmp_path, listener, cheats, grade, marker, reference_alone)
    finally:
        if sandbox == "user":  # it shares the host's /tmp and /dev/shm: what the cheats left there goes
            for path in [*Path("/tmp").glob(f"{marker}*"), *Path("/dev/shm").glob(f"{marker}*")]:
                path.unlink(missing_ok=True)


def _grade_and_check(assignment_id: str, sandbox: str, tmp_path: Path, listener: Listener, cheats: list[str],
                     grade, marker: str, reference_alone=None) -> None:
    honest_out, outdir = tmp_path / "honest-out", tmp_path / "out"
    graded_alone = HONEST if reference_alone is None else tuple(s for s in HONEST if s != "honest_reference")
    honest_cohort = build_cohort(assignment_id, tmp_path / "honest", [], {}, honest=graded_alone)
    cohort = tmp_path / "cohort"
    settings = {"marker": marker, "port": listener.port, "repo": str(REPO_ROOT), "cohort": str(cohort),
                "outdir": str(outdir)}
    build_cohort(assignment_id, cohort, cheats, settings)
    before = snapshot(cohort)

    grade(assignment_id, honest_cohort, honest_out, sandbox)
    started = time.monotonic()
    grade(assignment_id, cohort, outdir, sandbox)
    seconds = time.monotonic() - started

    expected = {student: EXPECTED[assignment_id][student] for student in (*HONEST, *cheats)}
    rows = rows_of(outdir, assignment_id)
    with Gradebook(outdir) as gradebook:
        results = gradebook.results(assignment_id)
    # (2) The batch completed: a row per student, with the expected status, none a grader error.
    assert sorted(rows) == sorted(expected)
    assert {s: row[1] for s, row in rows.items()} == {s: status for s, (_, status) in expected.items()}
    grader_errors = {s: [t for t in row[2] if t[2] == "error"] for s, row in rows.items()}
    assert not any(grader_errors.values()), grader_errors
    # (1) Every score is exactly what the honest outputs earn.
    assert {s: row[0] for s, row in rows.items()} == {s: score for s, (score, _) in expected.items()}
    # (3) The honest students' rows are those of a batch of honest students alone (the reference's:
    # graded alone, where given).
    alone = rows_of(honest_out, assignment_id)
    assert sorted(alone) == sorted(graded_alone)
    if reference_alone is not None:
        assert reference_alone.status.value == GRADED, reference_alone.detail
        alone["honest_reference"] = row_of(reference_alone)
    assert {s: rows[s] for s in HONEST} == {s: alone[s] for s in HONEST}

    # Nothing a cheat started is still running.
    assert surviving_processes(marker) == ""
    # Nothing was written outside the submissions' private folders, and no submission changed.
    assert snapshot(cohort) == before, "a cheat changed the submissions folder"
    written = {p.name for p in outdir.iterdir()} - {"gradebook.sqlite-wal", "gradebook.sqlite-shm"}
    assert written == {".autograder.lock", f"{assignment_id}.csv", "class_gradebook.csv", "gradebook.sqlite"}
    places = [REPO_ROOT, REPO_ROOT / "autograder", tmp_path, cohort, outdir, Path.home()]
    if sandbox != "user":  # the user mode shares the host's /tmp (see NOT_IN_USER_MODE)
        places.append(Path("/tmp"))
    assert files_with_marker(marker, places) == []
    # Nobody reached the grader machine's network.
    assert listener.received == []
    # The output a cheat printed is kept as a short tail, not as hundreds of megabytes.
    assert all(len(r.stdout_tail) <= 8192 for r in results)
    if sandbox == "bwrap":  # the grader's package is not even in the sandbox's filesystem
        assert not any("the grader's package is importable" in r.stdout_tail for r in results)
    print(f"{assignment_id} ({sandbox}): {len(expected)} students graded in {seconds:.1f} s")


needs_bwrap = pytest.mark.skipif(bwrap_problem() is not None, reason=f"needs the bwrap sandbox: {bwrap_problem()}")


@needs_bwrap
def test_numeric_cohort_bwrap(tmp_path, listener, monkeypatch):
    """activations, in the bubblewrap sandbox."""
    grade_adversarial_cohort("activations", "bwrap", tmp_path, listener, monkeypatch, _cheats("activations"))


@pytest.mark.skipif(user_mode_problem() is not None, reason=f"the user sandbox is unusable here: {user_mode_problem()}")
def test_numeric_cohort_user_mode(tmp_path, listener, monkeypatch):
    """activations, each submission as an unprivileged uid of its own (what Gradescope gets)."""
    cheats = [c for c in _cheats("activations") if c not in NOT_IN_USER_MODE]
    grade_adversarial_cohort("activations", "user", tmp_path, listener, monkeypatch, cheats)


@pytest.mark.skipif(user_mode_problem() is None or os.geteuid() != 0 or bwrap_problem() is not None,
                    reason="the user mode works here directly (see above), or this is not root with bubblewrap")
def test_numeric_cohort_user_mode_in_a_container(tmp_path, listener, monkeypatch):
    """activations in the user mode where this machine's Python is private (under /root): graded by
    ``autograder grade --sandbox user`` in a wrapper that makes it readable, as in a container."""
    cheats = [c for c in _cheats("activations") if c not in NOT_IN_USER_MODE]
    grade_adversarial_cohort("activations", "user", tmp_path, listener, monkeypatch, cheats, grade=grade_in_a_container)


@needs_bwrap
@pytest.mark.slow
def test_model_cohort_bwrap(tmp_path, listener, monkeypatch, verified):
    """lenet, in the bubblewrap sandbox: the sandbox attacks, and attacks through a model's config."""
    grade_adversarial_cohort("lenet", "bwrap", tmp_path, listener, monkeypatch, _cheats("lenet"),
                             reference_alone=verified("lenet").runs["reference/hidden"])


@needs_bwrap
@pytest.mark.slow
def test_rnn_cohort_bwrap(tmp_path, listener, monkeypatch, verified):
    """rnn_letters, in the bubblewrap sandbox: grader-trained models travel into the sandbox too."""
    grade_adversarial_cohort("rnn_letters", "bwrap", tmp_path, listener, monkeypatch, _cheats("rnn_letters"),
                             reference_alone=verified("rnn_letters").runs["reference/hidden"])
