"""The instructor report and the students' feedback files: renderings of the gradebook.

``OUTDIR/report/index.html`` is one self-contained page (inline CSS, PNG plots as data URIs, no
script, no external resource) with, per assignment: the score histogram, the pass rate of each
test (hardest first), the grading time per submission, for model assignments the distribution
of test accuracy and the training curves, the submissions with problems and summary numbers.

``OUTDIR/feedback/<assignment>/<student>.md`` and ``.html`` tell one student, test by test,
what they scored and why (the messages are student-safe: they never state expected values),
with their model's training curve where one was recorded (``<student>.training.png`` beside the
Markdown, embedded in the HTML). What the student's code printed is left out: it could echo
the hidden inputs.

Student ids and every message are untrusted text: they are escaped wherever they are written,
and file names are made from them by :func:`safe_names`, which keeps plain ids as they are.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import os
import re
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from autograder.results import Outcome, SubmissionResult, TestResult

REPORT_DIRNAME = "report"
FEEDBACK_DIRNAME = "feedback"
DPI = 100
MAX_CURVES_PLOTTED = 300  # students whose training curves share the report's overlay plot
DETAIL_CHARS = 600  # of a problem's detail or output, in the report's table
CURVE_NOTE = "Your model trained with the grader's recipe: loss and accuracy on the training data, by step."

# Not the plots' blue (#1f77b4): tests/test_report.py finds the plots in a screenshot by it.
CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #999; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .6em 0; } th, td { border: 1px solid #ccc; padding: .25em .5em;
  text-align: left; vertical-align: top; } th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; } .plots figure { margin: 0; }
figcaption { font-size: .9em; color: #555; } img { max-width: 100%; height: auto; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f6f6; padding: .4em; margin: .2em 0; }
.passed { color: #176317; } .failed { color: #a31515; } .error { color: #8a4b00; }
.muted { color: #666; }
"""
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


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write(path: Path, data: bytes | str) -> None:
    """Write a file atomically: a reader sees the old one or the new one, never half of one.

    It gets the usual permissions (0666 less the umask), not mkstemp's 0600: reports and feedback
    files are made to be shared."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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


def _plain(text: str) -> str:
    """Text for a matplotlib label: no mathtext (``$``), whatever the text holds."""
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
    series = [(graded, "graded", "#1f77b4"), (problems, "with problems", "#d62728")]
    series = [s for s in series if s[0]]
    if series:
        axes.hist([s[0] for s in series], bins=bins, stacked=True, label=[s[1] for s in series],
                  color=[s[2] for s in series])
        axes.legend(loc="upper left")
    axes.set_xlabel(f"score (out of {max_score:g})")
    axes.set_ylabel("submissions")
    axes.set_title("Scores")
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def _pass_rates(stats: list["_TestStats"]) -> bytes:
    ordered = sorted(stats, key=lambda s: (s.pass_rate, s.name))  # hardest first
    figure = _figure(6.4, 1.0 + 0.32 * len(ordered))
    axes = figure.add_subplot()
    rates = [100 * s.pass_rate for s in ordered]
    positions = range(len(ordered))
    axes.barh(positions, rates, color="#1f77b4")
    axes.set_yticks(list(positions), [_plain(s.label) for s in ordered], fontsize=8)
    axes.invert_yaxis()  # the hardest test at the top
    for position, rate in zip(positions, rates):
        inside = rate > 88  # no room right of the bar: write it on the bar, in white
        axes.text(rate - 1 if inside else rate + 1, position, f"{rate:.0f}%", va="center", fontsize=8,
                  ha="right" if inside else "left", color="white" if inside else "black")
    axes.set_xlim(0, 100)
    axes.set_xlabel("graded submissions passing (%)")
    axes.set_title("Pass rate per test, hardest first")
    return _png(figure)


def _durations(results: list[SubmissionResult]) -> bytes:
    figure = _figure(5.2, 3.2)
    axes = figure.add_subplot()
    seconds = [r.duration_s for r in results]
    axes.hist(seconds, bins=min(30, max(5, len(seconds) // 2)), color="#1f77b4")
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


def _curves_plot(curves: list[dict[str, list[float]]], *, width: float, height: float, alpha: float,
                 title: str) -> bytes:
    figure = _figure(width, height)
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    for curve in curves:
        steps = curve.get("step") or list(range(1, len(curve.get("loss", curve.get("accuracy", []))) + 1))
        if curve.get("loss"):
            loss_axes.plot(steps, curve["loss"], color="#1f77b4", alpha=alpha, linewidth=1)
        if curve.get("accuracy"):
            accuracy_axes.plot(steps, curve["accuracy"], color="#1f77b4", alpha=alpha, linewidth=1)
    loss_axes.set_title("training loss", fontsize=9)
    accuracy_axes.set_title("training accuracy", fontsize=9)
    for axes in (loss_axes, accuracy_axes):
        axes.set_xlabel("step", fontsize=8)
        axes.tick_params(labelsize=7)
    figure.suptitle(title, fontsize=10)
    return _png(figure)


# ---------------------------------------------------------------------------- statistics

@dataclass
class _TestStats:
    name: str
    max_points: float
    bonus: bool
    attempts: int = 0
    passed: int = 0
    stages: Counter = field(default_factory=Counter)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.attempts if self.attempts else 0.0

    @property
    def label(self) -> str:
        points = f"{self.max_points:g} pt" + ("" if self.max_points == 1 else "s")
        return f"{self.name} ({points}{', bonus' if self.bonus else ''})"


def _passed(test: TestResult) -> bool:
    return test.points >= test.max_points and test.outcome is Outcome.PASSED


def _test_stats(results: list[SubmissionResult]) -> list[_TestStats]:
    """Per test, over the graded submissions (those with problems ran no test)."""
    stats: dict[str, _TestStats] = {}
    for result in results:
        for test in result.tests:
            entry = stats.setdefault(test.name, _TestStats(test.name, test.max_points, test.bonus))
            if result.status.is_problem:
                continue
            entry.attempts += 1
            entry.passed += _passed(test)
            if not _passed(test):
                entry.stages[test.stage] += 1
    return list(stats.values())


def _model_measurements(results: list[SubmissionResult]):
    """Test accuracy per test name, the required accuracy per test, and each student's curves."""
    accuracy: dict[str, list[float]] = {}
    required: dict[str, float] = {}
    curves: dict[str, list[dict[str, list[float]]]] = {}
    for result in results:
        for test in result.tests:
            if "test_accuracy" in test.metrics:
                accuracy.setdefault(test.name, []).append(test.metrics["test_accuracy"])
                if "required_test_accuracy" in test.metrics:
                    required[test.name] = test.metrics["required_test_accuracy"]
            if test.curves.get("loss") or test.curves.get("accuracy"):
                curves.setdefault(test.name, []).append(test.curves)
    return accuracy, required, curves


def _number(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if value == value else "n/a"


# ---------------------------------------------------------------------------- the index page

def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _img(png: bytes, alt: str, caption: str) -> str:
    return (f"<figure><img src=\"{_data_uri(png)}\" alt=\"{_e(alt)}\">"
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _table(header: list[str] | None, rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """Cells are HTML already (escape them first)."""
    head = ("<thead><tr>" + "".join(f"<th>{cell}</th>" for cell in header) + "</tr></thead>\n") if header else ""
    body = "".join("<tr>" + "".join(f"<td class=\"num\">{cell}</td>" if i in numeric else f"<td>{cell}</td>"
                                    for i, cell in enumerate(row)) + "</tr>\n" for row in rows)
    return f"<table>\n{head}<tbody>\n{body}</tbody>\n</table>"


def _feedback_link(names: dict[str, str] | None, assignment_dir: str, student: str) -> str:
    if names is None:
        return f"<code>{_e(student)}</code>"
    href = f"../{FEEDBACK_DIRNAME}/{quote(assignment_dir)}/{quote(names[student])}.html"
    return f"<a href=\"{_e(href)}\"><code>{_e(student)}</code></a>"


def _assignment_section(assignment: str, results: list[SubmissionResult], *, title: str, uses_keras: bool,
                        anchor: str, feedback_names: dict[str, str] | None, assignment_dir: str) -> tuple[str, int]:
    """One assignment's section of the index page, and how many plots it holds."""
    max_score = max(r.max_score for r in results)
    scores = [r.score for r in results]
    graded = [r for r in results if not r.status.is_problem]
    problems = [r for r in results if r.status.is_problem]
    seconds = [r.duration_s for r in results]
    summary = [
        ("submissions", f"{len(results)}"),
        ("graded", f"{len(graded)}"),
        ("with problems", f"{len(problems)}"),
        ("maximum score", f"{max_score:g}"),
        ("mean score (all submissions)", _number(statistics.fmean(scores))),
        ("median score (all submissions)", _number(statistics.median(scores))),
        ("mean score (graded only)", _number(statistics.fmean([r.score for r in graded])) if graded else "n/a"),
        ("mean percent (all submissions)", _number(statistics.fmean([r.percent for r in results]), 1) + "%"),
        ("grading time: total / median / max", f"{sum(seconds):.1f} s / {statistics.median(seconds):.1f} s / "
                                               f"{max(seconds):.1f} s"),
    ]
    devices = Counter(f"{r.device}/{r.backend}" if r.backend else r.device for r in graded)
    if devices:
        summary.append(("device/backend", ", ".join(f"{k} ({v})" for k, v in sorted(devices.items()))))
    plots = [_img(_score_histogram(results, max_score), f"score histogram of {assignment}",
                  "Scores of all submissions (problems stacked in red).")]
    stats = _test_stats(results)
    if stats and graded:
        plots.append(_img(_pass_rates(stats), f"pass rate per test of {assignment}",
                          f"Share of the {len(graded)} graded submissions passing each test."))
    plots.append(_img(_durations(results), f"grading time of {assignment}",
                      "Wall-clock time to grade each submission (staging, sandbox, tests, training)."))
    model_note = ""
    if uses_keras:
        accuracy, required, curves = _model_measurements(results)
        if accuracy:
            values = [v for vs in accuracy.values() for v in vs]
            below = sum(v < required[name] for name, vs in accuracy.items() if name in required for v in vs)
            summary += [("test accuracy: mean / median / min",
                         f"{statistics.fmean(values):.3f} / {statistics.median(values):.3f} / {min(values):.3f}"),
                        ("below the required test accuracy", f"{below} of {len(values)}")]
            plots.append(_img(_accuracies(accuracy, required), f"test accuracy of {assignment}",
                              "Test accuracy of each trained submission; the dashed line is the requirement."))
        for name, students_curves in curves.items():
            shown = students_curves[:MAX_CURVES_PLOTTED]
            plots.append(_img(
                _curves_plot(shown, width=6.4, height=2.8, alpha=max(0.08, min(0.8, 8 / len(shown))),
                             title=f"{name}: {len(shown)} submission(s)"),
                f"training curves of {assignment}", "Training loss and accuracy of each trained submission."))
        if not accuracy and not curves:
            model_note = ("<p class=\"muted\">No test accuracy or training curve is recorded for this model "
                          "assignment (it is not graded on a test set, or it was graded before they were "
                          "recorded).</p>")

    parts = [f"<section id=\"{_e(anchor)}\">", f"<h2>{_e(title)} <span class=\"muted\">({_e(assignment)})</span></h2>",
             _table(["", "value"], [[_e(k), _e(v)] for k, v in summary], numeric={1}),
             "<div class=\"plots\">" + "".join(plots) + "</div>", model_note]
    if stats:
        rows = []
        for s in sorted(stats, key=lambda s: (s.pass_rate, s.name)):
            stages = ", ".join(f"{stage} ({count})" for stage, count in s.stages.most_common(3))
            rows.append([f"<code>{_e(s.name)}</code>", _e(f"{s.max_points:g}" + (" bonus" if s.bonus else "")),
                         _e(f"{s.passed}/{s.attempts}"), _e(f"{100 * s.pass_rate:.0f}%"), _e(stages)])
        parts += ["<h3>Tests, hardest first</h3>",
                  _table(["test", "points", "passed", "pass rate", "where failures stopped"], rows, numeric={1, 2, 3})]
    parts.append(f"<h3>Submissions with problems ({len(problems)})</h3>")
    if problems:
        rows = []
        for r in problems:
            output = (f"<details><summary>output</summary><pre>{_e(r.stdout_tail[-DETAIL_CHARS:])}</pre></details>"
                      if r.stdout_tail else "")
            rows.append([_feedback_link(feedback_names, assignment_dir, r.student), _e(r.status.value),
                         f"<pre>{_e(r.detail[:DETAIL_CHARS])}</pre>{output}", _e(f"{r.score:g}/{r.max_score:g}")])
        parts.append(_table(["student", "status", "detail", "score"], rows, numeric={3}))
    else:
        parts.append("<p>None: every submission was graded.</p>")
    rows = [[_feedback_link(feedback_names, assignment_dir, r.student), _e(f"{r.score:g}/{r.max_score:g}"),
             _e(f"{r.percent:g}%"), _e(r.status.value), _e(f"{r.duration_s:.1f} s")]
            for r in sorted(results, key=lambda r: r.student)]
    parts.append(f"<details><summary>All {len(results)} submissions</summary>"
                 + _table(["student", "score", "percent", "status", "grading time"], rows, numeric={1, 2, 4})
                 + "</details>")
    parts.append("</section>")
    return "\n".join(parts), len(plots)


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


def _status_text(result: SubmissionResult) -> str:
    if result.status.is_problem:
        return f"{result.status.value}: nothing could be graded"
    return "graded"


def feedback_markdown(result: SubmissionResult, title: str, plot_name: str | None) -> str:
    lines = [f"# Feedback: {_md(title)}", "",
             f"- **Student:** {_md(result.student)}",
             f"- **Assignment:** {_md(result.assignment)}",
             f"- **Status:** {_md(_status_text(result))}",
             f"- **Score:** {_md(_score_line(result))}", ""]
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


def feedback_html(result: SubmissionResult, title: str, plot_png: bytes | None) -> str:
    rows = []
    for test in result.tests:
        verdict = _verdict(test)
        name = f"{test.name} (bonus)" if test.bonus else test.name
        message = "".join([f"<p>{_e(_test_note(test))}</p>" if _test_note(test) else "",
                           f"<pre>{_e(test.message)}</pre>" if test.message else ""])
        rows.append([f"<code>{_e(name)}</code>", _e(f"{test.points:g}/{test.max_points:g}"),
                     f"<span class=\"{verdict}\">{verdict}</span>", _e("" if _passed(test) else test.stage), message])
    parts = [f"<h1>Feedback: {_e(title)}</h1>",
             _table(None, [["student", f"<code>{_e(result.student)}</code>"],
                               ["assignment", f"<code>{_e(result.assignment)}</code>"],
                               ["status", _e(_status_text(result))],
                               ["score", _e(_score_line(result))]])]
    if result.detail:
        parts += ["<h2>What happened to your submission</h2>", f"<pre>{_e(result.detail)}</pre>"]
    parts += ["<h2>Tests</h2>", _table(["test", "points", "result", "stopped at", "message"], rows, numeric={1})]
    if plot_png is not None:
        parts += ["<h2>Training curve</h2>",
                  f"<p>{_e(CURVE_NOTE)}</p>",
                  _img(plot_png, "training curve", "training loss and accuracy by step")]
    return _page(f"Feedback: {title}", "\n".join(parts))


def _student_curves(result: SubmissionResult) -> list[tuple[str, dict[str, list[float]]]]:
    return [(t.name, t.curves) for t in result.tests if t.curves.get("loss") or t.curves.get("accuracy")]


def write_feedback(folder: Path, results: list[SubmissionResult], title: str,
                   names: dict[str, str]) -> list[FeedbackFile]:
    """One Markdown and one HTML file per student (and the training curve's PNG, where recorded)."""
    written = []
    for result in results:
        stem = names[result.student]
        curves = _student_curves(result)
        png = plot_path = None
        if curves:
            png = _curves_plot([curve for _, curve in curves], width=6.0, height=2.4, alpha=0.9,
                               title=", ".join(name for name, _ in curves))
            plot_path = folder / f"{stem}.training.png"
            _write(plot_path, png)
        markdown, page = folder / f"{stem}.md", folder / f"{stem}.html"
        _write(markdown, feedback_markdown(result, title, plot_path.name if plot_path else None))
        _write(page, feedback_html(result, title, png))
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


def write_report(outdir: Path, results: list[SubmissionResult], *, feedback: bool = True,
                 source: str = "") -> Report:
    """Write ``outdir/report/index.html`` and (with ``feedback``) ``outdir/feedback/``."""
    outdir = Path(outdir)
    by_assignment: dict[str, list[SubmissionResult]] = {}
    for result in sorted(results, key=lambda r: (r.assignment, r.student)):
        by_assignment.setdefault(result.assignment, []).append(result)
    assignment_dirs = safe_names(by_assignment)
    report = Report(outdir=outdir, index_path=outdir / REPORT_DIRNAME / "index.html",
                    assignments=list(by_assignment), submissions=len(results),
                    feedback_dir=outdir / FEEDBACK_DIRNAME if feedback else None)
    sections, contents = [], []
    for assignment, group in by_assignment.items():
        title, uses_keras = _describe(assignment)
        names = safe_names(r.student for r in group) if feedback else None
        if feedback:
            report.feedback += write_feedback(report.feedback_dir / assignment_dirs[assignment], group, title, names)
        anchor = f"a-{assignment_dirs[assignment]}"
        section, plots = _assignment_section(assignment, group, title=title, uses_keras=uses_keras, anchor=anchor,
                                             feedback_names=names, assignment_dir=assignment_dirs[assignment])
        report.plots += plots
        sections.append(section)
        problems = sum(r.status.is_problem for r in group)
        contents.append(f"<li><a href=\"#{_e(anchor)}\">{_e(title)}</a> <span class=\"muted\">({_e(assignment)}: "
                        f"{len(group)} submissions, {problems} with problems)</span></li>")
    header = [f"<h1>Grading report</h1>",
              f"<p class=\"muted\">{_e(len(results))} submissions in {_e(len(by_assignment))} assignment(s); "
              f"generated {_e(time.strftime('%Y-%m-%d %H:%M:%S %z'))}"
              + (f" from <code>{_e(source)}</code>" if source else "") + ".</p>"]
    if feedback:
        header.append(f"<p>Each student's feedback (Markdown and HTML) is in <code>../{FEEDBACK_DIRNAME}/</code>; "
                      "the student names below link to it.</p>")
    if contents:
        header.append("<ul>" + "".join(contents) + "</ul>")
    else:
        header.append("<p>The gradebook holds no results yet.</p>")
    _write(report.index_path, _page("Grading report", "\n".join(header + sections)))
    return report
