"""The "Authorization details (RFC 9396)" field of the browser-flow and client credentials
tabs: a small JSON editor checked as you type, the problem said in words under it."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from workbench.core.errors import ConfigError
from workbench.core.oauth.rfc9396_rar import (
    AUTHORIZATION_DETAILS,
    AuthorizationDetails,
    parse_authorization_details,
)
from workbench.ui.theme import semantic_colours

LABEL = "Authorization details (RFC 9396)"
#: The form row's label (short: the tabs' labels share one width; the RFC is in the status).
ROW_LABEL = "Authorization details"
PLACEHOLDER = '[{"type": "account_information", "actions": ["read_balances"]}]'
EDITOR_LINES = 3


class AuthorizationDetailsEditor(QWidget):
    """Empty: nothing is sent. Otherwise the JSON must be an array of objects each with a
    string ``type``; :meth:`details` gives them checked, or a ConfigError in the same words
    the status line shows."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName(f"{name}_json")
        self.editor.setAccessibleName(LABEL)
        self.editor.setPlaceholderText(PLACEHOLDER)
        self.editor.setTabChangesFocus(True)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        line = self.editor.fontMetrics().lineSpacing()
        self.editor.setFixedHeight(line * EDITOR_LINES + 12)
        self.editor.setToolTip(
            "A JSON array of objects, each with a string type (and actions, locations,"
            " datatypes, identifier, privileges or the type's own fields). Sent as"
            " authorization_details at authorize (in the pushed request or the request object"
            " when those are on) or to the token endpoint (client credentials)."
        )
        self.status = QLabel("", self)
        self.status.setObjectName(f"{name}_status")
        self.status.setAccessibleName("Authorization details check")
        self.status.setWordWrap(True)
        layout.addWidget(self.editor)
        layout.addWidget(self.status)
        self.problem = ""  # what is wrong with the JSON, in words ("" when nothing)
        self.editor.textChanged.connect(self._check)
        self._check()

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        self.editor.setPlainText(text)

    def details(self) -> AuthorizationDetails | None:
        """The checked details (None when the field is empty); ConfigError when invalid."""
        text = self.text()
        if not text.strip():
            return None
        try:
            return parse_authorization_details(text)
        except ConfigError as exc:
            raise ConfigError(f"{LABEL}: {exc}") from None

    def with_details(self, extra: dict[str, str]) -> dict[str, str]:
        """``extra`` with ``authorization_details`` added when the field has some."""
        details = self.details()
        if details is None:
            return extra
        return {**extra, AUTHORIZATION_DETAILS: details.text}

    def _check(self) -> None:
        colours = semantic_colours(self.palette())
        try:
            details = self.details()
        except ConfigError as exc:
            self.status.setText(str(exc).removeprefix(f"{LABEL}: "))
            colour = colours.failed
            self.problem = self.status.text()
        else:
            self.problem = ""
            if details is None:
                self.status.setText("Optional, RFC 9396: nothing is sent while this is empty.")
                colour = colours.secondary
            else:
                kinds = ", ".join(details.types)
                self.status.setText(f"Valid: {len(details.details)} detail(s), type {kinds}.")
                colour = colours.passed
        self.status.setStyleSheet(f"color: {colour.name()};")


__all__ = ["LABEL", "ROW_LABEL", "AuthorizationDetailsEditor"]
