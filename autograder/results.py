"""The one results model: per test, per submission, per batch.

Every renderer (CSV gradebook, Gradescope JSON, feedback, terminal summary) reads these
objects; nothing else carries grading results around.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timezone
from enum import Enum

from autograder.checks import printable

# Caps on what a result can carry, whatever produced it (UTF-8 bytes). The messages are built
# by the grader, but they quote text the student's code chose, and a rendering (gradebook row,
# feedback file, results.json) must never be a channel without a bound: see SECURITY.md, "What
# feedback can tell a student". The narrower caps on each student string are in engine/calls.py.
MAX_TEST_MESSAGE_BYTES = 1024
MAX_DETAIL_BYTES = 1024
MAX_STDOUT_TAIL_BYTES = 4096
MAX_NOTE_BYTES = 512
MAX_NOTES = 8


class Outcome(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    # The grading test itself broke (a bug in the grader, not in the submission).
    ERROR = "error"


class SubmissionStatus(str, Enum):
    """What happened to a submission as a whole. Only GRADED runs the tests."""

    GRADED = "graded"
    EMPTY = "empty"
    CORRUPT = "corrupt"
    MISNAMED = "misnamed"
    NOT_UTF8 = "not_utf8"
    SYNTAX_ERROR = "syntax_error"
    IMPORT_ERROR = "import_error"
    DUPLICATE = "duplicate"
    # A course platform's export whose metadata and submission folders disagree.
    UNIDENTIFIED = "unidentified"  # a folder that no metadata names a student for
    MISSING = "missing"  # metadata naming a submission whose folder is not in the export
    INVALID_NOTEBOOK = "invalid_notebook"  # an .ipynb that nbformat cannot read as a notebook
    GRADER_ERROR = "grader_error"

    @property
    def is_problem(self) -> bool:
        return self is not SubmissionStatus.GRADED


@dataclass(frozen=True)
class TestResult:
    name: str
    max_points: float
    points: float
    outcome: Outcome
    stage: str
    message: str = ""
    bonus: bool = False  # bonus points count apart from the score and the maximum
    seconds: float = 0.0
    # What the test measured besides its verdict, for reports and feedback (empty for most tests;
    # rows stored before these fields existed load with them empty): numbers such as a model's
    # ``test_accuracy``, and curves (equal-length lists, e.g. ``step``, ``loss``, ``accuracy``).
    metrics: dict[str, float] = field(default_factory=dict, hash=False)
    curves: dict[str, list[float]] = field(default_factory=dict, hash=False)

    __test__ = False  # not a pytest test class, despite its name

    def __post_init__(self):
        # The last line of defence for every path a message takes (checks, the sandbox's replies,
        # model checks quoting a config's class names): no escape codes, no unbounded text.
        object.__setattr__(self, "message", printable(self.message, MAX_TEST_MESSAGE_BYTES, single_line=False))


@dataclass
class SubmissionResult:
    assignment: str
    student: str
    status: SubmissionStatus
    tests: list[TestResult] = field(default_factory=list)
    max_score: float = 0.0
    detail: str = ""
    duration_s: float = 0.0
    fingerprint: str = ""
    stdout_tail: str = ""
    device: str = "cpu"
    backend: str = ""
    # The student's identity where an export gives one (Gradescope); empty for a plain folder.
    name: str = ""
    email: str = ""
    sid: str = ""
    # When the submission was handed in (ISO 8601 with its UTC offset) and where that time came
    # from: one of TIME_SOURCES, "" where unknown. Late policies read these (see course.py).
    submitted_at: str = ""
    time_source: str = ""
    # What intake did to the submission that the student should know, such as the IPython lines
    # dropped from a notebook (at most MAX_NOTES, each capped); shown in the feedback.
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._cap_text()

    def _cap_text(self) -> None:
        """``detail`` may quote the student's import error and ``stdout_tail`` is what their code
        printed: both are cleaned and capped (set after construction too, so ``to_dict`` does it
        again before anything is stored). ``notes`` quote the student's notebook: capped too."""
        self.detail = printable(self.detail, MAX_DETAIL_BYTES, single_line=False)
        self.stdout_tail = printable(self.stdout_tail, MAX_STDOUT_TAIL_BYTES, single_line=False, keep="end")
        self.notes = [printable(str(note), MAX_NOTE_BYTES, single_line=False) for note in list(self.notes)[:MAX_NOTES]]

    @property
    def score(self) -> float:
        return round(sum(t.points for t in self.tests if not t.bonus), 6)

    @property
    def bonus_score(self) -> float:
        return round(sum(t.points for t in self.tests if t.bonus), 6)

    @property
    def percent(self) -> float:
        return round(100.0 * self.score / self.max_score, 2) if self.max_score else 0.0

    def to_dict(self) -> dict:
        self._cap_text()
        data = asdict(self)
        data["status"] = self.status.value
        data["tests"] = [{**asdict(t), "outcome": t.outcome.value} for t in self.tests]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "SubmissionResult":
        tests = [TestResult(**{**t, "outcome": Outcome(t["outcome"])}) for t in data.get("tests", [])]
        return cls(**{**data, "status": SubmissionStatus(data["status"]), "tests": tests})


# Where a submission's time came from, strongest first. The file's modification time is the
# weakest: copying a folder without -p, or a student's clock, changes it.
TIME_SOURCES = ("gradescope", "timestamp_file", "mtime")
# The years a submission time may fall in (in UTC). A time outside them (a file dated 36812, a
# metadata year 9999) comes from a damaged clock or archive: it is treated as unknown, never
# used, so that no late policy reads it and no rendering overflows moving it to another zone.
PLAUSIBLE_YEARS = (1900, 2999)


def plausible_time(moment) -> bool:
    """Whether ``moment`` (a timezone-aware datetime) is a usable submission time."""
    try:
        year = moment.astimezone(timezone.utc).year
    except (OverflowError, ValueError, TypeError, AttributeError):
        return False
    return PLAUSIBLE_YEARS[0] <= year <= PLAUSIBLE_YEARS[1]


@dataclass(frozen=True)
class LateAdjustment:
    """What a course's late policy does to one (assignment, student) row: computed from the
    course file and the gradebook whenever a rendering needs it (see ``autograder.course``),
    never stored, so that an extension granted later changes no stored grade.

    ``raw_score`` is the score the tests gave; ``final_score`` is what the student gets after
    the policy. ``late_seconds`` is measured from the student's own due date (extensions
    included); ``late_units`` is that lateness in the policy's unit (days or hours, rounded up,
    0 when on time), of which ``tokens_used`` were covered by late tokens and the rest
    penalised. ``past_cutoff`` rows score 0. ``note`` says it in one line for feedback.
    """

    assignment: str
    student: str
    raw_score: float
    final_score: float
    penalty_points: float = 0.0
    penalty_percent: float = 0.0
    due: str = ""  # the student's due date, ISO 8601 (after any extension)
    submitted_at: str = ""
    time_source: str = ""
    late_seconds: float = 0.0
    late_units: int = 0
    unit: str = "day"
    tokens_used: int = 0
    past_cutoff: bool = False
    extended: bool = False
    note: str = ""

    @property
    def is_late(self) -> bool:
        return self.late_seconds > 0


@dataclass(frozen=True)
class TestInfo:
    """A grading test as collected, before anything runs."""

    name: str
    max_points: float
    bonus: bool = False

    __test__ = False


def max_score_of(tests) -> float:
    """The maximum score of a list of TestInfo: bonus tests are not part of it."""
    return sum(t.max_points for t in tests if not t.bonus)


@dataclass
class BatchResult:
    assignment: str
    outdir: str
    gradebook_path: str
    csv_path: str
    class_csv_path: str
    graded: list[SubmissionResult] = field(default_factory=list)  # graded (or recorded) by this run
    skipped_already_graded: list[str] = field(default_factory=list)
    # Every row of the assignment's gradebook whose status is a problem: graded by this run or by
    # an earlier one (a resumed run must not report "no problems" while the gradebook has some).
    problems: list[SubmissionResult] = field(default_factory=list)
    # The files of the submissions folder that are no submission (README.txt, notes.md, ...).
    ignored: list[str] = field(default_factory=list)
    # The language of this run's messages (autograder.i18n.LANGUAGES).
    language: str = "en"

    @property
    def total(self) -> int:
        return len(self.graded) + len(self.skipped_already_graded)

    @property
    def problems_graded_now(self) -> list[SubmissionResult]:
        now = {result.student for result in self.graded}
        return [result for result in self.problems if result.student in now]

    @property
    def problems_already_graded(self) -> list[SubmissionResult]:
        now = {result.student for result in self.graded}
        return [result for result in self.problems if result.student not in now]
