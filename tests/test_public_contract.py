"""Do the public tests catch every contract mistake that the hidden tests grade?

Each contract mutant is the reference solution with one contract mistake (a wrong return type,
shape or dtype, NaN at extreme inputs, a wrong layer, activation, setting or parameter count, a
broken convention of a returned structure), rendered from solutions/ into a temporary folder by
tests/contract_mutants/mutants.py. For each mutant:

- the hidden tests listed for it lose points: the mistake costs marks (only the listed tests run,
  and no student model is trained);
- at least one public test fails, at the stage listed for it: a student sees the mistake before
  submitting.

The reference passes every public test and the stub fails every one as not implemented. Everything
runs in this process: the public tests with the submission imported as ``pytest`` in a handout
folder imports it (``LocalSubmission``), the hidden tests with its values crossing the grader's
protocol as in the sandbox (``OtterSubmission``).
"""

from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from autograder.assignments import CATALOG
from autograder.engine.local import LocalSubmission
from autograder.engine.runner import run_tests
from in_process import hidden_results

MUTANTS_DIR = Path(__file__).resolve().parent / "contract_mutants"
# The mutants that overflow warn as they do.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _load_spec():
    spec = importlib.util.spec_from_file_location("contract_mutants_spec", MUTANTS_DIR / "mutants.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


SPEC = _load_spec()
MUTANTS = {f"{m.assignment}/{m.name}": m for m in SPEC.MUTANTS}


@lru_cache(maxsize=None)
def public_results(path: Path) -> dict:
    """{test name: TestResult} of the public tests on the file at ``path``."""
    assignment = CATALOG[path.stem] if path.stem in CATALOG else CATALOG[path.parent.name]
    results = run_tests(assignment.public_tests_path, LocalSubmission(path))
    return {result.name: result for result in results}


@pytest.fixture(scope="session")
def mutant_paths(tmp_path_factory) -> dict:
    """Every mutant rendered once per session: key -> its file."""
    return SPEC.write_all(tmp_path_factory.mktemp("contract_mutants"))


def test_every_assignment_has_mutants():
    assert {m.assignment for m in MUTANTS.values()} == set(CATALOG)


@pytest.mark.parametrize("assignment_id", sorted(CATALOG))
def test_reference_passes_every_public_test(assignment_id):
    results = public_results(CATALOG[assignment_id].solution_path)
    failing = {name: (r.stage, r.message) for name, r in results.items() if r.points < r.max_points}
    assert not failing


@pytest.mark.parametrize("assignment_id", sorted(CATALOG))
def test_stub_fails_every_public_test_as_not_implemented(assignment_id):
    results = public_results(CATALOG[assignment_id].stub_path)
    assert all(r.points == 0 and r.stage == "not_attempted" for r in results.values()), {
        name: r.stage for name, r in results.items()}


@pytest.mark.parametrize("key", sorted(MUTANTS))
def test_mutant_fails_a_public_test(key, mutant_paths):
    mutant = MUTANTS[key]
    results = public_results(mutant_paths[key])
    failing = {name: r.stage for name, r in results.items() if r.points < r.max_points}
    assert failing, f"{key} passes every public test"
    assert mutant.public_stage in failing.values(), failing
    # Caught by a check (a CheckFailure), not by an error of the public test itself.
    assert "error" not in failing.values(), {n: results[n].message for n, s in failing.items() if s == "error"}


@pytest.mark.parametrize("key", sorted(k for k, m in MUTANTS.items() if m.hidden))
def test_mutant_loses_hidden_points(key, mutant_paths):
    mutant = MUTANTS[key]
    results = hidden_results(mutant.assignment, mutant_paths[key], mutant.hidden)
    assert set(results) == set(mutant.hidden), "a listed hidden test does not exist"
    kept = [name for name, r in results.items() if r.points == r.max_points]
    assert not kept, f"{key} keeps the points of {kept}"
    assert all(r.outcome.value == "failed" for r in results.values()), {n: r.message for n, r in results.items()}


# The other direction: what the hidden tests accept, the public tests accept too, so that no
# public failure sends a correct student hunting for a mistake they did not make. Each variant
# is the reference with edits (old, new) that the hidden tests' contract allows.
ACCEPTED_VARIANTS = {
    "initializers/numpy_int_fans": [
        ("        return shape[0], shape[1]", "        return np.int64(shape[0]), np.int64(shape[1])"),
        ("    return shape[-2] * receptive_field, shape[-1] * receptive_field",
         "    return np.int64(shape[-2] * receptive_field), np.int64(shape[-1] * receptive_field)"),
    ],
    "regularization/numpy_ints_and_an_extra_key": [
        ('    return {"stopped_epoch": int(stopped_epoch), "best_epoch": int(best_epoch), "epochs_run": int(epochs_run)}',
         '    return {"stopped_epoch": np.int64(stopped_epoch), "best_epoch": np.int64(best_epoch), '
         '"epochs_run": np.int64(epochs_run), "wait": 0}'),
    ],
}


@pytest.mark.parametrize("key", sorted(ACCEPTED_VARIANTS))
def test_what_the_hidden_tests_accept_passes_the_public_tests(key, tmp_path):
    assignment_id = key.split("/")[0]
    assignment = CATALOG[assignment_id]
    source = assignment.solution_path.read_text()
    for old, new in ACCEPTED_VARIANTS[key]:
        assert old in source, f"the reference changed: update ACCEPTED_VARIANTS[{key!r}]"
        source = source.replace(old, new)
    path = tmp_path / assignment.module_filename
    path.write_text(source)
    names = _hidden_test_names(assignment_id)
    hidden = hidden_results(assignment_id, path, names)
    assert {name.split("[")[0] for name in hidden} == set(names)
    assert all(r.points == r.max_points for r in hidden.values()), {n: r.message for n, r in hidden.items()
                                                                    if r.points < r.max_points}
    public = public_results(path)
    assert all(r.points == r.max_points for r in public.values()), {n: r.message for n, r in public.items()
                                                                    if r.points < r.max_points}


def _hidden_test_names(assignment_id: str) -> list[str]:
    """The hidden test functions of an assignment (parametrized ones by their function name)."""
    import ast

    tree = ast.parse(CATALOG[assignment_id].hidden_tests_path.read_text())
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
