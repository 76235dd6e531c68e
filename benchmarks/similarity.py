"""How long the class similarity report (autograder/similarity/) takes for a large class.

500 synthetic submissions of the ``activations`` assignment (a numeric one) are written to a
temporary class folder, and one ``similarity("activations", folder, outdir)`` call is timed,
whole: staging every submission as the grader does, fingerprinting, comparing every pair,
and writing the HTML (index plus the top 50 and every flagged pair side by side), the CSVs and
the summary. Each student's module is the stub with, for each of its five functions, one of
eight independent bodies (the seven of tests/similarity_cohort/ and the reference's), its local
names renamed at random, its functions in a random order, with or without comments and extra
blank lines; ``COPIES`` of them are disguised copies of another student (renamed and reordered).
That makes many students share each body: the hard case for the inverted index, where each
fingerprint's holders are many. It is a cost benchmark, not one of accuracy: students built
from eight pooled bodies are not independent (a body held by more than 10% of the class is
common, and left out), so precision and recall are measured on the hand-written cohort of
tests/test_similarity.py instead; ``flagged`` here only says how many side-by-side pages the
run wrote.

How it grows: staging and fingerprinting are linear in the code (one pass of one regular
expression per module); pairs are found through an inverted index of fingerprints, so the
comparison costs one update per pair of holders of each evidence fingerprint, at most
``common_limit(n)**2 / 2`` per fingerprint (held by more than that, it is common and skipped),
and never the n(n-1)/2 comparisons of all pairs; the pages written are bounded (top 50 plus
flagged pairs). For a course far larger, ``similarity(..., executor="dask", scheduler=...)``
fingerprints each submission as a task on the grader's Dask executor
(``engine.dask_grading.DaskGrading``), and the index is built here.

    nice .venv/bin/python benchmarks/similarity.py [--students 500] [--copydetect]

``--copydetect`` also times copydetect (PyPI, if installed) on the same folder, for comparison.
Writes benchmarks/results/similarity.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "similarity_cohort"))

from cohort import FUNCTIONS, assemble, bodies, rename, reorder  # noqa: E402

from autograder.assignments import get_assignment  # noqa: E402
from autograder.similarity import THRESHOLD, similarity  # noqa: E402

SEED = 20260
COPIES = 20
LOCAL_NAME = re.compile(r"^\s+([a-z_][a-z0-9_]*)\s*(?:\[[^\]]*\])?\s*=[^=]", re.MULTILINE)


def _reference_bodies() -> dict[str, str]:
    """The reference's function bodies, without their docstrings."""
    text = get_assignment("activations").solution_path.read_text(encoding="utf-8")
    found = {}
    for function in FUNCTIONS:
        chunk = text.split(f"\ndef {function}(", 1)[1].split("\ndef ", 1)[0]
        body = chunk.split('"""', 2)[2]
        found[function] = "\n".join(line for line in body.splitlines() if line.strip())
    return found


def _variants() -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {function: [] for function in FUNCTIONS}
    for name in "1234567":
        sections = bodies(name)
        if "helpers" in sections:  # honest_3 calls its helper: inline it
            sections = {f: b.replace("_as_dtype(", "np.asarray(") for f, b in sections.items() if f != "helpers"}
        for function in FUNCTIONS:
            pools[function].append(sections[function])
    for function, body in _reference_bodies().items():
        pools[function].append(body)
    return pools


def _disguise(text: str, rng: random.Random) -> str:
    names = sorted(set(LOCAL_NAME.findall(text)) - {"x", "alpha", "axis"})
    mapping = {name: f"{name}_{rng.randrange(1000)}" for name in names if rng.random() < 0.7}
    text = rename(text, mapping)
    if rng.random() < 0.5:
        text = reorder(text)
    if rng.random() < 0.5:
        text = re.sub(r"(?m)^(    return .*)$", r"\1  # done", text)
    return text


def cohort(students: int, rng: random.Random) -> tuple[dict[str, str], set[frozenset[str]]]:
    pools = _variants()
    texts = {}
    for i in range(students - COPIES):
        sections = {function: rng.choice(pools[function]) for function in FUNCTIONS}
        texts[f"s{i:04d}"] = _disguise(assemble(sections), rng)
    originals = sorted(texts)
    copied = set()
    for j in range(COPIES):
        source = rng.choice(originals)
        name = f"c{j:04d}"
        texts[name] = _disguise(texts[source], rng)
        copied.add(frozenset((source, name)))
    return texts, copied


def time_copydetect(folder: Path) -> float | None:
    try:
        from copydetect import CopyDetector
    except ImportError:
        return None
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as out:
        detector = CopyDetector(test_dirs=[str(folder)], extensions=["py"], display_t=THRESHOLD, silent=True,
                                boilerplate_dirs=[str(get_assignment("activations").stub_path.parent)],
                                out_file=str(Path(out) / "report.html"), autoopen=False)
        detector.run()
        detector.generate_html_report()
    return round(time.monotonic() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--copydetect", action="store_true")
    parser.add_argument("--output", type=Path, default=HERE / "results" / "similarity.json")
    args = parser.parse_args()
    rng = random.Random(SEED)
    texts, copied = cohort(args.students, rng)
    with tempfile.TemporaryDirectory(prefix="similarity-bench-") as scratch:
        folder = Path(scratch) / "class"
        folder.mkdir()
        for name, text in texts.items():
            (folder / f"{name}.py").write_text(text, encoding="utf-8")
        started = time.monotonic()
        result = similarity("activations", folder, Path(scratch) / "out")
        seconds = round(time.monotonic() - started, 2)
        copydetect_seconds = time_copydetect(folder) if args.copydetect else None
    flagged = {frozenset((p.a, p.b)) for p in result.flagged}
    record = {
        "students": args.students, "seconds": seconds, "limit_seconds": 60,
        "pairs_sharing_evidence": len(result.pairs), "all_pairs": args.students * (args.students - 1) // 2,
        "flagged": len(flagged), "copies_injected": len(copied), "threshold": THRESHOLD,
        "clusters": len(result.clusters),
        "common_limit": result.common_limit, "pages": len(result.pair_pages),
        "copydetect_seconds": copydetect_seconds,
        "cpus": os.cpu_count(), "python": platform.python_version(), "machine": platform.machine(),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
