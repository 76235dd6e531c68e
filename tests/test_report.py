"""Does `autograder report` write a self-contained instructor report (whose only script is the
sorting script its CSP admits by hash) and safe per-student feedback, from a gradebook, whatever
the student ids hold? And its class view, test functions with their cases, common failure
messages, named training curves, late-policy columns and intake notes?"""

import base64
import dataclasses
import hashlib
import html
import io
import math
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
from autograder.render import report as report_module
from autograder.render.report import safe_names, write_report
from autograder.results import LateAdjustment, Outcome, SubmissionResult, SubmissionStatus, TestResult

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

def the_script(page: str) -> str:
    """The page's one script, after checking that the CSP admits it, by its hash, and nothing else."""
    assert page.lower().count("<script") == 1, "one script: the sorting script"
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1))
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    assert csp.startswith("default-src 'none';") and f"script-src 'sha256-{digest}'" in csp, csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1] and "unsafe-eval" not in csp
    return script


def test_report_is_self_contained_and_runs_only_its_hashed_script(built):
    outdir, report = built
    assert report.index_path == outdir / "report" / "index.html"
    page = report.index_path.read_text(encoding="utf-8")
    script = the_script(page)
    assert "innerHTML" not in script and "eval" not in script and "http" not in script
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page  # the student id, escaped
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
    assert "2 of 6 submissions (33.3%) had problems and count as failing every test." in activations
    tests_table = activations[activations.index("Test functions, hardest first"):]
    # pass rates over all 6 (the 2 problems fail every test): test_b 2/6, test_c 2/6, test_a 4/6
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


def test_report_command_applies_a_course_file(tmp_path):
    """``autograder report --course FILE``: the course module's adjustments reach the report and
    the feedback; a file that is no course is refused before anything is written."""
    (tmp_path / "out").mkdir()
    with Gradebook(tmp_path / "out") as gradebook:
        for student, submitted in [("ada", "2026-10-01T20:00:00+00:00"), ("bob", "2026-10-03T10:00:00+00:00")]:
            gradebook.record(dataclasses.replace(numeric("activations", student, {"test_a", "test_b", "test_c"},
                                                         duration=1.0), submitted_at=submitted,
                                                 time_source="timestamp_file"), "v")
    course = tmp_path / "course.yml"
    course.write_text('assignments:\n  activations: {due: "2026-10-01 23:59+00:00"}\n'
                      "defaults:\n  late_policy: {penalty_percent: 10, per: day}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "out"), "--course", str(course)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "late policy" in result.output
    page = (tmp_path / "out" / "report" / "index.html").read_text()
    assert "<th data-key=\"raw-score\">raw score</th>" in page and "−2 (20%)" in page  # 2 days late: 20% of 10
    bob = (tmp_path / "out" / "feedback" / "activations" / "bob.md").read_text()
    assert "- **Late policy:** " in bob and "- **Final score:** 8/10 (80%)" in bob
    assert "- **Late policy:** on time" in (tmp_path / "out" / "feedback" / "activations" / "ada.md").read_text()

    course.write_text("assignments: [nonsense]\n", encoding="utf-8")
    shutil.rmtree(tmp_path / "out" / "report")
    refused = CliRunner().invoke(main, ["report", str(tmp_path / "out"), "--course", str(course)],
                                 catch_exceptions=False)
    assert refused.exit_code == EXIT_USAGE and "course.yml" in refused.output
    assert not (tmp_path / "out" / "report").exists()


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
    assert dom.stdout.lower().count("<script") == 1 and "&lt;script&gt;" in dom.stdout
    assert 'data-sortable="ready"' in dom.stdout  # the hashed script ran

    screenshot = tmp_path / "page.png"
    shot = subprocess.run([*common, "--window-size=1280,2000", f"--screenshot={screenshot}", url],
                          capture_output=True, text=True, timeout=120)
    assert shot.returncode == 0 and screenshot.is_file(), shot.stderr[-2000:]
    image = check_png(screenshot.read_bytes(), max_side=4000)
    # The page's own styles use no such blue: these pixels are the plots' bars, decoded and painted.
    assert blue_pixels(image) > 5_000


# ---------------------------------------------------------------------------- a class: functions, late policy, notes

INJECTED = "<script>document.title='PWNED'</script>"  # a student id that would retitle the page if it ran
NOTE = "cell 3: removed `!pip install <b>numpy</b>` | [link](http://evil.example)"
SOFTMAX_NAN = "softmax() returned nan for large logits"


def relu_and_softmax(student, *, relu_ok, softmax_ok, message=SOFTMAX_NAN, status=SubmissionStatus.GRADED, **extra):
    """``test_relu[float32]``, ``test_relu[float64]`` (1 pt each) and ``test_softmax`` (2 pts)."""
    tests = [passed(f"test_relu[{dtype}]", 1.0) if relu_ok else failed(f"test_relu[{dtype}]", 1.0)
             for dtype in ("float32", "float64")]
    tests.append(passed("test_softmax", 2.0) if softmax_ok else failed("test_softmax", 2.0, message=message))
    return SubmissionResult("activations", student, status, tests, max_score=4.0, duration_s=1.0, **extra)


def late(assignment, student, raw, final, *, days, note, **extra):
    return LateAdjustment(assignment, student, raw, final, penalty_points=round(raw - final, 6),
                          penalty_percent=100 * (raw - final) / raw if raw else 0.0,
                          submitted_at="2026-10-03T10:00:00+00:00", due="2026-10-01T23:59:00+00:00",
                          late_seconds=days * 86400.0, late_units=math.ceil(days), note=note, **extra)


CLASS = [
    relu_and_softmax("amy", relu_ok=True, softmax_ok=True),
    relu_and_softmax("ben", relu_ok=True, softmax_ok=False),
    relu_and_softmax("cy", relu_ok=False, softmax_ok=False),
    relu_and_softmax("dee", relu_ok=True, softmax_ok=False, message="softmax() got an unexpected keyword 'axis'"),
    relu_and_softmax(INJECTED, relu_ok=True, softmax_ok=False, notes=[NOTE]),
    relu_and_softmax("eli", relu_ok=False, softmax_ok=False, status=SubmissionStatus.SYNTAX_ERROR,
                     detail="SyntaxError (line 3): invalid syntax"),
    *[lenet(name, accuracy) for name, accuracy in [("amy", 0.975), ("ben", 0.962), ("cy", 0.11), ("dee", 0.951),
                                                   ("fay", 0.956), ("gus", 0.958), ("hu", 0.953), ("ivy", 0.96),
                                                   ("jo", 0.957), ("kit", 0.35), (INJECTED, 0.2)]],
]
ADJUSTMENTS = {
    ("activations", "ben"): late("activations", "ben", 2.0, 1.6, days=1.5,
                                 note="1 day 10 h late (due 2026-10-01 23:59 UTC): 2 days late; penalty 20% <i>"),
    ("activations", "amy"): late("activations", "amy", 4.0, 4.0, days=0.0, note="on time (due 2026-10-01 23:59 UTC)"),
    ("lenet", "cy"): late("lenet", "cy", 8.0, 0.0, days=6.0, past_cutoff=True, note="submitted past the cutoff"),
}


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("class")
    report = write_report(outdir, CLASS, adjustments=ADJUSTMENTS)
    return outdir, report, report.index_path.read_text(encoding="utf-8")


def section(page, start, end=None):
    """From ``start`` to the first ``end`` after it."""
    begin = page.index(start)
    return page[begin:page.index(end, begin) if end else None]


def headers(table: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th(?:\s[^>]*)?>.*?</th>", table)]


def class_rows(page) -> dict[str, list[str]]:
    """The class view's rows: student -> the cells' text (tags dropped, entities kept)."""
    table = section(page, 'id="class-view"', "</table>")
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        cells = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[html.unescape(cells[0])] = cells[1:]
    return rows


def test_class_view_matches_students_across_assignments(klass):
    _, report, page = klass
    rows = class_rows(page)
    assert list(rows) == sorted(rows, key=str.casefold) and report.students == len(rows) == 12
    header = section(page, 'id="class-view"', "</thead>")
    assert headers(header) == ["student", "activations", "lenet", "raw total", "penalty", "late", "total", "percent"]
    # ben: activations 2 raw, 1.6 after 20%; lenet 20: raw 22, final 21.6 of 24
    assert rows["ben"][0].startswith("1.6") and "raw 2" in rows["ben"][0] and "2 days" not in rows["ben"][0]
    assert rows["ben"][1:] == ["20", "22", "−0.4", "1", "21.6", "90%"]
    assert rows["fay"][0] == "—" and rows["fay"][-2:] == ["20", "83.3%"]  # no activations: counts 0
    assert rows["cy"][1].startswith("0") and "past cutoff" in rows["cy"][1]
    assert "syntax_error" in rows["eli"][0] and '<tr class="problem"><td><code>eli</code>' in page
    assert 'data-value="21.6"' in page and 'data-value=""' in page  # what the script sorts by


def test_parametrized_cases_are_one_function_with_its_points(klass):
    _, _, page = klass
    functions = section(page, "Test functions, hardest first", "Most common failure messages")
    assert functions.count("<details><summary><code>test_relu</code></summary>") == 1
    assert "<td><code>float32</code></td>" in functions and "<td><code>float64</code></td>" in functions
    assert "test_relu[" not in functions
    # 6 submissions; the syntax error fails every case: test_relu: 4 pass both cases -> 8/12 cases
    row = section(functions, "<code>test_relu</code></summary>").split("</details>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["2", "2", "1.33", "67%", "4/6"]
    assert "no test ran (problem) (1)" in row
    softmax = section(functions, "<code>test_softmax</code></td>", "</tr>")
    assert re.findall(r'<td class="num">([^<]*)</td>', softmax) == ["1", "2", "0.33", "17%", "1/6"]
    assert functions.index("test_softmax") < functions.index("test_relu")  # hardest first
    assert "2 pts" not in functions  # the plot's labels are in the PNG; its alt names the grouping:
    assert 'alt="pass rate per test function of activations"' in page


def test_common_failure_messages_are_grouped_and_counted(klass):
    _, _, page = klass
    failures = section(page, "Most common failure messages", "Submissions with problems")
    softmax = section(failures, "<code>test_softmax</code>", "</tbody>")
    # ben, cy and the injected id: the same message (the syntax error is a problem, not counted)
    assert re.search(r'<td class="num">3</td><td><pre class="message">' + re.escape(SOFTMAX_NAN), softmax)
    assert re.search(r'<td class="num">1</td><td><pre class="message">softmax\(\) got an unexpected keyword '
                     r'&#39;axis&#39;', softmax)
    relu = section(failures, "<code>test_relu</code>", "</tr>")
    assert '<td class="num">1 (2 cases)</td>' in relu


def test_problem_submissions_count_in_pass_rates_and_their_share_is_said(klass):
    _, _, page = klass
    activations = section(page, 'id="a-activations"', 'id="a-lenet"')
    assert "1 of 6 submissions (16.7%) had problems and count as failing every test." in activations
    assert "No submission had problems: all 11 were graded." in section(page, 'id="a-lenet"')


def test_late_columns_and_feedback(klass):
    outdir, report, page = klass
    table = section(page, 'id="subs-activations"', "</table>")
    assert headers(table) == ["student", "raw score", "penalty", "final score", "percent", "lateness", "status", "grading time"]
    ben = section(table, "<code>ben</code>", "</tr>")
    assert re.findall(r"<td[^>]*>([^<]*)</td>", ben)[:5] == ["2/4", "−0.4 (20%)", "1.6/4", "40%", "1 day 12 h late"]
    assert "<i>" not in page
    feedback = {(f.assignment, f.student): f for f in report.feedback}
    markdown = feedback[("activations", "ben")].markdown.read_text()
    assert "- **Late policy:** 1 day 10 h late (due 2026-10-01 23:59 UTC): 2 days late; penalty 20% &lt;i&gt;" \
        in markdown and "- **Final score:** 1.6/4 (40%)" in markdown
    page_html = feedback[("activations", "ben")].html.read_text()
    assert "penalty 20% &lt;i&gt;" in page_html and "<td>final score</td><td>1.6/4 (40%)</td>" in page_html
    assert "Late policy" not in feedback[("activations", "cy")].markdown.read_text()  # no adjustment: no line
    assert "past the cutoff" in feedback[("lenet", "cy")].markdown.read_text()


def test_notes_are_in_the_feedback_escaped(klass):
    _, report, _ = klass
    item = next(f for f in report.feedback if f.assignment == "activations" and f.student == INJECTED)
    markdown, page = item.markdown.read_text(), item.html.read_text()
    assert "## Notes on your submission" in markdown
    assert r"- cell 3: removed \`\!pip install &lt;b&gt;numpy&lt;/b&gt;\` \| \[link\](http://evil.example)" in markdown
    assert "<li>cell 3: removed `!pip install &lt;b&gt;numpy&lt;/b&gt;` | [link](http://evil.example)</li>" in page
    assert "<script" not in page.lower() and "<b>" not in page and "<a " not in page
    assert "Notes on your submission" not in next(f for f in report.feedback if f.student == "amy").markdown.read_text()


def test_training_curves_name_the_median_and_the_outliers(klass):
    _, _, page = klass
    lenet_section = section(page, 'id="a-lenet"')
    (caption,) = re.findall(r'alt="training curves of lenet"><figcaption>([^<]*)</figcaption>', lenet_section)
    caption = html.unescape(caption)
    # 11 curves (more than get a colour each): the median by final accuracy, the lowest three named
    assert "the median student, " in caption and "thick black line" in caption
    for student in ("cy (final accuracy", "kit (final accuracy"):
        assert student in caption, caption
    assert "<script>document.title='PWNED'</script> (final accuracy" in caption  # escaped in the page
    few = [("a", curve(0.9)), ("b", curve(0.5)), ("c", curve(0.95))]
    png, found = report_module._overlay_curves(few, "three")
    assert found.every_curve_labelled and found.median == ("a", "final accuracy 0.887")
    check_png(png)


def test_the_script_is_the_only_one_and_sorts_in_headless_chromium(klass, tmp_path):
    """Does the hashed script run and sort (``#sort=class-view:total:desc``), while the injected
    student id stays text, and a script that a missed escape let through is blocked by the CSP?"""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (`autograder setup --with-browser`)")
    _, report, page = klass
    the_script(page)
    common = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
              "--virtual-time-budget=3000", "--dump-dom"]
    url = report.index_path.resolve().as_uri() + "#sort=class-view:total:desc"
    dom = subprocess.run([*common, url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<title>Grading report</title>" in dom.stdout and "PWNED</title>" not in dom.stdout
    assert dom.stdout.lower().count("<script") == 1
    assert dom.stdout.count('data-sortable="ready"') == 1 + 2  # the class view and each assignment's table
    assert '<th data-key="total" title="out of 24" aria-sort="descending"><button type="button"' in dom.stdout
    totals = [float(v) for v in re.findall(r'<td class="num" data-value="([^"]*)">[^<]*</td><td class="num" '
                                           r'data-value="[^"]*">[^<]*%</td></tr>', dom.stdout)]
    assert len(totals) == 12 and totals == sorted(totals, reverse=True) and totals[0] == 24.0
    for section_id in ("class-view", "a-activations", "a-lenet"):
        assert f'id="{section_id}"' in dom.stdout

    # A missed escape, simulated: raw script elements in the body. The CSP runs none of them.
    tampered = report.index_path.with_name("tampered.html")
    tampered.write_text(page.replace("<h1>", "<script>document.title='PWNED'</script><h1>", 1)
                        .replace("</h2>", "</h2><img src=x onerror=\"document.title='PWNED'\">", 1), encoding="utf-8")
    dom = subprocess.run([*common, tampered.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<title>Grading report</title>" in dom.stdout and 'data-sortable="ready"' in dom.stdout


# ---------------------------------------------------------------------------- languages

def test_report_records_its_language_and_english_page_is_lang_en(built):
    _, report = built
    assert report.language == "en"
    page = report.index_path.read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">') and '"Noto Sans CJK SC"' in page
    assert '"sort by this column"' in the_script(page)


def test_template_messages_are_escaped_but_keep_markup_values():
    from markupsafe import Markup

    from autograder.render.html import template_message as message
    assert message("Grading report") == "Grading report"
    assert message("All {count} submissions", count="<b>") == "All &lt;b&gt; submissions"
    assert message("Each student's feedback (Markdown and HTML) is in {folder}; the student names below link to it.",
                   folder=Markup("<code>../feedback/</code>")) == (
        "Each student's feedback (Markdown and HTML) is in <code>../feedback/</code>; the student names below link "
        "to it.")


def test_csv_headers_stay_ids_with_an_optional_localized_row(tmp_path):
    from autograder.render.csv_gradebook import localized_headers, write_assignment_csv, write_class_csv
    from autograder.results import TestInfo

    results = [numeric("activations", "ada", {"test_a"}, duration=1.0)]
    tests = [TestInfo("test_a", 2.0), TestInfo("test_b", 3.0), TestInfo("test_c", 5.0)]
    write_assignment_csv(tmp_path / "plain.csv", tests, results)
    write_assignment_csv(tmp_path / "titled.csv", tests, results, localized_header=True)
    plain = (tmp_path / "plain.csv").read_text().splitlines()
    titled = (tmp_path / "titled.csv").read_text().splitlines()
    assert plain[0] == "student,score,max_score,percent,status,test_a,test_b,test_c"
    assert titled[0] == "student,score,maximum score,percent,status,test_a,test_b,test_c" and titled[1:] == plain
    write_class_csv(tmp_path / "class.csv", results, localized_header=True)
    titles, ids = (tmp_path / "class.csv").read_text().splitlines()[:2]
    assert titles == ids == "student,activations,total"
    assert localized_headers(["raw_score", "lenet.final_score", "test_x[1]"]) == {
        "raw_score": "raw score", "lenet.final_score": "lenet: final score", "test_x[1]": "test_x[1]"}


CHINESE_HEADINGS = {"Grading report": "评分报告", "Class view": "全班视图",
                    "Test functions, hardest first": "测试函数（最难的在前）",
                    "Most common failure messages": "最常见的失败信息",
                    "Submissions with problems (2)": "出现问题的提交（2）"}


def test_report_and_feedback_in_simplified_chinese(tmp_path):
    """With the zh_CN catalog (autograder/locale/zh_CN/LC_MESSAGES/autograder.mo): the page says
    lang="zh-CN", its headings, captions and the sorting script's tooltip are Chinese (the
    script still admitted by its hash), the feedback too; ids, student ids and messages stay."""
    from autograder.i18n import language, use_language

    results = [*RESULTS[:6], next(r for r in RESULTS if r.assignment == "lenet" and r.student == "frank")]
    with use_language("zh_CN"):
        report = write_report(tmp_path, results)
    assert language() == "en" and report.language == "zh_CN"
    page = report.index_path.read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert "<title>评分报告</title>" in page and "<h1>评分报告</h1>" in page
    for english, chinese in CHINESE_HEADINGS.items():
        assert chinese in page and english not in page, english
    for english in ("submissions in", "Pass rates count every submission", "mean score (all submissions)",
                    "had problems and count as failing every test", "score histogram of", "One row per student"):
        assert english not in page, english
    assert '<th data-key="student">学生</th>' in page and 'data-key="grading-time">评分时间</th>' in page
    assert "<td>空提交</td>" in page and "<td>评分程序出错</td>" in page  # carol's and dave's status, translated
    script = the_script(page)
    assert '"\\u6309\\u6b64\\u5217\\u6392\\u5e8f"' in script and "sort by this column" not in script  # 按此列排序
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page  # ids and messages: as they are, escaped
    assert "the grader failed &lt;on this submission&gt;" in page
    for image in images_of(page):
        check_png(png_of(image["src"]))

    frank = next(f for f in report.feedback if f.student == "frank")
    markdown = frank.markdown.read_text(encoding="utf-8")
    assert markdown.startswith("# 反馈：用于 MNIST 的 LeNet") and "- **学生：** frank" in markdown and "## 测试" in markdown
    assert "测试准确率：0.930（要求至少 0.940）" in markdown and "![训练曲线](frank.training.png)" in markdown
    for english in ("Feedback:", "**Student:**", "## Tests", "## Messages", "## Training curve", "| test |"):
        assert english not in markdown, english
    assert "| test\\_learns\\_mnist | 0/8 | 未通过 | 数值 |" in markdown
    feedback_page = frank.html.read_text(encoding="utf-8")
    assert feedback_page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">') and "<h1>反馈：用于 MNIST 的 LeNet" in feedback_page
    assert '<span class="failed">未通过</span>' in feedback_page and "<h2>训练曲线</h2>" in feedback_page
    assert "<h2>Tests</h2>" not in feedback_page and "<script" not in feedback_page.lower()
