"""What grading one mlp_numpy submission costs, through the real command line (issue 19: at most 30 s
per submission on the course's 2-core machine, everything included).

Measured, each in a fresh `autograder` process (wall clock, from the command's start to its exit):
- ``autograder check mlp_numpy <reference>``: one submission alone, hidden-test equivalents of the
  student's own check (public tests; no TensorFlow, no MNIST);
- ``autograder grade mlp_numpy <folder of 1 reference copy>``: one submission graded alone, with the
  process start, TensorFlow's import (the trusted gradients), MNIST's load and the sandbox;
- ``autograder grade mlp_numpy <folder of N copies> --jobs 1`` and ``--jobs 2``: a class, whose
  per-submission cost is the total divided by N.

    nice .venv/bin/python benchmarks/mlp_numpy_cost.py [--copies 6] [--out FILE]

Writes benchmarks/results/mlp_numpy_cost.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / ".venv" / "bin" / "autograder"
REFERENCE = ROOT / "solutions" / "mlp_numpy" / "mlp_numpy.py"
OUT = ROOT / "benchmarks" / "results" / "mlp_numpy_cost.json"
TARGET_S = 30.0


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return round(seconds, 2)


def cohort(folder: Path, copies: int) -> Path:
    folder.mkdir(parents=True)
    for index in range(copies):
        shutil.copy(REFERENCE, folder / f"student{index:02d}.py")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mlp-numpy-cost-"))
    try:
        check = timed([str(CLI), "check", "mlp_numpy", str(REFERENCE)])
        one = timed([str(CLI), "grade", "mlp_numpy", str(cohort(work / "one", 1)), "-o", str(work / "out-one")])
        classes = {}
        for jobs in (1, 2):
            total = timed([str(CLI), "grade", "mlp_numpy", str(cohort(work / f"class{jobs}", args.copies)),
                           "-o", str(work / f"out-class{jobs}"), "--jobs", str(jobs)])
            classes[f"jobs_{jobs}"] = {"submissions": args.copies, "total_s": total,
                                       "per_submission_s": round(total / args.copies, 2)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "machine": platform.platform(), "cpus": os.cpu_count(),
        "command": f"nice .venv/bin/python benchmarks/mlp_numpy_cost.py --copies {args.copies}",
        "target_s_per_submission": TARGET_S,
        "check_reference_s": check,
        "grade_one_submission_s": one,
        "grade_class": classes,
        "within_target": max(one, *(c["per_submission_s"] for c in classes.values())) <= TARGET_S,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
