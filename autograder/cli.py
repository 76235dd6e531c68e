"""The ``autograder`` command. Each command calls one function of ``autograder.api``;
this module only turns results into text and errors into messages and exit codes."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from autograder import __version__, api
from autograder.api import OutputPathError
from autograder.assignments import CATALOG, UnknownAssignment
from autograder.batch import BatchError
from autograder.checks import stage_label
from autograder.course import CourseError
from autograder.i18n import LANGUAGES, UnknownLanguage, _, _f, use_language
from autograder.results import BatchResult, SubmissionResult
from autograder.sandbox.launcher import SandboxUnavailable
from autograder.training import DEFAULT_THREADS, Device, DeviceUnavailable
from datasets import DatasetError

EXIT_FAILED = 1  # the command ran, but its verdict is negative (a check or verify failed)
EXIT_USAGE = 2  # the command could not run (bad input, missing sandbox, busy folder)
EXIT_INTERRUPTED = 130

# soft_wrap: paths and messages stay on one line, whatever the terminal width.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

SANDBOX_OPTION = click.option(
    "--sandbox", type=click.Choice(["auto", "bwrap", "user", "process"]), default="auto", show_default=True,
    envvar="AUTOGRADER_SANDBOX",
    help="How student code is isolated: bubblewrap namespaces; a bare process as an unprivileged user "
         "(needs root); or a bare process (limits only). auto: the first of these that works.",
)


def _set_language(context: click.Context, parameter, value: str | None) -> str | None:
    """--lang: the language of everything the command does and says, until it ends (the command's
    context closes: a CliRunner in a test goes back to the language it had)."""
    if value is not None:
        context.with_resource(use_language(value))
    return value


LANG_OPTION = click.option(
    "--lang", type=click.Choice(LANGUAGES), default=None, callback=_set_language,
    help="The language of feedback and messages: en or zh_CN (Simplified Chinese) [default: a course file's "
         "language:, else $AUTOGRADER_LANG, else en].",
)


def device_options(command):
    """--device, --backend and --threads: where model assignments train (numeric ones ignore them)."""
    command = click.option("--threads", type=click.IntRange(min=1), default=DEFAULT_THREADS, show_default=True,
                           help="CPU threads per grading process (results are reproducible at a fixed count).")(command)
    command = click.option("--backend", type=click.Choice(["tensorflow", "jax", "torch"]), default="tensorflow",
                           show_default=True, help="Keras backend for model assignments.")(command)
    command = click.option("--device", type=click.Choice(["cpu", "gpu"]), default="cpu", show_default=True,
                           help="Where model assignments train; numeric assignments run on the CPU whatever it "
                                "says. gpu is refused, before any grading, where the --backend sees no GPU.")(command)
    return command


@contextmanager
def _errors_as_messages():
    try:
        yield
    except (UnknownAssignment, BatchError, SandboxUnavailable, FileNotFoundError, DatasetError, OutputPathError,
            DeviceUnavailable, CourseError, UnknownLanguage) as error:
        message = error.args[0] if error.args else str(error)
        err.print(f"[red]error:[/red] {escape(str(message))}")
        sys.exit(EXIT_USAGE)


def _os_error_message(error: OSError) -> str:
    """An OSError in words, without Python's "[Errno 20]": "Not a directory: out/activations"."""
    if not error.strerror:
        return str(error)
    paths = [os.fsdecode(name) for name in (error.filename, error.filename2) if name is not None]
    return f"{error.strerror}: {' -> '.join(paths)}" if paths else error.strerror


@contextmanager
def _build_errors_as_messages(*errors: type[Exception]):
    """For commands that write files: these errors (and OutputPathError, OSError) end the command
    with a message."""
    try:
        yield
    except (*errors, OutputPathError, OSError) as error:
        message = _os_error_message(error) if isinstance(error, OSError) else str(error)
        err.print(f"[red]error:[/red] {escape(message)}")
        sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
# The version from the package itself: the Gradescope image carries it as plain files, not installed.
@click.version_option(version=__version__, package_name="dl-autograder")
def main() -> None:
    """Grade deep-learning assignments with hidden tests, in a sandbox."""


@main.command()
@click.option("--with-browser", is_flag=True,
              help="Also install headless Chromium (Debian's chromium) and a Chinese font (fonts-noto-cjk), which the "
                   "report tests render with.")
def setup(with_browser: bool) -> None:
    """Install what grading needs outside Python (bubblewrap), and say what is missing."""
    from autograder.environment import ensure_environment

    steps = ensure_environment(with_browser=with_browser)
    for step in steps:
        mark = "[green]ok[/green]  " if step.ok else "[red]missing[/red]"
        out.print(f"{mark} {step.name}: {escape(step.detail)}")
    if not all(step.ok for step in steps):
        sys.exit(EXIT_FAILED)


@main.command("list")
def list_command() -> None:
    """List the assignments with their points and test counts."""
    table = Table(_("assignment"), _("title"), _("hidden tests"), _("points"), _("bonus"), _("public tests"))
    for s in api.list_assignments():
        table.add_row(s.id, _(s.title), str(s.tests), f"{s.points:g}", f"{s.bonus_points:g}" if s.bonus_points else "",
                      str(s.public_tests))
    out.print(table)


def _test_table(result: SubmissionResult) -> Table:
    table = Table(_("test"), _("points"), _("result"), show_lines=False)
    for test in result.tests:
        mark = ("[green]" + _("passed") + "[/green]" if test.points == test.max_points
                else f"[red]{escape(stage_label(test.stage))}[/red]")
        message = f"{mark}  {escape(test.message)}" if test.message else mark
        name = _f("{name} (bonus)", name=test.name) if test.bonus else test.name
        table.add_row(escape(name), f"{test.points:g}/{test.max_points:g}", message)
    return table


@main.command()
@click.argument("assignment", type=click.Choice(sorted(CATALOG)))
@click.argument("path", required=False, type=click.Path(path_type=Path))
@SANDBOX_OPTION
@device_options
@LANG_OPTION
def check(assignment: str, path: Path | None, sandbox: str, device: str, backend: str, threads: int,
          lang: str | None) -> None:
    """Run the public checks on your ASSIGNMENT module: a .py, a Jupyter notebook (.ipynb), a folder
    or a .zip (default: ./<assignment>.py, else ./<assignment>.ipynb)."""
    with _errors_as_messages():
        result = api.check(assignment, path, sandbox=sandbox, device=Device(device, backend, threads))
    out.print(_test_table(result))
    for note in result.notes:
        out.print("[yellow]" + _("note") + f"[/yellow]: {escape(note)}")
    if result.status.is_problem:
        out.print(f"[red]{result.status.value}[/red]: {escape(result.detail)}")
    bonus = _f(" + {bonus} bonus", bonus=format(result.bonus_score, "g")) if any(t.bonus for t in result.tests) else ""
    score = _f("score: {score}/{max_score}{bonus}", score=format(result.score, "g"),
               max_score=format(result.max_score, "g"), bonus=bonus)
    out.print(f"[bold]{escape(score)}[/bold] " + _("on the public checks (the hidden tests use other inputs; passing "
                                                   "these is a start, not a guarantee)"))
    if result.score < result.max_score:
        sys.exit(EXIT_FAILED)


class _BatchProgress:
    """A rich progress bar on stderr, shown only on a terminal and unless --quiet."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and err.is_terminal
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn(_("failures") + ": {task.fields[failures]}"), TimeRemainingColumn(), console=err,
        )
        self.task = None

    def on_plan(self, to_grade: int, already: int) -> None:
        if already and not self.enabled:
            return
        if already:
            err.print(_f("{already} submission(s) already graded; resuming with {left} left", already=already,
                         left=to_grade))
        if self.enabled:
            self.task = self.progress.add_task(_("grading"), total=to_grade, failures=0)

    def on_result(self, result: SubmissionResult) -> None:
        if self.task is not None:
            failed = int(result.status.is_problem)
            failures = self.progress.tasks[self.task].fields["failures"] + failed
            self.progress.update(self.task, advance=1, failures=failures)

    def __enter__(self):
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(self, *exc_info):
        if self.enabled:
            self.progress.stop()


def _ignored_line(ignored: list[str], shown: int = 10) -> str:
    """``ignored 1 file that is not a submission: README.txt``."""
    names = ", ".join(ignored[:shown]) + (_f(" and {count} more", count=len(ignored) - shown)
                                          if len(ignored) > shown else "")
    if len(ignored) == 1:
        return _f("ignored 1 file that is not a submission: {names}", names=names)
    return _f("ignored {count} files that are not submissions: {names}", count=len(ignored), names=names)


def _print_batch(batch: BatchResult) -> None:
    """The summary: what this run graded, what an earlier run had, and every problem row of the
    assignment's gradebook (a resumed run lists the earlier ones too, marked so)."""
    with use_language(batch.language):
        earlier = {id(result) for result in batch.problems_already_graded}
        split = (_f(" ({now} graded now, {earlier} already graded)", now=len(batch.problems) - len(earlier),
                    earlier=len(earlier)) if batch.problems else "")
        summary = _f("graded {graded}, already graded {already}, with problems {problems}{split}",
                     graded=len(batch.graded), already=len(batch.skipped_already_graded),
                     problems=len(batch.problems), split=split)
        out.print(f"[bold]{batch.assignment}[/bold]: {escape(summary)}")
        for result in batch.problems:
            when = _(" (already graded)") if id(result) in earlier else ""
            out.print(f"  {escape(result.student)}: [yellow]{result.status.value}[/yellow] "
                      f"{escape(result.detail)}{escape(when)}")
        if batch.ignored:
            out.print(f"  {escape(_ignored_line(batch.ignored))}")
        out.print("  " + _("gradebook") + f": {escape(batch.gradebook_path)}")
        out.print(f"  CSV: {escape(batch.csv_path)}")
        out.print("  " + _("class CSV") + f": {escape(batch.class_csv_path)}")


@contextmanager
def _resumable(outdir: Path):
    try:
        yield
    except KeyboardInterrupt:
        err.print("\n[yellow]" + _("interrupted.") + "[/yellow] " + escape(_f(
            "Everything graded so far is saved in {outdir}; run the same command again to finish the rest.",
            outdir=outdir)))
        sys.exit(EXIT_INTERRUPTED)


@main.command()
@click.argument("assignment", type=click.Choice(sorted(CATALOG)))
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("-o", "--outdir", type=click.Path(path_type=Path), default=Path("gradebook"), show_default=True,
              help="Folder for the SQLite gradebook and the CSVs.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Submissions graded at once.")
@click.option("--regrade", is_flag=True, help="Grade every submission again, even unchanged ones.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where submissions are graded: processes on this machine, or tasks on a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="The Dask scheduler, e.g. tcp://host:8786 (default: a local cluster of --jobs workers).")
@click.option("--course", "course_file", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="A course file (due dates, late policy; see `autograder course`), checked before grading and "
                   "copied to OUTDIR/course.yml [default: OUTDIR/course.yml if there is one].")
@SANDBOX_OPTION
@device_options
@LANG_OPTION
def grade(assignment: str, submissions: Path, outdir: Path, jobs: int, regrade: bool, quiet: bool, executor: str,
          scheduler: str | None, course_file: Path | None, sandbox: str, device: str, backend: str,
          threads: int, lang: str | None) -> None:
    """Grade every submission in SUBMISSIONS: a folder with one sub-folder, .zip or .py per student,
    or a Gradescope "Export Submissions" download (its .zip or folder).

    Other files in the folder (README.txt, notes.md, ...) are ignored and listed. A folder with
    no submission, or one student's own folder (it holds <assignment>.py itself), is refused.
    Rerun the same command to resume: the summary counts every problem row of the gradebook."""
    with _errors_as_messages(), _resumable(outdir), _BatchProgress(quiet) as progress:
        batch = api.grade(assignment, submissions, outdir, jobs=jobs, sandbox=sandbox,
                          device=Device(device, backend, threads), regrade=regrade,
                          on_plan=progress.on_plan, on_result=progress.on_result,
                          executor=executor, scheduler=scheduler, course=course_file, lang=lang)
    _print_batch(batch)


@main.command("course")
@click.argument("file", type=click.Path(path_type=Path))
def course_command(file: Path) -> None:
    """Check the course file FILE (YAML: due dates, late policies, extensions, late tokens) and
    show its due dates and policies per assignment. Grade with it: `autograder grade ... --course FILE`."""
    with _errors_as_messages():
        plan = api.course_plan(file)
    course = plan.course
    zone = course.timezone or "UTC offsets as written"
    out.print(f"[bold]{escape(course.name or str(file))}[/bold]: time zone {escape(zone)}, "
              f"{course.late_tokens} late token(s) per student")
    table = Table("assignment", "due", "late policy", "tokens", "extensions")
    for item in plan.assignments:
        table.add_row(item.id, item.due, escape(item.policy), "yes" if item.tokens else "no",
                      escape("\n".join(item.extensions)))
    out.print(table)
    for student, tokens in plan.token_overrides:
        out.print(f"  {escape(student)}: {tokens} late token(s)")


@main.command()
@click.argument("assignments", nargs=-1, type=click.Choice(sorted(CATALOG)))
@SANDBOX_OPTION
@device_options
@LANG_OPTION
def verify(assignments: tuple[str, ...], sandbox: str, device: str, backend: str, threads: int,
           lang: str | None) -> None:
    """Check that each reference scores full marks and each stub zero (all assignments by default)."""
    with _errors_as_messages():
        reports = api.verify(list(assignments) or None, sandbox=sandbox, device=Device(device, backend, threads))
    for report in reports:
        runs = ", ".join(f"{name} {r.score:g}/{r.max_score:g}" for name, r in report.runs.items())
        if report.ok:
            out.print("[green]" + _("ok") + f"[/green]   {report.assignment}: {runs}")
        else:
            out.print("[red]" + _("FAIL") + f"[/red] {report.assignment}: {runs}")
            for problem in report.problems:
                out.print(f"       {escape(problem)}")
    if not all(r.ok for r in reports):
        sys.exit(EXIT_FAILED)


@main.command()
@click.argument("assignment", type=click.Choice(sorted(CATALOG)))
@click.option("-o", "--outdir", type=click.Path(path_type=Path), default=Path("handouts"), show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh_CN", "both"]), default="en", show_default=True,
              help="The handout README's language: English, Simplified Chinese (as README.md), or both.")
def release(assignment: str, outdir: Path, lang: str) -> None:
    """Build the student handout of ASSIGNMENT: stub, public tests, README (a folder and a .zip)."""
    from autograder.export.release import ReleaseError

    with _build_errors_as_messages(ReleaseError):
        handout = api.release(assignment, outdir, lang=lang)
    out.print(f"handout folder: {handout.folder}")
    out.print(f"handout zip:    {handout.zip_path} ({len(handout.files)} files)")
    out.print(f"students run:   {handout.student_commands}")


@main.group()
def export() -> None:
    """Build autograders for other platforms (Gradescope, otter-grader), or export grades to an LMS."""


@export.command("gradescope")
@click.argument("assignment", type=click.Choice(sorted(CATALOG)))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("autograder.zip"), show_default=True,
              help="The zip to upload to Gradescope.")
@LANG_OPTION
def export_gradescope(assignment: str, output: Path, lang: str | None) -> None:
    """Build the Gradescope autograder zip of ASSIGNMENT (setup.sh, run_autograder, hidden tests)."""
    from autograder.export.gradescope import ExportError

    with _build_errors_as_messages(ExportError):
        built = api.export_gradescope(assignment, output, lang=lang)
    out.print(f"Gradescope autograder: {built.zip_path} ({len(built.files)} files)")
    out.print("upload it as a zip-file autograder on the Ubuntu 24.04 base image; see the README for memory")


@export.command("otter")
@click.argument("assignment", type=click.Choice(sorted(CATALOG)))
@click.option("-o", "--outdir", type=click.Path(path_type=Path), default=Path("otter"), show_default=True,
              help="Folder for the otter test files and configuration.")
@LANG_OPTION
def export_otter(assignment: str, outdir: Path, lang: str | None) -> None:
    """Write otter-grader tests for ASSIGNMENT (run `otter generate` in the folder)."""
    with _build_errors_as_messages():
        built = api.export_otter(assignment, outdir, lang=lang)
    out.print(f"otter-grader tests: {built.folder} ({len(built.files)} files)")
    out.print(f"next: cd {built.folder} && see README.md there (otter generate, then otter run)")


_LMS_NEXT = {
    "canvas": "import it in Canvas: Grades > Import; students are found by SIS User ID (or ID, SIS Login ID)",
    "moodle": "import it in Moodle: Grades > Import > CSV file; map 'ID number' to 'useridnumber' "
              "(or 'Email address' to 'useremail'), then each column to its grade item",
    "csv": "one row per student, one column per assignment id",
}


def _names(names: list[str], shown: int = 20) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return escape(", ".join(names[:shown]) + more)


@export.command("grades")
@click.argument("outdir", type=click.Path(path_type=Path))
@click.option("--format", "fmt", required=True, metavar="canvas|moodle|csv",
              help="The LMS the file is for: canvas, moodle, or csv (a plain table).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="The CSV to write [default: OUTDIR/canvas_grades.csv, moodle_grades.csv or grades.csv].")
@click.option("--assignment", "assignments", multiple=True, metavar="A",
              help="Only this assignment (repeat for more) [default: every assignment in the gradebook].")
@click.option("--roster", type=click.Path(path_type=Path), default=None,
              help="A CSV of the class (such as the LMS's own gradebook export) giving each student's LMS identity.")
@click.option("--course", type=click.Path(path_type=Path), default=None,
              help="The course file whose late policy gives the final scores [default: OUTDIR/course.yml if any].")
def export_grades(outdir: Path, fmt: str, output: Path | None, assignments: tuple[str, ...], roster: Path | None,
                  course: Path | None) -> None:
    """Write the grades file that Canvas or Moodle imports (or a plain CSV) from the gradebook in
    OUTDIR: one row per student, one column per assignment, final scores where a course file has a
    late policy. Submissions with a problem status export their score (0)."""
    from autograder.render.lms import LmsExportError

    with _build_errors_as_messages(LmsExportError):
        built = api.export_grades(outdir, fmt, output, assignments=list(assignments) or None, roster=roster,
                                  course=course)
    late = f", {built.adjusted} late-adjusted" if built.adjusted else ""
    out.print(f"{built.format} grades: {escape(str(built.path))} ({built.rows} students, {len(built.assignments)} "
              f"assignment(s){late})")
    if built.missing_from_roster:
        out.print(f"[yellow]not in the roster, left out[/yellow] ({len(built.missing_from_roster)}): "
                  f"{_names(built.missing_from_roster)}")
    if built.without_grades:
        out.print(f"[yellow]in the roster with no grade, left empty[/yellow] ({len(built.without_grades)}): "
                  f"{_names(built.without_grades)}")
    out.print(f"next: {_LMS_NEXT[built.format]}")


@main.command("gradescope-run")
@click.argument("assignment", type=click.Choice(sorted(CATALOG)))
@click.option("--root", type=click.Path(path_type=Path), default=None,
              help="Gradescope's root folder [default: $AUTOGRADER_GRADESCOPE_ROOT or /autograder].")
@SANDBOX_OPTION
@LANG_OPTION
def gradescope_run(assignment: str, root: Path | None, sandbox: str, lang: str | None) -> None:
    """Grade ROOT/submission into ROOT/results/results.json (the exported run_autograder calls this)."""
    with _errors_as_messages():
        run = api.run_gradescope(assignment, root, sandbox=sandbox, lang=lang)
    hidden = run.hidden
    out.print(f"{hidden.status.value}: {hidden.score:g}/{hidden.max_score:g} -> {run.results_path}")


@main.command()
@click.argument("outdir", type=click.Path(path_type=Path))
@click.option("--no-feedback", is_flag=True, help="Write only the instructor report, no feedback files.")
@click.option("--course", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Course file whose late policy adds raw score, penalty, final score and lateness "
                   "[default: OUTDIR/course.yml if there is one].")
@LANG_OPTION
def report(outdir: Path, no_feedback: bool, course: Path | None, lang: str | None) -> None:
    """Write an instructor report (OUTDIR/report/index.html) and one feedback file per student
    (OUTDIR/feedback/<assignment>/<student>.md and .html) from the gradebook in OUTDIR."""
    with _build_errors_as_messages(), _errors_as_messages():
        built = api.report(outdir, feedback=not no_feedback, course=course, lang=lang)
    with use_language(built.language):
        out.print(escape(_f("report: {path} ({assignments} assignment(s), {submissions} submissions, {plots} plots)",
                            path=built.index_path, assignments=len(built.assignments),
                            submissions=built.submissions, plots=built.plots)))
        if built.late_policy:
            out.print(_("late policy: raw score, penalty, final score and lateness in the report and the feedback"))
        if built.feedback_dir is not None:
            out.print(escape(_f("feedback: {path} ({students} students, Markdown and HTML)",
                                path=built.feedback_dir, students=len(built.feedback))))


@main.command()
@click.argument("assignment", type=click.Choice(sorted(CATALOG)))
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("-o", "--outdir", type=click.Path(path_type=Path), default=Path("gradebook"), show_default=True,
              help="The folder graded into (the report goes to OUTDIR/similarity/ASSIGNMENT/).")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Pairs at or above this score are flagged for reading [default: 0.5].")
@click.option("--top", type=click.IntRange(min=0), default=None,
              help="Side-by-side pages for this many highest pairs, besides every flagged one [default: 50].")
@click.option("--notes", type=click.Path(path_type=Path), default=None,
              help="More course material (a folder or a file) whose code everyone may share.")
@click.option("--source", "sources", multiple=True, type=click.Path(path_type=Path),
              help="A published implementation (a .py) to compare every student with; repeat for more.")
@click.option("--no-reference", is_flag=True, help="Do not compare students with the reference solution.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Fingerprint on this machine, or as tasks on a Dask cluster (large courses).")
@click.option("--scheduler", metavar="ADDRESS", default=None, help="The Dask scheduler (with --executor dask).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=2, show_default=True,
              help="Dask workers of the local cluster (with --executor dask and no --scheduler).")
def similarity(assignment: str, submissions: Path, outdir: Path, threshold: float | None, top: int | None,
               notes: Path | None, sources: tuple[Path, ...], no_reference: bool, executor: str,
               scheduler: str | None, jobs: int) -> None:
    """Compare every pair of submissions of ASSIGNMENT in SUBMISSIONS (as for `grade`) for shared
    code, under renamed variables, reordered functions and changed comments, leaving out what the
    course hands out. Writes ranked pairs, clusters, side-by-side pages and a CSV. It is evidence
    for a person to read, never an automatic penalty."""
    from autograder.similarity import SimilarityError

    options = {key: value for key, value in (("threshold", threshold), ("top", top)) if value is not None}
    with _build_errors_as_messages(SimilarityError), _errors_as_messages():
        found = api.similarity(assignment, submissions, outdir, notes=notes, sources=tuple(sources),
                               reference=not no_reference, executor=executor, scheduler=scheduler, jobs=jobs,
                               **options)
    summary = _f("{students} submissions, {pairs} pairs sharing code, {flagged} at or above {threshold}, "
                 "{clusters} cluster(s) ({seconds} s)", students=len(found.students), pairs=len(found.pairs),
                 flagged=len(found.flagged), threshold=format(found.threshold, "g"), clusters=len(found.clusters),
                 seconds=format(found.seconds, ".1f"))
    out.print(f"[bold]{assignment}[/bold]: {escape(summary)}")
    for cluster in found.clusters:
        out.print("  " + escape(_f("cluster {number}: {students}", number=cluster.number,
                                   students=", ".join(cluster.students))))
    for match in found.flagged_sources:
        out.print("  " + escape(_f("{student} matches {source} ({score})", student=match.student,
                                   source=_(match.source), score=format(match.score, ".2f"))))
    if found.changed_since_grading:
        out.print("  [yellow]" + _("changed since grading") + f"[/yellow]: {_names(list(found.changed_since_grading))}")
    out.print("  " + escape(_f("report: {path}", path=found.index_path)))
    out.print(f"  CSV: {escape(str(found.csv_path))}")
    out.print("  " + _("evidence for a person to read, never an automatic penalty: open each flagged pair side by side"))


@main.command("diff")
@click.argument("outdir", type=click.Path(path_type=Path))
@click.option("-a", "--assignment", type=click.Choice(sorted(CATALOG)), default=None,
              help="Only this assignment (default: every assignment in the gradebook).")
@click.option("--from", "old", metavar="VERSION", default=None,
              help="The grader version to compare from, or a prefix of it [default: the one used before --to].")
@click.option("--to", "new", metavar="VERSION", default=None,
              help="The grader version to compare to, or a prefix of it [default: the one used last].")
@click.option("-v", "--verbose", is_flag=True, help="Also show each moved test's old and new messages.")
def diff_command(outdir: Path, assignment: str | None, old: str | None, new: str | None, verbose: bool) -> None:
    """Show what a regrade changed in the gradebook in OUTDIR: the students whose score moved
    between two grader versions (the hidden tests or the grader changed), and the tests that moved."""
    from autograder.regrade import DiffError

    with _build_errors_as_messages(DiffError), _errors_as_messages():
        diffs = api.diff(outdir, assignment=assignment, old=old, new=new)
    if not diffs:
        out.print(f"the gradebook in {outdir} holds no grading yet: grade into it with `autograder grade "
                  f"ASSIGNMENT SUBMISSIONS -o {outdir}` first")
    for found in diffs:
        _print_diff(found, outdir, verbose)


def _points(points: float | None) -> str:
    return "-" if points is None else f"{points:g}"


def _test_move(test) -> str:
    """``+1 test_x``, ``-1 test_y (values -> shape)``, ``added test_z``: one moved test, points first."""
    if test.old_points is None or test.new_points is None:
        return f"{'added' if test.old_points is None else 'removed'} {escape(test.name)}"
    stages = f" ({test.old_stage} -> {test.new_stage})" if test.old_points == test.new_points else ""
    return f"{test.new_points - test.old_points:+g} {escape(test.name)}{stages}"


_MOVES_SHOWN = 8


def _print_diff(found, outdir: Path, verbose: bool) -> None:
    """One assignment's regrade diff (a ``regrade.AssignmentDiff``): a table of the students
    whose score moved, then those with the same score but other messages, then the counts."""
    name = found.assignment
    if not found.versions:
        out.print(f"[bold]{name}[/bold]: not graded in {outdir}; grade it with `autograder grade {name} "
                  f"SUBMISSIONS -o {outdir}`")
        return
    if not found.comparable:
        out.print(f"[bold]{name}[/bold]: graded by one grader version only ({found.versions[0].version}), nothing "
                  f"to compare. After changing the hidden tests or the grader, run the same `autograder grade {name} "
                  f"SUBMISSIONS -o {outdir}` again (a changed grader regrades every submission), then diff again.")
        return
    old, new = found.old, found.new
    out.print(f"[bold]{name}[/bold]: grader {old.version} (graded {old.last_graded_at}) -> {new.version} "
              f"(graded {new.last_graded_at})")
    if not found.changed:
        out.print(f"  No changes: the {found.unchanged + len(found.same_score)} student(s) graded by both "
                  "versions have the same score.")
    else:
        table = Table("student", "old -> new", "tests moved (points)")
        for change in found.changed:
            student = escape(change.student) + ("\n[yellow](resubmitted)[/yellow]" if change.resubmitted else "")
            status = (f" ({change.old_status} -> {change.new_status})" if change.old_status != change.new_status
                      else "")
            score = f"{change.old_score:g} -> {change.new_score:g} ({change.delta:+g}){status}"
            shown = change.moved if verbose else change.moved[:_MOVES_SHOWN]
            more = len(change.moved) - len(shown)
            moved = "\n".join([*map(_test_move, shown), *([f"and {more} more (-v lists them)"] if more else [])])
            table.add_row(student, score, moved)
        out.print(table)
        if found.resubmitted:
            out.print("  (resubmitted): the submission changed between the two gradings: that move is the "
                      "student's, not the grader's")
    if found.same_score:
        names = ", ".join(escape(change.student) for change in found.same_score)
        out.print(f"  same score, messages changed: {names}")
    if found.only_in_old:
        out.print(f"  only in old (not graded by {new.version}): {escape(', '.join(found.only_in_old))}")
    if found.only_in_new:
        out.print(f"  only in new (not graded by {old.version}): {escape(', '.join(found.only_in_new))}")
    if verbose:
        for change in [*found.changed, *found.same_score]:
            for test in [*change.moved, *change.reworded]:
                out.print(f"  {escape(change.student)} {escape(test.name)} "
                          f"({_points(test.old_points)} -> {_points(test.new_points)}):")
                for side, message, outcome in (("old", test.old_message, test.old_outcome),
                                               ("new", test.new_message, test.new_outcome)):
                    text = (message or outcome or "-").replace("\n", "\n           ")
                    out.print(f"      {side}: {escape(text)}")


@main.command()
@click.option("-o", "--outdir", type=click.Path(path_type=Path), default=Path("demo-gradebook"), show_default=True)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@SANDBOX_OPTION
@LANG_OPTION
def demo(outdir: Path, jobs: int, quiet: bool, sandbox: str, lang: str | None) -> None:
    """Grade the bundled demo cohorts (honest, partial, broken and cheating students)."""
    with _errors_as_messages(), _resumable(outdir), _BatchProgress(quiet) as progress:
        batches = api.demo(outdir, jobs=jobs, sandbox=sandbox, on_plan=progress.on_plan, on_result=progress.on_result)
    for batch in batches:
        _print_batch(batch)
    out.print("[bold]" + escape(_f("The gradebook is in {path}", path=outdir.resolve())) + "[/bold] " + escape(_f(
        "({path} has every student's total)", path=batches[-1].class_csv_path)))
