"""The reference solution with edits: how contract mutants and wrong variants are made.

Each edit is (function name or None, old text, new text): ``old`` must occur exactly once in
that top-level function (None: the whole module) of ``solutions/<id>/<id>.py``, so that a
changed reference fails loudly instead of leaving a stale copy behind.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def function_span(source: str, function: str | None) -> tuple[int, int]:
    """Where a top-level function's text lies (the whole file for None)."""
    if function is None:
        return 0, len(source)
    match = re.search(rf"^def {re.escape(function)}\(", source, flags=re.MULTILINE)
    if match is None:
        raise ValueError(f"no function {function}")
    end = re.compile(r"^\S", flags=re.MULTILINE).search(source, match.end())
    return match.start(), end.start() if end else len(source)


def apply_edits(assignment: str, edits, what: str) -> str:
    """The reference's source with ``edits`` applied, its module docstring removed (the caller
    writes one that names the mistake). ``what`` names the result in errors."""
    reference = REPO_ROOT / "solutions" / assignment / f"{assignment}.py"
    source = reference.read_text()
    for function, old, new in edits:
        start, end = function_span(source, function)
        segment = source[start:end]
        if segment.count(old) != 1:
            raise ValueError(f"{what}: {old!r} occurs {segment.count(old)} times in {function or 'the module'}, "
                             "not once")
        source = source[:start] + segment.replace(old, new) + source[end:]
    docstring = re.match(r'\s*""".*?"""\n', source, flags=re.DOTALL)
    if docstring is None:
        raise ValueError(f"{reference} has no module docstring")
    return source[docstring.end():]
