"""Code that everyone shares, which is no evidence that two students shared theirs.

For an assignment, that is (every k-gram of it, see ``fingerprints.all_hashes``):

- the stub (``assignments/<id>/<id>.py``): its imports, signatures and docstrings, which every
  student keeps;
- the code blocks of its handouts (``README.md``, ``README.zh_CN.md``) and the public tests and
  ``conftest.py`` handed out with it;
- the course notes' code: ``notes_code.txt`` in this package, taken from the five course notes
  by ``extract_notes_code`` (the notes are no part of a released course, so their code travels
  here), plus any notes the instructor passes (``notes``: .py files whole, the fenced blocks of
  .md files, the code-like lines of .txt files, the code cells of .ipynb files). A notes folder
  that is missing or unreadable adds nothing; it is never an error.

A fingerprint found in any of these is left out of every score, and from the highlighting.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from autograder.assignments import Assignment
from autograder.similarity.fingerprints import K, all_hashes

NOTES_CODE = Path(__file__).with_name("notes_code.txt")
MAX_SHARED_BYTES = 2_000_000  # per shared file read (the course's own files, but bounded all the same)

_FENCE = re.compile(r"^(```+|~~~+)[^\n]*\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE_START = re.compile(r"^\s*(import\s|from\s+[\w.]+\s+import\s|def\s|class\s|return\b|for\s|if\s|elif\s|else\s*:|"
                         r"while\s|with\s|try\s*:|except\b|print\(|@\w|[\w.\[\]]+\s*(=|\+=|-=|\*=|/=)[^=]|[\w.]+\(|\]|\))")
_PROSE = re.compile(r"[A-Za-z]+(?: [A-Za-z,]+){5,}")


def _read(path: Path) -> str:
    try:
        with open(path, "rb") as stream:
            return stream.read(MAX_SHARED_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""


def fenced_blocks(markdown: str) -> list[str]:
    """The fenced code blocks of a Markdown text."""
    return [match.group(2) for match in _FENCE.finditer(markdown)]


def _code_like(line: str) -> bool:
    """Whether a line of a plain-text note (code pasted from a PDF, its indentation lost, between
    Chinese prose) reads as Python: mostly ASCII before any comment, shaped like a statement,
    and no run of six words that only prose has."""
    code = line.split("#", 1)[0].rstrip()
    if not code.strip():
        return False
    ascii_share = sum(ch.isascii() for ch in code) / len(code)
    return ascii_share >= 0.95 and bool(_CODE_START.match(code)) and not _PROSE.search(code)


def extract_notes_code(text: str) -> str:
    """The code of a plain-text note: its code-like lines, a blank line between runs of them."""
    blocks, current = [], []
    for line in text.splitlines():
        if _code_like(line):
            current.append(line.strip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return "\n\n".join(blocks) + "\n"


def notebook_code(text: str) -> str:
    """The code cells of a notebook's JSON (nothing, for JSON that is no notebook)."""
    try:
        cells = json.loads(text).get("cells", [])
        return "\n\n".join("".join(cell.get("source", "")) if isinstance(cell.get("source"), list)
                           else str(cell.get("source", "")) for cell in cells if cell.get("cell_type") == "code")
    except (ValueError, AttributeError, TypeError):
        return ""


def notes_texts(notes: Path | None) -> list[str]:
    """The code of each note under ``notes`` (a folder or one file); none where it is missing."""
    if notes is None:
        return []
    notes = Path(notes)
    try:
        files = sorted(p for p in notes.rglob("*") if p.is_file()) if notes.is_dir() else [notes]
    except OSError:
        return []
    texts = []
    for file in files[:1000]:
        suffix = file.suffix.lower()
        text = _read(file)
        if suffix == ".py":
            texts.append(text)
        elif suffix == ".md":
            texts.extend(fenced_blocks(text))
        elif suffix == ".txt":
            texts.append(extract_notes_code(text))
        elif suffix == ".ipynb":
            texts.append(notebook_code(text))
    return texts


def shared_texts(assignment: Assignment, notes: Path | None = None) -> dict[str, str]:
    """Each shared text by what it is ("stub", "handout README.md", "course notes", ...)."""
    folder = assignment.stub_path.parent
    texts = {"stub": _read(assignment.stub_path)}
    for handout in sorted(folder.glob("README*.md")):
        texts[f"handout {handout.name}"] = "\n\n".join(fenced_blocks(_read(handout)))
    for handed_out in (assignment.public_tests_path, folder / "conftest.py"):
        texts[f"handed out {handed_out.name}"] = _read(handed_out)
    texts["course notes (shipped)"] = _read(NOTES_CODE)
    for i, text in enumerate(notes_texts(notes)):
        texts[f"course notes ({i + 1})"] = text
    return {name: text for name, text in texts.items() if text.strip()}


def shared_hashes(assignment: Assignment, notes: Path | None = None, k: int = K) -> set[int]:
    """Every k-gram hash of the assignment's shared code (see the module's docstring)."""
    hashes: set[int] = set()
    for text in shared_texts(assignment, notes).values():
        hashes |= all_hashes(text, k)
    return hashes
