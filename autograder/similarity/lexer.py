"""Python source as a normalised token stream: what the fingerprints are taken of.

Student code is untrusted text: it is never imported, executed or parsed into a tree here. One
compiled regular expression scans it left to right (no recursion, no backtracking across
lines), so the time taken is linear in its length whatever it holds: deep nesting, a 10 MB file,
an unterminated string or bytes that are no Python at all. ``MAX_SOURCE_CHARS`` and
``MAX_TOKENS`` bound what is read; what is cut is said in ``Normalised.notes``.

Why not the standard ``tokenize`` module: on Python 3.11 it is a pure-Python scanner, on 3.12
the C tokenizer, which stops with an error at the first thing the parser would refuse (more
than 200 nested brackets, a dedent that matches no indent, an unterminated string). A
submission with a syntax error is still evidence, and the course notes' code has lost its
indentation (see ``shared.notes_code``): both must lex, the same way on every Python.

Normalisation, token by token (so that renaming, literals, comments, docstrings and layout
change nothing):

- a name becomes ``V`` unless it is a keyword, a builtin (``len``, ``range``, ``float``), an
  attribute after a dot (``np.exp`` becomes ``V.exp``: the library call is what the code does,
  the alias is not), or a keyword argument's name (``axis=``, ``keepdims=``, ``activation=``);
- a number becomes ``N``, a string (adjacent strings, f-strings and bytes included) ``S``;
- comments, blank lines, indentation and line breaks are dropped; so is a docstring (any
  string that is a statement on its own), and so are ``pass`` and ``...`` statements.

Each token keeps the lines it came from, so that matches map back onto the source, and whether
it is inside layer-building code (``layers.Dense(...)``, ``model.add(...)``,
``Sequential([...])``): model assignments weigh that code less (see ``compare``).
"""

from __future__ import annotations

import builtins
import keyword
import re
from dataclasses import dataclass, field

MAX_SOURCE_CHARS = 1_000_000  # a module longer than this is compared on its first million characters
MAX_TOKENS = 100_000  # normalised tokens kept per module

_KEYWORDS = frozenset(keyword.kwlist)
_BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))

# Keras calls that build an architecture: a call to one of these names (as ``Dense(...)``,
# ``layers.Dense(...)``, ``keras.layers.Dense(...)``), any call through ``layers.`` or
# ``keras.layers.``, ``Sequential(...)`` and ``<model>.add(...)``.
LAYER_NAMES = frozenset({
    "Sequential", "add", "Input", "InputLayer", "Dense", "Dropout", "Flatten", "Reshape", "Activation",
    "BatchNormalization", "LayerNormalization", "Conv1D", "Conv2D", "Conv3D", "MaxPooling1D", "MaxPooling2D",
    "MaxPool2D", "AveragePooling2D", "AvgPool2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
    "ZeroPadding2D", "SimpleRNN", "LSTM", "GRU", "Embedding", "Bidirectional", "TimeDistributed", "Lambda",
    "Rescaling", "Normalization", "ReLU", "LeakyReLU", "Softmax", "Concatenate", "Add",
})

_TOKEN = re.compile(r"""
  (?P<ws>[ \t\f]+|\\\r?\n)
| (?P<nl>\r?\n|\r)
| (?P<comment>\#[^\r\n]*)
| (?P<string>(?:[rRbBuUfF]{1,2})?
      (?:'''(?:[^'\\]|\\[\s\S]|'(?!''))*(?:'''|\Z)
        |\"\"\"(?:[^"\\]|\\[\s\S]|"(?!""))*(?:\"\"\"|\Z)
        |'(?:[^'\\\r\n]|\\[\s\S])*(?:'|(?=[\r\n])|\Z)
        |"(?:[^"\\\r\n]|\\[\s\S])*(?:"|(?=[\r\n])|\Z)))
| (?P<number>0[xXoObB][0-9a-fA-F_]+
      |(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)
| (?P<name>[^\W\d]\w*)
| (?P<op>\.\.\.|\*\*=|//=|>>=|<<=|->|:=|[-+*/%&|^@<>=!]=|\*\*|//|<<|>>|[-+*/%&|^@<>=~()\[\]{},:;.])
| (?P<other>[\s\S])
""", re.VERBOSE)

_OPENING = {"(": ")", "[": "]", "{": "}"}


@dataclass
class Normalised:
    """A module as normalised tokens: ``symbols[i]`` came from source lines ``first[i]`` to
    ``last[i]`` (1-based) and is layer-building code where ``layer[i]``."""

    symbols: list[str] = field(default_factory=list)
    first: list[int] = field(default_factory=list)
    last: list[int] = field(default_factory=list)
    layer: list[bool] = field(default_factory=list)
    lines: int = 0  # lines of source read
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.symbols)


@dataclass
class _Raw:
    kind: str
    text: str
    first: int
    last: int
    statement_start: bool  # the first token of a logical line


def _raw_tokens(source: str, notes: list[str]) -> list[_Raw]:
    """The significant tokens of ``source`` (no whitespace, comments or line breaks), each with
    its lines and whether it starts a logical line. Linear in ``len(source)``."""
    tokens: list[_Raw] = []
    line, depth, at_start = 1, 0, True
    limit = MAX_TOKENS * 2
    for match in _TOKEN.finditer(source):
        kind, text = match.lastgroup, match.group()
        breaks = text.count("\n") + (text.count("\r") if "\n" not in text else 0)
        if kind == "nl":
            if depth == 0:
                at_start = True
        elif kind in ("ws", "comment"):
            pass
        else:
            if kind == "op":
                if text in _OPENING:
                    depth += 1
                elif text in ")]}":
                    depth = max(0, depth - 1)
                elif text == ";" and depth == 0:
                    at_start = True
                    line += breaks
                    continue
            tokens.append(_Raw(kind, text, line, line + breaks, at_start))
            at_start = False
            if len(tokens) >= limit:
                notes.append(f"compared up to line {line} only: more than {limit} tokens")
                break
        line += breaks
    return tokens


def _statement_end(tokens: list[_Raw], index: int) -> bool:
    return index >= len(tokens) or tokens[index].statement_start


def _layer_spans(tokens: list[_Raw]) -> list[bool]:
    """Which raw tokens are inside a layer-building call (see ``LAYER_NAMES``): from the
    start of its dotted callee to its closing bracket."""
    inside = [False] * len(tokens)
    closing_at: list[int] = []  # stack of depths at which a layer call ends
    depth = 0
    span_open = 0  # how many layer calls are open
    for i, token in enumerate(tokens):
        if token.kind == "name" and i + 1 < len(tokens) and tokens[i + 1].text == "(":
            start = i
            chain = [token.text]
            while start >= 2 and tokens[start - 1].text == "." and tokens[start - 2].kind == "name":
                start -= 2
                chain.append(tokens[start].text)
            if token.text in LAYER_NAMES or "layers" in chain[1:]:
                for j in range(start, i + 1):
                    inside[j] = True
                closing_at.append(depth + 1)
                span_open += 1
        if token.kind == "op" and token.text in _OPENING:
            depth += 1
        elif token.kind == "op" and token.text in ")]}":
            if span_open:
                inside[i] = True
            if closing_at and closing_at[-1] == depth:
                closing_at.pop()
                span_open -= 1
            depth = max(0, depth - 1)
            continue
        if span_open:
            inside[i] = True
    return inside


def normalise(source: str) -> Normalised:
    """``source`` (a module's text) as normalised tokens; see the module's docstring."""
    notes: list[str] = []
    if len(source) > MAX_SOURCE_CHARS:
        cut = source.rfind("\n", 0, MAX_SOURCE_CHARS)
        source = source[: cut if cut > 0 else MAX_SOURCE_CHARS]
        notes.append(f"compared on its first {MAX_SOURCE_CHARS:,} characters only (line {source.count(chr(10)) + 1})")
    raw = _raw_tokens(source, notes)
    layer = _layer_spans(raw)
    out = Normalised(lines=source.count("\n") + 1, notes=notes)
    i = 0
    while i < len(raw) and len(out.symbols) < MAX_TOKENS:
        token = raw[i]
        if token.kind == "string":
            j = i
            while j + 1 < len(raw) and raw[j + 1].kind == "string" and not raw[j + 1].statement_start:
                j += 1
            if token.statement_start and _statement_end(raw, j + 1):  # a docstring or a bare string
                i = j + 1
                continue
            out.symbols.append("S")
            out.first.append(token.first)
            out.last.append(raw[j].last)
            out.layer.append(layer[i])
            i = j + 1
            continue
        if token.statement_start and token.text in ("pass", "...") and _statement_end(raw, i + 1):
            i += 1
            continue
        if token.kind == "name":
            previous = raw[i - 1].text if i else ""
            following = raw[i + 1].text if i + 1 < len(raw) else ""
            if token.text in _KEYWORDS or token.text in _BUILTINS or previous == ".":
                symbol = token.text
            elif following == "=" and previous in ("(", ","):
                symbol = token.text  # a keyword argument's name (or a parameter's, with its default)
            else:
                symbol = "V"
        elif token.kind == "number":
            symbol = "N"
        elif token.kind == "other":
            symbol = "?"
        else:
            symbol = token.text
        out.symbols.append(symbol)
        out.first.append(token.first)
        out.last.append(token.last)
        out.layer.append(layer[i])
        i += 1
    if len(out.symbols) >= MAX_TOKENS and f"more than {MAX_TOKENS * 2}" not in " ".join(notes):
        notes.append(f"compared on its first {MAX_TOKENS:,} tokens only (up to line {out.last[-1]})")
    return out
