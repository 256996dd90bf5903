"""One exchange of the log in a window of its own: the whole request and response at full
height, where the log dock's detail pane has room for a few lines only.

The text is :func:`~workbench.ui.models.exchange_model.format_exchange`'s, exactly what the
dock's pane shows (masked by the core, hostile characters as visible escapes), in a read-only
plain-text view.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.display import printable
from workbench.core.transport.exchange import Exchange
from workbench.ui import metrics
from workbench.ui.models.exchange_model import format_duration, format_exchange, status_text


class ExchangeWindow(QDialog):
    """A non-modal window showing one exchange; :meth:`show_exchange` replaces it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exchangeWindow")
        self.setModal(False)
        self.exchange: Exchange | None = None
        self.title = QLabel(self)
        self.title.setObjectName("exchangeWindowTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("exchangeWindowText")
        self.text.setAccessibleName("Exchange detail")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("exchangeWindowButtons")
        self.copy_curl_button = QPushButton("Copy as curl", self)
        self.copy_curl_button.setObjectName("exchangeWindowCopyCurl")
        self.copy_curl_button.setToolTip(
            "Copy this request as a runnable curl command; secrets become environment"
            " variables such as ${CLIENT_SECRET}"
        )
        buttons.addButton(self.copy_curl_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_curl_button.clicked.connect(self._copy_curl)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self._fit_to_screen()

    def _fit_to_screen(self) -> None:
        width = metrics.text_width(self.text, metrics.EXCHANGE_WINDOW_CHARS)
        height = metrics.line_height(self.text, metrics.EXCHANGE_WINDOW_LINES)
        screen = self.screen()
        if screen is not None:
            area = screen.availableGeometry()
            width = min(width, int(area.width() * metrics.EXCHANGE_WINDOW_SCREEN_SHARE))
            height = min(height, int(area.height() * metrics.EXCHANGE_WINDOW_SCREEN_SHARE))
        self.resize(width, height)

    def show_exchange(self, exchange: Exchange) -> None:
        """Show ``exchange`` and bring the window up."""
        self.exchange = exchange
        head = (
            f"#{exchange.id} {exchange.purpose or 'request'} — {exchange.method} — "
            f"{status_text(exchange)} — {format_duration(exchange.duration_ms)}"
        )
        self.setWindowTitle(printable(f"Exchange #{exchange.id}: {exchange.purpose}"))
        self.title.setText(printable(head))
        self.text.setPlainText(format_exchange(exchange))
        self.show()
        self.raise_()
        self.activateWindow()

    def visible_lines(self) -> int:
        """Text lines the view has room for."""
        return self.text.viewport().height() // max(1, self.text.fontMetrics().lineSpacing())

    def _copy_curl(self) -> None:
        if self.exchange is not None:
            QGuiApplication.clipboard().setText(self.exchange.curl)


__all__ = ["ExchangeWindow"]
