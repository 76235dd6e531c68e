"""Peak memory of the Gradescope autograder grading one submission, against Gradescope's
default container (768 MB).

For each assignment: export the autograder zip, unpack it into a fake ``/autograder`` with the
reference solution as the submission, run ``run_autograder`` and sample the resident memory of
its whole process tree (grader, grading process, sandboxed child) every 20 ms. The peak of the
sum is what the container's memory limit must hold. The image is built as the tests build it
(``tests/gradescope_image.py``): the zip's own ``setup.sh`` installs its ``requirements.txt``
into ``<root>/venv`` with the ``python3`` outside this project (apt-get skipped), once for every
assignment, since their requirements are the same.

``--tensorflow`` grades, for the numeric assignments that have one, the honest student who
writes ``import tensorflow as tf`` (``tests/submissions/tensorflow/``) instead of the reference.

    .venv/bin/python benchmarks/gradescope_memory.py [--tensorflow] [activations lenet ...]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
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


TESTS = Path(__file__).resolve().parents[1] / "tests"
TENSORFLOW_STUDENTS = TESTS / "submissions" / "tensorflow"
sys.path.insert(0, str(TESTS))
from gradescope_image import GradescopeImage, system_python3  # noqa: E402


def measure(image: GradescopeImage, assignment_id: str, tensorflow: bool = False) -> dict:
    assignment = get_assignment(assignment_id)
    submission = TENSORFLOW_STUDENTS / assignment.module_filename if tensorflow else assignment.solution_path
    with tempfile.TemporaryDirectory(prefix="gradescope-memory-") as folder:
        image.install(build_gradescope_export(assignment, Path(folder) / "autograder.zip").zip_path)
    for name in ("submission", "results"):
        shutil.rmtree(image.root / name, ignore_errors=True)
        (image.root / name).mkdir(mode=0o755)
    shutil.copyfile(submission, image.root / "submission" / assignment.module_filename)
    started = time.monotonic()
    run = subprocess.Popen(["bash", str(image.source / "run_autograder")], cwd=image.workdir, env=image.environment(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watched, peak = psutil.Process(run.pid), 0.0
    while run.poll() is None:
        peak = max(peak, tree_rss_mb(watched))
        time.sleep(SAMPLE_S)
    seconds = time.monotonic() - started
    score = json.loads((image.root / "results" / "results.json").read_text())["score"]
    return {"assignment": assignment_id, "submission": "tensorflow student" if tensorflow else "reference",
            "peak_rss_mb": round(peak), "seconds": round(seconds, 1), "score": score,
            "fits_768_mb": peak <= GRADESCOPE_DEFAULT_MB}


def main() -> None:
    arguments = sys.argv[1:]
    tensorflow = "--tensorflow" in arguments
    ids = [a for a in arguments if a != "--tensorflow"] or ["activations", "lenet"]
    image = GradescopeImage.create(system_python3())
    try:
        rows = [measure(image, i) for i in ids]
        if tensorflow:
            rows += [measure(image, i, tensorflow=True) for i in ids if (TENSORFLOW_STUDENTS / f"{i}.py").is_file()]
    finally:
        image.remove()
    for row in rows:
        print(f"{row['assignment']:<12} {row['submission']:<18} peak {row['peak_rss_mb']:>5} MB  {row['seconds']:>6} s  score {row['score']:g}  "
              f"{'fits' if row['fits_768_mb'] else 'does NOT fit'} Gradescope's default {GRADESCOPE_DEFAULT_MB} MB")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gradescope_memory.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
