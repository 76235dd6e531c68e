"""The instructor report and the students' feedback files: renderings of the gradebook.

``OUTDIR/report/index.html`` is one self-contained page (inline CSS, PNG plots as data URIs, no
external resource), rendered from the Jinja2 templates in ``render/templates/`` with autoescape
on. It starts with the class view: each student (matched across assignments by student id) ×
each assignment, with the total and its percent of the maximum, sortable by any column. Then,
per assignment: summary numbers, the share of submissions with problems (a problem submission
counts as failing every test in every pass rate), the score histogram, the pass rate of each test
function (parametrized cases ``test_x[case]`` grouped under ``test_x``, hardest first), the
grading time per submission, for model assignments the distribution of test accuracy and the
training curves (median student and outliers named), a table of test functions whose cases
expand (``<details>``), the most common failure messages per function, the submissions with
problems, and every submission. Where a course's late policy gives adjustments
(``autograder.course``), the tables show raw score, penalty, final score and lateness.

Sorting is one small inline script (``templates/sort.js``), not server-side sorted copies:
any column sorts (each assignment, total, percent, penalty), where copies would give one or two
orders and double a 300-row table each. The page's Content-Security-Policy admits exactly that
script by its SHA-256, computed at render time from the text written (``script-src
'sha256-...'``, still ``default-src 'none'``): any other script, such as one a missed escape let
through, does not run. The script moves existing rows and reads only ``data-value`` attributes
and text; without it the table reads sorted by name.

``OUTDIR/feedback/<assignment>/<student>.md`` and ``.html`` tell one student, test by test,
what they scored and why (the messages are student-safe: they never state expected values),
with what intake changed in their submission (``SubmissionResult.notes``), their lateness and
penalty where a late policy applies, and their model's training curve where one was recorded
(``<student>.training.png`` beside the Markdown, embedded in the HTML). What the student's code
printed is left out: it could echo the hidden inputs. The feedback HTML holds no script.

Student ids, messages and notes are untrusted text: Jinja2 escapes them in the HTML, :func:`_md`
and :func:`_md_block` in the Markdown, and file names are made from them by :func:`safe_names`,
which keeps plain ids as they are.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import math
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from autograder.files import shared_mode, write_atomically
from autograder.results import LateAdjustment, Outcome, SubmissionResult, TestResult

REPORT_DIRNAME = "report"
FEEDBACK_DIRNAME = "feedback"
TEMPLATES = Path(__file__).with_name("templates")
DPI = 100
MAX_CURVES_PLOTTED = 300  # students whose training curves share the report's overlay plot
LABEL_EVERY_CURVE = 8  # up to this many students, each curve has its own colour in the legend
OUTLIERS = 3  # the lowest final accuracies, always named in the overlay (more where they stand out)
MAX_NAMED = 20  # outliers beyond the legend's colours, named in the caption
TOP_MESSAGES = 3  # failure messages shown per test function
DETAIL_CHARS = 600  # of a problem's detail or output, in the report's table
CURVE_NOTE = "Your model trained with the grader's recipe: loss and accuracy on the training data, by step."
PLOT_BLUE = "#1f77b4"  # the bars' colour; the page's own styles do not use it (tests find plots by it)
OUTLIER_COLOURS = ["#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

# Defence in depth: even a missed escape could not run a script or load anything.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class FeedbackFile:
    assignment: str
    student: str
    markdown: Path
    html: Path
    plot: Path | None = None  # the training curve beside the Markdown, where one was recorded


@dataclass
class Report:
    """What ``autograder report`` wrote."""

    outdir: Path
    index_path: Path
    assignments: list[str]
    submissions: int
    feedback_dir: Path | None = None
    feedback: list[FeedbackFile] = field(default_factory=list)
    plots: int = 0  # plots embedded in the index
    students: int = 0  # rows of the class view
    late_policy: bool = False  # whether late adjustments were applied


# ---------------------------------------------------------------------------- file names

_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")


def safe_names(ids) -> dict[str, str]:
    """A file-name stem for each id: unique (also on case-insensitive file systems), safe anywhere.

    A plain id (letters, digits, ``._-``, not starting with a dot, at most 64 characters) is its
    own name; any other id, and an id that differs only in case from one named already, becomes
    a readable stem plus ``~`` and a hash of the id. Plain names hold no ``~``, so the two kinds
    never collide.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for ident in sorted(set(ids)):
        name = ident if _PLAIN_NAME.match(ident) else None
        if name is None or name.lower() in taken:
            stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ident).strip("._-")[:40] or "student"
            digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:12]
            name = f"{stem}~{digest}"
        taken.add(name.lower())
        names[ident] = name
    return names


def _write(path: Path, data: bytes | str) -> None:
    """Write a file atomically, with the usual permissions (0666 less the umask), not mkstemp's
    0600: reports and feedback files are made to be shared."""
    write_atomically(path, data, mode=shared_mode())


# ---------------------------------------------------------------------------- templates

@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    """Autoescape on for every template (HTML); an undefined name is an error, not ""."""
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True,
                                                                                          default_for_string=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _sort_script() -> tuple[Markup, str]:
    """The sorting script's exact text and its CSP source (``'sha256-<base64>'``)."""
    text = (TEMPLATES / "sort.js").read_text(encoding="utf-8").strip()
    if "</" in text:  # it could end the <script> element early
        raise ValueError("sort.js must not contain '</'")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Markup(text), f"'sha256-{digest}'"


def _render(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


# ---------------------------------------------------------------------------- plots

def _figure(width: float, height: float):
    """A matplotlib Figure on the Agg canvas, outside pyplot's global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _plot(png: bytes, alt: str, caption: str) -> dict:
    return {"uri": _data_uri(png), "alt": alt, "caption": caption}


def _plain(text: str, limit: int = 40) -> str:
    """Text for a matplotlib label: no mathtext (``$``), whatever the text holds; long ids cut."""
    text = " ".join(str(text).split())
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return text.replace("$", r"\$")


def _score_histogram(results: list[SubmissionResult], max_score: float) -> bytes:
    figure = _figure(5.2, 3.2)
    axes = figure.add_subplot()
    graded = [r.score for r in results if not r.status.is_problem]
    problems = [r.score for r in results if r.status.is_problem]
    top = max([max_score, *graded, *problems, 1.0])
    if top <= 50 and float(top).is_integer():
        bins = [edge - 0.5 for edge in range(int(top) + 2)]
    else:
        bins = [top * i / 20 for i in range(21)]
    series = [(graded, "graded", PLOT_BLUE), (problems, "with problems", "#d62728")]
    series = [s for s in series if s[0]]
    if series:
        axes.hist([s[0] for s in series], bins=bins, stacked=True, label=[s[1] for s in series],
                  color=[s[2] for s in series])
        axes.legend(loc="upper left")
    axes.set_xlabel(f"score (out of {max_score:g}, before any late penalty)")
    axes.set_ylabel("submissions")
    axes.set_title("Scores")
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def _pass_rates(functions: list["_FunctionStats"]) -> bytes:
    """One bar per test function (its cases' pass rate), hardest first."""
    figure = _figure(6.4, 1.0 + 0.32 * len(functions))
    axes = figure.add_subplot()
    rates = [100 * f.pass_rate for f in functions]
    positions = range(len(functions))
    axes.barh(positions, rates, color=PLOT_BLUE)
    axes.set_yticks(list(positions), [_plain(f.label, 60) for f in functions], fontsize=8)
    axes.invert_yaxis()  # the hardest function at the top
    for position, rate in zip(positions, rates):
        inside = rate > 88  # no room right of the bar: write it on the bar, in white
        axes.text(rate - 1 if inside else rate + 1, position, f"{rate:.0f}%", va="center", fontsize=8,
                  ha="right" if inside else "left", color="white" if inside else "black")
    axes.set_xlim(0, 100)
    axes.set_xlabel("cases passed, over all submissions (%)")
    axes.set_title("Pass rate per test function, hardest first")
    return _png(figure)


def _durations(results: list[SubmissionResult]) -> bytes:
    figure = _figure(5.2, 3.2)
    axes = figure.add_subplot()
    seconds = [r.duration_s for r in results]
    axes.hist(seconds, bins=min(30, max(5, len(seconds) // 2)), color=PLOT_BLUE)
    median = statistics.median(seconds)
    axes.axvline(median, color="#333", linestyle="--", label=f"median {median:.1f} s")
    axes.legend(loc="upper right")
    axes.set_xlabel("grading time per submission (s)")
    axes.set_ylabel("submissions")
    axes.set_title("Grading time")
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def _accuracies(by_test: dict[str, list[float]], required: dict[str, float]) -> bytes:
    figure = _figure(5.2, 3.2)
    axes = figure.add_subplot()
    low = min(min(values) for values in by_test.values())
    low = min(low, *required.values()) if required else low
    bins = [low + (1.0 - low) * i / 25 for i in range(26)] if low < 1.0 else 10
    axes.hist(list(by_test.values()), bins=bins, label=[_plain(name) for name in by_test], stacked=True)
    for name, threshold in required.items():
        axes.axvline(threshold, color="#d62728", linestyle="--", label=f"required {threshold:.2f}")
    axes.legend(loc="upper left", fontsize=8)
    axes.set_xlabel("test accuracy after the grader's training recipe")
    axes.set_ylabel("submissions")
    axes.set_title("Test accuracy")
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def _steps(curve: dict[str, list[float]]) -> list[float]:
    return curve.get("step") or list(range(1, len(curve.get("loss") or curve.get("accuracy") or []) + 1))


def _curves_plot(curves: list[dict[str, list[float]]], *, width: float, height: float, alpha: float,
                 title: str) -> bytes:
    """One student's curves (their feedback): loss and accuracy side by side."""
    figure = _figure(width, height)
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    for curve in curves:
        if curve.get("loss"):
            loss_axes.plot(_steps(curve), curve["loss"], color=PLOT_BLUE, alpha=alpha, linewidth=1)
        if curve.get("accuracy"):
            accuracy_axes.plot(_steps(curve), curve["accuracy"], color=PLOT_BLUE, alpha=alpha, linewidth=1)
    loss_axes.set_title("training loss", fontsize=9)
    accuracy_axes.set_title("training accuracy", fontsize=9)
    for axes in (loss_axes, accuracy_axes):
        axes.set_xlabel("step", fontsize=8)
        axes.tick_params(labelsize=7)
    figure.suptitle(title, fontsize=10)
    return _png(figure)


def _final(curve: dict[str, list[float]], key: str) -> float:
    values = curve.get(key) or []
    return float(values[-1]) if values else math.nan


@dataclass
class _Highlights:
    """Whose curves the overlay names: the median student and the outliers, each with why."""

    median: tuple[str, str] | None = None  # (student, "final accuracy 0.951")
    # (student, why), most telling first: the lowest final accuracies, the curves that fell from
    # their best, the final losses far above the median, then the other low outliers.
    outliers: list[tuple[str, str]] = field(default_factory=list)
    every_curve_labelled: bool = False

    @property
    def in_legend(self) -> list[tuple[str, str]]:
        return self.outliers[:len(OUTLIER_COLOURS)]

    def caption(self, count: int) -> str:
        if self.every_curve_labelled:
            return f"Training loss and accuracy of each of the {count} trained submission(s), named in the legend."
        parts = []
        if self.median:
            parts.append(f"the median student, {self.median[0]} ({self.median[1]}; thick black line)")
        shown = [f"{student} ({why})" for student, why in self.in_legend]
        if shown:
            parts.append("in colour, the outliers: " + ", ".join(shown))
        rest = self.outliers[len(self.in_legend):]
        if rest:
            names = ", ".join(f"{student} ({why})" for student, why in rest[:MAX_NAMED])
            more = f" and {len(rest) - MAX_NAMED} more" if len(rest) > MAX_NAMED else ""
            parts.append(f"other outliers (faint): {names}{more}")
        return (f"Training loss and accuracy of the {count} trained submissions (one faint line each). "
                + ("Named: " + "; ".join(parts) + "." if parts else ""))


def _robust_spread(values: list[float]) -> tuple[float, float]:
    """Median and median absolute deviation."""
    median = statistics.median(values)
    return median, statistics.median(abs(v - median) for v in values)


def _highlights(entries: list[tuple[str, dict[str, list[float]]]]) -> _Highlights:
    """The median student (by final training accuracy, or final loss where no accuracy is
    recorded) and the outliers: always the OUTLIERS lowest final accuracies; then every curve
    whose accuracy fell at least 0.1 below its own best (or whose loss rose 50% above its
    lowest), every final loss above the median by more than max(3 MADs, half the median), and
    every final accuracy below the median by more than max(3 MADs, 0.05)."""
    found = _Highlights(every_curve_labelled=len(entries) <= LABEL_EVERY_CURVE)
    accuracy = sorted((_final(c, "accuracy"), s) for s, c in entries if not math.isnan(_final(c, "accuracy")))
    loss = sorted(((_final(c, "loss"), s) for s, c in entries if not math.isnan(_final(c, "loss"))), reverse=True)
    if accuracy:
        value, student = accuracy[(len(accuracy) - 1) // 2]
        found.median = (student, f"final accuracy {value:.3f}")
    elif loss:
        value, student = loss[(len(loss) - 1) // 2]
        found.median = (student, f"final loss {value:.3g}")
    if found.every_curve_labelled:
        return found
    named: dict[str, str] = {}
    for value, student in accuracy[:OUTLIERS]:
        named[student] = f"final accuracy {value:.3f}"
    for student, curve in entries:
        accuracies, losses = curve.get("accuracy") or [], curve.get("loss") or []
        if accuracies and max(accuracies) - accuracies[-1] >= 0.1:
            named.setdefault(student, f"fell from {max(accuracies):.3f} to {accuracies[-1]:.3f}")
        elif not accuracies and losses and losses[-1] > 1.5 * min(losses) and losses[-1] - min(losses) > 0.1:
            named.setdefault(student, f"loss rose from {min(losses):.3g} to {losses[-1]:.3g}")
    if loss:
        median, spread = _robust_spread([v for v, _ in loss])
        for value, student in loss:
            if value > median + max(3 * spread, 0.5 * median):
                named.setdefault(student, f"final loss {value:.3g}")
    if accuracy:
        median, spread = _robust_spread([v for v, _ in accuracy])
        for value, student in accuracy:
            if value < median - max(3 * spread, 0.05):
                named.setdefault(student, f"final accuracy {value:.3f}")
    if found.median:
        named.pop(found.median[0], None)
    found.outliers = list(named.items())
    return found


def _overlay_curves(entries: list[tuple[str, dict[str, list[float]]]], title: str) -> tuple[bytes, _Highlights]:
    """Every student's curves in one plot, traceable: with up to LABEL_EVERY_CURVE students each
    curve has a colour and the student's id in the legend; with more, the curves are faint and the
    median student (thick black) and the outliers (coloured) are drawn on top and named."""
    found = _highlights(entries)
    figure = _figure(8.6, 3.9)
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    handles: dict[str, object] = {}

    def draw(curve, label, **style):
        for axes, key in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
            if curve.get(key):
                (line,) = axes.plot(_steps(curve), curve[key], **style)
                if label:
                    handles.setdefault(label, line)

    by_student = dict(entries)
    if found.every_curve_labelled:
        colours = [PLOT_BLUE, *OUTLIER_COLOURS, "#2ca02c", "#7f7f7f"]
        for index, (student, curve) in enumerate(entries):
            median = found.median is not None and student == found.median[0]
            draw(curve, _plain(student) + (" (median)" if median else ""), color=colours[index % len(colours)],
                 linewidth=2.4 if median else 1.3)
    else:
        shown = entries[:MAX_CURVES_PLOTTED]
        alpha = max(0.06, min(0.5, 6 / len(shown)))
        for _, curve in shown:
            draw(curve, None, color=PLOT_BLUE, alpha=alpha, linewidth=0.8)
        for (student, why), colour in zip(found.in_legend, OUTLIER_COLOURS):
            draw(by_student[student], f"{_plain(student)}: {why}", color=colour, linewidth=1.5)
        if found.median:
            draw(by_student[found.median[0]], f"{_plain(found.median[0])}: median, {found.median[1]}",
                 color="black", linewidth=2.4)
    loss_axes.set_title("training loss", fontsize=9)
    accuracy_axes.set_title("training accuracy", fontsize=9)
    for axes in (loss_axes, accuracy_axes):
        axes.set_xlabel("step", fontsize=8)
        axes.tick_params(labelsize=7)
    if handles:
        figure.legend(list(handles.values()), list(handles), loc="outside lower center", ncols=2, fontsize=7.5,
                      frameon=False)
    figure.suptitle(_plain(title, 80), fontsize=10)
    return _png(figure), found


# ---------------------------------------------------------------------------- statistics

_CASE = re.compile(r"(?P<function>[^\[]+)\[(?P<case>.*)\]\Z", re.S)


def function_of(test_name: str) -> tuple[str, str]:
    """``test_relu[float32]`` -> ``("test_relu", "float32")``; a plain test is its own function."""
    match = _CASE.match(test_name)
    return (match["function"], match["case"]) if match else (test_name, "")


@dataclass
class _TestStats:
    """One test (one case of a function) over every submission of an assignment: a submission
    with a problem, or one whose result lacks the test, counts as failing it."""

    name: str
    max_points: float
    bonus: bool
    attempts: int = 0
    passed: int = 0
    stages: Counter = field(default_factory=Counter)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.attempts if self.attempts else 0.0


@dataclass
class _FunctionStats:
    name: str
    cases: list[_TestStats]
    submissions: int
    passed_all: int = 0
    points_earned: float = 0.0  # summed over the submissions
    # Where each submission that failed a case stopped (its first failing case), by stage.
    stages: Counter = field(default_factory=Counter)

    @property
    def parametrized(self) -> bool:
        return any(function_of(case.name)[1] for case in self.cases)

    @property
    def max_points(self) -> float:
        return sum(case.max_points for case in self.cases)

    @property
    def bonus(self) -> bool:
        return all(case.bonus for case in self.cases)

    @property
    def pass_rate(self) -> float:
        attempts = sum(case.attempts for case in self.cases)
        return sum(case.passed for case in self.cases) / attempts if attempts else 0.0

    @property
    def label(self) -> str:
        points = f"{self.max_points:g} pt" + ("" if self.max_points == 1 else "s")
        cases = f"{len(self.cases)} cases, " if self.parametrized else ""
        return f"{self.name} ({cases}{points}{', bonus' if self.bonus else ''})"


PROBLEM_STAGE = "no test ran (problem)"


def _passed(test: TestResult) -> bool:
    return test.points >= test.max_points and test.outcome is Outcome.PASSED


def _test_stats(results: list[SubmissionResult]) -> list[_TestStats]:
    """Per test, over every submission: one with a problem ran no test and fails each."""
    stats: dict[str, _TestStats] = {}
    for result in results:
        for test in result.tests:
            stats.setdefault(test.name, _TestStats(test.name, test.max_points, test.bonus))
    for result in results:
        outcomes = {test.name: test for test in result.tests}
        for entry in stats.values():
            entry.attempts += 1
            test = outcomes.get(entry.name)
            if result.status.is_problem:
                entry.stages[PROBLEM_STAGE] += 1
            elif test is not None and _passed(test):
                entry.passed += 1
            else:
                entry.stages[test.stage if test is not None else "not run"] += 1
    return list(stats.values())


def _function_stats(results: list[SubmissionResult], stats: list[_TestStats]) -> list[_FunctionStats]:
    """The tests grouped by function, hardest first (by the cases' pass rate)."""
    grouped: dict[str, list[_TestStats]] = {}
    for entry in stats:
        grouped.setdefault(function_of(entry.name)[0], []).append(entry)
    functions = {name: _FunctionStats(name, cases, len(results)) for name, cases in grouped.items()}
    for result in results:
        earned: dict[str, float] = {}
        passed: Counter = Counter()
        stopped: dict[str, str] = {}
        for test in result.tests:
            name = function_of(test.name)[0]
            earned[name] = earned.get(name, 0.0) + (0.0 if result.status.is_problem else test.points)
            passed[name] += (not result.status.is_problem) and _passed(test)
            if not _passed(test):
                stopped.setdefault(name, test.stage)
        for name, entry in functions.items():
            entry.points_earned += earned.get(name, 0.0)
            if passed[name] == len(entry.cases):
                entry.passed_all += 1
            else:
                entry.stages[PROBLEM_STAGE if result.status.is_problem else stopped.get(name, "not run")] += 1
    return sorted(functions.values(), key=lambda f: (f.pass_rate, f.name))


def _common_failures(results: list[SubmissionResult]) -> dict[str, tuple[list[tuple[str, int, int]], int]]:
    """Per function: the TOP_MESSAGES messages its failing cases gave most often, over the graded
    submissions, as (message, submissions, cases), and how many other messages there were."""
    by_function: dict[str, dict[str, tuple[set[str], list[int]]]] = {}
    for result in results:
        if result.status.is_problem:
            continue
        for test in result.tests:
            if _passed(test) or not test.message:
                continue
            students, cases = by_function.setdefault(function_of(test.name)[0], {}).setdefault(
                test.message, (set(), [0]))
            students.add(result.student)
            cases[0] += 1
    found = {}
    for function, messages in by_function.items():
        ranked = sorted(messages.items(), key=lambda item: (-len(item[1][0]), -item[1][1][0], item[0]))
        found[function] = ([(m, len(s), c[0]) for m, (s, c) in ranked[:TOP_MESSAGES]],
                           max(0, len(ranked) - TOP_MESSAGES))
    return found


def _model_measurements(results: list[SubmissionResult]):
    """Test accuracy per test name, the required accuracy per test, and each student's curves
    per test name (as (student, curves))."""
    accuracy: dict[str, list[float]] = {}
    required: dict[str, float] = {}
    curves: dict[str, list[tuple[str, dict[str, list[float]]]]] = {}
    for result in results:
        for test in result.tests:
            if "test_accuracy" in test.metrics:
                accuracy.setdefault(test.name, []).append(test.metrics["test_accuracy"])
                if "required_test_accuracy" in test.metrics:
                    required[test.name] = test.metrics["required_test_accuracy"]
            if test.curves.get("loss") or test.curves.get("accuracy"):
                curves.setdefault(test.name, []).append((result.student, test.curves))
    return accuracy, required, curves


def _number(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if value == value else "n/a"


def _percent(part: float, whole: float) -> str:
    return _number(100 * part / whole, 1) + "%" if whole else "n/a"


def lateness(adjustment: LateAdjustment | None) -> str:
    """A late adjustment in a few words (``course.lateness_text``: "on time", "2 days 3 h late",
    "past cutoff"), with the tokens spent and an extension: "1 day late, 1 token, extended"."""
    from autograder.course import lateness_text

    if adjustment is None:
        return ""
    extras = [f"{adjustment.tokens_used} token{'' if adjustment.tokens_used == 1 else 's'}"] \
        if adjustment.tokens_used else []
    extras += ["extended"] if adjustment.extended else []
    return ", ".join([lateness_text(adjustment), *extras])


def _penalty(adjustment: LateAdjustment | None) -> str:
    if adjustment is None or not adjustment.penalty_points:
        return "no penalty"
    percent = f" ({adjustment.penalty_percent:g}%)" if adjustment.penalty_percent else ""
    return f"−{adjustment.penalty_points:g}{percent}"


def _final_score(result: SubmissionResult, adjustment: LateAdjustment | None) -> float:
    return adjustment.final_score if adjustment is not None else result.score


# ---------------------------------------------------------------------------- the index page

def _cell(text, value: float | None = None, *, missing: bool = False, sub: str = "", href: str = "",
          late: bool = False, title: str = "") -> dict:
    """A table cell for the templates. ``value`` is what the sorting script orders a numeric cell
    by; a ``missing`` cell (no submission) sorts last; any other cell sorts by its text."""
    if missing:
        cls, sort_value = "missing", ""
    elif value is not None:
        cls, sort_value = "num late" if late else "num", f"{value:.6g}"
    else:
        cls, sort_value = ("late" if late else ""), None
    return {"text": str(text), "value": sort_value, "cls": cls, "sub": sub, "href": href, "title": title}


def _feedback_href(names: dict[str, str] | None, assignment_dir: str, student: str) -> str:
    if names is None:
        return ""
    return f"../{FEEDBACK_DIRNAME}/{quote(assignment_dir)}/{quote(names[student])}.html"


@dataclass
class _Assignment:
    """What the page needs of one assignment, besides its results."""

    id: str
    title: str
    uses_keras: bool
    dir: str  # its file-name stem (feedback folder, anchors)
    results: list[SubmissionResult]
    names: dict[str, str] | None  # students' feedback file stems, None without feedback

    @property
    def anchor(self) -> str:
        return f"a-{self.dir}"

    @property
    def max_score(self) -> float:
        return max(r.max_score for r in self.results)


def _class_view(assignments: list[_Assignment], adjustments: dict | None) -> dict:
    """Each student (matched across assignments by student id) × each assignment, with totals."""
    late = bool(adjustments)
    students = sorted({r.student for a in assignments for r in a.results}, key=lambda s: (s.casefold(), s))
    maximum = sum(a.max_score for a in assignments)
    columns = [{"key": "student", "label": "student", "title": ""}]
    columns += [{"key": a.anchor, "label": a.id, "title": a.title + (" (final score)" if late else "")}
                for a in assignments]
    if late:
        columns += [{"key": "raw", "label": "raw total", "title": "the tests' scores, before the late policy"},
                    {"key": "penalty", "label": "penalty", "title": "late penalties, in points"},
                    {"key": "late", "label": "late", "title": "submissions handed in late"}]
    columns += [{"key": "total", "label": "total", "title": f"out of {maximum:g}"},
                {"key": "percent", "label": "percent", "title": f"of {maximum:g}"}]
    rows = []
    by_student = {a.id: {r.student: r for r in a.results} for a in assignments}
    for student in students:
        cells, raw, final, penalty, late_count, problem = [], 0.0, 0.0, 0.0, 0, False
        for a in assignments:
            result = by_student[a.id].get(student)
            if result is None:
                cells.append(_cell("—", missing=True, title="no submission (counts 0)"))
                continue
            adjustment = (adjustments or {}).get((a.id, student))
            score = _final_score(result, adjustment)
            raw, final = raw + result.score, final + score
            penalty += adjustment.penalty_points if adjustment else 0.0
            late_count += bool(adjustment and adjustment.is_late)
            problem |= result.status.is_problem
            sub = result.status.value if result.status.is_problem else ""
            if adjustment is not None and (adjustment.is_late or adjustment.penalty_points):
                sub = " · ".join(filter(None, [sub, f"raw {result.score:g}", _penalty(adjustment),
                                               lateness(adjustment)]))
            cells.append(_cell(f"{score:g}", score, sub=sub, href=_feedback_href(a.names, a.dir, student),
                               late=bool(adjustment and adjustment.is_late), title=f"out of {result.max_score:g}"))
        if late:
            cells += [_cell(f"{raw:g}", raw), _cell(f"−{penalty:g}" if penalty else "0", penalty),
                      _cell(f"{late_count}", late_count)]
        cells += [_cell(f"{final:g}", final), _cell(_percent(final, maximum), 100 * final / maximum if maximum else 0)]
        rows.append({"student": student, "cells": cells, "problem": problem})
    scores = "final scores (after the late policy)" if late else "scores"
    caption = (f"One row per student ({len(students)}), matched across assignments by student id, sorted by name: "
               "click a column's header to sort by it (again: the other way round), or open this page as "
               "index.html#sort=class-view:total:desc. "
               f"The total is the sum of the {scores}, out of {maximum:g}; the percent is of that maximum; "
               "a missing submission (—) counts 0, bonus points are not in the total. "
               "A red edge marks a student with a problem submission.")
    return {"columns": columns, "rows": rows, "caption": caption}


def _share(results: list[SubmissionResult], problems: list[SubmissionResult]) -> tuple[str, str]:
    """The problem submissions' share, as a sentence and as a clause."""
    if not problems:
        return (f"No submission had problems: all {len(results)} were graded.",
                "no submission had problems.")
    return (f"{len(problems)} of {len(results)} submissions ({_percent(len(problems), len(results))}) had problems "
            "and count as failing every test.",
            f"the {len(problems)} with problems count as failing every test.")


def _assignment_section(a: _Assignment, adjustments: dict | None) -> dict:
    """One assignment's section of the index page, for the template."""
    results, max_score, late = a.results, a.max_score, bool(adjustments)
    scores = [r.score for r in results]
    graded = [r for r in results if not r.status.is_problem]
    problems = [r for r in results if r.status.is_problem]
    seconds = [r.duration_s for r in results]
    adjusted = {r.student: (adjustments or {}).get((a.id, r.student)) for r in results}
    summary = [
        ("submissions", f"{len(results)}"),
        ("graded", f"{len(graded)}"),
        ("with problems", f"{len(problems)}"),
        ("maximum score", f"{max_score:g}"),
        ("mean score (all submissions)", _number(statistics.fmean(scores))),
        ("median score (all submissions)", _number(statistics.median(scores))),
        ("mean score (graded only)", _number(statistics.fmean([r.score for r in graded])) if graded else "n/a"),
        ("mean percent (all submissions)", _number(statistics.fmean([r.percent for r in results]), 1) + "%"),
    ]
    if late:
        finals = [_final_score(r, adjusted[r.student]) for r in results]
        late_rows = [x for x in adjusted.values() if x is not None and x.is_late]
        summary += [("mean final score (after the late policy)", _number(statistics.fmean(finals))),
                    ("late / penalised / past the cutoff",
                     f"{len(late_rows)} / {sum(x.penalty_points > 0 for x in late_rows)} / "
                     f"{sum(x.past_cutoff for x in late_rows)}")]
    summary.append(("grading time: total / median / max", f"{sum(seconds):.1f} s / {statistics.median(seconds):.1f} s / "
                                                          f"{max(seconds):.1f} s"))
    devices = Counter(f"{r.device}/{r.backend}" if r.backend else r.device for r in graded)
    if devices:
        summary.append(("device/backend", ", ".join(f"{k} ({v})" for k, v in sorted(devices.items()))))
    share, share_short = _share(results, problems)

    plots = [_plot(_score_histogram(results, max_score), f"score histogram of {a.id}",
                   "Scores of all submissions (problems stacked in red).")]
    stats = _test_stats(results)
    functions = _function_stats(results, stats)
    if functions:
        plots.append(_plot(_pass_rates(functions), f"pass rate per test function of {a.id}",
                           f"Share of the cases of each test function passed, over all {len(results)} submissions "
                           "(a problem submission fails every case)."))
    plots.append(_plot(_durations(results), f"grading time of {a.id}",
                       "Wall-clock time to grade each submission (staging, sandbox, tests, training)."))
    model_note = ""
    if a.uses_keras:
        accuracy, required, curves = _model_measurements(results)
        if accuracy:
            values = [v for vs in accuracy.values() for v in vs]
            below = sum(v < required[name] for name, vs in accuracy.items() if name in required for v in vs)
            summary += [("test accuracy: mean / median / min",
                         f"{statistics.fmean(values):.3f} / {statistics.median(values):.3f} / {min(values):.3f}"),
                        ("below the required test accuracy", f"{below} of {len(values)}")]
            plots.append(_plot(_accuracies(accuracy, required), f"test accuracy of {a.id}",
                               "Test accuracy of each trained submission; the dashed line is the requirement."))
        for name, entries in curves.items():
            png, found = _overlay_curves(entries, f"{name}: {len(entries)} submission(s)")
            plots.append(_plot(png, f"training curves of {a.id}", found.caption(len(entries))))
        if not accuracy and not curves:
            model_note = ("No test accuracy or training curve is recorded for this model assignment (it is not "
                          "graded on a test set, or it was graded before they were recorded).")

    function_rows = []
    for f in functions:
        stages = ", ".join(f"{stage} ({count})" for stage, count in f.stages.most_common(3))
        cases = [{"name": function_of(c.name)[1] or c.name, "points": f"{c.max_points:g}",
                  "passed": f"{c.passed}/{c.attempts}", "rate": f"{100 * c.pass_rate:.0f}%",
                  "stages": ", ".join(f"{stage} ({count})" for stage, count in c.stages.most_common(3))}
                 for c in sorted(f.cases, key=lambda c: (c.pass_rate, c.name))]
        function_rows.append({
            "name": f.name, "parametrized": f.parametrized, "cases": cases, "case_count": f"{len(f.cases)}",
            "points": f"{f.max_points:g}" + (" bonus" if f.bonus else ""),
            "mean_points": _number(f.points_earned / f.submissions) if f.submissions else "n/a",
            "rate": f"{100 * f.pass_rate:.0f}%", "passed_all": f"{f.passed_all}/{f.submissions}", "stages": stages})
    common = _common_failures(results)
    failures = [{"name": f.name, "others": common[f.name][1],
                 "messages": [{"text": text, "count": f"{students}" + (f" ({cases} cases)" if cases > students else "")}
                              for text, students, cases in common[f.name][0]]}
                for f in functions if f.name in common]

    problem_rows = [{"student": r.student, "href": _feedback_href(a.names, a.dir, r.student), "status": r.status.value,
                     "detail": r.detail[:DETAIL_CHARS], "output": r.stdout_tail[-DETAIL_CHARS:],
                     "score": f"{r.score:g}/{r.max_score:g}"} for r in problems]

    columns = ["student"] + (["raw score", "penalty", "final score", "percent", "lateness"] if late
                             else ["score", "percent"]) + ["status", "grading time"]
    rows = []
    for r in sorted(results, key=lambda r: r.student):
        adjustment = adjusted[r.student]
        if late:
            final = _final_score(r, adjustment)
            cells = [_cell(f"{r.score:g}/{r.max_score:g}", r.score),
                     _cell(_penalty(adjustment), adjustment.penalty_points if adjustment else 0),
                     _cell(f"{final:g}/{r.max_score:g}", final),
                     _cell(_percent(final, r.max_score), 100 * final / r.max_score if r.max_score else 0),
                     _cell(lateness(adjustment), adjustment.late_seconds if adjustment else None,
                           missing=adjustment is None, late=bool(adjustment and adjustment.is_late),
                           title=f"submitted {adjustment.submitted_at or 'at an unknown time'}, due {adjustment.due}"
                           if adjustment else "")]
        else:
            cells = [_cell(f"{r.score:g}/{r.max_score:g}", r.score), _cell(f"{r.percent:g}%", r.percent)]
        cells += [_cell(r.status.value), _cell(f"{r.duration_s:.1f} s", r.duration_s)]
        rows.append({"student": r.student, "href": _feedback_href(a.names, a.dir, r.student), "cells": cells})
    return {"assignment": a.id, "title": a.title, "anchor": a.anchor, "submissions": len(results),
            "problem_count": len(problems), "summary": summary, "share": share, "share_short": share_short,
            "plots": plots, "model_note": model_note, "functions": function_rows, "failures": failures,
            "problems": problem_rows, "table_id": f"subs-{a.dir}",
            "columns": [{"key": re.sub(r"\W+", "-", c), "label": c} for c in columns], "rows": rows}


# ---------------------------------------------------------------------------- feedback

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")


def _md(text: str) -> str:
    """Untrusted text for one line of Markdown: literal, no HTML, no links, no table breaks.

    ``& < >`` become entities (no renderer reads a tag in them), the other characters Markdown
    gives a meaning are backslash-escaped, and line breaks become spaces."""
    text = html.escape(" ".join(str(text).split()), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _md_block(text: str) -> str:
    """Untrusted text as a fenced block: literal, whatever it holds (the fence outgrows its backticks)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def _verdict(test: TestResult) -> str:
    if test.outcome is Outcome.ERROR:
        return "error"
    return "passed" if _passed(test) else "failed"


def _test_note(test: TestResult) -> str:
    """What a test measured that helps the student: their model's own test accuracy."""
    if "test_accuracy" not in test.metrics:
        return ""
    note = f"test accuracy: {test.metrics['test_accuracy']:.3f}"
    if "required_test_accuracy" in test.metrics:
        note += f" (at least {test.metrics['required_test_accuracy']:.3f} required)"
    return note


def _score_line(result: SubmissionResult) -> str:
    bonus = f" + {result.bonus_score:g} bonus" if any(t.bonus for t in result.tests) else ""
    return f"{result.score:g}/{result.max_score:g} ({result.percent:g}%){bonus}"


def _late_lines(result: SubmissionResult, adjustment: LateAdjustment | None) -> tuple[str, str] | None:
    """The late policy's note and the final score, for a student's feedback (None: no policy)."""
    if adjustment is None:
        return None
    final = adjustment.final_score
    percent = f" ({round(100 * final / result.max_score, 2):g}%)" if result.max_score else ""
    return adjustment.note or lateness(adjustment), f"{final:g}/{result.max_score:g}{percent}"


def _status_text(result: SubmissionResult) -> str:
    if result.status.is_problem:
        return f"{result.status.value}: nothing could be graded"
    return "graded"


def feedback_markdown(result: SubmissionResult, title: str, plot_name: str | None,
                      adjustment: LateAdjustment | None = None) -> str:
    lines = [f"# Feedback: {_md(title)}", "",
             f"- **Student:** {_md(result.student)}",
             f"- **Assignment:** {_md(result.assignment)}",
             f"- **Status:** {_md(_status_text(result))}",
             f"- **Score:** {_md(_score_line(result))}"]
    late = _late_lines(result, adjustment)
    if late:
        lines += [f"- **Late policy:** {_md(late[0])}", f"- **Final score:** {_md(late[1])}"]
    lines.append("")
    if result.notes:
        lines += ["## Notes on your submission", "", "What the grader changed or noticed before grading:", ""]
        lines += [f"- {_md(note)}" for note in result.notes] + [""]
    if result.detail:
        lines += ["## What happened to your submission", "", _md_block(result.detail), ""]
    lines += ["## Tests", "", "| test | points | result | stopped at |", "| --- | ---: | --- | --- |"]
    for test in result.tests:
        name = f"{test.name} (bonus)" if test.bonus else test.name
        stage = "" if _passed(test) else test.stage
        lines.append(f"| {_md(name)} | {test.points:g}/{test.max_points:g} | {_verdict(test)} | {_md(stage)} |")
    details = [(test, test.message, _test_note(test)) for test in result.tests if test.message or _test_note(test)]
    if details:
        lines += ["", "## Messages", ""]
        for test, message, note in details:
            lines += [f"### {_md(test.name)}: {_verdict(test)}", ""]
            if note:
                lines += [_md(note), ""]
            if message:
                lines += [_md_block(message), ""]
    if plot_name:
        lines += ["", "## Training curve", "",
                  CURVE_NOTE, "",
                  f"![training curve]({quote(plot_name)})", ""]
    return "\n".join(lines).rstrip() + "\n"


def feedback_html(result: SubmissionResult, title: str, plot_png: bytes | None,
                  adjustment: LateAdjustment | None = None) -> str:
    """The feedback page (templates/feedback.html): no script, every text escaped."""
    tests = [{"name": f"{test.name} (bonus)" if test.bonus else test.name,
              "points": f"{test.points:g}/{test.max_points:g}", "verdict": _verdict(test),
              "stage": "" if _passed(test) else test.stage, "note": _test_note(test), "message": test.message}
             for test in result.tests]
    late = _late_lines(result, adjustment)
    plot = _plot(plot_png, "training curve", "training loss and accuracy by step") if plot_png is not None else None
    return _render("feedback.html", title=f"Feedback: {title}", csp=CSP, script=None, assignment_title=title,
                   result=result, status=_status_text(result), score=_score_line(result),
                   late={"note": late[0], "final": late[1]} if late else None, notes=result.notes, tests=tests,
                   plot=plot, curve_note=CURVE_NOTE)


def _student_curves(result: SubmissionResult) -> list[tuple[str, dict[str, list[float]]]]:
    return [(t.name, t.curves) for t in result.tests if t.curves.get("loss") or t.curves.get("accuracy")]


def write_feedback(folder: Path, results: list[SubmissionResult], title: str, names: dict[str, str],
                   adjustments: dict | None = None) -> list[FeedbackFile]:
    """One Markdown and one HTML file per student (and the training curve's PNG, where recorded)."""
    written = []
    for result in results:
        stem = names[result.student]
        adjustment = (adjustments or {}).get((result.assignment, result.student))
        curves = _student_curves(result)
        png = plot_path = None
        if curves:
            png = _curves_plot([curve for _, curve in curves], width=6.0, height=2.4, alpha=0.9,
                               title=", ".join(name for name, _ in curves))
            plot_path = folder / f"{stem}.training.png"
            _write(plot_path, png)
        markdown, page = folder / f"{stem}.md", folder / f"{stem}.html"
        _write(markdown, feedback_markdown(result, title, plot_path.name if plot_path else None, adjustment))
        _write(page, feedback_html(result, title, png, adjustment))
        written.append(FeedbackFile(result.assignment, result.student, markdown, page, plot_path))
    return written


# ---------------------------------------------------------------------------- entry point

def _describe(assignment: str) -> tuple[str, bool]:
    """Title and whether it is a model assignment; an id the catalogue no longer has is plain."""
    from autograder.assignments import UnknownAssignment, get_assignment

    try:
        known = get_assignment(assignment)
    except UnknownAssignment:
        return assignment, False
    return known.title, known.uses_keras


def write_report(outdir: Path, results: list[SubmissionResult], *, feedback: bool = True, source: str = "",
                 adjustments: dict[tuple[str, str], LateAdjustment] | None = None) -> Report:
    """Write ``outdir/report/index.html`` and (with ``feedback``) ``outdir/feedback/``.

    ``adjustments`` (from ``autograder.course.adjustments``), keyed by (assignment, student),
    add the late policy's columns to the tables and its note to each student's feedback."""
    outdir = Path(outdir)
    by_assignment: dict[str, list[SubmissionResult]] = {}
    for result in sorted(results, key=lambda r: (r.assignment, r.student)):
        by_assignment.setdefault(result.assignment, []).append(result)
    assignment_dirs = safe_names(by_assignment)
    report = Report(outdir=outdir, index_path=outdir / REPORT_DIRNAME / "index.html",
                    assignments=list(by_assignment), submissions=len(results),
                    feedback_dir=outdir / FEEDBACK_DIRNAME if feedback else None, late_policy=bool(adjustments))
    assignments = []
    for assignment, group in by_assignment.items():
        title, uses_keras = _describe(assignment)
        names = safe_names(r.student for r in group) if feedback else None
        assignments.append(_Assignment(assignment, title, uses_keras, assignment_dirs[assignment], group, names))
        if feedback:
            report.feedback += write_feedback(report.feedback_dir / assignment_dirs[assignment], group, title, names,
                                              adjustments)
    sections = [_assignment_section(a, adjustments) for a in assignments]
    report.plots = sum(len(section["plots"]) for section in sections)
    klass = _class_view(assignments, adjustments) if assignments else None
    report.students = len(klass["rows"]) if klass else 0
    script, script_source = _sort_script()
    page = _render("index.html", title="Grading report", csp=f"{CSP}; script-src {script_source}", script=script,
                   submissions=len(results), generated=time.strftime("%Y-%m-%d %H:%M:%S %z"), source=source,
                   feedback=feedback, feedback_dirname=FEEDBACK_DIRNAME, sections=sections, klass=klass,
                   top_messages=TOP_MESSAGES)
    _write(report.index_path, page)
    return report
