"""Grades for a learning management system: the CSV file that Canvas or Moodle imports, or a
plain CSV, rendered from the gradebook's results (one row per student, one column per
assignment).

The formats, as their documentation gives them:

Canvas, "How do I import grades in the Gradebook?" (Instructor Guide,
https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807;
the search tool did not retrieve that page, so this part is from knowledge of it) and, retrieved,
Ohio State's guide to the same import,
https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades:
the columns ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column
per assignment. A student is found by ``ID`` (Canvas's own user id), ``SIS User ID`` or ``SIS
Login ID`` ("Student Name ... OR Student ID OR Student SIS User ID ... Only one of these three
fields is required"). An assignment column is named like Canvas's export names it, ``Assignment
Name (123)`` (the number is Canvas's assignment id), or with a new name, and "New assignment
columns in the Gradebook generate new assignments". The export's second row, whose ``Student``
cell is ``Points Possible``, gives each assignment's maximum; this module writes it, so that a
new assignment gets the right points.

Moodle, "Grade import" (https://docs.moodle.org/311/en/Grade_import; also
https://docs.moodle.org/27/en/Grade_import): "The import file format is the same as the
corresponding export format"; on import, "Map from" a column of the file "to" a user field:
"Email Address" to "useremail", or "Id Number" to "useridnumber"; then each grade column maps to a
grade item (or a new one). Moodle's own plain-text export has the columns ``First name``, ``Last
name`` (``Surname`` in older versions), ``ID number``, ``Institution``, ``Department``, ``Email
address``, one ``<item> (Real)`` column per grade item and ``Last downloaded from this course``
(as Moodle's own import tests write it, grade/import/csv/tests in moodle/moodle). This module
writes the first six, then one column per assignment named after it without `` (Real)`` (a new
grade item would take the column's name, suffix and all), and leaves out ``Last downloaded from
this course``: Moodle compares that time with each grade's and refuses grades changed since
unless "Force import" is ticked (https://support.lanecc.edu/moodle-faculty-gradebook/how-to-import-grades),
and this file was never downloaded from Moodle.

The plain CSV has ``student``, ``name``, ``email``, ``sid`` and one column per assignment id.

A cell holds the student's FINAL score where a course file's late policy adjusts it (see
``autograder.course``), else the score; a row whose status is a problem (empty, syntax error,
grader error, ...) exports its score, which is 0: the file says what the gradebook says.

A roster (``--roster``: Canvas's or Moodle's own gradebook export, or any CSV with a header) maps
the gradebook's students to the LMS's identity: a gradebook student matches the roster row whose
``SIS User ID``, ``ID number``, ``sid``, ``student id``, ``student`` (not in Canvas's export,
where it is the name), ``Username``, ``SIS Login ID``, ``Email address``, ``email`` or ``ID`` (in
that order, case-insensitively) equals their sid, student id or email; a roster row matches one
gradebook student at most. With a roster the file has the roster's students in its order, their identity cells
copied from it (a column the roster lacks is filled from the gradebook); roster students with no
grade get empty cells, never a 0; gradebook students the roster lacks are left out and listed.
Canvas's "Points Possible" row and its "Test Student" are not students. An assignment column
whose name the roster already has (``LeNet for MNIST (4757)``, ``Assignment: LeNet for MNIST
(Real)``) takes the roster's header, so the grades land in that assignment. Without a roster,
Canvas gets ``SIS User ID`` = the sid (or the student id) and Moodle the same in ``ID number``,
with the email where the gradebook knows it.

Every text cell goes through the CSV gradebook's ``neutralise`` (a cell that starts like a
formula gets a leading apostrophe) and the file is written atomically, UTF-8 without a BOM.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.render.csv_gradebook import _Numeral, write_csv
from autograder.results import LateAdjustment, SubmissionResult

FORMATS = ("canvas", "moodle", "csv")
DEFAULT_FILENAMES = {"canvas": "canvas_grades.csv", "moodle": "moodle_grades.csv", "csv": "grades.csv"}

# Canvas's identity columns, as its gradebook import documents them (see the module docstring:
# https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807).
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# The label of Canvas's second row, as its export writes it (four spaces first).
CANVAS_POINTS_POSSIBLE = "    Points Possible"
# Moodle's identity columns, as its plain-text grade export writes them and its CSV import reads
# them (https://docs.moodle.org/311/en/Grade_import).
MOODLE_COLUMNS = ["First name", "Last name", "ID number", "Institution", "Department", "Email address"]
# The plain CSV's identity columns: the gradebook's own (as in the class CSV gradebook).
CSV_COLUMNS = ["student", "name", "email", "sid"]

# Roster columns that identify a student, strongest first: a gradebook student matches the first
# of these whose value equals their sid, student id or email (case-insensitively). Canvas's ``ID``
# is last: its numbers are Canvas's own, and could equal some other student's id by chance.
MATCH_COLUMNS = ("sis user id", "id number", "sid", "student id", "student", "username", "sis login id",
                 "email address", "email", "id")
# Roster rows that are no student: Canvas's test student.
_NOT_STUDENTS = {"student, test", "test student"}
# The labels of the rows under the header of Canvas's export that are no student.
_CANVAS_LABELS = {"points possible", "manual posting"}
# An LMS's decoration of an assignment column: Canvas's " (123)", Moodle's " (Real)" and the like.
_HEADER_SUFFIX = re.compile(r"\s*\((?:\d+|real|percentage|letter)\)\s*$", re.IGNORECASE)
_HEADER_PREFIX = re.compile(r"^[^:]{1,40}:\s*")  # Moodle's "Assignment: ", "Quiz: "


class LmsExportError(Exception):
    """What cannot be exported: an unknown format, a roster that cannot be read or identifies no
    one, an assignment the gradebook does not have. The message is one line saying what to do."""


@dataclass
class GradesExport:
    """What :func:`write_grades` wrote: the file, its students and columns, and who did not match.

    ``rows`` counts students (Canvas's Points Possible row is not one). ``missing_from_roster``:
    gradebook student ids the roster lacks (left out of the file). ``without_grades``: the roster's
    students with no grade (in the file, with empty cells), each named by the first of its SIS
    User ID / ID number / email / name that it has. ``adjusted``: the cells where a late policy
    made the final score differ from the score."""

    path: Path
    format: str
    assignments: list[str]
    columns: list[str]
    rows: int
    missing_from_roster: list[str] = field(default_factory=list)
    without_grades: list[str] = field(default_factory=list)
    adjusted: int = 0


@dataclass
class Roster:
    """A roster CSV: its header as written, and its rows keyed by the header in lower case.

    In Canvas's export (a roster with ``SIS User ID``, ``SIS Login ID`` or ``Section``) the
    ``Student`` column is the student's name, so it is not matched on; in a plain roster it is
    the student id."""

    path: Path
    header: list[str]
    rows: list[dict[str, str]]

    def has(self, *columns: str) -> str | None:
        """The first of ``columns`` (lower case) that the roster has, or None."""
        present = {name.strip().lower() for name in self.header}
        return next((column for column in columns if column in present), None)

    @property
    def student_is_name(self) -> bool:
        return self.has("sis user id", "sis login id", "section") is not None

    @property
    def match_columns(self) -> tuple[str, ...]:
        """The columns matched on, strongest first (see MATCH_COLUMNS)."""
        return tuple(c for c in MATCH_COLUMNS if not (c == "student" and self.student_is_name))


def read_roster(path: Path) -> Roster:
    """Read a roster CSV (UTF-8, with or without a BOM; the first row is the header). Rows that
    are no student (Canvas's Points Possible and Manual Posting rows, its Test Student, rows with
    no identity) are dropped. Raises LmsExportError if the file cannot be read or has no column
    that identifies a student."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LmsExportError(f"roster {path} not found; pass the CSV of your class (such as the LMS's own "
                             "gradebook export) with --roster") from None
    except IsADirectoryError:
        raise LmsExportError(f"roster {path} is a folder; pass a CSV file with --roster") from None
    except UnicodeDecodeError:
        raise LmsExportError(f"roster {path} is not UTF-8 text; save it as CSV UTF-8 and pass it again") from None
    except OSError as error:
        raise LmsExportError(f"cannot read roster {path}: {error.strerror or error}") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise LmsExportError(f"roster {path} is empty; its first row must name the columns (such as SIS User ID, "
                             "ID number, sid or email)")
    keys = [cell.strip().lower() for cell in header]
    roster = Roster(path, header, [])
    if not any(key in roster.match_columns for key in keys):
        raise LmsExportError(f"roster {path} has none of the columns that identify a student ("
                             + ", ".join(roster.match_columns) + "); add one, or export the roster from the LMS again")
    for cells in reader:
        row: dict[str, str] = {}
        for key, cell in zip(keys, cells):
            row.setdefault(key, cell.strip())
        if roster.student_is_name and row.get("student", "").lower() in _NOT_STUDENTS | _CANVAS_LABELS:
            continue
        if not any(row.get(key) for key in roster.match_columns):
            continue  # a blank line, or a row naming no one
        roster.rows.append(row)
    return roster


@dataclass
class _Person:
    """One row of the file: the gradebook's identity of a student (or the roster's, for a roster
    student with no grade), their scores, and their roster row where there is one."""

    student: str = ""
    name: str = ""
    email: str = ""
    sid: str = ""
    scores: dict[str, float] = field(default_factory=dict)
    roster_row: dict[str, str] | None = None


def _from_roster(row: dict[str, str], roster: Roster) -> _Person:
    """The gradebook-style identity of a roster student, from whatever columns the roster has."""
    first_last = " ".join(part for part in (row.get("first name", ""), row.get("last name") or row.get("surname", ""))
                          if part)
    student_column = "" if roster.student_is_name else row.get("student", "")
    return _Person(
        student=row.get("student id") or student_column,
        name=row.get("name") or first_last or (row.get("student", "") if roster.student_is_name else ""),
        email=row.get("email address") or row.get("email", ""),
        sid=row.get("sis user id") or row.get("id number") or row.get("sid", ""),
        roster_row=row,
    )


def _label(row: dict[str, str]) -> str:
    """How a roster student is named in messages."""
    for key in ("sis user id", "id number", "sid", "student id", "email address", "email", "sis login id",
                "username", "student", "name", "id"):
        if row.get(key):
            return row[key]
    return "?"


def _people(results: list[SubmissionResult], adjustments: dict,
            assignments: list[str]) -> tuple[dict[str, _Person], int]:
    """Student id -> their row, for each student with a result in ``assignments`` (their identity
    from their first result, of any assignment, that has one), and how many of those scores a
    late adjustment changed."""
    people: dict[str, _Person] = {}
    adjusted = 0
    wanted = set(assignments)
    for result in sorted(results, key=lambda r: (r.student, r.assignment)):
        person = people.setdefault(result.student, _Person(student=result.student))
        if not (person.name or person.email or person.sid) and (result.name or result.email or result.sid):
            person.name, person.email, person.sid = result.name, result.email, result.sid
        if result.assignment not in wanted:
            continue
        adjustment: LateAdjustment | None = adjustments.get((result.assignment, result.student))
        score = result.score
        if adjustment is not None:
            adjusted += adjustment.final_score != score
            score = adjustment.final_score
        person.scores[result.assignment] = score
    return {student: person for student, person in people.items() if person.scores}, adjusted


def _match(people: dict[str, _Person], roster: Roster) -> tuple[list[_Person], list[str], list[str]]:
    """The file's rows in the roster's order (roster students without a grade included), the
    gradebook students the roster lacks, and the roster students without a grade."""
    index: dict[tuple[str, str], int] = {}
    columns = roster.match_columns
    for position, row in enumerate(roster.rows):
        for column in columns:
            if row.get(column):
                index.setdefault((column, row[column].casefold()), position)
    matched: dict[int, _Person] = {}
    missing = []
    for student in sorted(people):
        person = people[student]
        candidates = [value.strip().casefold() for value in (person.sid, person.student, person.email) if value.strip()]
        position = next((index[(column, value)] for column in columns for value in candidates
                         if (column, value) in index and index[(column, value)] not in matched), None)
        if position is None:
            missing.append(student)
            continue
        person.roster_row = roster.rows[position]
        matched[position] = person
    rows, without = [], []
    for position, row in enumerate(roster.rows):
        if position in matched:
            person = matched[position]
            from_roster = _from_roster(row, roster)
            person.name = person.name or from_roster.name
            person.email = person.email or from_roster.email
            person.sid = person.sid or from_roster.sid
            rows.append(person)
        else:
            rows.append(_from_roster(row, roster))
            without.append(_label(row))
    return rows, missing, without


def _split_name(name: str) -> tuple[str, str]:
    """"Ada King Lovelace" -> ("Ada King", "Lovelace"): only for Moodle's name columns, which
    its import shows but does not match on."""
    first, _, last = name.strip().rpartition(" ")
    return (first, last) if first else (last, "")


def _identity_cells(fmt: str, person: _Person, roster: Roster | None) -> list[str]:
    """The identity cells of a row: from the roster where it has the column, else from the
    gradebook's identity."""
    row = person.roster_row or {}

    def pick(fallback: str, *columns: str) -> str:
        column = roster.has(*columns) if roster is not None else None
        return row.get(column, "") if column is not None else fallback

    own_id = person.sid or person.student
    if fmt == "canvas":
        return [pick(person.name or person.student, "student"), pick("", "id"), pick(own_id, "sis user id"),
                pick("", "sis login id"), pick("", "section")]
    if fmt == "moodle":
        first, last = _split_name(person.name)
        return [pick(first, "first name"), pick(last, "last name", "surname"), pick(own_id, "id number"),
                pick("", "institution"), pick("", "department"), pick(person.email, "email address", "email")]
    return [person.student, person.name, person.email, person.sid]


def _roster_header_for(names: tuple[str, ...], roster: Roster | None) -> str | None:
    """The roster's column for an assignment known by ``names`` (its title, its id), such as
    ``LeNet for MNIST (4757)`` or ``Assignment: LeNet for MNIST (Real)``, or None."""
    if roster is None:
        return None
    wanted = {name.strip().casefold() for name in names if name.strip()}
    for header in roster.header:
        base = _HEADER_SUFFIX.sub("", header).strip()
        if base.casefold() in wanted or _HEADER_PREFIX.sub("", base).strip().casefold() in wanted:
            return header.strip()
    return None


def _points(value: float) -> _Numeral:
    """A score as the file writes it: up to 4 decimals, no exponent, no trailing zeros."""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return _Numeral("0" if text in ("-0", "") else text)


def assignment_columns(fmt: str, assignments: list[str], titles: dict[str, str],
                       roster: Roster | None = None) -> list[str]:
    """The assignment columns' names: for Canvas and Moodle the roster's own column where it has
    one for the assignment, else the assignment's title (its id where it has none); for the plain
    CSV, the assignment id."""
    if fmt == "csv":
        return list(assignments)
    columns = []
    for assignment in assignments:
        title = titles.get(assignment) or assignment
        columns.append(_roster_header_for((title, assignment), roster) or title)
    return columns


def render_rows(fmt: str, results: list[SubmissionResult], *, titles: dict[str, str] | None = None,
                roster: Roster | None = None, adjustments: dict | None = None,
                assignments: list[str] | None = None) -> tuple[list[list], GradesExport]:
    """The rows of the file (header first) and what they hold (a GradesExport whose ``path`` is
    not set). ``adjustments``: (assignment, student) -> LateAdjustment, whose ``final_score``
    replaces the score. ``assignments``: the columns, in order (default: every assignment of
    ``results``, sorted); the rows are the students with a result in one of them (their
    identity may come from a result of another assignment), or the roster's students."""
    if fmt not in FORMATS:
        raise LmsExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    titles = titles or {}
    assignments = list(assignments) if assignments is not None else sorted({r.assignment for r in results})
    people, adjusted = _people(results, adjustments or {}, assignments)
    if roster is not None:
        ordered, missing, without = _match(people, roster)
    else:
        ordered, missing, without = [people[s] for s in sorted(people)], [], []
    identity = {"canvas": CANVAS_COLUMNS, "moodle": MOODLE_COLUMNS, "csv": CSV_COLUMNS}[fmt]
    columns = assignment_columns(fmt, assignments, titles, roster)
    rows: list[list] = [identity + columns]
    if fmt == "canvas":
        possible = {a: max((r.max_score for r in results if r.assignment == a), default=0.0) for a in assignments}
        rows.append([CANVAS_POINTS_POSSIBLE] + [""] * (len(identity) - 1) + [_points(possible[a]) for a in assignments])
    for person in ordered:
        rows.append(_identity_cells(fmt, person, roster)
                    + [_points(person.scores[a]) if a in person.scores else "" for a in assignments])
    built = GradesExport(Path(), fmt, assignments, rows[0], len(ordered), missing, without, adjusted)
    return rows, built


def write_grades(path: Path, fmt: str, results: list[SubmissionResult], *, titles: dict[str, str] | None = None,
                 roster: Roster | None = None, adjustments: dict | None = None,
                 assignments: list[str] | None = None) -> GradesExport:
    """Write the LMS file to ``path`` (atomically; text cells neutralised) and say what it holds.
    The arguments are :func:`render_rows`'s."""
    rows, built = render_rows(fmt, results, titles=titles, roster=roster, adjustments=adjustments,
                              assignments=assignments)
    write_csv(Path(path), rows)
    built.path = Path(path)
    return built
