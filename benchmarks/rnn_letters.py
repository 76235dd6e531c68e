"""Evidence for rnn_letters: the reference fits on every seed, and what grading costs.

1. Reliability: for each variant (one-hot / embedding / LSTM / GRU, 1 and 4 letters), train the
   reference architecture with the grader's settings for many seeds and record how many steps
   it needed to predict all 5 transitions. The grader allows MAX_STEPS.
2. Cost: grade the reference submission twice in one grading process (the framework imported
   beforehand, as in a batch) and report the wall time of each, sandbox start included.

    .venv/bin/python benchmarks/rnn_letters.py [--seeds 20]

Writes benchmarks/results/rnn_letters.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from pathlib import Path

from autograder.training import Device, configure_process

RESULTS = Path(__file__).with_name("results") / "rnn_letters.json"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    configure_process(Device())
    import keras  # noqa: F401 - the framework import is not part of the grading cost

    from autograder.assignments import get_assignment
    from autograder.engine.grade import grade_entry
    from autograder.intake import Entry
    from autograder.keras_models import spec_of
    from autograder.training import train_until_fit

    assignment = get_assignment("rnn_letters")
    hidden = _load(assignment.hidden_tests_path, "hidden_rnn_letters")
    reference = _load(assignment.solution_path, "reference_rnn_letters")
    variants = [("build_onehot_rnn", "onehot_dataset"), ("build_embedding_rnn", "id_dataset"),
                ("build_onehot_lstm", "onehot_dataset"), ("build_onehot_gru", "onehot_dataset")]
    reliability = {}
    for builder, dataset in variants:
        for timesteps in (1, 4):
            x, y = getattr(reference, dataset)(timesteps)
            spec = spec_of(getattr(reference, builder)(timesteps))
            runs = [train_until_fit(spec, x, y, seed=seed, learning_rate=hidden.LEARNING_RATE,
                                    max_steps=hidden.MAX_STEPS) for seed in range(args.seeds)]
            key = f"{builder}({timesteps})"
            reliability[key] = {"seeds": args.seeds, "failures": sum(r.accuracy < 1 for r in runs),
                                "max_steps_needed": max(r.steps for r in runs),
                                "mean_seconds": round(sum(r.seconds for r in runs) / len(runs), 3)}
            print(f"{key:28s} failures {reliability[key]['failures']}/{args.seeds}, "
                  f"at most {reliability[key]['max_steps_needed']} steps (limit {hidden.MAX_STEPS}), "
                  f"{reliability[key]['mean_seconds']} s per fit", flush=True)

    timings = []
    for attempt in range(2):
        started = time.perf_counter()
        result = grade_entry(assignment, Entry("reference", assignment.solution_path))
        timings.append(round(time.perf_counter() - started, 2))
        print(f"grading the reference, run {attempt + 1}: {timings[-1]} s, score {result.score:g}/{result.max_score:g} "
              f"+ {result.bonus_score:g} bonus", flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"max_steps_allowed": hidden.MAX_STEPS, "learning_rate": hidden.LEARNING_RATE,
                                   "reliability": reliability, "grading_seconds": timings}, indent=2) + "\n")
    print(f"evidence written to {RESULTS}")


if __name__ == "__main__":
    main()
