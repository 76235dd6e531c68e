"""Processes that grade: a pool for batches, one process for a single model submission.

Grading processes are spawned (never forked: the parent may run a progress thread) and,
for model assignments, configured with the backend, device and thread count before Keras
is first imported. The grader's own process never imports Keras.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from autograder.assignments import Assignment, get_assignment
from autograder.engine.grade import grade_entry
from autograder.i18n import language, set_language
from autograder.intake import Entry
from autograder.results import SubmissionResult
from autograder.sandbox.launcher import SandboxMode
from autograder.training import Device, configure_process


def _start_grading_process(device: Device) -> None:
    configure_process(device)
    # TensorFlow 2.21 logs through absl before any log level applies ("oneDNN custom operations
    # are on", "Could not find cuda drivers"); a grading process reports everything through its
    # return values, so its native stderr goes nowhere.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def grading_pool(jobs: int, device: Device) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_grading_process, initargs=(device,))


def grade_in_worker(assignment_id: str, student: str, path: str, public: bool, mode: str, device: Device,
                    lang: str = "en") -> dict:
    """Runs in a grading process: plain arguments in (``lang``: the messages' language), a plain
    dict out."""
    set_language(lang)
    result = grade_entry(get_assignment(assignment_id), Entry(student, Path(path)), public=public,
                         mode=SandboxMode(mode), device=device)
    return result.to_dict()


def grade_entries_isolated(assignment: Assignment, runs: list[tuple[Entry, bool]], *, mode: SandboxMode,
                           device: Device) -> list[SubmissionResult]:
    """Grade (entry, public) runs in order; model assignments in one fresh grading process,
    numeric ones right here."""
    if not assignment.uses_keras:
        return [grade_entry(assignment, entry, public=public, mode=mode, device=device) for entry, public in runs]
    with grading_pool(1, device) as pool:
        futures = [pool.submit(grade_in_worker, assignment.id, entry.student, str(entry.path), public, mode.value, device,
                               language()) for entry, public in runs]
        return [SubmissionResult.from_dict(future.result()) for future in futures]
