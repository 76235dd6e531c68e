"""Do a course file's due dates, extensions, late tokens and late policies give the final scores
its documentation promises, from the submission times that intake finds?"""

import csv
import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from autograder import api, course, gradescope_import
from autograder.assignments import get_assignment
from autograder.cli import main
from autograder.course import COURSE_FILENAME, CourseError, adjustments, lateness_text, load_course, parse_course
from autograder.gradebook import Gradebook
from autograder.intake import survey
from autograder.results import LateAdjustment, Outcome, SubmissionResult, SubmissionStatus, TestResult
from test_gradescope_import import make_export as gradescope_export

ASSIGNMENT = get_assignment("activations")
REFERENCE = ASSIGNMENT.solution_path
PARTIAL = Path(__file__).resolve().parents[1] / "autograder" / "demo" / "activations" / "partial_single_file.py"
DUE = datetime(2026, 10, 1, 23, 59, tzinfo=timezone.utc)


# ----------------------------------------------------------------------------------- helpers


def make_course(text: str):
    return parse_course(yaml.safe_load(text))


def row(student: str, score: float, late: timedelta | None, *, assignment: str = "activations", due: datetime = DUE,
        max_score: float = 20.0, status: SubmissionStatus = SubmissionStatus.GRADED,
        source: str = "gradescope") -> SubmissionResult:
    """A gradebook row scoring ``score`` of ``max_score``, submitted ``late`` after ``due``
    (None: time unknown)."""
    tests = [TestResult("t", max_score, score, Outcome.PASSED if score == max_score else Outcome.FAILED, "done")]
    return SubmissionResult(assignment, student, status, tests=tests, max_score=max_score,
                            submitted_at=(due + late).isoformat() if late is not None else "",
                            time_source=source if late is not None else "")


def adjust(course_text: str, *rows: SubmissionResult) -> dict[str, LateAdjustment]:
    """The adjustments by "assignment/student", or by student where there is one assignment."""
    found = adjustments(make_course(course_text), list(rows))
    if len({a for a, _ in found}) == 1:
        return {student: adjustment for (_, student), adjustment in found.items()}
    return {f"{a}/{s}": adjustment for (a, s), adjustment in found.items()}


def finals(adjusted: dict[str, LateAdjustment]) -> dict[str, float]:
    return {key: adjustment.final_score for key, adjustment in adjusted.items()}


# ------------------------------------------------------------------ the policy, from its docs


def test_per_day_lateness_is_rounded_up_after_the_grace_period():
    """"15 minutes' grace, per day: 10 minutes late is on time, 1 day 10 minutes late is 1 day
    late, 1 day 20 minutes late is 2 days late" (the module's docstring)."""
    adjusted = adjust("""
        assignments:
          activations: {due: "2026-10-01 23:59Z", late_policy: {penalty_percent: 10, grace_minutes: 15}}
        """, row("a", 20, timedelta(minutes=10)), row("b", 20, timedelta(days=1, minutes=10)),
        row("c", 20, timedelta(days=1, minutes=20)), row("d", 20, timedelta(0)))
    assert {s: a.late_units for s, a in adjusted.items()} == {"a": 0, "b": 1, "c": 2, "d": 0}
    assert finals(adjusted) == {"a": 20, "b": 18, "c": 16, "d": 20}
    assert lateness_text(adjusted["a"]) == "10 min late (grace)"
    assert lateness_text(adjusted["c"]) == "1 day late"
    assert lateness_text(adjusted["d"]) == "on time"
    assert "within the 15-minute grace period" in adjusted["a"].note


def test_per_hour_penalty():
    """``per: hour``: 5% per started hour, 1 h 30 min late is 2 hours late."""
    adjusted = adjust("""
        assignments:
          activations: {due: "2026-10-01 23:59Z", late_policy: {penalty_percent: 5, per: hour}}
        """, row("a", 20, timedelta(hours=1, minutes=30)), row("b", 20, timedelta(seconds=1)))
    assert {s: (a.late_units, a.unit, a.penalty_percent) for s, a in adjusted.items()} == {
        "a": (2, "hour", 10), "b": (1, "hour", 5)}
    assert finals(adjusted) == {"a": 18, "b": 19}


def test_penalty_is_capped():
    """``max_penalty_percent``: 8 days at 10% a day takes 50%, not 80%."""
    adjusted = adjust("""
        assignments:
          activations: {due: "2026-10-01 23:59Z",
                        late_policy: {penalty_percent: 10, max_penalty_percent: 50}}
        """, row("a", 20, timedelta(days=7, hours=1)))
    assert (adjusted["a"].late_units, adjusted["a"].penalty_percent, adjusted["a"].final_score) == (8, 50, 10)
    assert adjusted["a"].penalty_points == 10


def test_penalty_of_max_score_never_goes_below_zero():
    """``of: max_score``: the penalty is a share of the maximum; the final score stays >= 0."""
    adjusted = adjust("""
        assignments:
          activations: {due: "2026-10-01 23:59Z", late_policy: {penalty_percent: 10, of: max_score}}
        """, row("a", 15, timedelta(days=2)), row("b", 3, timedelta(days=3)), row("c", 15, None))
    assert finals(adjusted) == {"a": 11, "b": 0, "c": 15}
    assert adjusted["b"].penalty_points == 3


def test_tokens_are_spent_in_due_date_order_across_assignments():
    """Tokens go to the assignment due first (whatever the file's order), cover one unit each,
    and are not spent where they cannot lower the penalty (a penalty at its cap, a zero score)."""
    text = """
        late_tokens: 2
        defaults: {late_policy: {penalty_percent: 10}}
        assignments:
          losses: {due: "2026-10-08 23:59Z"}
          activations: {due: "2026-10-01 23:59Z"}
          optimizers: {due: "2026-10-15 23:59Z", late_policy: {max_penalty_percent: 20}}
        students:
          bob: {late_tokens: 5}
        """
    losses_due, optimizers_due = DUE + timedelta(days=7), DUE + timedelta(days=14)
    adjusted = adjust(
        text,
        row("ann", 20, timedelta(days=1, hours=1), assignment="losses", due=losses_due),
        row("ann", 20, timedelta(days=1, hours=1)),
        row("bob", 20, timedelta(days=4, hours=1), assignment="optimizers", due=optimizers_due),
        row("bob", 0, timedelta(days=1)),
        row("bob", 20, timedelta(days=1, hours=1), assignment="losses", due=losses_due))
    tokens = {key: a.tokens_used for key, a in adjusted.items()}
    # ann: 2 days late on both, 2 tokens, all to activations, due first. bob: none on a 0, 2 on
    # losses; optimizers is 5 days late at a 20% cap: his 3 left bring it to 2 days, still 20%: none.
    assert tokens == {"activations/ann": 2, "losses/ann": 0,
                      "activations/bob": 0, "losses/bob": 2, "optimizers/bob": 0}
    assert finals(adjusted) == {"activations/ann": 20, "losses/ann": 16, "activations/bob": 0, "losses/bob": 20,
                                "optimizers/bob": 16}
    assert "2 covered by late tokens" in adjusted["activations/ann"].note


def test_tokens_false_forbids_tokens_there():
    """``tokens: false``: the assignment gets no token, and the student keeps them for the next."""
    adjusted = adjust("""
        late_tokens: 1
        defaults: {late_policy: {penalty_percent: 10}}
        assignments:
          activations: {due: "2026-10-01 23:59Z", tokens: false}
          losses: {due: "2026-10-08 23:59Z"}
        """, row("ann", 20, timedelta(hours=3)),
        row("ann", 20, timedelta(hours=3), assignment="losses", due=DUE + timedelta(days=7)))
    assert {k: (a.tokens_used, a.final_score) for k, a in adjusted.items()} == {
        "activations/ann": (0, 18), "losses/ann": (1, 20)}


def test_extension_moves_the_due_date_and_the_cutoff():
    """An extension of 3 days: 4 days after the original due date is 1 day late for alice, and
    within her cutoff (2 days after her own due date); bob, at the same time, is past his and
    scores 0 without spending a token, which his next assignment gets. An absolute cutoff moves
    by the extension too."""
    adjusted = adjust("""
        late_tokens: 1
        defaults: {late_policy: {penalty_percent: 10, cutoff_days: 2}}
        assignments:
          activations: {due: "2026-10-01 23:59Z"}
          losses: {due: "2026-10-08 23:59Z", late_policy: {cutoff: "2026-10-09 23:59Z"}}
        extensions:
          - {student: Alice, assignment: activations, days: 3}
          - {student: alice, assignment: losses, until: "2026-10-10 23:59Z"}
        """, row("alice", 20, timedelta(days=4)), row("bob", 20, timedelta(days=4)),
        row("alice", 20, timedelta(days=2, hours=12), assignment="losses", due=DUE + timedelta(days=7)),
        row("bob", 20, timedelta(hours=12), assignment="losses", due=DUE + timedelta(days=7)))
    alice, bob = adjusted["activations/alice"], adjusted["activations/bob"]
    assert (alice.extended, alice.late_units, alice.tokens_used, alice.past_cutoff, alice.final_score) == (
        True, 1, 1, False, 20)
    assert alice.due == "2026-10-04T23:59:00+00:00"
    assert (bob.past_cutoff, bob.tokens_used, bob.final_score, lateness_text(bob)) == (True, 0, 0, "past cutoff")
    # losses: alice is due 2026-10-10, her cutoff moved by 2 days to 2026-10-11: 12 h late, no token left.
    assert (adjusted["losses/alice"].past_cutoff, adjusted["losses/alice"].final_score) == (False, 18)
    assert (adjusted["losses/bob"].tokens_used, adjusted["losses/bob"].final_score) == (1, 20)


def test_unknown_time_counts_as_on_time_and_problem_rows_keep_zero():
    adjusted = adjust("""
        defaults: {late_policy: {penalty_percent: 10}}
        assignments:
          activations: {due: "2026-10-01 23:59Z"}
        """, row("a", 20, None), row("b", 0, timedelta(days=2), status=SubmissionStatus.SYNTAX_ERROR),
        row("c", 20, timedelta(days=1), source="mtime"))
    assert (adjusted["a"].final_score, adjusted["a"].late_units, lateness_text(adjusted["a"])) == (20, 0, "time unknown")
    assert "time unknown" in adjusted["a"].note
    assert (adjusted["b"].raw_score, adjusted["b"].final_score, adjusted["b"].late_units) == (0, 0, 2)
    assert "modification time" in adjusted["c"].note


def test_adjustments_are_pure_and_skip_assignments_the_course_does_not_name():
    text = """
        late_tokens: 1
        defaults: {late_policy: {penalty_percent: 10}}
        assignments:
          activations: {due: "2026-10-01 23:59Z"}
          losses: {due: "2026-10-01 23:59Z"}
        """
    rows = [row("a", 20, timedelta(days=1)), row("a", 20, timedelta(days=1), assignment="losses"),
            row("a", 20, timedelta(days=9), assignment="optimizers")]
    once = adjustments(make_course(text), rows)
    assert once == adjustments(make_course(text), list(reversed(rows)))
    assert set(once) == {("activations", "a"), ("losses", "a")}
    # Same due date: the token goes to the assignment first by id.
    assert once[("activations", "a")].tokens_used == 1 and once[("losses", "a")].tokens_used == 0


# --------------------------------------------------------------------------------- the schema


@pytest.mark.parametrize("text, message", [
    ('assignments: {activations: {due: "2026-13-01"}}',
     "course.yml: assignments.activations.due: '2026-13-01' is not a date-time"),
    ('assignments: {activations: {due: 2026-10-01}}', "assignments.activations.due: '2026-10-01' is not a date-time"),
    ('late_tokens: three\nassignments: {activations: {due: "2026-10-01 23:59Z"}}',
     "course.yml: late_tokens: 'three' is not an integer"),
    ('assignments: {activations: {due: "2026-10-01 23:59Z", late_polcy: {}}}',
     "course.yml: assignments.activations.late_polcy: unknown key; expected one of: due, late_policy, tokens"),
    ('defaults: {late_policy: {penalty: 10}}\nassignments: {activations: {due: "2026-10-01 23:59Z"}}',
     "course.yml: defaults.late_policy.penalty: unknown key"),
    ('assignments: {lenet5: {due: "2026-10-01 23:59Z"}}',
     "course.yml: assignments.lenet5: unknown assignment 'lenet5'; known assignments: activations, alexnet,"),
    ('assignments: {activations: {due: "2026-10-01 23:59Z"}}\n'
     'extensions: [{student: ann, assignment: lenet5, days: 1}]', "extensions[0].assignment: unknown assignment"),
    ('assignments: {activations: {due: "2026-10-01 23:59"}}',
     "assignments.activations.due: '2026-10-01 23:59' has no UTC offset: add timezone:"),
    ('timezone: Mars/Olympus\nassignments: {activations: {due: "2026-10-01 23:59"}}',
     "timezone: 'Mars/Olympus' is not a time zone"),
    ('assignments: {activations: {due: "2026-10-01 23:59Z", late_policy: {per: week}}}',
     "late_policy.per: 'week' is not one of: day, hour"),
    ('assignments: {activations: {due: "2026-10-01 23:59Z", late_policy: {cutoff_days: 1, cutoff_hours: 5}}}',
     "late_policy.cutoff_hours: choose one of cutoff_days, cutoff_hours, cutoff"),
    ('assignments: {activations: {due: "2026-10-01 23:59Z"}}\n'
     'extensions: [{student: 00123, assignment: activations, days: 1}]',
     "extensions[0].student: 83 is not text (quote student ids: '00123')"),
    ('assignments: {activations: {due: "2026-10-01 23:59Z"}}\nextensions: [{student: a, assignment: activations}]',
     "extensions[0]: give exactly one of days, hours or until"),
    ('course: x', "course.yml: assignments: missing"),
    ('- a list', "course.yml: is not a mapping"),
    ('assignments: {activations: {due: "2026-10-01 23:59Z"}', "course.yml: not valid YAML: line 2: expected ',' or '}'"),
])
def test_schema_errors_name_the_key_and_what_is_wrong(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    Path(COURSE_FILENAME).write_text(text + "\n")
    with pytest.raises(CourseError) as raised:
        load_course(Path(COURSE_FILENAME))
    assert str(raised.value).startswith("course.yml: ") and message in str(raised.value), str(raised.value)
    assert "\n" not in str(raised.value)


def test_assignment_policy_overrides_defaults_key_by_key():
    found = make_course("""
        timezone: Asia/Shanghai
        defaults: {tokens: false, late_policy: {penalty_percent: 10, grace_minutes: 5, cutoff_days: 3}}
        assignments:
          activations: {due: "2026-10-01 23:59", late_policy: {per: hour, cutoff: null}, tokens: true}
          losses: {due: "2026-10-01 23:59+00:00", late_policy: {cutoff_hours: 12}}
        """)
    activations, losses = found.assignments["activations"], found.assignments["losses"]
    assert activations.due == datetime(2026, 10, 1, 15, 59, tzinfo=timezone.utc)
    assert (activations.late_policy.per, activations.late_policy.penalty_percent, activations.late_policy.grace_minutes,
            activations.late_policy.cutoff_days, activations.tokens) == ("hour", 10, 5, None, True)
    assert (losses.late_policy.cutoff_days, losses.late_policy.cutoff_hours, losses.tokens) == (None, 12, False)
    assert course.course_of(Path("/nonexistent")) is None


# ------------------------------------------------------------------------ intake: the times


def test_timestamp_files_beside_entries_and_mtime(tmp_path):
    """``<id>.timestamp.txt`` beside an entry dates it and is no entry nor an ignored file; an
    entry without one is dated by its (newest file's) modification time; an invalid one falls
    back to that with a note; a timestamp.txt inside a student's folder is theirs, not read; a
    timestamp file with no entry is an ignored file."""
    folder = tmp_path / "class"
    for student in ("ann", "cat", "dan"):
        (folder / student).mkdir(parents=True)
        shutil.copy(REFERENCE, folder / student / ASSIGNMENT.module_filename)
    shutil.copy(REFERENCE, folder / "bob.py")
    (folder / "ann.timestamp.txt").write_text("2026-10-02T08:00:00+08:00\n")
    (folder / "bob.timestamp.txt").write_text("2026-10-01 12:00:00.000000 UTC")  # nbgrader's way
    (folder / "dan.timestamp.txt").write_text("yesterday")
    (folder / "cat" / "timestamp.txt").write_text("2020-01-01T00:00:00+00:00")
    (folder / "zed.timestamp.txt").write_text("2026-10-01T00:00:00Z")
    newest = datetime(2026, 10, 3, 9, 30, tzinfo=timezone.utc).timestamp()
    os.utime(folder / "cat" / ASSIGNMENT.module_filename, (newest, newest))
    os.utime(folder / "cat" / "timestamp.txt", (newest - 3600, newest - 3600))

    found = survey(folder)
    by_student = {entry.student: entry for entry in found.entries}
    assert sorted(by_student) == ["ann", "bob", "cat", "dan"]
    assert found.ignored == ["zed.timestamp.txt"]
    assert (by_student["ann"].submitted_at.isoformat(), by_student["ann"].time_source) == (
        "2026-10-02T08:00:00+08:00", "timestamp_file")
    assert by_student["bob"].submitted_at == datetime(2026, 10, 1, 12, tzinfo=timezone.utc)
    assert (by_student["cat"].submitted_at, by_student["cat"].time_source) == (
        datetime.fromtimestamp(newest, timezone.utc), "mtime")
    assert by_student["dan"].time_source == "mtime"
    assert "dan.timestamp.txt is unusable" in by_student["dan"].time_note


def test_gradescope_created_at_dates_the_entry(tmp_path):
    root = tmp_path / "export"
    root.mkdir()
    (root / gradescope_import.METADATA_FILENAME).write_text(
        "submission_1:\n  :submitters:\n  - :sid: '1'\n  :created_at: 2026-10-01 12:00:00.000000000 -07:00\n"
        "submission_2:\n  :submitters:\n  - :sid: '2'\n  :created_at: not a time\n")
    for folder in ("submission_1", "submission_2"):
        (root / folder).mkdir()
    export = gradescope_import.read_export(root)
    times = {e.student: (e.submitted_at, e.time_source) for e in export.entries}
    assert times == {"1": (datetime(2026, 10, 1, 19, tzinfo=timezone.utc), "gradescope"), "2": (None, "")}


# --------------------------------------------------------------- grading with a course, end to end

COURSE = """\
course: Deep Learning 2026
timezone: Asia/Shanghai
late_tokens: 1
defaults:
  late_policy: {penalty_percent: 10, per: day, max_penalty_percent: 50, grace_minutes: 15, cutoff_days: 5}
assignments:
  activations: {due: "2026-10-01 23:59"}
extensions:
  - {student: "00300", assignment: activations, days: 2}
students:
  "00200": {late_tokens: 0}
"""
# Due 2026-10-01 23:59 +08:00, which is 2026-10-01 08:59 -07:00 (Gradescope's zone here).
SUBMITTED = {  # folder -> (sid, :created_at:)
    "submission_1": ("00100", "2026-10-01 08:50:00.000000000 -07:00"),  # 9 min early
    "submission_2": ("00200", "2026-10-03 08:00:00.000000000 -07:00"),  # 1 day 23 h late
    "submission_3": ("00201", "2026-10-03 08:00:00.000000000 -07:00"),  # the same, with a token
    "submission_4": ("00300", "2026-10-03 08:00:00.000000000 -07:00"),  # the same, with 2 days' extension
    "submission_5": ("00400", "2026-10-07 12:00:00.000000000 -07:00"),  # 6 days 3 h late: past the cutoff
    "submission_6": ("00500", "2026-10-02 10:00:00.000000000 -07:00"),  # 1 day 1 h late, partial solution
}
METADATA = "".join(f"{folder}:\n  :submitters:\n  - :name: Student {sid}\n    :sid: '{sid}'\n"
                   f"    :email: s{sid}@example.edu\n  :created_at: {when}\n"
                   for folder, (sid, when) in SUBMITTED.items())
SOURCES = {"submission_1": REFERENCE, "submission_2": REFERENCE, "submission_3": REFERENCE, "submission_4": REFERENCE,
           "submission_5": REFERENCE, "submission_6": PARTIAL}


def make_export(root: Path) -> Path:
    """The export of the submissions above, as tests/test_gradescope_import.py fakes one."""
    return gradescope_export(root, METADATA, SOURCES)


def read_csv(path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as stream:
        return {r["student"]: r for r in csv.DictReader(stream)}


def test_gradescope_export_graded_with_a_course_gives_final_scores(tmp_path):
    """Grading a Gradescope export with a course: on time, late (no token: 2 days, 20%), late
    with a token (1 of 2 days covered, 10%), extended (on time), past the cutoff (0), and a
    partial score taken 20% of; the CSVs keep ``score`` raw; the course is copied into the
    output folder, where a rerun without --course, and the report, find it."""
    course_file = tmp_path / "my-course.yml"
    course_file.write_text(COURSE)
    out = tmp_path / "out"
    batch = api.grade("activations", make_export(tmp_path / "export"), out, course=course_file)
    rows = read_csv(batch.csv_path)
    partial_raw = float(rows["00500"]["score"])
    assert 0 < partial_raw < 20
    got = {s: (float(r["score"]), float(r["final_score"]), r["lateness"], r["late_units"], r["tokens_used"],
               r["time_source"]) for s, r in rows.items() if s != "00500"}
    assert got == {
        "00100": (20, 20, "on time", "0", "0", "gradescope"),
        "00200": (20, 16, "1 day 23 h late", "2", "0", "gradescope"),  # no token: 2 days, 20%
        "00201": (20, 18, "1 day 23 h late", "2", "1", "gradescope"),  # 1 token: 1 day, 10%
        "00300": (20, 20, "on time", "0", "0", "gradescope"),
        "00400": (20, 0, "past cutoff", "7", "0", "gradescope"),
    }
    # 00500: 1 day 1 h late, 2 days after the grace period; one token: 1 day, 10%.
    assert (rows["00500"]["lateness"], rows["00500"]["late_units"], rows["00500"]["tokens_used"]) == (
        "1 day 1 h late", "2", "1")
    assert float(rows["00500"]["final_score"]) == pytest.approx(partial_raw * 0.9)
    assert rows["00300"]["due"] == "2026-10-03T23:59:00+08:00"
    assert rows["00100"]["submitted_at"] == "2026-10-01T23:50:00+08:00"
    assert float(rows["00200"]["penalty"]) == 4 and float(rows["00200"]["final_percent"]) == 80
    header = next(csv.reader(open(batch.csv_path)))
    assert header[:10] == ["student", "name", "email", "sid", "score", "max_score", "percent", "status",
                           "raw_score", "penalty"]
    classes = read_csv(batch.class_csv_path)
    assert float(classes["00400"]["total"]) == 20 and float(classes["00400"]["final_total"]) == 0
    assert classes["00400"]["activations.lateness"] == "past cutoff"
    assert (out / COURSE_FILENAME).read_text() == COURSE

    # A rerun without --course (nothing to grade) renders with out/course.yml.
    again = api.grade("activations", tmp_path / "export", out)
    assert again.graded == [] and float(read_csv(again.csv_path)["00200"]["final_score"]) == 16


def test_cli_refuses_a_bad_course_before_grading_and_course_prints_the_plan(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text('assignments:\n  activations: {due: "2026-13-01"}\n')
    runner = CliRunner()
    result = runner.invoke(main, ["grade", "activations", str(make_export(tmp_path / "export")), "-o",
                                  str(tmp_path / "out"), "--course", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip() == (f"error: {bad}: assignments.activations.due: '2026-13-01' is not a date-time "
                                     "(write it as 2026-10-01 23:59, or with a UTC offset: 2026-10-01 23:59+08:00)")
    assert not (tmp_path / "out").exists()

    good = tmp_path / "course.yml"
    good.write_text(COURSE)
    shown = runner.invoke(main, ["course", str(good)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "Deep Learning 2026: time zone Asia/Shanghai, 1 late token(s) per student" in shown.output
    assert "2026-10-01 23:59 +08:00" in shown.output
    assert "10% of the score per day late (after 15 min grace), at most 50%; 0 after 5 day(s) late" in shown.output
    assert "00300: until 2026-10-03 23:59 +08:00" in shown.output


def test_unchanged_submission_takes_its_fixed_timestamp_without_a_regrade(tmp_path):
    """A plain class folder: times from timestamp files and mtimes reach the rows and the CSV;
    after the instructor fixes a timestamp file, the rerun grades nothing, and the row has the
    new time (and no longer the note about the broken file); an unchanged submission whose
    mtime changed (a copy) keeps the first one."""
    folder = tmp_path / "class"
    for student in ("ann", "bob"):
        (folder / student).mkdir(parents=True)
        shutil.copy(REFERENCE, folder / student / ASSIGNMENT.module_filename)
    shutil.copy(REFERENCE, folder / "cy.py")
    (folder / "ann.timestamp.txt").write_text("2026-10-03T23:00:00+08:00")  # 2 days late, 1 token
    (folder / "bob.timestamp.txt").write_text("broken")
    mtime = datetime(2026, 10, 1, 12, tzinfo=timezone.utc).timestamp()
    os.utime(folder / "bob" / ASSIGNMENT.module_filename, (mtime, mtime))
    os.utime(folder / "cy.py", (mtime, mtime))
    course_file = tmp_path / "course.yml"
    course_file.write_text(COURSE)
    out = tmp_path / "out"

    first = api.grade("activations", folder, out, course=course_file)
    assert sorted(r.student for r in first.graded) == ["ann", "bob", "cy"]
    with Gradebook(out) as gradebook:
        before = {r.student: r for r in gradebook.results("activations")}
    assert (before["ann"].time_source, before["ann"].submitted_at) == ("timestamp_file", "2026-10-03T23:00:00+08:00")
    assert before["bob"].time_source == "mtime"
    assert any("bob.timestamp.txt is unusable" in note for note in before["bob"].notes)
    rows = read_csv(first.csv_path)
    assert (rows["ann"]["final_score"], rows["ann"]["time_source"]) == ("18", "timestamp_file")
    assert (rows["bob"]["lateness"], rows["bob"]["time_source"]) == ("on time", "mtime")

    (folder / "ann.timestamp.txt").write_text("2026-10-01T20:00:00+08:00")  # on time after all
    (folder / "bob.timestamp.txt").write_text("2026-10-02T23:00:00+08:00")
    os.utime(folder / "cy.py", (mtime + 86400 * 9, mtime + 86400 * 9))  # copied without -p: the same content
    second = api.grade("activations", folder, out)
    assert second.graded == [] and sorted(second.skipped_already_graded) == ["ann", "bob", "cy"]
    with Gradebook(out) as gradebook:
        after = {r.student: r for r in gradebook.results("activations")}
    assert (after["ann"].submitted_at, after["bob"].time_source) == ("2026-10-01T20:00:00+08:00", "timestamp_file")
    assert after["bob"].notes == [] and after["ann"].tests == before["ann"].tests
    assert after["cy"] == before["cy"]  # an unchanged submission keeps the modification time first seen
    assert after["ann"].fingerprint == before["ann"].fingerprint
    rows = read_csv(second.csv_path)
    assert (rows["ann"]["final_score"], rows["bob"]["final_score"], rows["bob"]["tokens_used"]) == ("20", "20", "1")


def test_the_documented_example_is_a_valid_course():
    """The example in autograder.course's docstring parses, as the docs say it does."""
    import textwrap

    block = course.__doc__.split("before anything is graded::\n\n")[1].split("\n\nOnly")[0]
    found = parse_course(yaml.safe_load(textwrap.dedent(block)))
    assert found.due_for("activations", "ALICE") == found.assignments["activations"].due + timedelta(days=2)
    assert (found.tokens_of("Bob"), found.tokens_of("carol")) == (5, 3)
    assert found.assignments["lenet"].late_policy.per == "hour" and not found.assignments["lenet"].tokens
