"""Read Gradescope's "Export Submissions" download as the entries of a batch.

The export is a folder, or a .zip of one (usually ``assignment_<id>_export/``), holding
``submission_metadata.yml`` and one ``submission_<id>/`` folder per submission. The metadata,
written by Ruby, maps each folder to its submitters and its time under symbol keys
(``:submitters:``, ``:sid:``, ``:created_at:``); keys without the colon are read too.

Each student gets one entry, for their latest submission, dated by its ``:created_at:`` (time
source "gradescope"; undated where the metadata has no readable time); a group submission gives
each of its members an entry pointing at the same folder. The student id is the SID, or the email, or the
name where the SID is empty. Folders and metadata that disagree become
:class:`UnmatchedSubmission` rows for the gradebook, so one stray folder never stops a class;
only an export that cannot be read at all raises :class:`GradescopeExportError`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path

import yaml

from autograder.i18n import _f
from autograder.intake import IGNORED_NAMES, Entry, StudentIdentity, display_name, extract_zip
from autograder.results import SubmissionStatus, plausible_time

METADATA_FILENAME = "submission_metadata.yml"
# A whole class in one archive: far above one submission's limits, which still apply to each
# submission when it is staged for grading.
MAX_EXPORT_BYTES = 2 * 1024**3
MAX_EXPORT_FILES = 200_000
# A submission whose time is missing or unreadable loses to any dated one of the same student.
_UNKNOWN_TIME = datetime.min.replace(tzinfo=timezone.utc)


class GradescopeExportError(Exception):
    """The export cannot be read at all; the message says why."""


@dataclass(frozen=True)
class UnmatchedSubmission:
    """A gradebook row for a submission that cannot be graded because folders and metadata
    disagree; ``folder`` is the submission folder concerned, which may not exist."""

    row_id: str
    status: SubmissionStatus
    detail: str
    folder: str
    identity: StudentIdentity | None = None


@dataclass(frozen=True)
class GradescopeExport:
    entries: list[Entry]
    unmatched: list[UnmatchedSubmission]


@dataclass(frozen=True)
class _Submission:
    folder: str
    submitted_at: datetime
    path: Path | None  # None: the metadata lists a folder that the export lacks


def find_export_root(folder: Path) -> Path | None:
    """The folder holding the metadata: ``folder`` itself or one of its sub-folders (the
    export's own folder, once its .zip is extracted); None if ``folder`` is not an export."""
    if (folder / METADATA_FILENAME).is_file():
        return folder
    roots = sorted(child for child in folder.iterdir()
                   if child.is_dir() and not child.is_symlink() and (child / METADATA_FILENAME).is_file())
    if len(roots) > 1:
        names = ", ".join(root.name for root in roots)
        raise GradescopeExportError(f"{folder} holds several Gradescope exports ({names}); grade them one at a time")
    return roots[0] if roots else None


def is_gradescope_export(path: Path) -> bool:
    """A folder with the export's metadata, or any .zip: a batch takes no other archive, and
    reading one that is not an export says so."""
    path = Path(path)
    if path.is_dir():
        return find_export_root(path) is not None
    return path.is_file() and path.suffix.lower() == ".zip"


@contextmanager
def opened_export(path: Path, scratch_parent: Path) -> Iterator[GradescopeExport]:
    """The export at ``path``, valid inside the context: a .zip is extracted (with intake's
    guards against ``..``, absolute paths, links and size bombs) into a temporary folder in
    ``scratch_parent`` that its entries point into, and that is removed afterwards."""
    path = Path(path)
    if path.is_dir():
        root = find_export_root(path)
        if root is None:
            raise GradescopeExportError(f"{path} is not a Gradescope export: it holds no {METADATA_FILENAME}")
        yield read_export(root)
        return
    with tempfile.TemporaryDirectory(prefix=".gradescope-export-", dir=scratch_parent) as scratch:
        problem = extract_zip(path, Path(scratch), max_bytes=MAX_EXPORT_BYTES, max_files=MAX_EXPORT_FILES)
        if problem is not None:
            raise GradescopeExportError(f"{path.name}: {problem.detail}")
        root = find_export_root(Path(scratch))
        if root is None:
            raise GradescopeExportError(f"{path.name} is not a Gradescope export: it holds no {METADATA_FILENAME}")
        yield read_export(root)


def read_export(root: Path) -> GradescopeExport:
    """The entries of the export whose metadata is in ``root``: each student's latest submission."""
    records = _load_metadata(root / METADATA_FILENAME)
    # Metadata names are matched against the folder's own listing, never joined to a path, so
    # a name such as "../x" in the metadata cannot point outside the export.
    submissions_on_disk = {child.name: child for child in root.iterdir()
                           if child.name != METADATA_FILENAME and not child.name.startswith(".")
                           and child.name not in IGNORED_NAMES and not child.is_symlink()}
    unmatched = [
        UnmatchedSubmission(shown, SubmissionStatus.UNIDENTIFIED,
                            _f("{folder} is not in {metadata}, so its student is unknown; it was not graded",
                               folder=shown, metadata=METADATA_FILENAME), shown)
        for shown in sorted(display_name(name) for name in submissions_on_disk.keys() - records.keys())
    ]
    by_student: dict[str, list[tuple[_Submission, StudentIdentity]]] = {}
    for folder, record in sorted(records.items()):
        submission = _Submission(folder, _submitted_at(_field(record, "created_at")), submissions_on_disk.get(folder))
        submitters = _submitters(record)
        if not submitters:
            unmatched.append(UnmatchedSubmission(
                folder, SubmissionStatus.UNIDENTIFIED,
                _f("{metadata} names no submitter (SID, email or name) for {folder}; it was not graded",
                   metadata=METADATA_FILENAME, folder=folder), folder))
        for identity in submitters:
            by_student.setdefault(_student_id(identity).casefold(), []).append((submission, identity))

    entries = []
    for submissions in by_student.values():
        # At equal times the later folder name wins, so that the choice never depends on order.
        latest, identity = max(submissions, key=lambda pair: (pair[0].submitted_at, pair[0].folder))
        student = _student_id(identity)
        if latest.path is None:
            unmatched.append(UnmatchedSubmission(
                student, SubmissionStatus.MISSING,
                _f("{metadata} lists {folder} as this student's latest submission, but the export has no such "
                   "folder", metadata=METADATA_FILENAME, folder=latest.folder), latest.folder, identity))
        else:
            known = latest.submitted_at != _UNKNOWN_TIME
            entries.append(Entry(student, latest.path, identity, submitted_at=latest.submitted_at if known else None,
                                 time_source="gradescope" if known else ""))
    return GradescopeExport(sorted(entries, key=lambda e: e.student), sorted(unmatched, key=lambda u: u.row_id))


def _load_metadata(path: Path) -> dict[str, object]:
    try:
        records = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise GradescopeExportError(f"cannot read {METADATA_FILENAME}: {error}") from None
    except yaml.YAMLError as error:
        raise GradescopeExportError(f"{METADATA_FILENAME} is not valid YAML: {' '.join(str(error).split())}") from None
    except RecursionError:
        raise GradescopeExportError(f"{METADATA_FILENAME} is nested too deeply to be Gradescope's metadata") from None
    except ValueError as error:  # e.g. an integer too long to convert
        raise GradescopeExportError(f"{METADATA_FILENAME} cannot be read: {error}") from None
    if records is None:  # an export of an assignment with no submissions
        return {}
    if not isinstance(records, dict):
        raise GradescopeExportError(f"{METADATA_FILENAME} does not map submission folders to their metadata")
    try:
        return {_printable(str(folder)): record for folder, record in records.items()}
    except ValueError as error:
        raise GradescopeExportError(f"{METADATA_FILENAME} names a submission folder that cannot be read: {error}") from None


def _field(mapping: object, name: str) -> object:
    """``mapping[":name"]`` as Ruby writes it, or ``mapping["name"]``; None if absent or not a mapping."""
    if not isinstance(mapping, dict):
        return None
    return mapping.get(f":{name}", mapping.get(name))


def _printable(text: str) -> str:
    """``text`` without lone surrogates (YAML lets "\\ud800" through), which SQLite and the CSV refuse."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _text(value: object) -> str:
    """A scalar of the metadata as text that can be stored and printed; anything else (a list,
    a mapping, which YAML aliases can make enormous) as empty."""
    if not isinstance(value, (str, int, float, date)):
        return ""
    try:
        return _printable(str(value).strip())
    except ValueError:  # an integer too long to print
        return ""


def _submitters(record: object) -> list[StudentIdentity]:
    """The identities of a submission's submitters that name someone (by SID, email or name)."""
    submitters = _field(record, "submitters")
    if not isinstance(submitters, list):
        return []
    identities = [StudentIdentity(_text(_field(s, "name")), _text(_field(s, "email")), _text(_field(s, "sid")))
                  for s in submitters]
    return [identity for identity in identities if _student_id(identity)]


def _student_id(identity: StudentIdentity) -> str:
    return identity.sid or identity.email or identity.name


def _submitted_at(value: object) -> datetime:
    """The time of a submission: YAML gives a datetime; a quoted one comes as text."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return _UNKNOWN_TIME
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if not isinstance(value, datetime):
        return _UNKNOWN_TIME
    # Times without a zone are taken as UTC, so that they compare with the zoned ones.
    value = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return value if plausible_time(value) else _UNKNOWN_TIME  # year 9999 -12:00 overflowed in rendering
