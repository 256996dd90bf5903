"""What may leave the core for a person's eyes: printable text and web URLs only.

Servers, tokens and local pages are hostile until shown otherwise. A claim, an
``error_description`` or a ``user_code`` can carry terminal escape sequences that rewrite what a
person reads (a fake "PASS signature" line, a cleared screen); a discovery document can name a
``file:`` or ``javascript:`` URL for the browser to open. Everything human-readable goes through
:func:`printable`; everything handed to a browser or made clickable goes through
:func:`require_web_url`. Machine output (``--json``) stays exact and is not passed through here.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from workbench.core.errors import ConfigError

# C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text
# (bidirectional overrides and isolates, zero-width joiners, the BOM, line/paragraph separators).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_UNSAFE_KEEP_LINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}

WEB_SCHEMES = ("http", "https")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` with every control or invisible formatting character shown as a visible escape.

    ``ESC [ 2 J`` becomes ``\\e[2J``, a bidirectional override becomes ``\\u202e``. With
    ``keep_newlines`` a line feed stays a line break (multi-line bodies in a log); otherwise it
    too is shown as ``\\n`` so one value cannot pretend to be several lines of output.
    """
    value = text if isinstance(text, str) else str(text)
    pattern = _UNSAFE_KEEP_LINES if keep_newlines else _UNSAFE
    return pattern.sub(_escape, value)


def is_web_url(url: object) -> bool:
    """True for an absolute ``http``/``https`` URL with a host, and nothing else."""
    if not isinstance(url, str) or _UNSAFE.search(url) or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(host)


def require_web_url(url: object, what: str) -> str:
    """``url`` if it is an http(s) URL; otherwise ``ConfigError`` naming ``what`` it was for.

    Only web URLs are ever opened in a browser or made clickable: a ``file:``, ``javascript:``,
    ``data:`` or custom-scheme URL from a server would run or read something on this machine.
    """
    if is_web_url(url):
        assert isinstance(url, str)
        return url
    shown = printable(url if isinstance(url, str) else repr(url))
    if len(shown) > 120:
        shown = shown[:119] + "…"
    raise ConfigError(
        f"Refusing to open the {what} {shown!r}: only http and https URLs are opened in a browser "
        "or made clickable."
    )
