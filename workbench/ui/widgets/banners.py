"""Inline messages: the error banner every tab shows, and the legacy-grant warning."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from workbench.core.errors import ConfigError, FlowError, OAuthError, TokenError, TransportError


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(title, rich-text body) for an error the core raised on purpose."""
    if isinstance(exc, OAuthError):
        status = f" (HTTP {exc.status})" if exc.status else ""
        body = f"<b>{html.escape(exc.error)}</b>{status}"
        if exc.description:
            body += f": {html.escape(exc.description)}"
        if exc.uri:
            uri = html.escape(exc.uri, quote=True)
            body += f'<br><a href="{uri}">{uri}</a>'
        return "The server refused", body
    if isinstance(exc, TransportError):
        return "No usable answer from the server", html.escape(str(exc))
    if isinstance(exc, FlowError):
        return "The flow stopped", html.escape(str(exc))
    if isinstance(exc, TokenError):
        return "Not a readable token", html.escape(str(exc))
    if isinstance(exc, ConfigError):
        return "Missing configuration", html.escape(str(exc))
    return "Error", html.escape(str(exc))


class MessageBanner(QFrame):
    """A dismissible inline message; ``kind`` is ``error``, ``warning`` or ``info`` (for QSS)."""

    def __init__(self, kind: str = "error", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{kind}Banner")
        self.setProperty("kind", kind)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._label = QLabel(self)
        self._label.setObjectName(f"{kind}BannerText")
        self._label.setWordWrap(True)
        self._label.setOpenExternalLinks(True)
        self._label.setTextFormat(Qt.TextFormat.RichText)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self._close = QToolButton(self)
        self._close.setObjectName(f"{kind}BannerClose")
        self._close.setAccessibleName("Dismiss message")
        self._close.setText("✕")
        self._close.setAutoRaise(True)
        self._close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def text(self) -> str:
        """The message as plain text (tests, accessibility)."""
        return QTextDocumentFragment.fromHtml(self._label.text()).toPlainText()

    def show_message(self, title: str, body_html: str) -> None:
        self._label.setText(f"<b>{html.escape(title)}</b><br>{body_html}")
        self.setAccessibleName(title)
        self.show()

    def show_error(self, exc: BaseException) -> None:
        self.show_message(*describe_error(exc))


class LegacyBanner(MessageBanner):
    """The permanent warning on deprecated grants (RFC 9700)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__("warning", parent)
        self._close.hide()
        self.show_message("Legacy grant", html.escape(text))
