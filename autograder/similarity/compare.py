"""Compare every pair of a cohort's fingerprints: scores, clusters, matches with published sources.

What counts as evidence: a fingerprint of a student's module that is neither shared code (the
stub, the handouts, the course notes: ``shared``) nor common in the class, held by more than
``common_limit(n)`` of the ``n`` students (``COMMON_FRACTION`` of the class, at least
``COMMON_MIN_COUNT``): an idiom that many write alike, or a source that many copied, which says
nothing about any one pair (MOSS's ``-m``).

Score of a pair, in [0, 1]: the weight of the evidence fingerprints the two share, divided by
the weight of the smaller of the two modules' evidence (at least ``MIN_EVIDENCE``, so that two
modules that are almost all stub do not score high on two matching lines). It is the share of
the smaller module that is found in the other, so one extra helper or extra code in one copy
leaves it near 1; it ignores order (fingerprints are a set), so reordered functions still
match. The Jaccard index (shared / union) is reported beside it. Weights are 1, or
``fingerprints.LAYER_WEIGHT`` for a model assignment's layer-building code: everyone builds the
same architecture, so a shared layer stack is weaker evidence than shared surrounding code.

Pairs at or above ``THRESHOLD`` are flagged; a cluster is a connected group of three or more
students joined by flagged pairs. A published source (the reference solution, a well-known
public implementation) is compared with every student apart from the class, with its own
``SOURCE_THRESHOLD`` and the class's common fingerprints still counting (a source that many
copied must not hide itself): only fingerprints held by more than ``SOURCE_COMMON_FRACTION`` of
the class are left out.

Cost: fingerprinting is linear in the code; pairs are found through an inverted index (hash ->
students), so the work grows with the pairs that share a fingerprint, each evidence hash adding
at most ``common_limit(n)**2 / 2`` pair updates, never with all n(n-1)/2 pairs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from autograder.similarity.fingerprints import K, Fingerprints

THRESHOLD = 0.5
SOURCE_THRESHOLD = 0.5
COMMON_FRACTION = 0.1
COMMON_MIN_COUNT = 5
SOURCE_COMMON_FRACTION = 0.5
MIN_EVIDENCE = 24.0


def common_limit(n: int, fraction: float = COMMON_FRACTION, minimum: int = COMMON_MIN_COUNT) -> int:
    """The most students that may hold a fingerprint for it to count: ``fraction`` of ``n``,
    at least ``minimum``."""
    return max(minimum, math.ceil(fraction * n))


@dataclass(frozen=True)
class Region:
    """Runs of lines (1-based, inclusive) of the left module that share evidence with the right
    one, and the runs of lines on the right that the same fingerprints come from; ``number``
    names the region on both sides."""

    number: int
    left: tuple[tuple[int, int], ...]
    right: tuple[tuple[int, int], ...]


@dataclass
class PairScore:
    """Two students' modules compared: ``score`` (shared / smaller, weighted), ``jaccard``,
    ``shared`` fingerprints (and their weight), each side's evidence weight."""

    a: str
    b: str
    score: float
    jaccard: float
    shared: int
    shared_weight: float
    a_evidence: float
    b_evidence: float
    rank: int = 0
    flagged: bool = False
    cluster: int | None = None
    shared_hashes: frozenset[int] = field(default=frozenset(), repr=False, compare=False)


@dataclass
class Cluster:
    """Three or more students joined by flagged pairs (a connected component)."""

    number: int
    students: list[str]
    pairs: int  # flagged pairs inside it
    max_score: float
    mean_score: float


@dataclass
class SourceMatch:
    """A student's module compared with a published source (``source``: its name)."""

    student: str
    source: str
    score: float
    shared: int
    flagged: bool
    shared_hashes: frozenset[int] = field(default=frozenset(), repr=False, compare=False)


@dataclass
class Comparison:
    pairs: list[PairScore]  # every pair sharing evidence, highest score first
    clusters: list[Cluster]
    sources: list[SourceMatch]  # highest score first
    evidence: dict[str, float]  # each student's evidence weight
    common: int  # distinct fingerprints left out as common in the class
    shared_code: int  # distinct fingerprints left out as shared code (found in students' modules)
    limit: int  # common_limit(n)


def _evidence(prints: Fingerprints, excluded: set[int]) -> dict[int, float]:
    return {h: w for h, w in prints.weights.items() if h not in excluded}


def compare(students: dict[str, Fingerprints], shared: set[int], *, sources: dict[str, Fingerprints] | None = None,
            threshold: float = THRESHOLD, source_threshold: float = SOURCE_THRESHOLD,
            common_fraction: float = COMMON_FRACTION, common_min: int = COMMON_MIN_COUNT) -> Comparison:
    """Score every pair of ``students`` (id -> fingerprints) that shares evidence, group the
    flagged pairs into clusters, and score each student against each of ``sources``."""
    names = sorted(students)
    n = len(names)
    limit = common_limit(n, common_fraction, common_min)
    postings: dict[int, list[int]] = defaultdict(list)
    found_shared: set[int] = set()
    for index, name in enumerate(names):
        for h in students[name].weights:
            if h in shared:
                found_shared.add(h)
            else:
                postings[h].append(index)
    common = {h for h, holders in postings.items() if len(holders) > limit}
    excluded = shared | common
    evidence = [_evidence(students[name], excluded) for name in names]
    totals = [sum(e.values()) for e in evidence]

    together: dict[tuple[int, int], list[int]] = defaultdict(list)
    for h, holders in postings.items():
        if h in common or len(holders) < 2:
            continue
        for x in range(len(holders)):
            for y in range(x + 1, len(holders)):
                together[(holders[x], holders[y])].append(h)

    pairs = []
    for (i, j), hashes in together.items():
        weight = sum(min(evidence[i][h], evidence[j][h]) for h in hashes)
        smaller = max(MIN_EVIDENCE, min(totals[i], totals[j]))
        union = totals[i] + totals[j] - weight
        pairs.append(PairScore(names[i], names[j], round(min(1.0, weight / smaller), 4),
                               round(weight / union, 4) if union > 0 else 0.0, len(hashes), round(weight, 3),
                               round(totals[i], 3), round(totals[j], 3), shared_hashes=frozenset(hashes)))
    pairs.sort(key=lambda p: (-p.score, -p.shared_weight, p.a, p.b))
    for rank, pair in enumerate(pairs, 1):
        pair.rank = rank
        pair.flagged = pair.score >= threshold

    clusters = _clusters([p for p in pairs if p.flagged])
    member = {student: cluster.number for cluster in clusters for student in cluster.students}
    for pair in pairs:
        if pair.flagged and pair.a in member:
            pair.cluster = member[pair.a]

    matches = []
    source_limit = common_limit(n, SOURCE_COMMON_FRACTION, common_min)
    source_excluded = shared | {h for h, holders in postings.items() if len(holders) > source_limit}
    against_sources = [_evidence(students[name], source_excluded) for name in names] if sources else []
    for source_name, source in sorted((sources or {}).items()):
        theirs = _evidence(source, source_excluded)
        total = sum(theirs.values())
        for name, mine in zip(names, against_sources):
            hashes = theirs.keys() & mine.keys()
            if not hashes:
                continue
            weight = sum(min(theirs[h], mine[h]) for h in hashes)
            score = round(min(1.0, weight / max(MIN_EVIDENCE, min(total, sum(mine.values())))), 4)
            matches.append(SourceMatch(name, source_name, score, len(hashes), score >= source_threshold,
                                       frozenset(hashes)))
    matches.sort(key=lambda m: (-m.score, m.student, m.source))
    return Comparison(pairs, clusters, matches, dict(zip(names, totals)), len(common), len(found_shared), limit)


def _clusters(flagged: list[PairScore]) -> list[Cluster]:
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in flagged:
        parent[root(pair.a)] = root(pair.b)
    groups: dict[str, list[str]] = defaultdict(list)
    for student in parent:
        groups[root(student)].append(student)
    found = []
    for members in groups.values():
        if len(members) < 3:
            continue
        inside = [p for p in flagged if p.a in members]
        scores = [p.score for p in inside]
        found.append((sorted(members), len(inside), max(scores), sum(scores) / len(scores)))
    found.sort(key=lambda c: (-c[2], -len(c[0]), c[0]))
    return [Cluster(i, members, count, round(top, 4), round(mean, 4))
            for i, (members, count, top, mean) in enumerate(found, 1)]


def _runs(lines: set[int]) -> tuple[tuple[int, int], ...]:
    runs: list[list[int]] = []
    for line in sorted(lines):
        if runs and line == runs[-1][1] + 1:
            runs[-1][1] = line
        else:
            runs.append([line, line])
    return tuple((a, b) for a, b in runs)


def regions(left: Fingerprints, right: Fingerprints, hashes: frozenset[int], k: int = K) -> list[Region]:
    """The matching regions of two modules, in the order they appear on the left: the lines
    of ``hashes`` on the left, grouped where they touch, each with the lines on the right that
    the same hashes come from."""
    spans = []
    for h in hashes:
        rights: set[int] = set()
        for i in right.positions.get(h, ()):
            rights |= right.lines_of(i, k)
        for i in left.positions.get(h, ()):
            lines = left.lines_of(i, k)
            if lines and rights:
                spans.append((min(lines), max(lines), lines, rights))
    spans.sort(key=lambda s: (s[0], s[1]))
    merged: list[list] = []
    for first, last, lines, rights in spans:
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
            merged[-1][2] |= lines
            merged[-1][3] |= rights
        else:
            merged.append([first, last, set(lines), set(rights)])
    return [Region(number, _runs(lines), _runs(rights)) for number, (_, _, lines, rights) in enumerate(merged, 1)]
