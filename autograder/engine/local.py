"""A submission imported into this process: for a student's own local checks only.

Grading never uses this (student code must not run in the grader's process); it backs the
handout's ``conftest.py`` so that plain ``pytest`` works inside a handout folder.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path

from autograder.engine import calls


class LocalSubmission:
    """Call the functions of a module file in this process, with grading's feedback."""

    def __init__(self, module_path: Path | str):
        self.path = Path(module_path).resolve()
        sys.path.insert(0, str(self.path.parent))
        spec = importlib.util.spec_from_file_location(self.path.stem, self.path)
        self._module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self._module)

    def call(self, name: str, *args, **kwargs):
        function = getattr(self._module, name, None)
        if function is None:
            raise calls.missing(name)
        if not callable(function):
            raise calls.not_callable(name, type(function).__name__)
        try:
            return function(*args, **kwargs)
        except NotImplementedError:
            raise calls.not_attempted(name) from None
        except Exception as error:  # noqa: BLE001 - every student error becomes feedback
            frame = traceback.extract_tb(error.__traceback__)[-1]
            raise calls.raised(name, type(error).__name__, str(error), f"line {frame.lineno}") from error

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)


def submission_fixture_for(conftest_file: str, module_filename: str):
    """Build the ``submission`` fixture for a handout's conftest.py.

    The module is the student's file beside the conftest; set ``AUTOGRADER_SUBMISSION``
    to check another file.
    """
    import os

    import pytest

    @pytest.fixture(scope="session")
    def submission():
        path = os.environ.get("AUTOGRADER_SUBMISSION") or Path(conftest_file).with_name(module_filename)
        return LocalSubmission(path)

    return submission


def register_markers(config) -> None:
    """``pytest_configure`` for a handout's conftest.py: declares the ``points`` marker."""
    config.addinivalue_line("markers", "points(n): points a grading test is worth")
