"""The Chinese handouts (assignments/<id>/README.zh_CN.md) against the English ones and the glossary.

For every assignment whose README.zh_CN.md exists (the others are skipped, with the reason, until
their translation lands), the translation must:

- keep every fenced code block byte for byte, in the same order (commands and code are not
  translated), and likewise the indented code blocks (formulas written as code);
- have as many headings at each level (#, ##, ...) as the English README;
- keep every inline-code span (`...`) of the English README, at least as often;
- use the glossary's word (autograder/locale/glossary.toml) for every term whose English text
  (or one of its en_alt spellings) appears in the English README's prose: case-insensitive, whole
  words, with an optional plural s/es; code is left out on both sides.

The glossary itself must parse, have no duplicate English term, and give every entry en, zh_CN
and source. Plain text processing only: the whole file runs in a few milliseconds.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ROOT / "assignments"
GLOSSARY = ROOT / "autograder" / "locale" / "glossary.toml"
ASSIGNMENT_IDS = sorted(p.parent.name for p in ASSIGNMENTS.glob("*/README.md"))

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_NOTE_FILE = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")


# ------------------------------------------------------------------------------- markdown

class Doc:
    """A README split into its fenced code blocks, indented code blocks and the rest (prose)."""

    def __init__(self, text: str):
        self.fences: list[str] = []
        self.indented: list[str] = []
        prose: list[str] = []
        lines = text.splitlines(keepends=True)
        i = 0
        prev_blank = True
        while i < len(lines):
            line = lines[i]
            m = _FENCE_OPEN.match(line)
            if m:
                marker = m.group(1)
                close = re.compile(r"^ {0,3}" + re.escape(marker[0]) + "{" + str(len(marker)) + r",}\s*$")
                j = i + 1
                while j < len(lines) and not close.match(lines[j]):
                    j += 1
                self.fences.append("".join(lines[i:j + 1]))  # an unclosed fence runs to the end
                prose.append("\n")
                i, prev_blank = j + 1, False
                continue
            if prev_blank and line.startswith("    ") and line.strip() and not _LIST_ITEM.match(line):
                j = i
                while j < len(lines) and (lines[j].startswith("    ") or not lines[j].strip()):
                    j += 1
                while j > i and not lines[j - 1].strip():  # trailing blank lines are not the block's
                    j -= 1
                self.indented.append("".join(l.rstrip() + "\n" for l in lines[i:j]))
                prose.append("\n")
                i, prev_blank = j, False
                continue
            prose.append(line)
            prev_blank = not line.strip()
            i += 1
        self.prose = "".join(prose)

    def headings(self) -> Counter:
        return Counter(len(m.group(1)) for line in self.prose.splitlines() if (m := _HEADING.match(line)))

    def inline_code(self) -> Counter:
        return Counter(m.group(2) for m in _INLINE_CODE.finditer(self.prose))

    def plain_prose(self) -> str:
        """The prose without its inline code."""
        return _INLINE_CODE.sub(" ", self.prose)


@lru_cache(maxsize=None)
def _docs(assignment_id: str) -> tuple[Doc, Doc]:
    folder = ASSIGNMENTS / assignment_id
    zh = folder / "README.zh_CN.md"
    if not zh.is_file():
        pytest.skip(f"{assignment_id}: no README.zh_CN.md yet (its translation has not landed)")
    return (Doc((folder / "README.md").read_text(encoding="utf-8")),
            Doc(zh.read_text(encoding="utf-8")))


def _first_difference(a: list[str], b: list[str]) -> str:
    for k, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"block {k + 1} differs:\n--- English\n{x}--- Chinese\n{y}"
    return f"the English README has {len(a)} blocks, the Chinese one {len(b)}"


# ------------------------------------------------------------------------------- glossary

@lru_cache(maxsize=None)
def _glossary() -> list[dict]:
    with GLOSSARY.open("rb") as f:
        return tomllib.load(f)["term"]


def _term_pattern(english: str) -> re.Pattern:
    words = [re.escape(w) for w in re.split(r"[\s-]+", english.strip())]
    return re.compile(r"(?<![\w-])" + r"[\s-]+".join(words) + r"(?:s|es)?(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=None)
def _term_patterns() -> list[tuple[dict, list[re.Pattern]]]:
    return [(t, [_term_pattern(e) for e in [t["en"], *t.get("en_alt", [])]]) for t in _glossary()]


def term_hit(term: dict, patterns: list[re.Pattern], english: str) -> str | None:
    """The first use of ``term`` in ``english`` (outside its ``not_in`` phrases), or None."""
    for phrase in term.get("not_in", []):
        english = _term_pattern(phrase).sub(" ", english)
    return next((m.group(0) for p in patterns if (m := p.search(english))), None)


# ------------------------------------------------------------------------------- tests

def test_glossary_is_well_formed():
    terms = _glossary()
    assert terms, "glossary.toml has no [[term]]"
    problems = []
    seen: dict[str, str] = {}
    for k, t in enumerate(terms, 1):
        label = f"term {k} ({t.get('en', '?')!r})"
        for key in ("en", "zh_CN", "source"):
            if not isinstance(t.get(key), str) or not t[key].strip():
                problems.append(f"{label}: no {key}")
        unknown = set(t) - {"en", "zh_CN", "source", "note", "en_alt", "not_in"}
        if unknown:
            problems.append(f"{label}: unknown keys {sorted(unknown)}")
        if not isinstance(t.get("en_alt", []), list) or not all(isinstance(a, str) for a in t.get("en_alt", [])):
            problems.append(f"{label}: en_alt must be a list of strings")
            continue
        source = t.get("source", "")
        if isinstance(source, str) and not (source.startswith("not in the notes") or _NOTE_FILE.search(source)):
            problems.append(f"{label}: source names no note file (NNN_<16 hex>.txt) and does not say "
                            "'not in the notes'")
        for english in [t.get("en", ""), *t.get("en_alt", [])]:
            key = " ".join(re.split(r"[\s-]+", str(english).strip().lower()))
            if key in seen:
                problems.append(f"{label}: {english!r} is already {seen[key]}")
            seen[key] = label
    assert not problems, "\n".join(problems)


def _seeds_folder() -> Path | None:
    for candidate in (os.environ.get("COURSE_SEEDS"), ROOT / "shared" / "seeds", ROOT.parent / "shared" / "seeds"):
        if candidate and Path(candidate, "README.md").is_file():
            return Path(candidate)
    return None


def test_glossary_quotes_are_in_the_notes():
    """Every "quoted" string of a source that cites a note file is the notes' own text."""
    seeds = _seeds_folder()
    if seeds is None:
        pytest.skip("the course notes (shared/seeds, or $COURSE_SEEDS) are not on this machine")
    notes = {p.name: p.read_text(encoding="utf-8") for p in seeds.glob("0*.txt")}
    problems = []
    for t in _glossary():
        cited = _NOTE_FILE.findall(t["source"])
        problems += [f"{t['en']!r}: cites {name}, which is not in {seeds}" for name in cited if name not in notes]
        if cited:
            problems += [f"{t['en']!r}: {quote!r} is in none of the notes"
                         for quote in re.findall(r'"([^"]+)"', t["source"])
                         if not any(quote in text for text in notes.values())]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("assignment_id", ASSIGNMENT_IDS)
def test_fenced_code_blocks_identical(assignment_id):
    en, zh = _docs(assignment_id)
    assert zh.fences == en.fences, (
        f"{assignment_id}: README.zh_CN.md must keep the English README's fenced code blocks byte "
        f"for byte and in order; {_first_difference(en.fences, zh.fences)}")


@pytest.mark.parametrize("assignment_id", ASSIGNMENT_IDS)
def test_indented_code_blocks_identical(assignment_id):
    en, zh = _docs(assignment_id)
    assert zh.indented == en.indented, (
        f"{assignment_id}: README.zh_CN.md must keep the English README's indented code blocks "
        f"(lines indented by 4 spaces after a blank line) in order; {_first_difference(en.indented, zh.indented)}")


@pytest.mark.parametrize("assignment_id", ASSIGNMENT_IDS)
def test_same_headings_per_level(assignment_id):
    en, zh = _docs(assignment_id)
    want, got = en.headings(), zh.headings()
    assert got == want, (
        f"{assignment_id}: headings per level differ: English "
        f"{ {'#' * k: n for k, n in sorted(want.items())} }, Chinese { {'#' * k: n for k, n in sorted(got.items())} }")


@pytest.mark.parametrize("assignment_id", ASSIGNMENT_IDS)
def test_inline_code_kept(assignment_id):
    en, zh = _docs(assignment_id)
    want, got = en.inline_code(), zh.inline_code()
    missing = {span: n - got[span] for span, n in want.items() if got[span] < n}
    assert not missing, (
        f"{assignment_id}: README.zh_CN.md lacks these inline-code spans of the English README "
        f"(span: how many more times the English has it): {missing}")


@pytest.mark.parametrize("assignment_id", ASSIGNMENT_IDS)
def test_glossary_terms_used(assignment_id):
    en, zh = _docs(assignment_id)
    english, chinese = en.plain_prose(), zh.plain_prose().casefold()
    problems = []
    for term, patterns in _term_patterns():
        hit = term_hit(term, patterns, english)
        if hit is not None and term["zh_CN"].casefold() not in chinese:
            problems.append(f"{term['en']!r} (the English says {hit!r}) -> expected {term['zh_CN']!r}")
    assert not problems, (
        f"{assignment_id}: README.zh_CN.md does not use the glossary's word "
        f"(autograder/locale/glossary.toml) for {len(problems)} term(s):\n" + "\n".join(problems))
