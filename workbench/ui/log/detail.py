"""The exchange log's detail pane: the selected exchange's request, response or error.

Read-only, in the system's fixed-width font; the title names the exchange and is coloured by
its status class. What servers sent is shown through :func:`~workbench.core.display.printable`
(see :mod:`workbench.ui.models.exchange_model`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from workbench.core.display import printable
from workbench.core.transport.exchange import Exchange
from workbench.ui import metrics
from workbench.ui.models.exchange_model import (
    format_duration,
    format_exchange,
    status_class,
    status_text,
)
from workbench.ui.theme import repolish, status_colour

PLACEHOLDER = (
    "Select an exchange to see its request and response (secrets masked); double-click it"
    " to open it in a window of its own."
)


class ExchangeDetailPane(QWidget):
    """A bold title over a read-only, fixed-width view of one exchange."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exchangeLogDetailPane")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(metrics.SPACING // 2)
        self.title = QLabel(self)
        self.title.setObjectName("exchangeLogDetailTitle")
        self.title.setAccessibleName("Selected exchange")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title_font = self.title.font()
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.detail = QPlainTextEdit(self)
        self.detail.setObjectName("exchangeLogDetail")
        self.detail.setAccessibleName("Exchange detail")
        self.detail.setReadOnly(True)
        self.detail.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.detail.setPlaceholderText(PLACEHOLDER)
        self.detail.setMinimumWidth(metrics.text_width(self.detail, metrics.LOG_DETAIL_MIN_CHARS))
        layout.addWidget(self.title)
        layout.addWidget(self.detail, 1)

    def text(self) -> str:
        """Everything the pane shows (title and body) as plain text."""
        return f"{self.title.text()}\n{self.detail.toPlainText()}"

    def show_exchange(self, exchange: Exchange | None, palette: QPalette) -> None:
        """Show ``exchange`` (None: nothing selected); ``palette`` colours the title (the
        dock's: a palette change reaches the dock before its children)."""
        if exchange is None:
            self.title.setText("No exchange selected")
            self._set_status_class("", palette)
            self.detail.setPlainText("")
            return
        kind = status_class(exchange)
        self.title.setText(
            printable(
                f"#{exchange.id} {exchange.purpose or 'request'} — {exchange.method} "
                f"— {status_text(exchange)} — {format_duration(exchange.duration_ms)}"
            )
        )
        self._set_status_class(kind, palette)
        self.detail.setPlainText(format_exchange(exchange))

    def _set_status_class(self, kind: str, source: QPalette) -> None:
        """Colour the title by status class: palette-derived, QSS may override."""
        label = self.title
        label.setProperty("statusClass", kind)
        palette = QPalette()  # nothing resolved: inherits the dock's palette
        colour = status_colour(kind, source)
        if colour is not None:
            palette.setColor(QPalette.ColorRole.WindowText, colour)
        label.setPalette(palette)
        repolish(label)
