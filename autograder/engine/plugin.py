"""The pytest plugin that grading runs load.

It gives tests two fixtures and turns each test's outcome into a :class:`TestResult`:

- ``submission``: the student's module, seen through an object whose attribute calls run
  the student's function (in the sandbox when grading, in-process for local checks);
- ``reference``: the reference solution, imported in the trusted process.

Points come from ``@pytest.mark.points(n)``; a test without it is a grader bug.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from autograder.checks import CheckFailure, Stage
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


def points_of(item: pytest.Item) -> float:
    marker = item.get_closest_marker("points")
    if marker is None or not marker.args:
        raise MissingPointsMarker(f"grading test {item.nodeid} has no @pytest.mark.points(n)")
    return float(marker.args[0])


def result_from_exception(name: str, max_points: float, error: BaseException | None) -> TestResult:
    if error is None:
        return TestResult(name, max_points, max_points, Outcome.PASSED, Stage.PASSED.value)
    if isinstance(error, CheckFailure):
        return TestResult(name, max_points, 0.0, Outcome.FAILED, error.stage.value, error.message)
    if isinstance(error, AssertionError):
        # A bare assert's message could hold expected values: say only that the check failed.
        return TestResult(name, max_points, 0.0, Outcome.FAILED, Stage.VALUES.value, "the output is not correct")
    # Anything else is a bug in the grading test, not the student's fault; say so plainly.
    text = f"{type(error).__name__}: {error}"[:MAX_INTERNAL_ERROR_CHARS]
    return TestResult(name, max_points, 0.0, Outcome.ERROR, "error", f"internal grader error ({text})")


GRADING_PLUGIN = pytest.StashKey["GradingPlugin"]()


# The fixtures live at module level (this module is registered as a plugin beside the
# GradingPlugin instance) and ask that instance for the run's submission and reference.
@pytest.fixture(scope="session")
def submission(request):
    return request.config.stash[GRADING_PLUGIN].submission()


@pytest.fixture(scope="session")
def reference(request):
    return request.config.stash[GRADING_PLUGIN].reference()


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
        config.addinivalue_line("markers", "points(n): points a grading test is worth")
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
            self.collected.append(TestInfo(item.name, points_of(item)))

    def pytest_collectreport(self, report):
        if report.failed:
            self.collection_errors.append(str(report.longrepr)[-2000:])

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        failed_here = call.excinfo is not None
        if call.when == "call" or (call.when == "setup" and failed_here):
            error = call.excinfo.value if failed_here else None
            self.results[item.name] = result_from_exception(item.name, points_of(item), error)
        return report
