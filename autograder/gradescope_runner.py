"""What Gradescope's ``run_autograder`` does: grade ``<root>/submission`` with the same engine as
``autograder grade`` and write ``<root>/results/results.json``.

The root is ``/autograder`` on Gradescope; ``AUTOGRADER_GRADESCOPE_ROOT`` (or ``--root``) points
it elsewhere, so that tests can run the exported autograder against a fake root. Student code
never runs in this process: it is imported in the sandbox, as on any other grading run.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import get_assignment
from autograder.engine.workers import grade_entries_isolated
from autograder.i18n import _f
from autograder.intake import Entry
from autograder.render.gradescope_json import gradescope_results
from autograder.results import SubmissionResult
from autograder.training import Device

ROOT_ENVIRONMENT_VARIABLE = "AUTOGRADER_GRADESCOPE_ROOT"
DEFAULT_ROOT = Path("/autograder")


@dataclass(frozen=True)
class GradescopeRun:
    results_path: Path
    hidden: SubmissionResult
    public: SubmissionResult | None
    document: dict


def gradescope_root(root: Path | None = None) -> Path:
    return Path(root or os.environ.get(ROOT_ENVIRONMENT_VARIABLE) or DEFAULT_ROOT)


def _write_json_atomically(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(document, indent=2), encoding="utf-8")
    os.replace(temporary, path)


def write_failure(root: Path, message: str) -> Path:
    """Tell the student the autograder broke (a results.json Gradescope can show), not a blank page."""
    path = gradescope_root(root) / "results" / "results.json"
    _write_json_atomically(path, {
        "score": 0.0, "execution_time": 0, "visibility": "visible", "stdout_visibility": "hidden",
        "output": _f("The autograder failed before grading your submission ({message}). "
                     "This is not your fault: please tell your instructor.", message=message),
        "tests": [],
    })
    return path


def run_gradescope(assignment_id: str, root: Path | None = None, *, mode, device: Device = Device()) -> GradescopeRun:
    """Grade the submission under ``root`` on the hidden tests and the public checks (the
    caller has checked that the assignment's datasets load)."""
    started = time.monotonic()
    assignment = get_assignment(assignment_id)
    root = gradescope_root(root)
    submission = root / "submission"
    if not submission.is_dir():
        raise FileNotFoundError(f"no submission folder at {submission}")
    entry = Entry("submission", submission)
    hidden, public = grade_entries_isolated(assignment, [(entry, False), (entry, True)], mode=mode, device=device)
    shown_public = None if hidden.status.is_problem else public
    document = gradescope_results(hidden, shown_public, module_filename=assignment.module_filename,
                                  execution_time_s=time.monotonic() - started)
    results_path = root / "results" / "results.json"
    _write_json_atomically(results_path, document)
    return GradescopeRun(results_path, hidden, shown_public, document)
