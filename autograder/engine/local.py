"""A submission imported into this process: for a student's own local checks only.

Grading with ``autograder grade`` never uses this (student code must not run in the grader's
process); it backs the handout's ``conftest.py`` so that plain ``pytest`` works inside a handout
folder (and in ``assignments/<id>/`` of the course repository), and the otter-grader export
(``otter_bridge``), where otter itself runs the student's code.

The handout's conftest also registers :class:`PublicChecksReport`: instead of pytest's long
tracebacks through these modules, each test gets one line, ``points  name  stage: reason``, as
``autograder check`` prints it, followed by the lines of the student's own files where their
code raised, and the public score. ``--tb=...`` on the command line brings pytest's own report
back (tracebacks, captured output) beside that table.
"""

from __future__ import annotations

import importlib.util
import linecache
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder.checks import CheckFailure, Stage
from autograder.engine import calls
from autograder.i18n import N_, _, _f
from autograder.sandbox.child import unchanged

# The grader's own packages, as shipped beside a handout: their frames are never the student's.
GRADER_PACKAGES = (Path(__file__).resolve().parents[1], Path(__file__).resolve().parents[2] / "datasets")
# Most frames of the student's code shown under one failure (the innermost ones).
MAX_FRAMES_SHOWN = 3
MAX_REASON_CHARS = 300
PLUGIN_NAME = "autograder-public-checks"
# The footer `autograder check` prints under its table (autograder/cli.py); translated where it
# is shown, with ``_(SCORE_NOTE)``.
SCORE_NOTE = N_("on the public checks (the hidden tests use other inputs; passing these is a start, not a guarantee)")


def _is_library_file(filename: str) -> bool:
    """Is this the grader's code (its packages, shipped beside a handout) or an installed
    library's (a virtual environment may well sit inside the handout folder)?"""
    path = Path(filename).resolve()
    prefixes = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    return (any(path.is_relative_to(package) for package in (*GRADER_PACKAGES, *prefixes))
            or not {"site-packages", "dist-packages"}.isdisjoint(path.parts))


def _is_student_file(filename: str, folders) -> bool:
    """Is this one of the student's files: under one of ``folders`` (where the submission
    lives), and neither the grader's code nor a library's?"""
    path = Path(filename).resolve()
    return any(path.is_relative_to(folder) for folder in folders) and not _is_library_file(filename)


def _student_frames(error: BaseException, folders) -> list[traceback.FrameSummary]:
    """The frames of ``error``'s traceback in the student's files."""
    return [frame for frame in traceback.extract_tb(error.__traceback__) if _is_student_file(frame.filename, folders)]


class NamespaceSubmission:
    """Call the functions found in a namespace (a module's globals) in this process, with grading's feedback."""

    # What a student's function may raise and still get feedback rather than stop the run.
    caught_errors: tuple[type[BaseException], ...] = (Exception,)

    def __init__(self, namespace: dict):
        self._namespace = namespace

    def _where(self, error: BaseException) -> str:
        """Where the student's function raised, as feedback shows it."""
        frame = traceback.extract_tb(error.__traceback__)[-1]
        return f"line {frame.lineno}"

    def call(self, name: str, *args, **kwargs):
        return self._call(name, args, kwargs, read_only=False)

    def read_only(self, name: str):
        """``name``'s function, called so that changing an argument in place fails the test: for
        the functions whose handout says never to modify the inputs (as the sandbox checks it)."""
        return lambda *args, **kwargs: self._call(name, args, kwargs, read_only=True)

    def _call(self, name: str, args, kwargs: dict, *, read_only: bool):
        function = self._namespace.get(name)
        if function is None:
            raise calls.missing(name)
        if not callable(function):
            raise calls.not_callable(name, type(function).__name__)
        try:
            taken = (unchanged.snapshot(unchanged.argument_names(function, args, kwargs), [*args, *kwargs.values()])
                     if read_only else [])
            value = function(*args, **kwargs)
        except NotImplementedError:
            raise calls.not_attempted(name) from None
        except self.caught_errors as error:  # noqa: BLE001 - every student error becomes feedback
            raise calls.raised(name, type(error).__name__, str(error), self._where(error)) from error
        changed = unchanged.first_change(taken)
        if changed is not None:
            raise calls.modified_input(name, changed)
        return value

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)


class LocalSubmission(NamespaceSubmission):
    """The functions of a module file, imported into this process.

    A module that cannot be imported raises :class:`CheckFailure` (stage ``import``) with the
    message grading gives it, chained to the student's error (``__cause__``).
    """

    # As in the sandboxed worker: sys.exit() in a student's function fails that call only.
    caught_errors = (Exception, SystemExit)

    def __init__(self, module_path: Path | str):
        self.path = Path(module_path).resolve()
        sys.path.insert(0, str(self.path.parent))
        spec = importlib.util.spec_from_file_location(self.path.stem, self.path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except SyntaxError as error:
            where = self._syntax_where(error)
            message = calls.import_failed("syntax_error", "SyntaxError", str(error.msg), where)
            raise CheckFailure(Stage.IMPORT, _f("your module could not be imported: {message}",
                                                message=message)) from error
        except (Exception, SystemExit) as error:  # noqa: BLE001 - the sandbox reports these as import failures
            message = calls.import_failed("exception", type(error).__name__, str(error), self._where(error))
            raise CheckFailure(Stage.IMPORT, _f("your module could not be imported: {message}",
                                                message=message)) from error
        super().__init__(vars(module))

    def _syntax_where(self, error: SyntaxError) -> str:
        # As the sandboxed worker says it: the file that does not compile (a helper file of a
        # multi-file submission, or the module itself), then the line.
        filename = error.filename or ""
        if filename.startswith(str(self.path.parent)):
            filename = os.path.relpath(filename, self.path.parent)
        name = os.path.basename(filename) if os.path.isabs(filename) else filename
        line = f"line {error.lineno}" if error.lineno else ""
        return ", ".join(part for part in (name, line) if part)

    def _where(self, error: BaseException) -> str:
        # As the sandboxed worker says it: the innermost line in the student's own files.
        frames = _student_frames(error, [self.path.parent])
        if not frames:
            return ""
        return f"{os.path.relpath(frames[-1].filename, self.path.parent)}, line {frames[-1].lineno}"


def submission_fixture_for(conftest_file: str, module_filename: str):
    """Build the ``submission`` fixture for a handout's conftest.py.

    The module is the student's file beside the conftest; set ``AUTOGRADER_SUBMISSION``
    to check another file.
    """

    @pytest.fixture(scope="session")
    def submission(request):
        path = os.environ.get("AUTOGRADER_SUBMISSION") or Path(conftest_file).with_name(module_filename)
        report = request.config.pluginmanager.get_plugin(PLUGIN_NAME)
        if report is not None:
            report.submission_dirs.add(Path(path).resolve().parent)
        return LocalSubmission(path)

    return submission


def register_markers(config) -> None:
    """Declares the ``points`` marker (what a bare ``pytest_configure`` of the public tests needs)."""
    config.addinivalue_line("markers", "points(n, bonus=False): points a grading test is worth")


def configure_handout(config) -> None:
    """``pytest_configure`` for a handout's conftest.py: the ``points`` marker and, once per run,
    the :class:`PublicChecksReport` (short failures and a score per test)."""
    register_markers(config)
    if config.pluginmanager.get_plugin(PLUGIN_NAME) is None:
        config.pluginmanager.register(PublicChecksReport(config), PLUGIN_NAME)


@dataclass
class _Line:
    """One test's row of the table, and the lines of the student's code under it."""

    name: str
    max_points: float | None  # None: the test has no points marker
    bonus: bool
    passed: bool = False
    status: str = ""  # "passed", a Stage's value, "error", "skipped"
    reason: str = ""
    frames: list[str] = field(default_factory=list)

    @property
    def points(self) -> float:
        return self.max_points if self.passed and self.max_points is not None else 0.0


def _one_line(text: str, limit: int = MAX_REASON_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class PublicChecksReport:
    """The public tests' report: a row per test with its points and reason, then the score.

    Short mode (pytest's ``--tb`` left at ``auto``) replaces pytest's own failure sections
    (tracebacks through the grader's modules) and its ``FAILED``/``ERROR`` summary lines (whose
    reasons pytest cuts at the terminal's width) with this table; collection errors are still
    printed in full. With an explicit ``--tb`` pytest reports as usual and the table follows.
    """

    def __init__(self, config):
        self.config = config
        self.short = config.option.tbstyle == "auto"
        if self.short:
            config.option.tbstyle = "no"
        self.invocation_dir = Path(config.invocation_params.dir)
        self.submission_dirs: set[Path] = set()
        self.lines: dict[str, _Line] = {}
        self.collection_errors: list = []
        self._seen_errors: dict[int, BaseException] = {}
        self._shown_frames: set[tuple[str, ...]] = set()

    def pytest_sessionstart(self, session):
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if self.short and reporter is not None:
            # The table says what the FAILED and ERROR lines would, in full.
            reporter.reportchars = reporter.reportchars.replace("f", "").replace("E", "")

    def pytest_collectreport(self, report):
        if report.failed:
            self.collection_errors.append(report)

    def _line_for(self, item) -> _Line:
        if item.nodeid not in self.lines:
            marker = item.get_closest_marker("points")
            points = float(marker.args[0]) if marker is not None and marker.args else None
            bonus = bool(marker.kwargs.get("bonus", False)) if marker is not None else False
            self.lines[item.nodeid] = _Line(item.name, points, bonus)
        return self.lines[item.nodeid]

    def _location(self, filename: str, lineno: int | None) -> str:
        path = Path(filename)
        relative = os.path.relpath(path, self.invocation_dir)
        return f"{path if relative.startswith('..') else relative}:{lineno}"

    def _frames(self, error: BaseException, test_file: Path) -> list[str]:
        """Where the student's code (or the public test) was when ``error`` was raised: shown
        under the first test that failed there only (a session fixture's error is raised again
        for every test, and a function that raises usually does so for every test that calls it)."""
        if id(error) in self._seen_errors:
            return []
        self._seen_errors[id(error)] = error  # kept alive, so that its id stays its own
        shown = self._describe_frames(error, test_file)
        if tuple(shown) in self._shown_frames:
            return []
        self._shown_frames.add(tuple(shown))
        return shown

    def _describe_frames(self, error: BaseException, test_file: Path) -> list[str]:
        if isinstance(error, CheckFailure):
            # Feedback from the grader's checks: the student's frames are those of the error it
            # reports (a student's exception, or their module's failed import), if any.
            error = error.__cause__
            if error is None:
                return []
            frames = _student_frames(error, self.submission_dirs)
        else:
            # An error the checks did not expect: the public test's own lines count too.
            frames = [f for f in traceback.extract_tb(error.__traceback__)
                      if Path(f.filename).resolve() == test_file.resolve()
                      or _is_student_file(f.filename, self.submission_dirs)]
        shown = [_f("{location} in {function}: {code}", location=self._location(f.filename, f.lineno),
                    function=f.name, code=(f.line or "").strip())
                 for f in frames[-MAX_FRAMES_SHOWN:]]
        if isinstance(error, SyntaxError) and error.filename and error.lineno:
            source = (error.text or linecache.getline(error.filename, error.lineno)).strip()
            shown.append(f"{self._location(error.filename, error.lineno)}: {source}")
        if len(frames) > MAX_FRAMES_SHOWN:
            shown.insert(0, _f("({count} outer frames left out)", count=len(frames) - MAX_FRAMES_SHOWN))
        return shown

    def pytest_runtest_makereport(self, item, call):
        """Record each test's row (pytest then makes its own report, which this leaves alone)."""
        line = self._line_for(item)
        if call.when == "call" and call.excinfo is None:
            line.passed, line.status = True, "passed"
            return
        if call.excinfo is None or line.status not in ("", "passed"):
            return  # a passing phase, or a later phase of a test that already failed
        error = call.excinfo.value
        line.passed = False
        if call.excinfo.errisinstance(pytest.skip.Exception):
            line.status, line.reason = "skipped", _one_line(getattr(error, "msg", "") or error)
        elif isinstance(error, CheckFailure):
            line.status, line.reason = error.stage.value, _one_line(error.message)
        else:
            what = "" if call.when == "call" else _f(" (at {phase})", phase=call.when)
            line.status = "error"
            line.reason = _one_line(f"{type(error).__name__}{what}: {error}")
        if line.status != "skipped":
            line.frames = self._frames(error, Path(str(item.path)))

    @staticmethod
    def _points(value: float) -> str:
        return f"{value:g}"

    def pytest_terminal_summary(self, terminalreporter):
        tw = terminalreporter
        if self.short:
            for report in self.collection_errors:
                title = (_f("ERROR collecting {node}", node=report.nodeid) if report.nodeid
                         else _("ERROR collecting tests"))
                tw.write_sep("=", title, red=True, bold=True)
                tw.write_line(str(report.longrepr).rstrip())
        ran = [line for line in self.lines.values() if line.status]
        if not ran:
            return
        tw.write_sep("=", _("public checks: points per test"))
        width = max(len(line.name) for line in ran)
        for line in ran:
            bonus = _(" (bonus)") if line.bonus else ""
            points = "-" if line.max_points is None else f"{self._points(line.points)}/{self._points(line.max_points)}"
            result = _("passed") if line.passed else "{}: {}".format(line.status, line.reason)
            tw.write_line(f"{points:>5}  {line.name + bonus:<{width}}  {result}", red=not line.passed and
                          line.status != "skipped", green=line.passed)
            for frame in line.frames:
                tw.write_line(f"{'':>5}    {frame}")
        scored = [line for line in ran if line.max_points is not None]
        score = sum(line.points for line in scored if not line.bonus)
        maximum = sum(line.max_points for line in scored if not line.bonus)
        bonus = sum(line.points for line in scored if line.bonus)
        extra = _f(" + {bonus} bonus", bonus=self._points(bonus)) if any(line.bonus for line in scored) else ""
        tw.write_line(_f("score: {score}/{maximum}{extra} {note}", score=self._points(score),
                         maximum=self._points(maximum), extra=extra, note=_(SCORE_NOTE)), bold=True)
        if self.short and any(not line.passed and line.status != "skipped" for line in ran):
            tw.write_line(_("pytest's own report, with tracebacks and what your code printed: add --tb=long"))
