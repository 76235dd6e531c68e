"""Bulk grading of a submissions folder, or of a Gradescope export, into an output folder's gradebook.

Results are recorded one by one as they arrive, so an interruption (Ctrl-C, a crash, a
killed process) loses nothing finished, and rerunning the same command grades only what is
left. Only one grading run may use an output folder at a time.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import sqlite3
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from autograder.assignments import Assignment, get_assignment
from autograder.course import Course, adjustments, course_of, install_course
from autograder.engine.grade import grade_entry, grader_version, tests_of, tests_path
from autograder.engine.workers import grade_in_worker, grading_pool
from autograder.gradebook import GRADEBOOK_FILENAME, Gradebook
from autograder.i18n import _f, language
from autograder.gradescope_import import GradescopeExportError, UnmatchedSubmission, is_gradescope_export, opened_export
from autograder.intake import (ClassFolder, Entry, StudentIdentity, class_folder_problem, display_name, fingerprint,
                               is_time_note, survey)
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
            lock.seek(0)
            holder = lock.read(32).strip()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise BatchError(f"another grading run{who} is using {outdir}; wait for it to finish or choose "
                             "another -o folder") from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        _remove_leftovers(outdir)
        yield


# Errors of the output folder's file system rather than of one write: the disk or quota is
# full, or the folder is mounted read-only.
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY_ERRNOS = {errno.EROFS}
_SQLITE_FULL = {sqlite3.SQLITE_FULL}
_SQLITE_READ_ONLY = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN}


def _within(path: object, folder: Path) -> bool:
    if not isinstance(path, (str, bytes, os.PathLike)):
        return False
    try:
        return Path(os.path.abspath(os.fsdecode(path))).is_relative_to(folder.absolute())
    except (TypeError, ValueError):
        return False


def _nearly_full(outdir: Path) -> bool:
    try:
        return shutil.disk_usage(outdir).free < 64 * 1024
    except OSError:
        return False


def _output_problem(error: BaseException, outdir: Path) -> str | None:
    """One line saying what is wrong with the output folder, or None if ``error`` is not about it."""
    gradebook = outdir / GRADEBOOK_FILENAME
    saved = f"everything graded so far is saved in {gradebook}"
    if isinstance(error, sqlite3.Error):
        code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
        reason = " ".join(str(error).split()) or type(error).__name__
        if code in _SQLITE_FULL or "full" in reason or _nearly_full(outdir):
            kind = "full"
        elif code in _SQLITE_READ_ONLY or "readonly" in reason or "read-only" in reason:
            kind = "read-only"
        elif code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return (f"the gradebook {gradebook} is locked by another program ({reason}); close it and run the "
                    "same command again")
        elif code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return (f"{gradebook} is damaged or is not a gradebook ({reason}); move it away (the CSVs next to it "
                    "hold its last results) and run the same command again to grade into a new one")
        else:
            return f"cannot write the gradebook {gradebook} ({reason}); {saved}"
    elif isinstance(error, OSError):
        ours = error.filename is None or _within(error.filename, outdir)
        reason = error.strerror or str(error)
        if error.errno in _FULL_ERRNOS and ours:
            kind = "full"
        elif error.errno in _READ_ONLY_ERRNOS and ours:
            kind = "read-only"
        elif error.filename is not None and _within(error.filename, outdir):
            return f"cannot write to the output folder {outdir} ({reason}: {error.filename}); {saved}"
        else:
            return None
    else:
        return None
    if kind == "full":
        return (f"the output folder {outdir} is full ({reason}); {saved}: free some space (or choose another "
                "-o folder) and run the same command again to grade the rest")
    return (f"the output folder {outdir} is read-only ({reason}); {saved}: make it writable or choose "
            "another -o folder")


@contextmanager
def _file_errors(outdir: Path, submissions: Path):
    """Turn a failure to write the output folder (full, read-only, damaged gradebook) or to read
    the submissions into a BatchError with one line saying so; the gradebook keeps every result
    recorded before it."""
    try:
        yield
    except (OSError, sqlite3.Error) as error:
        message = _output_problem(error, outdir)
        if message is None and isinstance(error, OSError) and _within(error.filename, submissions):
            message = f"cannot read the submissions: {error.strerror or error}: {display_name(os.fsdecode(error.filename))}"
        if message is None:
            raise
        raise BatchError(message) from error


def _remove_leftovers(outdir: Path) -> None:
    """What a run killed mid-way leaves behind (an extracted export, a half-written CSV); called
    under the lock, so that no other run is using them."""
    for scratch in outdir.glob(".gradescope-export-*"):
        shutil.rmtree(scratch, ignore_errors=True)
    for temporary in outdir.glob(".*.csv.*.tmp"):
        with suppress(OSError):
            temporary.unlink()


def split_duplicates(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """Keep the first entry of each student id (compared without case); the rest are duplicates.

    Of ``alice.py`` and ``alice.ipynb`` the ``.py`` is kept wherever it sorts, as inside a
    student's folder: a student who exported their notebook to a module meant the module."""
    seen: set[str] = set()
    unique, duplicates = [], []
    notebooks_last = sorted(entries, key=lambda entry: entry.path.suffix.lower() == ".ipynb")  # stable
    for entry in notebooks_last:
        key = entry.student.casefold()
        (duplicates if key in seen else unique).append(entry)
        seen.add(key)
    return unique, duplicates


def _duplicate_row_id(entry: Entry) -> str:
    return f"{display_name(entry.path.name)} (duplicate)"


def _duplicate_result(assignment: Assignment, entry: Entry, max_score: float) -> SubmissionResult:
    result = SubmissionResult(
        assignment.id, _duplicate_row_id(entry), SubmissionStatus.DUPLICATE, max_score=max_score,
        detail=_f("another entry already has student id {student}; this one was not graded",
                  student=repr(entry.student)),
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


def survey_submissions(assignment: Assignment, submissions: Path, outdir: Path | None = None) -> ClassFolder | None:
    """Refuse, before anything is written, what cannot be graded as a class: a missing path, a
    file that is no export, a folder with no submission, one student's own folder. Returns what
    a plain class folder holds (``outdir``, if it is one of its entries, is ignored); None for a
    Gradescope export, which is read (and its .zip extracted) only when grading starts.

    Raises BatchError, whose message says what to pass instead.
    """
    submissions = Path(submissions)
    if not submissions.exists():
        raise BatchError(f"submissions not found: {submissions}")
    try:
        export = is_gradescope_export(submissions)
    except GradescopeExportError as error:
        raise BatchError(str(error)) from None
    if export:
        return None
    if not submissions.is_dir():
        raise BatchError(f"{submissions} is neither a folder of submissions nor a Gradescope export (.zip)")
    try:
        found = survey(submissions)
    except OSError as error:
        raise BatchError(f"cannot read the submissions folder {submissions}: {error.strerror or error}") from None
    if outdir is not None:
        found = _without_outdir(found, outdir)
    problem = class_folder_problem(submissions, found, assignment.module_filename)
    if problem is not None:
        raise BatchError(problem)
    return found


def _without_outdir(found: ClassFolder, outdir: Path) -> ClassFolder:
    """The output folder inside the class folder (``grade . -o gradebook``) is no student."""
    target = os.path.realpath(outdir)  # realpath, unlike Path.resolve, never raises on a link loop
    entries = [entry for entry in found.entries if os.path.realpath(entry.path) != target]
    if len(entries) == len(found.entries):
        return found
    return ClassFolder(entries, sorted([*found.ignored, f"{display_name(Path(outdir).name)} (the output folder)"]))


@contextmanager
def opened_submissions(submissions: Path, outdir: Path, found: ClassFolder | None):
    """The entries to grade and the export's unmatched submissions, valid inside the context.

    A Gradescope export (folder or .zip; ``found`` is None) is read through its metadata, its
    .zip extracted into a temporary folder in ``outdir`` for as long as grading needs it; any
    other folder holds one entry per student, as ``found`` (see ``survey_submissions``) lists.
    """
    with ExitStack() as stack:
        if found is not None:
            yield found.entries, []
            return
        try:
            export = stack.enter_context(opened_export(submissions, outdir))
        except GradescopeExportError as error:
            raise BatchError(str(error)) from None
        if not export.entries and not export.unmatched:
            raise BatchError(f"no submissions in {display_name(str(submissions))}: its Gradescope metadata lists none "
                             "and it holds no submission folder; export again once students have submitted")
        yield export.entries, export.unmatched


def render_csvs(gradebook: Gradebook, assignment: Assignment, outdir: Path,
                course: Course | None = None) -> tuple[Path, Path]:
    """Write the assignment's CSV and the class CSV from the gradebook; with a ``course``, with
    its late policy's columns (computed from every row: tokens span assignments) and, where it
    says ``csv_titles: true``, a row of column titles in the current language above the ids."""
    csv_path = outdir / f"{assignment.id}.csv"
    class_path = outdir / CLASS_CSV_FILENAME
    rows = gradebook.results()  # every assignment's, in (assignment, student) order
    late = adjustments(course, rows) if course is not None else None
    titles = course is not None and course.csv_titles
    write_assignment_csv(csv_path, list(tests_of(tests_path(assignment, public=False))),
                         [row for row in rows if row.assignment == assignment.id], adjustments=late,
                         localized_header=titles)
    write_class_csv(class_path, rows, adjustments=late, localized_header=titles)
    return csv_path, class_path


def _set_time(result: SubmissionResult, entry: Entry | None) -> None:
    """Put the entry's submission time on its row (the grading itself never sees it), and the
    note saying what was wrong with its timestamp file, if anything."""
    if entry is None:
        return
    result.submitted_at = entry.submitted_at.isoformat() if entry.submitted_at is not None else ""
    result.time_source = entry.time_source
    if entry.time_note:
        result.notes = [entry.time_note, *result.notes]


def _refresh_times(gradebook: Gradebook, assignment: Assignment, entries: list[Entry]) -> None:
    """The rows of unchanged (skipped) submissions take the entry's current time and time note
    (the instructor may have fixed a timestamp file) without being graded again; except that a
    modification time does not replace the one first recorded: the content is the same, so a
    newer mtime is a copy of the folder (without -p), not a later submission."""
    if not entries:
        return
    stored = {row.student: row for row in gradebook.results(assignment.id)}
    for entry in entries:
        row = stored.get(entry.student)
        if row is None:
            continue
        notes = [note for note in row.notes if not is_time_note(note)]
        refreshed = SubmissionResult(assignment.id, entry.student, row.status, notes=notes)
        _set_time(refreshed, entry)
        if row.time_source == refreshed.time_source == "mtime":
            refreshed.submitted_at = row.submitted_at
        gradebook.set_submission_time(assignment.id, entry.student, refreshed.submitted_at, refreshed.time_source,
                                      refreshed.notes)


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
    executor: str = "local",
    scheduler: str | None = None,
    course: Path | None = None,
) -> BatchResult:
    """Grade every entry of ``submissions`` (a folder, or a Gradescope export as a folder or a
    .zip) into ``outdir``; return what was done, with every problem row of the assignment's
    gradebook (graded now or by an earlier run) and the files of the folder that were ignored.

    A folder that cannot be graded as a class (empty, one student's own) is refused with a
    BatchError before ``outdir`` is created (see ``survey_submissions``).

    ``on_plan(to_grade, already_graded)`` is called once before grading starts and
    ``on_result`` after each submission is recorded (for progress displays). ``executor="dask"``
    grades each submission as a task on the Dask ``scheduler`` (a local cluster of ``jobs``
    workers when None); results are recorded here either way.

    ``course``: a course file (see ``autograder.course``), validated before anything is written
    and copied to ``outdir/course.yml``; without one, ``outdir/course.yml`` is used if there is
    one. With a course, the CSVs have its late policy's columns. Submission times (an export's,
    a timestamp file's, or the modification time) are put on each row here, also on the rows
    of unchanged submissions, which are not graded again for it (see ``_refresh_times``).
    """
    if executor not in ("local", "dask"):
        raise BatchError(f"unknown executor {executor!r}: choose local or dask")
    submissions, outdir = Path(submissions), Path(outdir)
    if jobs < 1:
        raise BatchError(f"--jobs must be at least 1, got {jobs}")
    found = survey_submissions(assignment, submissions, outdir)
    course_file = course
    course = course_of(outdir, course_file)  # CourseError, before anything is written
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BatchError(f"cannot create the output folder {outdir}: {error.strerror}") from None

    with _file_errors(outdir, submissions), _exclusive(outdir), Gradebook(outdir) as gradebook, \
            opened_submissions(submissions, outdir, found) as (entries_found, unmatched):
        if course_file is not None:
            install_course(course_file, outdir)
        version = grader_version(assignment)
        max_score = max_score_of(tests_of(tests_path(assignment, public=False)))
        finished = {} if regrade else gradebook.finished(assignment.id, version)
        entries, duplicates = split_duplicates(entries_found)
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
        by_student = {entry.student: entry for entry in entries}
        _refresh_times(gradebook, assignment, [by_student[student] for student in skipped])
        if on_plan:
            on_plan(len(pending) + len(ungraded_rows), len(skipped))

        batch = BatchResult(assignment.id, str(outdir), str(gradebook.path), "", "", skipped_already_graded=skipped,
                            ignored=list(found.ignored) if found is not None else [])

        def record(result: SubmissionResult) -> None:
            _set_time(result, by_student.get(result.student))
            gradebook.record(result, version)
            batch.graded.append(result)
            if on_result:
                on_result(result)

        try:
            for row in ungraded_rows:
                record(row)
            if executor == "dask":
                _grade_on_dask(assignment, pending, scheduler, jobs, mode, device, version, max_score, record)
            elif jobs == 1 and not assignment.uses_keras:
                for entry, content_hash in pending:
                    result = grade_entry(assignment, entry, mode=mode)
                    _set_identity(result, entry.identity)
                    result.fingerprint = content_hash
                    record(result)
            else:
                _grade_in_pool(assignment, pending, jobs, mode, device, max_score, record)
        except BaseException:
            # Bring the CSVs up to what was recorded, if the folder still takes writes; the error
            # that stopped the batch is the one to report, not a second one from the CSVs.
            with suppress(OSError, sqlite3.Error):
                render_csvs(gradebook, assignment, outdir, course)
            raise
        batch.csv_path, batch.class_csv_path = map(str, render_csvs(gradebook, assignment, outdir, course))
        batch.problems = [row for row in gradebook.results(assignment.id) if row.status.is_problem]
    return batch


def _grade_in_pool(assignment: Assignment, pending: list[tuple[Entry, str]], jobs: int, mode: SandboxMode,
                   device: Device, max_score: float, record: ResultCallback) -> None:
    with grading_pool(jobs, device) as pool:
        futures: dict[Future, tuple[Entry, str]] = {
            pool.submit(grade_in_worker, assignment.id, entry.student, str(entry.path), False, mode.value, device,
                        language()):
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
                        outcome = future.result()
                    except Exception as error:  # noqa: BLE001 - a dead pool worker fails one row, not the batch
                        outcome = error
                    record(_row_of(assignment, entry, content_hash, outcome, max_score))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _row_of(assignment: Assignment, entry: Entry, content_hash: str, outcome: dict | BaseException,
            max_score: float) -> SubmissionResult:
    """The gradebook row of a result that came back from another process, or of its failure."""
    if isinstance(outcome, BaseException):
        result = SubmissionResult(
            assignment.id, entry.student, SubmissionStatus.GRADER_ERROR, max_score=max_score,
            detail=_f("the grading process failed: {error}",
                      error="{}: {}".format(type(outcome).__name__, outcome))[:500],
        )
    else:
        result = SubmissionResult.from_dict(outcome)
    _set_identity(result, entry.identity)
    result.fingerprint = content_hash
    return result


def _grade_on_dask(assignment: Assignment, pending: list[tuple[Entry, str]], scheduler: str | None, jobs: int,
                   mode: SandboxMode, device: Device, version: str, max_score: float, record: ResultCallback) -> None:
    from autograder.engine.dask_grading import DaskGrading, DaskUnavailable

    if not pending:
        return
    try:
        grading = DaskGrading(scheduler, device, local_workers=jobs)
    except DaskUnavailable as error:
        raise BatchError(str(error)) from None
    with grading:
        for entry, content_hash, outcome in grading.grade(assignment.id, pending, mode.value, version):
            record(_row_of(assignment, entry, content_hash, outcome, max_score))
