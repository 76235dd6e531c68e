"""The pytest plugin that grading runs load.

It gives tests two fixtures and turns each test's outcome into a :class:`TestResult`:

- ``submission``: the student's module, seen through an object whose attribute calls run
  the student's function (in the sandbox when grading, in-process for local checks);
- ``reference``: the reference solution, imported in the trusted process.

Points come from ``@pytest.mark.points(n)``; a test without it is a grader bug.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from autograder.checks import CheckFailure, Stage, take_measurements
from autograder.i18n import _, _f
from autograder.results import Outcome, TestInfo, TestResult

MAX_INTERNAL_ERROR_CHARS = 300


@lru_cache(maxsize=None)
def load_module_from_path(path: Path, module_name: str):
    """Import a trusted module (a reference solution) from its file, once per process."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class MissingPointsMarker(Exception):
    pass


def info_of(item: pytest.Item) -> TestInfo:
    """Name and points from ``@pytest.mark.points(n)`` (``bonus=True`` for bonus points)."""
    marker = item.get_closest_marker("points")
    if marker is None or not marker.args:
        raise MissingPointsMarker(f"grading test {item.nodeid} has no @pytest.mark.points(n)")
    return TestInfo(item.name, float(marker.args[0]), bool(marker.kwargs.get("bonus", False)))


def result_from_exception(info: TestInfo, error: BaseException | None, seconds: float = 0.0) -> TestResult:
    common = {"name": info.name, "max_points": info.max_points, "bonus": info.bonus, "seconds": round(seconds, 3)}
    if error is None:
        return TestResult(points=info.max_points, outcome=Outcome.PASSED, stage=Stage.PASSED.value, **common)
    if isinstance(error, CheckFailure):
        return TestResult(points=0.0, outcome=Outcome.FAILED, stage=error.stage.value, message=error.message, **common)
    if isinstance(error, AssertionError):
        # A bare assert's message could hold expected values: say only that the check failed.
        return TestResult(points=0.0, outcome=Outcome.FAILED, stage=Stage.VALUES.value,
                          message=_("the output is not correct"), **common)
    # Anything else is a bug in the grading test, not the student's fault; say so plainly.
    text = f"{type(error).__name__}: {error}"[:MAX_INTERNAL_ERROR_CHARS]
    return TestResult(points=0.0, outcome=Outcome.ERROR, stage="error",
                      message=_f("internal grader error ({error})", error=text), **common)


GRADING_PLUGIN = pytest.StashKey["GradingPlugin"]()


# The fixtures live at module level (this module is registered as a plugin beside the
# GradingPlugin instance) and ask that instance for the run's submission and reference.
@pytest.fixture(scope="session")
def submission(request):
    return request.config.stash[GRADING_PLUGIN].submission()


@pytest.fixture(scope="session")
def reference(request):
    return request.config.stash[GRADING_PLUGIN].reference()


# Outlives each grading run (one per submission): grader-side assets that cost seconds to make,
# such as models the grader trains for every student alike, are made once per grading process.
_GRADER_CACHE: dict[str, dict] = {}


@pytest.fixture(scope="session")
def grader_cache(request) -> dict:
    """A dict private to this test file that persists across submissions in one grading process."""
    return _GRADER_CACHE.setdefault(str(request.config.args[0]), {})


class GradingPlugin:
    """Supplies the fixtures and records one TestResult per collected test."""

    def __init__(self, submission=None, reference_path: Path | None = None, reference_name: str = "reference"):
        self._submission = submission
        self._reference_path = reference_path
        self._reference_name = reference_name
        self.collected: list[TestInfo] = []
        self.results: dict[str, TestResult] = {}
        self.collection_errors: list[str] = []

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "points(n, bonus=False): points a grading test is worth")
        config.stash[GRADING_PLUGIN] = self

    def submission(self):
        if self._submission is None:
            pytest.fail("no submission was given to this grading run")
        return self._submission

    def reference(self):
        if self._reference_path is None:
            pytest.fail("no reference solution was given to this grading run")
        return load_module_from_path(self._reference_path, f"_reference_{self._reference_name}")

    def pytest_collection_modifyitems(self, items):
        for item in items:
            self.collected.append(info_of(item))

    def pytest_collectreport(self, report):
        if report.failed:
            self.collection_errors.append(str(report.longrepr)[-2000:])

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        # What this phase measured (checks.record_metric/record_curve); only the call's is the test's.
        metrics, curves = take_measurements()
        failed_here = call.excinfo is not None
        if call.when == "call" or (call.when == "setup" and failed_here):
            error = call.excinfo.value if failed_here else None
            result = result_from_exception(info_of(item), error, call.duration)
            if call.when == "call" and (metrics or curves):
                result = dataclasses.replace(result, metrics=metrics, curves=curves)
            self.results[item.name] = result
        if failed_here and not isinstance(call.excinfo.value, Exception):
            return None  # skips and exits: pytest's own report, which acts on them
        # pytest's own report formats a traceback with the test's source for every failure (it
        # parses the test file each time): most of a failing submission's grading time, for text
        # that no one reads. The TestResult above is the record.
        return pytest.TestReport(item.nodeid, item.location, keywords={}, when=call.when,
                                 outcome="failed" if failed_here else "passed",
                                 longrepr=call.excinfo.typename if failed_here else None,
                                 duration=call.duration, start=call.start, stop=call.stop)
