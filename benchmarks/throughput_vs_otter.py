"""Side by side, on the same submissions: our `grade`, `otter run` on our otter export, and a
naive loop of one `pytest` process per submission.

The cohort (``grade_throughput.make_cohort``) mixes references, stubs and partial solutions,
plus broken ones (a syntax error, an empty file); every tool grades the same ``.py`` files:
- ours: ``api.grade`` on the folder, ``--jobs 2``, in the sandbox (bubblewrap);
- otter: ``otter generate`` once, then ``otter run -a autograder.zip <file>`` per submission;
- naive: ``pytest`` on the hidden tests per submission, in its own process, with the student's
  module imported in-process (what a hand-rolled grading script does).

    .venv/bin/python benchmarks/throughput_vs_otter.py [--count 100] [--jobs 2] [--otter-count N]

``--otter-count N`` times otter and the naive loop on the first N files only (they take seconds
each) and compares per submission; the scores are compared on those N. Targets: ours at least
14 submissions/s on a numeric assignment at ``--jobs 2`` (issue 13; 10 in issue 8) and at least
20x faster per submission than ``otter run``. Results go to
benchmarks/results/throughput_vs_otter.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grade_throughput import make_cohort

from autograder import api
from autograder.assignments import get_assignment
from autograder.export.otter import build_otter_export

RESULTS = Path(__file__).with_name("results")
BIN = Path(sys.executable).parent

# One pytest process per submission: the hidden tests with a `submission` fixture that imports
# the student's module in-process (autograder.engine.local.LocalSubmission).
NAIVE_CONFTEST = '''
import os
import pytest
from autograder.engine.local import LocalSubmission, register_markers as pytest_configure
from autograder.engine.plugin import grader_cache, load_module_from_path  # noqa: F401
from pathlib import Path

@pytest.fixture(scope="session")
def submission():
    return LocalSubmission(os.environ["SUBMISSION"])

@pytest.fixture(scope="session")
def reference():
    return load_module_from_path(Path(os.environ["REFERENCE"]), "reference")
'''


def flatten(cohort: Path, folder: Path, module_filename: str) -> list[Path]:
    """One ``<student>.py`` per submission."""
    folder.mkdir()
    files = []
    for student in sorted(cohort.iterdir()):
        target = folder / f"{student.name}.py"
        shutil.copyfile(student / module_filename, target)
        files.append(target)
    # Two of them become broken submissions: a syntax error and an empty file.
    files[-2].write_text("def relu(x:\n")
    files[-1].write_text("")
    return files


def time_ours(assignment_id: str, folder: Path, outdir: Path, jobs: int) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    batch = api.grade(assignment_id, folder, outdir, jobs=jobs)
    return time.perf_counter() - started, {r.student: r.score for r in batch.graded}


def time_otter(assignment_id: str, files: list[Path], workdir: Path) -> tuple[float, dict[str, float]]:
    export = build_otter_export(get_assignment(assignment_id), workdir / "otter")
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    subprocess.run(export.generate_command, cwd=export.folder, check=True, capture_output=True, env=env)
    autograder_zip = export.folder / "autograder.zip"
    scores = {}
    started = time.perf_counter()
    for file in files:
        out = workdir / "otter-out" / file.stem
        out.mkdir(parents=True)
        subprocess.run([str(BIN / "otter"), "run", "-a", str(autograder_zip), "-o", str(out), str(file)],
                       capture_output=True, env=env, timeout=600)
        results = out / "results.json"
        # otter's results.json lists test cases; its total is their sum (there is no top-level score)
        tests = json.loads(results.read_text()).get("tests", []) if results.exists() else []
        scores[file.stem] = sum(t["score"] for t in tests if "max_score" in t)
    return time.perf_counter() - started, scores


def time_naive(assignment_id: str, files: list[Path], workdir: Path) -> float:
    assignment = get_assignment(assignment_id)
    tests = workdir / "naive"
    tests.mkdir()
    shutil.copyfile(assignment.hidden_tests_path, tests / assignment.hidden_tests_path.name)
    (tests / "conftest.py").write_text(NAIVE_CONFTEST)
    started = time.perf_counter()
    for file in files:
        env = {**os.environ, "SUBMISSION": str(file), "REFERENCE": str(assignment.solution_path)}
        subprocess.run([str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "--rootdir", str(tests), str(tests)],
                       capture_output=True, env=env, cwd=tests, timeout=600)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="activations")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--otter-count", type=int, default=None,
                        help="time otter and the naive loop on this many of the files (default: all)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="autograder-vs-otter-"))
    try:
        (workdir / "cohort").mkdir()
        make_cohort(args.assignment, args.count, workdir / "cohort")
        files = flatten(workdir / "cohort", workdir / "files", get_assignment(args.assignment).module_filename)
        ours_s, ours = time_ours(args.assignment, workdir / "files", workdir / "out", args.jobs)
        others = files[:args.otter_count] if args.otter_count else files
        naive_s = time_naive(args.assignment, others, workdir)
        otter_s, otter = time_otter(args.assignment, others, workdir)
        n, m = len(files), len(others)
        agree = sum(ours.get(f.stem) == otter.get(f.stem) for f in others)
        ours_each, otter_each, naive_each = ours_s / n, otter_s / m, naive_s / m
        row = {
            "assignment": args.assignment, "submissions": n, "jobs": args.jobs, "otter_and_naive_submissions": m,
            "ours_s_per_submission": round(ours_each, 4), "ours_submissions_per_s": round(n / ours_s, 2),
            "otter_s_per_submission": round(otter_each, 3), "naive_pytest_s_per_submission": round(naive_each, 3),
            "speedup_vs_otter": round(otter_each / ours_each, 1), "speedup_vs_naive_pytest": round(naive_each / ours_each, 1),
            "same_score_as_otter": f"{agree}/{m}",
            "targets_met": n / ours_s >= 14 and otter_each / ours_each >= 20,
        }
        print(json.dumps(row, indent=2))
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "throughput_vs_otter.json").write_text(json.dumps(row, indent=2) + "\n")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
