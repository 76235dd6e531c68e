"""Run a grading test file with pytest, in this process, and return structured results."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from autograder.engine import plugin as plugin_module
from autograder.engine.plugin import GradingPlugin
from autograder.results import TestInfo, TestResult

EMPTY_INI = Path(__file__).with_name("grading.ini")


class GradingRunFailed(RuntimeError):
    """The grading tests could not be collected or run at all: a grader bug, never the student's."""


_UNUSED_PLUGINS = ("doctest", "junitxml", "pastebin", "logging", "faulthandler", "stepwise", "debugging",
                   "nose", "unittest", "legacypath", "tmpdir", "monkeypatch", "recwarn", "setuponly", "setupplan",
                   "warnings", "subtests", "threadexception",
                   # Collects garbage five times per run (to report unraisable exceptions): a third
                   # of a numeric submission's grading time, for reports no grading test reads.
                   "unraisableexception")


def _pytest_args(test_file: Path, *extra: str) -> list[str]:
    # --noconftest: a handout's conftest imports the student's file in-process, so it must
    # never load in a grading run. --assert=plain: rewritten asserts would print expected
    # values into the feedback.
    return [
        str(test_file),
        "-c", str(EMPTY_INI),
        "--rootdir", str(test_file.parent),
        "--noconftest",
        "--assert=plain",
        "--import-mode=importlib",
        "-p", "no:cacheprovider",
        "-p", "no:terminal",
        # Plugins installed in the environment (hypothesis, platformdirs) play no part in grading.
        "--disable-plugin-autoload",
        # Plugins grading tests never use; each costs time in every run (one run per submission).
        *(arg for name in _UNUSED_PLUGINS for arg in ("-p", f"no:{name}")),
        "--capture=no",
        *extra,
    ]


def _run_pytest(test_file: Path, plugin: GradingPlugin, *extra: str) -> None:
    test_file = Path(test_file).resolve()  # the module is forgotten below by its absolute path
    before = set(sys.modules)
    try:
        pytest.main(_pytest_args(test_file, *extra), plugins=[plugin, plugin_module])
    finally:
        # Forget the test module so that the next run imports it afresh.
        for name in set(sys.modules) - before:
            if getattr(sys.modules.get(name), "__file__", None) == str(test_file):
                del sys.modules[name]
    if plugin.collection_errors:
        raise GradingRunFailed(f"could not collect {test_file}:\n" + "\n".join(plugin.collection_errors))


def collect_tests(test_file: Path) -> list[TestInfo]:
    """The tests in ``test_file`` with their points, without running any of them."""
    plugin = GradingPlugin()
    _run_pytest(test_file, plugin, "--collect-only")
    return plugin.collected


def run_tests(test_file: Path, submission, reference_path: Path | None = None) -> list[TestResult]:
    """Run every test in ``test_file`` against ``submission``; one result per collected test."""
    test_file = Path(test_file).resolve()
    plugin = GradingPlugin(submission, reference_path, reference_name=test_file.stem)
    _run_pytest(test_file, plugin)
    missing = [info.name for info in plugin.collected if info.name not in plugin.results]
    if missing:
        raise GradingRunFailed(f"{test_file}: no result for {', '.join(missing)}")
    return [plugin.results[info.name] for info in plugin.collected]
