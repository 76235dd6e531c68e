"""Build the student handout of an assignment: a folder and a .zip.

The handout holds the stub, the public tests, the handout README, a conftest that runs the
public tests with plain ``pytest`` (in the student's own Python), and the few platform modules
those tests import: the numpy-only checks and, for model assignments, the Keras helpers and
the dataset loaders. It never holds a reference solution, a hidden test or the grader's
sandbox; ``tests/test_release.py`` searches every released file to prove it.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import PACKAGE_DIR, REPO_ROOT, Assignment

# The platform modules public tests import, relative to the repository root.
CHECK_MODULES = (
    "autograder/__init__.py",
    "autograder/checks.py",
    "autograder/engine/__init__.py",
    "autograder/engine/calls.py",
    "autograder/engine/local.py",
)
MODEL_MODULES = (
    "autograder/keras_models.py",
    "autograder/model_checks.py",
    "autograder/training.py",
    "autograder/sandbox/__init__.py",
    "autograder/sandbox/child/__init__.py",
    "autograder/sandbox/child/protocol.py",
)


@dataclass(frozen=True)
class Release:
    folder: Path
    zip_path: Path
    files: list[str]


class ReleaseError(Exception):
    pass


def _platform_files(assignment: Assignment) -> list[Path]:
    files = [REPO_ROOT / name for name in CHECK_MODULES]
    if assignment.uses_keras:
        files += [REPO_ROOT / name for name in MODEL_MODULES]
    if assignment.datasets:
        files += sorted((REPO_ROOT / "datasets").glob("*.py"))
    return files


def build_release(assignment: Assignment, outdir: Path) -> Release:
    """Write ``outdir/<id>/`` and ``outdir/<id>.zip``; an existing handout is replaced."""
    sources = {
        assignment.module_filename: assignment.stub_path,
        assignment.public_tests_path.name: assignment.public_tests_path,
        "conftest.py": assignment.public_tests_path.with_name("conftest.py"),
        "README.md": assignment.handout_path,
    }
    for source in (*_platform_files(assignment),):
        sources[str(source.relative_to(REPO_ROOT))] = source
    missing = [str(path) for path in sources.values() if not path.is_file()]
    if missing:
        raise ReleaseError(f"cannot release {assignment.id}: missing {', '.join(missing)}")
    hidden = [name for name, path in sources.items()
              if path.resolve() in (assignment.solution_path.resolve(), assignment.hidden_tests_path.resolve())
              or (PACKAGE_DIR / "hidden") in path.resolve().parents]
    if hidden:
        raise ReleaseError(f"refusing to release {', '.join(hidden)}: it is a solution or a hidden test")

    outdir = Path(outdir)
    folder = outdir / assignment.id
    if folder.exists():
        shutil.rmtree(folder)
    for name, source in sources.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    zip_path = outdir / f"{assignment.id}.zip"
    temporary = zip_path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(sources):
            archive.write(folder / name, f"{assignment.id}/{name}")
    temporary.replace(zip_path)
    return Release(folder, zip_path, sorted(sources))
