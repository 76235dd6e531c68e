"""What a regrade changed: the students whose score moved between two grader versions.

The gradebook's history keeps every grading (see ``autograder.gradebook``); a grader version
(``engine.grade.grader_version``) changes whenever the hidden tests, the reference or the
grader's own code change. ``diff`` compares, for each student, their latest grading by one
version with their latest grading by another, and says which tests moved and why: the grader
(a changed test) or the student (a resubmission, seen from the submission's fingerprint).

Nothing here prints: ``diff`` returns objects, which ``autograder diff`` renders.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from autograder.gradebook import GRADEBOOK_FILENAME, Gradebook, HistoryEntry
from autograder.results import SubmissionResult, TestResult


class DiffError(Exception):
    """The diff cannot be made as asked (an unknown or ambiguous version, a gradebook that cannot
    be read); the message says what to pass instead."""


@dataclass(frozen=True)
class GraderVersion:
    """A grader version as the gradebook saw it for one assignment."""

    version: str
    first_graded_at: str
    last_graded_at: str
    students: int  # distinct students it graded


@dataclass(frozen=True)
class TestChange:
    """One test between the two gradings. A test that only one grading has (added or removed
    from the hidden tests) has ``None`` points and empty outcome, stage and message on the
    other side."""

    name: str
    max_points: float
    old_points: float | None
    new_points: float | None
    old_outcome: str = ""
    new_outcome: str = ""
    old_stage: str = ""
    new_stage: str = ""
    old_message: str = ""
    new_message: str = ""

    __test__ = False  # not a pytest test class, despite its name

    @property
    def moved(self) -> bool:
        """Its points, outcome or stage changed (or it exists on one side only)."""
        return ((self.old_points, self.old_outcome, self.old_stage)
                != (self.new_points, self.new_outcome, self.new_stage))


@dataclass(frozen=True)
class StudentChange:
    """One student's two gradings: ``moved`` holds the tests whose points, outcome or stage
    changed, ``reworded`` those whose only change is the message. ``resubmitted``: the
    submission itself changed between the gradings, so the move is the student's doing, not
    the grader's."""

    student: str
    old_score: float
    new_score: float
    max_score: float
    old_status: str
    new_status: str
    resubmitted: bool
    moved: tuple[TestChange, ...] = ()
    reworded: tuple[TestChange, ...] = ()
    old_graded_at: str = ""
    new_graded_at: str = ""

    @property
    def delta(self) -> float:
        return round(self.new_score - self.old_score, 6)


@dataclass
class AssignmentDiff:
    """One assignment between grader versions ``old`` and ``new`` (both None where fewer than
    two versions graded it: see ``comparable``; ``versions`` lists every one, first seen first).

    ``changed``: the students graded by both whose score or status changed (resubmitted ones
    included, marked so). ``same_score``: those whose score and status did not change but some
    test moved or its message changed, without a resubmission. ``unchanged`` counts the rest of
    the students graded by both; ``only_in_old`` and ``only_in_new`` are the students graded by
    one of the two versions only (a run not finished, a student added or removed).
    """

    assignment: str
    versions: list[GraderVersion]
    old: GraderVersion | None = None
    new: GraderVersion | None = None
    changed: list[StudentChange] = field(default_factory=list)
    same_score: list[StudentChange] = field(default_factory=list)
    unchanged: int = 0
    only_in_old: list[str] = field(default_factory=list)
    only_in_new: list[str] = field(default_factory=list)

    @property
    def comparable(self) -> bool:
        return self.old is not None and self.new is not None

    @property
    def resubmitted(self) -> list[StudentChange]:
        return [change for change in self.changed if change.resubmitted]


def diff(outdir: Path, assignment: str | None = None, old: str | None = None,
         new: str | None = None) -> list[AssignmentDiff]:
    """Compare two grader versions in the gradebook of ``outdir``, for each assignment it holds
    (or ``assignment`` only; an assignment it does not hold gives a diff with no versions).

    ``old`` and ``new`` are grader versions or unambiguous prefixes of one. By default ``new``
    is the version that graded the assignment last (or, where ``old`` is that one, the one used
    last before it) and ``old`` the one used last before ``new``.
    Where the gradebook holds several assignments, ``old``/``new`` need ``assignment`` (each
    assignment has versions of its own).

    Raises FileNotFoundError where ``outdir`` holds no gradebook, and DiffError for a version
    that is unknown or ambiguous (the message lists the known ones) or a gradebook that cannot
    be read.
    """
    path = Path(outdir) / GRADEBOOK_FILENAME
    if not path.is_file():
        raise FileNotFoundError(f"no gradebook in {outdir}: {path} not found (grade into that folder first)")
    try:
        with Gradebook(outdir) as gradebook:
            assignments = [assignment] if assignment is not None else gradebook.assignments()
            if (old is not None or new is not None) and len(assignments) > 1:
                raise DiffError(f"--from/--to name versions of one assignment, and {outdir} holds "
                                f"{len(assignments)}: pass --assignment (one of {', '.join(assignments)})")
            histories = {name: gradebook.history(name) for name in assignments}
    except sqlite3.Error as error:
        raise DiffError(f"cannot read the gradebook {path} ({' '.join(str(error).split())}); check that it is "
                        "the gradebook.sqlite that `autograder grade` wrote and that its folder is writable") from None
    return [_diff_assignment(name, histories[name], old, new) for name in assignments]


def _versions(entries: list[HistoryEntry]) -> list[GraderVersion]:
    """The versions of ``entries``, first seen first."""
    seen: dict[str, list[HistoryEntry]] = {}
    for entry in entries:
        seen.setdefault(entry.grader_version, []).append(entry)
    return [GraderVersion(version, graded[0].graded_at, graded[-1].graded_at, len({e.student for e in graded}))
            for version, graded in seen.items()]


def _resolve(prefix: str, versions: list[GraderVersion], assignment: str, option: str) -> GraderVersion:
    matches = [v for v in versions if prefix and v.version.startswith(prefix)]
    if len(matches) == 1:
        return matches[0]
    known = "; ".join(f"{v.version} (graded {v.first_graded_at} to {v.last_graded_at})" for v in versions) or "none"
    problem = "matches several of" if matches else "matches none of"
    raise DiffError(f"{option} {prefix!r} {problem} the grader versions that graded {assignment}; pass one of them, "
                    f"or a prefix that only it starts with (oldest first): {known}")


def _pick(entries: list[HistoryEntry], versions: list[GraderVersion], assignment: str, old: str | None,
          new: str | None) -> tuple[GraderVersion | None, GraderVersion | None]:
    by_last_use = [v.version for v in sorted(versions, key=lambda v: max(e.id for e in entries
                                                                          if e.grader_version == v.version),
                                             reverse=True)]
    named = {v.version: v for v in versions}
    old_version = _resolve(old, versions, assignment, "--from") if old is not None else None
    new_version = _resolve(new, versions, assignment, "--to") if new is not None else None
    if old_version is not None and new_version is not None and old_version == new_version:
        raise DiffError(f"--from and --to both name grader version {old_version.version}: name two different ones")
    if new_version is None:
        new_version = next((named[v] for v in by_last_use if old_version is None or v != old_version.version), None)
    if old_version is None and new_version is not None:
        after = by_last_use[by_last_use.index(new_version.version) + 1:]
        before_or_any = after + [v for v in by_last_use if v not in after]
        old_version = next((named[v] for v in before_or_any if v != new_version.version), None)
    if old_version is None or new_version is None:
        return None, None
    return old_version, new_version


def _diff_assignment(assignment: str, entries: list[HistoryEntry], old: str | None,
                     new: str | None) -> AssignmentDiff:
    versions = _versions(entries)
    old_version, new_version = _pick(entries, versions, assignment, old, new)
    result = AssignmentDiff(assignment, versions, old_version, new_version)
    if not result.comparable:
        return result
    latest: dict[tuple[str, str], HistoryEntry] = {}
    for entry in entries:  # oldest first: the last one written wins
        latest[(entry.grader_version, entry.student)] = entry
    before = {student: e for (version, student), e in latest.items() if version == old_version.version}
    after = {student: e for (version, student), e in latest.items() if version == new_version.version}
    result.only_in_old = sorted(set(before) - set(after))
    result.only_in_new = sorted(set(after) - set(before))
    for student in sorted(set(before) & set(after)):
        change = _student_change(before[student], after[student])
        if (change.old_score, change.old_status) != (change.new_score, change.new_status):
            result.changed.append(change)
        elif (change.moved or change.reworded) and not change.resubmitted:
            result.same_score.append(change)
        else:
            result.unchanged += 1
    return result


def _student_change(before: HistoryEntry, after: HistoryEntry) -> StudentChange:
    old_result, new_result = before.result, after.result
    tests = _test_changes(old_result, new_result)
    return StudentChange(
        student=new_result.student, old_score=old_result.score, new_score=new_result.score,
        max_score=new_result.max_score, old_status=old_result.status.value, new_status=new_result.status.value,
        resubmitted=before.fingerprint != after.fingerprint,
        moved=tuple(t for t in tests if t.moved), reworded=tuple(t for t in tests if not t.moved),
        old_graded_at=before.graded_at, new_graded_at=after.graded_at,
    )


def _test_changes(old: SubmissionResult, new: SubmissionResult) -> list[TestChange]:
    """Every test whose points, outcome, stage or message differ, in the new grading's order
    (then tests that only the old grading has)."""
    before: dict[str, TestResult] = {t.name: t for t in old.tests}
    after: dict[str, TestResult] = {t.name: t for t in new.tests}
    changes = []
    for name in [*after, *(name for name in before if name not in after)]:
        was, now = before.get(name), after.get(name)
        change = TestChange(
            name, (now or was).max_points,
            was.points if was else None, now.points if now else None,
            was.outcome.value if was else "", now.outcome.value if now else "",
            was.stage if was else "", now.stage if now else "",
            was.message if was else "", now.message if now else "",
        )
        if change.moved or change.old_message != change.new_message:
            changes.append(change)
    return changes
