"""What grading one model submission costs, on this machine, per assignment.

For each model assignment, in a fresh grading process configured like a batch worker:
- framework import: importing Keras and its backend once per grading process;
- cold: the first submission graded in that process (dataset load, reference model build);
- warm: the next submission, as every further one in a batch;
- training alone: the grader's recipe on the reference, without any grading around it.
Every submission's time includes starting its sandbox, which imports the framework again.

    .venv/bin/python benchmarks/model_grading_cost.py [--device cpu|gpu] [--backend tensorflow|jax]

Targets (issue 4): on a 2-core CPU, mnist_mlp and lenet at most 30 s per submission and
alexnet at most 120 s; on a GPU at most 15 s each.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from autograder.training import Device, configure_process

RESULTS = Path(__file__).with_name("results")
TARGETS_S = {"cpu": {"mnist_mlp": 30, "lenet": 30, "alexnet": 120, "rnn_letters": 15},
             "gpu": {"mnist_mlp": 15, "lenet": 15, "alexnet": 15, "rnn_letters": 15}}
BUILDERS = {"mnist_mlp": "build_mlp", "lenet": "build_lenet", "alexnet": "build_alexnet"}


def measure(assignment_id: str, device: Device) -> dict:
    """Runs in a fresh process."""
    configure_process(device)
    started = time.perf_counter()
    import keras

    import_s = time.perf_counter() - started
    from autograder.assignments import get_assignment
    from autograder.engine.grade import grade_entry
    from autograder.engine.plugin import load_module_from_path
    from autograder.intake import Entry
    from autograder.keras_models import spec_of
    from autograder.model_recipes import RECIPES
    from autograder.training import device_in_use, train_and_evaluate

    assignment = get_assignment(assignment_id)
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        result = grade_entry(assignment, Entry("reference", assignment.solution_path), device=device)
        timings.append(time.perf_counter() - started)
    reference = load_module_from_path(assignment.solution_path, f"_reference_{assignment_id}")
    report = train_and_evaluate(spec_of(getattr(reference, BUILDERS[assignment_id])()), RECIPES[assignment_id])
    del keras
    return {"assignment": assignment_id, **device_in_use(), "framework_import_s": round(import_s, 2),
            "cold_submission_s": round(timings[0], 2), "warm_submission_s": round(timings[1], 2),
            "training_alone_s": round(report.train_seconds + report.evaluate_seconds, 2),
            "score": f"{result.score:g}/{result.max_score:g}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "gpu"])
    parser.add_argument("--backend", default="tensorflow", choices=["tensorflow", "jax", "torch"])
    parser.add_argument("--only", choices=sorted(BUILDERS), action="append")
    args = parser.parse_args()
    device = Device(args.device, args.backend)
    rows = []
    for assignment_id in args.only or ["mnist_mlp", "lenet", "alexnet"]:
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            row = pool.submit(measure, assignment_id, device).result()
        target = TARGETS_S[args.device][assignment_id]
        row["target_s"] = target
        row["overhead_beyond_training_s"] = round(row["warm_submission_s"] - row["training_alone_s"], 2)
        rows.append(row)
        print(f"{assignment_id:10s} {row['device']}/{row['backend']}: warm {row['warm_submission_s']:6.1f} s, "
              f"cold {row['cold_submission_s']:6.1f} s (+ {row['framework_import_s']:.1f} s framework import), "
              f"training alone {row['training_alone_s']:5.1f} s, target {target} s, score {row['score']}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"model_grading_cost_{args.device}_{args.backend}.json"
    out.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
