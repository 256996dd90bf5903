"""A read-only text view for a server's answer: JSON pretty-printed and highlighted, other text
shown as it came (plain text always: nothing a server sends is rendered as rich text)."""

from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from workbench.core.display import printable
from workbench.ui.theme import semantic_colours

#: The largest body shown whole (characters); the rest is cut with a note.
SHOWN_CHARS = 512 * 1024

_TOKENS = re.compile(
    r'(?P<key>"(?:[^"\\]|\\.)*"(?=\s*:))'
    r'|(?P<string>"(?:[^"\\]|\\.)*")'
    r"|(?P<number>-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)"
    r"|(?P<literal>\b(?:true|false|null)\b)"
)


class JsonHighlighter(QSyntaxHighlighter):
    """Keys, strings, numbers and literals in colours readable on the view's palette."""

    def __init__(self, document: QTextDocument, palette_owner: QWidget) -> None:
        super().__init__(document)
        colours = semantic_colours(palette_owner.palette())
        self.formats = {
            "key": _format(colours.secondary, bold=True),
            "string": _format(colours.passed),
            "number": _format(colours.warned),
            "literal": _format(colours.failed),
        }

    def highlightBlock(self, text: str) -> None:
        for match in _TOKENS.finditer(text):
            kind = match.lastgroup
            if kind is not None:
                self.setFormat(match.start(), match.end() - match.start(), self.formats[kind])


def _format(colour: QColor, bold: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(colour)
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


def pretty(value: Any) -> str:
    """A body value as shown: JSON indented (non-ASCII kept), text made printable."""
    if isinstance(value, str):
        text = printable(value, keep_newlines=True)
    else:
        text = json.dumps(value, indent=2, ensure_ascii=False)
        text = printable(text, keep_newlines=True)
    if len(text) > SHOWN_CHARS:
        text = text[:SHOWN_CHARS] + f"\n… [{len(text) - SHOWN_CHARS:,} more characters not shown]"
    return text


class JsonView(QPlainTextEdit):
    """Read-only, monospace, highlighted; :meth:`show_value` takes JSON values or text."""

    def __init__(self, object_name: str, accessible_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName(accessible_name)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        self.setFont(font)
        self.highlighter = JsonHighlighter(self.document(), self)

    def show_value(self, value: Any) -> None:
        self.setPlainText(pretty(value))
