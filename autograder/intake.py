"""Find the submissions in a folder and stage each one, safely, into a private folder.

A class folder holds one entry per student, whose id is the entry's name: a sub-folder, a
``.zip`` (id without the suffix) or a single ``.py`` or ``.ipynb`` file (id without the suffix;
the file is the student's module, or the notebook it is built from, whatever its name). A
notebook becomes the module at staging (see ``autograder.notebooks``). Any other file (a
README.txt, notes.md, a .csv) is no submission: ``survey`` lists it as ignored, so that it is
never graded as a student; hidden files and ``IGNORED_NAMES`` are skipped without a word. A
folder that is no class (empty, or one student's own) is told apart by ``class_folder_problem``.
Staging copies the student's files into a fresh folder that the sandbox will see as
``/submission``; it never follows a link, never writes outside that folder and refuses archives
that are too large. Problems of the submission become a :class:`SubmissionStatus` with a
message, never an exception; a failure of the grading machine itself (its disk full or
read-only, see ``ENVIRONMENT_ERRNOS``) is raised instead, so that it never sticks to a student
as a status. A name that is not UTF-8 is shown, and becomes a student id, as ``display_name``
reads it.
"""

from __future__ import annotations

import errno
import hashlib
import lzma
import os
import shutil
import stat
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from autograder.checks import printable
from autograder.i18n import LANGUAGES, N_, _, _f, translations
from autograder.notebooks import NOTEBOOK_SUFFIX, NotebookModule, NotebookProblem, notebook_filename
from autograder.notebooks import convert_bounded
from autograder.results import PLAUSIBLE_YEARS, SubmissionStatus, plausible_time

MAX_SUBMISSION_BYTES = 50 * 1024 * 1024
MAX_FILES = 2000
IGNORED_NAMES = {"__MACOSX", ".DS_Store", "__pycache__", ".git", ".ipynb_checkpoints"}
_CHUNK = 1 << 20
# Write failures that are the grading machine's (a full or read-only disk), not the submission's:
# they are raised, so that the submission is graded again on the next run rather than recorded
# with a status it does not deserve.
ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.ENOMEM})


@dataclass(frozen=True)
class StudentIdentity:
    """Who a submission belongs to, as a course platform's export names them (Gradescope's
    metadata). An entry found by its file name has none: the name is all that is known."""

    name: str = ""
    email: str = ""
    sid: str = ""


@dataclass(frozen=True)
class Entry:
    student: str
    path: Path
    identity: StudentIdentity | None = None
    # When it was submitted (timezone-aware) and where that came from (results.TIME_SOURCES);
    # None where unknown. Not part of the content: grading never reads it.
    submitted_at: datetime | None = None
    time_source: str = ""
    # What went wrong finding that time (an invalid timestamp file), for the row's notes; "" if nothing.
    time_note: str = ""


@dataclass(frozen=True)
class Staged:
    """A submission copied into ``root``, its module at ``root / module_filename``; ``notes``
    say what intake changed that the student should know (a notebook's dropped magics)."""

    root: Path
    module_filename: str
    notes: tuple[str, ...] = field(default=())
    # The notebook the module was built from (None for a .py): it maps the module's lines to cells.
    notebook: NotebookModule | None = None


@dataclass(frozen=True)
class Problem:
    status: SubmissionStatus
    detail: str


def display_name(name: str) -> str:
    """A file name as text that can be stored, written to a CSV and printed.

    The OS hands Python a name that is not UTF-8 (a Windows zip, an old Mac) with lone
    surrogates in it, which SQLite, the CSV and the terminal refuse; such a name is read as
    Latin-1 instead, which every byte sequence is.
    """
    try:
        raw = os.fsencode(name)
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        return name.encode("utf-8", "replace").decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


SUBMISSION_SUFFIXES = (".zip", ".py", NOTEBOOK_SUFFIX)


@dataclass(frozen=True)
class ClassFolder:
    """What a class folder holds: one entry per student, and the names of the files that are no
    submission, which are ignored (as ``display_name`` reads them, cleaned to print on one line)."""

    entries: list[Entry]
    ignored: list[str]


def is_submission(path: Path) -> bool:
    """Whether an entry of a class folder is a student's submission: a folder (or a link to one,
    which staging refuses, so that the student gets a row saying so), or a file, of any kind,
    whose name ends in .zip, .py or .ipynb (staging says what is wrong with a link or a FIFO)."""
    return path.suffix.lower() in SUBMISSION_SUFFIXES or path.is_dir()


def survey(submissions_dir: Path) -> ClassFolder:
    """The entries of ``submissions_dir`` sorted by student id, and its other files: hidden files
    and ``IGNORED_NAMES`` are skipped, any other file that is not a submission is ignored. A
    submission's timestamp file is neither: each entry is ``dated`` from it (or its mtime)."""
    entries, ignored = [], []
    for path in sorted(Path(submissions_dir).iterdir()):
        if path.name.startswith(".") or path.name in IGNORED_NAMES:
            continue
        if is_timestamp_file(path):  # a submission's time, not a submission (see ``dated``)
            continue
        if not is_submission(path):
            ignored.append(printable(display_name(path.name), 200))
            continue
        student = path.stem if path.suffix.lower() in SUBMISSION_SUFFIXES and not path.is_dir() else path.name
        entries.append(Entry(display_name(student), path))
    return ClassFolder([dated(entry) for entry in entries], ignored)


def discover(submissions_dir: Path) -> list[Entry]:
    """Every submission in ``submissions_dir``, sorted by student id (see ``survey``)."""
    return survey(submissions_dir).entries


def class_folder_problem(folder: Path, found: ClassFolder, module_filename: str) -> str | None:
    """Why ``folder`` cannot be graded as a class, in one line, or None if it can: it holds no
    submission at all, or it is one student's submission (it holds ``module_filename`` itself,
    and no sub-folder or .zip that could be another student's)."""
    shown = printable(display_name(str(folder)), 300)
    if not found.entries:
        one = len(found.ignored) == 1
        others = (f" (only {_listing(found.ignored)}, which {'is not a submission' if one else 'are not submissions'})"
                  if found.ignored else "")
        return (f"no submissions in {shown}{others}: pass the folder that holds one sub-folder, .zip or .py file "
                "per student, or a Gradescope export")
    module = Path(folder) / module_filename
    notebook = Path(folder) / notebook_filename(module_filename)
    holds_module = any(file.is_file() and not file.is_symlink() for file in (module, notebook))
    held = module_filename if module.is_file() else notebook.name
    if holds_module and not any(entry.path.is_dir() or entry.path.suffix.lower() == ".zip"
                                for entry in found.entries):
        folder = Path(folder)
        parent = folder.parent if len(folder.parts) > 1 else folder.absolute().parent
        parent = printable(display_name(str(parent)), 300)
        return (f"{shown} is one student's submission (it holds {held} itself), not a class folder: "
                f"pass the folder with one sub-folder, .zip or .py file per student, such as {parent}; to grade "
                "this student alone, put this folder in an empty folder and pass that one")
    return None


def _listing(names: list[str], shown: int = 5) -> str:
    """``a, b, c`` or ``a, b, c and 4 more``."""
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


# A submission's time in a plain class folder: ``<student id>.timestamp.txt`` beside the entry
# (``alice.timestamp.txt`` for ``alice/``, ``alice.zip`` or ``alice.py``), holding one ISO 8601
# time with its UTC offset (``2026-10-01T23:30:00+08:00``; ``Z`` or a trailing `` UTC``, as
# nbgrader writes it, mean UTC). It sits outside the submission, where the instructor (or the
# tool that collected it) puts it: a timestamp.txt inside a student's folder is the student's
# own file and is not read. Without one, the entry's modification time is used (for a folder,
# that of its newest file): the weakest source, which copying without -p or a wrong clock changes.
TIMESTAMP_SUFFIX = ".timestamp.txt"
MAX_TIMESTAMP_BYTES = 256
# TRANSLATORS: the start of every note about a submission time; each translated note starts with
# this translation exactly (see is_time_note).
TIME_NOTE_PREFIX = N_("submission time: ")


def is_time_note(note: str) -> bool:
    """Whether ``note`` is a note about a submission time (see ``_timestamp_in``), in any language
    a gradebook's notes may have been written in."""
    prefixes = {TIME_NOTE_PREFIX, _(TIME_NOTE_PREFIX)}
    for language in LANGUAGES:
        try:
            prefixes.add(translations(language).gettext(TIME_NOTE_PREFIX))
        except OSError:  # a language whose catalog is not installed wrote no notes here
            pass
    return note.startswith(tuple(prefixes))


def _student_stem(path: Path) -> str:
    """The (raw) student id of an entry, as ``survey`` takes it from the entry's name."""
    return path.stem if path.suffix.lower() in SUBMISSION_SUFFIXES and not path.is_dir() else path.name


def timestamp_path(entry_path: Path) -> Path:
    """Where the timestamp file of the entry at ``entry_path`` is: ``<student id>.timestamp.txt`` beside it."""
    return entry_path.with_name(_student_stem(entry_path) + TIMESTAMP_SUFFIX)


def is_timestamp_file(path: Path) -> bool:
    """Whether ``path`` (not a folder) is the timestamp file of an entry beside it."""
    if not path.name.lower().endswith(TIMESTAMP_SUFFIX) or path.is_dir():
        return False
    stem = path.name[:-len(TIMESTAMP_SUFFIX)]
    if not stem:
        return False
    candidates = [stem] + [stem + suffix for known in SUBMISSION_SUFFIXES for suffix in (known, known.upper())]
    return any(os.path.lexists(path.with_name(name)) and is_submission(path.with_name(name))
               and _student_stem(path.with_name(name)) == stem for name in candidates)


def _timestamp_in(path: Path) -> tuple[datetime | None, str]:
    """The time in the timestamp file ``path``, or None and why not ("" where there is no file)."""
    if not os.path.lexists(path):
        return None, ""
    shown = printable(display_name(path.name), 200)

    def unusable(reason: str) -> tuple[None, str]:
        # TRANSLATORS: must start with the translation of "submission time: ".
        return None, _f("submission time: {file} is unusable ({reason}); used the modification time instead",
                        file=shown, reason=reason)

    if not path.is_file():
        return unusable(_("it is not a file"))
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_TIMESTAMP_BYTES + 1)
    except OSError as error:
        return unusable(_f("cannot read it: {error}", error=str(error.strerror or error)))
    try:
        text = raw[:MAX_TIMESTAMP_BYTES].decode("utf-8").strip()
        if len(raw) > MAX_TIMESTAMP_BYTES:
            raise ValueError
        if text.upper().endswith(" UTC"):
            text = text[:-4].rstrip() + "+00:00"
        when = datetime.fromisoformat(text)
    except (ValueError, UnicodeDecodeError):
        return unusable(_("not an ISO 8601 time such as 2026-10-01T23:30:00+08:00"))
    if when.tzinfo is None:
        return unusable(_f("{time} has no UTC offset; write it as 2026-10-01T23:30:00+08:00", time=printable(text, 60)))
    if not plausible_time(when):
        return unusable(_f("{time} is not between the years {first} and {last}", time=printable(text, 60),
                           first=PLAUSIBLE_YEARS[0], last=PLAUSIBLE_YEARS[1]))
    return when, ""


def _modified_at(path: Path) -> datetime | None:
    """The modification time of an entry: for a folder, of its newest file (links not followed,
    hidden files and ``IGNORED_NAMES`` left out), or the folder's own if it holds none."""
    try:
        newest = os.lstat(path).st_mtime
        if path.is_dir() and not path.is_symlink():
            files = []
            seen = 0
            for folder, dirs, names in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".") and d not in IGNORED_NAMES]
                for name in names:
                    if not name.startswith(".") and name not in IGNORED_NAMES:
                        files.append(os.lstat(os.path.join(folder, name)).st_mtime)
                seen += len(names)
                if seen > MAX_FILES:
                    break
            newest = max(files, default=newest)
        # A file's time comes from wherever it was unpacked (a tar keeps any mtime, which tmpfs
        # and btrfs store): year 36812 raised ValueError here, out of survey, and stopped the batch.
        moment = datetime.fromtimestamp(newest, timezone.utc)
    except (OSError, ValueError, OverflowError):
        return None
    return moment if plausible_time(moment) else None


def dated(entry: Entry) -> Entry:
    """``entry`` with its submission time, unless it has one: from its timestamp file
    (``time_source`` "timestamp_file"), else its modification time ("mtime"; with a
    ``time_note`` where a timestamp file was there but unusable)."""
    if entry.submitted_at is not None:
        return entry
    when, note = _timestamp_in(timestamp_path(entry.path))
    if when is not None:
        return replace(entry, submitted_at=when, time_source="timestamp_file")
    modified = _modified_at(entry.path)
    return replace(entry, submitted_at=modified, time_source="mtime" if modified else "", time_note=note)


def _hash_file(digest, path: Path) -> None:
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)


def fingerprint(entry: Entry) -> str:
    """A hash of the entry's content: a changed submission is graded again, an unchanged one is not.

    A submission too large to be graded is hashed by its file names and sizes only: it is
    refused whatever its bytes, until it changes size.
    """
    digest = hashlib.sha256()
    if entry.path.is_dir() and not entry.path.is_symlink():
        files = sorted(p for p in entry.path.rglob("*") if p.is_file() and not p.is_symlink())
        sizes = [file.stat().st_size for file in files]
        too_large = sum(sizes) > MAX_SUBMISSION_BYTES or len(files) > MAX_FILES
        for file, size in zip(files, sizes):
            digest.update(str(file.relative_to(entry.path)).encode("utf-8", "surrogateescape") + b"\0")
            if too_large:
                digest.update(b"%d\0" % size)
            else:
                _hash_file(digest, file)
    elif entry.path.is_file() and not entry.path.is_symlink():
        size = entry.path.stat().st_size
        if size > MAX_SUBMISSION_BYTES:
            digest.update(b"too large\0%d" % size)
        else:
            _hash_file(digest, entry.path)
    return digest.hexdigest()


class _CannotWrite(Exception):
    """Writing ``name`` into the staging folder failed with ``error``."""

    def __init__(self, name: str, error: OSError):
        super().__init__(name, error)
        self.name, self.error = name, error


@contextmanager
def _writing(name: str):
    """Turn an OSError inside the block into _CannotWrite(name)."""
    try:
        yield
    except OSError as error:
        raise _CannotWrite(name, error) from error


# What a file that cannot be written into the staging folder says, by what was being done.
_WRITE_PROBLEMS = {
    "copied": N_("{name} cannot be copied ({reason})"),
    "extracted": N_("{name} cannot be extracted ({reason})"),
    "written": N_("{name} cannot be written ({reason})"),
}


def _write_problem(failure: _CannotWrite, verb: str) -> Problem:
    """The submission's status for a file that cannot be written, or the error itself if the
    grading machine is at fault (see ENVIRONMENT_ERRNOS)."""
    if failure.error.errno in ENVIRONMENT_ERRNOS:
        raise failure.error
    reason = failure.error.strerror or type(failure.error).__name__
    if failure.error.errno in (errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
        reason = _("a file and a folder have the same name")
    return Problem(SubmissionStatus.CORRUPT, _f(_WRITE_PROBLEMS[verb], name=failure.name, reason=reason)[:300])


def _copy_folder(source: Path, target: Path) -> Problem | None:
    total, count = 0, 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part in IGNORED_NAMES for part in relative.parts) or path.is_symlink():
            continue
        try:
            if path.is_dir():
                with _writing(display_name(str(relative))):
                    (target / relative).mkdir(parents=True, exist_ok=True)
            elif path.is_file():
                total += path.stat().st_size
                count += 1
                if total > MAX_SUBMISSION_BYTES or count > MAX_FILES:
                    return Problem(SubmissionStatus.CORRUPT,
                                   _f("the submission is larger than {megabytes} MB or {files} files",
                                      megabytes=MAX_SUBMISSION_BYTES // 2**20, files=MAX_FILES))
                with _writing(display_name(str(relative))):
                    (target / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target / relative)
        except _CannotWrite as failure:
            return _write_problem(failure, "copied")
    return None


def _safe_member_path(name: str) -> PurePosixPath | None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    if any(part in IGNORED_NAMES for part in path.parts):
        return None
    return path


def extract_zip(archive: Path, target: Path, *, max_bytes: int = MAX_SUBMISSION_BYTES,
                max_files: int = MAX_FILES) -> Problem | None:
    """Extract ``archive`` into ``target``, skipping members with ``..``, absolute paths or links.

    The limits default to one submission's; a whole class's archive passes larger ones. They
    hold for what is actually written, not only for what the archive declares.
    """
    too_large = _f("the archive holds more than {megabytes} MB or {files} files", megabytes=max_bytes // 2**20,
                   files=max_files)
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > max_files or sum(m.file_size for m in members) > max_bytes:
                return Problem(SubmissionStatus.CORRUPT, too_large)
            written = 0
            for member in members:
                relative = _safe_member_path(member.filename)
                is_link = stat.S_ISLNK(member.external_attr >> 16)
                if relative is None or is_link or member.is_dir():
                    continue
                destination = target.joinpath(*relative.parts)
                with zf.open(member) as source:
                    with _writing(str(relative)):
                        destination.parent.mkdir(parents=True, exist_ok=True)
                        sink = open(destination, "wb")
                    with sink:
                        # Read in bounded chunks: a member may lie about its size.
                        while chunk := source.read(_CHUNK):
                            written += len(chunk)
                            if written > max_bytes:
                                return Problem(SubmissionStatus.CORRUPT,
                                               _("the archive expands to more than it declares"))
                            with _writing(str(relative)):
                                sink.write(chunk)
    except _CannotWrite as failure:
        return _write_problem(failure, "extracted")
    except RuntimeError as error:  # zipfile's "File ... is encrypted, password required"
        reason = _("it is encrypted; submit it without a password") if "encrypt" in str(error) else str(error)
        return Problem(SubmissionStatus.CORRUPT, _f("the .zip file cannot be read ({reason})", reason=reason)[:300])
    except (zlib.error, lzma.LZMAError) as error:
        return Problem(SubmissionStatus.CORRUPT, _f("the .zip file is damaged: its compressed data cannot be "
                                                    "decompressed ({error})", error=str(error))[:300])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError, OSError) as error:
        return Problem(SubmissionStatus.CORRUPT, _f("the .zip file cannot be read ({reason})",
                                                    reason="{}: {}".format(type(error).__name__, error))[:300])
    return None


def _locate_module(root: Path, module_filename: str) -> Path | Problem:
    if (root / module_filename).is_file():
        return root
    matches = sorted(p for p in root.rglob(module_filename) if p.is_file())
    if len(matches) == 1:
        return matches[0].parent  # e.g. a zip of the student's whole folder
    if len(matches) > 1:
        return Problem(SubmissionStatus.MISNAMED, _f("found {count} files named {name}; submit exactly one",
                                                     count=len(matches), name=module_filename))
    # No module: its notebook (lenet.ipynb for lenet.py), which staging turns into the module.
    notebook = notebook_filename(module_filename)
    notebooks = sorted(p for p in root.rglob(notebook) if p.is_file())
    if len(notebooks) == 1:
        return notebooks[0].parent
    if len(notebooks) > 1:
        return Problem(SubmissionStatus.MISNAMED, _f("found {count} files named {name}; submit exactly one",
                                                     count=len(notebooks), name=notebook))
    files = sorted(display_name(str(p.relative_to(root))) for p in root.rglob("*") if p.is_file())
    if not files:
        return Problem(SubmissionStatus.EMPTY, _("the submission contains no files"))
    shown = ", ".join(files[:5]) + (", ..." if len(files) > 5 else "")
    return Problem(SubmissionStatus.MISNAMED, _f("expected a file named {name} (or {notebook}); found: {found}",
                                                 name=module_filename, notebook=notebook, found=shown))


def _check_source(module: Path) -> Problem | None:
    data = module.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return Problem(SubmissionStatus.NOT_UTF8, _f("{name} is not valid UTF-8 (line {line}); save it as UTF-8",
                                                     name=module.name, line=line))
    if not text.lstrip("\ufeff").strip():
        return Problem(SubmissionStatus.EMPTY, _f("{name} is empty", name=module.name))
    return None


def stage(entry: Entry, module_filename: str, workdir: Path, *,
          keep_names: frozenset[str] = frozenset()) -> Staged | Problem:
    """Copy ``entry`` into ``workdir`` (an empty folder) and find the student's module there.

    Where the submission has no module but its notebook (``lenet.ipynb`` for ``lenet.py``, or a
    single .ipynb entry), the module is built from the notebook (see ``autograder.notebooks``;
    ``keep_names`` are the stub's top-level names, whose assignments it keeps), with notes for
    the student. Where it has both, the module is graded, and a note says so."""
    path = entry.path
    notebook_name = display_name(path.name) if path.suffix.lower() == NOTEBOOK_SUFFIX and not path.is_dir() else ""
    too_large = _f("the file is larger than {megabytes} MB", megabytes=MAX_SUBMISSION_BYTES // 2**20)
    if path.is_symlink():
        return Problem(SubmissionStatus.CORRUPT, _("the entry is a symbolic link; submit a file or folder"))
    if path.is_dir():
        problem = _copy_folder(path, workdir)
    elif not path.is_file():  # a FIFO would block the grader forever; a socket or device is no submission
        problem = Problem(SubmissionStatus.CORRUPT, _f("{name} is not a regular file or folder",
                                                      name=display_name(path.name)))
    elif path.suffix.lower() == ".zip":
        problem = (Problem(SubmissionStatus.CORRUPT, too_large) if path.stat().st_size > MAX_SUBMISSION_BYTES
                   else extract_zip(path, workdir))
    elif path.suffix.lower() in (".py", NOTEBOOK_SUFFIX):
        problem = None
        if path.stat().st_size > MAX_SUBMISSION_BYTES:
            problem = Problem(SubmissionStatus.CORRUPT, too_large)
        else:
            try:
                with _writing(display_name(path.name)):
                    shutil.copyfile(path, workdir / (notebook_filename(module_filename) if notebook_name
                                                     else module_filename))
            except _CannotWrite as failure:
                problem = _write_problem(failure, "copied")
    else:
        problem = Problem(SubmissionStatus.MISNAMED,
                          _f("{name} is neither a folder, a .zip, a .py nor an .ipynb file",
                             name=display_name(path.name)))
    if problem is not None:
        return problem
    located = _locate_module(workdir, module_filename)
    if isinstance(located, Problem):
        return located
    notebook = notebook_filename(module_filename)
    if not (located / module_filename).is_file():
        return _stage_notebook(located / notebook, notebook_name or notebook, module_filename, keep_names)
    notes = ()
    if any(p.is_file() for p in workdir.rglob(notebook)):
        notes = (_f("graded {name}; {notebook}, also in the submission, was not graded "
                    "(a .py file is graded rather than a notebook: submit one of them)",
                    name=module_filename, notebook=notebook),)
    return _check_source(located / module_filename) or Staged(located, module_filename, notes)


def _stage_notebook(notebook: Path, name: str, module_filename: str, keep_names: frozenset[str]) -> Staged | Problem:
    """Write the module built from ``notebook`` (``name`` in messages) beside it."""
    try:
        built = convert_bounded(notebook, name, keep_names=keep_names)
    except NotebookProblem as problem:
        return Problem(problem.status, problem.message)
    try:
        with _writing(module_filename):
            (notebook.parent / module_filename).write_text(built.source, encoding="utf-8")
    except _CannotWrite as failure:
        return _write_problem(failure, "written")
    return Staged(notebook.parent, module_filename, built.notes, built)
