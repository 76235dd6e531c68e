"""A submission imported into this process: for a student's own local checks only.

Grading with ``autograder grade`` never uses this (student code must not run in the grader's
process); it backs the handout's ``conftest.py`` so that plain ``pytest`` works inside a handout
folder, and the otter-grader export (``otter_bridge``), where otter itself runs the student's code.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path

from autograder.engine import calls


class NamespaceSubmission:
    """Call the functions found in a namespace (a module's globals) in this process, with grading's feedback."""

    # What a student's function may raise and still get feedback rather than stop the run.
    caught_errors: tuple[type[BaseException], ...] = (Exception,)

    def __init__(self, namespace: dict):
        self._namespace = namespace

    def call(self, name: str, *args, **kwargs):
        function = self._namespace.get(name)
        if function is None:
            raise calls.missing(name)
        if not callable(function):
            raise calls.not_callable(name, type(function).__name__)
        try:
            return function(*args, **kwargs)
        except NotImplementedError:
            raise calls.not_attempted(name) from None
        except self.caught_errors as error:  # noqa: BLE001 - every student error becomes feedback
            frame = traceback.extract_tb(error.__traceback__)[-1]
            raise calls.raised(name, type(error).__name__, str(error), f"line {frame.lineno}") from error

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)


class LocalSubmission(NamespaceSubmission):
    """The functions of a module file, imported into this process."""

    def __init__(self, module_path: Path | str):
        self.path = Path(module_path).resolve()
        sys.path.insert(0, str(self.path.parent))
        spec = importlib.util.spec_from_file_location(self.path.stem, self.path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        super().__init__(vars(module))


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
