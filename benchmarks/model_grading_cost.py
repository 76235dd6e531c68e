"""What grading one model submission costs, on this machine, per assignment.

For each model assignment, in a fresh grading process configured like a batch worker:
- framework import: importing Keras and its backend once per grading process;
- cold: the first submission graded in that process (dataset load, reference model build);
- warm: a further submission, as every one after the first in a batch (median of --repeats);
- training alone: the grader's recipe on the reference, its training steps and evaluation
  without any grading around it (median of --repeats, interleaved with the warm ones).
A submission's sandbox is forked from a pre-warmed one that has imported the framework once per
grading process (autograder/sandbox/forkserver.py); the cold time includes starting that.

    .venv/bin/python benchmarks/model_grading_cost.py [--device cpu|gpu] [--backend tensorflow|jax]

Targets (issue 4): on a 2-core CPU, mnist_mlp and lenet at most 30 s per submission and
alexnet at most 120 s; on a GPU at most 15 s each. Issue 8: grading a warm submission costs
at most 20% more than training the reference recipe alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from autograder.training import Device, configure_process

RESULTS = Path(__file__).with_name("results")
TARGETS_S = {"cpu": {"mnist_mlp": 30, "lenet": 30, "alexnet": 120, "rnn_letters": 15},
             "gpu": {"mnist_mlp": 15, "lenet": 15, "alexnet": 15, "rnn_letters": 15}}
MAX_OVERHEAD_PCT = 20
BUILDERS = {"mnist_mlp": "build_mlp", "lenet": "build_lenet", "alexnet": "build_alexnet"}


def measure(assignment_id: str, device: Device, repeats: int) -> dict:
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
    reference = load_module_from_path(assignment.solution_path, f"_reference_{assignment_id}")

    def grade_once() -> tuple[float, str]:
        started = time.perf_counter()
        result = grade_entry(assignment, Entry("reference", assignment.solution_path), device=device)
        return time.perf_counter() - started, f"{result.score:g}/{result.max_score:g}"

    def train_once() -> float:
        report = train_and_evaluate(spec_of(getattr(reference, BUILDERS[assignment_id])()), RECIPES[assignment_id])
        return report.train_seconds + report.evaluate_seconds

    cold_s, score = grade_once()
    # Interleaved, so that a slow spell of this shared machine hits both alike; medians.
    warm, alone = [], []
    for _ in range(repeats):
        seconds, score = grade_once()
        warm.append(seconds)
        alone.append(train_once())
    del keras
    return {"assignment": assignment_id, **device_in_use(), "framework_import_s": round(import_s, 2),
            "cold_submission_s": round(cold_s, 2), "warm_submission_s": round(statistics.median(warm), 2),
            "training_alone_s": round(statistics.median(alone), 2), "repeats": repeats,
            "warm_runs_s": [round(x, 2) for x in warm], "training_alone_runs_s": [round(x, 2) for x in alone],
            "score": score}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "gpu"])
    parser.add_argument("--backend", default="tensorflow", choices=["tensorflow", "jax", "torch"])
    parser.add_argument("--only", choices=sorted(BUILDERS), action="append")
    parser.add_argument("--repeats", type=int, default=3, help="warm submissions and training-alone runs (medians)")
    args = parser.parse_args()
    device = Device(args.device, args.backend)
    rows = []
    for assignment_id in args.only or ["mnist_mlp", "lenet", "alexnet"]:
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            row = pool.submit(measure, assignment_id, device, args.repeats).result()
        target = TARGETS_S[args.device][assignment_id]
        row["target_s"] = target
        row["overhead_beyond_training_s"] = round(row["warm_submission_s"] - row["training_alone_s"], 2)
        row["overhead_pct"] = round(100 * row["overhead_beyond_training_s"] / row["training_alone_s"], 1)
        row["overhead_target_pct"] = MAX_OVERHEAD_PCT
        rows.append(row)
        print(f"{assignment_id:10s} {row['device']}/{row['backend']}: warm {row['warm_submission_s']:6.1f} s, "
              f"cold {row['cold_submission_s']:6.1f} s (+ {row['framework_import_s']:.1f} s framework import), "
              f"training alone {row['training_alone_s']:5.1f} s, overhead {row['overhead_pct']:.0f}% "
              f"(target <= {MAX_OVERHEAD_PCT}%), target {target} s, score {row['score']}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"model_grading_cost_{args.device}_{args.backend}.json"
    out.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
