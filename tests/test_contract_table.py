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
instead of leaving the table stale), and its tests are among those its variant is declared to
lose. The declarations are proved elsewhere, so nothing is graded twice:
tests/test_wrong_variants_<id>.py grades every wrong variant with the real grader and checks that
it loses exactly its declared tests (and that the reference scores full marks), and
tests/test_public_contract.py runs each contract mutant through its declared hidden tests and
checks that it loses every one. So each sentence has a test that fails a submission breaking it.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import tomllib
from functools import lru_cache
from pathlib import Path

import pytest

from autograder.assignments import CATALOG

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "autograder" / "hidden" / "contracts"
MUTANTS_SPEC = Path(__file__).resolve().parent / "contract_mutants" / "mutants.py"
SOURCES = {"handout": "README.md", "stub": "{id}.py"}
ROW_KEYS = {"sentence", "source", "tests", "variant"}


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


MODEL_ASSIGNMENTS = ("mnist_mlp", "lenet", "alexnet", "rnn_letters")


def declared_losses(assignment_id: str, variant: str) -> set[str] | None:
    """The hidden tests that ``variant`` is declared (and elsewhere proved) to lose; None if no
    such variant is declared."""
    if variant.startswith("mutant:"):
        name = variant.removeprefix("mutant:")
        mutant = next((m for m in _mutants_spec().MUTANTS if m.assignment == assignment_id and m.name == name), None)
        return set(mutant.hidden) if mutant is not None else None
    if assignment_id in MODEL_ASSIGNMENTS:
        declared = importlib.import_module("test_wrong_variants_models").EXPECTED_LOSSES.get((assignment_id, variant))
    else:
        declared = importlib.import_module(f"test_wrong_variants_{assignment_id}").EXPECTED_LOSSES.get(variant)
    return set(declared) if declared is not None else None


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


@pytest.mark.parametrize("assignment_id,index,row", ROWS, ids=[row_id(*r) for r in ROWS])
def test_variant_is_declared_to_lose_every_listed_test(assignment_id, index, row):
    declared = declared_losses(assignment_id, row["variant"])
    assert declared is not None, f"no wrong variant or contract mutant {row['variant']!r} of {assignment_id}"
    missing = sorted(set(row["tests"]) - declared)
    assert not missing, (f"{row['variant']} breaks {row['sentence']!r}, but is not declared (and so not proved) "
                         f"to lose {missing}")
