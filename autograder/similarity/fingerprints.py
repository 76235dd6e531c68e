"""k-gram fingerprints with winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003), as MOSS takes them.

A module's normalised tokens (``lexer.normalise``) are cut into every run of ``K`` consecutive
tokens; each k-gram is hashed, and of every ``W`` consecutive hashes the smallest (the rightmost
of equals) is kept. Two modules that share a run of at least ``K + W - 1`` tokens share at least
one fingerprint (the guarantee threshold); runs shorter than ``K`` never match (the noise
threshold). The hashes depend only on the token symbols, so they are the same in every process
and on every run (a Dask worker's equal this machine's).

Each fingerprint keeps the token positions where it was selected, to map a match back onto the
source's lines, and a weight: 1, or ``LAYER_WEIGHT`` where most of its k-gram is layer-building
code and the assignment builds a model (see ``compare``).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from autograder.similarity.lexer import Normalised, normalise

K = 10  # tokens per k-gram: the noise threshold (about half a line of code)
W = 5  # winnowing window: a shared run of K + W - 1 = 14 tokens always matches
LAYER_WEIGHT = 0.25  # a model assignment's layer-building fingerprints count a quarter
_MASK = (1 << 61) - 1

_symbol_ids: dict[str, int] = {}


def _symbol_id(symbol: str) -> int:
    found = _symbol_ids.get(symbol)
    if found is None:
        found = _symbol_ids[symbol] = zlib.crc32(symbol.encode("utf-8", "surrogatepass"))
    return found


def kgram_hashes(symbols: list[str], k: int = K) -> list[int]:
    """The hash of each k-gram of ``symbols`` (none if there are fewer than ``k``): a tuple of
    ints hashes the same in every process (unlike a str, whose hash is salted per process)."""
    ids = [_symbol_id(symbol) for symbol in symbols]
    return [hash(tuple(ids[i:i + k])) & _MASK for i in range(len(ids) - k + 1)]


def winnow(hashes: list[int], w: int = W) -> list[tuple[int, int]]:
    """(hash, k-gram index) of each fingerprint that robust winnowing selects: the minimum of each
    window of ``w`` hashes, the rightmost where several are equal, recorded once per window run.
    A sequence shorter than one window gives its minimum."""
    if not hashes:
        return []
    if len(hashes) <= w:
        best = min(range(len(hashes)), key=lambda i: (hashes[i], -i))
        return [(hashes[best], best)]
    selected: list[tuple[int, int]] = []
    last = -1
    for start in range(len(hashes) - w + 1):
        if last < start:  # the previous minimum left the window: scan the whole window
            best = start
            for i in range(start, start + w):
                if hashes[i] <= hashes[best]:
                    best = i
        else:  # only the newcomer can beat the minimum kept
            new = start + w - 1
            best = new if hashes[new] <= hashes[last] else last
        if best != last:
            selected.append((hashes[best], best))
            last = best
    return selected


@dataclass
class Fingerprints:
    """A module's winnowed fingerprints: hash -> the k-gram indexes where it was selected, and
    hash -> weight; ``tokens`` maps an index back to the source's lines."""

    tokens: Normalised
    positions: dict[int, list[int]] = field(default_factory=dict)
    weights: dict[int, float] = field(default_factory=dict)

    def lines_of(self, index: int, k: int = K) -> set[int]:
        """The source lines (1-based) that the tokens of the k-gram at ``index`` are on: not the
        lines between them, such as a docstring that normalisation dropped."""
        lines: set[int] = set()
        for i in range(index, min(index + k, len(self.tokens))):
            lines.update(range(self.tokens.first[i], self.tokens.last[i] + 1))
        return lines


def fingerprint(source: str, *, model: bool = False, k: int = K, w: int = W) -> Fingerprints:
    """The fingerprints of a module's text. With ``model``, a fingerprint whose k-gram is mostly
    (more than half) layer-building code weighs ``LAYER_WEIGHT``; every other weighs 1."""
    tokens = normalise(source)
    result = Fingerprints(tokens)
    hashes = kgram_hashes(tokens.symbols, k)
    for value, index in winnow(hashes, w):
        result.positions.setdefault(value, []).append(index)
        weight = 1.0
        if model and 2 * sum(tokens.layer[index:index + k]) > k:
            weight = LAYER_WEIGHT
        result.weights[value] = max(result.weights.get(value, 0.0), weight)
    return result


def all_hashes(source: str, k: int = K) -> set[int]:
    """Every k-gram hash of a text (not winnowed): shared code is excluded by all of its k-grams,
    so that any fingerprint a student's copy of it yields is found."""
    return set(kgram_hashes(normalise(source).symbols, k))
