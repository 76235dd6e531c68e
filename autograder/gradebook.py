"""The durable record of grading: one SQLite file per output folder.

Each graded submission is written in its own transaction as soon as it is graded, so an
interrupted batch loses nothing finished, and a rerun skips every submission whose content
and grader are unchanged. CSVs are renderings of this file, never the other way round.
"""

from __future__ import annotations

import json
import sqlite3
import time
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


class Gradebook:
    def __init__(self, outdir: Path):
        self.path = Path(outdir) / GRADEBOOK_FILENAME
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def record(self, result: SubmissionResult, grader_version: str) -> None:
        """Store one submission's result, replacing any earlier one, in one transaction."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT OR REPLACE INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    result.assignment, result.student, result.fingerprint, grader_version,
                    result.status.value, result.score, result.max_score,
                    time.strftime("%Y-%m-%dT%H:%M:%S%z"), json.dumps(result.to_dict()),
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
