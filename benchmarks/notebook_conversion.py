"""How long turning a notebook into its module takes (autograder/notebooks.py), which the grader
does while staging each notebook submission, outside the sandbox and before its time limits.

Three notebooks, each converted REPEATS times (the best time is kept), side by side: in this
process (``convert``) and as grading does it, in a child process under hard memory and CPU
ceilings (``convert_bounded``: the difference is the child's start, about 0.4 s):
- a course notebook: the activations reference in 6 cells, each followed by a cell that tries,
  prints and plots, with pip and matplotlib magics (about 5 KB of code);
- MAX_CODE_BYTES (the most code a notebook may hold) of small cells, or as many as MAX_CELLS and
  MAX_STATEMENTS allow: definitions, constants and top-level calls in equal parts;
- MAX_CODE_BYTES in one cell of IPython lines and Python (the magics are found by parsing again).

    .venv/bin/python benchmarks/notebook_conversion.py
"""

from __future__ import annotations

import json
import tempfile
import time
import warnings
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from autograder.assignments import get_assignment
from autograder.notebooks import MAX_CELLS, MAX_CODE_BYTES, MAX_STATEMENTS, convert, convert_bounded

REPEATS = 3
RESULTS = Path(__file__).resolve().parent / "results" / "notebook_conversion.json"


def course_notebook() -> str:
    source = get_assignment("activations").solution_path.read_text()
    cells = ["!pip install numpy matplotlib\n%matplotlib inline"]
    for part in source.split("\ndef "):
        cells.append(part if not cells[1:] else "def " + part)
        cells.append("x = np.linspace(-3, 3, 7)\nprint(x)\nplt.plot(x, x)\nplt.show()")
    return nbformat.writes(new_notebook(cells=[new_code_cell(cell) for cell in cells]))


def many_cells() -> str:
    block = "def f{i}(x):\n    return x * C{i}\nC{i} = {i}\nprint(f{i}(2))\n"
    cells, size, i = [], 0, 0
    while size < MAX_CODE_BYTES - 200 and len(cells) < min(MAX_CELLS, MAX_STATEMENTS // 3):  # 3 statements a cell
        cell = block.format(i=i)
        cells.append(cell)
        size += len(cell)
        i += 1
    return nbformat.writes(new_notebook(cells=[new_code_cell(cell) for cell in cells]))


def one_magic_cell() -> str:
    lines = "%time x = 1\nY = 2\n!ls\n"
    cell = lines * min((MAX_CODE_BYTES - 100) // len(lines), MAX_STATEMENTS // 3)  # 3 statements a repeat
    return nbformat.writes(new_notebook(cells=[new_code_cell(cell)]))


def best_seconds(text: str) -> tuple[float, float, int]:
    """Best seconds in this process, best seconds through the bounded child, module size."""
    data = text.encode()
    here, child = [], []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.ipynb"
        path.write_bytes(data)
        for _ in range(REPEATS):
            started = time.perf_counter()
            module = convert(data, "bench.ipynb", keep_names=frozenset({"relu"}))
            here.append(time.perf_counter() - started)
            started = time.perf_counter()
            bounded = convert_bounded(path, "bench.ipynb", keep_names=frozenset({"relu"}))
            child.append(time.perf_counter() - started)
            assert bounded == module
    return min(here), min(child), len(module.source)


def main() -> None:
    results = {}
    for name, build in (("course notebook", course_notebook), ("MAX_CODE_BYTES of small cells", many_cells),
                        ("MAX_CODE_BYTES in one cell with IPython lines", one_magic_cell)):
        with warnings.catch_warnings():  # writing 100,000 cells, nbformat renumbers duplicate cell ids
            warnings.simplefilter("ignore")
            text = build()
        seconds, bounded_seconds, module_size = best_seconds(text)
        results[name] = {"code_limit_bytes": MAX_CODE_BYTES, "notebook_bytes": len(text),
                         "module_bytes": module_size, "seconds": round(seconds, 3),
                         "bounded_child_seconds": round(bounded_seconds, 3)}
        print(f"{name}: {len(text):,} bytes of notebook -> {module_size:,} bytes of module in {seconds:.3f} s "
              f"(in the bounded child, as grading runs it: {bounded_seconds:.3f} s)")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
