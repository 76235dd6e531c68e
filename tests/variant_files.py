"""Wrong variants: each reference solution with one mistake, rendered from its edits.

``tests/wrong_variants/<id>.toml`` lists each variant: its name, the mistake in words, and its
edits ((function, old, new): old must occur exactly once in that function of
``solutions/<id>/<id>.py``). They are rendered when the tests run, never kept as copies of the
references, so a changed reference fails loudly instead of leaving a stale variant behind.

``folder()`` renders every variant once per process into a temporary folder (removed at exit) as
``<id>/<name>.py``; ``python tests/variant_files.py FOLDER`` writes them to FOLDER, to read them.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from edits import apply_edits  # noqa: E402

SPECS = Path(__file__).resolve().parent / "wrong_variants"


@dataclass(frozen=True)
class Variant:
    assignment: str
    name: str
    mistake: str
    edits: tuple  # (function or None, old, new)


def variants() -> list[Variant]:
    found = []
    for spec in sorted(SPECS.glob("*.toml")):
        for entry in tomllib.loads(spec.read_text())["variant"]:
            edits = tuple((edit.get("function"), edit["old"], edit["new"]) for edit in entry["edit"])
            found.append(Variant(spec.stem, entry["name"], entry["mistake"], edits))
    names = [(v.assignment, v.name) for v in found]
    assert len(names) == len(set(names)), "duplicate variant names"
    return found


def render(variant: Variant) -> str:
    header = (f'"""WRONG VARIANT of solutions/{variant.assignment}/{variant.assignment}.py, rendered by '
              f"tests/variant_files.py.\n\nThe mistake: {variant.mistake}\n\"\"\"\n")
    return header + apply_edits(variant.assignment, variant.edits, f"{variant.assignment}/{variant.name}")


def write_all(folder: Path) -> Path:
    for variant in variants():
        path = Path(folder) / variant.assignment / f"{variant.name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(variant))
    return Path(folder)


@lru_cache(maxsize=None)
def folder() -> Path:
    """Every variant rendered once in this process: ``folder() / <id> / <name>.py``."""
    made = Path(tempfile.mkdtemp(prefix="wrong-variants-"))
    atexit.register(shutil.rmtree, made, True)
    return write_all(made)


def assert_full_marks(results: dict, total: float) -> None:
    """The reference, graded: every test full, ``total`` points in all."""
    failing = [r for r in results.values() if r.points < r.max_points]
    assert not failing, failing
    assert sum(r.max_points for r in results.values()) == total


def assert_loses_exactly(results: dict, expected, stages=("values", "finite")) -> None:
    """A variant, graded: it loses points on exactly the ``expected`` tests, each caught by a check at
    one of ``stages`` (a wrong value by default), not by an error of the grader."""
    assert set(expected) <= set(results), "a listed test does not exist"
    lost = {name for name, r in results.items() if r.points < r.max_points}
    assert lost == set(expected), {name: results[name].message for name in lost ^ set(expected) if name in results}
    assert all(results[name].stage in stages for name in lost), {n: results[n].stage for n in lost}


if __name__ == "__main__":
    print(write_all(Path(sys.argv[1])))
