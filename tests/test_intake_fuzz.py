"""Fuzzing the submission importer: whatever students (or a course platform) hand in, does every
entry get a row with a clear status, or a clear refusal, without a crash and without a byte
written outside the staging or output folder?

Hypothesis generates folder trees, zips (path traversal, absolute and backslashed names, links,
lying headers, encryption flags, corrupt bytes, names in other encodings), single files (BOMs,
CRLF, Latin-1, UTF-16, huge sparse files), student ids that differ only in case, and Gradescope
exports with hostile metadata. Each example runs in a "sentinel" folder that is compared before
and after. Sizes are bounded: the bombs are a few hundred kB on disk, the huge files sparse.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import struct
import tempfile
import warnings
import zipfile
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from autograder import gradescope_import
from autograder.assignments import get_assignment
from autograder.batch import BatchError, split_duplicates, grade_batch
from autograder.engine.grade import grade_entry
from autograder.gradebook import Gradebook
from autograder.gradescope_import import GradescopeExportError, opened_export
from autograder.intake import (IGNORED_NAMES, MAX_SUBMISSION_BYTES, Entry, Problem, Staged, class_folder_problem,
                               discover, display_name, fingerprint, is_submission, stage, survey)
from autograder.render.csv_gradebook import neutralise
from autograder.results import SubmissionStatus
from autograder.sandbox.launcher import SandboxMode, bwrap_problem

ASSIGNMENT = get_assignment("activations")
MODULE = ASSIGNMENT.module_filename
REFERENCE = ASSIGNMENT.solution_path.read_bytes()
STUB = ASSIGNMENT.stub_path.read_bytes()
MODE = SandboxMode.BWRAP if bwrap_problem() is None else SandboxMode.PROCESS
BOM = b"\xef\xbb\xbf"
SENTINEL = "@SENTINEL@"  # in a generated name or link target: the absolute path of the sentinel folder

CONTENTS = {
    "reference": REFERENCE,
    "bom": BOM + REFERENCE,
    "crlf": REFERENCE.replace(b"\n", b"\r\n"),
    "bom_crlf": BOM + REFERENCE.replace(b"\n", b"\r\n"),
    "stub": STUB,
    "latin1": b"# r\xe9sum\xe9 of the course\n" + REFERENCE,
    "utf16": REFERENCE.decode("utf-8").encode("utf-16"),
    "empty": b"",
    "blank": b" \r\n\t\n",
    "bom_only": BOM,
    "nul": b"x = 1\0\n",
}
FULL_MARKS = {"reference", "bom", "crlf", "bom_crlf"}
# The status a module with this content gets once staged (None: it is graded).
CONTENT_STATUS = {"latin1": SubmissionStatus.NOT_UTF8, "utf16": SubmissionStatus.NOT_UTF8,
                  "empty": SubmissionStatus.EMPTY, "blank": SubmissionStatus.EMPTY, "bom_only": SubmissionStatus.EMPTY,
                  "nul": SubmissionStatus.SYNTAX_ERROR}
QUICK = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                         HealthCheck.function_scoped_fixture])


# -- the sentinel: nothing outside the allowed folders changes ------------------------------------


def snapshot(root: Path, allowed: list[Path]) -> dict[str, tuple]:
    """Everything under ``root`` but the ``allowed`` folders: path -> (type, size, mtime), links not followed."""
    allowed_set = {os.fspath(p) for p in allowed}
    seen = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in allowed_set]
        for name in dirs + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            seen[os.path.relpath(path, root)] = (stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns)
    return seen


@contextmanager
def sentinel(base: Path):
    """A fresh folder with a secret file and a secret folder in it, deleted afterwards."""
    with tempfile.TemporaryDirectory(dir=base) as folder:
        root = Path(folder)
        (root / "secret.txt").write_text("the hidden tests")
        (root / "secret-dir").mkdir()
        (root / "secret-dir" / "key").write_text("k")
        yield root


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def printable(text: str) -> bool:
    """Storable in SQLite, writable to a UTF-8 CSV, printable on a UTF-8 terminal."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def tree_of(folder: Path) -> list[Path]:
    return [Path(dirpath, name) for dirpath, dirs, files in os.walk(folder) for name in dirs + files]


def assert_clear_outcome(outcome, workdir: Path) -> None:
    """A staged module that is really inside ``workdir``, or a problem that says what is wrong."""
    event(f"outcome: {outcome.status.value if isinstance(outcome, Problem) else 'staged'}")
    if isinstance(outcome, Problem):
        assert isinstance(outcome.status, SubmissionStatus) and outcome.status.is_problem
        assert outcome.detail.strip() and printable(outcome.detail), outcome
    else:
        assert isinstance(outcome, Staged), outcome
        assert outcome.root == workdir or workdir in outcome.root.parents
        module = outcome.root / outcome.module_filename
        assert module.is_file() and not module.is_symlink()
        module.read_bytes().decode("utf-8")
    total = 0
    for path in tree_of(workdir):
        assert not path.is_symlink(), path
        assert workdir.resolve() in path.resolve().parents
        if path.is_file():
            total += path.stat().st_size
    assert total <= MAX_SUBMISSION_BYTES


# -- names ----------------------------------------------------------------------------------------

text_names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="/\0"),
                     min_size=1, max_size=12).filter(lambda n: n not in (".", ".."))
# Names as a Windows zip or an old file system writes them: bytes that are not UTF-8.
byte_names = st.binary(min_size=1, max_size=10).filter(
    lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..")).map(os.fsdecode)
special_names = st.sampled_from([MODULE, MODULE.upper(), "__MACOSX", ".DS_Store", ".hidden", "a b", "x\ny", "-rf",
                                 "caf\u00e9", os.fsdecode(b"caf\xe9"), "\u00df", "SS", "\u202egnp.py", "con"])
names = st.one_of(special_names, text_names, byte_names)


# -- folder submissions ---------------------------------------------------------------------------

file_kinds = st.one_of(st.sampled_from(sorted(CONTENTS)).map(lambda k: ("content", k)),
                       st.binary(max_size=64).map(lambda b: ("bytes", b)),
                       st.sampled_from(["link_out", "link_dir_out", "link_loop", "fifo", "huge", "huge_just_over"])
                       .map(lambda k: (k, None)))
folder_trees = st.lists(st.tuples(st.lists(names, min_size=1, max_size=3), file_kinds), max_size=6)


def build_tree(root: Path, spec, sentinel_root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for parts, (kind, value) in spec:
        path = root.joinpath(*parts)
        if any(parent.is_symlink() for parent in path.parents if root in parent.parents):
            continue  # never build through a link: it would write outside the submission
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:  # a file where a folder should be
            continue
        if os.path.lexists(path):
            continue
        if kind == "content":
            path.write_bytes(CONTENTS[value])
        elif kind == "bytes":
            path.write_bytes(value)
        elif kind == "link_out":
            path.symlink_to(sentinel_root / "secret.txt")
        elif kind == "link_dir_out":
            path.symlink_to(sentinel_root / "secret-dir", target_is_directory=True)
        elif kind == "link_loop":
            path.symlink_to(path)
        elif kind == "fifo":
            os.mkfifo(path)
        else:  # sparse: no disk used, but a size past the limit
            with open(path, "wb") as stream:
                stream.truncate(MAX_SUBMISSION_BYTES + 1 if kind == "huge_just_over" else 3 * MAX_SUBMISSION_BYTES)


@settings(QUICK, max_examples=300)
@given(spec=folder_trees, module=st.sampled_from(sorted(CONTENTS)))
def test_folder_submissions_stage_or_say_why(base, spec, module):
    """Does any folder (links out of it, FIFOs, odd names, huge files) stage its module or get a
    clear status, copying nothing from outside it and writing nothing outside the staging folder?"""
    with sentinel(base) as root:
        entry = root / "submissions" / "student"
        build_tree(entry, [([MODULE], ("content", module))] + spec, root)
        workdir = root / "work"
        workdir.mkdir()
        before = snapshot(root, [workdir])
        outcome = stage(Entry("student", entry), MODULE, workdir)
        fingerprint(Entry("student", entry))
        assert snapshot(root, [workdir]) == before
        assert_clear_outcome(outcome, workdir)
        assert not any(p.read_bytes() in (b"the hidden tests", b"k") for p in tree_of(workdir) if p.is_file())


# -- zips -----------------------------------------------------------------------------------------


class _RawNameInfo(zipfile.ZipInfo):
    """A member whose name is written as given bytes (``raw``), with or without the UTF-8 flag,
    as old Windows and Mac tools do."""

    raw: bytes = b""
    utf8_flag: bool = False

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's own name
        return self.raw, self.flag_bits | (0x800 if self.utf8_flag else 0)


traversal_prefixes = st.sampled_from(["", "", "", "../", "../../", "/", SENTINEL + "/", "a/../../", "./", "C:\\",
                                      "..\\", "sub\\..\\..\\", "//"])
member_names = st.one_of(
    st.builds(lambda prefix, parts, sep: prefix + sep.join(parts), traversal_prefixes,
              st.lists(st.one_of(special_names, text_names), min_size=1, max_size=3), st.sampled_from(["/", "\\"])),
    st.sampled_from([MODULE, f"folder/{MODULE}", f"../{MODULE}", f"/{MODULE}", f"x\\..\\..\\{MODULE}",
                     f"{SENTINEL}/escaped.py", "dir/", "__MACOSX/._activations.py"]),
)
member_kinds = st.one_of(
    st.tuples(st.just("file"), st.sampled_from(sorted(CONTENTS))),
    st.tuples(st.just("bytes"), st.binary(max_size=64)),
    st.tuples(st.just("link"), st.sampled_from(["../secret.txt", "../../secret.txt", f"{SENTINEL}/secret.txt",
                                                 "/etc/passwd", "."])),
    st.tuples(st.just("dir"), st.none()),
    st.tuples(st.just("raw_name"), st.tuples(st.binary(min_size=1, max_size=12), st.booleans())),
)
compressions = st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
# What is done to the finished archive: nothing, a cut, flipped bytes, an encryption flag, a lie.
damages = st.one_of(st.just(("none", None)), st.just(("none", None)),
                    st.tuples(st.just("truncate"), st.floats(0, 1)),
                    st.tuples(st.just("flip"), st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)),
                                                         min_size=1, max_size=8)),
                    st.tuples(st.just("encrypt"), st.integers(0, 50)),
                    st.tuples(st.just("lie_size"), st.tuples(st.integers(0, 50), st.integers(0, 2**32 - 1))))


def zip_info(name: str) -> zipfile.ZipInfo:
    """A member named ``name``; a name from a file system that is not UTF-8 is stored as its
    bytes, without the UTF-8 flag."""
    if printable(name):
        return zipfile.ZipInfo(name)
    info = _RawNameInfo(name.encode("utf-8", "replace").decode("utf-8"))
    info.raw = os.fsencode(name)
    return info


def build_zip(members, compression, damage, sentinel_root: Path) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are part of the fuzz
        for name, (kind, value) in members:
            name = name.replace(SENTINEL, str(sentinel_root))
            if kind == "raw_name":
                raw, utf8_flag = value
                info = _RawNameInfo(raw.decode("latin-1"))
                info.raw, info.utf8_flag = raw + b"/" + MODULE.encode(), utf8_flag
                zf.writestr(info, REFERENCE)
            elif kind == "link":
                info = zip_info(name)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, value.replace(SENTINEL, str(sentinel_root)))
            elif kind == "dir":
                zf.writestr(zip_info(name.rstrip("/") + "/"), b"")
            else:
                info = zip_info(name)
                info.compress_type = compression
                zf.writestr(info, CONTENTS[value] if kind == "file" else value)
    return damage_zip(buffer.getvalue(), damage)


def _headers(data: bytes) -> tuple[list[int], list[int]]:
    """Offsets of the local and the central headers."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        local = [info.header_offset for info in zf.infolist()]
    central, at = [], data.rfind(b"PK\x05\x06")
    start = struct.unpack("<I", data[at + 16:at + 20])[0] if at >= 0 else len(data)
    while data[start:start + 4] == b"PK\x01\x02":
        central.append(start)
        name, extra, comment = struct.unpack("<HHH", data[start + 28:start + 34])
        start += 46 + name + extra + comment
    return local, central


def damage_zip(data: bytes, damage) -> bytes:
    kind, value = damage
    if kind == "truncate":
        return data[:int(len(data) * value)]
    if kind == "flip":
        array = bytearray(data)
        for where, mask in value:
            array[min(int(where * len(array)), len(array) - 1)] ^= mask
        return bytes(array)
    if kind in ("encrypt", "lie_size"):
        try:
            local, central = _headers(data)
        except (zipfile.BadZipFile, struct.error, ValueError):
            return data
        if not local:
            return data
        index = (value if kind == "encrypt" else value[0]) % len(local)
        array = bytearray(data)
        if kind == "encrypt":  # general purpose flag, bit 0
            array[local[index] + 6] |= 1
            if index < len(central):
                array[central[index] + 8] |= 1
        else:  # the uncompressed size, in both headers
            struct.pack_into("<I", array, local[index] + 22, value[1])
            if index < len(central):
                struct.pack_into("<I", array, central[index] + 24, value[1])
        return bytes(array)
    return data


@cache
def bomb(kind: str) -> bytes:
    """Zip bombs, small on disk: 'honest' declares its 60 MB; 'lying' declares 1 kB of what
    expands to 60 MB; 'lying_40' declares 40 MB (under the limit) of the same; 'many' holds more
    members than allowed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MODULE, REFERENCE)
        if kind == "many":
            for i in range(2001):
                zf.writestr(f"f{i}.txt", b"")
        else:
            with zf.open("padding.bin", "w", force_zip64=False) as stream:
                chunk = b"\0" * (1 << 20)
                for _ in range(60):
                    stream.write(chunk)
    data = buffer.getvalue()
    if kind.startswith("lying"):
        data = damage_zip(data, ("lie_size", (1, 1024 if kind == "lying" else 40 * 2**20)))
    return data


zip_specs = st.one_of(
    st.tuples(st.lists(st.tuples(member_names, member_kinds), max_size=6), compressions, damages),
    st.sampled_from(["honest", "lying", "lying_40", "many"]),
)


@settings(QUICK, max_examples=500)
@example(spec="lying", module="reference")
@example(spec="lying_40", module="reference")
@example(spec="honest", module="reference")
@example(spec="many", module="reference")
@given(spec=zip_specs, module=st.sampled_from(sorted(CONTENTS)))
def test_zip_submissions_stage_or_say_why(base, spec, module):
    """Does any zip (traversal, absolute or backslashed names, links, bombs, damage, encryption
    flags, names in other encodings) stage its module or get a clear status, never writing
    outside the staging folder nor more than the size limit?"""
    with sentinel(base) as root:
        if isinstance(spec, str):
            data = bomb(spec)
        else:
            members, compression, damage = spec
            data = build_zip([(MODULE, ("file", module))] + members, compression, damage, root)
        (root / "submissions").mkdir()
        archive = root / "submissions" / "student.zip"
        archive.write_bytes(data)
        workdir = root / "work"
        workdir.mkdir()
        before = snapshot(root, [workdir])
        outcome = stage(Entry("student", archive), MODULE, workdir)
        assert snapshot(root, [workdir]) == before
        assert_clear_outcome(outcome, workdir)
        if isinstance(spec, str):
            assert isinstance(outcome, Problem) and outcome.status is SubmissionStatus.CORRUPT, outcome
        assert not (root.parent / MODULE).exists()


# -- single files ---------------------------------------------------------------------------------


@settings(QUICK, max_examples=200)
@given(name=names, suffix=st.sampled_from([".py", ".PY", ".zip", ".txt", ""]),
       content=st.one_of(st.sampled_from(sorted(CONTENTS)), st.binary(max_size=64),
                         st.sampled_from(["fifo", "socket", "huge", "link"])))
def test_single_files_stage_or_say_why(base, name, suffix, content):
    """Does a lone file of any name and content (a FIFO, a socket, a huge sparse file, a link)
    stage or get a clear status, without blocking on a FIFO? One that is no submission (not
    .py or .zip) is listed as ignored instead, under a printable name."""
    assume(len(os.fsencode(name + suffix)) < 200 and not (name + suffix).startswith("."))
    assume(name + suffix not in IGNORED_NAMES)
    with sentinel(base) as root:
        (root / "submissions").mkdir()
        path = root / "submissions" / (name + suffix)
        if content == "fifo":
            os.mkfifo(path)
        elif content == "socket":
            import socket
            with socket.socket(socket.AF_UNIX) as server:
                try:
                    server.bind(str(path))
                except OSError:  # a socket path longer than the kernel allows
                    assume(False)
        elif content == "huge":
            with open(path, "wb") as stream:
                stream.truncate(2 * MAX_SUBMISSION_BYTES)
        elif content == "link":
            path.symlink_to(root / "secret.txt")
        else:
            path.write_bytes(CONTENTS[content] if isinstance(content, str) else content)
        found = survey(root / "submissions")
        if not is_submission(path):
            assert found.entries == [] and len(found.ignored) == 1 and printable(found.ignored[0]), found
            return
        (entry,) = found.entries
        assert printable(entry.student) and entry.student
        workdir = root / "work"
        workdir.mkdir()
        before = snapshot(root, [workdir])
        outcome = stage(entry, MODULE, workdir)
        fingerprint(entry)
        assert snapshot(root, [workdir]) == before
        assert_clear_outcome(outcome, workdir)


# -- whole batches --------------------------------------------------------------------------------

ENTRY_FORMS = ["py", "folder", "zip", "zip_nested", "txt", "symlink", "fifo", "huge_py"]
cohort_names = st.one_of(st.sampled_from(["ada", "Ada", "ADA", "bo", "BO", "caf\u00e9", "CAF\u00c9", "x y", "\u00df",
                                          "SS", os.fsdecode(b"caf\xe9"), os.fsdecode(b"\xff\xfe"),
                                          os.fsdecode(b"CAF\xc9")]),
                         text_names.filter(lambda n: not n.startswith(".") and n not in ("__MACOSX", "__pycache__")))
# Weighted towards what gets graded, where a BOM or CRLF could cost marks.
entry_forms = st.one_of(st.sampled_from(["py", "folder", "zip", "zip_nested"]), st.sampled_from(ENTRY_FORMS))
entry_contents = st.one_of(st.sampled_from(sorted(FULL_MARKS | {"stub"})), st.sampled_from(sorted(CONTENTS)))
cohorts = st.lists(st.tuples(cohort_names, entry_forms, entry_contents), min_size=1, max_size=4)


def build_entry(folder: Path, name: str, form: str, content: str, sentinel_root: Path) -> Path | None:
    data = CONTENTS[content]
    path = {"py": folder / f"{name}.py", "huge_py": folder / f"{name}.py", "txt": folder / f"{name}.txt",
            "zip": folder / f"{name}.zip", "zip_nested": folder / f"{name}.zip"}.get(form, folder / name)
    if os.path.lexists(path) or len(os.fsencode(path.name)) > 200:
        return None
    if form in ("py", "txt"):
        path.write_bytes(data)
    elif form == "huge_py":
        with open(path, "wb") as stream:
            stream.truncate(MAX_SUBMISSION_BYTES + 10)
    elif form == "folder":
        path.mkdir()
        (path / MODULE).write_bytes(data)
    elif form in ("zip", "zip_nested"):
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"my folder/{MODULE}" if form == "zip_nested" else MODULE, data)
            if form == "zip_nested":
                zf.writestr("__MACOSX/my folder/._activations.py", b"\0\5\26\7")
                zf.writestr(f"../{MODULE}", b"raise SystemExit('escaped')\n")
    elif form == "symlink":
        path.symlink_to(sentinel_root / "secret-dir", target_is_directory=True)
    elif form == "fifo":
        os.mkfifo(path)
    return path


def expected_status(form: str, content: str) -> SubmissionStatus:
    if form in ("symlink", "fifo", "huge_py"):
        return SubmissionStatus.CORRUPT
    return CONTENT_STATUS.get(content, SubmissionStatus.GRADED)


@contextmanager
def grader_tempdir(root: Path):
    """Point the grader's temporary folders into the sentinel, to see that it cleans them up."""
    folder = root / "grader-tmp"
    folder.mkdir()
    saved = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved


def assert_rows_and_csvs(out: Path, expected_rows: set[str]) -> dict:
    with Gradebook(out) as gradebook:
        rows = {r.student: r for r in gradebook.results(ASSIGNMENT.id)}
    assert set(rows) == expected_rows
    for result in rows.values():
        assert printable(result.student) and printable(result.detail)
        assert not result.status.is_problem or result.detail.strip(), result
    with open(out / f"{ASSIGNMENT.id}.csv", newline="", encoding="utf-8") as stream:
        csv_rows = list(csv.DictReader(stream))
    # An id that starts like a formula ("-rf", "=...") is written with an apostrophe (CSV injection).
    by_cell = {neutralise(student): result for student, result in rows.items()}
    assert sorted(r["student"] for r in csv_rows) == sorted(by_cell)
    assert all(r["status"] == by_cell[r["student"]].status.value for r in csv_rows)
    return rows


@settings(QUICK, max_examples=25)
@example(cohort=[("ada", "py", "bom_crlf"), ("ADA", "folder", "reference"), ("Ada", "zip", "stub"),
                 (os.fsdecode(b"caf\xe9"), "zip_nested", "crlf"), ("caf\u00e9", "fifo", "reference")])
@given(cohort=cohorts)
def test_batches_give_every_entry_one_row(base, cohort):
    """Through grade_batch: does every entry get exactly one row (ids that differ only in case
    or encoding: one graded, the others 'duplicate'), with the status its content deserves, full
    marks for a reference with a BOM or CRLF, CSVs that match, nothing written outside the output
    folder, and a rerun that grades nothing again? Are the files that are no submission (a .txt,
    a FIFO without .py) listed as ignored, and a folder that is no class refused?"""
    with sentinel(base) as root:
        submissions = root / "submissions"
        submissions.mkdir()
        forms = {}
        for name, form, content in cohort:
            path = build_entry(submissions, name, form, content, root)
            if path is not None:
                forms[path.name] = (form, content)
        assume(forms)
        found = survey(submissions)
        problem = class_folder_problem(submissions, found, MODULE)
        out = root / "out"
        with grader_tempdir(root) as scratch:
            before = snapshot(root, [out, scratch])
            if problem is not None:  # only files that are no submission, or one student's own folder
                event("refused: no class")
                with pytest.raises(BatchError) as refused:
                    grade_batch(ASSIGNMENT, submissions, out, mode=MODE)
                assert str(refused.value) == problem and not out.exists()
                assert snapshot(root, [out, scratch]) == before
                return
            batch = grade_batch(ASSIGNMENT, submissions, out, mode=MODE)
            assert batch.ignored == found.ignored
            assert snapshot(root, [out, scratch]) == before
            assert not list(scratch.iterdir())
            unique, duplicates = split_duplicates(discover(submissions))
            rows = assert_rows_and_csvs(out, {e.student for e in unique}
                                        | {f"{display_name(d.path.name)} (duplicate)" for d in duplicates})
            for entry in unique:
                form, content = forms[entry.path.name]
                result = rows[entry.student]
                event(f"row: {result.status.value}")
                assert result.status is expected_status(form, content), (entry, result.status, result.detail)
                if result.status is SubmissionStatus.GRADED and content in FULL_MARKS:
                    assert result.score == result.max_score, (entry, [t.message for t in result.tests if t.points < t.max_points])
            for duplicate in duplicates:
                event("row: duplicate")
                assert rows[f"{display_name(duplicate.path.name)} (duplicate)"].status is SubmissionStatus.DUPLICATE
            again = grade_batch(ASSIGNMENT, submissions, out, mode=MODE)
            assert again.graded == [] and sorted(again.skipped_already_graded) == sorted(e.student for e in unique)
            assert snapshot(root, [out, scratch]) == before


def test_bom_and_crlf_reference_scores_full_marks(tmp_path):
    """Graded directly: is a reference saved by a Windows editor (BOM, CRLF) worth full marks as a
    lone file, in a folder and in a zip?"""
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / MODULE).write_bytes(CONTENTS["crlf"])
    (tmp_path / "lone.py").write_bytes(CONTENTS["bom_crlf"])
    with zipfile.ZipFile(tmp_path / "zipped.zip", "w") as zf:
        zf.writestr(f"hw/{MODULE}", CONTENTS["bom"])
    for name in ("folder", "lone.py", "zipped.zip"):
        result = grade_entry(ASSIGNMENT, Entry(name, tmp_path / name), mode=MODE)
        assert result.status is SubmissionStatus.GRADED, result.detail
        assert result.score == result.max_score > 0, [t.message for t in result.tests if t.points < t.max_points]


# -- Gradescope exports ---------------------------------------------------------------------------

sid_texts = st.one_of(
    st.sampled_from(["A1", "a1", "00123", " 00123 ", "../../etc/passwd", "/abs", "x\ny", "caf\u00e9", "CAF\u00c9",
                     "\u00df", "SS", "\ud800", "a\0b", "submission_1"]),
    st.text(min_size=1, max_size=8),
)
sid_values = st.one_of(sid_texts, sid_texts, sid_texts, sid_texts, st.just(""), st.integers(-10, 10**6), st.none(),
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
submitters = st.lists(st.one_of(
    st.fixed_dictionaries({":sid": sid_texts}, optional={":name": sid_values, ":email": sid_values}),
    st.fixed_dictionaries({":sid": sid_values}, optional={":name": sid_values, ":email": sid_values}),
    st.fixed_dictionaries({}, optional={":name": sid_values, ":sid": sid_values, ":email": sid_values, "sid": sid_values}),
), min_size=1, max_size=3)
proper_records = st.fixed_dictionaries({":submitters": submitters},
                          optional={":created_at": st.one_of(st.datetimes(), st.text(max_size=12), st.integers()),
                                    ":score": st.floats(allow_nan=True)})
records = st.one_of(proper_records, proper_records, proper_records, sid_values)
usual_folders = st.sampled_from(["submission_1", "submission_2", "submission_3"])
folder_names = st.one_of(usual_folders,
                         st.sampled_from(["Submission_1", "../outside", "/abs", "submission_metadata.yml", ".hidden",
                                          "__MACOSX"]), text_names)
# "Billion laughs": nine levels of nine aliases, 9**9 leaves. Loading shares them; printing one
# as text would not end.
ALIAS_BOMB = "l0: &l0 [lol]\n" + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)
) + "submission_1: {':submitters': [{':sid': *l9, ':name': *l9, ':email': *l9}], ':created_at': *l9}\n"
RAW_METADATA = [
    "[" * 600 + "]" * 600,  # nesting deep enough to exhaust the parser's recursion
    ALIAS_BOMB,
    "submission_1:\n  :submitters:\n  - :sid: \"\\ud800x\"\n",  # a lone surrogate, as YAML allows
    "submission_1:\n  :submitters:\n  - :sid: 0x" + "f" * 5000 + "\n",  # an integer too long to print
    "submission_1:\n  :submitters:\n  - :sid: " + "9" * 5000 + "\n",
    "just a string", "- a list\n- of things\n", "{unclosed: [", "!!python/object/apply:os.system ['true']",
    "\ufeffsubmission_1: {}\n", "submission_1: {':submitters': [{':sid': 'A1'}], ':created_at': 2026-13-45}\n",
]
metadata_texts = st.one_of(
    # The usual folders, each absent, proper or junk, and a few others.
    st.builds(lambda usual, others: ("yaml", {**others, **{f"submission_{i + 1}": record for i, record
                                                           in enumerate(usual) if record is not None}}),
              st.lists(st.one_of(st.none(), proper_records, proper_records, proper_records, sid_values),
                       min_size=3, max_size=3),
              st.dictionaries(folder_names, records, max_size=2)),
    st.dictionaries(folder_names, records, max_size=4).map(lambda d: ("yaml", d)),
    st.sampled_from(RAW_METADATA).map(lambda text: ("raw", text)),
    st.text(max_size=60).map(lambda text: ("raw", text)),
)


def write_metadata(path: Path, metadata) -> None:
    import yaml

    kind, value = metadata
    text = yaml.safe_dump(value, allow_unicode=True) if kind == "yaml" else value
    path.write_text(text, encoding="utf-8", errors="surrogateescape")


@settings(QUICK, max_examples=300)
@given(metadata=metadata_texts,
       present=st.lists(st.sampled_from([True, True, True, True, False]), min_size=3, max_size=3),
       folders=st.lists(st.tuples(st.one_of(folder_names, byte_names), st.sampled_from(["dir", "dir", "file", "link"])),
                        max_size=3),
       as_zip=st.booleans())
def test_gradescope_exports_read_or_refuse(base, metadata, present, folders, as_zip):
    """Does any export (hostile or broken metadata, folders the metadata does not name, names
    that are not UTF-8, links) read into entries inside the export and rows that say what is
    wrong, or a GradescopeExportError with one line, writing only into its scratch folder?"""
    with sentinel(base) as root:
        export = root / "export" / "assignment_1_export"
        export.mkdir(parents=True)
        write_metadata(export / "submission_metadata.yml", metadata)
        usual = [(f"submission_{i + 1}", "dir") for i, there in enumerate(present) if there]
        for name, kind in usual + folders:
            path = export / name
            if os.path.lexists(path) or "/" in name or name in (".", "..") or len(os.fsencode(name)) > 200:
                continue
            if kind == "dir":
                path.mkdir()
                (path / MODULE).write_bytes(REFERENCE)
            elif kind == "file":
                path.write_bytes(b"not a folder")
            else:
                path.symlink_to(root / "secret-dir", target_is_directory=True)
        source = export.parent
        if as_zip:
            source = root / "export.zip"
            with zipfile.ZipFile(source, "w") as zf:
                for path in sorted(tree_of(export.parent)):
                    if path.is_file() and not path.is_symlink():
                        zf.writestr(zip_info(path.relative_to(export.parent).as_posix()), path.read_bytes())
        scratch = root / "scratch"
        scratch.mkdir()
        before = snapshot(root, [scratch])
        try:
            with opened_export(source, scratch) as opened:
                export_root = Path(scratch if as_zip else export.parent).resolve()
                ids = [entry.student for entry in opened.entries]
                assert len({i.casefold() for i in ids}) == len(ids)  # one entry per student
                for entry in opened.entries:
                    assert entry.student and printable(entry.student)
                    assert all(printable(field) for field in (entry.identity.name, entry.identity.email,
                                                              entry.identity.sid))
                    assert entry.path.is_dir() and not entry.path.is_symlink()
                    assert export_root in entry.path.resolve().parents
                for row in opened.unmatched:
                    assert row.status.is_problem and row.detail.strip()
                    assert all(printable(text) for text in (row.row_id, row.detail, row.folder))
            event(f"export: {len(opened.entries)} entries, unmatched: {sorted({u.status.value for u in opened.unmatched})}")
        except GradescopeExportError as error:
            event(f"export refused: {str(error)[:40]}")
            message = str(error)
            assert message.strip() and "\n" not in message and printable(message), message
        assert snapshot(root, [scratch]) == before
        assert not list(scratch.iterdir())


# Every hostile metadata file, and exports with entries, whatever the random draw.
EXPORT_EXAMPLES = [("raw", text) for text in RAW_METADATA] + [
    ("yaml", {"submission_1": {":submitters": [{":sid": "A1", ":name": "Ann"}], ":created_at": "2026-10-01 10:00:00"},
              "submission_2": {":submitters": [{":sid": "a1"}], ":created_at": "2026-10-02 10:00:00 +02:00"},
              "submission_3": {":submitters": [{":sid": "../../etc/passwd"}, {":email": "x@example.edu"},
                                                {":name": "\u00df"}, {":name": "SS"}]}}),
    ("yaml", {"submission_1": {":submitters": [{":sid": "\ud800"}]}, "../outside": {":submitters": [{":sid": "B"}]},
              "/abs": {":submitters": [{":sid": "C"}]}, "submission_2": "junk", "submission_3": None}),
]
for _metadata in EXPORT_EXAMPLES:
    for _as_zip in (False, True):
        test_gradescope_exports_read_or_refuse = example(
            metadata=_metadata, present=[True, True, True], as_zip=_as_zip,
            folders=[(os.fsdecode(b"caf\xe9"), "dir"), ("stray", "link"), ("notes.txt", "file")],
        )(test_gradescope_exports_read_or_refuse)


@settings(QUICK, max_examples=6)
@example(sids=["A1", "a1", os.fsdecode(b"\xff"), "../../x"])
@given(sids=st.lists(sid_texts, min_size=1, max_size=3))
def test_gradescope_batches_give_every_student_one_row(base, sids):
    """Through grade_batch: does an export whose SIDs differ only in case, or are not text a
    file system would take, give each student one row, with CSVs that match, nothing written
    outside the output folder, and a rerun that grades nothing again?"""
    import yaml

    with sentinel(base) as root:
        export = root / "export"
        export.mkdir()
        metadata = {}
        for i, sid in enumerate(sids):
            folder = f"submission_{i}"
            metadata[folder] = {":submitters": [{":name": f"Student {i}", ":sid": sid}],
                                ":created_at": f"2026-10-0{i + 1} 12:00:00 +00:00"}
            (export / folder).mkdir()
            (export / folder / MODULE).write_bytes(CONTENTS["bom_crlf"] if i % 2 == 0 else STUB)
        (export / "stray_folder").mkdir()
        (export / "submission_metadata.yml").write_text(yaml.safe_dump(metadata, allow_unicode=True),
                                                        encoding="utf-8", errors="surrogateescape")
        out = root / "out"
        with grader_tempdir(root) as scratch:
            before = snapshot(root, [out, scratch])
            batch = grade_batch(ASSIGNMENT, export, out, mode=MODE)
            assert snapshot(root, [out, scratch]) == before
            with opened_export(export, out) as opened:
                expected = {e.student for e in opened.entries} | {u.row_id for u in opened.unmatched}
                students = {e.student for e in opened.entries}
            assert "stray_folder" in expected
            assert len(students) == len({gradescope_import._text(sid).casefold() for sid in sids})
            rows = assert_rows_and_csvs(out, expected)
            assert all(rows[s].status is SubmissionStatus.GRADED for s in students)
            again = grade_batch(ASSIGNMENT, export, out, mode=MODE)
            assert again.graded == [] and sorted(again.skipped_already_graded) == sorted(students)
            assert len(batch.graded) == len(expected)
