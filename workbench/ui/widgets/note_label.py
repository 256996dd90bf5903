"""A word-wrapped label whose height follows its width (for notes in wide forms)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from workbench.ui.safe_text import printable


class NoteLabel(QLabel):
    """A word-wrapped label that takes the height its text needs at its width.

    QFormLayout sizes a wrapped QLabel by its size hint (worked out for a narrow width), which
    leaves blank lines around short texts in wide forms; this label's hint follows its width.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Plain text unless a caller asks for rich text (and escapes what it embeds): the
        # values shown (client names, callback URLs, scopes) come from AWS.
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        """Plain text is shown with control characters as visible escapes."""
        plain = self.textFormat() == Qt.TextFormat.PlainText
        super().setText(printable(text) if plain else text)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.width() > hint.width():
            return QSize(hint.width(), self.heightForWidth(self.width()))
        return hint

    def minimumSizeHint(self) -> QSize:
        least = super().minimumSizeHint()
        if self.width() > 0:
            return QSize(least.width(), self.heightForWidth(self.width()))
        return least

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()


__all__ = ["NoteLabel"]
