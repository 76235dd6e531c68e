"""Isolation between submissions, through ``autograder grade`` as an instructor runs it.

Each cohort puts attackers first (student ids sort them there), then honest students, then a
"collector" that earns points only if it finds anything an attacker left or any other
student's code; ``autograder grade`` (the installed command, in a subprocess) grades it at
``--jobs 1`` (one pre-warmed sandbox serves everyone after the attackers) and ``--jobs 2``.
The attacks are described in their files (``tests/adversarial/isolation/activations/``):

- ``a_outlive``: trace bubblewrap's init and the zygote; leave a daemon that copies and kills
  the next submissions (issue class 1);
- ``a_host_write``: leave a daemon that replaces the working folder's files with links to host
  paths, for the host to follow when it copies the next submission in (class 2);
- ``a_limits``: prlimit, setpriority and sched_setaffinity on every pid (class 3);
- ``a_shared_tmp``: edit the shared /tmp keeping sizes and times, plant files (class 7).

For each run: every honest student keeps full marks, every attacker and the collector score
exactly their honest part, no process an attacker started survives, no file appears outside
the output folder (the links' targets included), the submissions are unchanged, the grader's
own memory stays under 2 GB and every submission finishes within its time budget.

The same cohort, less ``a_shared_tmp`` (the user mode shares the host's /tmp by design: an
attacker there can overwrite what any user may write), is graded in the user mode (a uid per
submission, as in Gradescope's container) with ``--sandbox user`` at ``--jobs 1``, as Gradescope
grades one submission per container (two submissions graded at once in the user mode see each
other's files in /tmp while they run: SECURITY.md); what a submission's uid left in /tmp,
/var/tmp and /dev/shm must be gone after it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
import uuid
from pathlib import Path

import psutil
import pytest

from autograder.assignments import REPO_ROOT, get_assignment
from autograder.gradebook import Gradebook
from autograder.intake import discover, fingerprint
from autograder.sandbox.launcher import SUBMISSION_UIDS, WORLD_WRITABLE, bwrap_problem, user_mode_problem
from container_wrapper import world_readable_python_wrapper

pytestmark = pytest.mark.slow
needs_bwrap = pytest.mark.skipif(bwrap_problem() is not None, reason=f"bubblewrap unusable: {bwrap_problem()}")
# The user mode needs root; where root's Python is private, the command runs in the wrapper
# that makes it readable (as Gradescope's container is), which needs bubblewrap.
user_mode_runs = user_mode_problem() is None or (os.geteuid() == 0 and bwrap_problem() is None)
needs_user_mode = pytest.mark.skipif(not user_mode_runs, reason="the user mode needs root")

ISOLATION_DIR = Path(__file__).with_name("adversarial") / "isolation"
KIT = Path(__file__).with_name("adversarial") / "kit" / "adversarial_kit.py"
ASSIGNMENT = "activations"
HONEST = [f"h_honest_{i}" for i in range(1, 5)]
ATTACKERS = ["a_outlive", "a_host_write", "a_limits", "a_shared_tmp"]
COLLECTOR = "zz_collector"
FULL, HONEST_PART = 20.0, 17.0  # leaky_relu is worth 3 of activations' 20 points
MAX_GRADER_RSS = 2 * 1024**3


def _autograder() -> str:
    """The installed command, as a user runs it (the environment's bin folder)."""
    found = Path(sys.executable).with_name("autograder")
    return str(found) if found.exists() else shutil.which("autograder")


def _cohort(folder: Path, settings: dict, attackers: list[str]) -> Path:
    assignment = get_assignment(ASSIGNMENT)
    for student in HONEST:
        (folder / student).mkdir(parents=True)
        shutil.copy(assignment.solution_path, folder / student / assignment.module_filename)
    for student in (*attackers, COLLECTOR):
        target = folder / student
        shutil.copytree(ISOLATION_DIR / ASSIGNMENT / student, target)
        shutil.copy(assignment.solution_path, target / "_honest.py")
        shutil.copy(KIT, target / KIT.name)
        (target / "adversarial.json").write_text(json.dumps(settings))
    return folder


class PeakRSS:
    """The grader process's peak resident memory, sampled every 20 ms (its sandboxes are other
    processes: their memory is the watchdog's to bound)."""

    def __init__(self, pid: int):
        self.peak = 0
        self._process = psutil.Process(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        while not self._stop.wait(0.02):
            try:
                self.peak = max(self.peak, self._process.memory_info().rss)
            except psutil.Error:
                return

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _files_named(marker: str, folders: list[Path]) -> list[str]:
    found = []
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            found += [os.path.join(root, name) for name in files + dirs if marker in name]
    return found


def _surviving(marker: str, wait_s: float = 5.0) -> list[str]:
    deadline = time.monotonic() + wait_s
    while True:
        found = []
        for process in psutil.process_iter(["cmdline"]):
            if any(marker in part for part in process.info["cmdline"] or []):
                found.append(" ".join(process.info["cmdline"]))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _left_by_submissions() -> list[str]:
    """Entries of the world-writable folders owned by a submission uid of the user mode."""
    left = []
    for folder in WORLD_WRITABLE:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid in SUBMISSION_UIDS:
                    left.append(entry.path)
            except OSError:
                pass
    return left


@pytest.mark.parametrize("sandbox, jobs", [pytest.param("bwrap", 1, marks=needs_bwrap),
                                           pytest.param("bwrap", 2, marks=needs_bwrap),
                                           pytest.param("user", 1, marks=needs_user_mode)])
def test_no_submission_reaches_another_the_host_or_the_grader(tmp_path, sandbox, jobs):
    attackers = ATTACKERS if sandbox == "bwrap" else [a for a in ATTACKERS if a != "a_shared_tmp"]
    marker = f"isolation-{uuid.uuid4().hex[:12]}"
    site_packages = Path(sysconfig.get_paths()["purelib"])
    outdir = tmp_path / "out"
    settings = {"marker": marker, "checkout": str(REPO_ROOT), "submissions": str(tmp_path / "cohort"),
                "outdir": str(outdir), "site_packages": str(site_packages)}
    cohort = _cohort(tmp_path / "cohort", settings, attackers)
    before = {entry.path.name: fingerprint(entry) for entry in discover(cohort)}
    left_before = set(_left_by_submissions())

    command = [_autograder(), "grade", ASSIGNMENT, str(cohort), "-o", str(outdir), "--jobs", str(jobs),
               "--sandbox", sandbox]
    if sandbox == "user" and user_mode_problem() is not None:
        tmp_path.chmod(0o755)  # the wrapper's root reads the cohort; the submissions' uids do not
        command = [*world_readable_python_wrapper(), *command]
    started = time.monotonic()
    grader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path)
    rss = PeakRSS(grader.pid)
    output, _ = grader.communicate(timeout=600)
    peak = rss.stop()
    elapsed = time.monotonic() - started
    assert grader.returncode == 0, output.decode(errors="replace")[-3000:]

    with Gradebook(outdir) as gradebook:
        rows = {r.student: r for r in gradebook.results(ASSIGNMENT)}
    scores = {student: (row.score, row.status.value) for student, row in rows.items()}
    expected = {**{s: (FULL, "graded") for s in HONEST},
                **{s: (HONEST_PART, "graded") for s in (*attackers, COLLECTOR)}}
    details = {s: [(t.name, t.stage, t.message[:120]) for t in rows[s].tests if t.points < t.max_points]
               for s in rows if scores[s] != expected.get(s)}
    assert scores == expected, (details, {s: rows[s].stdout_tail[-500:] for s in details})
    assert not any(t.outcome.value == "error" for row in rows.values() for t in row.tests)
    # What the attacks report they reached (in their own output): nothing.
    for student, word in (("a_outlive", "traced:"), ("a_limits", "changed:"), (COLLECTOR, "found:")):
        reports = [line for line in rows[student].stdout_tail.splitlines() if line.startswith(word)]
        assert reports and all(line == f"{word} []" for line in reports), (student, reports)

    assert _surviving(marker) == []
    outside = [tmp_path, site_packages, REPO_ROOT / "autograder", REPO_ROOT / "solutions", Path("/dev/shm")]
    assert _files_named(marker, outside) == []
    assert not [p for p in os.listdir("/tmp") if marker in p]
    assert set(_left_by_submissions()) <= left_before
    assert {entry.path.name: fingerprint(entry) for entry in discover(cohort)} == before

    assert peak < MAX_GRADER_RSS, f"the grader held {peak / 2**20:.0f} MB"
    limits = get_assignment(ASSIGNMENT).limits
    assert all(row.duration_s <= limits.total_timeout_s + 10 for row in rows.values()), \
        {s: row.duration_s for s, row in rows.items()}
    assert elapsed < 300
