"""What the HTML pages share (the report, the feedback, the similarity pages and section).

``inline(text, name)``: a script or stylesheet written into a page, and the CSP source that
admits exactly it (``'sha256-<base64>'``): pages load nothing, so their CSP lists each inline
text by hash.

``template_message(message, **values)``, the templates' ``_``: ``message`` in the current language
(``autograder.i18n``, looked up when the template renders), its ``{name}`` placeholders filled
with ``values`` after translation. The message is escaped as text (whatever a translation holds)
and so is each value, as autoescape escapes any value, except a Markup one (a ``{% set %}``
block such as ``<code>...</code>``), which keeps its tags. The apostrophe stays as written: every
attribute of the templates is double-quoted, and English pages stay byte for byte as before.
"""

from __future__ import annotations

import base64
import hashlib

from markupsafe import Markup, escape

from autograder import i18n


def inline(text: str, name: str) -> tuple[Markup, str]:
    """``text`` to write inside a <script> or <style> element, and its CSP source. ValueError if
    it holds "</", which could end the element early (``name`` says which file)."""
    if "</" in text:
        raise ValueError(f"{name} must not contain '</'")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Markup(text), f"'sha256-{digest}'"


def escape_text(text: str) -> Markup:
    """``text`` escaped as markupsafe does (``& < > "``), except the apostrophe."""
    return Markup(str(escape(text)).replace("&#39;", "'"))


def template_message(message: str, /, **values) -> Markup:
    translated = i18n._(message)
    return escape_text(translated).format(**values) if values else escape_text(translated)
