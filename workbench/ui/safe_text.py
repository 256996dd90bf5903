"""How the GUI shows text and URLs it did not write (issue 7, "Fail closed, stay bounded").

Claims, headers, error descriptions, user codes, verification URIs and log bodies come from
servers and tokens: hostile until shown otherwise. On screen they go through
:func:`workbench.core.display.printable` (control and invisible characters become visible
escapes) and are never interpreted as markup:

* a label that shows such text is a plain-text label (:func:`set_plain`); a ``QLabel`` in its
  default ``AutoText`` mode would render ``<b>`` or ``<a href>`` from a token as rich text;
* rich-text labels and message boxes embed it with :func:`html_text`;
* tooltips are always handed to Qt as rich text (:func:`tooltip`), because Qt renders a tooltip
  as HTML whenever it merely looks like HTML;
* only http(s) URLs are opened (:func:`open_web_url`) or made clickable (:func:`web_link`).
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QByteArray, Qt, QUrl
from PySide6.QtWidgets import QLabel

from workbench.core.display import WEB_SCHEMES, is_web_url, printable, require_web_url
from workbench.core.errors import ConfigError

UrlOpener = Callable[[QUrl], bool]


def html_text(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` for a rich-text label: escapes visible, no markup; kept newlines become ``<br>``."""
    escaped = html.escape(printable(text, keep_newlines=keep_newlines), quote=True)
    return escaped.replace("\n", "<br>") if keep_newlines else escaped


def tooltip(text: object) -> str:
    """A tooltip that shows ``text`` literally (line breaks kept, long lines wrapped).

    Qt decides per tooltip whether it is rich text by looking at it; this one always is, with
    ``text`` escaped, so a claim such as ``<b><a href="x">PASS</a></b>`` reads as typed.
    """
    value = text if isinstance(text, str) else str(text)
    if not value:
        return ""
    body = html.escape(printable(value, keep_newlines=True), quote=False)
    return f"<p style='white-space:pre-wrap'>{body}</p>"


def set_plain(label: QLabel, text: object, *, keep_newlines: bool = False) -> None:
    """Show ``text`` in ``label`` as plain text with control characters made visible.

    A newline is shown as ``\\n`` unless ``keep_newlines``: one value cannot pose as several
    lines (a fake "✓ Signature valid" below an error message).
    """
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(printable(text, keep_newlines=keep_newlines))


def web_link(url: object, text: object | None = None) -> str:
    """An ``<a href>`` to ``url`` when it is an http(s) URL; otherwise the URL as inert text."""
    shown = html_text(url if text is None else text)
    if not is_web_url(url):
        return shown
    assert isinstance(url, str)
    return f'<a href="{html.escape(url, quote=True)}">{shown}</a>'


def to_qurl(url: str, what: str) -> QUrl:
    """``url`` (already an http(s) URL) as a QUrl, refused unless Qt reads it as http(s) too.

    An ASCII URL is taken as encoded, so its percent-escapes reach the browser unchanged.
    """
    try:
        qurl = QUrl.fromEncoded(QByteArray(url.encode("ascii")), QUrl.ParsingMode.StrictMode)
    except UnicodeEncodeError:
        qurl = QUrl(url, QUrl.ParsingMode.StrictMode)
    if not qurl.isValid() or qurl.scheme().lower() not in WEB_SCHEMES or not qurl.host():
        raise ConfigError(
            f"Refusing to open the {what} {printable(url)[:120]!r}: only http and https URLs "
            "are opened in a browser or made clickable."
        )
    return qurl


def open_web_url(url: object, what: str, opener: UrlOpener) -> bool:
    """Hand ``url`` to ``opener`` (the system browser) only if it is an http(s) URL.

    Raises :class:`ConfigError` ("Refusing to open the {what} …") for anything else; the opener
    is then never called. Returns what the opener returned (False: no browser opened).
    """
    checked = require_web_url(url, what)
    return bool(opener(to_qurl(checked, what)))


__all__ = [
    "UrlOpener",
    "html_text",
    "is_web_url",
    "open_web_url",
    "printable",
    "require_web_url",
    "set_plain",
    "to_qurl",
    "tooltip",
    "web_link",
]
