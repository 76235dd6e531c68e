"""The files an exported autograder grades one assignment with (Gradescope, otter-grader).

The ``autograder`` package (its modules, the runner's ini file and the compiled message catalogs;
no demo cohorts, no caches)
with this assignment's hidden tests and no other's, its reference solution and its stub (where
``autograder.assignments`` looks for them, beside the package: a submitted notebook keeps the
top-level assignments of the stub's names, as on any grading run) and the ``datasets`` package, for
every assignment: the command line (``python -m autograder``, which Gradescope's
``run_autograder`` runs) and the export modules import it, whether or not the assignment trains on
a dataset. Keys are paths relative to the repository root.
"""

from __future__ import annotations

from pathlib import Path

from autograder.assignments import PACKAGE_DIR, REPO_ROOT, Assignment

DATASETS_DIR = REPO_ROOT / "datasets"
# .mo: the compiled message catalogs, which gettext reads (autograder/i18n.py).
_PACKAGE_SUFFIXES = (".py", ".ini", ".mo")
_SKIPPED_PARTS = {"demo", "__pycache__"}


def grading_files(assignment: Assignment) -> dict[str, Path]:
    files = {}
    for path in sorted(PACKAGE_DIR.rglob("*")):
        relative = path.relative_to(PACKAGE_DIR)
        if not path.is_file() or path.suffix not in _PACKAGE_SUFFIXES or _SKIPPED_PARTS & set(relative.parts):
            continue
        if relative.parts[0] == "hidden" and path != assignment.hidden_tests_path:
            continue
        files[str(path.relative_to(REPO_ROOT))] = path
    files[str(assignment.solution_path.relative_to(REPO_ROOT))] = assignment.solution_path
    files[str(assignment.stub_path.relative_to(REPO_ROOT))] = assignment.stub_path
    for path in sorted(DATASETS_DIR.glob("*.py")):
        files[str(path.relative_to(REPO_ROOT))] = path
    return files
