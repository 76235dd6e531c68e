"""Expensive grading results that several tests assert on, computed once per test session.

Training the model assignments' submissions is most of the suite's time, and several tests grade
the same (assignment, file) by the same entry point. Each result here is what one public entry
point gives for one input, computed the first time a test asks for it and then shared, read-only:

- ``verified(assignment_id)``: ``api.verify([assignment_id])``, the reference and the stub on the
  hidden and the public tests, each through ``grade_entries_isolated`` in a fresh grading process.
  ``tests/test_model_assignments.py`` asserts on the reports; ``tests/test_otter_export.py`` takes
  our grade of the reference and the stub (hidden tests, the same grading process and sandbox)
  from them.
- ``demo_batch(assignment_id)``: ``api.grade`` of a copy of the demo cohort (``--jobs 2``) into a
  fresh output folder, with the cohort's fingerprints before and after.
  ``tests/test_demo_cohort.py`` asserts on the batch; ``tests/test_gradescope_export.py`` and
  ``tests/test_otter_export.py`` take what ``autograder grade`` gives a demo file from it.
- ``image_grade(image, autograder_zip, files)``: run_autograder in the session's Gradescope image
  (``tests/gradescope_image.py``) with that zip installed and those files submitted, in the default
  sandbox: ``tests/test_gradescope_clean_image.py`` and ``tests/test_gradescope_export.py`` grade the
  activations reference, partial and stub and LeNet's stub there, each with its own assertions.

Nothing is cached across sessions, and a test that needs a result grades it itself if no other
test did so first: running one test file alone grades what it needs, no more.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autograder import api
from autograder.api import DEMO_DIR, VerifyReport
from autograder.assignments import get_assignment
from autograder.intake import discover, fingerprint
from autograder.results import BatchResult, SubmissionResult

_VERIFIED: dict[str, VerifyReport] = {}
_DEMO_BATCHES: dict[str, "DemoBatch"] = {}


def verified(assignment_id: str) -> VerifyReport:
    """``api.verify([assignment_id])``'s report, verified once per session."""
    if assignment_id not in _VERIFIED:
        (report,) = api.verify([assignment_id])
        _VERIFIED[assignment_id] = report
    return _VERIFIED[assignment_id]


def snapshot(folder: Path) -> dict[str, str]:
    """Each entry of a submissions folder, by name, with its content's fingerprint."""
    return {entry.path.name: fingerprint(entry) for entry in discover(folder)}


@dataclass(frozen=True)
class DemoBatch:
    """A copy of a demo cohort (``cohort``) graded into ``outdir`` by ``api.grade``."""

    assignment: str
    cohort: Path
    outdir: Path
    before: dict[str, str]  # snapshot(cohort) before grading
    batch: BatchResult

    def result(self, student: str) -> SubmissionResult:
        (result,) = [r for r in self.batch.graded if r.student == student]
        return result

    def scores(self) -> dict[str, float]:
        return {r.student: r.score for r in self.batch.graded}


def demo_batch(assignment_id: str, new_folder: Callable[[], Path]) -> DemoBatch:
    """The demo cohort of ``assignment_id``, copied into a folder ``new_folder()`` makes (new and
    empty) and graded there by ``api.grade(..., jobs=2)``: once per session."""
    if assignment_id not in _DEMO_BATCHES:
        folder = new_folder()
        cohort, outdir = folder / "cohort", folder / "out"
        shutil.copytree(DEMO_DIR / assignment_id, cohort)
        before = snapshot(cohort)
        batch = api.grade(assignment_id, cohort, outdir, jobs=2)
        _DEMO_BATCHES[assignment_id] = DemoBatch(assignment_id, cohort, outdir, before, batch)
    return _DEMO_BATCHES[assignment_id]


def demo_student(assignment_id: str, path: Path) -> str | None:
    """The demo student whose submission ``path`` is (``autograder/demo/<id>/<student>/<module>``
    or ``autograder/demo/<id>/<student>.py``), or None."""
    path = Path(path).resolve()
    cohort = (DEMO_DIR / assignment_id).resolve()
    if path.parent.parent == cohort and path.name == get_assignment(assignment_id).module_filename:
        return path.parent.name
    if path.parent == cohort and path.suffix == ".py":
        return path.stem
    return None


_IMAGE_RUNS: dict[tuple, tuple[subprocess.CompletedProcess, dict]] = {}


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def image_grade(image, autograder_zip: Path, files: dict[str, Path | str]) -> tuple[subprocess.CompletedProcess, dict]:
    """``image.install(autograder_zip)`` then ``image.grade(files)`` (run_autograder in the default sandbox):
    (its run, results.json), once per session for the same zip and the same submitted names and contents.
    The run and the results are shared: read them, never change them."""
    submitted = tuple(sorted((name, _digest(content.read_bytes() if isinstance(content, Path) else content.encode()))
                             for name, content in files.items()))
    key = (_digest(Path(autograder_zip).read_bytes()), submitted)
    if key not in _IMAGE_RUNS:
        image.install(autograder_zip)
        _IMAGE_RUNS[key] = image.grade(files)
    return _IMAGE_RUNS[key]
