"""Shared fixtures for the project's own tests."""

from pathlib import Path

import pytest

from autograder.assignments import get_assignment
from autograder.engine.grade import grade_entry
from autograder.intake import Entry
from autograder.sandbox.launcher import SandboxMode, bwrap_problem
import shared_grades


def pytest_configure(config):
    """The suite prints its 40 slowest tests (unless --durations says otherwise), so that its time
    can be kept under 30 minutes. Set here, not in pyproject's addopts: the handouts' public tests,
    run from this repository, must print exactly what a student's run prints."""
    if config.option.durations is None:
        config.option.durations = 40


@pytest.fixture(scope="session")
def grade_hidden():
    """grade_hidden(assignment_id, path) -> {test name: TestResult}, through the real grader.

    The submission runs in the bubblewrap sandbox where it works here (CI installs it), in a
    bare process otherwise.
    """
    mode = SandboxMode.BWRAP if bwrap_problem() is None else SandboxMode.PROCESS

    def grade(assignment_id: str, path: Path) -> dict:
        result = grade_entry(get_assignment(assignment_id), Entry(Path(path).stem, Path(path)), mode=mode)
        assert result.status.value == "graded", result.detail
        return {test.name: test for test in result.tests}

    return grade


@pytest.fixture(scope="session")
def verified():
    """verified(assignment_id) -> api.verify([assignment_id])'s report, verified once per session
    (tests/shared_grades.py): the model assignments' references and stubs train or run only once."""
    return shared_grades.verified


@pytest.fixture(scope="session")
def demo_batch(tmp_path_factory):
    """demo_batch(assignment_id) -> shared_grades.DemoBatch: a copy of the demo cohort graded by
    api.grade(..., jobs=2), once per session (tests/shared_grades.py)."""
    return lambda assignment_id: shared_grades.demo_batch(
        assignment_id, lambda: tmp_path_factory.mktemp(f"demo-{assignment_id}"))
