"""Measure the evidence behind each model assignment's minimum test accuracy.

For each assignment, with the grader's own recipe (autograder/model_recipes.py):
- the reference architecture across several seeds (the grader uses seed 0);
- the reference with a broken recipe (learning rate 0: it cannot learn);
- a sabotaged copy (every kernel and bias initialized to zero: relu units stay dead).

The threshold rule: the lowest reference accuracy minus a margin of max(0.03, 3 standard
deviations), rounded down to 0.01. It must stay far above what the broken runs reach.

    .venv/bin/python benchmarks/model_thresholds.py [--seeds 5] [--only lenet] [--out FILE]

Writes benchmarks/results/model_thresholds.json (the evidence the thresholds cite).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import platform
import statistics
import time
from pathlib import Path

from autograder.training import Device, configure_process

RESULTS = Path(__file__).with_name("results") / "model_thresholds.json"
BUILDERS = {"mnist_mlp": "build_mlp", "lenet": "build_lenet", "alexnet": "build_alexnet"}


def _spec_of(model):
    import keras

    from autograder.sandbox.child.protocol import KerasModelSpec

    return KerasModelSpec(json.dumps(keras.saving.serialize_keras_object(model)), type(model).__name__)


def _sabotaged(spec):
    """The same architecture with every kernel and bias initialized to zeros."""
    from autograder.sandbox.child.protocol import KerasModelSpec

    config = json.loads(spec.config_json)

    def zero(node):
        if isinstance(node, dict):
            for key in ("kernel_initializer", "bias_initializer"):
                if key in node:
                    node[key] = {"module": "keras.initializers", "class_name": "Zeros", "config": {},
                                 "registered_name": None}
            for value in node.values():
                zero(value)
        elif isinstance(node, list):
            for value in node:
                zero(value)

    zero(config)
    return KerasModelSpec(json.dumps(config), "sabotaged")


def derive_threshold(accuracies: list[float]) -> float:
    spread = statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0
    return math.floor((min(accuracies) - max(0.03, 3 * spread)) * 100) / 100


def measure(assignment_id: str, seeds: int) -> dict:
    from autograder.assignments import get_assignment
    from autograder.engine.plugin import load_module_from_path
    from autograder.model_recipes import MIN_TEST_ACCURACY, RECIPES
    from autograder.training import train_and_evaluate

    recipe = RECIPES[assignment_id]
    solution = load_module_from_path(get_assignment(assignment_id).solution_path, f"_reference_{assignment_id}")
    spec = _spec_of(getattr(solution, BUILDERS[assignment_id])())
    runs = []
    for seed in range(seeds):
        started = time.perf_counter()
        report = train_and_evaluate(spec, dataclasses.replace(recipe, seed=seed))
        runs.append({"seed": seed, "test_accuracy": report.test_accuracy, "train_seconds": round(report.train_seconds, 2),
                     "evaluate_seconds": round(report.evaluate_seconds, 2),
                     "total_seconds": round(time.perf_counter() - started, 2)})
    broken = train_and_evaluate(spec, dataclasses.replace(recipe, learning_rate=0.0))
    sabotaged = train_and_evaluate(_sabotaged(spec), recipe)
    accuracies = [run["test_accuracy"] for run in runs]
    return {
        "recipe": dataclasses.asdict(recipe),
        "reference_runs": runs,
        "reference_min": min(accuracies),
        "reference_mean": statistics.mean(accuracies),
        "reference_stdev": statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0,
        "derived_threshold": derive_threshold(accuracies),
        "threshold_in_use": MIN_TEST_ACCURACY[assignment_id],
        "broken_recipe_learning_rate_0": broken.test_accuracy,
        "sabotaged_zero_initialized": sabotaged.test_accuracy,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--only", choices=sorted(BUILDERS), action="append")
    parser.add_argument("--device", default="cpu", choices=["cpu", "gpu"])
    parser.add_argument("--backend", default="tensorflow", choices=["tensorflow", "jax", "torch"])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    configure_process(Device(args.device, args.backend))

    from autograder.training import device_in_use

    # --only re-measures some assignments and keeps the others' evidence.
    previous = json.loads(args.out.read_text()) if args.only and args.out.exists() else {}
    evidence = {"machine": platform.platform(), "processor": platform.processor() or platform.machine(),
                **device_in_use(), "assignments": previous.get("assignments", {})}
    for assignment_id in args.only or sorted(BUILDERS):
        result = measure(assignment_id, args.seeds)
        evidence["assignments"][assignment_id] = result
        print(f"{assignment_id:10s} reference {[round(r['test_accuracy'], 4) for r in result['reference_runs']]} "
              f"-> derived threshold {result['derived_threshold']:.2f} (in use {result['threshold_in_use']:.2f}); "
              f"broken recipe {result['broken_recipe_learning_rate_0']:.3f}, "
              f"sabotaged {result['sabotaged_zero_initialized']:.3f}; "
              f"{statistics.mean(r['total_seconds'] for r in result['reference_runs']):.1f} s per run", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(evidence, indent=2) + "\n")
    print(f"evidence written to {args.out}")


if __name__ == "__main__":
    main()
