"""The inspector's actions: Paste, Refresh, Revoke, Introspect, UserInfo, Check with server,
Log out, Copy as Bearer (or as DPoP, with a fresh proof), Copy token, Copy JSON.

:class:`InspectorActions` owns the QActions and their buttons, and decides which action is
enabled for the shown token and why not (the tooltips say it). It copies to the clipboard
itself; for everything else it tells the panel what the user asked for through its signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from workbench.core.oauth.tokenset import TokenSet
from workbench.ui import metrics
from workbench.ui.inspector.entries import ShownToken
from workbench.ui.inspector.results import pretty_json
from workbench.ui.widgets.flow_layout import FlowLayout

BearerRole = Literal["access", "id"]
BEARER_PREFIX = "Authorization: Bearer "
REFRESH_TIP = "Get new tokens with the refresh token of the shown tokens"
REALITY_TIP = "Verify the token locally and ask the server, side by side"
CANCEL_LOGOUT = "Cancel logout"
LOGOUT_TIP = (
    "Log out at the provider (OpenID Connect RP-Initiated Logout) with the ID token, then see"
    " what the logout did not do to the access token"
)


def userinfo_token(shown: ShownToken | None, own: TokenSet | None) -> str | None:
    """The token UserInfo is called with: the shown access (or pasted) token, else the
    current access token."""
    if shown is not None and shown.entry.role in ("access", "pasted"):
        return shown.entry.token
    return own.access_token if own is not None else None


def bearer_token(
    role: BearerRole, shown: ShownToken | None, current: TokenSet | None
) -> str | None:
    """The token "Copy as Bearer" copies with ``role``, or None when there is none."""
    if role == "id":
        return current.id_token if current is not None else None
    if shown is not None and shown.entry.role == "pasted" and shown.decoded is not None:
        return shown.entry.token  # the token shown, not the current tokens' one
    if current is not None and current.access_token:
        return current.access_token
    return None


def tool_button(
    parent: QWidget, name: str, action: QAction, menu: QMenu | None = None
) -> QToolButton:
    button = QToolButton(parent)
    button.setObjectName(name)
    button.setDefaultAction(action)
    button.setAccessibleName(action.text())
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setAutoRaise(False)
    if menu is not None:
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    return button


class InspectorActions(QObject):
    """The actions of the panel ``host`` (their shortcuts are the window's)."""

    sig_paste = Signal()
    sig_refresh = Signal()
    sig_revoke = Signal(object)
    """``access``, ``refresh``, or None for the shown token."""
    sig_introspect = Signal()
    sig_userinfo = Signal()
    sig_reality = Signal()
    sig_logout = Signal()
    """Log out at the provider (or cancel the logout that waits)."""
    sig_call_api = Signal(str, str)
    """Call an API with this token (the token, its label in the picker)."""
    sig_copy_dpop = Signal()
    """Copy the access token with the DPoP scheme and a fresh proof (RFC 9449)."""
    sig_copied = Signal(str)
    """Something was copied (or there was nothing to copy): what to tell the user."""

    def __init__(
        self,
        host: QWidget,
        shown: Callable[[], ShownToken | None],
        current: Callable[[], TokenSet | None],
    ) -> None:
        super().__init__(host)
        self._host = host
        self._shown = shown
        self._current = current
        self.bearer_role: BearerRole = "access"
        self._build_actions()
        self._build_bar()

    def _make_action(self, name: str, text: str, tip: str, shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            native = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
            tip = f"{tip} ({native})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        self._host.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._make_action
        self.paste = a(
            "actionPasteToken", "Paste token…", "Inspect a token pasted by hand", "Ctrl+Shift+V"
        )
        self.paste.triggered.connect(self.sig_paste)
        self.refresh = a("actionRefreshTokens", "Refresh", REFRESH_TIP, "Ctrl+R")
        self.refresh.triggered.connect(self.sig_refresh)
        self.revoke = a(
            "actionRevoke",
            "Revoke",
            "Revoke the shown token at the server (RFC 7009); the menu picks which",
            "Ctrl+Shift+Del",
        )
        self.revoke.triggered.connect(lambda: self.sig_revoke.emit(None))
        self.revoke_access = a(
            "actionRevokeAccess", "Revoke the access token", "token_type_hint=access_token"
        )
        self.revoke_access.triggered.connect(lambda: self.sig_revoke.emit("access"))
        self.revoke_refresh = a(
            "actionRevokeRefresh", "Revoke the refresh token", "token_type_hint=refresh_token"
        )
        self.revoke_refresh.triggered.connect(lambda: self.sig_revoke.emit("refresh"))
        self.introspect = a(
            "actionIntrospect",
            "Introspect",
            "Ask the server whether the shown token is active (RFC 7662)",
            "Ctrl+I",
        )
        self.introspect.triggered.connect(self.sig_introspect)
        self.userinfo = a(
            "actionUserInfo", "UserInfo", "Call UserInfo with the access token", "Ctrl+U"
        )
        self.userinfo.triggered.connect(self.sig_userinfo)
        self.reality = a("actionRealityCheck", "Check with server", REALITY_TIP, "Ctrl+K")
        self.reality.triggered.connect(self.sig_reality)
        self.logout = a("actionLogout", "Log out", LOGOUT_TIP)
        self.logout.triggered.connect(self.sig_logout)
        self.copy_bearer = a(
            "actionCopyBearer",
            "Copy as Bearer",
            "Copy “Authorization: Bearer …” with the access token or, from the menu, the ID"
            " token (Cognito-backed API Gateway authorizers want the ID token)",
            "Ctrl+Shift+B",
        )
        self.copy_bearer.triggered.connect(lambda: self.copy_as_bearer())
        group = QActionGroup(self)
        group.setExclusive(True)
        self.bearer_access = a(
            "actionBearerAccess", "Access token", "Copy as Bearer uses the access token"
        )
        self.bearer_id = a("actionBearerId", "ID token", "Copy as Bearer uses the ID token")
        for action, role in ((self.bearer_access, "access"), (self.bearer_id, "id")):
            action.setCheckable(True)
            group.addAction(action)
            action.triggered.connect(lambda _=False, r=role: self.copy_as_bearer(r))
        self.bearer_access.setChecked(True)
        self.copy_dpop = a(
            "actionCopyDpop",
            "Copy as DPoP…",
            "Copy “Authorization: DPoP …” and a fresh DPoP proof (RFC 9449) for a method and URL"
            " you give, signed with the provider's DPoP key",
        )
        self.copy_dpop.triggered.connect(self.sig_copy_dpop)
        self.call_api = a(
            "actionCallApi",
            "Call API",
            "Call an API with the shown token (the API tab)",
            "Ctrl+Shift+A",
        )
        self.call_api.triggered.connect(self._call_api)
        self.copy_token = a("actionCopyToken", "Copy token", "Copy the shown token", "Ctrl+Alt+C")
        self.copy_token.triggered.connect(self.copy_shown_token)
        self.copy_claims = a(
            "actionCopyClaims",
            "Copy JSON",
            "Copy the decoded claims as JSON",
            "Ctrl+Shift+J",
        )
        self.copy_claims.triggered.connect(self.copy_shown_claims)

    def _build_bar(self) -> None:
        host = self._host
        revoke_menu = QMenu(host)
        revoke_menu.setObjectName("inspectorRevokeMenu")
        revoke_menu.addActions([self.revoke_access, self.revoke_refresh])
        bearer_menu = QMenu(host)
        bearer_menu.setObjectName("inspectorBearerMenu")
        bearer_menu.addSection("Copy “Authorization: Bearer …” with")
        bearer_menu.addActions([self.bearer_access, self.bearer_id])
        bearer_menu.addSection("Proof of possession")
        bearer_menu.addAction(self.copy_dpop)
        self.bar = QWidget(host)
        self.bar.setObjectName("inspectorActions")
        self.bar.setAccessibleName("Token actions")
        bar = self.bar
        self.refresh_button = tool_button(bar, "inspectorRefresh", self.refresh)
        self.revoke_button = tool_button(bar, "inspectorRevoke", self.revoke, revoke_menu)
        self.introspect_button = tool_button(bar, "inspectorIntrospect", self.introspect)
        self.userinfo_button = tool_button(bar, "inspectorUserInfo", self.userinfo)
        self.reality_button = tool_button(bar, "inspectorRealityCheck", self.reality)
        self.call_api_button = tool_button(bar, "inspectorCallApi", self.call_api)
        self.logout_button = tool_button(bar, "inspectorLogout", self.logout)
        self.bearer_button = tool_button(bar, "inspectorCopyBearer", self.copy_bearer, bearer_menu)
        self.copy_token_button = tool_button(bar, "inspectorCopyToken", self.copy_token)
        # Beside the claims filter, in the details: the panel places it.
        self.copy_claims_button = tool_button(host, "inspectorCopyClaims", self.copy_claims)
        flow = FlowLayout(bar, metrics.SPACING // 2)
        for button in (
            self.refresh_button,
            self.revoke_button,
            self.introspect_button,
            self.userinfo_button,
            self.reality_button,
            self.call_api_button,
            self.logout_button,
        ):
            flow.addWidget(button)
        gap = QWidget(bar)
        gap.setObjectName("inspectorActionsGap")
        gap.setFixedSize(metrics.SPACING, metrics.INSPECTOR_ACTIONS_GAP_HEIGHT)
        flow.addWidget(gap)
        for button in (self.bearer_button, self.copy_token_button):
            flow.addWidget(button)

    def _call_api(self) -> None:
        shown = self._shown()
        if shown is not None:
            self.sig_call_api.emit(shown.entry.token, shown.entry.label)

    # -- copying
    def copy_as_bearer(self, role: BearerRole | None = None) -> None:
        """Copy ``Authorization: Bearer <token>``; ``role`` also sets the choice (its text and
        menu say so)."""
        if role is not None:
            self.bearer_role = role
            (self.bearer_id if role == "id" else self.bearer_access).setChecked(True)
            label = "ID token" if role == "id" else "access token"
            self.copy_bearer.setText(
                "Copy as Bearer (ID token)" if role == "id" else "Copy as Bearer"
            )
            self.bearer_button.setAccessibleName(f"Copy as Bearer with the {label}")
        token = bearer_token(self.bearer_role, self._shown(), self._current())
        label = "ID token" if self.bearer_role == "id" else "access token"
        if token is None:
            self.sig_copied.emit(f"No {label} to copy.")
            return
        QGuiApplication.clipboard().setText(BEARER_PREFIX + token)
        self.sig_copied.emit(f"Copied “Authorization: Bearer …” with the {label}.")

    def copy_shown_token(self) -> None:
        shown = self._shown()
        if shown is None:
            return
        QGuiApplication.clipboard().setText(shown.entry.token)
        self.sig_copied.emit(f"Copied the {shown.entry.label.lower()}.")

    def copy_shown_claims(self) -> None:
        """The decoded claims, pretty-printed JSON."""
        shown = self._shown()
        if shown is None or shown.decoded is None:
            return
        QGuiApplication.clipboard().setText(pretty_json(shown.decoded.claims))
        self.sig_copied.emit("Copied the claims as JSON.")

    def update(
        self,
        idle: bool,
        shown: ShownToken | None,
        own: TokenSet | None,
        current: TokenSet | None,
    ) -> None:
        """Enable what can run for ``shown`` now; the tooltips say why an action cannot.

        ``idle``: no server action runs; ``own``: the current tokens when the shown token is
        one of them (None for a pasted token); ``current``: the current tokens.
        """
        has_shown = shown is not None
        has_access = own is not None and bool(own.access_token)
        has_refresh = own is not None and bool(own.refresh_token)
        self._update_refresh(idle, shown, own)
        self.revoke.setEnabled(idle and (has_shown or own is not None))
        self.revoke_access.setEnabled(idle and has_access)
        self.revoke_refresh.setEnabled(idle and has_refresh)
        self.introspect.setEnabled(idle and has_shown)
        self.userinfo.setEnabled(idle and userinfo_token(shown, own) is not None)
        self._update_reality(idle, shown)
        self._update_logout(idle, current)
        self._update_bearer(shown, current)
        self.copy_token.setEnabled(has_shown)
        self.call_api.setEnabled(has_shown)
        self.copy_claims.setEnabled(shown is not None and shown.decoded is not None)

    def _update_refresh(self, idle: bool, shown: ShownToken | None, own: TokenSet | None) -> None:
        self.refresh.setEnabled(idle and own is not None and bool(own.refresh_token))
        if shown is not None and shown.entry.role == "pasted":
            self.refresh.setToolTip(
                "A pasted token brings no refresh token of its own: Refresh redeems the refresh"
                " token of the current tokens only (paste a refresh token in the Refresh tab)"
            )
        elif own is not None and not own.refresh_token:
            self.refresh.setToolTip("These tokens came without a refresh token")
        else:
            self.refresh.setToolTip(f"{REFRESH_TIP} (Ctrl+R)")

    def _update_reality(self, idle: bool, shown: ShownToken | None) -> None:
        if shown is not None and shown.entry.role == "id":
            self.reality.setEnabled(False)
            self.reality.setToolTip(
                "ID tokens are not revocable: the server check applies to access tokens"
            )
            return
        self.reality.setEnabled(idle and shown is not None and shown.decoded is not None)
        self.reality.setToolTip(f"{REALITY_TIP} (Ctrl+K)")

    def _update_logout(self, idle: bool, current: TokenSet | None) -> None:
        """Enabled with an ID token of the current tokens; while a logout waits, it cancels."""
        if self.logout.text() == CANCEL_LOGOUT:
            self.logout.setEnabled(True)
            return
        has_id = current is not None and bool(current.id_token)
        self.logout.setEnabled(idle and has_id)
        self.logout.setToolTip(
            LOGOUT_TIP if has_id else "Logging out needs an ID token of the current tokens"
        )

    def logging_out(self, waiting: bool) -> None:
        """While a logout waits for the provider, the action cancels it."""
        self.logout.setText(CANCEL_LOGOUT if waiting else "Log out")
        self.logout_button.setAccessibleName(self.logout.text())

    def _update_bearer(self, shown: ShownToken | None, current: TokenSet | None) -> None:
        if self.bearer_role == "id" and bearer_token("id", shown, current) is None:
            self.bearer_role = "access"  # no ID token any more: back to the access token
            self.bearer_access.setChecked(True)
            self.copy_bearer.setText("Copy as Bearer")
        self.copy_bearer.setEnabled(bearer_token(self.bearer_role, shown, current) is not None)
        self.bearer_id.setEnabled(current is not None and bool(current.id_token))
        self.copy_dpop.setEnabled(bearer_token("access", shown, current) is not None)
