"""Hidden tests run in this process, on a file the project wrote (a reference, a contract
mutant, a wrong variant): no sandbox, the named tests only, and no student model trained unless
a named test trains one.

The submission's values still cross the grader's protocol as in the sandbox
(``OtterSubmission``), so what a test sees is what it would see when grading.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from autograder.assignments import CATALOG
from autograder.engine import plugin as plugin_module
from autograder.engine.otter_bridge import OtterSubmission
from autograder.engine.plugin import GradingPlugin
from autograder.engine.runner import _pytest_args


def sandbox_like(path: Path) -> OtterSubmission:
    """The module at ``path``, imported here, its functions called as the sandbox calls them: every
    argument and return value crosses the grader's protocol (a returned model as its config, which
    the grader rebuilds; a model handed to the function with its weights, rebuilt for it)."""
    spec = importlib.util.spec_from_file_location(f"in_process_{Path(path).stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return OtterSubmission(vars(module))


def hidden_results(assignment_id: str, path: Path, names) -> dict:
    """{test name: TestResult} of the named hidden tests only, on the file at ``path``."""
    assignment = CATALOG[assignment_id]
    test_file = assignment.hidden_tests_path.resolve()
    plugin = GradingPlugin(sandbox_like(path), assignment.solution_path, reference_name=test_file.stem)
    args = _pytest_args(test_file)
    args[0:1] = [f"{test_file}::{name}" for name in names]
    before = set(sys.modules)
    try:
        import pytest

        pytest.main(args, plugins=[plugin, plugin_module])
    finally:  # as runner._run_pytest does: the next run imports the test module afresh
        for name in set(sys.modules) - before:
            if getattr(sys.modules.get(name), "__file__", None) == str(test_file):
                del sys.modules[name]
    assert not plugin.collection_errors, plugin.collection_errors
    return plugin.results
