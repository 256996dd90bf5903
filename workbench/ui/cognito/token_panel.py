"""The token panel (API door): which tokens are current, the actions on them (Refresh, GetUser,
RevokeToken, GlobalSignOut, the reality check) and what the last action answered.

The panel shows; the tab runs the actions in workers (its buttons are connected there) and hands
the answers back through the ``show_*`` methods.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.oauth.refresh import ROTATION_TEXT
from workbench.core.oauth.tokenset import TokenSet
from workbench.ui import metrics
from workbench.ui.cognito.parts import KEY, button, note
from workbench.ui.safe_text import html_text, printable, tooltip
from workbench.ui.state import TokenContext
from workbench.ui.widgets.flow_layout import FlowLayout

NOT_ROTATED = (
    "Cognito does not rotate refresh tokens unless refresh token rotation is turned on for the "
    "app client: the one you have stays valid."
)
REVOKE_TIP = (
    "RevokeToken: the refresh token, and the access and ID tokens issued from it. Needs "
    "EnableTokenRevocation on the app client (on by default for new clients) (Alt+T)"
)


class TokenPanel(QGroupBox):
    """The current tokens, the API door's actions on them, and the last action's answer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Tokens (API door)", parent)
        self.setObjectName(f"{KEY}TokensGroup")
        self.tokens_label = note(self, "tokens", secondary=False)
        self.tokens_label.setAccessibleName("Current tokens")
        self.refresh_button = button(
            self,
            "Refresh",
            "&Refresh",
            "Refresh the tokens",
            "REFRESH_TOKEN_AUTH with the refresh token (Alt+R)",
        )
        self.get_user_button = button(
            self,
            "GetUser",
            "&Get user",
            "Get the user",
            "GetUser with the access token: the user's attributes, if Cognito still accepts "
            "the token (Alt+G)",
        )
        self.revoke_button = button(
            self, "Revoke", "Revoke refresh &token", "Revoke the refresh token", REVOKE_TIP
        )
        self.sign_out_button = button(
            self,
            "GlobalSignOut",
            "Global sign-&out",
            "Sign the user out everywhere",
            "GlobalSignOut with the access token: every refresh token of the user is revoked; "
            "access tokens still verify locally until they expire (Alt+O)",
        )
        self.reality_button = button(
            self,
            "RealityCheck",
            "Reality &check",
            "Reality check of the access token",
            "The access token verified locally beside Cognito's GetUser, in the inspector (Alt+C)",
        )
        actions = QWidget(self)
        actions.setObjectName(f"{KEY}TokenActions")
        buttons = FlowLayout(actions, metrics.SPACING)  # wraps in a narrow tab
        for action in (
            self.refresh_button,
            self.get_user_button,
            self.revoke_button,
            self.sign_out_button,
            self.reality_button,
        ):
            buttons.addWidget(action)
        self.result_label = note(self, "result", secondary=False)
        self.result_label.setAccessibleName("Result of the last token action")
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        self.attributes_table = self._build_attributes_table()
        layout = QVBoxLayout(self)
        layout.setSpacing(metrics.SPACING)
        layout.addWidget(self.tokens_label)
        layout.addWidget(actions)
        layout.addWidget(self.result_label)
        layout.addWidget(self.attributes_table)

    def _build_attributes_table(self) -> QTableWidget:
        table = QTableWidget(0, 2, self)
        table.setObjectName(f"{KEY}_attributes")
        table.setAccessibleName("User attributes from GetUser")
        table.setHorizontalHeaderLabels(["Attribute", "Value"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.hide()
        return table

    def focus_chain(self) -> list[QWidget]:
        """The buttons in the order Tab moves through them."""
        return [
            self.refresh_button,
            self.get_user_button,
            self.revoke_button,
            self.sign_out_button,
            self.reality_button,
        ]

    # -- the current tokens -----------------------------------------------------------------
    def show_tokens(self, tokens: TokenSet | None, context: TokenContext | None) -> None:
        """Which tokens are current, whose, from where and since when."""
        if tokens is None:
            self.tokens_label.setText("No tokens yet: sign in first.")
            return
        parts = [
            name
            for name, value in (
                ("access", tokens.access_token),
                ("ID", tokens.id_token),
                ("refresh", tokens.refresh_token),
            )
            if value
        ]
        origin = context.origin if context is not None else "unknown"
        extra = context.extra if context is not None else {}
        who = f" of {extra['username']}" if extra.get("username") else ""
        flow = f" ({extra['flow']})" if extra.get("flow") else ""
        when = time.strftime("%H:%M:%S")
        self.tokens_label.setText(
            f"Current tokens{who}: {', '.join(parts) or 'none'} — from {origin}{flow}, {when}."
        )

    def update_buttons(self, idle: bool, tokens: TokenSet | None) -> None:
        """Each action is enabled when the tab is idle and the token it needs is there."""
        access = tokens is not None and bool(tokens.access_token)
        refresh = tokens is not None and bool(tokens.refresh_token)
        self.refresh_button.setEnabled(idle and refresh)
        self.revoke_button.setEnabled(idle and refresh)
        self.get_user_button.setEnabled(idle and access)
        self.sign_out_button.setEnabled(idle and access)
        self.reality_button.setEnabled(idle and access)

    # -- answers ----------------------------------------------------------------------------
    def clear_result(self) -> None:
        self.result_label.hide()
        self.attributes_table.hide()

    def show_result(self, text: str) -> None:
        """``text`` (rich text: whatever it quotes is escaped by the caller) as the answer."""
        self.result_label.setText(text)
        self.result_label.show()
        self.attributes_table.hide()

    def show_refreshed(self, rotation: str) -> None:
        text = ROTATION_TEXT[rotation]
        note_text = NOT_ROTATED if rotation == "not_returned" else ""
        self.show_result(
            f"<b>Refreshed (REFRESH_TOKEN_AUTH).</b> Refresh token {html_text(text)}."
            + (f"<br>{html_text(note_text)}" if note_text else "")
        )

    def show_user(self, user: dict[str, Any]) -> None:
        """GetUser's answer: the username, and the attributes in the table."""
        attributes = [
            (str(a.get("Name", "")), str(a.get("Value", "")))
            for a in user.get("UserAttributes") or []
            if isinstance(a, dict)
        ]
        self.show_result(
            f"<b>GetUser: {html_text(str(user.get('Username', '')))}</b> — Cognito "
            "accepts the access token."
        )
        self.show_attributes(attributes)

    def show_revoked(self) -> None:
        self.show_result(
            "<b>Revoked (RevokeToken).</b> The refresh token and the access and ID tokens "
            "issued from it are revoked; they still verify locally until they expire."
        )

    def show_signed_out(self) -> None:
        self.show_result(
            "<b>Signed out everywhere (GlobalSignOut).</b> Every refresh token of the user "
            "is revoked; the access token still verifies locally until it expires, but "
            "GetUser refuses it."
        )

    def show_attributes(self, attributes: list[tuple[str, str]]) -> None:
        table = self.attributes_table
        table.setRowCount(len(attributes))
        for row, (name, value) in enumerate(attributes):
            table.setItem(row, 0, QTableWidgetItem(printable(name)))
            item = QTableWidgetItem(printable(value))  # the user's attributes, from Cognito
            item.setToolTip(tooltip(value))
            table.setItem(row, 1, item)
        table.resizeRowsToContents()
        shown = min(max(len(attributes), 1), metrics.COGNITO_ATTRIBUTES_TABLE_ROWS)
        rows = sum(table.rowHeight(r) for r in range(min(shown, len(attributes))))
        chrome = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        table.setFixedHeight(rows + chrome)
        table.setVisible(bool(attributes))


__all__ = ["NOT_ROTATED", "REVOKE_TIP", "TokenPanel"]
