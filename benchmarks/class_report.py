"""Render a 40-student class report from seeded synthetic results, and screenshot it.

No grading: the gradebook is built from made-up results (seeded, so every run writes the same
report) for three assignments: ``activations`` (parametrized tests, failure messages, two
problem submissions), ``losses`` (two students did not hand it in) and ``lenet`` (a model
assignment with training curves and test accuracies: a few students' models do not learn, one
diverges; one problem submission). A course file's late policy (10% a day, one late token per
student, a 5-day cutoff, one extension) adjusts the scores of the students who handed in late,
through ``autograder.course`` as ``autograder report --course`` does. One student's notebook
had a ``!pip install`` line removed (a note in their feedback).

    .venv/bin/python benchmarks/class_report.py [--outdir DIR] [--png benchmarks/results/class_report.png]
        [--height 8200] [--sort class-view:total:desc]

Writes DIR/gradebook.sqlite, DIR/course.yml, DIR/report/index.html and DIR/feedback/ (DIR: a
fresh temporary folder unless given), then opens the report in headless Chromium (Debian's
``chromium``: ``autograder setup --with-browser``) at ``index.html#sort=<--sort>`` and saves a
1280-pixel-wide screenshot of its first ``--height`` pixels to ``--png``, reduced to a 256-colour
palette to stay well under 1 MB.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder import api  # noqa: E402
from autograder.gradebook import Gradebook  # noqa: E402
from autograder.results import Outcome, SubmissionResult, SubmissionStatus, TestResult  # noqa: E402

SEED = 20261001
STUDENTS = 40
FIRST = ["ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jun", "kemal", "lea", "mo",
         "nadia", "omar", "pia", "quinn", "rosa", "sami", "tara", "uma", "viktor", "wen", "xavi", "yara", "zoe",
         "arjun", "bea", "carlos", "dmitri", "emma", "femi", "greta", "hiro", "ines", "jonas", "kira", "liam",
         "maya", "noor"]
DUE = {"activations": datetime(2026, 10, 1, 23, 59, tzinfo=timezone.utc),
       "losses": datetime(2026, 10, 8, 23, 59, tzinfo=timezone.utc),
       "lenet": datetime(2026, 10, 15, 23, 59, tzinfo=timezone.utc)}
COURSE = """\
course: "Deep Learning (synthetic)"
timezone: "UTC"
late_tokens: 1
defaults:
  late_policy: {penalty_percent: 10, per: day, max_penalty_percent: 50, grace_minutes: 15, cutoff_days: 5}
assignments:
  activations: {due: "2026-10-01 23:59"}
  losses: {due: "2026-10-08 23:59"}
  lenet: {due: "2026-10-15 23:59"}
extensions:
  - {student: quinn.17, assignment: lenet, days: 3}
"""

# Parametrized like the real hidden tests: (function, cases, points per case).
ACTIVATION_TESTS = [("test_sigmoid_values", ["float32", "float64"], 1.0), ("test_sigmoid_extreme_inputs",
                    ["float32", "float64"], 1.0), ("test_tanh_values", ["float32", "float64"], 1.0),
                    ("test_relu_values", ["float32", "float64"], 1.0), ("test_relu_other_shapes", [], 1.0),
                    ("test_leaky_relu_default_alpha", ["float32", "float64"], 1.0),
                    ("test_leaky_relu_other_alphas", [], 2.0), ("test_softmax_last_axis", ["float32", "float64"], 1.0),
                    ("test_softmax_other_axes", [], 2.0), ("test_softmax_extreme_logits", ["float32", "float64"], 1.5)]
ACTIVATION_MESSAGES = {
    "test_sigmoid_extreme_inputs": ["sigmoid() returned nan or inf for large negative inputs: use a numerically "
                                    "stable form", "sigmoid() raised an overflow warning turned error at "
                                    "activations.py, line 9: overflow encountered in exp"],
    "test_softmax_extreme_logits": ["softmax() returned nan for large logits: subtract the maximum first",
                                    "softmax() returned values that do not sum to 1 along the last axis"],
    "test_softmax_other_axes": ["softmax(x, axis=0) is off: max abs error 0.42 (it normalises over the last axis "
                                "whatever axis is)", "softmax() got an unexpected keyword argument 'axis'"],
    "test_leaky_relu_other_alphas": ["leaky_relu(x, alpha=0.3) is off: the negative part ignores alpha"],
}
LOSS_TESTS = [("test_mse", 2.0), ("test_binary_cross_entropy", 3.0), ("test_categorical_cross_entropy", 3.0),
              ("test_losses_clip_probabilities", 2.0)]


def test(name: str, points: float, ok: bool, message: str = "the output is not correct", stage: str = "values",
         **extra) -> TestResult:
    if ok:
        return TestResult(name, points, points, Outcome.PASSED, "passed", seconds=0.02, **extra)
    return TestResult(name, points, 0.0, Outcome.FAILED, stage, message, seconds=0.02, **extra)


def submitted(rng: random.Random, assignment: str, late_days: float | None) -> str:
    """On time (hours before the due date) or ``late_days`` after it."""
    delay = timedelta(days=late_days) if late_days is not None else -timedelta(hours=rng.uniform(0.5, 60))
    return (DUE[assignment] + delay).isoformat()


def activations(rng: random.Random, student: str, skill: float, late: float | None) -> SubmissionResult:
    tests = []
    for function, cases, points in ACTIVATION_TESTS:
        hard = 0.25 if function in ACTIVATION_MESSAGES else 0.0
        fails = rng.random() > skill - hard
        message = rng.choice(ACTIVATION_MESSAGES.get(function, [f"`{function[5:]}` is off: max abs error 1"]))
        for case in cases or [""]:
            name = f"{function}[{case}]" if case else function
            tests.append(test(name, points, not (fails and rng.random() < 0.9), message))
    return SubmissionResult("activations", student, SubmissionStatus.GRADED, tests, max_score=sum(
        t.max_points for t in tests), duration_s=rng.uniform(0.6, 1.8), backend="numpy",
        submitted_at=submitted(rng, "activations", late), time_source="timestamp_file")


def losses(rng: random.Random, student: str, skill: float, late: float | None) -> SubmissionResult:
    tests = [test(name, points, rng.random() < skill + 0.1, f"{name[5:]}() is off: max abs error 0.31")
             for name, points in LOSS_TESTS]
    return SubmissionResult("losses", student, SubmissionStatus.GRADED, tests, max_score=10.0,
                            duration_s=rng.uniform(0.5, 1.2), backend="numpy",
                            submitted_at=submitted(rng, "losses", late), time_source="timestamp_file")


def curve(rng: random.Random, final_accuracy: float, diverges: bool) -> dict[str, list[float]]:
    steps = [24.0 * i for i in range(1, 41)]
    if final_accuracy < 0.2:  # does not learn
        loss = [2.30 + rng.gauss(0, 0.01) for _ in steps]
        accuracy = [0.1 + rng.gauss(0, 0.01) for _ in steps]
    else:
        rate = rng.uniform(0.80, 0.88)
        floor = 0.05 + (1 - final_accuracy) * 2
        loss = [floor + (2.3 - floor) * rate ** i + rng.gauss(0, 0.02) for i in range(40)]
        accuracy = [final_accuracy - (final_accuracy - 0.1) * rate ** i + rng.gauss(0, 0.004) for i in range(40)]
    if diverges:
        loss = [value + 0.08 * max(0, i - 22) for i, value in enumerate(loss)]
        accuracy = [value * (1 - 0.035 * max(0, i - 22)) for i, value in enumerate(accuracy)]
    return {"step": steps, "loss": [round(v, 4) for v in loss], "accuracy": [round(min(1.0, v), 4) for v in accuracy]}


def lenet(rng: random.Random, student: str, skill: float, late: float | None, diverges: bool) -> SubmissionResult:
    final = 0.1 if skill < 0.45 else min(0.99, 0.9 + 0.09 * skill + rng.gauss(0, 0.01))
    trained = curve(rng, final, diverges)
    accuracy = round(max(0.09, trained["accuracy"][-1] - rng.uniform(0.0, 0.01)), 4)
    learns = test("test_learns_mnist", 8.0, accuracy >= 0.94,
                  f"build_lenet() reaches {accuracy:.3f} test accuracy; at least 0.940 is required.",
                  metrics={"test_accuracy": accuracy, "required_test_accuracy": 0.94, "train_seconds": 20.0},
                  curves=trained)
    tests = [test("test_architecture", 5.0, skill > 0.3, "the model has 2 Conv2D layers; LeNet has 2 Conv2D "
                  "and 2 pooling layers: a MaxPooling2D is missing", stage="architecture"),
             test("test_parameter_counts", 3.0, skill > 0.35, "the model has 61,706 parameters; it should have "
                  "44,426", stage="architecture"),
             learns, test("test_layer_output_shapes", 4.0, skill > 0.25, "the first Conv2D's output shape is off",
                          stage="shape")]
    return SubmissionResult("lenet", student, SubmissionStatus.GRADED, tests, max_score=20.0,
                            duration_s=rng.uniform(18, 34), device="cpu", backend="tensorflow",
                            submitted_at=submitted(rng, "lenet", late), time_source="gradescope")


def problem(result: SubmissionResult, status: SubmissionStatus, detail: str) -> SubmissionResult:
    failed = [dataclasses.replace(t, points=0.0, outcome=Outcome.FAILED, stage="import",
                                  message=f"your module could not be imported: {detail}", metrics={}, curves={})
              for t in result.tests]
    return dataclasses.replace(result, status=status, tests=failed, detail=detail, duration_s=0.3)


def synthetic_results(seed: int = SEED) -> list[SubmissionResult]:
    rng = random.Random(seed)
    students = [f"{name}.{index + 1:02d}" for index, name in enumerate(FIRST[:STUDENTS])]
    late = {s: {} for s in students}
    # Days after the due date: 10 minutes (within the grace period), a token covering a day, a
    # penalty after the token, past the 5-day cutoff, and within a 3-day extension.
    for index, assignment, days in [(25, "activations", 3.2), (7, "activations", 1.4), (23, "activations", 0.6),
                                    (9, "losses", 3.5), (12, "losses", 6.0), (20, "lenet", 0.007),
                                    (2, "lenet", 1.7), (16, "lenet", 2.5)]:
        late[students[index]][assignment] = days
    results = []
    for index, student in enumerate(students):
        skill = min(1.0, max(0.05, rng.betavariate(5, 1.6)))
        if index in (7, 22):
            skill = 0.3  # models that do not learn
        results.append(activations(rng, student, skill, late[student].get("activations")))
        if index not in (11, 30):  # two students did not hand in the losses
            results.append(losses(rng, student, skill, late[student].get("losses")))
        results.append(lenet(rng, student, skill, late[student].get("lenet"), diverges=index == 15))
    broken = {("activations", students[3]): (SubmissionStatus.SYNTAX_ERROR, "SyntaxError (line 14): invalid syntax"),
              ("activations", students[27]): (SubmissionStatus.IMPORT_ERROR,
                                              "ModuleNotFoundError: No module named 'torch'"),
              ("lenet", students[34]): (SubmissionStatus.EMPTY, "the submission is empty: no lenet.py")}
    results = [problem(r, *broken[(r.assignment, r.student)]) if (r.assignment, r.student) in broken else r
               for r in results]
    noted = next(r for r in results if r.assignment == "activations" and r.student == students[5])
    noted.notes = ["cell 3: removed `!pip install numpy==1.26` (IPython syntax; the grader installs nothing)",
                   "cell 7: removed `%matplotlib inline`"]
    return results


def screenshot(index: Path, png: Path, *, height: int, sort: str) -> None:
    from PIL import Image

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium not found: `autograder setup --with-browser` installs Debian's chromium")
    with tempfile.TemporaryDirectory() as profile:
        raw = Path(profile) / "page.png"
        url = index.resolve().as_uri() + (f"#sort={sort}" if sort else "")
        subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", "--virtual-time-budget=5000", f"--window-size=1280,{height}",
                        f"--screenshot={raw}", url], check=True, capture_output=True, timeout=180)
        image = Image.open(raw).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(buffer.getvalue())
    print(f"screenshot: {png} ({len(buffer.getvalue()) / 1e6:.2f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", type=Path, default=None, help="a new or empty folder (default: a temporary one)")
    parser.add_argument("--png", type=Path, default=REPO / "benchmarks" / "results" / "class_report.png")
    parser.add_argument("--height", type=int, default=8200, help="pixels of the page to capture")
    parser.add_argument("--sort", default="class-view:total:desc", help="the class view's order in the screenshot")
    args = parser.parse_args()
    outdir = args.outdir or Path(tempfile.mkdtemp(prefix="class-report-"))
    outdir.mkdir(parents=True, exist_ok=True)
    results = synthetic_results()
    with Gradebook(outdir) as gradebook:
        for result in results:
            gradebook.record(result, "synthetic")
    course = outdir / "course.yml"
    course.write_text(COURSE, encoding="utf-8")
    report = api.report(outdir, course=course)
    print(f"report: {report.index_path} ({report.students} students, {report.submissions} submissions, "
          f"{report.plots} plots, late policy: {report.late_policy})")
    screenshot(report.index_path, args.png, height=args.height, sort=args.sort)


if __name__ == "__main__":
    main()
