"""Bulk grading of a submissions folder, or of a Gradescope export, into an output folder's gradebook.

Results are recorded one by one as they arrive, so an interruption (Ctrl-C, a crash, a
killed process) loses nothing finished, and rerunning the same command grades only what is
left. Only one grading run may use an output folder at a time.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import ExitStack, contextmanager
from pathlib import Path

from autograder.assignments import Assignment, get_assignment
from autograder.engine.grade import grade_entry, grader_version, tests_of, tests_path
from autograder.engine.workers import grade_in_worker, grading_pool
from autograder.gradebook import Gradebook
from autograder.gradescope_import import GradescopeExportError, UnmatchedSubmission, is_gradescope_export, opened_export
from autograder.intake import Entry, StudentIdentity, discover, fingerprint
from autograder.render.csv_gradebook import write_assignment_csv, write_class_csv
from autograder.results import BatchResult, SubmissionResult, SubmissionStatus, max_score_of
from autograder.sandbox.launcher import SandboxMode
from autograder.training import Device

LOCK_FILENAME = ".autograder.lock"
CLASS_CSV_FILENAME = "class_gradebook.csv"

ResultCallback = Callable[[SubmissionResult], None]


class BatchError(Exception):
    """The batch could not start; the message says why and what to do."""


@contextmanager
def _exclusive(outdir: Path):
    lock_path = outdir / LOCK_FILENAME
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchError(f"another grading run is using {outdir}; wait for it to finish or choose another -o folder") from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        yield


def _split_duplicates(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """Keep the first entry of each student id (compared without case); the rest are duplicates."""
    seen: set[str] = set()
    unique, duplicates = [], []
    for entry in entries:
        key = entry.student.casefold()
        (duplicates if key in seen else unique).append(entry)
        seen.add(key)
    return unique, duplicates


def _duplicate_row_id(entry: Entry) -> str:
    return f"{entry.path.name} (duplicate)"


def _duplicate_result(assignment: Assignment, entry: Entry, max_score: float) -> SubmissionResult:
    result = SubmissionResult(
        assignment.id, _duplicate_row_id(entry), SubmissionStatus.DUPLICATE, max_score=max_score,
        detail=f"another entry already has student id {entry.student!r}; this one was not graded",
        fingerprint="duplicate",
    )
    _set_identity(result, entry.identity)
    return result


def _unmatched_result(assignment: Assignment, unmatched: UnmatchedSubmission, max_score: float) -> SubmissionResult:
    result = SubmissionResult(
        assignment.id, unmatched.row_id, unmatched.status, max_score=max_score, detail=unmatched.detail,
        # Recorded again only when the row would say something else: another folder, another problem.
        fingerprint=f"{unmatched.status.value}:{unmatched.folder}",
    )
    _set_identity(result, unmatched.identity)
    return result


def _set_identity(result: SubmissionResult, identity: StudentIdentity | None) -> None:
    """Put an export's identity of the student on the row: grading itself knows the id only."""
    if identity is not None:
        result.name, result.email, result.sid = identity.name, identity.email, identity.sid


@contextmanager
def _opened_submissions(submissions: Path, outdir: Path):
    """The entries to grade and the export's unmatched submissions, valid inside the context.

    A Gradescope export (folder or .zip) is read through its metadata, its .zip extracted into
    a temporary folder in ``outdir`` for as long as grading needs it; any other folder holds
    one entry per student.
    """
    with ExitStack() as stack:
        try:
            if is_gradescope_export(submissions):
                export = stack.enter_context(opened_export(submissions, outdir))
                found, unmatched = export.entries, export.unmatched
            else:
                found, unmatched = discover(submissions), []
        except GradescopeExportError as error:
            raise BatchError(str(error)) from None
        yield found, unmatched


def render_csvs(gradebook: Gradebook, assignment: Assignment, outdir: Path) -> tuple[Path, Path]:
    csv_path = outdir / f"{assignment.id}.csv"
    class_path = outdir / CLASS_CSV_FILENAME
    write_assignment_csv(csv_path, list(tests_of(tests_path(assignment, public=False))), gradebook.results(assignment.id))
    write_class_csv(class_path, gradebook.results())
    return csv_path, class_path


def grade_batch(
    assignment: Assignment,
    submissions: Path,
    outdir: Path,
    *,
    jobs: int = 1,
    mode: SandboxMode = SandboxMode.BWRAP,
    device: Device = Device(),
    regrade: bool = False,
    on_plan: Callable[[int, int], None] | None = None,
    on_result: ResultCallback | None = None,
) -> BatchResult:
    """Grade every entry of ``submissions`` (a folder, or a Gradescope export as a folder or a
    .zip) into ``outdir``; return what was done.

    ``on_plan(to_grade, already_graded)`` is called once before grading starts and
    ``on_result`` after each submission is recorded (for progress displays).
    """
    submissions, outdir = Path(submissions), Path(outdir)
    if not submissions.exists():
        raise BatchError(f"submissions not found: {submissions}")
    if not (submissions.is_dir() or is_gradescope_export(submissions)):
        raise BatchError(f"{submissions} is neither a folder of submissions nor a Gradescope export (.zip)")
    if jobs < 1:
        raise BatchError(f"--jobs must be at least 1, got {jobs}")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BatchError(f"cannot create the output folder {outdir}: {error.strerror}") from None

    with _exclusive(outdir), Gradebook(outdir) as gradebook, \
            _opened_submissions(submissions, outdir) as (found, unmatched):
        version = grader_version(assignment)
        max_score = max_score_of(tests_of(tests_path(assignment, public=False)))
        finished = {} if regrade else gradebook.finished(assignment.id, version)
        entries, duplicates = _split_duplicates(found)
        pending: list[tuple[Entry, str]] = []
        skipped: list[str] = []
        for entry in entries:
            content_hash = fingerprint(entry)
            if finished.get(entry.student) == content_hash:
                skipped.append(entry.student)
            else:
                pending.append((entry, content_hash))
        ungraded_rows = [_duplicate_result(assignment, d, max_score) for d in duplicates]
        ungraded_rows += [_unmatched_result(assignment, u, max_score) for u in unmatched]
        ungraded_rows = [row for row in ungraded_rows if finished.get(row.student) != row.fingerprint]
        if on_plan:
            on_plan(len(pending) + len(ungraded_rows), len(skipped))

        batch = BatchResult(assignment.id, str(outdir), str(gradebook.path), "", "", skipped_already_graded=skipped)

        def record(result: SubmissionResult) -> None:
            gradebook.record(result, version)
            batch.graded.append(result)
            if on_result:
                on_result(result)

        try:
            for row in ungraded_rows:
                record(row)
            if jobs == 1 and not assignment.uses_keras:
                for entry, content_hash in pending:
                    result = grade_entry(assignment, entry, mode=mode)
                    _set_identity(result, entry.identity)
                    result.fingerprint = content_hash
                    record(result)
            else:
                _grade_in_pool(assignment, pending, jobs, mode, device, max_score, record)
        finally:
            batch.csv_path, batch.class_csv_path = map(str, render_csvs(gradebook, assignment, outdir))
    return batch


def _grade_in_pool(assignment: Assignment, pending: list[tuple[Entry, str]], jobs: int, mode: SandboxMode,
                   device: Device, max_score: float, record: ResultCallback) -> None:
    with grading_pool(jobs, device) as pool:
        futures: dict[Future, tuple[Entry, str]] = {
            pool.submit(grade_in_worker, assignment.id, entry.student, str(entry.path), False, mode.value, device):
                (entry, content_hash)
            for entry, content_hash in pending
        }
        try:
            remaining = set(futures)
            while remaining:
                done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
                for future in done:
                    entry, content_hash = futures[future]
                    try:
                        result = SubmissionResult.from_dict(future.result())
                    except Exception as error:  # noqa: BLE001 - a dead pool worker fails one row, not the batch
                        result = SubmissionResult(
                            assignment.id, entry.student, SubmissionStatus.GRADER_ERROR, max_score=max_score,
                            detail=f"the grading process failed: {type(error).__name__}: {error}"[:500],
                        )
                    _set_identity(result, entry.identity)
                    result.fingerprint = content_hash
                    record(result)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
