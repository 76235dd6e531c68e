"""Messages in the course's language: English message ids in the code, gettext catalogs beside.

Every message a student or an instructor reads is written in English where it is raised
(``checks.py``, ``engine/calls.py``, the hidden tests, the command line, the report's templates)
and wrapped in ``_`` (a plain string) or ``_f`` (a string with ``{name}`` placeholders, filled
after translation, so that a translation can move a value but never change which values are
shown). The catalogs live in ``autograder/locale/<language>/LC_MESSAGES/autograder.po`` (and
the compiled ``.mo`` that gettext reads); ``python -m autograder.translations`` extracts, updates
and compiles them with Babel, and ``tests/test_i18n.py`` fails when an id lacks a translation.

The language of a process is, in order: the one set with :func:`set_language` or
:func:`use_language` (``--lang``, a course file's ``language:``); the ``AUTOGRADER_LANG``
environment variable (which ``set_language`` also sets, so that grading processes started
afterwards speak the same language); the ``language`` file a released handout carries beside
its catalogs; English. The machine's own locale (``LANG``) is not consulted: a course's feedback
must not depend on which computer graded it.

Standard library only: a released handout ships this module with ``checks.py``.
"""

from __future__ import annotations

import gettext
import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "autograder"
ENGLISH = "en"
LANGUAGES = (ENGLISH, "zh_CN")
ENVIRONMENT_VARIABLE = "AUTOGRADER_LANG"
# A released handout's default language (written by `autograder release --lang zh_CN`).
DEFAULT_FILE = LOCALE_DIR / "language"

_chosen: str | None = None


class UnknownLanguage(ValueError):
    def __init__(self, language: str):
        super().__init__(f"unknown language {language!r}; choose one of: {', '.join(LANGUAGES)}")


def check_language(language: str) -> str:
    """``language`` if it is one of LANGUAGES; UnknownLanguage otherwise."""
    if language not in LANGUAGES:
        raise UnknownLanguage(language)
    return language


def _default() -> str:
    try:
        written = DEFAULT_FILE.read_text(encoding="utf-8").strip()
    except OSError:
        return ENGLISH
    return written if written in LANGUAGES else ENGLISH


def language() -> str:
    """The language messages are produced in now."""
    if _chosen is not None:
        return _chosen
    from_environment = os.environ.get(ENVIRONMENT_VARIABLE, "")
    return from_environment if from_environment in LANGUAGES else _default()


def set_language(language_: str | None) -> None:
    """Produce messages in ``language_`` from now on, in this process and in the processes it
    starts afterwards; None goes back to the environment's or the default language."""
    global _chosen
    if language_ is None:
        _chosen = None
        os.environ.pop(ENVIRONMENT_VARIABLE, None)
        return
    _chosen = check_language(language_)
    os.environ[ENVIRONMENT_VARIABLE] = _chosen


@contextmanager
def use_language(language_: str | None):
    """Messages in ``language_`` inside the block (None: whatever holds already)."""
    if language_ is None:
        yield language()
        return
    global _chosen
    before_chosen, before_environment = _chosen, os.environ.get(ENVIRONMENT_VARIABLE)
    set_language(language_)
    try:
        yield language_
    finally:
        _chosen = before_chosen
        if before_environment is None:
            os.environ.pop(ENVIRONMENT_VARIABLE, None)
        else:
            os.environ[ENVIRONMENT_VARIABLE] = before_environment


@lru_cache(maxsize=None)
def translations(language_: str) -> gettext.NullTranslations:
    """The catalog of ``language_`` (English is the ids themselves). A missing catalog is an
    error, not a silent fallback to English: it means a broken install or export."""
    if check_language(language_) == ENGLISH:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[language_])


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(language()).gettext(message)


def _f(message: str, /, **values) -> str:
    """``message`` in the current language, its ``{name}`` placeholders filled with ``values``
    after translation (a value is never read as a template)."""
    return translations(language()).gettext(message).format(**values)


def _n(singular: str, plural: str, count: int, /, **values) -> str:
    """The singular or plural form for ``count``, placeholders filled (``{count}`` included)."""
    return translations(language()).ngettext(singular, plural, count).format(count=count, **values)


def N_(message: str) -> str:
    """Marks ``message`` for extraction where it is defined; translate it with ``_`` where it is
    shown (a table of messages built before the language is known)."""
    return message
