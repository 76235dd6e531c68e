"""CSV gradebooks: one per assignment, and one for the class across assignments.

Files are written to a temporary file in the same folder and renamed into place, so a
reader never sees half a gradebook.

Text cells come from outside the grader (a student id is a submission's file or folder name; a
Gradescope export gives names and emails): one that starts with ``= + - @``, a tab or a carriage
return would be a formula when the CSV is opened in a spreadsheet (``=HYPERLINK(...)``,
``=cmd|...``). Such cells get a leading apostrophe, as OWASP's "CSV injection" advice says;
numbers (scores, which can be negative) stay numbers.

With a course's late policy (``adjustments``, see ``autograder.course``), both CSVs get its
columns after the score columns; ``score`` and ``percent`` stay the raw scores the tests gave,
so that scripts reading them see what they always did, and ``final_score``/``final_percent``
are what the student gets. The assignment CSV adds, before the per-test columns,
``LATE_COLUMNS``: ``raw_score penalty final_score final_percent lateness late_units
tokens_used submitted_at time_source due`` (``lateness`` in words: "on time", "2 days 3 h
late", "past cutoff", "time unknown"; ``time_source`` says where the time came from, "mtime"
being the weakest: a file's modification time). The class CSV adds ``final_total`` after
``total`` (raw scores for assignments the course does not name), then, per assignment the
course names, ``<assignment>.<column>`` for the same columns. Without adjustments for an
assignment, its CSV is exactly as it was without a course.

The header row is the columns' ids above: stable English ids, whatever the course's language, so
that scripts and spreadsheets that read a gradebook by column keep working. Their titles in the
current language (``autograder.i18n``) come from :func:`localized_headers` (``score`` -> "得分"
in Chinese), which the report's tables use as their headings; ``localized_header=True`` on
either writer adds them as one more row above the ids (the ids row stays, second: a reader must
then skip the first row). Assignment ids, test names and other cells are never translated.
"""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

from autograder.course import lateness_text
from autograder.files import write_atomically
from autograder.i18n import N_, _, _f
from autograder.results import LateAdjustment, SubmissionResult, TestInfo

FIXED_COLUMNS = ["student", "score", "max_score", "percent", "status"]
# Who each student is, where an export named them (Gradescope); left out for a plain folder of
# submissions, whose gradebooks keep the columns they always had.
IDENTITY_COLUMNS = ["name", "email", "sid"]
# A course's late policy, per (assignment, student) row (see the module's docstring).
LATE_COLUMNS = ["raw_score", "penalty", "final_score", "final_percent", "lateness", "late_units", "tokens_used",
                "submitted_at", "time_source", "due"]
Adjustments = dict[tuple[str, str], LateAdjustment]
# Each column id's title, translated where it is shown (localized_headers). The assignment ids
# and test names that are columns too are titles of their own.
COLUMN_TITLES = {
    "student": N_("student"),
    "name": N_("name"),
    "email": N_("email"),
    "sid": N_("SID"),
    "score": N_("score"),
    "max_score": N_("maximum score"),
    "percent": N_("percent"),
    "status": N_("status"),
    "bonus": N_("bonus"),
    "total": N_("total"),
    "final_total": N_("final total"),
    "raw_score": N_("raw score"),
    "penalty": N_("penalty"),
    "final_score": N_("final score"),
    "final_percent": N_("final percent"),
    "lateness": N_("lateness"),
    "late_units": N_("late units"),
    "tokens_used": N_("tokens used"),
    "submitted_at": N_("submitted at"),
    "time_source": N_("time source"),
    "due": N_("due"),
}


def localized_headers(columns) -> dict[str, str]:
    """Each column id of ``columns`` -> its title in the current language (``raw_score`` -> "raw
    score" in English). An ``<assignment>.<late column>`` id of the class CSV is titled
    "<assignment>: <title>"; any other id (an assignment, a test) is its own title."""
    titles = {}
    for column in columns:
        assignment, dot, late_column = column.rpartition(".")
        if column in COLUMN_TITLES:
            titles[column] = _(COLUMN_TITLES[column])
        elif dot and assignment and late_column in LATE_COLUMNS:
            titles[column] = _f("{assignment}: {column}", assignment=assignment, column=_(COLUMN_TITLES[late_column]))
        else:
            titles[column] = column
    return titles


def _with_header(rows: list[list], localized_header: bool) -> list[list]:
    """``rows`` (the ids row first), with the ids' localized titles above them if asked."""
    if not localized_header:
        return rows
    titles = localized_headers(rows[0])
    return [[titles[column] for column in rows[0]], *rows]


def _mode_for(path: Path) -> int:
    """mkstemp makes a file private: a gradebook keeps the mode it had, or is readable like the
    SQLite file next to it when it is new."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o644


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Numeral(str):
    """A number as the gradebook writes it ("-1.5"): left as it is, unlike text."""


def neutralise(cell) -> str:
    """A text cell that no spreadsheet reads as a formula: a leading apostrophe where it starts
    like one. Numbers (:class:`_Numeral`, int, float) are written as they are."""
    if isinstance(cell, (_Numeral, int, float)):
        return cell
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_csv(path: Path, rows: list[list]) -> None:
    """The rows as CSV (every cell through ``neutralise``), written atomically and durably, in
    the mode the file had (see ``_mode_for``)."""
    text = io.StringIO(newline="")
    csv.writer(text).writerows([[neutralise(cell) for cell in row] for row in rows])
    write_atomically(path, text.getvalue(), mode=_mode_for(path), durable=True)


def _number(value: float) -> _Numeral:
    return _Numeral(f"{value:g}")


def _identity(result: SubmissionResult) -> list[str]:
    return [result.name, result.email, result.sid]


def _late_cells(adjustment: LateAdjustment | None, max_score: float) -> list:
    """The LATE_COLUMNS of one row; empty cells where there is no adjustment."""
    if adjustment is None:
        return [""] * len(LATE_COLUMNS)
    final_percent = round(100.0 * adjustment.final_score / max_score, 2) if max_score else 0.0
    return [_number(adjustment.raw_score), _number(adjustment.penalty_points), _number(adjustment.final_score),
            _number(final_percent), lateness_text(adjustment), adjustment.late_units, adjustment.tokens_used,
            adjustment.submitted_at, adjustment.time_source, adjustment.due]


def write_assignment_csv(path: Path, tests: list[TestInfo], results: list[SubmissionResult],
                         adjustments: Adjustments | None = None, *, localized_header: bool = False) -> None:
    """One row per student: the fixed columns (with the identity columns after ``student``
    where any row has an identity, and ``bonus`` where there are bonus tests), the late
    policy's columns where ``adjustments`` has any of these rows, then the points earned on
    each test. ``localized_header``: a first row of the columns' titles in the current
    language, above the row of ids."""
    has_bonus = any(test.bonus for test in tests)
    has_identity = any(any(_identity(result)) for result in results)
    identity_columns = IDENTITY_COLUMNS if has_identity else []
    late = adjustments or {}
    has_late = any((result.assignment, result.student) in late for result in results)
    rows: list[list] = [FIXED_COLUMNS[:1] + identity_columns + FIXED_COLUMNS[1:]
                        + (["bonus"] if has_bonus else []) + (LATE_COLUMNS if has_late else [])
                        + [test.name for test in tests]]
    for result in sorted(results, key=lambda r: r.student):
        earned = {test.name: test.points for test in result.tests}
        rows.append(
            [result.student] + (_identity(result) if has_identity else [])
            + [_number(result.score), _number(result.max_score), _number(result.percent), result.status.value]
            + ([_number(result.bonus_score)] if has_bonus else [])
            + (_late_cells(late.get((result.assignment, result.student)), result.max_score) if has_late else [])
            + [_number(earned.get(test.name, 0.0)) for test in tests]
        )
    write_csv(path, _with_header(rows, localized_header))


def write_class_csv(path: Path, results: list[SubmissionResult], adjustments: Adjustments | None = None, *,
                    localized_header: bool = False) -> None:
    """One row per student, one score column per assignment, and the total; bonus points,
    where any were earned, in a column of their own (not in the total). The identity columns
    follow ``student`` where any result has an identity; a student's comes from their first
    result that has one. With ``adjustments``, the late policy's columns follow (see the
    module's docstring). ``localized_header``: a first row of the columns' titles in the
    current language, above the row of ids."""
    assignments = sorted({r.assignment for r in results})
    scores: dict[str, dict[str, float]] = {}
    bonus: dict[str, float] = {}
    identities: dict[str, list[str]] = {}
    for result in results:
        scores.setdefault(result.student, {})[result.assignment] = result.score
        bonus[result.student] = bonus.get(result.student, 0.0) + result.bonus_score
        if any(_identity(result)):
            identities.setdefault(result.student, _identity(result))
    has_bonus = any(bonus.values())
    identity_columns = IDENTITY_COLUMNS if identities else []
    late = adjustments or {}
    late_assignments = [a for a in assignments if any((a, r.student) in late for r in results if r.assignment == a)]
    max_scores = {(r.assignment, r.student): r.max_score for r in results}
    rows: list[list] = [["student", *identity_columns, *assignments, "total", *(["bonus"] if has_bonus else []),
                         *(["final_total"] if late_assignments else []),
                         *(f"{a}.{column}" for a in late_assignments for column in LATE_COLUMNS)]]
    for student in sorted(scores):
        row = scores[student]
        identity = identities.get(student, [""] * len(IDENTITY_COLUMNS)) if identities else []
        cells = [student, *identity, *(_number(row[a]) if a in row else "" for a in assignments),
                 _number(sum(row.values())), *([_number(bonus[student])] if has_bonus else [])]
        if late_assignments:
            finals = {a: (late[(a, student)].final_score if (a, student) in late else score) for a, score in row.items()}
            cells.append(_number(round(sum(finals.values()), 6)))
            for a in late_assignments:
                cells += _late_cells(late.get((a, student)), max_scores.get((a, student), 0.0))
        rows.append(cells)
    write_csv(path, _with_header(rows, localized_header))
