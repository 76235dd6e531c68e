"""Does each command refuse, in one line and with exit code 2, a run that cannot be what the
instructor meant, and say what to do instead? And do files that are no submission stay out of
the gradebook, listed?"""

import shutil

import pytest
from click.testing import CliRunner

from autograder import training
from autograder.assignments import get_assignment
from autograder.cli import EXIT_USAGE, main
from autograder.gradebook import Gradebook

ASSIGNMENT = get_assignment("activations")
MODULE = ASSIGNMENT.module_filename


def invoke(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


def one_error_line(result) -> str:
    """The command's whole complaint: exit code 2, exactly one line on stderr, no traceback, no errno."""
    assert result.exit_code == EXIT_USAGE, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output and "Errno" not in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def cohort(tmp_path):
    """ada (a folder), bo (a lone .py) with the reference, and a README.txt beside them."""
    folder = tmp_path / "class"
    (folder / "ada").mkdir(parents=True)
    shutil.copy(ASSIGNMENT.solution_path, folder / "ada" / MODULE)
    shutil.copy(ASSIGNMENT.solution_path, folder / "bo.py")
    (folder / "README.txt").write_text("grading notes\n")
    (folder / ".DS_Store").write_bytes(b"\0")
    return folder


def grade(submissions, out, *more):
    return invoke("grade", "activations", submissions, "-o", out, "--quiet", "--sandbox", "process", *more)


# -- what is in the class folder ------------------------------------------------------------------


def test_empty_folder_is_refused(tmp_path):
    """An empty submissions folder: one line, exit 2, and nothing written."""
    (tmp_path / "empty").mkdir()
    line = one_error_line(grade(tmp_path / "empty", tmp_path / "out"))
    assert "no submissions in" in line and "one sub-folder, .zip or .py file per student" in line
    assert not (tmp_path / "out").exists()


def test_folder_of_ignored_files_only_is_refused(tmp_path):
    """A folder holding only a README and notes is empty as a class, and says what it holds."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "README.txt").write_text("x")
    (folder / "notes.md").write_text("x")
    (folder / ".hidden").write_text("x")
    line = one_error_line(grade(folder, tmp_path / "out"))
    assert "no submissions in" in line and "README.txt, notes.md" in line and ".hidden" not in line


def test_one_students_folder_is_refused(cohort, tmp_path):
    """One student's folder passed as the class: refused, naming the class folder to pass instead."""
    (cohort / "ada" / "helper.py").write_text("X = 1\n")
    line = one_error_line(grade(cohort / "ada", tmp_path / "out"))
    assert "one student's submission" in line and f"holds {MODULE} itself" in line
    assert f"such as {cohort}" in line
    assert not (tmp_path / "out").exists()


def test_files_that_are_no_submission_are_ignored_and_listed(cohort, tmp_path):
    """A README.txt beside the students gets no row; the summary lists it; a student folder with a
    misnamed file keeps its 'misnamed' row."""
    (cohort / "cy").mkdir()
    shutil.copy(ASSIGNMENT.solution_path, cohort / "cy" / "activation.py")
    result = grade(cohort, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "ignored 1 file that is not a submission: README.txt" in result.output
    with Gradebook(tmp_path / "out") as gradebook:
        rows = {row.student: row.status.value for row in gradebook.results("activations")}
    assert rows == {"ada": "graded", "bo": "graded", "cy": "misnamed"}


def test_output_folder_inside_the_class_is_no_student(cohort, tmp_path):
    """`grade . -o gradebook` from inside the class folder: the gradebook folder is not graded."""
    assert grade(cohort, cohort / "gradebook").exit_code == 0
    again = grade(cohort, cohort / "gradebook")
    assert again.exit_code == 0, again.output
    assert "gradebook (the output folder)" in again.output
    with Gradebook(cohort / "gradebook") as gradebook:
        assert {row.student for row in gradebook.results()} == {"ada", "bo"}


# -- a resumed run --------------------------------------------------------------------------------


def test_resumed_run_counts_the_problems_already_graded(cohort, tmp_path):
    """The same command again: the summary still counts and lists the gradebook's problem rows,
    marked as already graded."""
    (cohort / "cy").mkdir()
    (cohort / "cy" / MODULE).write_text("")
    first = grade(cohort, tmp_path / "out")
    assert "graded 3, already graded 0, with problems 1 (1 graded now, 0 already graded)" in first.output
    again = grade(cohort, tmp_path / "out")
    assert again.exit_code == 0, again.output
    assert "graded 0, already graded 3, with problems 1 (0 graded now, 1 already graded)" in again.output
    assert "cy: empty" in again.output and "(already graded)" in again.output


# -- --device gpu ---------------------------------------------------------------------------------


@pytest.fixture
def no_gpu(monkeypatch):
    """The probe, faked: every backend sees no GPU. Returns the backends asked."""
    asked = []

    def probe(backend, **_):
        asked.append(backend)
        return f"the {backend} backend sees no GPU on this machine"

    monkeypatch.setattr(training, "gpu_problem", probe)
    return asked


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_gpu_without_a_gpu_is_refused_before_grading(tmp_path, no_gpu, backend):
    """`grade lenet --device gpu` where the backend sees no GPU: one line naming the backend and
    how to train on the CPU, before anything is written."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ada.py").write_text("x = 1\n")
    result = invoke("grade", "lenet", folder, "-o", tmp_path / "out", "--device", "gpu", "--backend", backend,
                    "--sandbox", "process", "--quiet")
    line = one_error_line(result)
    assert f"the {backend} backend sees no GPU" in line and "--device cpu" in line
    assert no_gpu == [backend] and not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [["check", "lenet", "{ref}"], ["verify", "lenet"]])
def test_check_and_verify_refuse_gpu_without_a_gpu(no_gpu, command):
    """check and verify train too: the same refusal, before the sandbox or any data is looked at."""
    ref = str(get_assignment("lenet").solution_path)
    line = one_error_line(invoke(*[part.format(ref=ref) for part in command], "--device", "gpu"))
    assert "--device gpu: the tensorflow backend sees no GPU" in line and "--device cpu" in line


def test_numeric_assignments_ignore_the_device(cohort, tmp_path, no_gpu):
    """activations trains nothing: --device gpu asks no backend and grades as usual."""
    result = grade(cohort, tmp_path / "out", "--device", "gpu")
    assert result.exit_code == 0, result.output
    assert no_gpu == []


def test_device_help_says_numeric_assignments_ignore_it():
    assert "numeric assignments run on the CPU" in " ".join(invoke("grade", "--help").output.split())


@pytest.mark.parametrize("code, expected", [
    ("print(1)", None),
    ("print(0)", "the tensorflow backend sees no GPU on this machine"),
    ("import no_such_backend_module", "the tensorflow backend is not installed (ModuleNotFoundError"),
    ("raise SystemExit('CUDA driver too old')", "the tensorflow backend failed to start (CUDA driver too old)"),
    ("print('maybe')", "the tensorflow backend did not say how many GPUs it sees"),
    ("import time; time.sleep(30)", "the tensorflow backend did not say within 1 s whether it sees a GPU"),
])
def test_gpu_probe_runs_in_a_fresh_process(monkeypatch, code, expected):
    """The real probe, with each backend's snippet replaced: a fresh interpreter answers, a crash,
    a missing module or a hang becomes one line naming the backend."""
    monkeypatch.setitem(training.GPU_PROBES, "tensorflow", code)
    problem = training.gpu_problem("tensorflow", timeout=1)
    if expected is None:
        assert problem is None
    else:
        assert problem.startswith(expected) and "\n" not in problem, problem


def test_gpu_probe_sees_the_grading_processes_environment(monkeypatch):
    """The probe runs with what a grading process on the GPU gets (CUDA not hidden, its backend)."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    monkeypatch.setitem(training.GPU_PROBES, "jax", "import os; print(int(os.environ['KERAS_BACKEND'] == 'jax' and "
                                                    "'JAX_PLATFORMS' not in os.environ))")
    assert training.gpu_problem("jax") is None


# -- output paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["export", "otter", "activations", "-o", "{file}"],
    ["release", "activations", "-o", "{file}"],
    ["grade", "activations", "{class}", "-o", "{file}"],
    ["grade", "activations", "{class}", "-o", "{file}/sub"],
    ["demo", "-q", "-o", "{file}"],
    ["report", "{file}"],
    ["export", "gradescope", "activations", "-o", "{folder}"],
    ["export", "gradescope", "activations", "-o", "{file}/autograder.zip"],
    ["release", "activations", "-o", "{file}/handouts"],
    ["export", "otter", "activations", "-o", "{file}/otter"],
], ids=["otter", "release", "grade", "grade-under-file", "demo", "report", "gradescope-folder",
        "gradescope-under-file", "release-under-file", "otter-under-file"])
def test_output_path_that_cannot_be_written_is_one_line(cohort, tmp_path, args):
    """A file where a folder goes, a folder where the .zip goes, a path under a file: one line
    that names the path and says what to pass instead, before any work."""
    somefile = tmp_path / "somefile"
    somefile.write_text("x")
    (tmp_path / "existing").mkdir()
    paths = {"file": somefile, "folder": tmp_path / "existing", "class": cohort}
    line = one_error_line(invoke(*[arg.format(**paths) for arg in args]))
    assert str(somefile) in line or str(tmp_path / "existing") in line, line
    assert "pass" in line, line
    assert somefile.read_text() == "x" and list((tmp_path / "existing").iterdir()) == []


def test_output_names_a_command_writes_inside_its_folder(tmp_path):
    """release writes OUT/<id>/ and OUT/<id>.zip: a file or folder in their way is named, not an errno."""
    (tmp_path / "activations").write_text("x")
    line = one_error_line(invoke("release", "activations", "-o", tmp_path))
    assert f"{tmp_path / 'activations'}: it is a file, not a folder; move it away" in line
