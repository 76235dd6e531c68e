"""A course in Simplified Chinese, the way a teaching team runs it.

- The activations demo cohort graded with ``--lang zh_CN``: the same scores, statuses and test
  stages as in English (the shared English batch of tests/test_demo_cohort.py), Chinese messages,
  and Chinese feedback files from ``autograder report``.
- The report of that gradebook, in Chinese, rendered by headless Chromium with the CJK font that
  ``autograder setup --with-browser`` installs: the screenshot shows the page's Chinese text as
  glyphs, not as the empty boxes ("tofu") a missing font gives. The proof compares pixels: the
  page's own Chinese characters, drawn with the report's stylesheet, must not look like the same
  number of characters that no font has (private-use code points, which Chromium draws as tofu).
- Gradescope's results.json from ``gradescope-run --lang zh_CN``.

Cost: the cohort's grading (about 40 s on the 2-core CI machine), two Chromium runs.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import api
from autograder.api import DEMO_DIR
from autograder.cli import main
from autograder.sandbox.launcher import bwrap_problem
from test_report import check_png

EXPECTED = json.loads((Path(__file__).with_name("demo_expected") / "activations.json").read_text())
CJK = re.compile(r"[\u3400-\u9fff]")
CHROMIUM = shutil.which("chromium")

pytestmark = pytest.mark.skipif(bwrap_problem() is not None, reason=f"needs the bwrap sandbox: {bwrap_problem()}")


@pytest.fixture(scope="module")
def chinese(tmp_path_factory):
    """The activations cohort graded and reported in zh_CN, through the command line."""
    folder = tmp_path_factory.mktemp("zh")
    cohort, outdir = folder / "cohort", folder / "out"
    shutil.copytree(DEMO_DIR / "activations", cohort)
    graded = CliRunner().invoke(main, ["grade", "activations", str(cohort), "-o", str(outdir), "-j", "2", "-q",
                                       "--lang", "zh_CN"])
    reported = CliRunner().invoke(main, ["report", str(outdir), "--lang", "zh_CN"])
    return outdir, graded, reported


def test_the_demo_cohort_in_chinese_scores_as_in_english(chinese, demo_batch):
    outdir, graded, reported = chinese
    assert graded.exit_code == 0, graded.output
    assert "已评分" in graded.output or CJK.search(graded.output), graded.output
    from autograder.gradebook import Gradebook

    with Gradebook(outdir) as gradebook:
        rows = {r.student: r for r in gradebook.results() if r.assignment == "activations"}
    assert {s: {"score": r.score, "status": r.status.value} for s, r in rows.items()} == EXPECTED
    english = {r.student: r for r in demo_batch("activations").batch.graded}
    for student, row in rows.items():
        assert [(t.name, t.points, t.stage) for t in row.tests] == \
            [(t.name, t.points, t.stage) for t in english[student].tests], student
        for ours, theirs in zip(row.tests, english[student].tests):
            if theirs.message and re.search("[a-z]{3}", theirs.message):
                assert ours.message != theirs.message and CJK.search(ours.message), (student, ours.message)


def test_feedback_files_are_in_chinese(chinese):
    outdir, _, reported = chinese
    assert reported.exit_code == 0, reported.output
    assert CJK.search(reported.output), reported.output
    partial = (outdir / "feedback" / "activations" / "partial_single_file.md").read_text(encoding="utf-8")
    assert CJK.search(partial)
    page = (outdir / "feedback" / "activations" / "partial_single_file.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in page and CJK.search(html.unescape(page))


def _shot(url: str, path: Path, profile: Path, size: str = "1280,2000") -> bytes:
    shot = subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={profile}", "--virtual-time-budget=3000", f"--window-size={size}",
                           f"--screenshot={path}", url], capture_output=True, text=True, timeout=120)
    assert shot.returncode == 0 and path.is_file(), shot.stderr[-2000:]
    return path.read_bytes()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (`autograder setup --with-browser`)")
def test_the_chinese_report_renders_without_tofu(chinese, tmp_path):
    outdir, _, _ = chinese
    index = outdir / "report" / "index.html"
    page = index.read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in page
    shot = check_png(_shot(index.resolve().as_uri(), tmp_path / "report.png", tmp_path / "profile"), max_side=4000)
    assert shot is not None

    # The page's Chinese characters, in the page's own stylesheet, against as many characters
    # that no font has: identical pixels would mean the Chinese is drawn as tofu too.
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.split("<body", 1)[1]))
    characters = "".join(dict.fromkeys(CJK.findall(text)))[:60]
    assert len(characters) >= 20, characters
    css = re.search(r"<style[^>]*>(.*?)</style>", page, re.S)
    style = css.group(1) if css else ""
    pictures = []
    for name, shown in (("cjk", characters), ("tofu", "".join(chr(0xE000 + i) for i in range(len(characters))))):
        probe = tmp_path / f"{name}.html"
        probe.write_text(f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{style}</style>'
                         f'</head><body><h1>{shown}</h1></body></html>', encoding="utf-8")
        pictures.append(_shot(probe.as_uri(), tmp_path / f"{name}.png", tmp_path / "profile", "900,300"))
    assert pictures[0] != pictures[1], "the report's Chinese text is drawn as empty boxes: install fonts-noto-cjk"


def test_gradescope_results_in_chinese(tmp_path):
    results = {}
    for language in ("en", "zh_CN"):
        root = tmp_path / language
        (root / "submission").mkdir(parents=True)
        shutil.copyfile(DEMO_DIR / "activations" / "partial_single_file.py", root / "submission" / "activations.py")
        run = CliRunner().invoke(main, ["gradescope-run", "activations", "--root", str(root), "--lang", language])
        assert run.exit_code == 0, run.output
        results[language] = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    english, chinese = results["en"], results["zh_CN"]
    assert chinese["score"] == english["score"] and 0 < english["score"]
    assert [t["name"] for t in chinese["tests"]] == [t["name"] for t in english["tests"]]
    failed = [t for t in chinese["tests"] if t.get("score", 0) < t.get("max_score", 0)]
    assert failed and all(CJK.search(t.get("output", "")) for t in failed), failed
    assert CJK.search(chinese.get("output", "")), chinese.get("output")
