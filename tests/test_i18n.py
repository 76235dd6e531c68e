"""Messages in English and Simplified Chinese (autograder/i18n.py, autograder/translations.py).

Babel's part: the ids in the code (``_``, ``_f``, ``_n``, ``N_`` in the package's Python, ``_()``
in the report's templates) and the zh_CN catalog agree both ways, every id is translated and not
fuzzy, placeholders are kept, and the compiled .mo is the .po's. A new message added without a
translation fails here; so does a translation of a message that is gone.

Then every id is rendered in both languages with sample values, the course's glossary is held
to (a message that says "learning rate" says 学习率 in Chinese), and the language reaches where
it should: the checks' messages, a course file, a worker process, the grader version.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import i18n, translations
from autograder.checks import CheckFailure, expect_array, expect_scalar
from autograder.i18n import LANGUAGES, UnknownLanguage, _f, use_language
from test_handouts_zh_cn import _term_patterns, term_hit

PACKAGE = Path(i18n.__file__).resolve().parent
CJK = re.compile(r"[\u3400-\u9fff]")
# Ids whose Chinese may hold no Chinese character: the same words in both languages.
SAME_IN_BOTH = {"CSV", "a {noun}", "an {noun}"}  # Chinese has no articles


@pytest.fixture(scope="module")
def template():
    return translations.extract()


@pytest.fixture(scope="module")
def catalog():
    return translations.read("zh_CN")


def _ids(template) -> list:
    return [m.id for m in template if m.id]


def _placeholders(text: str) -> list[str]:
    return translations.PLACEHOLDER.findall(text)


def _sample_values(message_id: str) -> dict[str, str]:
    names = re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)", message_id) + re.findall(r"%\(([A-Za-z_]\w*)\)", message_id)
    return {name: f"<{name}>" for name in names}


def test_babel_check_finds_nothing(template):
    """Missing, unused, untranslated or fuzzy ids, changed placeholders, a stale .mo: see
    ``python -m autograder.translations check``."""
    problems = translations.problems("zh_CN")
    assert not problems, "\n".join(problems[:40]) + (
        "\n\nrun `python -m autograder.translations update`, translate the new ids in "
        f"{translations.po_path('zh_CN')}, then `python -m autograder.translations compile`")


def test_every_marked_string_is_extracted(template):
    """Babel cannot see a call inside an f-string's braces (f"{_('x')}"), nor translate an
    f-string id: both would stay English whatever the language. Every _/_f/_n/N_ call with a
    literal id must be in the extracted catalog, and none may take an f-string."""
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    problems = []
    public_tests = sorted((PACKAGE.parent / "assignments").glob("*/test_*.py"))
    for path in [*sorted(PACKAGE.rglob("*.py")), *public_tests]:
        if "demo" in path.relative_to(PACKAGE.parent).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "_f", "_n", "N_") and node.args):
                continue
            first = node.args[0]
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            if isinstance(first, ast.JoinedStr):
                problems.append(f"{where}: an f-string as a message id")
            elif isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value not in ids:
                problems.append(f"{where}: {first.value!r} is not extracted (inside an f-string's braces?)")
    assert not problems, "\n".join(problems)


def test_every_id_renders_in_both_languages(template):
    chinese = i18n.translations("zh_CN")
    problems = []
    for message in template:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        values = _sample_values(key)
        if "%(" in key:  # Jinja's gettext style
            english, translated = key % values, chinese.gettext(key) % values
        elif isinstance(message.id, tuple):
            values.pop("count", None)
            english = key.format(count=2, **values)
            translated = chinese.ngettext(message.id[0], message.id[1], 2).format(count=2, **values)
        else:
            english, translated = key.format(**values), chinese.gettext(key).format(**values)
        for value in values.values():
            if value in english and english.count(value) != translated.count(value):
                problems.append(f"{key!r}: {value} shown {english.count(value)} time(s) in English, "
                                f"{translated.count(value)} in Chinese")
        letters = re.sub(r"\{[^}]*\}|%\(\w+\)s|[^A-Za-z]", "", key)
        if letters and key not in SAME_IN_BOTH and not CJK.search(translated):
            problems.append(f"{key!r} has no Chinese: {translated!r}")
    assert not problems, "\n".join(problems)


def _english_words(message_id: str) -> str:
    """The prose of an id: placeholders and code removed (calls, keyword arguments, names with _
    or ., quoted text, [axis, lists] and (argument, lists), which name code, not concepts)."""
    text = re.sub(r"\{[^}]*\}|%\(\w+\)s", " ", message_id)
    text = re.sub(r"\[[^\]]*\]|\((?:[\w ]+, )+[\w ]+\)", " ", text)
    text = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"|\b\w+\([^)]*\)|\b\w+=\S*|\b\w*[_.]\w+\b", " ", text)
    return text


def test_messages_use_the_glossary(catalog):
    """The notes' own words (autograder/locale/glossary.toml), as in the Chinese handouts."""
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        string = message.string if isinstance(message.string, str) else message.string[0]
        english, chinese = _english_words(key), string.casefold()
        for term, patterns in _term_patterns():
            hit = term_hit(term, patterns, english)
            if hit is not None and term["zh_CN"].casefold() not in chinese:
                problems.append(f"{key!r}: says {hit!r}, so the Chinese should say {term['zh_CN']!r}: {string!r}")
    assert not problems, f"{len(problems)} message(s):\n" + "\n".join(problems)


# --------------------------------------------------------------------------- the language in use


def test_language_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv(i18n.ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setattr(i18n, "_chosen", None)
    monkeypatch.setattr(i18n, "DEFAULT_FILE", tmp_path / "language")
    assert i18n.language() == "en"
    (tmp_path / "language").write_text("zh_CN\n")
    assert i18n.language() == "zh_CN"  # a released zh_CN handout
    monkeypatch.setenv(i18n.ENVIRONMENT_VARIABLE, "en")
    assert i18n.language() == "en"  # the environment beats the handout's file
    with use_language("zh_CN"):
        assert i18n.language() == "zh_CN" and os.environ[i18n.ENVIRONMENT_VARIABLE] == "zh_CN"
    assert i18n.language() == "en" and os.environ[i18n.ENVIRONMENT_VARIABLE] == "en"
    monkeypatch.setenv(i18n.ENVIRONMENT_VARIABLE, "fr")
    assert i18n.language() == "zh_CN"  # an unknown value is ignored
    with pytest.raises(UnknownLanguage, match="choose one of: en, zh_CN"):
        i18n.set_language("fr")


def test_the_locale_of_the_machine_is_not_read():
    """The course's language is chosen, not inherited from the grading machine's LANG."""
    code = "from autograder.i18n import language; print(language())"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    environment.update(LANG="zh_CN.UTF-8", LANGUAGE="zh_CN", LC_ALL="zh_CN.UTF-8")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=60)
    assert done.stdout.strip() == "en", done.stderr


def test_checks_speak_the_language_without_leaking_more():
    """The same failure in both languages: the same numbers, shapes and dtypes, nothing else."""
    got, expected = np.zeros((2, 3), np.float32), np.ones((2, 3), np.float32)
    messages = {}
    for language in LANGUAGES:
        with use_language(language):
            with pytest.raises(CheckFailure) as failure:
                expect_array(got, expected)
            shape = failure.value.message
            with pytest.raises(CheckFailure) as failure:
                expect_array(got.astype(np.float64), expected, what=_f("sigmoid of a {n}-D input", n=2))
            dtype = failure.value.message
            with pytest.raises(CheckFailure) as failure:
                expect_scalar(1.5, 1.0)
            values = failure.value.message
        messages[language] = (shape, dtype, values)
    english, chinese = messages["en"], messages["zh_CN"]
    assert english[0].startswith("output is inaccurate at 6 of 6 positions")
    assert CJK.search(chinese[0]) and CJK.search(chinese[1]) and CJK.search(chinese[2])
    tokens = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?%?|float\d+")
    for en, zh in zip(english, chinese):
        assert sorted(tokens.findall(en)) == sorted(tokens.findall(zh)), (en, zh)


def test_a_course_file_chooses_the_language(tmp_path):
    from autograder.course import CourseError, load_course

    path = tmp_path / "course.yml"
    path.write_text("language: zh_CN\nassignments:\n  activations: {due: '2026-10-01 23:59Z'}\n")
    assert load_course(path).language == "zh_CN"
    path.write_text("language: fr\nassignments:\n  activations: {due: '2026-10-01 23:59Z'}\n")
    with pytest.raises(CourseError, match="language"):
        load_course(path)


def test_the_language_is_part_of_the_grader_version():
    from autograder.assignments import get_assignment
    from autograder.engine.grade import grader_version

    activations = get_assignment("activations")
    english = grader_version(activations)
    with use_language("zh_CN"):
        chinese = grader_version(activations)
    with use_language("en"):
        assert grader_version(activations) == english
    assert chinese != english


def test_a_worker_process_grades_in_the_batch_language(tmp_path):
    """grade_in_worker is given the language: a grading process speaks the batch's, whatever it
    inherited."""
    from autograder.engine.workers import grade_in_worker

    submission = tmp_path / "activations.py"
    submission.write_text("def sigmoid(x):\n    raise NotImplementedError\n")
    from autograder.training import Device

    with use_language("en"):  # grade_in_worker sets its process's language: restored here
        result = grade_in_worker("activations", "student", str(submission), True, "process", Device(), "zh_CN")
        assert i18n.language() == "zh_CN"
    assert i18n.language() == "en"
    messages = " ".join(test["message"] for test in result["tests"])
    assert CJK.search(messages), messages
    assert json.dumps(result)  # plain data


def test_exports_carry_the_catalog_and_the_language(tmp_path):
    """Gradescope's run_autograder passes --lang; otter's package copy names its language; both
    carry the compiled catalog (a missing one is an error at grading, never silent English)."""
    import zipfile

    from autograder import api

    built = api.export_gradescope("activations", tmp_path / "a.zip", lang="zh_CN")
    with zipfile.ZipFile(built.zip_path) as archive:
        names = set(archive.namelist())
        run = archive.read("run_autograder").decode()
    assert "autograder/locale/zh_CN/LC_MESSAGES/autograder.mo" in names
    assert "--lang zh_CN" in run
    english = api.export_gradescope("activations", tmp_path / "b.zip", lang="en")
    with zipfile.ZipFile(english.zip_path) as archive:
        assert "--lang en" in archive.read("run_autograder").decode()

    folder = api.export_otter("activations", tmp_path / "otter", lang="zh_CN").folder
    assert (folder / "autograder" / "locale" / "language").read_text() == "zh_CN\n"
    assert (folder / "autograder" / "locale" / "zh_CN" / "LC_MESSAGES" / "autograder.mo").is_file()
    english = api.export_otter("activations", tmp_path / "otter-en", lang="en").folder
    assert not (english / "autograder" / "locale" / "language").exists()


def test_a_missing_catalog_is_an_error_not_english(monkeypatch, tmp_path):
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        with use_language("zh_CN"), pytest.raises(FileNotFoundError):
            i18n._("output")
    finally:
        i18n.translations.cache_clear()


def test_a_course_can_title_the_csv_columns_in_its_language(tmp_path):
    """`csv_titles: true`: one row of titles (in the course's language) above the stable ids."""
    import csv

    from autograder.assignments import get_assignment
    from autograder.batch import render_csvs
    from autograder.course import load_course
    from autograder.gradebook import Gradebook
    from autograder.results import SubmissionResult, SubmissionStatus

    def course(name: str, extra: str):
        path = tmp_path / name
        path.write_text(f"language: zh_CN\n{extra}assignments:\n  activations: {{due: '2026-10-01 23:59Z'}}\n")
        return load_course(path)

    titled_course, plain_course = course("titled.yml", "csv_titles: true\n"), course("plain.yml", "")
    (tmp_path / "titled").mkdir()
    (tmp_path / "plain").mkdir()
    with Gradebook(tmp_path) as gradebook, use_language("zh_CN"):
        gradebook.record(SubmissionResult("activations", "ada", SubmissionStatus.EMPTY, max_score=20.0), "v")
        titled, klass = render_csvs(gradebook, get_assignment("activations"), tmp_path / "titled", titled_course)
        plain, _ = render_csvs(gradebook, get_assignment("activations"), tmp_path / "plain", plain_course)
    rows = list(csv.reader(titled.read_text(encoding="utf-8").splitlines()))
    ids = list(csv.reader(plain.read_text(encoding="utf-8").splitlines()))
    assert rows[1:] == ids and ids[0][0] == "student"
    assert CJK.search(",".join(rows[0])) and len(rows[0]) == len(ids[0])
    assert list(csv.reader(klass.read_text(encoding="utf-8").splitlines()))[1][0] == "student"


def test_the_command_line_speaks_the_environment_language(monkeypatch):
    """AUTOGRADER_LANG reaches every command, `list` included."""
    from click.testing import CliRunner

    from autograder import cli
    from autograder.cli import main

    monkeypatch.setattr(cli.out, "_width", 250)  # a table's cells on one line each

    chinese = CliRunner().invoke(main, ["list"], env={i18n.ENVIRONMENT_VARIABLE: "zh_CN"})
    english = CliRunner().invoke(main, ["list"], env={i18n.ENVIRONMENT_VARIABLE: "en"})
    assert chinese.exit_code == english.exit_code == 0, chinese.output
    assert "隐藏测试" in chinese.output and "用于 MNIST 的 LeNet" in chinese.output
    assert "hidden tests" in english.output and "LeNet for MNIST" in english.output


def test_lang_lasts_as_long_as_the_command(tmp_path):
    """--lang is the command's language, not the process's afterwards: a CliRunner (or any caller
    in the same process) goes back to the language it had."""
    import zipfile

    from click.testing import CliRunner

    from autograder.cli import main

    before = (i18n.language(), os.environ.get(i18n.ENVIRONMENT_VARIABLE))
    run = CliRunner().invoke(main, ["export", "gradescope", "activations", "-o", str(tmp_path / "a.zip"),
                                    "--lang", "zh_CN"])
    assert run.exit_code == 0, run.output
    assert "--lang zh_CN" in zipfile.ZipFile(tmp_path / "a.zip").read("run_autograder").decode()
    assert (i18n.language(), os.environ.get(i18n.ENVIRONMENT_VARIABLE)) == before
