"""Does staging turn every kind of entry into a staged module or a clear status, safely?"""

import io
import os
import zipfile

import pytest

from autograder.intake import Entry, Problem, Staged, class_folder_problem, discover, fingerprint, stage, survey
from autograder.results import SubmissionStatus

GOOD = "def f():\n    return 1\n"


def make_zip(path, members: dict[str, bytes], links: dict[str, str] | None = None):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)
            zf.writestr(info, target)


@pytest.fixture
def staging(tmp_path):
    def run(entry_path):
        workdir = tmp_path / f"stage-{entry_path.name}"
        workdir.mkdir()
        return stage(Entry(entry_path.stem, entry_path), "hw.py", workdir), workdir
    return run


def test_discover_names_students_by_entry(tmp_path):
    """Is the student id the entry's name, without .zip/.py, with hidden files skipped?"""
    (tmp_path / "alice").mkdir()
    (tmp_path / "bob.zip").write_bytes(b"")
    (tmp_path / "carol.py").write_text(GOOD)
    (tmp_path / ".DS_Store").write_text("")
    assert [(e.student, e.path.name) for e in discover(tmp_path)] == [
        ("alice", "alice"), ("bob", "bob.zip"), ("carol", "carol.py")]


def test_files_that_are_no_submission_are_ignored_and_listed(tmp_path):
    """Are a README, notes, a CSV, a file without suffix and a FIFO listed as ignored, not made
    students, while a .PY, a link to a folder and a folder with a wrong file name stay entries?"""
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "homework.py").write_text(GOOD)  # a real student's mistake: still an entry
    (tmp_path / "BOB.PY").write_text(GOOD)
    (tmp_path / "linked").symlink_to(tmp_path / "alice", target_is_directory=True)
    for name in ("README.txt", "notes.md", "grades.csv", "Makefile"):
        (tmp_path / name).write_text("x")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "__MACOSX").mkdir()
    found = survey(tmp_path)
    assert [(e.student, e.path.name) for e in found.entries] == [
        ("BOB", "BOB.PY"), ("alice", "alice"), ("linked", "linked")]
    assert found.ignored == ["Makefile", "README.txt", "grades.csv", "notes.md", "pipe"]
    assert discover(tmp_path) == found.entries


def test_class_folder_problems(tmp_path):
    """Is an empty folder, and one student's own folder, refused with what to pass instead,
    while a class of .py files, or of folders beside a stray module, is not?"""
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.txt").write_text("x")
    assert class_folder_problem(empty, survey(empty), "hw.py").startswith(
        f"no submissions in {empty} (only README.txt, which is not a submission): pass the folder")

    student = tmp_path / "class" / "alice"
    student.mkdir(parents=True)
    (student / "hw.py").write_text(GOOD)
    (student / "helper.py").write_text(GOOD)
    problem = class_folder_problem(student, survey(student), "hw.py")
    assert "is one student's submission (it holds hw.py itself)" in problem and str(tmp_path / "class") in problem

    assert class_folder_problem(tmp_path / "class", survey(tmp_path / "class"), "hw.py") is None
    (tmp_path / "class" / "bob.py").write_text(GOOD)
    (tmp_path / "class" / "hw.py").write_text(GOOD)  # beside student folders: a student named "hw"
    assert class_folder_problem(tmp_path / "class", survey(tmp_path / "class"), "hw.py") is None


def test_folder_zip_and_single_file_are_staged(tmp_path, staging):
    """Are a folder, a zip (also of a whole folder) and a lone .py each staged with hw.py found?"""
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "hw.py").write_text(GOOD)
    make_zip(tmp_path / "bob.zip", {"bob-folder/hw.py": GOOD.encode(), "bob-folder/helper.py": b"X = 1\n"})
    (tmp_path / "carol.py").write_text(GOOD)
    for name in ("alice", "bob.zip", "carol.py"):
        staged, _ = staging(tmp_path / name)
        assert isinstance(staged, Staged), staged
        assert (staged.root / "hw.py").read_text() == GOOD


@pytest.mark.parametrize(
    "build, status",
    [
        (lambda p: p.mkdir(), SubmissionStatus.EMPTY),
        (lambda p: (p.mkdir(), (p / "hw.py").write_text("\n  \n")), SubmissionStatus.EMPTY),
        (lambda p: (p.mkdir(), (p / "homework.py").write_text(GOOD)), SubmissionStatus.MISNAMED),
        (lambda p: (p.mkdir(), (p / "hw.py").write_bytes(b"# caf\xe9\nX = 1\n")), SubmissionStatus.NOT_UTF8),
    ],
    ids=["empty-folder", "blank-module", "misnamed", "latin-1"],
)
def test_folder_problems_have_statuses(tmp_path, staging, build, status):
    """Does each broken folder get the status that says what is wrong?"""
    entry = tmp_path / "student"
    build(entry)
    staged, _ = staging(entry)
    assert isinstance(staged, Problem) and staged.status is status, staged


def test_corrupt_zip_and_unknown_files(tmp_path, staging):
    """Is a zip of random bytes corrupt, and a .txt entry, staged anyway, misnamed? (A class
    folder's survey ignores such a file: see test_files_that_are_no_submission_are_ignored_and_listed.)"""
    (tmp_path / "dave.zip").write_bytes(os.urandom(300))
    (tmp_path / "erin.txt").write_text(GOOD)
    assert staging(tmp_path / "dave.zip")[0].status is SubmissionStatus.CORRUPT
    assert staging(tmp_path / "erin.txt")[0].status is SubmissionStatus.MISNAMED


def test_zip_traversal_and_links_are_skipped(tmp_path, staging):
    """Do '../' members, absolute paths and symlinks stay out of the staging folder?"""
    make_zip(tmp_path / "mallory.zip",
             {"hw.py": GOOD.encode(), "../escaped.py": b"x", "/abs.py": b"x", "a/../../up.py": b"x"},
             links={"link.py": "/etc/passwd"})
    staged, workdir = staging(tmp_path / "mallory.zip")
    assert isinstance(staged, Staged)
    assert sorted(p.name for p in workdir.rglob("*")) == ["hw.py"]
    assert not (tmp_path / "escaped.py").exists() and not (tmp_path / "up.py").exists()


def test_folder_symlinks_are_not_followed(tmp_path, staging):
    """Does a symlink inside a folder submission not bring in the file it points to?"""
    secret = tmp_path / "secret.txt"
    secret.write_text("hidden")
    folder = tmp_path / "oscar"
    folder.mkdir()
    (folder / "hw.py").write_text(GOOD)
    (folder / "peek.txt").symlink_to(secret)
    staged, workdir = staging(folder)
    assert isinstance(staged, Staged) and not (workdir / "peek.txt").exists()


def test_zip_bomb_is_refused(tmp_path, staging):
    """Is an archive that expands beyond the size limit refused as corrupt?"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("hw.py", GOOD)
        zf.writestr("padding.bin", b"\0" * (60 * 1024 * 1024))
    (tmp_path / "bomb.zip").write_bytes(buffer.getvalue())
    staged, _ = staging(tmp_path / "bomb.zip")
    assert isinstance(staged, Problem) and staged.status is SubmissionStatus.CORRUPT


def test_bom_and_crlf_are_accepted(tmp_path, staging):
    """Does a Windows-saved file (BOM, CRLF) stage like any other?"""
    (tmp_path / "wendy.py").write_bytes(b"\xef\xbb\xbfdef f():\r\n    return 1\r\n")
    assert isinstance(staging(tmp_path / "wendy.py")[0], Staged)


def test_fingerprint_follows_content(tmp_path):
    """Does the fingerprint change with the content and only with it?"""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "hw.py").write_text(GOOD)
    entry = Entry("a", tmp_path / "a")
    first = fingerprint(entry)
    assert fingerprint(entry) == first
    (tmp_path / "a" / "hw.py").write_text(GOOD + "# edited\n")
    assert fingerprint(entry) != first
