"""Refresh (RFC 6749 §6), showing whether the server rotated the refresh token (RFC 9700
§4.14.2), and keeping the previous one at hand to try it once more on purpose.

The current and the previous refresh token follow the state whichever face refreshed (this
tab or the inspector); a refresh goes to the provider that issued the token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import ConfigError, OAuthError
from workbench.core.model import Provider, RefreshResult
from workbench.core.oauth.refresh import ROTATION_TEXT, Rotation
from workbench.core.oauth.tokenset import TokenSet
from workbench.ui import metrics
from workbench.ui.flows.base import FlowTab
from workbench.ui.state import AppState, TokenContext
from workbench.ui.theme import set_property
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


TRY_PREVIOUS_HINT = (
    "“Try the previous one” (under the previous refresh token) sends it once: the answer"
    " says whether this server still accepts a rotated-out refresh token."
)
PREVIOUS_ACCEPTED = (
    "Accepted: the server still takes the previous refresh token, so rotation here does not"
    " retire the old one (the server's policy; RFC 9700 §4.14.2 advises refusing it). The new"
    " tokens it issued are the current ones."
)
PREVIOUS_REFUSED = (
    "Refused (invalid_grant): the server no longer accepts the previous refresh token once it"
    " was rotated. A server that detects reuse (RFC 9700 §4.14.2; the demo server does) also"
    " revokes every token of that grant, so the current refresh token may be dead now too: Run"
    " to find out."
)


class RefreshTab(FlowTab):
    """Redeem a refresh token; the field follows the current tokens and stays editable."""

    title = "Refresh"
    key = "refresh"
    origin = "refresh_token"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._sent = ""
        self._trying_previous = False
        state.sig_tokens_changed.connect(self._on_tokens_changed)
        if state.tokens is not None:
            self._on_tokens_changed(state.tokens, state.context)

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
            placeholder="filled by the next refresh (here or in the inspector)",
        )
        self.reuse_button = QPushButton("Tr&y the previous one", self)
        self.reuse_button.setObjectName(f"{self.key}UsePrevious")
        self.reuse_button.setAccessibleName("Try the previous refresh token")
        self.reuse_button.setToolTip(
            "Refresh once with the previous refresh token (Alt+Y); the field keeps the current"
            " one. Whether the server still accepts it is its policy: the answer shows it."
        )
        self.reuse_button.setEnabled(False)
        self.reuse_button.clicked.connect(self.try_previous)
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
        self.meaning_label = QLabel("", self.result_frame)
        self.meaning_label.setObjectName(f"{self.key}Meaning")
        self.meaning_label.setAccessibleName("What the answer means")
        self.meaning_label.setWordWrap(True)
        self.meaning_label.setTextFormat(Qt.TextFormat.PlainText)
        self.meaning_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.meaning_label)
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
    def prepare_screenshot(self) -> Callable[[], bool]:
        """Refresh once, so the rotation, both tokens and "Try the previous one" are on show."""
        self.start()
        return lambda: not self.busy and not self.result_frame.isHidden()

    def run(self) -> None:
        self._refresh_with(self.token_edit.text().strip())

    def try_previous(self) -> None:
        """Refresh once with the previous refresh token; the field keeps the current one."""
        if self.busy or not self.previous_field.text():
            return
        self.error_banner.hide()
        self._stopped_by = None
        try:
            self._refresh_with(self.previous_field.text())
        except ConfigError as exc:
            self._show_error(exc)

    def _refresh_with(self, token: str) -> None:
        self.state.require_session()
        if not token:
            raise ConfigError(
                "No refresh token: run a flow that returns one (scope offline_access), or paste "
                "one in the field."
            )
        # A refresh token goes back to the provider that issued it, never to another one.
        session = self.state.session_for(token)
        if session is None:
            session = self.state.require_session()
        where = session.provider.name or session.provider.issuer or "the provider"
        self._flow_session = session
        self._sent = token
        self._trying_previous = token == self.previous_field.text()
        if self._trying_previous:
            step = f"Trying the previous refresh token at {where}…"
        else:
            step = f"Refreshing at {where}…"
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
        """Deliver the tokens (``sent`` is already carried over when none came back: see
        :meth:`RefreshResult.of`); showing the rotation and the previous token follows from the
        state, as after the inspector's Refresh."""
        tokens: TokenSet = result.tokens
        tried_previous = self._trying_previous
        context = TokenContext(origin=self.origin, rotation=result.rotation, refreshed_from=sent)
        session = self._flow_session or self.state.session_for(sent)
        self.state.set_tokens(tokens, context, session)
        if tried_previous:
            self.meaning_label.setText(PREVIOUS_ACCEPTED)
            self.sig_step.emit("Accepted: the server still takes the previous refresh token.")
        else:
            self.sig_step.emit("Done: the tokens are in the inspector.")

    def show_rotation(self, rotation: Rotation, sent: str, returned: str | None) -> None:
        self.rotation_label.setText(rotation_headline(rotation))
        self.meaning_label.setText(TRY_PREVIOUS_HINT if rotation == "rotated" else "")
        self._set_frame_state(rotation)
        self.sent_label.setText(preview(sent))
        self.returned_label.setText(preview(returned))
        self._show_result_frame()

    def _show_result_frame(self) -> None:
        """Show the result and scroll it into view (below the fold on a laptop screen)."""
        self.result_frame.show()
        scroll = self.findChild(QScrollArea, f"{self.key}Scroll")
        if scroll is not None:
            QTimer.singleShot(0, scroll, lambda: scroll.ensureWidgetVisible(self.result_frame))

    def _set_frame_state(self, rotation: str) -> None:
        set_property(self.result_frame, "rotation", rotation)

    def on_failed(self, exc: BaseException) -> None:
        refused = isinstance(exc, OAuthError) and exc.error == "invalid_grant"
        if not (self._trying_previous and refused):
            self.on_cancelled()
            return
        self.rotation_label.setText("The previous refresh token no longer works")
        self.meaning_label.setText(PREVIOUS_REFUSED)
        self._set_frame_state("unchanged")
        self.sent_label.setText(preview(self._sent))
        self.returned_label.setText(preview(None))
        self._show_result_frame()
        self.sig_step.emit("Refused: the server no longer accepts the previous refresh token.")

    def on_cancelled(self) -> None:
        self.result_frame.hide()

    def reset_results(self) -> None:
        super().reset_results()
        self.result_frame.hide()

    # -- slots ----------------------------------------------------------------------------
    def _on_tokens_changed(self, tokens: TokenSet, context: TokenContext | None) -> None:
        self.token_edit.setText(tokens.refresh_token or "")
        self.token_edit.setCursorPosition(0)
        sent = context.refreshed_from if context is not None else None
        if sent is None:
            # Tokens of a new grant: the previous token and the last result belonged to another.
            self.previous_field.clear()
            self.reuse_button.setEnabled(False)
            self.result_frame.hide()
            return
        told = context.rotation if context is not None else None
        rotation: Rotation = "rotated" if tokens.refresh_token != sent else "unchanged"
        if told in ROTATION_TEXT:
            rotation = cast(Rotation, told)
        returned = None if rotation == "not_returned" else tokens.refresh_token
        self.show_rotation(rotation, sent, returned)
        rotated = tokens.refresh_token != sent
        self.previous_field.set_text(sent if rotated else "")
        self.reuse_button.setEnabled(rotated)


__all__ = ["RefreshTab", "preview", "rotation_headline"]
