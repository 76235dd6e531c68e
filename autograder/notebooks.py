"""Turn a student's Jupyter notebook (``<id>.ipynb``) into the module the grader imports.

This is text processing only: nothing of the notebook runs here. The notebook is read with
``nbformat`` (``nbformat.reads(text, as_version=4)``, so nbformat 3 notebooks are upgraded), its
code cells are taken in order, and the module is built from them:

* IPython syntax is dropped, each line replaced by ``pass`` at its indentation so that blocks stay
  valid: line magics and shell escapes (``%matplotlib inline``, ``!pip install x``, ``x = !ls``,
  ``x = %time f()``), help lines (``obj?``, ``?obj``) and top-level ``get_ipython()`` calls. A
  line is replaced where the parser stops on it, so that a ``%`` inside a string stays; if the
  parser stops on another line, every line that looks like IPython is replaced. A cell magic
  on a cell's first line keeps its body as Python for ``%%time``, ``%%timeit`` and
  ``%%capture``; any other (``%%bash``, ``%%writefile``, ``%%html``, ...) drops the whole cell.
* Course notebooks load MNIST, build, train and plot at top level, which would blow the import
  time limit (and the grader trains the model itself). So, per code cell, only the top-level
  statements that define things are kept: imports, ``def`` and ``class`` (whole, decorators
  included), docstrings, and the assignments that are needed. An assignment (or an ``if``/``try``
  block made only of imports, definitions and assignments, such as ``try: import x`` / ``except
  ImportError: x = None``) is kept when

  - it binds a name that a kept statement uses, transitively (``EPS = np.float32(1e-7)``, read
    inside ``relu``, is kept; ``history = model.fit(...)``, read by nothing kept, is not). The
    names a statement uses are its free global names, as ``symtable`` resolves them: a
    function's parameters and locals are not; or
  - it binds one of the assignment's own top-level names (``keep_names``: the names the
    trusted stub defines, from ``top_level_names``); or
  - it calls nothing (no ``f(...)`` outside function bodies) and reads only names that kept
    statements bind, or builtins (``N_CLASSES = 10``, ``SHAPE = (N, N)``; not
    ``x_train = x_train / 255``, which would pull in the loading of ``x_train``).

  ``if __name__ == "__main__":`` blocks, bare expressions (``model.fit(...)``, ``plt.show()``,
  ``print(...)``), loops, ``with`` blocks and everything else at top level are skipped. Several
  statements on one line (``a = 1; f()``) are kept or skipped together.
* A cell that does not parse, even after its IPython lines are replaced, is kept whole and ends
  the module, so that importing it reports the syntax error as for a ``.py``, in that cell (an
  unclosed bracket included: nothing follows it). ``ast.parse`` failing with RecursionError,
  MemoryError or ValueError counts as not parsing.

Between cells the module has ``# cell N`` lines, N counting every cell of the notebook from 1
(text cells included), and ``NotebookModule.annotate`` turns "lenet.py, line 12" in a message into
"lenet.py, line 12; cell 4, line 2 of lenet.ipynb". What was dropped or skipped becomes at most
two short notes for the student (``NotebookModule.notes``). An unreadable notebook raises
``NotebookProblem`` with a status (``INVALID_NOTEBOOK``; ``EMPTY`` for code cells that are all
blank; ``CORRUPT`` for more than ``MAX_CODE_BYTES`` of code, ``MAX_CELLS`` cells or
``MAX_STATEMENTS`` top-level statements) and a one-line message. The work done here, in the
trusted process, is bounded: nbformat reads only the code cells (outputs, text and metadata are
dropped from the JSON first), the search for IPython lines parses at most ``_PARSE_BUDGET``
characters again for the whole notebook, and every regular expression runs in linear time.
Grading converts through :func:`convert_bounded`, which runs :func:`convert` in a child Python
process under hard ceilings (``CONVERT_MEMORY_BYTES`` of address space, ``CONVERT_SECONDS`` of
CPU time): the caps keep honest notebooks far below them (a course notebook converts in
milliseconds), and the ceilings hold whatever input the caps missed. The child runs only this
module's text processing on the file: no student code runs there either.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import json
import os
import re
import resource
import subprocess
import symtable
import sys
import warnings
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.checks import printable
from autograder.i18n import N_, _, _f
from autograder.results import MAX_NOTE_BYTES, SubmissionStatus

NOTEBOOK_SUFFIX = ".ipynb"
# The code cells of a notebook, at most (the notebook file itself, outputs included, is capped by
# intake): some 40 times a long course notebook's code. Converting that much, adversarial code
# of tiny cells, takes about 10 s on the 2-core machine (benchmarks/notebook_conversion.py).
# (2 MB of one-line statements, "x = 1", held 1 GB of syntax trees and took 33 s: the trees
# of Python code take some 400 times its size.)
MAX_CODE_BYTES = 1024 * 1024
# The cells of a notebook (code, text and raw together), at most: a long course notebook has a few
# hundred. Counted before nbformat reads the notebook, whose schema validation of 650,000 tiny
# cells (a 48 MB file) took 18 s and 1 GB.
MAX_CELLS = 10_000
# Top-level statements in all code cells together, at most: each is classified in Python (about
# 60 us), and 1 MB of ``a=1`` lines (262,000 statements) took 23 s.
MAX_STATEMENTS = 20_000
# Cell magics whose body is Python, run as such (the timing or capture is dropped).
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture"})
# How a student gets a good .ipynb, said in every message about an unreadable notebook.
# (Translated where it is shown: ``_f(DOWNLOAD_HINT, name=...)``.)
DOWNLOAD_HINT = N_("download it again from Jupyter or Colab with File > Download > Download .ipynb, "
                   "name it {name} and submit that file")
_QUOTED_CHARS = 60  # a dropped line, as quoted in a note
_MAX_REPLACED_LINES = 1000  # IPython lines replaced one by one in a cell, at most
# Characters parsed to find them, at most, for the whole notebook: each try parses the whole cell,
# and a budget per cell let 100 cells of 1,000 magics each parse 2 G characters (about an hour).
_PARSE_BUDGET = 4_000_000
_BUILTINS = frozenset(dir(builtins)) | {"__name__", "__file__", "__doc__", "__builtins__", "__spec__"}
_ASSIGNMENT_ID = r"[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*"
# Lines of IPython syntax: a magic or shell escape, one assigned, or a help request (``?obj``;
# ``obj?`` is _HELP_LINE, which only a line that is no Python on its own can be).
_IPYTHON_LINE = re.compile(rf"^\s*(?:[%!?]|{_ASSIGNMENT_ID}\s*=\s*[%!])")
# (``[^#\s]``, not ``[^#]``: a backtracking ``\s*[^#]`` took quadratic time on a long line of
# spaces, 24 s for 200 KB.)
_HELP_LINE = re.compile(r"^\s*[^#\s].*\?\s*$")
_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass)
_ASSIGNMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign)
_BLOCKS = (ast.If, ast.Try, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))


class NotebookProblem(Exception):
    """A notebook that cannot become a module: ``status`` and a one-line ``message``."""

    def __init__(self, status: SubmissionStatus, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Segment:
    """Lines ``module_line`` .. ``module_line + count - 1`` of the module are lines
    ``cell_line`` .. of cell ``cell`` of the notebook."""

    module_line: int
    cell: int
    cell_line: int
    count: int


@dataclass(frozen=True)
class NotebookModule:
    """The module built from notebook ``name``: its ``source``, the ``notes`` for the student
    and where each of its lines came from (``segments``, in module order)."""

    name: str
    source: str
    notes: tuple[str, ...] = ()
    segments: tuple[Segment, ...] = field(default=(), repr=False)
    # The module ends with a cell that does not parse (the cells after it are left out): an error
    # Python reports at the end of the module is in that cell.
    ends_broken: bool = False

    def cell_of(self, module_line: int) -> tuple[int, int] | None:
        """(cell number, line in that cell) of a line of the module; None for the lines the
        grader wrote (the header and the ``# cell N`` lines). Past the end of a module that ends
        with a broken cell: that cell's last line."""
        starts = [segment.module_line for segment in self.segments]
        index = bisect.bisect_right(starts, module_line) - 1
        if index < 0:
            return None
        segment = self.segments[index]
        offset = module_line - segment.module_line
        if self.ends_broken and index == len(self.segments) - 1:
            offset = min(offset, segment.count - 1)
        return (segment.cell, segment.cell_line + offset) if offset < segment.count else None

    def annotate(self, text: str, module_filename: str) -> str:
        """``text`` where each "<module_filename>, line N" also names the notebook cell."""

        def where(match: re.Match) -> str:
            found = self.cell_of(int(match.group(1)))
            if found is None:
                return match.group(0)
            return _f("{location}; cell {cell}, line {line} of {notebook}", location=match.group(0),
                      cell=found[0], line=found[1], notebook=self.name)

        return re.sub(rf"\b{re.escape(module_filename)}, line (\d{{1,9}})\b", where, text)


def notebook_filename(module_filename: str) -> str:
    """``lenet.ipynb`` for ``lenet.py``."""
    return module_filename.removesuffix(".py") + NOTEBOOK_SUFFIX


def top_level_names(source: str) -> frozenset[str]:
    """The names a (trusted) module defines at top level: its functions, classes and assigned
    names, not its imports."""
    names = set()
    for statement in ast.parse(source).body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, _ASSIGNMENTS):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names.update(node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name))
    return frozenset(names)


# --- reading ----------------------------------------------------------------------------------


def read_code_cells(data: bytes, name: str) -> list[tuple[int, str]]:
    """(cell number, source) of each code cell of the notebook ``data``, whose file is ``name``.

    Raises NotebookProblem: not UTF-8, not JSON, not a notebook nbformat can read, a notebook of
    another language, one with no code cell (INVALID_NOTEBOOK), code cells all blank (EMPTY),
    more than MAX_CODE_BYTES of code (CORRUPT)."""
    import nbformat

    hint = _f(DOWNLOAD_HINT, name=name)

    def invalid(problem: str) -> NotebookProblem:
        """``problem``, a sentence that names the notebook, followed by how to get a good one."""
        return NotebookProblem(SubmissionStatus.INVALID_NOTEBOOK, _f("{problem}; {hint}", problem=problem, hint=hint))

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid(_f("{name} is not a Jupyter notebook (it is not text: not UTF-8)", name=name)) from None
    text = _without_what_is_never_read(text, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4)
    except nbformat.reader.NotJSONError:
        raise invalid(_f("{name} is not a Jupyter notebook: {problem}", name=name,
                         problem=_json_problem(text))) from None
    except MemoryError:  # not the notebook's form but its size: convert_bounded's child says so
        raise
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds for JSON that is no notebook
        reason = printable(f"{type(error).__name__}: {error}", 160)
        raise invalid(_f("{name} is JSON but not a Jupyter notebook that nbformat can read ({reason})",
                         name=name, reason=reason)) from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise invalid(_f("{name} is JSON but not a Jupyter notebook (it has no list of cells)", name=name))
    language = _language(notebook)
    if language and "python" not in language:
        raise invalid(_f("{name} is a notebook in {language}, not Python", name=name, language=printable(language, 40)))
    code = []
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise invalid(_f("{name} is damaged: the source of cell {cell} is not text", name=name, cell=number))
        try:
            source.encode("utf-8")
        except UnicodeEncodeError:  # JSON can escape a lone surrogate, which no file can hold
            raise invalid(_f("{name} is damaged: cell {cell} holds a character that is not valid text",
                             name=name, cell=number)) from None
        code.append((number, source))
    if not code:
        raise invalid(_f("{name} holds no code cells, only text", name=name))
    if sum(len(source.encode("utf-8", "surrogatepass")) for _, source in code) > MAX_CODE_BYTES:
        raise _too_much_code(name)
    if not any(source.strip() for _, source in code):
        raise NotebookProblem(SubmissionStatus.EMPTY, _f("{name} has no code: its code cells are empty", name=name))
    return code


def _too_much_code(name: str) -> NotebookProblem:
    limit = MAX_CODE_BYTES // 2**20
    return NotebookProblem(SubmissionStatus.CORRUPT,
                           _f("the code cells of {name} hold more than {megabytes} MB of text; submit your own "
                              "code only", name=name, megabytes=limit))


# What is kept of a cell (of any nbformat version) for nbformat to read; any other key keeps its
# place (the schema still refuses it) with a null value.
_CELL_KEYS = frozenset({"cell_type", "source", "input", "metadata", "outputs", "execution_count", "prompt_number",
                        "id", "attachments", "language", "collapsed", "level"})
_NOTEBOOK_KEYS = frozenset({"nbformat", "nbformat_minor", "metadata", "cells", "worksheets"})
# The JSON handed to nbformat once outputs, attachments, text cells and metadata are out, at most.
_MAX_READ_CHARS = 8 * MAX_CODE_BYTES + 256 * MAX_CELLS


def _without_what_is_never_read(text: str, name: str) -> str:
    """The notebook ``text`` without what conversion never reads (outputs, attachments, the
    text of markdown and raw cells, metadata but the language), so that nbformat's reading and
    schema validation, which cost some 20 times the JSON they get (18 s and 1 GB for 48 MB of
    tiny cells), only see the code. Raises NotebookProblem (CORRUPT) for more than MAX_CELLS
    cells or MAX_CODE_BYTES of code. Text that is no JSON object is returned as it is: nbformat
    says what is wrong with it."""
    try:
        notebook = json.loads(text)
    except (ValueError, RecursionError):
        return text
    if not isinstance(notebook, dict):
        return text
    lists = [notebook.get("cells")]
    if isinstance(notebook.get("worksheets"), list):
        lists += [sheet.get("cells") for sheet in notebook["worksheets"] if isinstance(sheet, dict)]
    cells = [cell for cells in lists if isinstance(cells, list) for cell in cells]
    if len(cells) > MAX_CELLS:
        raise NotebookProblem(SubmissionStatus.CORRUPT, _f("{name} has more than {cells} cells; submit your "
                                                           "own notebook only", name=name,
                                                           cells=format(MAX_CELLS, ",")))
    code_bytes = 0
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        for key in cell:
            if key not in _CELL_KEYS:
                cell[key] = None
        for key, empty in (("outputs", []), ("metadata", {}), ("attachments", {})):
            if isinstance(cell.get(key), type(empty)):
                cell[key] = empty
        for key in ("source", "input"):
            value = cell.get(key)
            if isinstance(value, list) and all(isinstance(line, str) for line in value):
                value = cell[key] = "".join(value)
            if isinstance(value, str):
                if cell.get("cell_type") != "code":
                    cell[key] = ""
                else:
                    code_bytes += len(value.encode("utf-8", "surrogatepass"))
    if code_bytes > MAX_CODE_BYTES:
        raise _too_much_code(name)
    for key in notebook:
        if key not in _NOTEBOOK_KEYS:
            notebook[key] = None
    if isinstance(notebook.get("metadata"), dict):  # the language only (see _language)
        metadata = notebook["metadata"]
        notebook["metadata"] = {key: {k: v for k, v in metadata[key].items() if isinstance(v, str)}
                                for key in ("kernelspec", "language_info") if isinstance(metadata.get(key), dict)}
    for sheet in notebook["worksheets"] if isinstance(notebook.get("worksheets"), list) else ():
        if isinstance(sheet, dict):
            for key in sheet:
                if key != "cells":
                    sheet[key] = None if key != "metadata" else {}
    try:
        slim = json.dumps(notebook, ensure_ascii=False)
    except (RecursionError, ValueError):  # nested almost as deep as json.loads allows
        raise NotebookProblem(SubmissionStatus.INVALID_NOTEBOOK,
                              _f("{problem}; {hint}",
                                 problem=_f("{name} is JSON but not a Jupyter notebook (it is nested too deeply)",
                                            name=name),
                                 hint=_f(DOWNLOAD_HINT, name=name))) from None
    if len(slim) > _MAX_READ_CHARS:
        raise NotebookProblem(SubmissionStatus.CORRUPT, _f("{name} holds more than its code can explain "
                                                           "({megabytes} MB of JSON without outputs); "
                                                           "submit your own notebook only",
                                                           name=name, megabytes=len(slim) // 2**20))
    return slim


def _json_problem(text: str) -> str:
    """Where the JSON of ``text`` breaks, in words."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return _f("its JSON is broken at line {line}, column {column} ({error})", line=error.lineno,
                  column=error.colno, error=error.msg)
    except (RecursionError, MemoryError, ValueError):
        pass
    return _("it is not valid JSON")


def _language(notebook: dict) -> str:
    metadata = notebook.get("metadata")
    if not isinstance(metadata, dict):
        return ""
    for key, field_name in (("kernelspec", "language"), ("language_info", "name")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field_name), str):
            return section[field_name].strip().lower()
    return ""


# --- one cell ---------------------------------------------------------------------------------


def _quote(line: str) -> str:
    return "`" + printable(line.strip(), _QUOTED_CHARS) + "`"


def _parse(text: str) -> ast.Module | SyntaxError | None:
    """The tree of ``text``, its SyntaxError, or None where the parser itself gives up."""
    try:
        return ast.parse(text)
    except SyntaxError as error:
        return error
    except (RecursionError, MemoryError, ValueError):
        return None


def _blank_ipython_line(lines: list[str], index: int) -> str:
    """Replace line ``index`` by ``pass`` at its indentation, and the lines its trailing
    backslashes continue by blank lines; return the line as it was."""
    original = lines[index]
    lines[index] = original[: len(original) - len(original.lstrip())] + "pass"
    continued, follow = original.rstrip().endswith("\\"), index + 1
    while continued and follow < len(lines):
        continued = lines[follow].rstrip().endswith("\\")
        lines[follow] = ""
        follow += 1
    return original


def _is_ipython(line: str) -> bool:
    if _IPYTHON_LINE.match(line):
        return True
    return bool(_HELP_LINE.match(line)) and isinstance(_parse(line.strip()), SyntaxError)


class _TooManyStatements(Exception):
    """The notebook's cells hold more than MAX_STATEMENTS top-level statements."""


class _Budget:
    """Characters the notebook's search for IPython lines may still parse (``_PARSE_BUDGET``),
    and top-level statements its cells may still hold (``MAX_STATEMENTS``)."""

    def __init__(self, characters: int | None = None):
        self.left = _PARSE_BUDGET if characters is None else characters
        self.statements_left = MAX_STATEMENTS

    def spend(self, characters: int) -> bool:
        """Whether ``characters`` more may be parsed; if so, they are counted."""
        if characters > self.left:
            return False
        self.left -= characters
        return True


def _drop_ipython_lines(text: str, budget: _Budget | None = None) -> tuple[str, list[str]]:
    text, dropped, _ = _drop_ipython_lines_parsed(text, budget)
    return text, dropped


def _drop_ipython_lines_parsed(text: str, budget: _Budget | None = None) -> tuple[str, list[str], ast.Module | None]:
    """``text`` with its IPython lines replaced by ``pass`` where Python rejects them, and
    those lines. A line is replaced where the parser stops on it; if it stops elsewhere, or
    the notebook's ``budget`` of parsing is spent, every line that looks like IPython is
    replaced at once."""
    budget = budget if budget is not None else _Budget()
    lines = text.split("\n")
    dropped: list[str] = []
    # Each try parses the whole cell: a cell of many IPython lines goes to the fallback sooner.
    for attempt in range(_MAX_REPLACED_LINES):
        # The first parse of each cell is free (the whole notebook's code, once); parsing again
        # after a replaced line spends the budget.
        if attempt and not budget.spend(max(len(text), 1)):
            break
        parsed = _parse("\n".join(lines))
        if not isinstance(parsed, SyntaxError) or not parsed.lineno:
            return "\n".join(lines), dropped, parsed if isinstance(parsed, ast.Module) else None
        index = parsed.lineno - 1
        if not (0 <= index < len(lines)) or not _is_ipython(lines[index]):
            break
        dropped.append(_blank_ipython_line(lines, index))
    for index, line in enumerate(lines):
        if _is_ipython(line):
            dropped.append(_blank_ipython_line(lines, index))
    return "\n".join(lines), dropped, None


@dataclass
class _Unit:
    """Top-level statements of one cell sharing lines (``first``..``last``, 1-based, in the
    cell's text as parsed), kept or skipped together."""

    cell: int
    offset: int  # lines of the cell before the parsed text (a cell magic's line)
    first: int
    last: int
    statements: list[ast.stmt]
    kind: str = "skip"  # "define": always kept; "assign": kept if needed; "magic", "skip": dropped
    uses: frozenset[str] = frozenset()
    binds: frozenset[str] = frozenset()
    calls: bool = False
    kept: bool = False


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(d.lineno for d in decorators)])


def _units(cell: int, offset: int, tree: ast.Module) -> list[_Unit]:
    units: list[_Unit] = []
    for statement in tree.body:
        first, last = _first_line(statement), statement.end_lineno or statement.lineno
        if units and first <= units[-1].last:
            units[-1].statements.append(statement)
            units[-1].last = max(units[-1].last, last)
        else:
            units.append(_Unit(cell, offset, first, last, [statement]))
    return units


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def _is_main_guard(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.If) and "__name__" in {
        node.id for node in ast.walk(statement.test) if isinstance(node, ast.Name)}


def _assignable(statement: ast.stmt) -> bool:
    """An assignment, or an if/try block of imports, definitions and assignments only."""
    if isinstance(statement, (*_DEFINITIONS, *_ASSIGNMENTS)) or _is_docstring(statement):
        return True
    if isinstance(statement, _BLOCKS) and not _is_main_guard(statement):
        inner = [*statement.body, *statement.orelse, *getattr(statement, "finalbody", [])]
        inner += [s for handler in getattr(statement, "handlers", []) for s in handler.body]
        return all(_assignable(s) for s in inner)
    return False


def _has_call(node: ast.AST) -> bool:
    """A call that runs when ``node`` runs at top level: a function's decorators and defaults
    run, its body does not."""
    if isinstance(node, ast.Call):
        return True
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        run = [*getattr(node, "decorator_list", []), *node.args.defaults, *filter(None, node.args.kw_defaults)]
        return any(_has_call(child) for child in run)
    return any(_has_call(child) for child in ast.iter_child_nodes(node))


def _names(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(free global names read anywhere in ``text``, names it binds at top level)."""
    # The blank lines end a statement whose last line ends with a backslash.
    table = symtable.symtable(text + "\n\n", "<cell>", "exec")
    uses, stack = set(), [table]
    while stack:
        scope = stack.pop()
        uses.update(s.get_name() for s in scope.get_symbols() if s.is_global() and s.is_referenced())
        stack.extend(scope.get_children())
    binds = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    return frozenset(uses), frozenset(binds)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp,
           ast.DictComp, ast.GeneratorExp, ast.Global, ast.Nonlocal)


def _scan(statements: list[ast.stmt]) -> tuple[set[str], set[str], bool, bool]:
    """One walk over ``statements``: (names read, names bound, whether it calls anything,
    whether it opens a scope of its own, where only ``symtable`` tells its free names)."""
    reads, binds, calls, scoped = set(), set(), False, False
    for statement in statements:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name):
                (reads if isinstance(node.ctx, ast.Load) else binds).add(node.id)
            elif isinstance(node, ast.Call):
                calls = True
            elif isinstance(node, ast.alias):
                binds.add(node.asname or node.name.split(".")[0])
            elif isinstance(node, _SCOPES):
                scoped = True
        if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            reads.add(statement.target.id)
    return reads, binds, calls, scoped


def _classify(unit: _Unit, lines: list[str]) -> None:
    """Set the unit's kind and, for the kept kinds, the names it reads and binds."""
    statements = unit.statements
    reads, binds, calls, scoped = _scan(statements)
    if "get_ipython" in reads and any(isinstance(s, (ast.Expr, *_ASSIGNMENTS)) for s in statements):
        unit.kind = "magic"
        return
    if all(isinstance(s, _DEFINITIONS) or _is_docstring(s) for s in statements):
        unit.kind = "define"
    elif all(_assignable(s) for s in statements):
        unit.kind = "assign"
        unit.calls = calls if not scoped else any(_has_call(s) for s in statements)
    else:
        return
    if scoped:  # a function, class, lambda or comprehension: its own names are not the module's
        unit.uses, unit.binds = _names("\n".join(lines[unit.first - 1: unit.last]))
    else:
        unit.uses, unit.binds = frozenset(reads), frozenset(binds)


# --- the notebook -----------------------------------------------------------------------------


@dataclass
class _Cell:
    number: int
    offset: int = 0  # lines dropped before ``text`` (a cell magic)
    text: str = ""
    units: list[_Unit] | None = None  # None: kept whole (it does not parse)
    dropped_lines: list[str] = field(default_factory=list)
    dropped_magic: str = ""  # a cell magic that dropped the whole cell


def _split_cell_magic(number: int, source: str) -> _Cell:
    lines = source.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    head = lines[first].strip()
    if not head.startswith("%%"):
        return _Cell(number, text=source)
    magic = head[2:].split(maxsplit=1)[0] if head[2:].strip() else ""
    if magic not in PYTHON_CELL_MAGICS:
        return _Cell(number, dropped_magic=head)
    return _Cell(number, offset=first + 1, text="\n".join(lines[first + 1:]), dropped_lines=[head])


def _prepare(number: int, source: str, budget: _Budget | None = None) -> _Cell:
    cell = _split_cell_magic(number, source.replace("\r\n", "\n").replace("\r", "\n"))
    if cell.dropped_magic:
        return cell
    cell.text, dropped, tree = _drop_ipython_lines_parsed(cell.text, budget)
    cell.dropped_lines += dropped
    if tree is None:  # the tree of the text as it now is, unless the search for IPython lines has it
        tree = _parse(cell.text)
    if isinstance(tree, ast.Module):
        if budget is not None:
            budget.statements_left -= len(tree.body)
            if budget.statements_left < 0:
                raise _TooManyStatements
        lines = cell.text.split("\n")
        try:
            cell.units = _units(number, cell.offset, tree)
            for unit in cell.units:
                _classify(unit, lines)
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            cell.units = None
    return cell


def _decide(cells: list[_Cell], keep_names: frozenset[str]) -> None:
    """Mark the units to keep: every definition, then the assignments as the module docstring
    says (a worklist over names, linear in the notebook's size)."""
    units = [unit for cell in cells if cell.units for unit in cell.units]
    candidates = [unit for unit in units if unit.kind == "assign"]
    binders: dict[str, list[_Unit]] = defaultdict(list)  # name -> the candidates binding it
    waiting: dict[str, list[_Unit]] = defaultdict(list)  # name -> call-free candidates reading it
    missing: dict[int, int] = {}  # id of a call-free candidate -> names it reads not yet bound
    stack: list[tuple[_Unit, bool]] = [(unit, True) for unit in units if unit.kind == "define"]
    for unit in candidates:
        for name in unit.binds:
            binders[name].append(unit)
        if unit.binds & keep_names:
            stack.append((unit, True))
        elif not unit.calls:
            reads = unit.uses - _BUILTINS
            missing[id(unit)] = len(reads)
            for name in reads:
                waiting[name].append(unit)
            if not reads:
                stack.append((unit, False))
    needed: set[str] = set()
    available: set[str] = set()
    pulled: set[int] = set()
    while stack:
        unit, pull = stack.pop()  # pull: the names it reads are needed
        if not unit.kept:
            unit.kept = True
            for name in unit.binds - available:
                available.add(name)
                for reader in waiting.pop(name, ()):
                    missing[id(reader)] -= 1
                    if missing[id(reader)] == 0:
                        stack.append((reader, False))
        if pull and id(unit) not in pulled:
            pulled.add(id(unit))
            for name in unit.uses - needed:
                needed.add(name)
                stack.extend((binder, True) for binder in binders.get(name, ()))


def _listing_note(lead: str, items: list[str], tail: str = "") -> str:
    """``lead``: item; item; ... and N more``tail``, within MAX_NOTE_BYTES."""
    room = MAX_NOTE_BYTES - len(lead.encode()) - len(tail.encode()) - 24
    # TRANSLATORS: between the items of a note's list (each a cell and a quoted line of code).
    separator = _("; ")
    shown: list[str] = []
    for item in items:
        if len(separator.join([*shown, item]).encode()) > room:
            break
        shown.append(item)
    more = _f(" and {count} more", count=len(items) - len(shown)) if len(items) > len(shown) else ""
    return _f("{lead}: {items}{more}{tail}", lead=lead, items=separator.join(shown), more=more, tail=tail)


def _notes(cells: list[_Cell]) -> tuple[str, ...]:
    """At most two notes: the IPython lines and cells removed, the top-level code skipped."""
    removed, skipped = [], []
    for cell in cells:
        if cell.dropped_magic:
            removed.append(_f("cell {cell} {code} (the whole cell)", cell=cell.number, code=_quote(cell.dropped_magic)))
        removed += [_f("cell {cell} {code}", cell=cell.number, code=_quote(line)) for line in cell.dropped_lines]
        lines = cell.text.split("\n")
        for unit in cell.units or ():
            if unit.kind == "magic":
                removed.append(_f("cell {cell} {code}", cell=cell.number, code=_quote(lines[unit.first - 1])))
            elif not unit.kept:
                skipped.append(_f("cell {cell} {code}", cell=cell.number, code=_quote(lines[unit.first - 1])))
    notes = []
    if removed:
        notes.append(_listing_note(_("removed IPython magics and shell commands (the grader does not run them)"),
                                   removed))
    if skipped:
        notes.append(_listing_note(_("skipped top-level code that the grader does not run (it keeps imports, "
                                     "functions, classes and the assignments they need)"), skipped))
    return tuple(notes)


def _assemble(name: str, cells: list[_Cell]) -> tuple[str, tuple[Segment, ...], list[_Cell]]:
    """The module's source, where its lines come from, and the cells it holds: every cell up to
    the first that does not parse, which ends it. Python stops at that cell's error anyway; with
    nothing after it, an error that Python reports at its end (an unclosed bracket) is still in it."""
    out = [f"# Built by the autograder from {printable(name, 200)}: its code cells, without IPython "
           "lines and top-level code that is not a definition."]
    segments: list[Segment] = []

    def add(cell: int, cell_line: int, lines: list[str]) -> None:
        segments.append(Segment(len(out) + 1, cell, cell_line, len(lines)))
        out.extend(lines)

    for index, cell in enumerate(cells):
        out.append(f"# cell {cell.number}")
        if cell.dropped_magic:
            continue
        lines = cell.text.split("\n")
        if cell.units is None:
            add(cell.number, cell.offset + 1, lines)
            return "\n".join(out) + "\n", tuple(segments), cells[: index + 1]
        for unit in cell.units:
            if unit.kept:
                last = unit.last
                while last < len(lines) and lines[last - 1].rstrip().endswith("\\"):
                    last += 1  # a backslash after the statement continues onto a blank line: keep it
                add(cell.number, cell.offset + unit.first, lines[unit.first - 1: last])
    return "\n".join(out) + "\n", tuple(segments), cells


def convert(data: bytes, name: str, *, keep_names: frozenset[str] = frozenset()) -> NotebookModule:
    """The module of the notebook ``data`` (its file named ``name``, as the messages call it).

    ``keep_names`` are the assignment's own top-level names (see ``top_level_names``): their
    top-level assignments are kept. Raises NotebookProblem (see ``read_code_cells``)."""
    budget = _Budget()  # one for the whole notebook
    code = read_code_cells(data, name)
    try:
        cells = [_prepare(number, source, budget) for number, source in code]
    except _TooManyStatements:
        raise NotebookProblem(SubmissionStatus.CORRUPT, _f("the code cells of {name} hold more than "
                                                           "{statements} top-level statements; submit your own "
                                                           "code only", name=name,
                                                           statements=format(MAX_STATEMENTS, ","))) from None
    _decide(cells, frozenset(keep_names))
    source, segments, held = _assemble(name, cells)
    broken = bool(held) and held[-1].units is None and not held[-1].dropped_magic
    return NotebookModule(name, source, _notes(held), segments, ends_broken=broken)


# --- bounded conversion -----------------------------------------------------------------------

# Hard ceilings on converting one notebook in its child process. The caps (MAX_CODE_BYTES, ...)
# keep the worst accepted notebook near 0.7 GB and a few seconds; these stop anything they miss.
CONVERT_MEMORY_BYTES = 2 * 1024**3
CONVERT_SECONDS = 60
_PACKAGE_PARENT = Path(__file__).resolve().parents[1]


def convert_bounded(path: Path, name: str, *, keep_names: frozenset[str] = frozenset(),
                    memory_bytes: int = CONVERT_MEMORY_BYTES, seconds: int = CONVERT_SECONDS) -> NotebookModule:
    """:func:`convert` of the notebook file at ``path`` (a copy the grader staged), run in a child
    Python process limited to ``memory_bytes`` of address space and ``seconds`` of CPU time. A
    child that runs out of either is a CORRUPT notebook, with a message that says so. Raises
    NotebookProblem as ``convert`` does."""
    request = json.dumps({"path": str(path), "name": name, "keep_names": sorted(keep_names),
                          "memory_bytes": memory_bytes, "seconds": seconds})
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_PACKAGE_PARENT), os.environ.get("PYTHONPATH", "")]),
                   "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    too_much = _f("{name} is too large or too complex to read (it needs more than {megabytes} MB "
                  "or {seconds} s); submit your own code only, without outputs",
                  name=name, megabytes=memory_bytes // 2**20, seconds=seconds)
    try:
        run = subprocess.run([sys.executable, "-m", "autograder.notebooks"], input=request, capture_output=True,
                             text=True, timeout=2 * seconds + 10, env=environment, cwd="/")
    except subprocess.TimeoutExpired:
        raise NotebookProblem(SubmissionStatus.CORRUPT, too_much) from None
    try:
        reply = json.loads(run.stdout) if run.returncode == 0 else None
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        raise NotebookProblem(SubmissionStatus.CORRUPT, too_much)
    if "problem" in reply:
        raise NotebookProblem(SubmissionStatus(reply["problem"]["status"]), reply["problem"]["message"])
    module = reply["module"]
    return NotebookModule(module["name"], module["source"], tuple(module["notes"]),
                          tuple(Segment(**segment) for segment in module["segments"]), module["ends_broken"])


def _child() -> int:
    """The child of :func:`convert_bounded`: limits itself, converts, and replies in JSON on stdout."""
    request = json.loads(sys.stdin.read())
    resource.setrlimit(resource.RLIMIT_AS, (request["memory_bytes"], request["memory_bytes"]))
    resource.setrlimit(resource.RLIMIT_CPU, (request["seconds"], request["seconds"] + 1))
    try:
        data = Path(request["path"]).read_bytes()
        module = convert(data, request["name"], keep_names=frozenset(request["keep_names"]))
    except NotebookProblem as problem:
        reply = {"problem": {"status": problem.status.value, "message": problem.message}}
    else:
        reply = {"module": {**asdict(module), "notes": list(module.notes)}}
    sys.stdout.write(json.dumps(reply))
    return 0


if __name__ == "__main__":
    sys.exit(_child())
