"""Grading on Dask: a LocalCluster of separate worker processes, one of them killed mid-batch.

Every submission must end with exactly one row whose score matches local grading: a task whose
worker dies is run again elsewhere, never dropped, and results are recorded only by the caller,
so never twice.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import api
from autograder.assignments import REPO_ROOT, get_assignment
from autograder.cli import main

distributed = pytest.importorskip("distributed")

ACTIVATIONS = get_assignment("activations")
PARTIAL = REPO_ROOT / "autograder" / "demo" / "activations" / "partial_single_file.py"
# Slow to import, so that tasks are still running when a worker is killed.
SLOW_REFERENCE = "import time\ntime.sleep(2)\n" + ACTIVATIONS.solution_path.read_text()


def make_cohort(folder: Path, slow: int = 0) -> dict[str, float]:
    """Students and the score each should get."""
    folder.mkdir()
    expected = {}
    for index in range(3):
        shutil.copyfile(ACTIVATIONS.solution_path, folder / f"reference_{index}.py")
        expected[f"reference_{index}"] = 20.0
    shutil.copyfile(PARTIAL, folder / "partial.py")
    expected["partial"] = 14.0
    shutil.copyfile(ACTIVATIONS.stub_path, folder / "stub.py")
    expected["stub"] = 0.0
    (folder / "as_a_folder").mkdir()
    shutil.copyfile(ACTIVATIONS.solution_path, folder / "as_a_folder" / "activations.py")
    expected["as_a_folder"] = 20.0
    for index in range(slow):
        (folder / f"slow_{index}.py").write_text(SLOW_REFERENCE)
        expected[f"slow_{index}"] = 20.0
    return expected


def rows(outdir: Path) -> list[tuple[str, float, str]]:
    with sqlite3.connect(outdir / "gradebook.sqlite") as db:
        return db.execute("SELECT student, score, status FROM submissions ORDER BY student").fetchall()


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def test_dask_grades_like_the_local_executor(cluster, tmp_path):
    expected = make_cohort(tmp_path / "cohort")
    batch = api.grade("activations", tmp_path / "cohort", tmp_path / "out", executor="dask",
                      scheduler=cluster.scheduler_address)
    assert {r.student: r.score for r in batch.graded} == expected
    assert [row[0] for row in rows(tmp_path / "out")] == sorted(expected)
    # A rerun grades nothing again.
    again = api.grade("activations", tmp_path / "cohort", tmp_path / "out", executor="dask",
                      scheduler=cluster.scheduler_address)
    assert again.graded == [] and sorted(again.skipped_already_graded) == sorted(expected)


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(cluster, tmp_path):
    expected = make_cohort(tmp_path / "cohort", slow=6)
    client = distributed.Client(cluster.scheduler_address)
    killed: list[int] = []

    def kill_a_busy_worker() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            processing = client.processing()
            busy = [address for address, tasks in processing.items() if tasks]
            if busy:
                pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.2)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    try:
        batch = api.grade("activations", tmp_path / "cohort", tmp_path / "out", executor="dask",
                          scheduler=cluster.scheduler_address)
    finally:
        killer.join()
        client.close()
    assert killed, "no worker was busy long enough to be killed"
    recorded = rows(tmp_path / "out")
    assert [row[0] for row in recorded] == sorted(expected)  # none missing, none twice
    assert {student: score for student, score, _ in recorded} == expected
    assert len(batch.graded) == len(expected)


def test_cli_grades_on_a_local_dask_cluster(tmp_path):
    make_cohort(tmp_path / "cohort")
    result = CliRunner().invoke(main, ["grade", "activations", str(tmp_path / "cohort"), "-o", str(tmp_path / "out"),
                                       "--executor", "dask", "--jobs", "2", "-q"])
    assert result.exit_code == 0, result.output
    assert len(rows(tmp_path / "out")) == 6


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    from autograder.engine import dask_grading

    monkeypatch.setattr(dask_grading, "CONNECT_TIMEOUT_S", 3)  # the same error, 27 s sooner
    make_cohort(tmp_path / "cohort")
    result = CliRunner().invoke(main, ["grade", "activations", str(tmp_path / "cohort"), "-o", str(tmp_path / "out"),
                                       "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "-q"])
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler" in result.output


def test_similarity_fingerprints_on_dask_as_here(cluster, tmp_path):
    """`autograder similarity --executor dask`: one fingerprinting task per submission on the
    cluster, the same pairs and scores as on this machine."""
    from autograder.api import DEMO_DIR

    here = api.similarity("activations", DEMO_DIR / "activations", tmp_path / "here")
    there = api.similarity("activations", DEMO_DIR / "activations", tmp_path / "there", executor="dask",
                           scheduler=cluster.scheduler_address)
    assert [(p.a, p.b, p.score) for p in there.pairs] == [(p.a, p.b, p.score) for p in here.pairs]
    assert here.pairs and [c.students for c in there.clusters] == [c.students for c in here.clusters]
