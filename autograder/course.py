"""A course file: due dates, extensions, late-day tokens and late policies.

One YAML file per course (``course.yml``), read with ``yaml.safe_load`` and validated with a
JSON Schema (``COURSE_SCHEMA``) before anything is graded::

    course: "Deep Learning 2026"         # a name, shown by `autograder course`
    language: zh_CN                      # feedback, report and messages: en (default) or zh_CN
    csv_titles: true                     # the gradebook CSVs get a row of titles (in language) above the ids
    timezone: "Asia/Shanghai"            # IANA zone for times written without an offset
    late_tokens: 3                       # late-day tokens per student, across all assignments
    defaults:                            # applies to every assignment unless overridden
      tokens: true                       # whether tokens may be spent (default true)
      late_policy: {penalty_percent: 10, per: day, max_penalty_percent: 50, of: score,
                    grace_minutes: 15, cutoff_days: 5}
    assignments:                         # ids of autograder.assignments.CATALOG
      activations: {due: "2026-10-01 23:59"}
      lenet: {due: "2026-10-15 23:59+08:00", late_policy: {per: hour, penalty_percent: 1}, tokens: false}
    extensions:
      - {student: alice, assignment: activations, days: 2}        # or hours: 12, or until: "2026-10-05 12:00"
    students:
      bob: {late_tokens: 5}                                        # instead of the course's late_tokens

Only ``assignments`` (each with its ``due``) is required. ``timezone`` is required as soon as
a time has no UTC offset (``2026-10-01 23:59``); a time with one (``+08:00``, ``Z``) means
that instant. A time needs hours and minutes: a bare date is refused. Student ids (as the
gradebook has them: a folder's name, a Gradescope SID or email) are matched without case;
quote ids that YAML would read as numbers (``'00123'``).

A late policy (all keys optional; an assignment's ``late_policy`` overrides the defaults' key
by key, except that any cutoff key replaces all of the defaults' cutoff keys, and
``cutoff: null`` means no cutoff):

- ``penalty_percent`` (default 0) per ``per`` unit late, ``day`` (24 hours, the default) or
  ``hour``. Lateness is counted from the student's due date after the grace period: units =
  ceil((lateness - grace_minutes) / unit), 0 within the grace period (``grace_minutes``,
  default 0). E.g. 15 minutes' grace, per day: 10 minutes late is on time, 1 day 10 minutes
  late is 1 day late, 1 day 20 minutes late is 2 days late.
- the penalty is ``penalty_percent`` times the penalised units, capped at
  ``max_penalty_percent`` (default 100), taken ``of`` the raw ``score`` (the default) or of the
  ``max_score``; the final score never goes below 0.
- a hard cutoff after which the final score is 0: ``cutoff_days`` or ``cutoff_hours`` after the
  student's due date, or an absolute ``cutoff`` time (at most one of the three).

Extensions move one student's due date for one assignment (``days``, ``hours`` or ``until``; one
extension per student and assignment), and the cutoff with it by the same amount.

Late tokens: each student has ``late_tokens`` (or their own ``students.<id>.late_tokens``) for
the whole course; each token covers one unit of lateness (a day, or an hour for a per-hour
policy). They are spent automatically, in the order of the student's due dates (then
assignment id), on the units that would otherwise be penalised, and only as many as lower the
penalty: none on a submission past the cutoff, on one that scores 0, on a penalty already at
its cap that they cannot bring below it, nor on an assignment with ``tokens: false``. (Greedy
in due-date order: an early assignment may use the tokens a later one would have needed.)

Submission times come from the gradebook rows (``submitted_at``, ``time_source``): a Gradescope
export's ``:created_at:`` ("gradescope"), a ``<student>.timestamp.txt`` beside the submission in
a plain class folder ("timestamp_file"), else the submission's modification time ("mtime", the
weakest: copying without -p changes it); see ``autograder.intake.dated``. A rerun puts the
current time on the rows of unchanged submissions without grading them again, except that a
submission dated by its modification time keeps the one first recorded (its content is the same:
a newer mtime is a copy).

``autograder course FILE`` checks a course file and shows its due dates and policies;
``autograder grade ... --course FILE`` checks it before grading and copies it to
``OUTDIR/course.yml``, where later runs, ``autograder report`` and ``autograder export grades``
find it (:func:`course_of`).

Nothing of this is stored: :func:`adjustments` computes a :class:`results.LateAdjustment` per
gradebook row whenever a rendering needs one, so an extension granted later changes the CSVs
and reports on the next rendering, and grades nothing again. A row whose submission time is
unknown counts as on time (its note says so); a row with a problem status keeps a raw score of
0. ``score`` and ``percent`` stay raw everywhere; the final ones are ``final_score`` and
``final_percent``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from autograder.assignments import CATALOG
from autograder.files import write_atomically
from autograder.i18n import LANGUAGES, _, _f, _n
from autograder.results import LateAdjustment, SubmissionResult, plausible_time

COURSE_FILENAME = "course.yml"
MAX_COURSE_BYTES = 1024 * 1024
UNIT_SECONDS = {"day": 86400, "hour": 3600}
CUTOFF_KEYS = ("cutoff_days", "cutoff_hours", "cutoff")


class CourseError(Exception):
    """The course file cannot be used; the one-line message names the file, the key path and
    what is wrong."""


# ----------------------------------------------------------------------------------- the schema

_TIME = {"type": "string", "format": "course-time"}
_LATE_POLICY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "penalty_percent": {"type": "number", "minimum": 0, "maximum": 100},
        "per": {"enum": ["day", "hour"]},
        "max_penalty_percent": {"type": "number", "minimum": 0, "maximum": 100},
        "of": {"enum": ["score", "max_score"]},
        "grace_minutes": {"type": "number", "minimum": 0},
        "cutoff_days": {"type": "number", "minimum": 0},
        "cutoff_hours": {"type": "number", "minimum": 0},
        "cutoff": {"anyOf": [_TIME, {"type": "null"}]},
    },
}
_STUDENT = {"type": "string", "minLength": 1}
COURSE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "autograder course file",
    "type": "object",
    "additionalProperties": False,
    "required": ["assignments"],
    "properties": {
        "course": {"type": "string"},
        "language": {"enum": list(LANGUAGES)},
        "csv_titles": {"type": "boolean"},
        "timezone": {"type": "string", "minLength": 1},
        "late_tokens": {"type": "integer", "minimum": 0},
        "defaults": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"late_policy": _LATE_POLICY, "tokens": {"type": "boolean"}},
        },
        "assignments": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["due"],
                "properties": {"due": _TIME, "late_policy": _LATE_POLICY, "tokens": {"type": "boolean"}},
            },
        },
        "extensions": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["student", "assignment"],
                "properties": {
                    "student": _STUDENT,
                    "assignment": {"type": "string"},
                    "days": {"type": "number", "exclusiveMinimum": 0},
                    "hours": {"type": "number", "exclusiveMinimum": 0},
                    "until": _TIME,
                },
            },
        },
        "students": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"late_tokens": {"type": "integer", "minimum": 0}},
            },
        },
    },
}


@cache
def _validator():
    """The schema's validator. jsonschema is imported here, not with the module: the Gradescope
    image runs the CLI, which imports this module, without it (it reads no course file)."""
    import jsonschema

    formats = jsonschema.FormatChecker(formats=())

    @formats.checks("course-time", raises=ValueError)
    def _is_course_time(value: object) -> bool:
        if isinstance(value, str):
            _parse_time(value)
        return True

    return jsonschema.Draft202012Validator(COURSE_SCHEMA, format_checker=formats)


def _parse_time(text: str) -> datetime:
    """A time as a course file writes it: ISO 8601 with at least hours and minutes, with or
    without a UTC offset. Raises ValueError."""
    text = text.strip()
    if len(text) <= 10:  # a bare date: at which time of the day?
        raise ValueError("no time of day")
    return datetime.fromisoformat(text)


# --------------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class LatePolicy:
    """See the module's docstring; ``cutoff`` is an absolute time (zoned), or None."""

    penalty_percent: float = 0.0
    per: str = "day"
    max_penalty_percent: float = 100.0
    of: str = "score"
    grace_minutes: float = 0.0
    cutoff_days: float | None = None
    cutoff_hours: float | None = None
    cutoff: datetime | None = None

    @property
    def unit_seconds(self) -> int:
        return UNIT_SECONDS[self.per]

    def cutoff_after(self, due: datetime, shift: timedelta = timedelta(0)) -> datetime | None:
        """The cutoff for a student due at ``due`` (an absolute cutoff moved by ``shift``, the
        student's extension); None without one."""
        if self.cutoff_days is not None:
            return due + timedelta(days=self.cutoff_days)
        if self.cutoff_hours is not None:
            return due + timedelta(hours=self.cutoff_hours)
        if self.cutoff is not None:
            return self.cutoff + shift
        return None

    def penalty_percent_for(self, units: int) -> float:
        return min(self.max_penalty_percent, self.penalty_percent * max(units, 0))

    def describe(self) -> str:
        """``10% of the score per day late (after 15 min grace), at most 50%; 0 after 5 days``."""
        of = "the score" if self.of == "score" else "the maximum score"
        if self.penalty_percent:
            text = f"{self.penalty_percent:g}% of {of} per {self.per} late"
            if self.grace_minutes:
                text += f" (after {self.grace_minutes:g} min grace)"
            if self.max_penalty_percent < 100:
                text += f", at most {self.max_penalty_percent:g}%"
        else:
            text = "no penalty"
        if self.cutoff_days is not None:
            text += f"; 0 after {self.cutoff_days:g} day(s) late"
        elif self.cutoff_hours is not None:
            text += f"; 0 after {self.cutoff_hours:g} hour(s) late"
        elif self.cutoff is not None:
            text += f"; 0 after {format_time(self.cutoff)}"
        return text


@dataclass(frozen=True)
class CourseAssignment:
    id: str
    due: datetime  # zoned
    late_policy: LatePolicy = LatePolicy()
    tokens: bool = True  # may late tokens be spent on it


@dataclass(frozen=True)
class Extension:
    student: str
    assignment: str
    days: float | None = None
    hours: float | None = None
    until: datetime | None = None

    def due_after(self, due: datetime) -> datetime:
        if self.until is not None:
            return self.until
        return due + timedelta(days=self.days or 0, hours=self.hours or 0)


@dataclass(frozen=True)
class Course:
    """A validated course file. Look-ups by student id ignore case."""

    name: str
    timezone: str
    late_tokens: int
    assignments: Mapping[str, CourseAssignment]
    extensions: tuple[Extension, ...] = ()
    student_tokens: Mapping[str, int] = field(default_factory=dict)  # casefolded id -> tokens
    source: str = ""
    language: str | None = None  # autograder.i18n.LANGUAGES; None: --lang's, else English
    csv_titles: bool = False  # a row of column titles above the CSVs' row of ids

    @property
    def zone(self) -> ZoneInfo | timezone:
        return _zone(self.timezone) if self.timezone else timezone.utc

    def extension_for(self, assignment: str, student: str) -> Extension | None:
        key = student.casefold()
        return next((e for e in self.extensions
                     if e.assignment == assignment and e.student.casefold() == key), None)

    def due_for(self, assignment: str, student: str) -> datetime:
        """The student's own due date (after any extension). KeyError for an assignment the
        course does not name."""
        due = self.assignments[assignment].due
        extension = self.extension_for(assignment, student)
        return extension.due_after(due) if extension else due

    def cutoff_for(self, assignment: str, student: str) -> datetime | None:
        due = self.assignments[assignment].due
        own = self.due_for(assignment, student)
        return self.assignments[assignment].late_policy.cutoff_after(own, own - due)

    def tokens_of(self, student: str) -> int:
        return self.student_tokens.get(student.casefold(), self.late_tokens)


def format_time(moment: datetime, zone=None) -> str:
    """``2026-10-01 23:59 +08:00``: a time for people (in ``zone`` if given)."""
    if zone is not None:
        moment = moment.astimezone(zone)
    offset = moment.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    seconds = ":%S" if moment.second else ""
    return moment.strftime(f"%Y-%m-%d %H:%M{seconds}") + (f" {offset}" if offset else "")


# ------------------------------------------------------------------------------------ loading


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(name) from None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _key_path(parts: Iterable) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_ARTICLE = {"integer": "an integer", "number": "a number", "string": "text", "object": "a mapping (key: value)",
            "array": "a list", "boolean": "true or false", "null": "null"}


def _message(error) -> tuple[str, str]:
    """(key path, what is wrong) of a schema error, in words."""
    path = list(error.absolute_path)
    value = error.instance
    kind = error.validator
    if kind == "additionalProperties" and isinstance(value, dict):
        known = sorted(error.schema.get("properties", {}))
        extra = sorted(str(k) for k in value if k not in known)
        where = _key_path([*path, extra[0]]) if extra else _key_path(path)
        return where, f"unknown key; expected one of: {', '.join(known)}"
    if kind == "required":
        missing = [k for k in error.validator_value if k not in value]
        return _key_path([*path, missing[0]] if missing else path), "missing"
    if kind == "type" and value is None:
        return _key_path(path), "is empty; give it a value"
    if kind == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = " or ".join(_ARTICLE.get(w, w) for w in wanted)
        hint = " (quote student ids: '00123')" if path and path[-1] == "student" else ""
        return _key_path(path), f"{_shown(value)} is not {words}{hint}"
    if kind == "format" or (kind == "anyOf" and isinstance(value, str)):
        return _key_path(path), (f"{_shown(value)} is not a date-time (write it as 2026-10-01 23:59, "
                                 "or with a UTC offset: 2026-10-01 23:59+08:00)")
    if kind == "anyOf":
        return _key_path(path), f"{_shown(value)} is not a date-time (or null for none)"
    if kind == "enum":
        return _key_path(path), f"{_shown(value)} is not one of: {', '.join(map(str, error.validator_value))}"
    if kind == "minProperties":
        return _key_path(path), "is empty"
    if kind in ("minimum", "exclusiveMinimum", "maximum"):
        bound = {"minimum": "is below the minimum of", "exclusiveMinimum": "must be more than",
                 "maximum": "is above the maximum of"}[kind]
        return _key_path(path), f"{_shown(value)} {bound} {error.validator_value:g}"
    if kind == "minLength":
        return _key_path(path), "is empty"
    return _key_path(path), error.message


def _as_text_keys(value: object, path: list, where: str) -> object:
    """The YAML document with dates and times back as the text they were (so that the schema
    sees what was written), refusing mapping keys that are not text (``00123:`` is a number)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CourseError(f"{where}: {_key_path(path) or 'top level'}: key {_shown(key)} is not text; "
                                  "quote it ('00123':)")
            out[key] = _as_text_keys(item, [*path, key], where)
        return out
    if isinstance(value, list):
        return [_as_text_keys(item, [*path, i], where) for i, item in enumerate(value)]
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def parse_course(data: object, where: str = COURSE_FILENAME) -> Course:
    """A Course from the YAML document ``data``; ``where`` names it in messages. Raises CourseError."""
    if not isinstance(data, dict):
        raise CourseError(f"{where}: is not a mapping of keys (course:, timezone:, assignments:, ...); "
                          "see `autograder course --help`")
    data = _as_text_keys(data, [], where)
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(data))
    if error is not None:
        key, what = _message(error)
        raise CourseError(f"{where}: {key or 'top level'}: {what}")

    def fail(key: str, what: str):
        raise CourseError(f"{where}: {key}: {what}")

    zone_name = data.get("timezone", "")
    zone = None
    if zone_name:
        try:
            zone = _zone(zone_name)
        except ValueError:
            fail("timezone", f"{_shown(zone_name)} is not a time zone (an IANA name such as Asia/Shanghai, "
                             "Europe/Paris or UTC)")

    def moment(text: str, key: str) -> datetime:
        parsed = _parse_time(text)
        if parsed.tzinfo is None:
            if zone is None:
                fail(key, f"{_shown(text)} has no UTC offset: add timezone: (such as Asia/Shanghai or UTC) "
                          "at the top of the file, or write the offset (+08:00)")
            parsed = parsed.replace(tzinfo=zone)
        return parsed

    def policy(raw: dict, key: str, base: LatePolicy | None = None) -> LatePolicy:
        cutoffs = [k for k in CUTOFF_KEYS if k in raw and (raw[k] is not None or k == "cutoff")]
        given = [k for k in CUTOFF_KEYS if k in raw and raw[k] is not None]
        if len(given) > 1:
            fail(f"{key}.{given[1]}", f"choose one of {', '.join(CUTOFF_KEYS)} (also given: {given[0]})")
        values = dict(vars(base)) if base is not None else {}
        if cutoffs:  # any cutoff key replaces the defaults' cutoff
            values.update(cutoff_days=None, cutoff_hours=None, cutoff=None)
        for name, value in raw.items():
            if name == "cutoff":
                value = moment(value, f"{key}.cutoff") if value is not None else None
            elif name in ("penalty_percent", "max_penalty_percent", "grace_minutes", "cutoff_days", "cutoff_hours"):
                value = float(value)
            values[name] = value
        return LatePolicy(**values)

    defaults = data.get("defaults", {})
    default_policy = policy(defaults.get("late_policy", {}), "defaults.late_policy")
    default_tokens = defaults.get("tokens", True)
    known = ", ".join(sorted(CATALOG))
    assignments = {}
    for assignment_id, spec in data["assignments"].items():
        key = f"assignments.{assignment_id}"
        if assignment_id not in CATALOG:
            fail(key, f"unknown assignment {assignment_id!r}; known assignments: {known}")
        assignments[assignment_id] = CourseAssignment(
            assignment_id, moment(spec["due"], f"{key}.due"),
            policy(spec.get("late_policy", {}), f"{key}.late_policy", default_policy),
            spec.get("tokens", default_tokens))

    extensions: list[Extension] = []
    seen: dict[tuple[str, str], int] = {}
    for index, spec in enumerate(data.get("extensions", [])):
        key = f"extensions[{index}]"
        assignment_id = spec["assignment"]
        if assignment_id not in CATALOG:
            fail(f"{key}.assignment", f"unknown assignment {assignment_id!r}; known assignments: {known}")
        if assignment_id not in assignments:
            fail(f"{key}.assignment", f"{assignment_id!r} has no due date in this course; add it under assignments:")
        how = [k for k in ("days", "hours", "until") if k in spec]
        if len(how) != 1:
            fail(key, "give exactly one of days, hours or until" + (f" (given: {', '.join(how)})" if how else ""))
        pair = (spec["student"].casefold(), assignment_id)
        if pair in seen:
            fail(key, f"a second extension for {spec['student']!r} on {assignment_id} (first: extensions[{seen[pair]}]);"
                      " keep one")
        seen[pair] = index
        until = moment(spec["until"], f"{key}.until") if "until" in spec else None
        if until is not None and until < assignments[assignment_id].due:
            fail(f"{key}.until", f"{spec['until']!r} is before the due date of {assignment_id} "
                                 f"({format_time(assignments[assignment_id].due)})")
        extensions.append(Extension(spec["student"], assignment_id, spec.get("days"), spec.get("hours"), until))

    students = {student.casefold(): spec["late_tokens"]
                for student, spec in data.get("students", {}).items() if "late_tokens" in spec}
    return Course(data.get("course", ""), zone_name, data.get("late_tokens", 0), assignments, tuple(extensions),
                  students, source=where, language=data.get("language"), csv_titles=data.get("csv_titles", False))


def load_course(path: Path) -> Course:
    """Read and validate the course file at ``path``. Raises CourseError (one line, naming the
    file and the key)."""
    path = Path(path)
    where = str(path)
    try:
        if not path.is_file():
            raise CourseError(f"{where}: no such file" if not path.exists() else f"{where}: is not a file")
        if path.stat().st_size > MAX_COURSE_BYTES:
            raise CourseError(f"{where}: larger than {MAX_COURSE_BYTES // 1024} KiB; is it a course file?")
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CourseError(f"{where}: cannot read it: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise CourseError(f"{where}: is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise CourseError(f"{where}: not valid YAML: {line}{' '.join(str(error.problem).split())}") from None
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        raise CourseError(f"{where}: not valid YAML: {' '.join(str(error).split())}") from None
    return parse_course(data, where)


def course_of(outdir: Path, path: Path | None = None) -> Course | None:
    """The course at ``path`` if given, else ``outdir/course.yml`` if it exists, else None.
    Raises CourseError for a file that is not a valid course."""
    if path is not None:
        return load_course(Path(path))
    stored = Path(outdir) / COURSE_FILENAME
    return load_course(stored) if stored.is_file() else None


def install_course(path: Path, outdir: Path) -> Path:
    """Copy the course file at ``path`` to ``outdir/course.yml`` atomically (a reader sees the
    old file or the new one, never half of one); returns the copy's path."""
    target = Path(outdir) / COURSE_FILENAME
    source = Path(path)
    if target.exists() and os.path.samefile(source, target):
        return target
    write_atomically(target, source.read_bytes(), mode=0o644, durable=True)
    return target


# -------------------------------------------------------------------------------- the policy


def _submitted(result: SubmissionResult) -> datetime | None:
    if not result.submitted_at:
        return None
    try:
        moment = datetime.fromisoformat(result.submitted_at)
    except ValueError:
        return None
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
    # A stored time near the ends of datetime's range overflowed moving to the course's zone,
    # which stopped the whole report: it is unknown instead (results.PLAUSIBLE_YEARS).
    return moment if plausible_time(moment) else None


def duration_text(seconds: float) -> str:
    """``2 days 3 h``, ``5 h 12 min``, ``3 min``, ``40 s``."""
    seconds = int(math.ceil(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_n("{count} day", "{count} days", days))
    if hours:
        parts.append(_f("{count} h", count=hours))
    if minutes and not days:
        parts.append(_f("{count} min", count=minutes))
    if not parts:
        parts.append(_f("{count} s", count=secs))
    return " ".join(parts)


def lateness_text(adjustment: LateAdjustment) -> str:
    """``on time``, ``2 days 3 h late``, ``12 min late (grace)``, ``past cutoff``; ``time
    unknown`` where the submission's time is."""
    if adjustment.past_cutoff:
        return _("past cutoff")
    if not adjustment.submitted_at:
        return _("time unknown")
    if not adjustment.is_late:
        return _("on time")
    late = duration_text(adjustment.late_seconds)
    return _f("{duration} late", duration=late) if adjustment.late_units else _f("{duration} late (grace)",
                                                                                  duration=late)


@dataclass
class _Row:
    result: SubmissionResult
    due: datetime
    cutoff: datetime | None
    submitted: datetime | None
    late_seconds: float
    units: int
    past_cutoff: bool
    extended: bool
    raw: float


def _row(course: Course, result: SubmissionResult) -> _Row:
    assignment = course.assignments[result.assignment]
    policy = assignment.late_policy
    due = course.due_for(result.assignment, result.student)
    cutoff = course.cutoff_for(result.assignment, result.student)
    submitted = _submitted(result)
    late_seconds = max(0.0, (submitted - due).total_seconds()) if submitted else 0.0
    counted = late_seconds - policy.grace_minutes * 60
    units = math.ceil(counted / policy.unit_seconds) if counted > 0 else 0
    past_cutoff = bool(submitted and cutoff is not None and submitted > cutoff)
    raw = 0.0 if result.status.is_problem else result.score
    return _Row(result, due, cutoff, submitted, late_seconds, units, past_cutoff,
                course.extension_for(result.assignment, result.student) is not None, raw)


def _tokens_to_spend(course: Course, row: _Row, available: int) -> int:
    """As few tokens as lower the penalty as far as ``available`` of them can."""
    assignment = course.assignments[row.result.assignment]
    policy = assignment.late_policy
    if (not assignment.tokens or row.past_cutoff or row.units == 0 or available <= 0 or row.raw <= 0
            or policy.penalty_percent <= 0):
        return 0
    most = min(available, row.units)
    best = policy.penalty_percent_for(row.units - most)
    if best >= policy.penalty_percent_for(row.units):
        return 0
    return next(t for t in range(most + 1) if policy.penalty_percent_for(row.units - t) == best)


def _adjustment(course: Course, row: _Row, tokens: int) -> LateAdjustment:
    result = row.result
    policy = course.assignments[result.assignment].late_policy
    zone = course.zone
    due_text = format_time(row.due, zone)
    due = (_f("due {due} (extended)", due=due_text) if row.extended else _f("due {due}", due=due_text))
    penalty_percent = 0.0
    if row.past_cutoff:
        final = 0.0
        note = _f("submitted past the cutoff ({cutoff}): final score 0", cutoff=format_time(row.cutoff, zone))
    else:
        penalty_percent = policy.penalty_percent_for(row.units - tokens)
        base = row.raw if policy.of == "score" else result.max_score
        final = max(0.0, row.raw - base * penalty_percent / 100)
        if row.submitted is None:
            note = _f("submission time unknown: counted as on time ({due})", due=due)
        elif not row.units:
            note = (_f("on time ({due})", due=due) if not row.late_seconds else
                    _f("{duration} late, within the {grace}-minute grace period ({due})",
                       duration=duration_text(row.late_seconds), grace=format(policy.grace_minutes, "g"), due=due))
        else:
            counted = (_n("{count} day counted", "{count} days counted", row.units) if policy.per == "day"
                       else _n("{count} hour counted", "{count} hours counted", row.units))
            note = _f("submitted {duration} late ({due}): {counted}", duration=duration_text(row.late_seconds),
                      due=due, counted=counted)
            if tokens:
                note += _n(", {count} covered by late token", ", {count} covered by late tokens", tokens)
            penalty = format(penalty_percent, "g")
            points = format(round(row.raw - final, 6), "g")
            note += (_f("; penalty {percent}% of the score (-{points} points)", percent=penalty, points=points)
                     if policy.of == "score" else
                     _f("; penalty {percent}% of the maximum score (-{points} points)", percent=penalty, points=points))
    if row.submitted is not None and result.time_source == "mtime":
        note += _(" (time from the file's modification time, the weakest source)")
    return LateAdjustment(
        result.assignment, result.student, round(row.raw, 6), round(final, 6),
        penalty_points=round(row.raw - final, 6), penalty_percent=round(penalty_percent, 6),
        due=row.due.astimezone(zone).isoformat(),
        submitted_at=row.submitted.astimezone(zone).isoformat() if row.submitted else "",
        time_source=result.time_source if row.submitted else "", late_seconds=row.late_seconds,
        late_units=row.units, unit=policy.per, tokens_used=tokens, past_cutoff=row.past_cutoff,
        extended=row.extended, note=note)


def adjustments(course: Course, results: Iterable[SubmissionResult]) -> dict[tuple[str, str], LateAdjustment]:
    """What the course's late policy does to each result whose assignment the course names,
    keyed by (assignment, student). Computed from ALL ``results`` at once, since a student's
    tokens span assignments: pass every row of the gradebook, not one assignment's. Pure."""
    rows = [_row(course, r) for r in results if r.assignment in course.assignments]
    rows.sort(key=lambda row: (row.due, row.result.assignment, row.result.student))
    left: dict[str, int] = {}
    out: dict[tuple[str, str], LateAdjustment] = {}
    for row in rows:
        student = row.result.student
        key = student.casefold()
        available = left.setdefault(key, course.tokens_of(student))
        tokens = _tokens_to_spend(course, row, available)
        left[key] = available - tokens
        out[(row.result.assignment, student)] = _adjustment(course, row, tokens)
    return out


# ------------------------------------------------------------------------ the instructor's view


@dataclass(frozen=True)
class AssignmentPlan:
    """One assignment of a course, in words, for ``autograder course``."""

    id: str
    title: str
    due: str
    policy: str
    tokens: bool
    extensions: tuple[str, ...]  # "alice: until 2026-10-03 23:59 +08:00"


@dataclass(frozen=True)
class CoursePlan:
    course: Course
    assignments: tuple[AssignmentPlan, ...]
    token_overrides: tuple[tuple[str, int], ...]


def plan(course: Course) -> CoursePlan:
    """The course's due dates, policies and extensions per assignment, in due-date order."""
    items = []
    for assignment in sorted(course.assignments.values(), key=lambda a: (a.due, a.id)):
        extensions = tuple(
            f"{e.student}: until {format_time(e.due_after(assignment.due), course.zone)}"
            for e in course.extensions if e.assignment == assignment.id)
        items.append(AssignmentPlan(assignment.id, CATALOG[assignment.id].title,
                                    format_time(assignment.due, course.zone), assignment.late_policy.describe(),
                                    assignment.tokens, extensions))
    return CoursePlan(course, tuple(items), tuple(sorted(course.student_tokens.items())))
