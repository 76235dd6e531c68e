"""The durable record of grading: one SQLite file per output folder.

Each graded submission is written in its own transaction as soon as it is graded, so an
interrupted batch loses nothing finished, and a rerun skips every submission whose content
and grader are unchanged. CSVs are renderings of this file, never the other way round.

Two tables: ``submissions`` holds the current (latest) result of each (assignment, student),
which every reader uses; ``history`` keeps every grading ever recorded, written in the same
transaction as the current row, so that a regrade can be compared with the grading before it
(see ``autograder.regrade``). A gradebook from before ``history`` existed gets the table when
it is opened, seeded with its current rows.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.results import SubmissionResult

GRADEBOOK_FILENAME = "gradebook.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    assignment     TEXT NOT NULL,
    student        TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    status         TEXT NOT NULL,
    score          REAL NOT NULL,
    max_score      REAL NOT NULL,
    graded_at      TEXT NOT NULL,
    result_json    TEXT NOT NULL,
    PRIMARY KEY (assignment, student)
);
"""

# One row per grading, in the order recorded (id); never updated or deleted.
_HISTORY_SCHEMA = (
    """
    CREATE TABLE history (
        id             INTEGER PRIMARY KEY,
        assignment     TEXT NOT NULL,
        student        TEXT NOT NULL,
        grader_version TEXT NOT NULL,
        graded_at      TEXT NOT NULL,
        fingerprint    TEXT NOT NULL,
        status         TEXT NOT NULL,
        score          REAL NOT NULL,
        max_score      REAL NOT NULL,
        result_json    TEXT NOT NULL
    )
    """,
    "CREATE INDEX history_by_student ON history (assignment, student, grader_version)",
)
_HISTORY_COLUMNS = "assignment, student, grader_version, graded_at, fingerprint, status, score, max_score, result_json"


@dataclass(frozen=True)
class HistoryEntry:
    """One grading of one submission, as recorded: ``id`` orders the entries of a gradebook by
    the time they were written; ``result`` is the whole result then."""

    id: int
    grader_version: str
    graded_at: str
    result: SubmissionResult

    @property
    def assignment(self) -> str:
        return self.result.assignment

    @property
    def student(self) -> str:
        return self.result.student

    @property
    def fingerprint(self) -> str:
        return self.result.fingerprint


class Gradebook:
    def __init__(self, outdir: Path):
        self.path = Path(outdir) / GRADEBOOK_FILENAME
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            self._ensure_history()
        except BaseException:
            self._db.close()
            raise

    def _has_history(self) -> bool:
        found = self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'history'")
        return found.fetchone() is not None

    def _ensure_history(self) -> None:
        """Create the history table where it is missing (a new gradebook, or one written before
        it existed), seeded with the current rows, in one transaction: a gradebook opened by two
        processes at once is migrated once."""
        if self._has_history():
            return
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            if self._has_history():  # another process migrated it meanwhile
                return
            for statement in _HISTORY_SCHEMA:
                self._db.execute(statement)
            self._db.execute(f"INSERT INTO history ({_HISTORY_COLUMNS}) SELECT {_HISTORY_COLUMNS} FROM submissions"
                             " ORDER BY graded_at, assignment, student")

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def record(self, result: SubmissionResult, grader_version: str) -> None:
        """Store one submission's result as its current row, replacing any earlier one, and add
        it to the history, both in one transaction."""
        graded_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        result_json = json.dumps(result.to_dict())
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT OR REPLACE INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    result.assignment, result.student, result.fingerprint, grader_version,
                    result.status.value, result.score, result.max_score, graded_at, result_json,
                ),
            )
            self._db.execute(
                f"INSERT INTO history ({_HISTORY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    result.assignment, result.student, grader_version, graded_at, result.fingerprint,
                    result.status.value, result.score, result.max_score, result_json,
                ),
            )

    def finished(self, assignment: str, grader_version: str) -> dict[str, str]:
        """Student -> fingerprint of each submission already graded by this grader version.

        A submission on which the grader itself failed does not count as finished.
        """
        rows = self._db.execute(
            "SELECT student, fingerprint FROM submissions"
            " WHERE assignment = ? AND grader_version = ? AND status != 'grader_error'",
            (assignment, grader_version),
        )
        return dict(rows.fetchall())

    def results(self, assignment: str | None = None) -> list[SubmissionResult]:
        query = "SELECT result_json FROM submissions"
        params: tuple = ()
        if assignment is not None:
            query += " WHERE assignment = ?"
            params = (assignment,)
        rows = self._db.execute(query + " ORDER BY assignment, student", params).fetchall()
        return [SubmissionResult.from_dict(json.loads(row[0])) for row in rows]

    def assignments(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT DISTINCT assignment FROM submissions ORDER BY 1")]

    def set_submission_time(self, assignment: str, student: str, submitted_at: str, time_source: str,
                            notes: list[str] | None = None) -> bool:
        """Put a submission's time (and, where given, its notes) on its current row, leaving the
        grading (fingerprint, grader version, graded_at, history) as it is: a time is no reason
        to grade again. Returns whether the row changed (False, too, for no such row)."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            row = self._db.execute("SELECT result_json FROM submissions WHERE assignment = ? AND student = ?",
                                   (assignment, student)).fetchone()
            if row is None:
                return False
            data = json.loads(row[0])
            wanted = {"submitted_at": submitted_at, "time_source": time_source}
            if notes is not None:
                wanted["notes"] = list(notes)
            if all(data.get(key, "" if key != "notes" else []) == value for key, value in wanted.items()):
                return False
            result = SubmissionResult.from_dict({**data, **wanted})
            self._db.execute("UPDATE submissions SET result_json = ? WHERE assignment = ? AND student = ?",
                             (json.dumps(result.to_dict()), assignment, student))
            return True

    def history(self, assignment: str | None = None, student: str | None = None) -> list[HistoryEntry]:
        """Every grading recorded (of ``assignment``, of ``student``, where given), oldest first."""
        conditions = [(column, value) for column, value in (("assignment", assignment), ("student", student))
                      if value is not None]
        where = " WHERE " + " AND ".join(f"{column} = ?" for column, _ in conditions) if conditions else ""
        rows = self._db.execute(f"SELECT id, grader_version, graded_at, result_json FROM history{where} ORDER BY id",
                                tuple(value for _, value in conditions)).fetchall()
        return [HistoryEntry(id, version, graded_at, SubmissionResult.from_dict(json.loads(result_json)))
                for id, version, graded_at, result_json in rows]

    def grader_versions(self, assignment: str) -> list[str]:
        """The grader versions that graded ``assignment``, in the order first seen."""
        rows = self._db.execute("SELECT grader_version FROM history WHERE assignment = ?"
                                " GROUP BY grader_version ORDER BY MIN(id)", (assignment,))
        return [row[0] for row in rows]
