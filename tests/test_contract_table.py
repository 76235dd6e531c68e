"""The contract table: every behavioural sentence of a handout or stub, the hidden tests that
check it, and a wrong variant that breaks only that sentence (issue 15).

The tables are ``autograder/hidden/contracts/<assignment>.toml``; each row has

- ``sentence``: quoted from its source (whitespace runs, Markdown backticks and ``**`` ignored);
- ``source``: ``"handout"`` (assignments/<id>/README.md) or ``"stub"`` (assignments/<id>/<id>.py);
- ``tests``: hidden test names as results name them;
- ``variant``: a wrong variant of ``tests/wrong_variants/<id>.toml`` (rendered by
  tests/variant_files.py), or ``"mutant:<name>"`` for a contract
  mutant rendered by tests/contract_mutants/mutants.py.

Checked here, per row: the sentence is still in its source (a reworded handout fails loudly
instead of leaving the table stale); the listed tests exist and the reference passes them; and
the variant, run through only those tests, loses points on every one. So each sentence has a test
that fails a submission breaking it. (Whether a variant loses *only* its tests, with the real
grader, is tests/test_wrong_variants_<id>.py's job.)
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from functools import lru_cache
from pathlib import Path

import pytest

from autograder.assignments import CATALOG
import variant_files
from in_process import hidden_results

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "autograder" / "hidden" / "contracts"
VARIANTS = variant_files.folder()
MUTANTS_SPEC = Path(__file__).resolve().parent / "contract_mutants" / "mutants.py"
SOURCES = {"handout": "README.md", "stub": "{id}.py"}
ROW_KEYS = {"sentence", "source", "tests", "variant"}

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def normalised(text: str) -> str:
    """Text as rows quote it: Markdown's ` and ** dropped, every whitespace run one space."""
    return re.sub(r"\s+", " ", text.replace("`", "").replace("**", "")).strip()


def load_table(assignment_id: str) -> list[dict]:
    path = TABLES / f"{assignment_id}.toml"
    return tomllib.loads(path.read_text())["row"] if path.exists() else []


ROWS = [(assignment_id, index, row) for assignment_id in sorted(CATALOG)
        for index, row in enumerate(load_table(assignment_id))]


def row_id(assignment_id: str, index: int, row: dict) -> str:
    return f"{assignment_id}-{index}-{row.get('variant', '?')}"


@lru_cache(maxsize=None)
def _mutants_spec():
    spec = importlib.util.spec_from_file_location("contract_mutants_table_spec", MUTANTS_SPEC)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def variant_path(tmp_path_factory):
    """variant_path(assignment, variant) -> the file: a committed wrong variant, or a contract
    mutant rendered from solutions/ into a temporary folder."""
    folder = tmp_path_factory.mktemp("table_mutants")

    def path_of(assignment_id: str, variant: str) -> Path:
        if not variant.startswith("mutant:"):
            return VARIANTS / assignment_id / f"{variant}.py"
        name = variant.removeprefix("mutant:")
        spec = _mutants_spec()
        mutant = next((m for m in spec.MUTANTS if m.assignment == assignment_id and m.name == name), None)
        assert mutant is not None, f"no contract mutant {assignment_id}/{name}"
        path = folder / assignment_id / f"{name}.py"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(spec.render(mutant))
        return path

    return path_of


def test_every_assignment_has_a_table():
    assert sorted(p.stem for p in TABLES.glob("*.toml")) == sorted(CATALOG)


@pytest.mark.parametrize("assignment_id", sorted(CATALOG))
def test_rows_are_well_formed(assignment_id):
    rows = load_table(assignment_id)
    assert rows, f"{assignment_id} has no rows"
    for index, row in enumerate(rows):
        assert set(row) == ROW_KEYS, f"row {index}: keys {sorted(row)}"
        assert row["source"] in SOURCES, f"row {index}: source {row['source']!r}"
        assert isinstance(row["tests"], list) and row["tests"], f"row {index}: no tests"
        assert normalised(row["sentence"]), f"row {index}: empty sentence"
    sentences = [(row["source"], normalised(row["sentence"])) for row in rows]
    assert len(sentences) == len(set(sentences)), "a sentence is listed twice: merge its rows"


@pytest.mark.parametrize("assignment_id,index,row", ROWS, ids=[row_id(*r) for r in ROWS])
def test_sentence_is_in_its_source(assignment_id, index, row):
    source = ROOT / "assignments" / assignment_id / SOURCES[row["source"]].format(id=assignment_id)
    assert normalised(row["sentence"]) in normalised(source.read_text()), (
        f"{source.relative_to(ROOT)} no longer says: {row['sentence']!r}")


@lru_cache(maxsize=None)
def reference_results(assignment_id: str) -> dict:
    """The reference on every test that a row of its table lists, run once."""
    names = sorted({name for row in load_table(assignment_id) for name in row["tests"]})
    return hidden_results(assignment_id, CATALOG[assignment_id].solution_path, names)


@pytest.mark.parametrize("assignment_id,index,row", ROWS, ids=[row_id(*r) for r in ROWS])
def test_variant_loses_every_listed_test(assignment_id, index, row, variant_path):
    names = tuple(row["tests"])
    path = variant_path(assignment_id, row["variant"])
    assert path.exists(), f"no wrong variant {path}"
    reference = reference_results(assignment_id)
    assert set(names) <= set(reference), f"listed tests that do not exist: {sorted(set(names) - set(reference))}"
    failing = {name: reference[name].message for name in names if reference[name].points < reference[name].max_points}
    assert not failing, f"the reference fails {failing}"
    results = hidden_results(assignment_id, path, names)
    kept = sorted(name for name, r in results.items() if r.points == r.max_points)
    assert not kept, f"{row['variant']} breaks {row['sentence']!r} and keeps the points of {kept}"
