"""Peak memory of the Gradescope autograder grading one submission, against Gradescope's
default container (768 MB).

For each assignment: export the autograder zip, unpack it into a fake ``/autograder`` with the
reference solution as the submission, run ``run_autograder`` and sample the resident memory of
its whole process tree (grader, grading process, sandboxed child) every 20 ms. The peak of the
sum is what the container's memory limit must hold.

    .venv/bin/python benchmarks/gradescope_memory.py [activations lenet ...]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import psutil

from autograder.assignments import get_assignment
from autograder.export.gradescope import build_gradescope_export

RESULTS = Path(__file__).with_name("results")
GRADESCOPE_DEFAULT_MB = 768
SAMPLE_S = 0.02


def tree_rss_mb(process: psutil.Process) -> float:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def measure(assignment_id: str) -> dict:
    assignment = get_assignment(assignment_id)
    root = Path(tempfile.mkdtemp(prefix="gradescope-memory-"))
    try:
        zip_path = build_gradescope_export(assignment, root / "autograder.zip").zip_path
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(root / "source")
        (root / "submission").mkdir()
        (root / "results").mkdir()
        shutil.copyfile(assignment.solution_path, root / "submission" / assignment.module_filename)
        env = {**os.environ, "AUTOGRADER_GRADESCOPE_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
        started = time.monotonic()
        run = subprocess.Popen(["bash", str(root / "source" / "run_autograder")], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        watched, peak = psutil.Process(run.pid), 0.0
        while run.poll() is None:
            peak = max(peak, tree_rss_mb(watched))
            time.sleep(SAMPLE_S)
        seconds = time.monotonic() - started
        score = json.loads((root / "results" / "results.json").read_text())["score"]
        return {"assignment": assignment_id, "peak_rss_mb": round(peak), "seconds": round(seconds, 1),
                "score": score, "fits_768_mb": peak <= GRADESCOPE_DEFAULT_MB}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    ids = sys.argv[1:] or ["activations", "lenet"]
    rows = [measure(i) for i in ids]
    for row in rows:
        print(f"{row['assignment']:<12} peak {row['peak_rss_mb']:>5} MB  {row['seconds']:>6} s  score {row['score']:g}  "
              f"{'fits' if row['fits_768_mb'] else 'does NOT fit'} Gradescope's default {GRADESCOPE_DEFAULT_MB} MB")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gradescope_memory.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
