"""The Gradescope autograder in a clean image: built from the exported zip alone, as Gradescope
builds it, it grades every assignment as ``autograder grade`` does.

``tests/gradescope_image.py`` builds the image once per session: each zip unpacked into a fake
``/autograder/source``, its own ``setup.sh`` run as it is (apt-get skipped) with the machine's
``python3``, which installs ``<root>/venv`` from the zip's ``requirements.txt``; then
``run_autograder`` runs from a folder outside the checkout, without PYTHONPATH, VIRTUAL_ENV or
any AUTOGRADER_* variable of ours. Every zip's requirements.txt is the same (checked below), so
the assignments share that environment; each zip's setup.sh runs again on it.

Covered, each results.json checked against Gradescope's specification and the hidden and
public tests the checkout declares:

- activations, losses, initializers, optimizers, regularization (numeric), mnist_mlp and
  rnn_letters (models): the reference (full marks), the stub (0) and a partial submission, whose
  score (or, for the known-wrong variants of ``tests/wrong_variants/``, whose failed tests) is
  the one ``autograder grade`` gives (``tests/demo_expected``, ``tests/test_wrong_variants_*``);
- lenet and alexnet: the stub only here. Their reference and partial runs train LeNet and
  AlexNet (about 40 and 150 s each on the 2-core CI machine) and would take this module (about
  3 minutes) past its share of the suite's time. LeNet's reference, a partial and its stub are
  graded in the session's image by ``tests/test_gradescope_export.py``
  (``test_run_autograder_scores_like_autograder_grade``, marked slow), against ``autograder
  grade``; AlexNet's reference and partials only in the project's own environment
  (``tests/test_demo_cohort.py``, ``tests/test_model_assignments.py``), with the engine,
  recipes and MNIST training that mnist_mlp and LeNet exercise in the image;
- an honest student who imports TensorFlow in a NumPy assignment: in this same image, by
  ``tests/test_tensorflow_students.py``, beside `autograder grade` and `otter run`;
- the ``user`` sandbox mode, which Gradescope's containers use where namespaces are not allowed;
- every module of the shipped ``autograder`` and ``datasets`` packages imports, and the command
  line answers ``--help`` (each command) and ``--version``, in the image's environment;
- the checkout cannot be imported from that environment, and setup.sh runs again harmlessly.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from autograder.assignments import CATALOG, REPO_ROOT, get_assignment
from autograder.engine.grade import tests_of as declared_tests
from autograder.export.gradescope import MODEL_PACKAGES, RUNTIME_PACKAGES
from autograder.sandbox.launcher import bwrap_problem
import variant_files
from shared_grades import image_grade
from gradescope_image import (  # noqa: F401 - fixtures
    check_results,
    gradescope_image,
    gradescope_zip,
    hidden_results,
)
from test_wrong_variants_initializers import EXPECTED_LOSSES as INITIALIZERS_LOSSES
from test_wrong_variants_optimizers import EXPECTED_LOSSES as OPTIMIZERS_LOSSES
from test_wrong_variants_regularization import EXPECTED_LOSSES as REGULARIZATION_LOSSES

DEMO = REPO_ROOT / "autograder" / "demo"
WRONG_VARIANTS = variant_files.folder()


def demo_score(assignment_id: str, student: str) -> float:
    """What ``autograder grade`` gives a demo submission (tests/test_demo_cohort.py checks it)."""
    return json.loads((REPO_ROOT / "tests" / "demo_expected" / f"{assignment_id}.json").read_text())[student]["score"]


def demo_file(assignment_id: str, student: str) -> Path:
    path = DEMO / assignment_id / student
    return path / f"{assignment_id}.py" if path.is_dir() else path.with_suffix(".py")


# assignment -> its partial submission, and what it must get: the score `autograder grade` gives it
# (bonus left out), or the hidden tests it fails.
PARTIALS = {
    "activations": (demo_file("activations", "partial_single_file"),
                    {"score": demo_score("activations", "partial_single_file")}),
    "losses": (demo_file("losses", "partial_single_file"), {"score": demo_score("losses", "partial_single_file")}),
    "initializers": (WRONG_VARIANTS / "initializers" / "he_wrong_gain.py",
                     {"fails": INITIALIZERS_LOSSES["he_wrong_gain"]}),
    "optimizers": (WRONG_VARIANTS / "optimizers" / "adam_no_bias_correction.py",
                   {"fails": OPTIMIZERS_LOSSES["adam_no_bias_correction"]}),
    "regularization": (WRONG_VARIANTS / "regularization" / "l2_one_half.py",
                       {"fails": REGULARIZATION_LOSSES["l2_one_half"]}),
    "mlp_numpy": (demo_file("mlp_numpy", "partial_single_file"),
                  {"score": demo_score("mlp_numpy", "partial_single_file")}),
    "mnist_mlp": (demo_file("mnist_mlp", "sabotaged_layer"), {"score": demo_score("mnist_mlp", "sabotaged_layer")}),
    "rnn_letters": (demo_file("rnn_letters", "zero_units"), {"score": demo_score("rnn_letters", "zero_units")}),
}
# lenet and alexnet: the stub only (see the module docstring).
STUB_ONLY = ("lenet", "alexnet")
# One assignment after the other (each zip is installed once); mnist_mlp, whose setup.sh prepares
# MNIST, last: test_setup_sh_runs_again_harmlessly runs it again.
ORDER = sorted(CATALOG, key=lambda assignment_id: assignment_id == "mnist_mlp")
RUNS = [(assignment_id, kind) for assignment_id in ORDER
        for kind in (("stub",) if assignment_id in STUB_ONLY else ("reference", "stub", "partial"))]


def submission_of(assignment_id: str, kind: str) -> Path:
    assignment = get_assignment(assignment_id)
    return {"reference": assignment.solution_path, "stub": assignment.stub_path}.get(kind) \
        or PARTIALS[assignment_id][0]


def full_marks(assignment_id: str) -> float:
    """Every hidden test's points, the bonus tests' included (results.json counts them)."""
    return sum(t.max_points for t in declared_tests(get_assignment(assignment_id).hidden_tests_path))


@pytest.fixture(scope="module")
def image(gradescope_image, gradescope_zip):
    """image(assignment_id) -> the session's image with that assignment's zip installed."""

    def install(assignment_id: str):
        gradescope_image.install(gradescope_zip(assignment_id))
        return gradescope_image

    return install


def test_every_zip_has_the_same_requirements_with_tensorflow_and_keras(gradescope_zip):
    texts = {}
    for assignment_id in CATALOG:
        with zipfile.ZipFile(gradescope_zip(assignment_id)) as archive:
            texts[assignment_id] = archive.read("requirements.txt").decode()
            assert "datasets/__init__.py" in archive.namelist(), assignment_id
    assert len(set(texts.values())) == 1, texts
    pinned = [line.split("==")[0] for line in texts["activations"].splitlines()]
    assert pinned == [*RUNTIME_PACKAGES, *MODEL_PACKAGES]


def test_the_checkout_cannot_be_imported_from_the_image(image):
    installed = image("activations")
    venv = installed.root / "venv"
    probe = installed.python("-c", "import json, sys; print(json.dumps([sys.prefix, sys.base_prefix, sys.path]))")
    assert probe.returncode == 0, probe.stderr
    prefix, base_prefix, path = json.loads(probe.stdout)
    assert Path(prefix) == venv and Path(base_prefix).resolve() != Path(REPO_ROOT / ".venv").resolve()
    assert not [entry for entry in path if entry and Path(entry).resolve().is_relative_to(REPO_ROOT.resolve())]
    for module in ("autograder", "datasets"):
        run = installed.python("-c", f"import {module}")
        assert run.returncode != 0 and f"No module named '{module}'" in run.stderr, (module, run.stderr)
    run = installed.python("-c", "import importlib.metadata as m; m.distribution('dl-autograder')")
    assert run.returncode != 0 and "PackageNotFoundError" in run.stderr


def test_every_module_of_the_shipped_packages_imports(image):
    installed = image("activations")
    shipped = sorted(p.relative_to(installed.source) for package in ("autograder", "datasets")
                     for p in (installed.source / package).rglob("*.py"))
    # __main__ runs the command line: test_the_command_line_answers_in_the_image runs it.
    modules = [".".join(p.with_suffix("").parts).removesuffix(".__init__") for p in shipped if p.stem != "__main__"]
    assert "datasets.catalog" in modules and "autograder.cli" in modules
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\nprint('ok')"
    run = installed.python("-c", script, *modules, source_on_path=True)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-3000:]


# Every command of the CLI (groups' subcommands included), as the image's own click sees it.
COMMANDS = """
import json
import click
from autograder.cli import main

def walk(group, prefix):
    for name, command in sorted(group.commands.items()):
        yield [*prefix, name]
        if isinstance(command, click.Group):
            yield from walk(command, [*prefix, name])

print(json.dumps(list(walk(main, []))))
"""

# Each command's --help through click's test runner, in the image's interpreter.
HELP = """
import json, sys
from click.testing import CliRunner
from autograder.cli import main

failures = {}
for command in json.loads(sys.argv[1]):
    result = CliRunner().invoke(main, [*command, "--help"], prog_name="python -m autograder")
    if result.exit_code != 0 or "Usage: python -m autograder " + " ".join(command) not in result.output:
        failures[" ".join(command)] = result.output[-500:] + repr(result.exception)
print(json.dumps(failures))
"""


def test_the_command_line_answers_in_the_image(image):
    installed = image("activations")
    run = installed.python("-m", "autograder", "--help", source_on_path=True)
    assert run.returncode == 0 and "gradescope-run" in run.stdout, run.stderr
    run = installed.python("-m", "autograder", "gradescope-run", "--help", source_on_path=True)
    assert run.returncode == 0 and "--root" in run.stdout, run.stderr
    listed = installed.python("-c", COMMANDS, source_on_path=True)
    assert listed.returncode == 0, listed.stderr
    commands = json.loads(listed.stdout)
    assert ["gradescope-run"] in commands and ["export", "gradescope"] in commands
    helped = installed.python("-c", HELP, json.dumps(commands), source_on_path=True)
    assert helped.returncode == 0, helped.stderr
    assert json.loads(helped.stdout) == {}


def test_the_command_line_tells_its_version_in_the_image(image):
    """The image has the package as files, not as an installed distribution."""
    installed = image("activations")
    run = installed.python("-m", "autograder", "--version", source_on_path=True)
    assert run.returncode == 0 and "0.1.0" in run.stdout, run.stderr[-2000:]


@pytest.mark.skipif(os.geteuid() != 0, reason="the user sandbox mode needs root, as on Gradescope")
def test_the_user_sandbox_mode_grades_as_on_gradescope(image):
    """Where namespaces are not allowed, each submission runs as an unprivileged uid of its own."""
    installed = image("activations")
    wrapper = installed.user_mode_wrapper()
    if wrapper and bwrap_problem() is not None:
        pytest.skip("the image's Python is not readable by every user here, and bubblewrap cannot show it them")
    for kind in ("reference", "partial"):
        run, results = installed.grade({"activations.py": submission_of("activations", kind)}, sandbox="user",
                                       wrapper=wrapper)
        assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
        check_results(results, "activations")
        assert results["score"] == (full_marks("activations") if kind == "reference" else
                                    PARTIALS["activations"][1]["score"]), kind


@pytest.mark.parametrize("assignment_id, kind", RUNS, ids=[f"{a}-{k}" for a, k in RUNS])
def test_the_image_grades_as_autograder_grade_does(gradescope_image, gradescope_zip, assignment_id, kind):
    """run_autograder in the session's image, with the assignment's zip installed: graded once per session
    (``image_grade``, tests/shared_grades.py), as tests/test_gradescope_export.py grades some of the same files."""
    assignment = get_assignment(assignment_id)
    run, results = image_grade(gradescope_image, gradescope_zip(assignment_id),
                               {assignment.module_filename: submission_of(assignment_id, kind)})
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    check_results(results, assignment_id)
    hidden = hidden_results(results)
    assert not [t for t in results["tests"] if t["name"] == "Your submission"], results["output"]
    if kind == "reference":
        assert results["score"] == full_marks(assignment_id)
        assert {t["status"] for t in results["tests"]} == {"passed"}
    elif kind == "stub":
        assert results["score"] == 0 and {t["status"] for t in hidden.values()} == {"failed"}
    else:
        expected = PARTIALS[assignment_id][1]
        assert 0 < results["score"] < full_marks(assignment_id)
        if "score" in expected:
            # `autograder grade`'s score leaves the bonus out; results.json's score adds it.
            graded = sum(t["score"] for t in results["tests"]
                         if t["visibility"] == "after_published" and not t["name"].endswith(" (bonus)"))
            assert graded == expected["score"]
        else:
            assert {name for name, t in hidden.items() if t["status"] == "failed"} == set(expected["fails"])


def test_setup_sh_runs_again_harmlessly(image):
    installed = image("mnist_mlp")
    config = (installed.root / "venv" / "pyvenv.cfg").stat()
    rerun = installed.rerun_setup()
    assert "Installing collected packages" not in rerun.stdout, rerun.stdout[-3000:]
    assert (installed.root / "venv" / "pyvenv.cfg").stat().st_mtime_ns == config.st_mtime_ns
    assert not os.stat(installed.source).st_mode & 0o077, "setup.sh leaves the source readable by others"
