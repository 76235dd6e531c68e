"""The ``_`` of the HTML templates (the report's, the feedback's, the similarity section's).

``template_message(message, **values)``: ``message`` in the current language
(``autograder.i18n``, looked up when the template renders), its ``{name}`` placeholders filled
with ``values`` after translation. The message is escaped as text (whatever a translation holds)
and so is each value, as autoescape escapes any value, except a Markup one (a ``{% set %}``
block such as ``<code>...</code>``), which keeps its tags. The apostrophe stays as written: every
attribute of the templates is double-quoted, and English pages stay byte for byte as before.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from autograder import i18n


def escape_text(text: str) -> Markup:
    """``text`` escaped as markupsafe does (``& < > "``), except the apostrophe."""
    return Markup(str(escape(text)).replace("&#39;", "'"))


def template_message(message: str, /, **values) -> Markup:
    translated = i18n._(message)
    return escape_text(translated).format(**values) if values else escape_text(translated)
