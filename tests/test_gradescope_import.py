"""Does a Gradescope "Export Submissions" download grade into one row per student, safely?"""

import csv
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import gradescope_import
from autograder.assignments import get_assignment
from autograder.batch import BatchError, grade_batch
from autograder.cli import main
from autograder.gradebook import Gradebook
from autograder.gradescope_import import opened_export
from autograder.intake import StudentIdentity
from autograder.render.csv_gradebook import write_assignment_csv, write_class_csv
from autograder.results import SubmissionResult, SubmissionStatus, TestInfo
from autograder.sandbox.launcher import SandboxMode

ASSIGNMENT = get_assignment("activations")
REFERENCE, STUB = ASSIGNMENT.solution_path, ASSIGNMENT.stub_path
FULL = 20.0

# As Gradescope (Ruby) writes it: symbol keys, quoted SIDs, nanosecond times with a zone.
# Jane submitted twice: the later submission (the reference) has the lower folder number.
# Kim and Lee submitted as a group. Max has an empty SID, Noor neither SID nor email;
# Noor's record uses plain keys.
METADATA = """\
submission_200:
  :submitters:
  - :name: Jane Doe
    :sid: '00123'
    :email: jane@example.edu
  :created_at: 2026-10-01 12:00:00.000000000 -07:00
  :score: 0.0
  :status: Graded
  :history: []
submission_100:
  :submitters:
  - :name: Jane Doe
    :sid: '00123'
    :email: jane@example.edu
  :created_at: 2026-10-02 09:00:00.000000000 -07:00
  :score: 20.0
  :status: Graded
submission_300:
  :submitters:
  - :name: Kim Park
    :sid: '00200'
    :email: kim@example.edu
  - :name: Lee Chan
    :sid: '00201'
    :email: lee@example.edu
  :created_at: 2026-10-01 08:00:00.000000000 -07:00
submission_400:
  :submitters:
  - :name: Max Roe
    :sid: ''
    :email: max@example.edu
  :created_at: 2026-10-01 08:00:00.000000000 -07:00
submission_500:
  submitters:
  - name: Noor Ali
  created_at: 2026-10-01 08:00:00.000000000 -07:00
"""
SOURCES = {"submission_100": REFERENCE, "submission_200": STUB, "submission_300": REFERENCE,
           "submission_400": STUB, "submission_500": REFERENCE}
# student -> (status, score, name, email, sid)
EXPECTED = {
    "00123": ("graded", FULL, "Jane Doe", "jane@example.edu", "00123"),
    "00200": ("graded", FULL, "Kim Park", "kim@example.edu", "00200"),
    "00201": ("graded", FULL, "Lee Chan", "lee@example.edu", "00201"),
    "max@example.edu": ("graded", 0.0, "Max Roe", "max@example.edu", ""),
    "Noor Ali": ("graded", FULL, "Noor Ali", "", ""),
}


def make_export(root: Path, metadata: str = METADATA, sources: dict[str, Path] = SOURCES) -> Path:
    """An unzipped export: the metadata and one folder per submission, holding the student's module."""
    root.mkdir(parents=True)
    (root / gradescope_import.METADATA_FILENAME).write_text(metadata)
    for folder, source in sources.items():
        (root / folder).mkdir()
        shutil.copy(source, root / folder / ASSIGNMENT.module_filename)
    return root


def zip_folder(folder: Path, archive: Path, extra: dict[str, bytes] | None = None) -> Path:
    """The export as Gradescope's download holds it: everything inside ``<folder name>/``."""
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, f"{folder.name}/{path.relative_to(folder)}")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return archive


def grade(submissions: Path, outdir: Path, **options):
    return grade_batch(ASSIGNMENT, submissions, outdir, mode=SandboxMode.PROCESS, **options)


def rows_of(batch) -> dict[str, tuple]:
    return {r.student: (r.status.value, r.score, r.name, r.email, r.sid) for r in batch.graded}


def test_folder_export_grades_each_students_latest_submission(tmp_path):
    """Is only a student's latest submission graded, each group member given a row, and the
    student id the SID, else the email, else the name?"""
    batch = grade(make_export(tmp_path / "assignment_1234_export"), tmp_path / "out")
    assert rows_of(batch) == EXPECTED


def test_zip_export_grades_and_writes_identity_columns(tmp_path):
    """Is a .zip export extracted, graded, its extraction removed, and are the identity columns
    in both CSVs, right after the student id?"""
    archive = zip_folder(make_export(tmp_path / "assignment_1234_export"), tmp_path / "export.zip")
    out = tmp_path / "out"
    batch = grade(archive, out)
    assert rows_of(batch) == EXPECTED
    assert not list(out.glob(".gradescope-export-*"))

    with open(batch.csv_path) as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0])[:6] == ["student", "name", "email", "sid", "score", "max_score"]
    jane = next(row for row in rows if row["student"] == "00123")
    assert (jane["name"], jane["email"], jane["sid"]) == ("Jane Doe", "jane@example.edu", "00123")
    assert float(jane["score"]) == FULL

    with open(batch.class_csv_path) as stream:
        class_rows = list(csv.reader(stream))
    assert class_rows[0] == ["student", "name", "email", "sid", "activations", "total"]
    assert ["Noor Ali", "Noor Ali", "", "", "20", "20"] in class_rows


def test_identity_reaches_the_gradebook_from_the_pool(tmp_path):
    """With --jobs 2, grading runs in worker processes: do the rows still carry the identity?"""
    out = tmp_path / "out"
    grade(make_export(tmp_path / "export"), out, jobs=2)
    with Gradebook(out) as gradebook:
        stored = {r.student: (r.status.value, r.score, r.name, r.email, r.sid) for r in gradebook.results()}
    assert stored == EXPECTED


def test_folders_and_metadata_that_disagree_get_rows(tmp_path):
    """Does a folder the metadata does not list, a record without submitters, and a student
    whose latest submission's folder is missing each get a clear row, without stopping the rest?"""
    metadata = METADATA + """\
submission_600:
  :submitters:
  - :name: Omar Said
    :sid: '00600'
    :email: omar@example.edu
  :created_at: 2026-10-01 08:00:00.000000000 -07:00
submission_700:
  :submitters: []
  :created_at: 2026-10-01 08:00:00.000000000 -07:00
"""
    sources = {**SOURCES, "submission_700": REFERENCE, "submission_999": REFERENCE}
    batch = grade(make_export(tmp_path / "export", metadata, sources), tmp_path / "out")
    rows = {r.student: r for r in batch.graded}
    assert {s: rows_of(batch)[s] for s in EXPECTED} == EXPECTED
    assert rows["submission_999"].status is SubmissionStatus.UNIDENTIFIED
    assert "not in submission_metadata.yml" in rows["submission_999"].detail
    assert rows["submission_700"].status is SubmissionStatus.UNIDENTIFIED
    assert "no submitter" in rows["submission_700"].detail
    omar = rows["00600"]
    assert (omar.status, omar.name, omar.sid, omar.score) == (SubmissionStatus.MISSING, "Omar Said", "00600", 0.0)
    assert "submission_600" in omar.detail
    assert len(batch.graded) == len(EXPECTED) + 3


def test_rerun_grades_nothing_unchanged(tmp_path):
    """On a rerun of the same export, is every graded student skipped and no problem row recorded again?"""
    sources = {**SOURCES, "submission_999": REFERENCE}
    export = make_export(tmp_path / "export", sources=sources)
    grade(export, tmp_path / "out")
    again = grade(export, tmp_path / "out")
    assert again.graded == [] and sorted(again.skipped_already_graded) == sorted(EXPECTED)


def test_zip_members_outside_the_export_are_not_extracted(tmp_path):
    """Do '../', absolute and symlink members of an export stay out, while the export grades?"""
    export = make_export(tmp_path / "assignment_1234_export")
    archive = zip_folder(export, tmp_path / "export.zip", extra={
        "../escaped.py": b"x", "assignment_1234_export/../../up.py": b"x", "/abs.py": b"x"})
    with zipfile.ZipFile(archive, "a") as zf:
        link = zipfile.ZipInfo("assignment_1234_export/submission_100/peek.py")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    out = tmp_path / "deep" / "out"
    batch = grade(archive, out)
    assert rows_of(batch) == EXPECTED
    assert not list(tmp_path.rglob("escaped.py")) and not list(tmp_path.rglob("up.py"))
    assert not Path("/abs.py").exists()


def test_an_export_zip_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    """Is an export that expands beyond its limit refused with a clear error, before grading?"""
    archive = zip_folder(make_export(tmp_path / "export"), tmp_path / "export.zip")
    monkeypatch.setattr(gradescope_import, "MAX_EXPORT_BYTES", 1024)
    with pytest.raises(BatchError, match="export.zip: the archive holds more than"):
        grade(archive, tmp_path / "out")


@pytest.mark.parametrize("metadata, message", [
    ("submission_1: [unclosed\n", "not valid YAML"),
    ("- a list\n- not a mapping\n", "does not map submission folders"),
])
def test_malformed_metadata_is_a_clear_error(tmp_path, metadata, message):
    """Is metadata that is not YAML, or not a mapping, refused with a message saying so?"""
    with pytest.raises(BatchError, match=message):
        grade(make_export(tmp_path / "export", metadata), tmp_path / "out")


def test_paths_that_are_no_export_are_refused(tmp_path):
    """Is a .zip without metadata, or a file that is no .zip, refused with a message naming it?"""
    with zipfile.ZipFile(tmp_path / "plain.zip", "w") as zf:
        zf.writestr("ada/activations.py", REFERENCE.read_bytes())
    with pytest.raises(BatchError, match="plain.zip is not a Gradescope export"):
        grade(tmp_path / "plain.zip", tmp_path / "out")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(BatchError, match="neither a folder of submissions nor a Gradescope export"):
        grade(tmp_path / "notes.txt", tmp_path / "out")


def test_latest_submission_compares_times_across_zones(tmp_path):
    """Is 01:00 at +09:00 on Oct 2 (16:00 UTC Oct 1) earlier than 12:00 at -07:00 on Oct 1 (19:00 UTC)?"""
    metadata = """\
submission_1:
  :submitters: [{":name": Jane Doe, ":sid": "7"}]
  :created_at: 2026-10-02 01:00:00.000000000 +09:00
submission_2:
  :submitters: [{":name": Jane Doe, ":sid": "7"}]
  :created_at: '2026-10-01 12:00:00.000000000 -07:00'
"""
    export = make_export(tmp_path / "export", metadata, {"submission_1": STUB, "submission_2": REFERENCE})
    with opened_export(export, tmp_path) as opened:
        (entry,) = opened.entries
    assert (entry.student, entry.path.name) == ("7", "submission_2")
    assert entry.identity == StudentIdentity("Jane Doe", "", "7")


def test_export_one_level_down_is_found(tmp_path):
    """Is a folder that holds the unzipped export folder (not the export itself) read as the export?"""
    make_export(tmp_path / "download" / "assignment_1234_export")
    with opened_export(tmp_path / "download", tmp_path) as opened:
        assert sorted(e.student for e in opened.entries) == sorted(EXPECTED)


def test_results_without_identity_still_load_and_keep_the_old_columns(tmp_path):
    """Do gradebook rows written before identities existed load, and does a gradebook without
    identities keep its columns, while a mixed one leaves blanks?"""
    old_row = SubmissionResult("hw", "ada", SubmissionStatus.EMPTY).to_dict()
    for key in ("name", "email", "sid"):
        del old_row[key]
    assert SubmissionResult.from_dict(old_row).name == ""

    plain = SubmissionResult("hw", "ada", SubmissionStatus.EMPTY, max_score=2.0)
    named = SubmissionResult("hw", "00123", SubmissionStatus.EMPTY, max_score=2.0, name="Jane Doe", sid="00123")
    tests = [TestInfo("test_a", 2.0)]
    write_assignment_csv(tmp_path / "plain.csv", tests, [plain])
    assert next(csv.reader((tmp_path / "plain.csv").open()))[:2] == ["student", "score"]
    write_assignment_csv(tmp_path / "mixed.csv", tests, [plain, named])
    assert list(csv.reader((tmp_path / "mixed.csv").open())) == [
        ["student", "name", "email", "sid", "score", "max_score", "percent", "status", "test_a"],
        ["00123", "Jane Doe", "", "00123", "0", "2", "0", "empty", "0"],
        ["ada", "", "", "", "0", "2", "0", "empty", "0"],
    ]
    write_class_csv(tmp_path / "class.csv", [plain, named])
    assert list(csv.reader((tmp_path / "class.csv").open())) == [
        ["student", "name", "email", "sid", "hw", "total"], ["00123", "Jane Doe", "", "00123", "0", "0"],
        ["ada", "", "", "", "0", "0"]]


def test_cli_grades_an_export_zip(tmp_path):
    """Does `autograder grade ID export.zip` grade the export and say where the gradebook is?"""
    archive = zip_folder(make_export(tmp_path / "assignment_1234_export"), tmp_path / "export.zip")
    result = CliRunner().invoke(main, ["grade", "activations", str(archive), "-o", str(tmp_path / "out"),
                                       "--quiet", "--sandbox", "process"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "graded 5" in result.output and "activations.csv" in result.output
