"""Refresh (RFC 6749 §6), showing whether the server rotated the refresh token (RFC 9700
§4.14.2), and keeping the previous one at hand to test its reuse on purpose.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import ConfigError
from workbench.core.flows.refresh import ROTATION_TEXT, Rotation
from workbench.core.session import Provider, RefreshResult
from workbench.core.tokenset import TokenSet
from workbench.ui import metrics
from workbench.ui.state import AppState, TokenContext
from workbench.ui.tabs.base import FlowTab
from workbench.ui.widgets.copy_field import CopyField


def preview(token: str | None) -> str:
    """The first characters of a token, enough to tell two apart."""
    if not token:
        return "(none)"
    cut = metrics.TOKEN_PREVIEW_CHARS
    return token if len(token) <= cut else token[:cut] + "…"


def rotation_headline(rotation: Rotation) -> str:
    text = ROTATION_TEXT[rotation]
    return text[:1].upper() + text[1:]


class RefreshTab(FlowTab):
    """Redeem a refresh token; the field follows the current tokens and stays editable."""

    title = "Refresh"
    key = "refresh"
    origin = "refresh_token"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._sent = ""
        state.sig_tokens_changed.connect(self._on_tokens_changed)
        if state.tokens is not None:
            self.token_edit.setText(state.tokens.refresh_token or "")

    # -- parameters -----------------------------------------------------------------------
    def build_params(self) -> None:
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.token_edit = QLineEdit(self)
        self.token_edit.setObjectName(f"{self.key}_refreshToken")
        self.token_edit.setAccessibleName("Refresh token")
        self.token_edit.setPlaceholderText("from the current tokens, or paste one")
        self.token_edit.setFont(fixed)
        self.form.insertRow(0, "Refresh token", self.token_edit)
        self.scope_edit.setPlaceholderText("optional: empty keeps the scope already granted")

        self.previous_field = CopyField(
            f"{self.key}_previous",
            "Previous refresh token",
            self,
            placeholder="filled by the next refresh",
        )
        self.reuse_button = QPushButton("&Use previous (test reuse)", self)
        self.reuse_button.setObjectName(f"{self.key}UsePrevious")
        self.reuse_button.setAccessibleName("Use the previous refresh token")
        self.reuse_button.setToolTip(
            "Put the previous refresh token back in the field (Alt+U), then Run: a server that "
            "rotates refresh tokens must refuse it with invalid_grant."
        )
        self.reuse_button.setEnabled(False)
        self.reuse_button.clicked.connect(self._on_use_previous)
        self.form.addRow("Previous refresh token", self.previous_field)
        reuse_row = QHBoxLayout()
        reuse_row.addWidget(self.reuse_button)
        reuse_row.addStretch(1)
        self.form.addRow("", reuse_row)

    def build_body(self) -> None:
        self.result_frame = QFrame(self)
        self.result_frame.setObjectName(f"{self.key}Result")
        self.result_frame.setAccessibleName("Refresh result")
        self.result_frame.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self.result_frame)
        layout.setSpacing(metrics.SPACING)
        self.rotation_label = QLabel("", self.result_frame)
        self.rotation_label.setObjectName(f"{self.key}Rotation")
        self.rotation_label.setAccessibleName("Rotation")
        self.rotation_label.setWordWrap(True)
        self.rotation_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        headline = QFont(self.font())
        headline.setBold(True)
        headline.setPointSizeF(headline.pointSizeF() * metrics.REFRESH_HEADLINE_SCALE)
        self.rotation_label.setFont(headline)
        layout.addWidget(self.rotation_label)
        prefixes = QFormLayout()
        self.sent_label = self._prefix_label("Sent", "sentPrefix")
        self.returned_label = self._prefix_label("Returned", "returnedPrefix")
        prefixes.addRow("Refresh token sent", self.sent_label)
        prefixes.addRow("Refresh token returned", self.returned_label)
        layout.addLayout(prefixes)
        self.result_frame.hide()
        self.body_layout.addWidget(self.result_frame)

    def _prefix_label(self, name: str, object_name: str) -> QLabel:
        label = QLabel("", self.result_frame)
        label.setObjectName(f"{self.key}_{object_name}")
        label.setAccessibleName(f"Refresh token {name.lower()}")
        label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def apply_provider(self, provider: Provider) -> None:
        """The scope stays empty (= the scope already granted); nothing else to prefill."""

    # -- running --------------------------------------------------------------------------
    def run(self) -> None:
        session = self.state.require_session()
        token = self.token_edit.text().strip()
        if not token:
            raise ConfigError(
                "No refresh token: run a flow that returns one (scope offline_access), or paste "
                "one in the field."
            )
        self._sent = token
        if token == self.previous_field.text():
            step = "Refreshing with the previous refresh token (reuse test)…"
        else:
            step = "Refreshing…"
        self.run_in_worker(
            session.refresh,
            token,
            self.scope_edit.text().strip() or None,
            self.request_extra(),
            step=step,
            on_returned=self._on_refreshed,
        )

    def _on_refreshed(self, result: RefreshResult) -> None:
        self.apply_result(result, self._sent)

    def apply_result(self, result: RefreshResult, sent: str) -> None:
        """Show the rotation and deliver the tokens (with ``sent`` kept if none came back)."""
        tokens: TokenSet = result.tokens
        if result.rotation == "not_returned":
            tokens = replace(tokens, refresh_token=sent)  # the old one stays in use
        self.show_rotation(result.rotation, sent, result.tokens.refresh_token)
        self.previous_field.set_text(sent)
        self.reuse_button.setEnabled(True)
        self.deliver_tokens(tokens, TokenContext(origin=self.origin, rotation=result.rotation))

    def show_rotation(self, rotation: Rotation, sent: str, returned: str | None) -> None:
        self.rotation_label.setText(rotation_headline(rotation))
        self.result_frame.setProperty("rotation", rotation)
        self.result_frame.style().unpolish(self.result_frame)
        self.result_frame.style().polish(self.result_frame)
        self.sent_label.setText(preview(sent))
        self.returned_label.setText(preview(returned))
        self.result_frame.show()

    def on_cancelled(self) -> None:
        self.result_frame.hide()
        if self._sent and self._sent == self.previous_field.text():
            self.sig_step.emit("Failed: the previous refresh token was already spent.")

    # -- slots ----------------------------------------------------------------------------
    def _on_tokens_changed(self, tokens: TokenSet, _context: TokenContext) -> None:
        self.token_edit.setText(tokens.refresh_token or "")
        self.token_edit.setCursorPosition(0)

    def _on_use_previous(self) -> None:
        self.token_edit.setText(self.previous_field.text())
        self.token_edit.setCursorPosition(0)
        self.token_edit.setFocus()


__all__ = ["RefreshTab", "preview", "rotation_headline"]
