"""The GPU proof (issue 20): the model assignments graded on a GPU, checked against the CPU.

For each model assignment (mnist_mlp, lenet, alexnet, rnn_letters), in a fresh grading process
configured as ``autograder grade --device gpu --backend BACKEND`` configures its workers:
- the reference, graded twice (cold: the first submission of the process, with dataset load,
  compilation and the sandbox's start; warm: as every later submission of a batch);
- one known-wrong demo student (``KNOWN_WRONG``), warm.
Each score and status must equal the CPU's, recorded in ``tests/demo_expected/<id>.json`` (the
demo cohorts that CI grades on the CPU with TensorFlow); the reference's test accuracy must reach
the assignment's threshold (``autograder.model_recipes.MIN_TEST_ACCURACY``). Recorded per
submission: seconds, the grader's training seconds, test accuracy; per assignment: the GPU memory
peak (``nvidia-smi``, sampled every 200 ms) and the CPU's warm seconds from
``benchmarks/results/model_grading_cost_cpu_tensorflow.json``, side by side. Targets on the
H200: alexnet at most 5 s warm, lenet and mnist_mlp at most 2 s.

    python benchmarks/gpu_proof.py --backend jax --out OUT   # what benchmarks/gpu_proof.sh runs

Exits 1 if a score differs from the CPU's or a reference misses its threshold; targets missed
are reported, not failed (they are what the note measures). ``--device cpu`` runs the same
script on a machine without a GPU, to try it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from the working tree as it travels, without an install

from autograder.training import Device, configure_process  # noqa: E402

ASSIGNMENTS = ("mnist_mlp", "lenet", "alexnet", "rnn_letters")
KNOWN_WRONG = {"mnist_mlp": "wrong_parameter_count", "lenet": "wrong_padding", "alexnet": "wrong_padding",
               "rnn_letters": "wrong_encoding"}
TARGET_WARM_S = {"alexnet": 5.0, "lenet": 2.0, "mnist_mlp": 2.0}
CPU_COST = REPO / "benchmarks" / "results" / "model_grading_cost_cpu_tensorflow.json"
DEMO = REPO / "autograder" / "demo"
EXPECTED = REPO / "tests" / "demo_expected"


def _grade(assignment_id: str, student: str, device: Device, sandbox: str) -> dict:
    """Grade one demo student in this (configured) process; plain data out."""
    from autograder.api import resolve_sandbox
    from autograder.assignments import get_assignment
    from autograder.engine.grade import grade_entry
    from autograder.intake import Entry

    mode = resolve_sandbox(sandbox, untrusted=False)
    started = time.perf_counter()
    result = grade_entry(get_assignment(assignment_id), Entry(student, DEMO / assignment_id / student),
                         mode=mode, device=device)
    seconds = time.perf_counter() - started
    metrics = {key: value for test in result.tests for key, value in test.metrics.items()}
    return {"student": student, "seconds": round(seconds, 2), "score": result.score, "status": result.status.value,
            "train_seconds": metrics.get("train_seconds"), "test_accuracy": metrics.get("test_accuracy"),
            "device": result.device, "backend": result.backend, "sandbox": mode.value,
            "failed": [f"{t.name}: {t.message[:200]}" for t in result.tests if t.points < t.max_points]}


class _MemorySampler:
    """The peak of nvidia-smi's memory.used (MiB) while it runs; None without nvidia-smi."""

    def __init__(self):
        self.peak: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                out = subprocess.run(["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits"],
                                     capture_output=True, text=True, timeout=10).stdout
                used = max(int(line) for line in out.split())
                self.peak = used if self.peak is None else max(self.peak, used)
            except (OSError, ValueError, subprocess.SubprocessError):
                return
            self._stop.wait(0.2)

    def __enter__(self):
        if shutil.which("nvidia-smi"):
            self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=15)


def prove(assignment_id: str, device: Device, sandbox: str) -> dict:
    expected = json.loads((EXPECTED / f"{assignment_id}.json").read_text())
    wrong = KNOWN_WRONG[assignment_id]
    with _MemorySampler() as memory, ProcessPoolExecutor(1, mp_context=get_context("spawn"),
                                                         initializer=configure_process, initargs=(device,)) as pool:
        runs = [pool.submit(_grade, assignment_id, student, device, sandbox).result()
                for student in ("reference", "reference", wrong)]
    cold, warm, wrong_run = runs
    from autograder.model_recipes import MIN_TEST_ACCURACY

    threshold = MIN_TEST_ACCURACY.get(assignment_id)
    problems = []
    for run in runs:
        want = expected[run["student"]]
        if (run["score"], run["status"]) != (want["score"], want["status"]):
            problems.append(f"{run['student']}: {run['score']:g} ({run['status']}) on the GPU, "
                            f"{want['score']:g} ({want['status']}) on the CPU")
    if threshold is not None and (warm["test_accuracy"] is None or warm["test_accuracy"] < threshold):
        problems.append(f"reference test accuracy {warm['test_accuracy']} below the threshold {threshold}")
    cpu = next((row for row in json.loads(CPU_COST.read_text()) if row["assignment"] == assignment_id), {})
    target = TARGET_WARM_S.get(assignment_id)
    return {"assignment": assignment_id, "backend": device.backend, "device": warm["device"],
            "sandbox": warm["sandbox"], "cold_s": cold["seconds"], "warm_s": warm["seconds"],
            "known_wrong_s": wrong_run["seconds"], "train_s": warm["train_seconds"],
            "reference_test_accuracy": warm["test_accuracy"], "threshold": threshold,
            "gpu_memory_peak_mib": memory.peak, "target_warm_s": target,
            "meets_target": None if target is None else warm["seconds"] <= target,
            "cpu_warm_s": cpu.get("warm_submission_s"), "cpu_train_s": cpu.get("training_alone_s"),
            "runs": runs, "problems": problems}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="jax", choices=["jax", "torch", "tensorflow"])
    parser.add_argument("--device", default="gpu", choices=["gpu", "cpu"])
    parser.add_argument("--sandbox", default="auto", choices=["auto", "bwrap", "user", "process"])
    parser.add_argument("--only", action="append", choices=ASSIGNMENTS, help="one assignment (repeatable)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    device = Device(args.device, args.backend)
    if args.device == "gpu":
        from autograder.training import gpu_problem

        problem = gpu_problem(args.backend)
        if problem is not None:
            print(f"no GPU for {args.backend}: {problem}", file=sys.stderr)
            return 2
    rows = []
    for assignment_id in args.only or ASSIGNMENTS:
        row = prove(assignment_id, device, args.sandbox)
        rows.append(row)
        print(f"{assignment_id}: cold {row['cold_s']} s, warm {row['warm_s']} s (CPU {row['cpu_warm_s']} s), "
              f"training {row['train_s']} s, accuracy {row['reference_test_accuracy']}, "
              f"GPU memory {row['gpu_memory_peak_mib']} MiB, {row['problems'] or 'scores as on the CPU'}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    name = "gpu.json" if args.device == "gpu" else f"gpu_proof_{args.device}_{args.backend}.json"
    (args.out / name).write_text(json.dumps(rows, indent=2) + "\n")
    return 1 if any(row["problems"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
