"""The similarity report's files, and the summary that ``autograder report`` shows.

``OUTDIR/similarity/<id>/``:

- ``index.html``: how to read it, the settings, clusters, matches with published sources and
  the ranked pairs (the first ``INDEX_ROWS``; the CSV has all);
- ``pairs.csv``: every pair sharing evidence, one row each (``PAIR_COLUMNS``); ``sources.csv``:
  every student against every published source (``SOURCE_COLUMNS``). Cells that a spreadsheet
  would read as a formula are neutralised as in the gradebook's CSVs;
- ``pairs/<rank>.html``: two modules side by side, matching regions highlighted and numbered
  alike on both sides; ``sources/<n>.html`` likewise for a flagged match with a source. File
  names are ranks, never student ids;
- ``summary.json``: what the report's section shows (``report_summaries``).

Every page is one self-contained file rendered with autoescape on: no script at all, no
external resource, and a Content-Security-Policy of ``default-src 'none'`` that admits only its
own stylesheet by hash. Student ids and code are hostile text: Jinja2 escapes them, and
``visible`` shows control and bidirectional-override characters (Trojan Source) as codes.
"""

from __future__ import annotations

import functools
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from autograder.files import shared_mode, write_atomically
from autograder.i18n import N_, _, _f
from autograder.render.csv_gradebook import write_csv
from autograder.render.html import inline, template_message
from autograder.similarity.compare import COMMON_FRACTION, MIN_EVIDENCE, Comparison, regions
from autograder.similarity.fingerprints import K, LAYER_WEIGHT, W, Fingerprints

TEMPLATES = Path(__file__).with_name("templates")
INDEX_ROWS = 300  # ranked pairs shown on the index page
SUMMARY_PAIRS = 10  # top pairs in summary.json and the report's section
MAX_SHOWN_LINES = 4000  # per side of a side-by-side page
MAX_LINE_CHARS = 400
PAIR_COLUMNS = ["rank", "student_a", "student_b", "score", "jaccard", "shared_fingerprints", "shared_weight",
                "a_evidence", "b_evidence", "flagged", "cluster", "page"]
SOURCE_COLUMNS = ["student", "source", "score", "shared_fingerprints", "flagged", "page"]
SUMMARY_VERSION = 1

# The pages are English; the report's section shows these in the report's language.
EVIDENCE_NOTE = N_("This report is evidence for a person to read, never an automatic penalty. A high score says "
                   "that two submissions share code beyond what the course hands out; it does not say who "
                   "copied from whom, or that anyone did: read both submissions side by side before deciding "
                   "anything, and follow your institution's academic-integrity procedure.")
MODEL_NOTE = N_("A model assignment: everyone builds the same architecture, so code inside layer-building "
                "calls (layers.Dense(...), model.add(...), Sequential([...])) counts {weight} of the "
                "surrounding code in every score.")

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def visible(text: str) -> str:
    """``text`` with control, zero-width and bidirectional-override characters shown as codes
    (``⟨U+202E⟩``), so that the code read is the code compared."""
    return _CONTROL.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, autoescape=select_autoescape(default=True,
                                                                               default_for_string=True))
    environment.filters["visible"] = visible
    environment.globals["_"] = template_message  # the report's section speaks the report's language
    return environment


@functools.lru_cache(maxsize=1)
def _stylesheet() -> tuple[Markup, str]:
    """The pages' stylesheet and its CSP source (``'sha256-...'``)."""
    return inline((TEMPLATES / "similarity.css").read_text(encoding="utf-8").strip(), "similarity.css")


def _page(template: str, **context) -> str:
    css, source = _stylesheet()
    csp = f"default-src 'none'; style-src {source}; img-src 'none'; form-action 'none'; base-uri 'none'"
    return _environment().get_template(template).render(css=css, csp=csp, evidence_note=EVIDENCE_NOTE, **context)


def _write(path: Path, data: str) -> None:
    write_atomically(path, data, mode=shared_mode())


def _lines(text: str) -> tuple[list[str], bool]:
    lines = text.splitlines()
    cut = len(lines) > MAX_SHOWN_LINES
    shown = [line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " …" for line in lines[:MAX_SHOWN_LINES]]
    return shown, cut


def _side(text: str, marks: dict[int, int]) -> dict:
    """One side of a side-by-side page: each line with its number and its region (0: none)."""
    lines, cut = _lines(text)
    return {"rows": [{"number": i, "text": line, "region": marks.get(i, 0)} for i, line in enumerate(lines, 1)],
            "cut": cut, "total": len(text.splitlines())}


def _marks(spans) -> dict[int, int]:
    marks: dict[int, int] = {}
    for number, runs in spans:
        for first, last in runs:
            for line in range(first, min(last, MAX_SHOWN_LINES) + 1):
                marks.setdefault(line, number)
    return marks


def side_by_side(left_text: str, right_text: str, left: Fingerprints, right: Fingerprints,
                 hashes: frozenset[int]) -> tuple[dict, dict, int]:
    """Both sides of a page and the number of matching regions."""
    found = regions(left, right, hashes)
    left_marks = _marks((r.number, r.left) for r in found)
    right_marks = _marks((r.number, r.right) for r in found)
    return _side(left_text, left_marks), _side(right_text, right_marks), len(found)


def _clean_pages(folder: Path) -> None:
    """Pages of an earlier run (named by rank) that this run may not write again."""
    if folder.is_dir():
        for page in folder.glob("*.html"):
            if re.fullmatch(r"\d+\.html", page.name):
                page.unlink(missing_ok=True)


def _settings(result) -> dict:
    return {"threshold": result.threshold, "source_threshold": result.source_threshold, "k": K, "w": W,
            "guarantee": K + W - 1, "common_limit": result.common_limit, "common_percent": round(100 * COMMON_FRACTION),
            "min_evidence": MIN_EVIDENCE,
            "model_note": MODEL_NOTE.format(weight=format(LAYER_WEIGHT, "g")) if result.model else ""}


def write_outputs(result, found: Comparison, texts: dict[str, str], prints: dict[str, Fingerprints],
                  published: dict[str, str], source_prints: dict[str, Fingerprints], *, top: int) -> None:
    """Write every file of ``result.outdir`` (see the module's docstring)."""
    folder = result.outdir
    generated = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    settings = _settings(result)
    pages_dir, sources_dir = folder / "pairs", folder / "sources"
    _clean_pages(pages_dir)
    _clean_pages(sources_dir)

    pages: dict[tuple[str, str], str] = {}
    for pair in found.pairs:
        if pair.rank > top and not pair.flagged:
            continue
        left, right, count = side_by_side(texts[pair.a], texts[pair.b], prints[pair.a], prints[pair.b],
                                          pair.shared_hashes)
        href = f"pairs/{pair.rank}.html"
        _write(folder / href, _page("pair.html", title=f"Similarity: {result.assignment} pair {pair.rank}",
                                    result=result, pair=pair, left_name=pair.a, right_name=pair.b, left=left,
                                    right=right, regions=count, settings=settings, up="../index.html",
                                    source=None))
        pages[(pair.a, pair.b)] = href
        result.pair_pages[(pair.a, pair.b)] = folder / href

    source_pages: dict[tuple[str, str], str] = {}
    for number, match in enumerate([m for m in found.sources if m.flagged], 1):
        left, right, count = side_by_side(texts[match.student], published[match.source], prints[match.student],
                                          source_prints[match.source], match.shared_hashes)
        href = f"sources/{number}.html"
        _write(folder / href, _page("pair.html", title=f"Similarity: {result.assignment}, a match with the "
                                    f"{match.source}", result=result, pair=None, source=match,
                                    left_name=match.student, right_name=match.source, left=left, right=right,
                                    regions=count, settings=settings, up="../index.html"))
        source_pages[(match.student, match.source)] = href

    write_csv(result.csv_path, [PAIR_COLUMNS] + [
        [p.rank, p.a, p.b, p.score, p.jaccard, p.shared, p.shared_weight, p.a_evidence, p.b_evidence,
         int(p.flagged), p.cluster or "", pages.get((p.a, p.b), "")] for p in found.pairs])
    write_csv(folder / "sources.csv", [SOURCE_COLUMNS] + [
        [m.student, m.source, m.score, m.shared, int(m.flagged), source_pages.get((m.student, m.source), "")]
        for m in found.sources])

    cluster_of = {s: c.number for c in found.clusters for s in c.students}
    _write(result.index_path, _page(
        "index.html", title=f"Similarity: {result.title}", result=result, settings=settings, generated=generated,
        pairs=found.pairs[:INDEX_ROWS], more=max(0, len(found.pairs) - INDEX_ROWS), pages=pages,
        source_pages=source_pages, clusters=found.clusters, sources=found.sources[:INDEX_ROWS],
        flagged=len(result.flagged), cluster_of=cluster_of, shared_code=found.shared_code, common=found.common))

    summary = {
        "version": SUMMARY_VERSION, "assignment": result.assignment, "title": result.title, "generated": generated,
        "students": len(result.students), "pairs": len(found.pairs), "flagged": len(result.flagged),
        "threshold": result.threshold, "source_threshold": result.source_threshold, "model": result.model,
        "model_note": settings["model_note"],
        "top_pairs": [{"rank": p.rank, "a": p.a, "b": p.b, "score": p.score, "flagged": p.flagged,
                       "cluster": p.cluster, "page": pages.get((p.a, p.b), "")} for p in found.pairs[:SUMMARY_PAIRS]],
        "clusters": [{"number": c.number, "students": c.students, "max_score": c.max_score,
                      "mean_score": c.mean_score} for c in found.clusters],
        "sources": [{"student": m.student, "source": m.source, "score": m.score,
                     "page": source_pages.get((m.student, m.source), "")} for m in found.sources if m.flagged],
        "skipped": len(result.skipped), "changed_since_grading": result.changed_since_grading,
    }
    write_atomically(result.summary_path, json.dumps(summary, indent=1, ensure_ascii=False) + "\n", mode=shared_mode())


# ---------------------------------------------------------------------------- the report's section

@dataclass(frozen=True)
class SimilaritySummary:
    """One assignment's similarity report as the instructor report shows it: links are
    relative to ``OUTDIR/report/`` (``href``: its index; each pair's ``href``: its page)."""

    assignment: str
    title: str
    generated: str
    students: int
    flagged: int
    threshold: float
    source_threshold: float
    model_note: str
    href: str
    top_pairs: tuple[dict, ...]
    clusters: tuple[dict, ...]
    sources: tuple[dict, ...]
    changed_since_grading: tuple[str, ...]


def _relative_page(assignment_dir: str, page: object) -> str:
    """A page of summary.json as a link from the report, or "" for anything that is not one of
    the names this module writes (the file is ours, but it is read back: trust nothing)."""
    if isinstance(page, str) and re.fullmatch(r"(pairs|sources)/\d+\.html", page):
        return f"../similarity/{assignment_dir}/{page}"
    return ""


def report_summaries(outdir: Path) -> list[SimilaritySummary]:
    """The summary of every assignment's similarity report in ``outdir`` (written by
    ``similarity``), by assignment id; none where there is none, and an unreadable summary is
    left out rather than failing the report."""
    found = []
    root = Path(outdir) / "similarity"
    if not root.is_dir():
        return []
    for path in sorted(root.glob("*/summary.json")):
        folder = path.parent.name
        if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}", folder):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != SUMMARY_VERSION:
                continue
            pairs = tuple({"rank": int(p["rank"]), "a": str(p["a"]), "b": str(p["b"]), "score": float(p["score"]),
                           "flagged": bool(p["flagged"]), "cluster": p.get("cluster"),
                           "href": _relative_page(folder, p.get("page"))} for p in data["top_pairs"])
            clusters = tuple({"number": int(c["number"]), "students": [str(s) for s in c["students"]],
                              "max_score": float(c["max_score"])} for c in data["clusters"])
            sources = tuple({"student": str(m["student"]), "source": str(m["source"]), "score": float(m["score"]),
                             "href": _relative_page(folder, m.get("page"))} for m in data["sources"])
            found.append(SimilaritySummary(
                str(data["assignment"]), str(data["title"]), str(data["generated"]), int(data["students"]),
                int(data["flagged"]), float(data["threshold"]), float(data["source_threshold"]),
                str(data.get("model_note", "")), f"../similarity/{folder}/index.html", pairs, clusters, sources,
                tuple(str(s) for s in data.get("changed_since_grading", []))))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return found


def report_section_html(outdir: Path) -> Markup:
    """The instructor report's similarity section (templates/report_section.html), rendered and
    escaped, for ``OUTDIR/report/index.html``; empty where no similarity report was made. It
    uses only the report's own styles and no script, so the report's CSP holds as it is."""
    summaries = report_summaries(outdir)
    if not summaries:
        return Markup("")
    html = _environment().get_template("report_section.html").render(
        similarity=summaries, evidence_note=_(EVIDENCE_NOTE),
        model_note=_f(MODEL_NOTE, weight=format(LAYER_WEIGHT, "g")))
    return Markup(html)
