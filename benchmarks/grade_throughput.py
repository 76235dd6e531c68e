"""How fast does bulk grading go? Grades N generated submissions of a numeric assignment.

The cohort mixes the reference, the stub and partial solutions (one function replaced by
the stub's), so that passing, failing and not-attempted tests all take their real paths.

    .venv/bin/python benchmarks/grade_throughput.py --count 100 --jobs 2

Prints submissions per second and the per-submission wall time; the target on a 2-core
machine is at most 1 s per submission at --jobs 2.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import tempfile
import time
from pathlib import Path

from autograder import api
from autograder.assignments import get_assignment


def _function_sources(path: Path) -> dict[str, str]:
    source = path.read_text()
    return {node.name: ast.get_source_segment(source, node)
            for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def make_cohort(assignment_id: str, count: int, folder: Path) -> None:
    """``count`` submissions: every third the reference, every third the stub, the rest partial."""
    assignment = get_assignment(assignment_id)
    reference = assignment.solution_path.read_text()
    stub_functions = _function_sources(assignment.stub_path)
    names = sorted(stub_functions)
    for index in range(count):
        student = folder / f"student{index:04d}"
        student.mkdir()
        if index % 3 == 0:
            text = reference
        elif index % 3 == 1:
            text = assignment.stub_path.read_text()
        else:
            # The reference with one function swapped for the stub's: a partial submission.
            name = names[index % len(names)]
            text = reference + "\n\n" + stub_functions[name] + "\n"
        (student / assignment.module_filename).write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="activations")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="autograder-bench-"))
    try:
        cohort = workdir / "submissions"
        cohort.mkdir()
        make_cohort(args.assignment, args.count, cohort)
        started = time.perf_counter()
        batch = api.grade(args.assignment, cohort, workdir / "out", jobs=args.jobs)
        elapsed = time.perf_counter() - started
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    graded = len(batch.graded)
    mean_single = sum(r.duration_s for r in batch.graded) / graded
    print(f"assignment           {args.assignment}")
    print(f"submissions          {graded} (jobs={args.jobs}, sandbox=auto)")
    print(f"wall time            {elapsed:.1f} s (pool start-up included)")
    print(f"throughput           {graded / elapsed:.2f} submissions/s")
    print(f"wall per submission  {elapsed / graded:.3f} s   (target: <= 1 s at --jobs 2)")
    print(f"one submission       {mean_single:.3f} s mean, stage + sandbox + tests, in one worker")
    statuses = {}
    for result in batch.graded:
        statuses[result.status.value] = statuses.get(result.status.value, 0) + 1
    print(f"statuses             {statuses}")


if __name__ == "__main__":
    main()
