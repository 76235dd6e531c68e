"""The same submissions scored three ways: `autograder grade`, the exported Gradescope
`run_autograder` in a fake root whose environment the zip's own ``setup.sh`` built
(``tests/gradescope_image.py``), and `otter run` on the otter export.

    .venv/bin/python benchmarks/three_ways.py [activations lenet]

For each assignment: the reference, a partial and the stub. Prints a table and writes
benchmarks/results/three_ways.json; every row should show one score three times.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import api
from autograder.assignments import REPO_ROOT, get_assignment
from autograder.export.gradescope import build_gradescope_export
from autograder.export.otter import build_otter_export
from autograder.training import Device

RESULTS = Path(__file__).with_name("results")
sys.path.insert(0, str(REPO_ROOT / "tests"))
from gradescope_image import GradescopeImage, system_python3  # noqa: E402
BIN = Path(sys.executable).parent
DEMO = REPO_ROOT / "autograder" / "demo"
PARTIAL = {"activations": DEMO / "activations" / "partial_single_file.py",
           "lenet": DEMO / "lenet" / "wrong_padding" / "lenet.py"}


def submissions(assignment_id: str) -> dict[str, Path]:
    assignment = get_assignment(assignment_id)
    return {"reference": assignment.solution_path, "partial": PARTIAL[assignment_id], "stub": assignment.stub_path}


def by_grade(assignment_id: str, files: dict[str, Path], workdir: Path) -> dict[str, float]:
    cohort = workdir / "cohort"
    cohort.mkdir()
    for name, path in files.items():
        shutil.copyfile(path, cohort / f"{name}.py")
    batch = api.grade(assignment_id, cohort, workdir / "gradebook", jobs=2)
    return {r.student: r.score + r.bonus_score for r in batch.graded}


def by_gradescope(assignment_id: str, files: dict[str, Path], workdir: Path) -> dict[str, float]:
    """run_autograder in an image built from the zip alone, as the tests build it."""
    assignment = get_assignment(assignment_id)
    image = GradescopeImage.create(system_python3())
    try:
        image.install(build_gradescope_export(assignment, workdir / "autograder.zip").zip_path)
        scores = {}
        for name, path in files.items():
            run, results = image.grade({assignment.module_filename: path})
            if run.returncode != 0:
                raise RuntimeError(f"run_autograder failed for {name}: {(run.stdout + run.stderr)[-2000:]}")
            scores[name] = results["score"]
        return scores
    finally:
        image.remove()


def by_otter(assignment_id: str, files: dict[str, Path], workdir: Path) -> dict[str, float]:
    export = build_otter_export(get_assignment(assignment_id), workdir / "otter")
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", **Device().environment()}
    subprocess.run(export.generate_command, cwd=export.folder, check=True, capture_output=True, env=env)
    scores = {}
    for name, path in files.items():
        out = workdir / f"otter-{name}"
        out.mkdir()
        subprocess.run([str(BIN / "otter"), "run", "-a", str(export.folder / "autograder.zip"), "-o", str(out),
                        str(path)], env=env, check=True, capture_output=True)
        tests = json.loads((out / "results.json").read_text())["tests"]
        scores[name] = sum(t["score"] for t in tests if "max_score" in t)
    return scores


def main() -> None:
    rows = []
    for assignment_id in sys.argv[1:] or ["activations", "lenet"]:
        workdir = Path(tempfile.mkdtemp(prefix="three-ways-"))
        try:
            files = submissions(assignment_id)
            grade = by_grade(assignment_id, files, workdir)
            gradescope = by_gradescope(assignment_id, files, workdir)
            otter = by_otter(assignment_id, files, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        for name in files:
            rows.append({"assignment": assignment_id, "submission": name, "grade": grade[name],
                         "gradescope": gradescope[name], "otter": otter[name],
                         "same": grade[name] == gradescope[name] == otter[name]})
    print(f"{'assignment':<12} {'submission':<10} {'grade':>6} {'gradescope':>10} {'otter':>6}")
    for row in rows:
        print(f"{row['assignment']:<12} {row['submission']:<10} {row['grade']:>6g} {row['gradescope']:>10g} "
              f"{row['otter']:>6g}  {'same' if row['same'] else 'DIFFERENT'}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "three_ways.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
