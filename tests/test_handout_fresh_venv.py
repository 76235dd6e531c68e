"""Can a student work from the released handout alone?

Each test releases a handout, unzips it into a temporary folder outside the checkout and runs the
commands its README gives (parsed from the README, ``release.readme_commands``), from the folder
that holds the handout, in a clean environment: the system ``python3`` makes a fresh virtual
environment and the handout's own install line fills it. Then the README's test command, from
inside the handout folder: on the stub it fails, in a few lines with each test's reason, and on
the reference solution (copied over the stub) it passes.

Cost on the 2-core CI machine (measured): about 10 s for activations (numpy and pytest), 40 s
for mnist_mlp (installing Keras and TensorFlow takes about 30 s, then each run imports them) and
10 s for rnn_letters; about twice that while other jobs load the machine. The model
handouts have the same requirements, so rnn_letters takes over mnist_mlp's environment (moved into
its folder) when both run: its README's commands still run (``python3 -m venv`` on an existing
environment, a pip install that finds everything there), so this checks its commands but not a
second download.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import api
from autograder.assignments import REPO_ROOT, get_assignment
from autograder.export.release import CHECK_HEADINGS, TEST_COMMAND, readme_commands

pytestmark = pytest.mark.slow

# A failing stub's whole pytest output: a line per test, and at most this many besides (pytest's
# header, the table's title and score, pytest's last line): under 25 lines for 9 failing tests.
MAX_LINES_BESIDES_TESTS = 15
SETUP_TIMEOUT_S = 900  # a first TensorFlow download over a slow link
RUN_TIMEOUT_S = 300

# Environments made so far, by the requirements (requirements.txt without comments) they hold.
_ENVIRONMENTS: dict[tuple[str, ...], Path] = {}


def student_environment() -> dict[str, str]:
    """This process's environment without what points at the grader's own Python: a student's
    shell has no VIRTUAL_ENV or PYTHONPATH of ours, nor our virtual environment on its PATH."""
    ours = {Path(sys.prefix).resolve() / "bin", REPO_ROOT.resolve()}
    path = [entry for entry in os.environ.get("PATH", "").split(os.pathsep)
            if entry and not any(Path(entry).resolve() == o or o in Path(entry).resolve().parents for o in ours)]
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTEST_ADDOPTS")
                   and not key.startswith(("AUTOGRADER_", "KERAS_", "PYTEST_"))}
    environment["PATH"] = os.pathsep.join(path)
    return environment


def bash(lines, cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    """Run the lines as one bash script (stopping at the first that fails), as a student types them."""
    script = "set -e\n" + "\n".join(lines) + "\n"
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=student_environment(), capture_output=True,
                          text=True, timeout=timeout)


def unpack_handout(assignment_id: str, tmp_path: Path, lang: str = "en") -> tuple[Path, Path]:
    """Release the handout, unzip it into ``tmp_path / 'student'``: (that folder, the handout's)."""
    handout = api.release(assignment_id, tmp_path / "released", lang=lang)
    student = tmp_path / "student"
    with zipfile.ZipFile(handout.zip_path) as archive:
        archive.extractall(student)
    assert not student.resolve().is_relative_to(REPO_ROOT.resolve())
    return student, student / assignment_id


def setup_as_the_readme_says(assignment_id: str, tmp_path: Path, lang: str = "en"):
    """Unpack the handout and run its README's commands up to the test command: the folder
    that holds the handout, the handout, and the lines to run before the tests in a new shell."""
    student, folder = unpack_handout(assignment_id, tmp_path, lang)
    commands = readme_commands((folder / "README.md").read_text(encoding="utf-8"), CHECK_HEADINGS[lang])
    assert commands and commands[-1] == TEST_COMMAND, commands
    setup = commands[:-1]
    requirements = tuple(line for line in (folder / "requirements.txt").read_text().splitlines()
                         if line.strip() and not line.startswith("#"))
    made = _ENVIRONMENTS.pop(requirements, None)
    if made is not None and made.is_dir():
        # Moved, not linked: `python3 -m venv` refuses a link, and on a moved environment it
        # points the activation scripts at the new place (nothing here runs a script's shebang).
        shutil.move(made, folder / ".venv")
    done = bash(setup, student, SETUP_TIMEOUT_S)
    assert done.returncode == 0, f"the README's setup failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    _ENVIRONMENTS[requirements] = folder / ".venv"
    # A new shell's state: the folder (cd) and the environment (source), as the README sets them.
    state = [line for line in setup if line.startswith(("cd ", "source "))]
    return student, folder, state


def run_tests(student: Path, state: list[str]) -> tuple[int, str]:
    done = bash([*state, f"{TEST_COMMAND} 2>&1"], student, RUN_TIMEOUT_S)
    return done.returncode, done.stdout + done.stderr


def check_stub_then_solution(assignment_id: str, tmp_path: Path, reasons: dict[str, str], lang: str = "en",
                             score: str = "score: 0/") -> tuple[str, str]:
    """The stub fails with a short report naming each test's reason; the solution passes."""
    student, folder, state = setup_as_the_readme_says(assignment_id, tmp_path, lang)
    code, stub_output = run_tests(student, state)
    lines = stub_output.splitlines()
    assert code == 1, stub_output
    collected = int(re.search(r"collected (\d+) items", stub_output).group(1))
    assert len(lines) <= collected + MAX_LINES_BESIDES_TESTS, f"{len(lines)} lines:\n{stub_output}"
    for test, reason in reasons.items():
        row = [line for line in lines if f" {test} " in line or line.rstrip().endswith(f" {test}")]
        assert row and reason in row[0], f"no line for {test} with {reason!r}:\n{stub_output}"
    assert "Traceback" not in stub_output and "engine/local.py" not in stub_output, stub_output
    assert score in stub_output, stub_output

    assignment = get_assignment(assignment_id)
    shutil.copyfile(assignment.solution_path, folder / assignment.module_filename)
    code, solution_output = run_tests(student, state)
    assert code == 0, solution_output
    assert " failed" not in solution_output and "passed" in solution_output, solution_output
    return stub_output, solution_output


def test_activations_handout_in_a_fresh_venv(tmp_path):
    stub, solution = check_stub_then_solution("activations", tmp_path, {
        "test_sigmoid_small_vector": "sigmoid() is not implemented yet",
        "test_softmax_large_logits": "softmax() is not implemented yet",
    })
    assert re.search(r"score: (\d+)/\1 ", solution), solution


def test_chinese_activations_handout_in_a_fresh_venv(tmp_path):
    """`autograder release --lang zh_CN`: the Chinese README's commands, and the public checks
    answer in Chinese with nothing set by the student (the handout carries its language)."""
    stub, solution = check_stub_then_solution("activations", tmp_path, {
        "test_sigmoid_small_vector": "sigmoid() 尚未实现",
        "test_softmax_large_logits": "softmax() 尚未实现",
    }, lang="zh_CN", score="得分：0/")
    assert re.search(r"得分：(\d+)/\1", solution), solution


def test_mnist_mlp_handout_in_a_fresh_venv(tmp_path):
    """A model handout: keras and tensorflow from requirements.txt; no MNIST data needed."""
    stub, solution = check_stub_then_solution("mnist_mlp", tmp_path, {
        "test_parameter_count[build_mlp]": "build_mlp() is not implemented yet",
        "test_parameter_count[build_mlp_functional]": "build_mlp_functional() is not implemented yet",
    })
    assert "score: 0/" in stub


def test_rnn_letters_handout_in_a_fresh_venv(tmp_path):
    check_stub_then_solution("rnn_letters", tmp_path, {
        "test_onehot_dataset_shapes": "onehot_dataset() is not implemented yet",
    })
