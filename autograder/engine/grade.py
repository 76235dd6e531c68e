"""Grade one submission: stage it, import it in the sandbox, run the grading tests.

``grade_entry`` never raises: whatever goes wrong becomes the status of that one
submission, so a batch always completes.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
import traceback
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from autograder import __version__
from autograder.assignments import PACKAGE_DIR, Assignment
from autograder.checks import Stage
from autograder.engine import calls
from autograder.engine.runner import collect_tests, run_tests
from autograder.i18n import ENGLISH, _, _f, language
from autograder.intake import Entry, Problem, Staged, stage
from autograder.notebooks import top_level_names
from autograder.results import Outcome, SubmissionResult, SubmissionStatus, TestInfo, TestResult, max_score_of
from autograder.sandbox.launcher import SandboxConfig, SandboxMode
from autograder.sandbox.proxy import SandboxedSubmission
from autograder.training import Device

IMPORT_FAILURE_STATUS = {
    "syntax_error": SubmissionStatus.SYNTAX_ERROR,
    "exception": SubmissionStatus.IMPORT_ERROR,
    "timeout": SubmissionStatus.IMPORT_ERROR,
    "crash": SubmissionStatus.IMPORT_ERROR,
}


def tests_path(assignment: Assignment, public: bool) -> Path:
    return assignment.public_tests_path if public else assignment.hidden_tests_path


@lru_cache(maxsize=None)
def tests_of(test_file: Path) -> tuple[TestInfo, ...]:
    return tuple(collect_tests(test_file))


# Parts of the package that cannot change a score: sample cohorts, handout building, the
# other assignments' hidden tests (this assignment's are added back by name), and what only
# renders or compares stored results (CSVs, report, LMS files, the late policy, regrade diffs):
# a new report layout or a granted extension must not regrade a class; nor does the catalogs'
# maintenance tool (the language itself is part of the version, see grader_version).
_NOT_SCORING = ("demo", "export", "hidden", "render", "course.py", "regrade.py", "translations.py")


def scoring_files(assignment: Assignment) -> list[Path]:
    """Every file whose content can change this assignment's scores: its hidden tests and
    reference, its stub (a notebook keeps the top-level assignments of the stub's names), and the
    grader's own modules (checks, sandbox, recipes, training, notebook conversion, ...)."""
    modules = [path for path in sorted(PACKAGE_DIR.rglob("*.py"))
               if path.relative_to(PACKAGE_DIR).parts[0] not in _NOT_SCORING]
    return [assignment.hidden_tests_path, assignment.solution_path, assignment.stub_path, *modules]


def grader_version(assignment: Assignment) -> str:
    """Changes whenever anything that decides a score changes; a rerun then regrades."""
    digest = hashlib.sha256(__version__.encode())
    for path in scoring_files(assignment):
        digest.update(_name_in_version(path).encode() + b"\0" + path.read_bytes())
    if language() != ENGLISH:  # the feedback's language: English versions are what they always were
        digest.update(b"language\0" + language().encode())
    return digest.hexdigest()[:16]


def _name_in_version(path: Path) -> str:
    """A scoring file's path within the repository; for a file outside it (a modified copy of
    the hidden tests, say), its name alone."""
    try:
        return str(path.relative_to(PACKAGE_DIR.parent))
    except ValueError:
        return path.name


@lru_cache(maxsize=None)
def stub_names(stub_path: Path) -> frozenset[str]:
    """The top-level names of an assignment's stub (trusted): a notebook keeps the top-level
    assignments of these names (see ``autograder.notebooks``). Empty where the stub cannot be
    read: a notebook then keeps only what its definitions need."""
    try:
        return top_level_names(stub_path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return frozenset()


def _from_notebook(result: SubmissionResult, staged: Staged, module_filename: str) -> None:
    """Give ``result`` the notes of staging and, for a module built from a notebook, the cell
    beside each line of the module that its messages name."""
    result.notes = [*staged.notes, *result.notes]
    notebook = staged.notebook
    if notebook is None:
        return
    result.detail = notebook.annotate(result.detail, module_filename)
    result.tests = [replace(test, message=notebook.annotate(test.message, module_filename)) for test in result.tests]


def _all_failed(tests: tuple[TestInfo, ...], stage: Stage, message: str) -> list[TestResult]:
    return [TestResult(t.name, t.max_points, 0.0, Outcome.FAILED, stage.value, message, bonus=t.bonus) for t in tests]


def _sandbox_environment(assignment: Assignment, device: Device) -> dict[str, str]:
    if not assignment.uses_keras:
        return {}
    # The sandbox only builds the model (on the CPU, with the grader's backend); training
    # happens in the grader, on the chosen device.
    return {"KERAS_BACKEND": device.backend, "CUDA_VISIBLE_DEVICES": "", "JAX_PLATFORMS": "cpu"}


def _record_device(result: SubmissionResult, assignment: Assignment) -> None:
    if assignment.uses_keras:
        from autograder.training import device_in_use

        in_use = device_in_use()
        result.device, result.backend = in_use["device"], in_use["backend"]
    else:
        result.device, result.backend = "cpu", "numpy"


def grade_staged(assignment: Assignment, staged: Staged, student: str, *, public: bool = False,
                 mode: SandboxMode = SandboxMode.BWRAP, device: Device = Device()) -> SubmissionResult:
    """Run the grading tests against a submission already staged in ``staged.root``."""
    test_file = tests_path(assignment, public)
    tests = tests_of(test_file)
    result = SubmissionResult(assignment.id, student, SubmissionStatus.GRADED,
                              max_score=max_score_of(tests))
    _record_device(result, assignment)
    config = SandboxConfig(mode, memory_mb=assignment.limits.memory_mb, env=_sandbox_environment(assignment, device),
                           preload=("keras",) if assignment.uses_keras else ())
    with SandboxedSubmission(staged.root, staged.module_filename, assignment.id, assignment.limits, config) as submission:
        failure = submission.start()
        if failure is not None:
            result.status = IMPORT_FAILURE_STATUS[failure.kind]
            result.detail = failure.message
            result.tests = _all_failed(tests, Stage.IMPORT, _f("your module could not be imported: {message}",
                                                               message=failure.message))
        else:
            result.tests = run_tests(test_file, submission, None if public else assignment.solution_path)
        # What the student's code printed: terminal escapes and control characters out, 4 KB kept.
        result.stdout_tail = calls.output_tail(submission.stderr_tail())
    _from_notebook(result, staged, staged.module_filename)
    return result


def grade_entry(assignment: Assignment, entry: Entry, *, public: bool = False,
                mode: SandboxMode = SandboxMode.BWRAP, device: Device = Device()) -> SubmissionResult:
    """Stage and grade one entry of a submissions folder. Never raises."""
    started = time.monotonic()
    tests = tests_of(tests_path(assignment, public))
    max_score = max_score_of(tests)
    try:
        with tempfile.TemporaryDirectory(prefix="autograder-") as workdir:
            staged = stage(entry, assignment.module_filename, Path(workdir),
                           keep_names=stub_names(assignment.stub_path))
            if isinstance(staged, Problem):
                result = SubmissionResult(assignment.id, entry.student, staged.status, max_score=max_score,
                                          detail=staged.detail,
                                          tests=_all_failed(tests, Stage.IMPORT, staged.detail))
            else:
                result = grade_staged(assignment, staged, entry.student, public=public, mode=mode, device=device)
    except Exception as error:  # noqa: BLE001 - one submission's grader failure must not stop a batch
        detail = _f("the grader failed on this submission: {error}", error="{}: {}".format(type(error).__name__, error))
        result = SubmissionResult(assignment.id, entry.student, SubmissionStatus.GRADER_ERROR,
                                  max_score=max_score, detail=detail[:500],
                                  tests=_all_failed(tests, Stage.IMPORT, _("not graded: the grader failed")),
                                  stdout_tail=traceback.format_exc()[-2000:])
    result.duration_s = round(time.monotonic() - started, 3)
    return result
