"""Code similarity: a class report that finds shared code under renaming and reordering.

It is evidence for a human to read, never an automatic penalty (see ``render.EVIDENCE_NOTE``).

``similarity(assignment_id, submissions, outdir)`` stages every submission as the grader does,
normalises each module's tokens (``lexer``), takes k-gram fingerprints with winnowing
(``fingerprints``), leaves out the code that everyone shares (``shared``) and the fingerprints
common in the class, scores every pair through an inverted index, groups flagged pairs into
clusters and compares every student with the published sources (``compare``), then writes the
HTML, CSV and summary (``render``) into ``OUTDIR/similarity/<id>/``. ``report_summaries`` and
``report_section_html`` give ``autograder report`` its section.
"""

from autograder.similarity.compare import (COMMON_FRACTION, COMMON_MIN_COUNT, SOURCE_THRESHOLD, THRESHOLD, Cluster,
                                           PairScore, Region, SourceMatch)
from autograder.similarity.render import EVIDENCE_NOTE, SimilaritySummary, report_section_html, report_summaries
from autograder.similarity.run import (REFERENCE_SOURCE, SIMILARITY_DIRNAME, TOP_PAIRS, SimilarityError,
                                       SimilarityResult, similarity)

__all__ = [
    "COMMON_FRACTION", "COMMON_MIN_COUNT", "EVIDENCE_NOTE", "REFERENCE_SOURCE", "SIMILARITY_DIRNAME",
    "SOURCE_THRESHOLD", "THRESHOLD", "TOP_PAIRS", "Cluster", "PairScore", "Region", "SimilarityError",
    "SimilarityResult", "SimilaritySummary", "SourceMatch", "report_section_html", "report_summaries", "similarity",
]
