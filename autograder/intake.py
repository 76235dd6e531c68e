"""Find the submissions in a folder and stage each one, safely, into a private folder.

Every entry of the folder is one student, whose id is the entry's name: a sub-folder, a
``.zip`` (id without the suffix) or a single ``.py`` file (id without the suffix; the file is
the student's module whatever its name). Staging copies the student's files into a fresh
folder that the sandbox will see as ``/submission``; it never follows a link, never writes
outside that folder and refuses archives that are too large. Problems become a
:class:`SubmissionStatus` with a message, never an exception.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder.results import SubmissionStatus

MAX_SUBMISSION_BYTES = 50 * 1024 * 1024
MAX_FILES = 2000
IGNORED_NAMES = {"__MACOSX", ".DS_Store", "__pycache__", ".git", ".ipynb_checkpoints"}


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


@dataclass(frozen=True)
class Staged:
    """A submission copied into ``root``, its module at ``root / module_filename``."""

    root: Path
    module_filename: str


@dataclass(frozen=True)
class Problem:
    status: SubmissionStatus
    detail: str


def discover(submissions_dir: Path) -> list[Entry]:
    """Every entry of ``submissions_dir``, sorted by student id; hidden files are skipped."""
    entries = []
    for path in sorted(Path(submissions_dir).iterdir()):
        if path.name.startswith(".") or path.name in IGNORED_NAMES:
            continue
        student = path.stem if path.suffix.lower() in (".zip", ".py") and not path.is_dir() else path.name
        entries.append(Entry(student, path))
    return entries


def fingerprint(entry: Entry) -> str:
    """A hash of the entry's content: a changed submission is graded again, an unchanged one is not."""
    digest = hashlib.sha256()
    if entry.path.is_dir() and not entry.path.is_symlink():
        for file in sorted(p for p in entry.path.rglob("*") if p.is_file() and not p.is_symlink()):
            digest.update(str(file.relative_to(entry.path)).encode("utf-8", "surrogateescape") + b"\0")
            digest.update(file.read_bytes())
    elif entry.path.is_file() and not entry.path.is_symlink():
        digest.update(entry.path.read_bytes())
    return digest.hexdigest()


def _copy_folder(source: Path, target: Path) -> Problem | None:
    total, count = 0, 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part in IGNORED_NAMES for part in relative.parts) or path.is_symlink():
            continue
        if path.is_dir():
            (target / relative).mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            total += path.stat().st_size
            count += 1
            if total > MAX_SUBMISSION_BYTES or count > MAX_FILES:
                return Problem(SubmissionStatus.CORRUPT, f"the submission is larger than {MAX_SUBMISSION_BYTES // 2**20} MB or {MAX_FILES} files")
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)
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
    too_large = f"the archive holds more than {max_bytes // 2**20} MB or {max_files} files"
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
                destination.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as source, open(destination, "wb") as sink:
                    # Read in bounded chunks: a member may lie about its size.
                    while chunk := source.read(1 << 20):
                        written += len(chunk)
                        if written > max_bytes:
                            return Problem(SubmissionStatus.CORRUPT, "the archive expands to more than it declares")
                        sink.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError, OSError) as error:
        return Problem(SubmissionStatus.CORRUPT, f"the .zip file cannot be read ({type(error).__name__}: {error})"[:300])
    return None


def _locate_module(root: Path, module_filename: str) -> Path | Problem:
    if (root / module_filename).is_file():
        return root
    matches = sorted(p for p in root.rglob(module_filename) if p.is_file())
    if len(matches) == 1:
        return matches[0].parent  # e.g. a zip of the student's whole folder
    if len(matches) > 1:
        return Problem(SubmissionStatus.MISNAMED, f"found {len(matches)} files named {module_filename}; submit exactly one")
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    if not files:
        return Problem(SubmissionStatus.EMPTY, "the submission contains no files")
    shown = ", ".join(files[:5]) + (", ..." if len(files) > 5 else "")
    return Problem(SubmissionStatus.MISNAMED, f"expected a file named {module_filename}; found: {shown}")


def _check_source(module: Path) -> Problem | None:
    data = module.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return Problem(SubmissionStatus.NOT_UTF8, f"{module.name} is not valid UTF-8 (line {line}); save it as UTF-8")
    if not text.lstrip("\ufeff").strip():
        return Problem(SubmissionStatus.EMPTY, f"{module.name} is empty")
    return None


def stage(entry: Entry, module_filename: str, workdir: Path) -> Staged | Problem:
    """Copy ``entry`` into ``workdir`` (an empty folder) and find the student's module there."""
    path = entry.path
    if path.is_symlink():
        return Problem(SubmissionStatus.CORRUPT, "the entry is a symbolic link; submit a file or folder")
    if path.is_dir():
        problem = _copy_folder(path, workdir)
    elif path.suffix.lower() == ".zip":
        problem = extract_zip(path, workdir)
    elif path.suffix.lower() == ".py":
        problem = None
        if path.stat().st_size > MAX_SUBMISSION_BYTES:
            problem = Problem(SubmissionStatus.CORRUPT, "the file is too large")
        else:
            shutil.copyfile(path, workdir / module_filename)
    else:
        problem = Problem(SubmissionStatus.MISNAMED, f"{path.name} is neither a folder, a .zip nor a .py file")
    if problem is not None:
        return problem
    located = _locate_module(workdir, module_filename)
    if isinstance(located, Problem):
        return located
    return _check_source(located / module_filename) or Staged(located, module_filename)
