"""Maintain the message catalogs with Babel: extract the ids, update each language, compile.

    python -m autograder.translations update    # extract, then merge into every .po
    python -m autograder.translations compile   # .po -> .mo, which gettext reads
    python -m autograder.translations check     # what tests/test_i18n.py asserts, as a list

A translator edits ``autograder/locale/zh_CN/LC_MESSAGES/autograder.po`` (with any PO editor, or
by hand), keeps every ``{name}`` and ``%(name)s`` placeholder as it is, and runs ``compile``.
Babel is a maintainer's tool (the ``test`` extra installs it): grading reads the compiled ``.mo``
with the standard library's gettext alone (see ``autograder.i18n``).

Ids come from ``_("...")``, ``_f("...", name=...)``, ``_n("one", "many", count)`` and
``N_("...")`` in the package's Python (not the demo students'), in the assignments' public tests
(``assignments/<id>/test_<id>.py``, which a handout ships) and from ``_("...")`` in the Jinja2
templates.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from autograder.i18n import DOMAIN, ENGLISH, LANGUAGES, LOCALE_DIR

PACKAGE_DIR = Path(__file__).resolve().parent
ASSIGNMENTS_DIR = PACKAGE_DIR.parent / "assignments"  # absent where the package is installed alone
PUBLIC_TESTS_MAP = [("*/test_*.py", "python")]  # nothing else under assignments/
KEYWORDS = {"_": None, "_f": None, "_n": (1, 2), "N_": None}
METHOD_MAP = [
    ("demo/**", "ignore"),
    ("**/__pycache__/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
]
# Placeholders a translation must keep: {name} (str.format) and %(name)s (Jinja's gettext).
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sdfr]")
TRANSLATED = [language for language in LANGUAGES if language != ENGLISH]


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def extract():
    """Every message id in the package now, as a Babel catalog (the template)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project="dl-autograder", charset="utf-8")
    sources = [(PACKAGE_DIR, METHOD_MAP, "")]
    if ASSIGNMENTS_DIR.is_dir():
        sources.append((ASSIGNMENTS_DIR, PUBLIC_TESTS_MAP, "assignments/"))
    for folder, method_map, prefix in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
                folder, method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
            catalog.add(message, None, [(prefix + filename, None)], auto_comments=comments, context=context,
                        flags=("python-brace-format",) if isinstance(message, str) and "{" in message else ())
    return catalog


def read(language: str):
    from babel.messages.pofile import read_po

    with po_path(language).open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


def write(language: str, catalog) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import write_po

    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, ignore_obsolete=True, include_lineno=False)
    path.write_bytes(buffer.getvalue())
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    mo_path(language).write_bytes(buffer.getvalue())


def update() -> None:
    """Merge the ids extracted now into every language's catalog (new ids untranslated, gone
    ids dropped), and compile."""
    from babel.messages.catalog import Catalog

    template = extract()
    for language in TRANSLATED:
        catalog = read(language) if po_path(language).exists() else Catalog(locale=language, domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        write(language, catalog)


def compile_all() -> None:
    for language in TRANSLATED:
        write(language, read(language))


def problems(language: str) -> list[str]:
    """What is wrong with ``language``'s catalog against the ids in the code: missing, unused,
    untranslated or fuzzy ids, changed placeholders, a stale .mo. Empty when all is well."""
    import gettext

    template, catalog = extract(), read(language)
    ids = {m.id for m in template if m.id}
    translated = {m.id: m for m in catalog if m.id}
    found = [f"missing from the catalog: {i!r}" for i in sorted(ids - translated.keys(), key=str)]
    found += [f"in the catalog but no longer in the code: {i!r}" for i in sorted(translated.keys() - ids, key=str)]
    for key in sorted(ids & translated.keys(), key=str):
        message = translated[key]
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        sources = key if isinstance(key, tuple) else (key,)
        if message.fuzzy or not all(strings):
            found.append(f"untranslated or fuzzy: {key!r}")
            continue
        wanted = sorted(PLACEHOLDER.findall(sources[0]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != wanted:
                found.append(f"placeholders differ in {key!r}: {string!r}")
    mo = None
    if mo_path(language).exists():
        with mo_path(language).open("rb") as file:
            mo = gettext.GNUTranslations(file)
    if mo is None:
        found.append(f"{mo_path(language)} is missing: run python -m autograder.translations compile")
    else:
        for key, message in translated.items():
            if isinstance(key, str) and message.string and not message.fuzzy and mo.gettext(key) != message.string:
                found.append(f"the .mo is older than the .po ({key!r}): run python -m autograder.translations compile")
                break
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = [f"{language}: {problem}" for language in TRANSLATED for problem in problems(language)]
        print("\n".join(found) or "every message id has a translation")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
