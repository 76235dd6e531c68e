"""A Gradescope image built from an exported autograder zip alone, as Gradescope builds it.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once as root and then
``run_autograder`` for each submission. Here a fake root (a folder every user may traverse, as
``/autograder`` is) stands in for ``/autograder``: both scripts read
``AUTOGRADER_GRADESCOPE_ROOT``. ``setup.sh`` runs as it is, apt-get skipped
(``AUTOGRADER_SETUP_SKIP_APT=1``: the test machine has bubblewrap, util-linux and libseccomp2),
with a real ``python3`` (the first on ``PATH``, resolved past pyenv's shims; never this project's
interpreter), so ``<root>/venv`` holds what the zip's ``requirements.txt`` installs and nothing
else. Both scripts run from a folder outside the checkout, with a home folder of their own
(where setup.sh caches the datasets it prepares) and without this process's ``PYTHON*``,
``VIRTUAL_ENV`` and ``AUTOGRADER_*`` variables: nothing of the checkout is reachable.

Every zip's requirements.txt is the same, so one image serves the whole test session (the
``gradescope_image`` fixture, shared by the modules that import it): ``install`` unpacks another
assignment's zip over ``source/`` and runs its own setup.sh again, which keeps the environment
and adds the assignment's data packages, after checking that the requirements are byte-identical
to those the environment was built from. ``pip`` reaches the package index as this machine's
pip configuration says (``/etc/pip.conf``, ``PIP_*``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.assignments import get_assignment
from autograder.engine.grade import tests_of
from autograder.export.gradescope import build_gradescope_export

# A root shell's PATH on Ubuntu, behind the folder of the interpreter the image is built with.
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The platform's own minimum (setup.sh refuses older ones).
MINIMUM_PYTHON = (3, 11, 4)
SETUP_TIMEOUT_S = 900
RUN_TIMEOUT_S = 900
# Variables of this process that would reach into the checkout or change how Python or the
# autograder behaves; the image's scripts never see them.
_DROPPED_PREFIXES = ("PYTHON", "AUTOGRADER_", "VIRTUAL_ENV", "CONDA_", "PYENV", "PIP_REQUIRE_VIRTUALENV")


def _python_version(python: str) -> tuple[str, str, tuple[int, ...]] | None:
    """(sys.executable, sys.prefix, version) of the interpreter ``python`` runs (a pyenv shim
    resolves to its target), or None when it cannot run."""
    try:
        run = subprocess.run([python, "-I", "-c", "import sys, json; print(json.dumps([sys.executable, sys.prefix, "
                              "list(sys.version_info[:3])]))"], capture_output=True, text=True, timeout=60,
                             cwd="/", env=_outside_environment())
    except (OSError, subprocess.TimeoutExpired):
        return None
    if run.returncode != 0:
        return None
    executable, prefix, version = json.loads(run.stdout)
    return executable, prefix, tuple(version)


def _outside_environment() -> dict[str, str]:
    """This process's environment without what points into the checkout or its interpreter."""
    project_bin = str(Path(sys.prefix) / "bin")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(_DROPPED_PREFIXES)}
    path = [entry for entry in environment.get("PATH", SYSTEM_PATH).split(os.pathsep)
            if entry and Path(entry).resolve() != Path(project_bin).resolve()]
    environment["PATH"] = os.pathsep.join(path)
    return environment


def system_python3() -> Path:
    """The interpreter ``python3`` means on this machine (outside the project's environment)."""
    found = shutil.which("python3", path=_outside_environment()["PATH"])
    resolved = _python_version(found) if found else None
    if resolved is None:
        pytest.fail("no python3 outside the project's environment: the Gradescope image needs one")
    executable, prefix, version = resolved
    if version < MINIMUM_PYTHON:
        pytest.fail(f"{executable} is Python {'.'.join(map(str, version))}; the Gradescope image needs "
                    f"{'.'.join(map(str, MINIMUM_PYTHON))} or newer")
    if Path(prefix).resolve() == Path(sys.prefix).resolve():
        pytest.fail(f"python3 on PATH is this project's environment ({prefix})")
    return Path(executable)


@dataclass
class GradescopeImage:
    """A fake ``/autograder`` (``root``) with the environment setup.sh built in ``root/venv``."""

    root: Path
    python3: Path  # the interpreter setup.sh builds the environment with
    home: Path
    workdir: Path  # the current folder of every command: outside the checkout
    requirements: str | None = None  # requirements.txt the environment was built from
    installed: str | None = None  # the sha256 of the zip in source/

    @classmethod
    def create(cls, python3: Path) -> GradescopeImage:
        base = Path(tempfile.mkdtemp(prefix="gradescope-image-"))
        base.chmod(0o755)  # every user may traverse the root, as Gradescope's /autograder
        for name in ("autograder", "home", "work"):
            (base / name).mkdir(mode=0o755)
        return cls(root=base / "autograder", python3=python3, home=base / "home", workdir=base / "work")

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def venv_python(self) -> Path:
        return self.root / "venv" / "bin" / "python"

    def environment(self, **extra: str) -> dict[str, str]:
        environment = _outside_environment()
        environment.update({
            "PATH": f"{self.python3.parent}{os.pathsep}{SYSTEM_PATH}",
            "HOME": str(self.home),
            "AUTOGRADER_GRADESCOPE_ROOT": str(self.root),
        })
        environment.pop("XDG_CACHE_HOME", None)
        environment.update(extra)
        return environment

    def install(self, autograder_zip: Path) -> None:
        """Unpack ``autograder_zip`` into ``source/`` (modes kept, as unzip keeps them) and run its
        setup.sh; nothing to do when that zip is already installed."""
        digest = hashlib.sha256(Path(autograder_zip).read_bytes()).hexdigest()
        if digest == self.installed:
            return
        if self.source.exists():
            shutil.rmtree(self.source)
        with zipfile.ZipFile(autograder_zip) as archive:
            archive.extractall(self.source)
            for info in archive.infolist():
                mode = info.external_attr >> 16
                if mode and not info.is_dir():
                    (self.source / info.filename).chmod(stat.S_IMODE(mode))
        requirements = (self.source / "requirements.txt").read_text()
        if self.requirements is None:
            self.requirements = requirements
        # One environment for every assignment is faithful only while their requirements agree.
        assert requirements == self.requirements, "the zips' requirements.txt differ: one image cannot serve both"
        self.installed = None
        self.rerun_setup()
        self.installed = digest

    def rerun_setup(self) -> subprocess.CompletedProcess:
        """Run source/setup.sh (apt-get skipped), as root would on Gradescope; it must succeed."""
        run = subprocess.run(["bash", str(self.source / "setup.sh")], cwd=self.workdir,
                             env=self.environment(AUTOGRADER_SETUP_SKIP_APT="1"), capture_output=True, text=True,
                             timeout=SETUP_TIMEOUT_S, umask=0o022)
        assert run.returncode == 0, f"setup.sh failed:\n{(run.stdout + run.stderr)[-4000:]}"
        return run

    def grade(self, files: dict[str, Path | str], *, sandbox: str | None = None,
              wrapper: list[str] = ()) -> tuple[subprocess.CompletedProcess, dict]:
        """Put ``files`` in ``submission/`` and run run_autograder; (its run, results.json or {})."""
        for folder in (self.root / "submission", self.root / "results"):
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(mode=0o755)
        for name, content in files.items():
            target = self.root / "submission" / name
            if isinstance(content, Path):
                shutil.copyfile(content, target)
            else:
                target.write_text(content)
        extra = {"AUTOGRADER_SANDBOX": sandbox} if sandbox else {}
        run = subprocess.run([*wrapper, "bash", str(self.source / "run_autograder")], cwd=self.workdir,
                             env=self.environment(**extra), capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
        results = self.root / "results" / "results.json"
        return run, (parse_results(results.read_text()) if results.exists() else {})

    def python(self, *args: str, source_on_path: bool = False, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run the image's interpreter from the neutral folder, with the unpacked source on
        PYTHONPATH where asked (as run_autograder puts it)."""
        extra = {"PYTHONPATH": str(self.source)} if source_on_path else {}
        return subprocess.run([str(self.venv_python), *args], cwd=self.workdir, env=self.environment(**extra),
                              capture_output=True, text=True, timeout=timeout)

    def user_mode_wrapper(self) -> list[str]:
        """The command prefix that makes the image's base Python readable by every user, as
        Gradescope's is (empty where it already is): bubblewrap, with a mount namespace and no
        other (users, processes and network stay the host's, so the user mode runs as it would
        there), puts a tmpfs over the private folder above it holding only that installation."""
        run = self.python("-I", "-c", "import sys; print(sys.base_prefix)")
        assert run.returncode == 0, run.stderr
        base = Path(run.stdout.strip()).resolve()
        blocked = [p for p in base.parents if p != Path("/") and not p.stat().st_mode & 0o001]
        if not blocked:
            return []
        private = blocked[-1]
        # bubblewrap creates the folders on the way as 0700
        chmods = [arg for p in base.parents if private in p.parents for arg in ("--chmod", "0755", str(p))]
        return ["bwrap", "--dev-bind", "/", "/", "--tmpfs", str(private), "--bind", str(base), str(base), *chmods, "--"]

    def remove(self) -> None:
        shutil.rmtree(self.root.parent, ignore_errors=True)


def _refuse_constant(name: str):
    raise ValueError(f"results.json holds {name}, which is not JSON (Gradescope cannot read it)")


def parse_results(text: str) -> dict:
    """results.json as strict JSON: NaN and Infinity, which Python would read, are refused."""
    return json.loads(text, parse_constant=_refuse_constant)


# Gradescope's results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/): the
# fields it defines, and those this autograder writes.
SPEC_TOP_FIELDS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                   "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
SPEC_TEST_FIELDS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                    "tags", "visibility", "extra_data"}
TOP_FIELDS = {"score", "execution_time", "output", "visibility", "stdout_visibility", "tests"}
TEST_FIELDS = {"name", "number", "score", "max_score", "status", "output", "visibility"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
STATUSES = {"passed", "failed"}
SUBMISSION_PROBLEM = "Your submission"
PUBLIC_PREFIX = "public check: "


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_results(results: dict, assignment_id: str) -> None:
    """Assert that ``results`` follows Gradescope's specification, and lists the assignment's
    hidden tests (its points, after publication) and public checks (0 points, visible) as the
    checkout declares them; a visible "Your submission" result first where nothing was graded."""
    assert results, "no results.json"
    assert set(results) == TOP_FIELDS and TOP_FIELDS <= SPEC_TOP_FIELDS, set(results) ^ TOP_FIELDS
    assert _is_number(results["score"]) and results["score"] >= 0
    assert isinstance(results["execution_time"], int) and results["execution_time"] >= 0
    assert isinstance(results["output"], str) and results["output"]
    assert results["visibility"] in VISIBILITIES and results["stdout_visibility"] in VISIBILITIES
    tests = results["tests"]
    assert isinstance(tests, list) and tests
    for test in tests:
        assert set(test) == TEST_FIELDS and TEST_FIELDS <= SPEC_TEST_FIELDS, test
        assert isinstance(test["name"], str) and test["name"], test
        assert isinstance(test["number"], str) and test["number"], test
        assert _is_number(test["score"]) and _is_number(test["max_score"]), test
        assert test["score"] >= 0 and test["max_score"] >= 0, test
        assert test["status"] in STATUSES and test["visibility"] in VISIBILITIES, test
        assert isinstance(test["output"], str), test
    assert len({t["number"] for t in tests}) == len(tests), "test numbers are not unique"
    assert len({t["name"] for t in tests}) == len(tests), "test names are not unique"
    assert math.isclose(results["score"], sum(t["score"] for t in tests), abs_tol=1e-6)

    assignment = get_assignment(assignment_id)
    hidden = tests_of(assignment.hidden_tests_path)
    public = tests_of(assignment.public_tests_path)
    problem = [t for t in tests if t["name"] == SUBMISSION_PROBLEM]
    if problem:
        # Nothing was graded: the problem, visible and worth nothing, then every hidden test failed.
        assert tests[0] is problem[0] and problem[0]["visibility"] == "visible" and problem[0]["status"] == "failed"
        assert problem[0]["score"] == problem[0]["max_score"] == 0 and results["score"] == 0
        shown_public = [t for t in tests if t["name"].startswith(PUBLIC_PREFIX)]
        assert not shown_public, "public checks of a submission that was not graded"
        rest = tests[1:]
    else:
        shown_public, rest = tests[:len(public)], tests[len(public):]
        assert [t["name"] for t in shown_public] == [PUBLIC_PREFIX + t.name for t in public]
        for test in shown_public:
            assert test["visibility"] == "visible" and test["score"] == test["max_score"] == 0, test
    assert [t["name"] for t in rest] == [f"{t.name} (bonus)" if t.bonus else t.name for t in hidden]
    for test, declared in zip(rest, hidden):
        assert test["visibility"] == "after_published", test
        # A bonus test adds to the score without raising the maximum.
        assert test["max_score"] == (0 if declared.bonus else declared.max_points), test
        assert test["score"] <= declared.max_points, test
        if not declared.bonus:
            assert (test["status"] == "passed") == (test["score"] == test["max_score"]), test


def hidden_results(results: dict) -> dict[str, dict]:
    """The hidden tests of a results.json, by the name the hidden test file gives them."""
    return {t["name"].removesuffix(" (bonus)"): t for t in results["tests"] if t["visibility"] == "after_published"}


_IMAGE = pytest.StashKey[GradescopeImage]()
_ZIPS = pytest.StashKey[dict]()


def shared_image(config: pytest.Config) -> GradescopeImage:
    """The session's image (created empty on first use: ``install`` a zip before grading)."""
    if _IMAGE not in config.stash:
        image = GradescopeImage.create(system_python3())
        config.add_cleanup(image.remove)
        config.stash[_IMAGE] = image
    return config.stash[_IMAGE]


def exported_zip(config: pytest.Config, assignment_id: str) -> Path:
    """The assignment's autograder zip, exported from the checkout once per session."""
    zips = config.stash.setdefault(_ZIPS, {})
    if assignment_id not in zips:
        folder = Path(tempfile.mkdtemp(prefix="gradescope-zips-"))
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        zips[assignment_id] = build_gradescope_export(get_assignment(assignment_id),
                                                      folder / f"{assignment_id}.zip").zip_path
    return zips[assignment_id]


@pytest.fixture(scope="session")
def gradescope_image(request) -> GradescopeImage:
    """The session's Gradescope image (one per session, whichever module asks first)."""
    return shared_image(request.config)


@pytest.fixture(scope="session")
def gradescope_zip(request):
    """gradescope_zip(assignment_id) -> that assignment's exported zip (one per session)."""
    return lambda assignment_id: exported_zip(request.config, assignment_id)

