"""Does `autograder report` write a self-contained, script-free instructor report and safe
per-student feedback, from a gradebook, whatever the student ids hold?"""

import base64
import dataclasses
import io
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from autograder import api
from autograder.cli import EXIT_USAGE, main
from autograder.gradebook import Gradebook
from autograder.render.report import safe_names
from autograder.results import Outcome, SubmissionResult, SubmissionStatus, TestResult

EVIL = '../<script>alert("x")</script>'
SECRET_OUTPUT = "SECRET_STUDENT_OUTPUT"  # what a student's code printed: never in feedback
PLOT_BLUE = (0x1F, 0x77, 0xB4)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
IMPORT_ERROR = "NameError: name 'kears' is not defined"


def passed(name, points):
    return TestResult(name, points, points, Outcome.PASSED, "passed", seconds=0.01)


def failed(name, points, stage="values", message="the output is not correct", **extra):
    return TestResult(name, points, 0.0, Outcome.FAILED, stage, message, seconds=0.01, **extra)


def numeric(assignment, student, passes, *, duration, status=SubmissionStatus.GRADED, detail="", stdout=""):
    """A numeric assignment's result: tests a (2 pts), b (3 pts), c (5 pts); ``passes`` names those passed."""
    points = {"test_a": 2.0, "test_b": 3.0, "test_c": 5.0}
    tests = [passed(name, p) if name in passes else
             failed(name, p, "import" if status.is_problem else "values",
                    f"`{name}` is off: <b>max abs error</b> 0.5 | see ```code```") for name, p in points.items()]
    return SubmissionResult(assignment, student, status, tests, max_score=10.0, detail=detail, duration_s=duration,
                            stdout_tail=stdout, backend="numpy")


def curve(final_accuracy):
    steps = [24.0 * i for i in range(1, 41)]
    return {"step": steps, "loss": [2.3 * 0.93 ** i for i in range(40)],
            "accuracy": [final_accuracy * (1 - 0.9 * 0.9 ** i) for i in range(40)]}


def lenet(student, accuracy, *, duration=25.0):
    metrics = {"test_accuracy": accuracy, "required_test_accuracy": 0.94, "train_seconds": 20.0}
    learns = (passed("test_learns_mnist", 8.0) if accuracy >= 0.94 else
              failed("test_learns_mnist", 8.0, message=f"build_lenet() reaches {accuracy:.3f} test accuracy; "
                                                       "at least 0.940 is required."))
    learns = dataclasses.replace(learns, metrics=metrics, curves=curve(accuracy))
    tests = [passed("test_architecture", 5.0), passed("test_parameter_counts", 3.0), learns,
             passed("test_layer_output_shapes", 4.0) if accuracy > 0.5 else failed("test_layer_output_shapes", 4.0,
                                                                                    "shape")]
    return SubmissionResult("lenet", student, SubmissionStatus.GRADED, tests, max_score=20.0, duration_s=duration,
                            device="cpu", backend="tensorflow")


RESULTS = [
    numeric("activations", "ada", {"test_a", "test_b", "test_c"}, duration=0.8),
    numeric("activations", "Ada", {"test_a", "test_b"}, duration=1.1),  # differs from "ada" only in case
    numeric("activations", "bob", {"test_a"}, duration=1.4, stdout=SECRET_OUTPUT),
    numeric("activations", EVIL, {"test_a", "test_c"}, duration=0.9),
    numeric("activations", "carol", set(), duration=0.1, status=SubmissionStatus.EMPTY,
            detail="the submission is empty: no activations.py"),
    numeric("activations", "dave", set(), duration=0.2, status=SubmissionStatus.GRADER_ERROR,
            detail="the grader failed <on this submission>", stdout=f"Traceback ... {SECRET_OUTPUT}"),
    numeric("losses", "ada", {"test_a", "test_b", "test_c"}, duration=0.5),
    numeric("losses", "bob", {"test_b"}, duration=0.6),
    lenet("ada", 0.975), lenet("bob", 0.962), lenet("eve", 0.951), lenet("frank", 0.93), lenet("gina", 0.11),
    lenet(EVIL, 0.955),
    SubmissionResult("lenet", "hal", SubmissionStatus.IMPORT_ERROR,
                     [failed(name, points, "import", f"your module could not be imported: {IMPORT_ERROR}")
                      for name, points in [("test_architecture", 5.0), ("test_parameter_counts", 3.0),
                                           ("test_learns_mnist", 8.0), ("test_layer_output_shapes", 4.0)]],
                     max_score=20.0, detail=IMPORT_ERROR, duration_s=4.0),
]
PLOTS = {"activations": 3, "losses": 3, "lenet": 5}  # scores, pass rates, time (+ accuracy, curves)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("gradebook")
    with Gradebook(outdir) as gradebook:
        for result in RESULTS:
            gradebook.record(result, "test-version")
    return outdir, api.report(outdir)


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs))


def images_of(page: str) -> list[dict]:
    parser = _Images()
    parser.feed(page)
    return parser.images


def png_of(uri: str) -> bytes:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri[len(prefix):], validate=True)


def check_png(data: bytes, *, min_side=150, max_side=2000) -> Image.Image:
    """A real PNG of sensible size that is not blank."""
    assert data[:8] == PNG_MAGIC
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert min_side <= width <= max_side and min_side <= height <= max_side, (width, height)
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image.load()
    assert image.size == (width, height)
    assert len(image.getcolors(maxcolors=1 << 20)) > 20, "a blank plot"
    return image


def blue_pixels(image: Image.Image) -> int:
    pixels = np.asarray(image.convert("RGB"), dtype=int)
    return int((np.abs(pixels - PLOT_BLUE).sum(axis=-1) < 30).sum())


# ---------------------------------------------------------------------------- the index page

def test_report_is_self_contained_and_script_free(built):
    outdir, report = built
    assert report.index_path == outdir / "report" / "index.html"
    page = report.index_path.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page  # the student id, escaped
    assert "<b>" not in page and "<on this submission>" not in page
    for attribute in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert attribute.startswith(("data:image/png;base64,", "#", "../feedback/")), attribute[:80]
    for external in ("<link", "<iframe", "<object", "@import", "url(", "http://", "https://"):
        assert external not in page, external
    assert "Content-Security-Policy" in page


def test_report_embeds_a_sensible_png_per_plot(built):
    _, report = built
    images = images_of(report.index_path.read_text(encoding="utf-8"))
    assert len(images) == report.plots == sum(PLOTS.values())
    for image in images:
        assert image["alt"]
        check_png(png_of(image["src"]))
    assert report.assignments == ["activations", "lenet", "losses"]
    assert report.submissions == len(RESULTS)


def test_report_shows_summaries_hardest_tests_first_and_problems(built):
    _, report = built
    page = report.index_path.read_text(encoding="utf-8")
    activations = page[page.index('id="a-activations"'):page.index('id="a-lenet"')]
    # graded: ada 10, Ada 5, bob 2, EVIL 7; problems (0) count in the "all submissions" numbers
    assert "<td>mean score (all submissions)</td><td class=\"num\">4</td>" in activations
    assert "<td>median score (all submissions)</td><td class=\"num\">3.5</td>" in activations
    assert "<td>mean score (graded only)</td><td class=\"num\">6</td>" in activations
    tests_table = activations[activations.index("Tests, hardest first"):]
    # pass rates over the 4 graded: test_b 2/4, test_c 2/4, test_a 4/4
    assert tests_table.index("test_b") < tests_table.index("test_c") < tests_table.index("test_a")
    problems = activations[activations.index("Submissions with problems (2)"):]
    assert "carol" in problems and "empty" in problems and "grader_error" in problems
    assert "the grader failed &lt;on this submission&gt;" in problems

    lenet = page[page.index('id="a-lenet"'):page.index('id="a-losses"')]
    assert "test accuracy: mean / median / min" in lenet
    assert "<td>below the required test accuracy</td><td class=\"num\">2 of 6</td>" in lenet
    assert "Submissions with problems (1)" in lenet and "import_error" in lenet
    assert len(images_of(lenet)) == PLOTS["lenet"]
    assert "training curves of lenet" in lenet


# ---------------------------------------------------------------------------- feedback files

def test_feedback_files_are_safe_unique_and_complete(built):
    outdir, report = built
    feedback = outdir / "feedback"
    assert {(f.assignment, f.student) for f in report.feedback} == {(r.assignment, r.student) for r in RESULTS}
    for item in report.feedback:
        for path in (item.markdown, item.html):
            assert path.is_file()
            assert path.resolve().parent == (feedback / item.assignment).resolve()
            assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*\.(md|html)", path.name), path.name
        assert SECRET_OUTPUT not in item.markdown.read_text() + item.html.read_text()
    names = [f.markdown.name.lower() for f in report.feedback if f.assignment == "activations"]
    assert len(names) == len(set(names))  # "ada" and "Ada" too, on a case-insensitive file system
    assert (feedback / "activations" / "Ada.md").is_file() and (feedback / "activations" / "bob.md").is_file()

    evil = next(f for f in report.feedback if f.assignment == "activations" and f.student == EVIL)
    assert "~" in evil.markdown.name and "/" not in evil.markdown.stem
    markdown, page = evil.markdown.read_text(), evil.html.read_text()
    assert "<script" not in markdown and "<script" not in page.lower()
    assert "../&lt;script&gt;alert(\"x\")&lt;/script&gt;" in markdown and "&lt;script&gt;" in page
    assert "<b>" not in page  # in the Markdown it stays literal, inside a fenced block:
    # a message holding ``` stays inside its (longer) fence
    assert "````text\n`test_b` is off: <b>max abs error</b> 0.5 | see ```code```\n````" in markdown
    assert "| test\\_b | 0/3 | failed | values |" in markdown


def test_feedback_of_a_problem_says_what_happened(built):
    _, report = built
    carol = next(f for f in report.feedback if f.student == "carol")
    markdown = carol.markdown.read_text()
    assert "empty: nothing could be graded" in markdown
    assert "the submission is empty: no activations.py" in markdown
    assert "0/10" in markdown and carol.plot is None


def test_feedback_of_a_model_has_accuracy_and_training_curve(built):
    _, report = built
    frank = next(f for f in report.feedback if f.assignment == "lenet" and f.student == "frank")
    markdown = frank.markdown.read_text()
    assert "test accuracy: 0.930 (at least 0.940 required)" in markdown
    assert "| test\\_learns\\_mnist | 0/8 | failed | values |" in markdown
    assert frank.plot is not None and frank.plot.name == "frank.training.png"
    assert f"![training curve]({frank.plot.name})" in markdown
    check_png(frank.plot.read_bytes())
    (image,) = images_of(frank.html.read_text())
    assert png_of(image["src"]) == frank.plot.read_bytes()
    ada = next(f for f in report.feedback if f.assignment == "lenet" and f.student == "ada")
    assert "test accuracy: 0.975" in ada.markdown.read_text()
    hal = next(f for f in report.feedback if f.assignment == "lenet" and f.student == "hal")
    assert hal.plot is None and r"import\_error: nothing could be graded" in hal.markdown.read_text()


def test_safe_names():
    names = safe_names(["ada", "Ada", "x/../../etc", "..", "", "a b", "ok-1.2_3", "é", "x" * 100])
    assert names["ok-1.2_3"] == "ok-1.2_3" and names["Ada"] == "Ada"
    assert names["ada"] != "ada" and names["ada"].startswith("ada~")
    assert len({n.lower() for n in names.values()}) == len(names)
    for name in names.values():
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*|student~[0-9a-f]+", name) and len(name) <= 64, name


# ---------------------------------------------------------------------------- the results model

def test_metrics_round_trip_and_old_rows_load():
    result = lenet("ada", 0.975)
    again = SubmissionResult.from_dict(result.to_dict())
    assert again == result and again.tests[2].metrics["test_accuracy"] == 0.975
    old = result.to_dict()
    for test in old["tests"]:
        del test["metrics"], test["curves"]
    assert SubmissionResult.from_dict(old).tests[2].metrics == {}


def test_the_grading_plugin_records_what_a_test_measured(tmp_path):
    from autograder.engine.runner import run_tests

    test_file = tmp_path / "test_measured.py"
    test_file.write_text(
        "import pytest\n"
        "from autograder.checks import record_curve, record_metric\n\n"
        "@pytest.mark.points(1)\n"
        "def test_measures():\n"
        "    record_metric('test_accuracy', 0.5)\n"
        "    record_curve('loss', [3, 2, 1])\n\n"
        "@pytest.mark.points(1)\n"
        "def test_measures_then_fails():\n"
        "    record_metric('test_accuracy', 0.25)\n"
        "    assert False\n\n"
        "@pytest.mark.points(1)\n"
        "def test_measures_nothing():\n"
        "    pass\n"
    )
    first, second, third = run_tests(test_file, submission=None)
    assert first.metrics == {"test_accuracy": 0.5} and first.curves == {"loss": [3.0, 2.0, 1.0]}
    assert second.metrics == {"test_accuracy": 0.25} and second.outcome is Outcome.FAILED
    assert third.metrics == {} and third.curves == {}


def test_training_records_a_curve():
    """Does the grader's training record mean loss and accuracy by step, consistent with the epochs?"""
    from autograder.assignments import get_assignment
    from autograder.engine.plugin import load_module_from_path
    from autograder.keras_models import spec_of
    from autograder.model_recipes import RECIPES
    from autograder.training import train_and_evaluate

    reference = load_module_from_path(get_assignment("lenet").solution_path, "_reference_lenet")
    recipe = dataclasses.replace(RECIPES["lenet"], train_samples=640, test_samples=1000)
    report = train_and_evaluate(spec_of(reference.build_lenet()), recipe)
    steps = recipe.epochs * recipe.train_samples // recipe.batch_size
    assert report.curve["step"] == list(range(1, steps + 1))  # fewer steps than CURVE_POINTS: every step
    assert len(report.curve["loss"]) == len(report.curve["accuracy"]) == steps
    assert all(0.0 <= a <= 1.0 for a in report.curve["accuracy"])
    per_epoch = steps // recipe.epochs
    for epoch in range(recipe.epochs):
        window = slice(epoch * per_epoch, (epoch + 1) * per_epoch)
        assert report.history["loss"][epoch] == pytest.approx(np.mean(report.curve["loss"][window]))
        assert report.history["accuracy"][epoch] == pytest.approx(np.mean(report.curve["accuracy"][window]))
    assert report.curve["loss"][-1] < report.curve["loss"][0]


# ---------------------------------------------------------------------------- the command

def test_report_command(built, tmp_path):
    outdir, _ = built
    result = CliRunner().invoke(main, ["report", str(outdir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "index.html" in result.output and "feedback" in result.output
    missing = CliRunner().invoke(main, ["report", str(tmp_path / "nowhere")], catch_exceptions=False)
    assert missing.exit_code == EXIT_USAGE and "no gradebook" in missing.output
    assert not (tmp_path / "nowhere").exists()


def test_report_without_feedback(tmp_path):
    with Gradebook(tmp_path) as gradebook:
        gradebook.record(RESULTS[0], "v")
    report = api.report(tmp_path, feedback=False)
    assert report.feedback == [] and not (tmp_path / "feedback").exists()
    assert "<a href" not in report.index_path.read_text().split("</ul>", 1)[1]


def test_setup_reports_the_browser(monkeypatch):
    from autograder import environment

    monkeypatch.setattr(environment.shutil, "which", lambda name: None)
    monkeypatch.setattr(environment.os, "geteuid", lambda: 1000)
    step = environment.ensure_browser()
    assert not step.ok and "apt-get install chromium" in step.detail
    assert "--with-browser" in CliRunner().invoke(main, ["setup", "--help"]).output


# ---------------------------------------------------------------------------- in a real browser

CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (`autograder setup --with-browser` "
                                             "installs it as root)")
def test_report_renders_in_headless_chromium(built, tmp_path):
    """Does Chromium load the page, keep every plot in its DOM, and paint the decoded plots?"""
    _, report = built
    url = report.index_path.resolve().as_uri()
    common = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
              f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000"]
    dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    images = images_of(dom.stdout)
    assert len(images) == sum(PLOTS.values())
    assert all(image["src"].startswith("data:image/png;base64,") for image in images)
    assert "<script" not in dom.stdout.lower() and "&lt;script&gt;" in dom.stdout

    screenshot = tmp_path / "page.png"
    shot = subprocess.run([*common, "--window-size=1280,2000", f"--screenshot={screenshot}", url],
                          capture_output=True, text=True, timeout=120)
    assert shot.returncode == 0 and screenshot.is_file(), shot.stderr[-2000:]
    image = check_png(screenshot.read_bytes(), max_side=4000)
    # The page's own styles use no such blue: these pixels are the plots' bars, decoded and painted.
    assert blue_pixels(image) > 5_000
