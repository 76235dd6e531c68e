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

Every text the page and the feedback files write themselves (headings, captions, plot titles
and axes, alt texts, status words, the late policy's words) is in the current language of
``autograder.i18n`` when they are written (``Report.language``): English message ids wrapped in
``_``/``_f``/``_n`` here and in ``_("...")`` calls in the templates, whose ``_`` translates at
render time and whose ``<html lang>`` follows the language. What students and tests wrote
(ids, messages, notes, test names) and the ids that files and scripts key on (status values,
CSS classes, ``data-key``, CSV column ids) are not translated. Chinese plots use the first CJK
font installed (``CJK_FONTS``); the page's CSS names CJK fonts for the browser.

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
import json
import math
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from contextlib import contextmanager

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from autograder import i18n
from autograder.files import shared_mode, write_atomically
from autograder.i18n import N_, _, _f, _n
from autograder.render.csv_gradebook import localized_headers
from autograder.render.html import inline, template_message
from autograder.results import LateAdjustment, Outcome, SubmissionResult, SubmissionStatus, TestResult

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
CURVE_NOTE = N_("Your model trained with the grader's recipe: loss and accuracy on the training data, by step.")
PLOT_BLUE = "#1f77b4"  # the bars' colour; the page's own styles do not use it (tests find plots by it)
OUTLIER_COLOURS = ["#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

# Defence in depth: even a missed escape could not run a script or load anything.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
# The sorting script's one visible text (its buttons' tooltip), as sort.js writes it in English;
# _sort_script puts the current language's in its place before hashing the script.
SORT_TITLE = N_("sort by this column")
# Fonts that draw Chinese in the plots, the first one installed wins (matplotlib's default,
# DejaVu Sans, has no CJK glyphs); English plots keep matplotlib's defaults.
CJK_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "PingFang SC",
             "Microsoft YaHei", "SimHei", "Noto Sans CJK JP", "Noto Sans CJK TC", "Droid Sans Fallback"]

# The words shown for a submission's status, a test's verdict and where a test stopped: the
# values themselves (SubmissionStatus, _verdict, checks.Stage) are ids that CSV files, CSS
# classes and the statistics key on; only what a reader sees is translated (_word).
STATUS_WORDS = {
    SubmissionStatus.GRADED.value: N_("graded"),
    SubmissionStatus.EMPTY.value: N_("empty"),
    SubmissionStatus.CORRUPT.value: N_("corrupt"),
    SubmissionStatus.MISNAMED.value: N_("misnamed"),
    SubmissionStatus.NOT_UTF8.value: N_("not_utf8"),
    SubmissionStatus.SYNTAX_ERROR.value: N_("syntax_error"),
    SubmissionStatus.IMPORT_ERROR.value: N_("import_error"),
    SubmissionStatus.DUPLICATE.value: N_("duplicate"),
    SubmissionStatus.UNIDENTIFIED.value: N_("unidentified"),
    SubmissionStatus.MISSING.value: N_("missing"),
    SubmissionStatus.INVALID_NOTEBOOK.value: N_("invalid_notebook"),
    SubmissionStatus.GRADER_ERROR.value: N_("grader_error"),
}
VERDICT_WORDS = {"passed": N_("passed"), "failed": N_("failed"), "error": N_("error")}
PROBLEM_STAGE = N_("no test ran (problem)")  # a stage key (see _test_stats); shown translated
NOT_RUN_STAGE = N_("not run")
STAGE_WORDS = {
    PROBLEM_STAGE: PROBLEM_STAGE, NOT_RUN_STAGE: NOT_RUN_STAGE,
    # checks.Stage's values (grading tests may name others: those are shown as they are)
    "import": N_("import"), "not_attempted": N_("not_attempted"), "missing": N_("missing"),
    "exception": N_("exception"), "timeout": N_("timeout"), "crash": N_("crash"), "type": N_("type"),
    "shape": N_("shape"), "dtype": N_("dtype"), "finite": N_("finite"), "values": N_("values"),
    "passed": N_("passed"),
}


def _word(words: dict[str, str], key: str) -> str:
    """The current language's word for ``key`` (a status, verdict or stage id); an id the table
    does not know is shown as it is."""
    return _(words[key]) if key in words else key


def _g(value: float) -> str:
    """A number as the report writes it (``format(value, "g")``), for a message's placeholder."""
    return format(value, "g")


def html_language(language: str | None = None) -> str:
    """The ``lang`` attribute for ``language`` (default: the current one): ``en``, ``zh-CN``."""
    return (language or i18n.language()).replace("_", "-")


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
    language: str = i18n.ENGLISH  # the language its headings, captions and feedback were written in


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
    """Autoescape on for every template (HTML); an undefined name is an error, not "". The
    templates' ``_`` translates (``render.html.template_message``), ``html_language()`` is
    the page's ``lang``."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES),
                              autoescape=select_autoescape(default=True, default_for_string=True),
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)
    environment.globals.update(_=template_message, html_language=html_language)
    return environment


def _sort_script() -> tuple[Markup, str]:
    """The sorting script's exact text, its tooltip in the current language, and its CSP source
    (``'sha256-<base64>'``, of the text written)."""
    text = (TEMPLATES / "sort.js").read_text(encoding="utf-8").strip()
    english = json.dumps(SORT_TITLE)
    if text.count(english) != 1:
        raise ValueError(f"sort.js must hold {english} once: its tooltip, which is translated")
    text = text.replace(english, json.dumps(_(SORT_TITLE)))  # ASCII: non-ASCII as \uXXXX
    return inline(text, "sort.js")


def _render(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


# ---------------------------------------------------------------------------- plots

# The files of the CJK_FONTS, by name, where matplotlib's font cache predates them.
_CJK_FONT_FILES = re.compile(r"CJK|SourceHan|wqy|WenQuanYi|DroidSansFallback|PingFang|msyh|simhei", re.I)


@functools.lru_cache(maxsize=None)
def _cjk_fonts() -> tuple[str, ...]:
    """The CJK_FONTS that matplotlib finds on this machine. Its font list is cached (in
    ~/.cache/matplotlib) when matplotlib first runs: fonts installed afterwards are looked for
    among the system's font files, and added, once per process."""
    from matplotlib import font_manager

    def found() -> tuple[str, ...]:
        installed = {font.name for font in font_manager.fontManager.ttflist}
        return tuple(name for name in CJK_FONTS if name in installed)

    if not found():
        for path in font_manager.findSystemFonts():
            if _CJK_FONT_FILES.search(Path(path).name):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
    return found()


@contextmanager
def _plot_fonts():
    """Inside the block, plots get fonts that draw the current language (for Chinese: the first
    installed CJK font, then matplotlib's default for Latin text and digits, glyph by glyph).
    English plots are drawn exactly as before. Without any CJK font, Chinese is drawn as boxes."""
    if i18n.language() == i18n.ENGLISH or not _cjk_fonts():
        yield
        return
    import matplotlib

    family = [*_cjk_fonts(), *matplotlib.rcParams["font.sans-serif"]]
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": family,
                                "axes.unicode_minus": False}):
        yield


def _with_plot_fonts(function):
    """Draw the plot ``function`` makes inside :func:`_plot_fonts` (its texts take their font
    when they are made, and are drawn when the PNG is written: both inside)."""
    @functools.wraps(function)
    def drawn(*args, **kwargs):
        with _plot_fonts():
            return function(*args, **kwargs)
    return drawn


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


@_with_plot_fonts
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
    series = [(graded, _("graded"), PLOT_BLUE), (problems, _("with problems"), "#d62728")]
    series = [s for s in series if s[0]]
    if series:
        axes.hist([s[0] for s in series], bins=bins, stacked=True, label=[s[1] for s in series],
                  color=[s[2] for s in series])
        axes.legend(loc="upper left")
    axes.set_xlabel(_f("score (out of {max_score}, before any late penalty)", max_score=_g(max_score)))
    axes.set_ylabel(_("submissions"))
    axes.set_title(_("Scores"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


@_with_plot_fonts
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
    axes.set_xlabel(_("cases passed, over all submissions (%)"))
    axes.set_title(_("Pass rate per test function, hardest first"))
    return _png(figure)


@_with_plot_fonts
def _durations(results: list[SubmissionResult]) -> bytes:
    figure = _figure(5.2, 3.2)
    axes = figure.add_subplot()
    seconds = [r.duration_s for r in results]
    axes.hist(seconds, bins=min(30, max(5, len(seconds) // 2)), color=PLOT_BLUE)
    median = statistics.median(seconds)
    axes.axvline(median, color="#333", linestyle="--", label=_f("median {seconds} s", seconds=format(median, ".1f")))
    axes.legend(loc="upper right")
    axes.set_xlabel(_("grading time per submission (s)"))
    axes.set_ylabel(_("submissions"))
    axes.set_title(_("Grading time"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


@_with_plot_fonts
def _accuracies(by_test: dict[str, list[float]], required: dict[str, float]) -> bytes:
    figure = _figure(5.2, 3.2)
    axes = figure.add_subplot()
    low = min(min(values) for values in by_test.values())
    low = min(low, *required.values()) if required else low
    bins = [low + (1.0 - low) * i / 25 for i in range(26)] if low < 1.0 else 10
    axes.hist(list(by_test.values()), bins=bins, label=[_plain(name) for name in by_test], stacked=True)
    for name, threshold in required.items():
        axes.axvline(threshold, color="#d62728", linestyle="--",
                     label=_f("required {accuracy}", accuracy=format(threshold, ".2f")))
    axes.legend(loc="upper left", fontsize=8)
    axes.set_xlabel(_("test accuracy after the grader's training recipe"))
    axes.set_ylabel(_("submissions"))
    axes.set_title(_("Test accuracy"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def _steps(curve: dict[str, list[float]]) -> list[float]:
    return curve.get("step") or list(range(1, len(curve.get("loss") or curve.get("accuracy") or []) + 1))


@_with_plot_fonts
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
    loss_axes.set_title(_("training loss"), fontsize=9)
    accuracy_axes.set_title(_("training accuracy"), fontsize=9)
    for axes in (loss_axes, accuracy_axes):
        axes.set_xlabel(_("step"), fontsize=8)
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
            return _f("Training loss and accuracy of each of the {count} trained submission(s), named in the legend.",
                      count=count)
        parts = []
        if self.median:
            parts.append(_f("the median student, {student} ({why}; thick black line)", student=self.median[0],
                            why=self.median[1]))
        shown = [_f("{student} ({why})", student=student, why=why) for student, why in self.in_legend]
        if shown:
            parts.append(_f("in colour, the outliers: {students}", students=", ".join(shown)))
        rest = self.outliers[len(self.in_legend):]
        if rest:
            names = ", ".join(_f("{student} ({why})", student=student, why=why) for student, why in rest[:MAX_NAMED])
            parts.append(_f("other outliers (faint): {students} and {count} more", students=names,
                            count=len(rest) - MAX_NAMED) if len(rest) > MAX_NAMED
                         else _f("other outliers (faint): {students}", students=names))
        if not parts:
            return _f("Training loss and accuracy of the {count} trained submissions (one faint line each).",
                      count=count) + " "
        return _f("Training loss and accuracy of the {count} trained submissions (one faint line each). "
                  "Named: {named}.", count=count, named="; ".join(parts))


def _final_accuracy(value: float) -> str:
    return _f("final accuracy {accuracy}", accuracy=format(value, ".3f"))


def _final_loss(value: float) -> str:
    return _f("final loss {loss}", loss=format(value, ".3g"))


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
        found.median = (student, _final_accuracy(value))
    elif loss:
        value, student = loss[(len(loss) - 1) // 2]
        found.median = (student, _final_loss(value))
    if found.every_curve_labelled:
        return found
    named: dict[str, str] = {}
    for value, student in accuracy[:OUTLIERS]:
        named[student] = _final_accuracy(value)
    for student, curve in entries:
        accuracies, losses = curve.get("accuracy") or [], curve.get("loss") or []
        if accuracies and max(accuracies) - accuracies[-1] >= 0.1:
            named.setdefault(student, _f("fell from {best} to {final}", best=format(max(accuracies), ".3f"),
                                         final=format(accuracies[-1], ".3f")))
        elif not accuracies and losses and losses[-1] > 1.5 * min(losses) and losses[-1] - min(losses) > 0.1:
            named.setdefault(student, _f("loss rose from {lowest} to {final}", lowest=format(min(losses), ".3g"),
                                         final=format(losses[-1], ".3g")))
    if loss:
        median, spread = _robust_spread([v for v, _student in loss])
        for value, student in loss:
            if value > median + max(3 * spread, 0.5 * median):
                named.setdefault(student, _final_loss(value))
    if accuracy:
        median, spread = _robust_spread([v for v, _student in accuracy])
        for value, student in accuracy:
            if value < median - max(3 * spread, 0.05):
                named.setdefault(student, _final_accuracy(value))
    if found.median:
        named.pop(found.median[0], None)
    found.outliers = list(named.items())
    return found


@_with_plot_fonts
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
            label = _f("{student} (median)", student=_plain(student)) if median else _plain(student)
            draw(curve, label, color=colours[index % len(colours)],
                 linewidth=2.4 if median else 1.3)
    else:
        shown = entries[:MAX_CURVES_PLOTTED]
        alpha = max(0.06, min(0.5, 6 / len(shown)))
        for _student, curve in shown:
            draw(curve, None, color=PLOT_BLUE, alpha=alpha, linewidth=0.8)
        for (student, why), colour in zip(found.in_legend, OUTLIER_COLOURS):
            draw(by_student[student], f"{_plain(student)}: {why}", color=colour, linewidth=1.5)
        if found.median:
            draw(by_student[found.median[0]], _f("{student}: median, {why}", student=_plain(found.median[0]),
                                                 why=found.median[1]),
                 color="black", linewidth=2.4)
    loss_axes.set_title(_("training loss"), fontsize=9)
    accuracy_axes.set_title(_("training accuracy"), fontsize=9)
    for axes in (loss_axes, accuracy_axes):
        axes.set_xlabel(_("step"), fontsize=8)
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
        """``test_relu (2 cases, 2 pts, bonus)``: the pass-rate plot's name for the function."""
        parts = [_f("{count} cases", count=len(self.cases))] if self.parametrized else []
        parts.append(_n("{points} pt", "{points} pts", _plural_count(self.max_points), points=_g(self.max_points)))
        parts += [_("bonus")] if self.bonus else []
        return _f("{function} ({details})", function=self.name, details=", ".join(parts))


def _plural_count(value: float) -> int:
    """A count for ngettext's choice of form: the number itself where it is whole (0, 1, 7), else
    2 (English: "1.5 pts")."""
    return int(value) if float(value).is_integer() else 2


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
                entry.stages[test.stage if test is not None else NOT_RUN_STAGE] += 1
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
                entry.stages[PROBLEM_STAGE if result.status.is_problem else stopped.get(name, NOT_RUN_STAGE)] += 1
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
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if value == value else _("n/a")


def _percent(part: float, whole: float) -> str:
    return _number(100 * part / whole, 1) + "%" if whole else _("n/a")


def lateness(adjustment: LateAdjustment | None) -> str:
    """A late adjustment in a few words (``course.lateness_text``: "on time", "2 days 3 h late",
    "past cutoff"), with the tokens spent and an extension: "1 day late, 1 token, extended"."""
    from autograder.course import lateness_text

    if adjustment is None:
        return ""
    extras = [_n("{count} token", "{count} tokens", adjustment.tokens_used)] if adjustment.tokens_used else []
    extras += [_("extended")] if adjustment.extended else []
    return ", ".join([lateness_text(adjustment), *extras])


def _penalty(adjustment: LateAdjustment | None) -> str:
    if adjustment is None or not adjustment.penalty_points:
        return _("no penalty")
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
    headings = localized_headers(["student", "total", "percent"])  # the class CSV's words for them
    columns = [{"key": "student", "label": headings["student"], "title": ""}]
    columns += [{"key": a.anchor, "label": a.id,
                 "title": _f("{title} (final score)", title=a.title) if late else a.title} for a in assignments]
    if late:
        columns += [{"key": "raw", "label": _("raw total"), "title": _("the tests' scores, before the late policy")},
                    {"key": "penalty", "label": _("penalty"), "title": _("late penalties, in points")},
                    {"key": "late", "label": _("late"), "title": _("submissions handed in late")}]
    columns += [{"key": "total", "label": headings["total"], "title": _f("out of {maximum}", maximum=_g(maximum))},
                {"key": "percent", "label": headings["percent"], "title": _f("of {maximum}", maximum=_g(maximum))}]
    rows = []
    by_student = {a.id: {r.student: r for r in a.results} for a in assignments}
    for student in students:
        cells, raw, final, penalty, late_count, problem = [], 0.0, 0.0, 0.0, 0, False
        for a in assignments:
            result = by_student[a.id].get(student)
            if result is None:
                cells.append(_cell("—", missing=True, title=_("no submission (counts 0)")))
                continue
            adjustment = (adjustments or {}).get((a.id, student))
            score = _final_score(result, adjustment)
            raw, final = raw + result.score, final + score
            penalty += adjustment.penalty_points if adjustment else 0.0
            late_count += bool(adjustment and adjustment.is_late)
            problem |= result.status.is_problem
            sub = _word(STATUS_WORDS, result.status.value) if result.status.is_problem else ""
            if adjustment is not None and (adjustment.is_late or adjustment.penalty_points):
                sub = " · ".join(filter(None, [sub, _f("raw {score}", score=_g(result.score)), _penalty(adjustment),
                                               lateness(adjustment)]))
            cells.append(_cell(f"{score:g}", score, sub=sub, href=_feedback_href(a.names, a.dir, student),
                               late=bool(adjustment and adjustment.is_late),
                               title=_f("out of {maximum}", maximum=_g(result.max_score))))
        if late:
            cells += [_cell(f"{raw:g}", raw), _cell(f"−{penalty:g}" if penalty else "0", penalty),
                      _cell(f"{late_count}", late_count)]
        cells += [_cell(f"{final:g}", final), _cell(_percent(final, maximum), 100 * final / maximum if maximum else 0)]
        rows.append({"student": student, "cells": cells, "problem": problem})
    rows_sentence = _f("One row per student ({count}), matched across assignments by student id, sorted by name: "
                       "click a column's header to sort by it (again: the other way round), or open this page as "
                       "{address}.", count=len(students), address="index.html#sort=class-view:total:desc")
    if late:
        total_sentence = _f("The total is the sum of the final scores (after the late policy), out of {maximum}; the "
                            "percent is of that maximum; a missing submission (—) counts 0, bonus points are not in "
                            "the total.", maximum=_g(maximum))
    else:
        total_sentence = _f("The total is the sum of the scores, out of {maximum}; the percent is of that maximum; a "
                            "missing submission (—) counts 0, bonus points are not in the total.",
                            maximum=_g(maximum))
    caption = _sentences(rows_sentence, total_sentence, _("A red edge marks a student with a problem submission."))
    return {"columns": columns, "rows": rows, "caption": caption}


def _sentences(*sentences: str) -> str:
    """Sentences one after the other: a space after each, except after a full-width stop (。！？)."""
    text = ""
    for sentence in sentences:
        text += sentence if not text or text.endswith(("。", "！", "？")) else " " + sentence
    return text


def _share(results: list[SubmissionResult], problems: list[SubmissionResult]) -> tuple[str, str]:
    """The problem submissions' share, as a sentence and as a clause."""
    if not problems:
        return (_f("No submission had problems: all {count} were graded.", count=len(results)),
                _("no submission had problems."))
    return (_f("{problems} of {count} submissions ({percent}) had problems and count as failing every test.",
               problems=len(problems), count=len(results), percent=_percent(len(problems), len(results))),
            _f("the {problems} with problems count as failing every test.", problems=len(problems)))


def _stages(stages: Counter) -> str:
    """Where failures stopped, most often first: ``values (3), no test ran (problem) (1)``."""
    return ", ".join(_f("{stage} ({count})", stage=_word(STAGE_WORDS, stage), count=count)
                     for stage, count in stages.most_common(3))


def _assignment_section(a: _Assignment, adjustments: dict | None) -> dict:
    """One assignment's section of the index page, for the template."""
    results, max_score, late = a.results, a.max_score, bool(adjustments)
    scores = [r.score for r in results]
    graded = [r for r in results if not r.status.is_problem]
    problems = [r for r in results if r.status.is_problem]
    seconds = [r.duration_s for r in results]
    adjusted = {r.student: (adjustments or {}).get((a.id, r.student)) for r in results}
    summary = [
        (_("submissions"), f"{len(results)}"),
        (_("graded"), f"{len(graded)}"),
        (_("with problems"), f"{len(problems)}"),
        (_("maximum score"), f"{max_score:g}"),
        (_("mean score (all submissions)"), _number(statistics.fmean(scores))),
        (_("median score (all submissions)"), _number(statistics.median(scores))),
        (_("mean score (graded only)"), _number(statistics.fmean([r.score for r in graded])) if graded else _("n/a")),
        (_("mean percent (all submissions)"), _number(statistics.fmean([r.percent for r in results]), 1) + "%"),
    ]
    if late:
        finals = [_final_score(r, adjusted[r.student]) for r in results]
        late_rows = [x for x in adjusted.values() if x is not None and x.is_late]
        summary += [(_("mean final score (after the late policy)"), _number(statistics.fmean(finals))),
                    (_("late / penalised / past the cutoff"),
                     f"{len(late_rows)} / {sum(x.penalty_points > 0 for x in late_rows)} / "
                     f"{sum(x.past_cutoff for x in late_rows)}")]
    summary.append((_("grading time: total / median / max"),
                    f"{sum(seconds):.1f} s / {statistics.median(seconds):.1f} s / {max(seconds):.1f} s"))
    devices = Counter(f"{r.device}/{r.backend}" if r.backend else r.device for r in graded)
    if devices:
        summary.append((_("device/backend"), ", ".join(f"{k} ({v})" for k, v in sorted(devices.items()))))
    share, share_short = _share(results, problems)

    plots = [_plot(_score_histogram(results, max_score), _f("score histogram of {assignment}", assignment=a.id),
                   _("Scores of all submissions (problems stacked in red)."))]
    stats = _test_stats(results)
    functions = _function_stats(results, stats)
    if functions:
        plots.append(_plot(_pass_rates(functions), _f("pass rate per test function of {assignment}", assignment=a.id),
                           _f("Share of the cases of each test function passed, over all {count} submissions "
                              "(a problem submission fails every case).", count=len(results))))
    plots.append(_plot(_durations(results), _f("grading time of {assignment}", assignment=a.id),
                       _("Wall-clock time to grade each submission (staging, sandbox, tests, training).")))
    model_note = ""
    if a.uses_keras:
        accuracy, required, curves = _model_measurements(results)
        if accuracy:
            values = [v for vs in accuracy.values() for v in vs]
            below = sum(v < required[name] for name, vs in accuracy.items() if name in required for v in vs)
            summary += [(_("test accuracy: mean / median / min"),
                         f"{statistics.fmean(values):.3f} / {statistics.median(values):.3f} / {min(values):.3f}"),
                        (_("below the required test accuracy"), _f("{count} of {total}", count=below,
                                                                   total=len(values)))]
            plots.append(_plot(_accuracies(accuracy, required), _f("test accuracy of {assignment}", assignment=a.id),
                               _("Test accuracy of each trained submission; the dashed line is the requirement.")))
        for name, entries in curves.items():
            png, found = _overlay_curves(entries, _f("{test}: {count} submission(s)", test=name, count=len(entries)))
            plots.append(_plot(png, _f("training curves of {assignment}", assignment=a.id),
                               found.caption(len(entries))))
        if not accuracy and not curves:
            model_note = _("No test accuracy or training curve is recorded for this model assignment (it is not "
                           "graded on a test set, or it was graded before they were recorded).")

    function_rows = []
    for f in functions:
        cases = [{"name": function_of(c.name)[1] or c.name, "points": f"{c.max_points:g}",
                  "passed": f"{c.passed}/{c.attempts}", "rate": f"{100 * c.pass_rate:.0f}%",
                  "stages": _stages(c.stages)}
                 for c in sorted(f.cases, key=lambda c: (c.pass_rate, c.name))]
        function_rows.append({
            "name": f.name, "parametrized": f.parametrized, "cases": cases, "case_count": f"{len(f.cases)}",
            "points": _f("{points} bonus", points=_g(f.max_points)) if f.bonus else _g(f.max_points),
            "mean_points": _number(f.points_earned / f.submissions) if f.submissions else _("n/a"),
            "rate": f"{100 * f.pass_rate:.0f}%", "passed_all": f"{f.passed_all}/{f.submissions}",
            "stages": _stages(f.stages)})
    common = _common_failures(results)
    failures = [{"name": f.name, "others": common[f.name][1],
                 "messages": [{"text": text, "count": _f("{students} ({cases} cases)", students=students, cases=cases)
                               if cases > students else f"{students}"}
                              for text, students, cases in common[f.name][0]]}
                for f in functions if f.name in common]

    problem_rows = [{"student": r.student, "href": _feedback_href(a.names, a.dir, r.student),
                     "status": _word(STATUS_WORDS, r.status.value), "detail": r.detail[:DETAIL_CHARS],
                     "output": r.stdout_tail[-DETAIL_CHARS:], "score": f"{r.score:g}/{r.max_score:g}"}
                    for r in problems]

    # The columns' keys are their English names (data-key, #sort=<table>:<key>), whatever the
    # language; the ones the assignment's CSV has too are headed with its localized titles.
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
                           title=_submitted(adjustment) if adjustment else "")]
        else:
            cells = [_cell(f"{r.score:g}/{r.max_score:g}", r.score), _cell(f"{r.percent:g}%", r.percent)]
        cells += [_cell(_word(STATUS_WORDS, r.status.value)), _cell(f"{r.duration_s:.1f} s", r.duration_s)]
        rows.append({"student": r.student, "href": _feedback_href(a.names, a.dir, r.student), "cells": cells})
    return {"assignment": a.id, "title": a.title, "anchor": a.anchor, "submissions": len(results),
            "problem_count": len(problems), "summary": summary, "share": share, "share_short": share_short,
            "plots": plots, "model_note": model_note, "functions": function_rows, "failures": failures,
            "problems": problem_rows, "table_id": f"subs-{a.dir}",
            "columns": [{"key": re.sub(r"\W+", "-", c), "label": _column_label(c)} for c in columns], "rows": rows}


# The submissions table's columns that the assignment's CSV has too: English name -> CSV column id.
_CSV_COLUMN_OF = {"student": "student", "score": "score", "percent": "percent", "status": "status",
                  "raw score": "raw_score", "penalty": "penalty", "final score": "final_score", "lateness": "lateness"}
GRADING_TIME = N_("grading time")


def _column_label(name: str) -> str:
    """A submissions table's heading in the current language: the CSV's localized title where
    the CSV has the column (csv_gradebook.localized_headers), else the report's own."""
    if name in _CSV_COLUMN_OF:
        column = _CSV_COLUMN_OF[name]
        return localized_headers([column])[column]
    return _(GRADING_TIME) if name == GRADING_TIME else name


def _submitted(adjustment: LateAdjustment) -> str:
    """When a late submission came, for its lateness cell's tooltip."""
    if adjustment.submitted_at:
        return _f("submitted {submitted}, due {due}", submitted=adjustment.submitted_at, due=adjustment.due)
    return _f("submitted at an unknown time, due {due}", due=adjustment.due)


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
    accuracy = format(test.metrics["test_accuracy"], ".3f")
    if "required_test_accuracy" in test.metrics:
        return _f("test accuracy: {accuracy} (at least {required} required)", accuracy=accuracy,
                  required=format(test.metrics["required_test_accuracy"], ".3f"))
    return _f("test accuracy: {accuracy}", accuracy=accuracy)


def _test_name(test: TestResult) -> str:
    return _f("{name} (bonus)", name=test.name) if test.bonus else test.name


def _score_line(result: SubmissionResult) -> str:
    score = f"{result.score:g}/{result.max_score:g} ({result.percent:g}%)"
    if any(t.bonus for t in result.tests):
        return _f("{score} + {bonus} bonus", score=score, bonus=_g(result.bonus_score))
    return score


def _late_lines(result: SubmissionResult, adjustment: LateAdjustment | None) -> tuple[str, str] | None:
    """The late policy's note and the final score, for a student's feedback (None: no policy)."""
    if adjustment is None:
        return None
    final = adjustment.final_score
    percent = f" ({round(100 * final / result.max_score, 2):g}%)" if result.max_score else ""
    return adjustment.note or lateness(adjustment), f"{final:g}/{result.max_score:g}{percent}"


def _status_text(result: SubmissionResult) -> str:
    if result.status.is_problem:
        return _f("{status}: nothing could be graded", status=_word(STATUS_WORDS, result.status.value))
    return _("graded")


def _field(label: str, value: str) -> str:
    """A Markdown list item ``- **Label:** value``; ``label`` is one of ours, ``value`` any text."""
    return _f("- **{label}:** {value}", label=label, value=_md(value))


def feedback_markdown(result: SubmissionResult, title: str, plot_name: str | None,
                      adjustment: LateAdjustment | None = None) -> str:
    lines = ["# " + _f("Feedback: {title}", title=_md(title)), "",
             _field(_("Student"), result.student),
             _field(_("Assignment"), result.assignment),
             _field(_("Status"), _status_text(result)),
             _field(_("Score"), _score_line(result))]
    late = _late_lines(result, adjustment)
    if late:
        lines += [_field(_("Late policy"), late[0]), _field(_("Final score"), late[1])]
    lines.append("")
    if result.notes:
        lines += ["## " + _("Notes on your submission"), "", _("What the grader changed or noticed before grading:"),
                  ""]
        lines += [f"- {_md(note)}" for note in result.notes] + [""]
    if result.detail:
        lines += ["## " + _("What happened to your submission"), "", _md_block(result.detail), ""]
    headings = [_("test"), _("points"), _("result"), _("stopped at")]
    lines += ["## " + _("Tests"), "", "| " + " | ".join(headings) + " |", "| --- | ---: | --- | --- |"]
    for test in result.tests:
        stage = "" if _passed(test) else _word(STAGE_WORDS, test.stage)
        lines.append(f"| {_md(_test_name(test))} | {test.points:g}/{test.max_points:g} | "
                     f"{_word(VERDICT_WORDS, _verdict(test))} | {_md(stage)} |")
    details = [(test, test.message, _test_note(test)) for test in result.tests if test.message or _test_note(test)]
    if details:
        lines += ["", "## " + _("Messages"), ""]
        for test, message, note in details:
            verdict = _word(VERDICT_WORDS, _verdict(test))
            lines += ["### " + _f("{test}: {verdict}", test=_md(test.name), verdict=verdict), ""]
            if note:
                lines += [_md(note), ""]
            if message:
                lines += [_md_block(message), ""]
    if plot_name:
        lines += ["", "## " + _("Training curve"), "",
                  _(CURVE_NOTE), "",
                  "![" + _("training curve") + f"]({quote(plot_name)})", ""]
    return "\n".join(lines).rstrip() + "\n"


def feedback_html(result: SubmissionResult, title: str, plot_png: bytes | None,
                  adjustment: LateAdjustment | None = None) -> str:
    """The feedback page (templates/feedback.html): no script, every text escaped."""
    tests = [{"name": _test_name(test), "points": f"{test.points:g}/{test.max_points:g}", "verdict": _verdict(test),
              "verdict_text": _word(VERDICT_WORDS, _verdict(test)),
              "stage": "" if _passed(test) else _word(STAGE_WORDS, test.stage), "note": _test_note(test),
              "message": test.message}
             for test in result.tests]
    late = _late_lines(result, adjustment)
    plot = (_plot(plot_png, _("training curve"), _("training loss and accuracy by step")) if plot_png is not None
            else None)
    return _render("feedback.html", title=_f("Feedback: {title}", title=title), csp=CSP, script=None,
                   assignment_title=title, result=result, status=_status_text(result), score=_score_line(result),
                   late={"note": late[0], "final": late[1]} if late else None, notes=result.notes, tests=tests,
                   plot=plot, curve_note=_(CURVE_NOTE))


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
            png = _curves_plot([curve for _name, curve in curves], width=6.0, height=2.4, alpha=0.9,
                               title=", ".join(name for name, _curve in curves))
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
    return _(known.title), known.uses_keras


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
                    feedback_dir=outdir / FEEDBACK_DIRNAME if feedback else None, late_policy=bool(adjustments),
                    language=i18n.language())
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
    from autograder.similarity import report_section_html  # the section, where `autograder similarity` ran

    page = _render("index.html", title=_("Grading report"), csp=f"{CSP}; script-src {script_source}", script=script,
                   submissions=len(results), generated=time.strftime("%Y-%m-%d %H:%M:%S %z"), source=source,
                   feedback=feedback, feedback_dirname=FEEDBACK_DIRNAME, sections=sections, klass=klass,
                   top_messages=TOP_MESSAGES, similarity_section=report_section_html(outdir))
    _write(report.index_path, page)
    return report
