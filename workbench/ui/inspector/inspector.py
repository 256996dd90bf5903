"""The token inspector: pick or paste a token, read its claims, see every check, act on it.

Decoding is instant and happens on the GUI thread, so the claims show at once; verification
(which may fetch the issuer's JWKS) and every server action (refresh, revoke, introspection,
UserInfo, the revocation reality check) run in :mod:`workbench.ui.workers`.

Everything a token or a provider wrote (claims, header members, reasons, error messages) is
shown through :func:`~workbench.core.display.printable` in plain-text labels, and the verdict
says "valid" with the pass colour only when the signature check passed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.claims import expiry, format_local, format_relative
from workbench.core.display import printable
from workbench.core.errors import (
    ConfigError,
    OAuthError,
    TokenError,
    TransportError,
    WorkbenchError,
)
from workbench.core.flows.refresh import ROTATION_TEXT
from workbench.core.masking import mask_text
from workbench.core.session import OAuthSession, RealityCheck, RefreshResult
from workbench.core.tokens import (
    NO_ISSUER_KEYS,
    DecodedJwt,
    Inspection,
    decode_jwt,
    inspect_token,
    token_kind,
)
from workbench.core.tokenset import TokenSet
from workbench.ui import metrics, workers
from workbench.ui.dialogs.exception_dialog import show_exception
from workbench.ui.inspector.claims_model import (
    ClaimNameRole,
    ClaimsTableModel,
    RawValueRole,
    name_font,
)
from workbench.ui.inspector.findings import FindingsView
from workbench.ui.inspector.flow_layout import FlowLayout
from workbench.ui.inspector.reality import RealityCheckPanel, signature_fail_headline
from workbench.ui.inspector.results import ActionResultView, pretty_json
from workbench.ui.inspector.style import semantic_colours, set_outcome, set_property, stylesheet
from workbench.ui.reveal import reveal
from workbench.ui.safe_text import html_text, tooltip
from workbench.ui.state import AppState, TokenContext
from workbench.ui.widgets.banners import MessageBanner
from workbench.ui.widgets.countdown import CountdownBar

PASTE_DEBOUNCE_MS = 250  # decode the pasted text this long after the last keystroke
KIND_CACHE_SIZE = 64  # picker descriptions remembered per token string

Role = Literal["access", "id", "refresh", "pasted"]
ROLE_LABELS: dict[Role, str] = {
    "access": "Access token",
    "id": "ID token",
    "refresh": "Refresh token",
    "pasted": "Pasted",
}
TYPE_HINTS: dict[Role, Literal["access_token", "refresh_token"] | None] = {
    "access": "access_token",
    "id": None,
    "refresh": "refresh_token",
    "pasted": None,
}
BEARER_PREFIX = "Authorization: Bearer "
REFRESH_TIP = "Get new tokens with the refresh token of the shown tokens"

# The core speaks to the CLI user in places; the inspector says the same in its own terms.
_UI_REASONS = {
    NO_ISSUER_KEYS: "no issuer keys: choose a provider, whose JWKS verifies the signature",
    "pass --audience or --client-id": "choose a provider to compare with its client",
}


@dataclass(frozen=True)
class TokenEntry:
    """One choice of the token picker."""

    role: Role
    label: str
    token: str


@dataclass(frozen=True)
class ShownToken:
    """What the inspector shows now: the entry and what decoding it gave."""

    entry: TokenEntry
    kind: str  # jwt / jwe / opaque / malformed
    decoded: DecodedJwt | None
    problem: str = ""


# -- work done off the GUI thread ----------------------------------------------------------


def _verify(
    session: OAuthSession,
    token: str,
    kind: Literal["access", "id", "auto"],
    nonce: str | None,
    access_token: str | None,
) -> tuple[Inspection, str]:
    """Full inspection against the provider; local checks only when the provider is away.

    Verification was asked for, so a provider that cannot be reached fails the signature
    check ("not verified: …") rather than leaving it merely unchecked: fail closed.
    """
    try:
        return session.inspect(token, kind=kind, nonce=nonce, access_token=access_token), ""
    except (TransportError, OAuthError, ConfigError) as exc:
        message = mask_text(str(exc), session.log.secrets())
        note = f"Could not reach the provider ({message}): only the local checks ran."
        unreachable = f"the provider could not be reached: {message}"
        return inspect_token(token, keys_unavailable=unreachable, verify=True), note


def _userinfo(session: OAuthSession, token: str) -> tuple[int, dict[str, Any] | OAuthError]:
    """UserInfo's claims, or the 401 (which is an answer here, not a failure)."""
    try:
        return 200, session.userinfo(token)
    except OAuthError as exc:
        if exc.status == 401:
            return 401, exc
        raise


def _provider_words(session: OAuthSession | None) -> str:
    """A provider as the inspector names it: its name, else its issuer."""
    if session is None:
        return "no provider"
    provider = session.provider
    return printable(f"“{provider.name or provider.issuer or 'the provider'}”")


def _claimed_issuer(token: str) -> str | None:
    """The ``iss`` a JWT claims (unverified: it only picks whose keys to check it with)."""
    try:
        iss = decode_jwt(token).claims.get("iss")
    except TokenError:
        return None
    return iss if isinstance(iss, str) and iss else None


def _ui_reason(reason: str) -> str:
    for cli, ui in _UI_REASONS.items():
        reason = reason.replace(cli, ui)
    return reason


def _preview(token: str) -> str:
    keep = metrics.TOKEN_PREVIEW_CHARS
    return token if len(token) <= keep else token[:keep] + "…"


class TokenInspector(QWidget):
    """The panel beside the flow tabs. Construct with the window's :class:`AppState`."""

    sig_status = Signal(str)
    """A short message for the status bar (copied, refreshed, revoked…)."""
    sig_checked = Signal(object)
    """The shown token's checks finished: the Inspection."""
    sig_action_finished = Signal(str)
    """A server action ended (refresh, revoke, introspect, userinfo, reality)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("tokenInspector")
        self.setAccessibleName("Token inspector")
        self._entries: list[TokenEntry] = []
        self._shown: ShownToken | None = None
        self._inspection: Inspection | None = None
        self._revoked: set[str] = set()
        self._check_generation = 0
        self._running: set[workers.Worker] = set()
        self._actions_running = 0
        self._bearer_role: Literal["access", "id"] = "access"
        self._json_dirty = False
        self._applied_qss = ""
        self._reality_label = ROLE_LABELS["access"]
        self._kind_words: dict[str, str] = {}

        self._build_actions()
        self._build_ui()
        self._apply_palette()

        # Once the shown token expired: what the exp reason adds to "expired 2 min ago (…)"
        # (None: not expired since its check, which ran at _checked_at).
        self._exp_note: str | None = None
        self._checked_at = 0.0
        self._tick_timer = QTimer(self)
        self._tick_timer.setObjectName("inspectorTick")
        self._tick_timer.setInterval(metrics.TIMER_INTERVAL_MS)
        self._tick_timer.timeout.connect(self._on_tick)
        self._paste_timer = QTimer(self)
        self._paste_timer.setObjectName("inspectorPasteDebounce")
        self._paste_timer.setSingleShot(True)
        self._paste_timer.setInterval(PASTE_DEBOUNCE_MS)
        self._paste_timer.timeout.connect(self._on_paste_settled)

        state.sig_tokens_changed.connect(self._on_tokens_changed)
        state.sig_inspect_token.connect(self._on_inspect_token)
        state.sig_reality_check.connect(self._on_reality_check_requested)
        state.sig_provider_changed.connect(self._on_provider_changed)
        if state.tokens is not None:
            self._on_tokens_changed(state.tokens, state.context)
        else:
            self._rebuild_picker()
            self._show_nothing()

    # ======================================================================== building
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
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._make_action
        self.act_paste = a(
            "actionPasteToken", "Paste token…", "Inspect a token pasted by hand", "Ctrl+Shift+V"
        )
        self.act_paste.triggered.connect(self.start_paste)
        self.act_refresh = a("actionRefreshTokens", "Refresh", REFRESH_TIP, "Ctrl+R")
        self.act_refresh.triggered.connect(self.refresh)
        self.act_revoke = a(
            "actionRevoke",
            "Revoke",
            "Revoke the shown token at the server (RFC 7009); the menu picks which",
            "Ctrl+Shift+Del",
        )
        self.act_revoke.triggered.connect(lambda: self.revoke(None))
        self.act_revoke_access = a(
            "actionRevokeAccess", "Revoke the access token", "token_type_hint=access_token"
        )
        self.act_revoke_access.triggered.connect(lambda: self.revoke("access"))
        self.act_revoke_refresh = a(
            "actionRevokeRefresh", "Revoke the refresh token", "token_type_hint=refresh_token"
        )
        self.act_revoke_refresh.triggered.connect(lambda: self.revoke("refresh"))
        self.act_introspect = a(
            "actionIntrospect",
            "Introspect",
            "Ask the server whether the shown token is active (RFC 7662)",
            "Ctrl+I",
        )
        self.act_introspect.triggered.connect(self.introspect)
        self.act_userinfo = a(
            "actionUserInfo", "UserInfo", "Call UserInfo with the access token", "Ctrl+U"
        )
        self.act_userinfo.triggered.connect(self.userinfo)
        self.act_reality = a(
            "actionRealityCheck",
            "Check with server",
            "Verify the token locally and ask the server, side by side",
            "Ctrl+K",
        )
        self.act_reality.triggered.connect(self.reality_check)
        self.act_copy_bearer = a(
            "actionCopyBearer",
            "Copy as Bearer",
            "Copy “Authorization: Bearer …” with the access token or, from the menu, the ID"
            " token (Cognito-backed API Gateway authorizers want the ID token)",
            "Ctrl+Shift+B",
        )
        self.act_copy_bearer.triggered.connect(lambda: self.copy_bearer())
        group = QActionGroup(self)
        group.setExclusive(True)
        self.act_bearer_access = a(
            "actionBearerAccess", "Access token", "Copy as Bearer uses the access token"
        )
        self.act_bearer_id = a("actionBearerId", "ID token", "Copy as Bearer uses the ID token")
        for action, role in ((self.act_bearer_access, "access"), (self.act_bearer_id, "id")):
            action.setCheckable(True)
            group.addAction(action)
            action.triggered.connect(lambda _=False, r=role: self.copy_bearer(r))
        self.act_bearer_access.setChecked(True)
        self.act_copy_token = a(
            "actionCopyToken", "Copy token", "Copy the shown token", "Ctrl+Alt+C"
        )
        self.act_copy_token.triggered.connect(self.copy_token)
        self.act_copy_claims = a(
            "actionCopyClaims",
            "Copy JSON",
            "Copy the decoded claims as JSON",
            "Ctrl+Shift+J",
        )
        self.act_copy_claims.triggered.connect(self.copy_claims)

    def _tool_button(self, name: str, action: QAction, menu: QMenu | None = None) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setDefaultAction(action)
        button.setAccessibleName(action.text())
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setAutoRaise(False)
        if menu is not None:
            button.setMenu(menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        return button

    def _build_ui(self) -> None:
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        # -- picker
        picker_label = QLabel("&Token", self)
        self.picker = QComboBox(self)
        self.picker.setObjectName("inspectorTokenPicker")
        self.picker.setAccessibleName("Token to inspect")
        self.picker.setToolTip("Which token to inspect: the current tokens, or one pasted by hand")
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.picker.setMinimumContentsLength(metrics.INSPECTOR_PICKER_MIN_CHARS)
        self.picker.setPlaceholderText("No token yet: run a flow, or paste one")
        self.picker.currentIndexChanged.connect(self._on_picker_changed)
        picker_label.setBuddy(self.picker)
        self.paste_button = self._tool_button("inspectorPaste", self.act_paste)

        # -- paste box
        self.paste_frame = QFrame(self)
        self.paste_frame.setObjectName("inspectorPasteFrame")
        self.paste_edit = QPlainTextEdit(self.paste_frame)
        self.paste_edit.setObjectName("inspectorPasteBox")
        self.paste_edit.setAccessibleName("Pasted token")
        self.paste_edit.setPlaceholderText(
            "Paste a JWT (or any token) here: it is decoded as you type. A leading “Bearer ” and"
            " line breaks are ignored."
        )
        self.paste_edit.setFont(fixed)
        self.paste_edit.setTabChangesFocus(True)
        self.paste_edit.setFixedHeight(
            metrics.line_height(self.paste_edit, metrics.INSPECTOR_PASTE_LINES)
        )
        self.paste_edit.textChanged.connect(self._on_paste_edited)
        paste_close = QToolButton(self.paste_frame)
        paste_close.setObjectName("inspectorPasteClose")
        paste_close.setAccessibleName("Close the paste box")
        paste_close.setToolTip("Close the paste box")
        paste_close.setText("✕")
        paste_close.setAutoRaise(True)
        paste_close.clicked.connect(self.paste_frame.hide)
        paste_row = QHBoxLayout(self.paste_frame)
        paste_row.setContentsMargins(0, 0, 0, 0)
        paste_row.addWidget(self.paste_edit, 1)
        paste_row.addWidget(paste_close, 0, Qt.AlignmentFlag.AlignTop)
        self.paste_frame.hide()

        # -- the token card
        self.card = QFrame(self)
        self.card.setObjectName("inspectorCard")
        self.card.setAccessibleName("Token summary")
        self.card.setProperty("role", "card")
        self.title = QLabel(self.card)
        self.title.setObjectName("inspectorTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        title_font = QFont(self.font())
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * metrics.INSPECTOR_TITLE_SCALE)
        self.title.setFont(title_font)
        self.chips: list[QLabel] = []
        for i in range(4):
            chip = QLabel(self.card)
            chip.setObjectName(f"inspectorChip{i}")
            chip.setProperty("role", "chip")
            chip.setTextFormat(Qt.TextFormat.PlainText)  # alg and typ come from the token
            chip.setFont(fixed)
            self.chips.append(chip)
        self.size_label = QLabel(self.card)
        self.size_label.setObjectName("inspectorSize")
        self.size_label.setProperty("role", "muted")
        self.size_label.setTextFormat(Qt.TextFormat.PlainText)
        self.countdown = CountdownBar(
            self.card,
            "inspectorCountdown",
            running_text="expires {when}",
            expired_text="expired {when}",
        )
        self.countdown.setAccessibleName("Time until the token expires")
        self.countdown.sig_expired.connect(self._on_expired)
        self.expiry_label = QLabel(self.card)
        self.expiry_label.setObjectName("inspectorExpiresAt")
        self.expiry_label.setProperty("role", "secondary")
        self.expiry_label.setWordWrap(True)
        self.expiry_label.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict = QLabel(self.card)
        self.verdict.setObjectName("inspectorVerdict")
        self.verdict.setAccessibleName("Verdict")
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.verdict.setWordWrap(True)
        self.verdict.linkActivated.connect(self._on_verdict_link)
        verdict_font = QFont(self.font())
        verdict_font.setBold(True)
        self.verdict.setFont(verdict_font)
        self.note = QLabel(self.card)
        self.note.setObjectName("inspectorNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.opaque_introspect = QPushButton("Introspect", self.card)
        self.opaque_introspect.setObjectName("inspectorOpaqueIntrospect")
        self.opaque_introspect.setAccessibleName("Introspect this opaque token")
        self.opaque_introspect.setToolTip(self.act_introspect.toolTip())
        self.opaque_introspect.clicked.connect(self.introspect)
        head = FlowLayout(None, metrics.SPACING // 2)
        head.addWidget(self.title)
        for chip in self.chips:
            head.addWidget(chip)
        expiry_row = QHBoxLayout()
        expiry_row.setSpacing(metrics.SPACING)
        expiry_row.addWidget(self.expiry_label, 1)
        expiry_row.addWidget(self.size_label)
        note_row = QHBoxLayout()
        note_row.addWidget(self.note, 1)
        note_row.addWidget(self.opaque_introspect, 0, Qt.AlignmentFlag.AlignTop)
        card_layout = QVBoxLayout(self.card)
        card_layout.setContentsMargins(
            metrics.MARGIN, metrics.SPACING, metrics.MARGIN, metrics.MARGIN
        )
        card_layout.setSpacing(metrics.SPACING // 2)
        card_layout.addLayout(head)
        card_layout.addWidget(self.countdown)
        card_layout.addLayout(expiry_row)
        card_layout.addWidget(self.verdict)
        card_layout.addLayout(note_row)

        # -- actions
        revoke_menu = QMenu(self)
        revoke_menu.setObjectName("inspectorRevokeMenu")
        revoke_menu.addActions([self.act_revoke_access, self.act_revoke_refresh])
        bearer_menu = QMenu(self)
        bearer_menu.setObjectName("inspectorBearerMenu")
        bearer_menu.addSection("Copy “Authorization: Bearer …” with")
        bearer_menu.addActions([self.act_bearer_access, self.act_bearer_id])
        self.refresh_button = self._tool_button("inspectorRefresh", self.act_refresh)
        self.revoke_button = self._tool_button("inspectorRevoke", self.act_revoke, revoke_menu)
        self.introspect_button = self._tool_button("inspectorIntrospect", self.act_introspect)
        self.userinfo_button = self._tool_button("inspectorUserInfo", self.act_userinfo)
        self.reality_button = self._tool_button("inspectorRealityCheck", self.act_reality)
        self.bearer_button = self._tool_button(
            "inspectorCopyBearer", self.act_copy_bearer, bearer_menu
        )
        self.copy_token_button = self._tool_button("inspectorCopyToken", self.act_copy_token)
        self.copy_claims_button = self._tool_button("inspectorCopyClaims", self.act_copy_claims)
        self.actions_bar = QWidget(self)
        self.actions_bar.setObjectName("inspectorActions")
        self.actions_bar.setAccessibleName("Token actions")
        flow = FlowLayout(self.actions_bar, metrics.SPACING // 2)
        for button in (
            self.refresh_button,
            self.revoke_button,
            self.introspect_button,
            self.userinfo_button,
            self.reality_button,
        ):
            flow.addWidget(button)
        gap = QWidget(self.actions_bar)
        gap.setObjectName("inspectorActionsGap")
        gap.setFixedSize(metrics.SPACING, metrics.INSPECTOR_ACTIONS_GAP_HEIGHT)
        flow.addWidget(gap)
        for button in (self.bearer_button, self.copy_token_button):
            flow.addWidget(button)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("inspectorStatus")
        self.status_label.setProperty("role", "secondary")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.hide()
        self.error_banner = MessageBanner("error", self, self.state.log.secrets)
        self.error_banner.setObjectName("inspectorError")
        self.result_view = ActionResultView(self)
        self.reality = RealityCheckPanel(self)
        self.reality.sig_recheck.connect(self._on_recheck)

        # -- tabs: claims, checks, header, JSON
        self.claims_model = ClaimsTableModel("claims", self)
        self.claims_proxy = QSortFilterProxyModel(self)
        self.claims_proxy.setSourceModel(self.claims_model)
        self.claims_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.claims_proxy.setFilterKeyColumn(-1)
        self.claims_filter = QLineEdit(self)
        self.claims_filter.setObjectName("inspectorClaimsFilter")
        self.claims_filter.setAccessibleName("Filter claims")
        self.claims_filter.setPlaceholderText("Filter claims, values and meanings…")
        self.claims_filter.setClearButtonEnabled(True)
        self.claims_filter.textChanged.connect(self.claims_proxy.setFilterFixedString)
        self.claims_table = self._table("inspectorClaimsTable", "Claims", self.claims_proxy)
        claims_page = QWidget(self)
        claims_layout = QVBoxLayout(claims_page)
        claims_layout.setContentsMargins(0, metrics.SPACING // 2, 0, 0)
        claims_layout.setSpacing(metrics.SPACING // 2)
        filter_row = QHBoxLayout()
        filter_row.setSpacing(metrics.SPACING // 2)
        filter_row.addWidget(self.claims_filter, 1)
        filter_row.addWidget(self.copy_claims_button)
        claims_layout.addLayout(filter_row)
        claims_layout.addWidget(self.claims_table, 1)

        self.header_model = ClaimsTableModel("header", self)
        self.header_table = self._table("inspectorHeaderTable", "JOSE header", self.header_model)
        self.findings = FindingsView(self)
        self.raw_json = QPlainTextEdit(self)
        self.raw_json.setObjectName("inspectorRawJson")
        self.raw_json.setAccessibleName("Decoded header and claims as JSON")
        self.raw_json.setReadOnly(True)
        self.raw_json.setFont(fixed)
        self.raw_json.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("inspectorTabs")
        self.tabs.setAccessibleName("Token details")
        self.tabs.setDocumentMode(True)
        self.tab_claims = self.tabs.addTab(claims_page, "Claims")
        self.tab_checks = self.tabs.addTab(self.findings, "Checks")
        self.tab_header = self.tabs.addTab(self.header_table, "Header")
        self.tab_json = self.tabs.addTab(self.raw_json, "JSON")
        self.tabs.currentChanged.connect(self._on_tab_changed)

        self.empty = QLabel(self)
        self.empty.setObjectName("inspectorEmpty")
        self.empty.setAccessibleName("No token")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setProperty("role", "secondary")
        self.empty.setText(
            "No token yet.\n\nRun a flow on the left, or paste a token (Ctrl+Shift+V)\n"
            "to decode it, check its signature and ask the server about it."
        )

        self.filler = QWidget(self)
        self.filler.setObjectName("inspectorFiller")
        self.tabs.setMinimumHeight(metrics.line_height(self, metrics.INSPECTOR_TABS_MIN_LINES))

        top = QHBoxLayout()
        top.setSpacing(metrics.SPACING)
        top.addWidget(picker_label)
        top.addWidget(self.picker, 1)
        top.addWidget(self.paste_button)
        body = QWidget(self)
        body.setObjectName("inspectorBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(metrics.SPACING)
        column.addWidget(self.card)
        column.addWidget(self.actions_bar)
        column.addWidget(self.status_label)
        column.addWidget(self.error_banner)
        column.addWidget(self.result_view)
        column.addWidget(self.reality)
        column.addWidget(self.tabs, 1)
        column.addWidget(self.empty, 1)
        column.addWidget(self.filler, 1)
        self.body_scroll = QScrollArea(self)
        self.body_scroll.setObjectName("inspectorScroll")
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body_scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(metrics.MARGIN, metrics.MARGIN, metrics.MARGIN, metrics.MARGIN)
        layout.setSpacing(metrics.SPACING)
        layout.addLayout(top)
        layout.addWidget(self.paste_frame)
        layout.addWidget(self.body_scroll, 1)
        for table in (self.claims_table, self.header_table):
            table.installEventFilter(self)

    def _table(self, name: str, label: str, model: Any) -> QTableView:
        table = QTableView(self)
        table.setObjectName(name)
        table.setAccessibleName(label)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setCornerButtonEnabled(False)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(
            metrics.line_height(table, metrics.INSPECTOR_ROW_HEIGHT_LINES)
        )
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ClaimsTableModel.VALUE, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for key, text, column, shortcut in (
            ("CopyValue", "Copy value", ClaimsTableModel.VALUE, "Ctrl+C"),
            ("CopyName", "Copy name", ClaimsTableModel.CLAIM, None),
            ("CopyJson", "Copy value as JSON", -1, None),
        ):
            action = QAction(text, table)
            action.setObjectName(f"{name}{key}")
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _=False, t=table, c=column: self._copy_cell(t, c))
            table.addAction(action)
        return table

    # ======================================================================== public API
    @property
    def busy(self) -> bool:
        """True while a check or a server action runs in a worker."""
        return bool(self._running)

    @property
    def shown(self) -> ShownToken | None:
        return self._shown

    @property
    def inspection(self) -> Inspection | None:
        """The checks of the shown token, once they finished."""
        return self._inspection

    def entries(self) -> list[TokenEntry]:
        return list(self._entries)

    def show_token(self, token: str, label: str = "Pasted") -> None:
        """Inspect ``token``; one of the current tokens is selected, anything else is pasted."""
        text = token.strip()
        if not text:
            return
        for index, entry in enumerate(self._entries):
            if entry.token == text and entry.role != "pasted":
                self._select(index)
                return
        pasted = TokenEntry("pasted", label or ROLE_LABELS["pasted"], text)
        self._entries = [e for e in self._entries if e.role != "pasted"] + [pasted]
        self._rebuild_picker()
        self._select(len(self._entries) - 1)

    def select_role(self, role: Role) -> bool:
        """Show the current token of that role (access, id, refresh, pasted)."""
        for index, entry in enumerate(self._entries):
            if entry.role == role:
                self._select(index)
                return True
        return False

    def start_paste(self) -> None:
        """Open the paste box (Ctrl+Shift+V); a token on the clipboard is pasted at once."""
        self.paste_frame.show()
        clip = QGuiApplication.clipboard().text().strip()
        if clip and len(clip.split()) <= 2 and clip != self.paste_edit.toPlainText().strip():
            self.paste_edit.setPlainText(clip)
            self._paste_timer.stop()
            self.show_token(clip)
        self.paste_edit.setFocus()
        self.paste_edit.selectAll()

    # ======================================================================== picker
    def _rebuild_picker(self) -> None:
        self.picker.blockSignals(True)
        current = self.picker.currentIndex()
        self.picker.clear()
        for entry in self._entries:
            self.picker.addItem(self._entry_text(entry))
            self.picker.setItemData(
                self.picker.count() - 1,
                tooltip(_preview(entry.token)),
                Qt.ItemDataRole.ToolTipRole,
            )
        self.picker.setEnabled(bool(self._entries))
        self.picker.setCurrentIndex(min(max(current, 0), self.picker.count() - 1))
        self.picker.blockSignals(False)

    def _entry_text(self, entry: TokenEntry) -> str:
        words = self._kind_words.get(entry.token)
        if words is None:
            words = self._describe_kind(entry.token)
            if len(self._kind_words) > KIND_CACHE_SIZE:
                self._kind_words.clear()
            self._kind_words[entry.token] = words
        text = f"{entry.label} — {words}"
        if entry.token in self._revoked:
            text += " · revoked"
        return printable(text)

    @staticmethod
    def _describe_kind(token: str) -> str:
        """``JWT · RS256``, ``opaque``, ``encrypted JWT (JWE)`` or ``malformed JWT``."""
        kind = token_kind_safe(token)
        words = {"jwt": "JWT", "jwe": "encrypted JWT (JWE)", "opaque": "opaque"}.get(kind, kind)
        if kind == "jwt":
            try:
                alg = decode_jwt(token).alg
            except TokenError:
                words = "malformed JWT"
            else:
                words = f"JWT · {alg}" if alg else words
        return words

    def _select(self, index: int) -> None:
        self.picker.blockSignals(True)
        self.picker.setCurrentIndex(index)
        self.picker.blockSignals(False)
        self._show_entry(self._entries[index])

    def _on_picker_changed(self, index: int) -> None:
        if 0 <= index < len(self._entries):
            self._show_entry(self._entries[index])

    # ======================================================================== showing
    def _clear_results(self) -> None:
        self.error_banner.hide()
        self.status_label.hide()
        self.result_view.hide()
        self.reality.hide()

    def _show_nothing(self) -> None:
        self._clear_results()
        self._shown = None
        self._inspection = None
        self._check_generation += 1
        self.card.hide()
        self.tabs.hide()
        self.filler.hide()
        self.empty.show()
        self.countdown.clear()
        self.claims_model.clear()
        self.header_model.clear()
        self.raw_json.clear()
        self.findings.clear()
        self._update_actions()
        self._update_ticking()

    def _show_entry(self, entry: TokenEntry) -> None:
        """Decode at once on this thread; start the checks in a worker.

        Results of actions on the token shown before (introspection, UserInfo, an error, the
        reality check) are cleared: they are not about this token.
        """
        if self._shown is None or self._shown.entry.token != entry.token:
            self._clear_results()
        self._check_generation += 1
        self._inspection = None
        self.empty.hide()
        self.card.show()
        self.title.setText(printable(entry.label))
        self.size_label.setText(f"{len(entry.token):,} chars")
        kind = token_kind_safe(entry.token)
        decoded: DecodedJwt | None = None
        problem = ""
        if kind == "jwt":
            try:
                decoded = decode_jwt(entry.token)
            except TokenError as exc:
                kind, problem = "malformed", str(exc)
        elif kind == "jwe":
            try:
                decode_jwt(entry.token)
            except TokenError as exc:
                problem = str(exc)
        self._shown = ShownToken(entry, kind, decoded, problem)
        if decoded is not None:
            self._show_jwt(entry, decoded)
        else:
            self._show_undecodable(entry, kind, problem)
        self._update_actions()
        self._update_ticking()

    def _set_chips(self, *texts: str, outcome: str = "") -> None:
        for chip, text in zip(self.chips, (*texts, "", "", "", ""), strict=False):
            chip.setText(printable(text))
            chip.setVisible(bool(text))
            set_outcome(chip, outcome)

    def _show_chips(self, shown: ShownToken) -> None:
        """JWT · alg · typ (or opaque / JWE / malformed), and "revoked" once it was."""
        if shown.decoded is not None:
            typ = shown.decoded.header.get("typ")
            # typ "JWT" says what the first chip says: shown once (at+jwt and others stay).
            typ_chip = typ if isinstance(typ, str) and typ.upper() != "JWT" else ""
            self._set_chips("JWT", shown.decoded.alg or "no alg", typ_chip)
        elif shown.kind == "opaque":
            self._set_chips("opaque")
        else:
            self._set_chips("JWE" if shown.kind == "jwe" else "malformed", outcome="fail")
        if shown.entry.token in self._revoked:
            chip = next((c for c in self.chips if not c.text()), self.chips[-1])
            chip.setText("revoked")
            chip.setVisible(True)
            set_outcome(chip, "fail")

    def _show_jwt(self, entry: TokenEntry, decoded: DecodedJwt) -> None:
        header, claims = decoded.header, decoded.claims
        assert self._shown is not None
        self._show_chips(self._shown)
        now = time.time()
        self.claims_model.set_claims(claims, now)
        self.header_model.set_header(header)
        self._fit_columns(names_changed=True)
        self.tabs.setTabText(self.tab_claims, f"Claims ({len(claims)})")
        self.tabs.setTabText(self.tab_header, f"Header ({len(header)})")
        self._json_dirty = True
        if self.tabs.currentIndex() == self.tab_json:
            self._fill_json()
        self.tabs.show()
        self.filler.hide()
        self.note.hide()
        self.opaque_introspect.hide()
        self._show_expiry_from_claims(decoded)
        self._start_checks(entry, decoded)

    def _show_expiry_from_claims(self, decoded: DecodedJwt) -> None:
        picture = expiry(decoded.claims, time.time())
        if picture.expires_at is None:
            self.countdown.clear()
            self.countdown.hide()
            if picture.problem is not None:
                self.expiry_label.setText(
                    printable(f"Invalid exp ({picture.problem}): see the Checks tab.")
                )
            else:
                self.expiry_label.setText("No exp claim: this token never expires by itself.")
            return
        self.countdown.show()
        self.countdown.set_deadline(picture.expires_at, picture.lifetime)
        self.expiry_label.setText(f"exp {format_local(picture.expires_at)} (local time)")

    def _show_undecodable(self, entry: TokenEntry, kind: str, problem: str) -> None:
        self.tabs.hide()
        self.filler.show()
        self.findings.clear("Nothing to check: the token cannot be decoded.")
        self.claims_model.clear()
        self.header_model.clear()
        self.raw_json.clear()
        self.expiry_label.setText("")
        self.opaque_introspect.show()
        assert self._shown is not None
        self._show_chips(self._shown)
        if kind == "opaque":
            who = (
                "Refresh tokens of most servers are opaque handles"
                if entry.role == "refresh"
                else "This token is not a JWT"
            )
            self.note.setText(
                f"{who}: there is nothing to decode. Only the server that issued it can say"
                " anything about it: introspect it (Ctrl+I)."
            )
            set_property(self.note, "role", "")
            set_outcome(self.verdict, "not_checked")
            self.verdict.setText("– Opaque token: only the server can check it")
        else:
            self.note.setText(printable(problem))
            set_property(self.note, "role", "")
            set_outcome(self.verdict, "fail" if kind == "malformed" else "not_checked")
            self.verdict.setText(
                "✗ Not a readable token" if kind == "malformed" else "– Encrypted: cannot be read"
            )
        self.note.show()
        # An opaque access token's lifetime is known from the token response (expires_in).
        tokens = self.state.tokens
        if (
            entry.role == "access"
            and tokens is not None
            and tokens.access_token == entry.token
            and tokens.expires_at is not None
        ):
            self.countdown.show()
            self.countdown.set_deadline(tokens.expires_at, tokens.expires_in)
        else:
            self.countdown.clear()
            self.countdown.hide()

    def _fill_json(self) -> None:
        shown = self._shown
        if shown is None or shown.decoded is None:
            self.raw_json.clear()
        else:
            document = {"header": shown.decoded.header, "claims": shown.decoded.claims}
            self.raw_json.setPlainText(printable(pretty_json(document), keep_newlines=True))
        self._json_dirty = False

    def _fit_columns(self, names_changed: bool = False) -> None:
        """Claim column as wide as the longest name (capped), Meaning a share of the rest.

        The names are drawn in a fixed-pitch font, so the longest name is the one with the most
        characters: one ``len`` per claim instead of a font measurement per claim.
        """
        font_metrics = QFontMetrics(name_font())
        char = font_metrics.horizontalAdvance("M")
        pad = metrics.SPACING * 3
        for table, model in (
            (self.claims_table, self.claims_model),
            (self.header_table, self.header_model),
        ):
            header = table.horizontalHeader()
            if names_changed:
                chars = max((len(n) for n in model.names()), default=len("Claim"))
                chars = min(max(chars, len("Parameter")), metrics.INSPECTOR_CLAIM_COLUMN_MAX_CHARS)
                header.resizeSection(ClaimsTableModel.CLAIM, chars * char + pad)
            # The table's own width: its viewport is resized only after the event filter runs.
            width = table.width() - 2 * table.frameWidth()
            header.resizeSection(
                ClaimsTableModel.MEANING,
                max(int(width * metrics.INSPECTOR_MEANING_COLUMN_SHARE), pad * 4),
            )

    # ======================================================================== checks
    def _start_checks(self, entry: TokenEntry, decoded: DecodedJwt) -> None:
        generation = self._check_generation
        session, where_note = self._resolve(entry.token)
        self._inspection = None
        self._exp_note = None
        if session is None:
            inspection = inspect_token(decoded)
            self._on_checked(
                generation,
                (
                    inspection,
                    "No provider chosen: only the local checks ran. Choose a provider to"
                    " verify the signature with its keys.",
                ),
            )
            return
        set_outcome(self.verdict, "checking")
        self.verdict.setText("… Checking the signature and claims")
        where = _provider_words(session)
        self.findings.set_checking(f"Checking against {where} (its JWKS may be fetched)…")
        self.tabs.setTabText(self.tab_checks, "Checks (checking…)")
        kind: Literal["access", "id", "auto"] = "auto"
        nonce: str | None = None
        access_token: str | None = None
        tokens, context = self.state.tokens, self.state.context
        if entry.role == "access":
            kind = "access"
        elif entry.role == "id":
            kind = "id"
            nonce = context.nonce if context is not None else None
            access_token = tokens.access_token if tokens is not None else None
        self._start_worker(
            _verify,
            session,
            entry.token,
            kind,
            nonce,
            access_token,
            on_returned=lambda result: self._on_checked(generation, result, where_note),
            on_errored=lambda exc: self._on_check_failed(generation, exc),
        )

    def _resolve(self, token: str) -> tuple[OAuthSession | None, str]:
        """The session that answers for ``token``, and a note when it is not the chosen one.

        The current tokens go to the provider that issued them, whichever is chosen now; any
        other token to the provider whose issuer is its ``iss``, else to the chosen provider,
        saying so plainly.
        """
        state = self.state
        own = state.session_for(token)
        if own is not None and own is not state.session:
            return own, (
                f"Checked against {_provider_words(own)}, the provider that issued it (the"
                f" chosen provider is now {_provider_words(state.session)})."
            )
        if state.tokens is not None and token in (
            state.tokens.access_token,
            state.tokens.id_token,
            state.tokens.refresh_token,
        ):
            return own, ""
        iss = _claimed_issuer(token)
        match = state.session_for_issuer(iss)
        if match is not None:
            if match is state.session:
                return match, ""
            return match, (
                f"Checked against {_provider_words(match)}, whose issuer is the token's iss"
                f" (the chosen provider is {_provider_words(state.session)})."
            )
        if state.session is None:
            return None, ""
        if iss is None:
            why = "the token names no issuer (iss)"
        else:
            why = f"no provider in use has the token's issuer {iss!r}"
        return state.session, f"Checked against {_provider_words(state.session)}: {why}."

    def _on_checked(
        self, generation: int, result: tuple[Inspection, str], where_note: str = ""
    ) -> None:
        if generation != self._check_generation:
            return  # a newer token is shown: this answer is stale
        inspection, note = result
        self.show_checks(inspection, " ".join(n for n in (where_note, note) if n))
        if where_note:
            # Which provider's keys judged the token: on the card too, beside the verdict.
            self.note.setText(where_note)
            set_property(self.note, "role", "secondary")
            self.note.show()

    def show_checks(self, inspection: Inspection, note: str = "") -> None:
        """Show the checks of the shown token: the Checks tab, the verdict and its colour."""
        findings = tuple(replace(f, reason=_ui_reason(f.reason)) for f in inspection.findings)
        inspection = replace(inspection, findings=findings)
        self._inspection = inspection
        self._exp_note = None
        self._checked_at = time.time()
        self.findings.set_findings(findings, note)
        if self.countdown.is_expired():
            self._mark_expired()
        self._update_verdict()
        self.sig_checked.emit(inspection)

    def _on_check_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._check_generation:
            return
        if isinstance(exc, WorkbenchError):
            message = mask_text(str(exc), self.state.log.secrets())
            self.findings.clear(f"The checks could not run: {message}")
            set_outcome(self.verdict, "fail")
            self.verdict.setText(html_text(f"✗ Not verified: {message}"))
        else:
            self.findings.clear("The checks stopped on an unexpected error.")
            show_exception(self.window(), exc)

    def _update_verdict(self) -> None:
        inspection = self._inspection
        if inspection is None:
            return
        summary = self.findings.summary()
        counts = self.findings.counts()
        failed = [row for row in self.findings.rows.values() if row.outcome == "fail"]
        signature = self.findings.outcome("signature")
        # "valid" and the pass colour only for a signature that passed: keys that could not
        # be fetched ("not verified: …") fail, and an unchecked signature is never a pass.
        if signature == "fail":
            outcome = "fail"
            head = signature_fail_headline(self.findings.reason("signature"))
        elif failed:
            outcome = "fail"
            names = ", ".join(row.check for row in failed)
            head = f"✗ Failed: {names}"
            if signature == "pass":
                head += " (signature valid)"
        elif signature == "pass":
            outcome, head = "pass", "✓ Signature valid"
        else:
            outcome, head = "not_checked", "– Signature not checked"
        set_outcome(self.verdict, outcome)
        self.verdict.setText(f"{head} · {summary} · <a href='#checks'>details</a>")
        self.verdict.setAccessibleDescription(f"{head}; {summary}")
        marks = f"✓{counts['pass']}"
        if counts["fail"]:
            marks += f" ✗{counts['fail']}"
        self.tabs.setTabText(self.tab_checks, f"Checks ({marks})")

    def _mark_expired(self) -> None:
        """The token is past its exp: the exp check fails, and its reason keeps counting."""
        shown = self._shown
        if shown is None or shown.decoded is None:
            return
        expires_at = self.countdown.expires_at()
        if expires_at is None or self.findings.state != "done":
            return
        if self._exp_note is None:
            if self.findings.outcome("exp") != "pass":
                self._exp_note = ""  # the check itself found it expired
            elif expires_at <= self._checked_at:
                self._exp_note = "; the check let it pass within the clock-skew leeway"
            else:
                self._exp_note = "; it was still valid when checked"
        self._refresh_exp_reason(time.time())
        self._update_verdict()

    def _refresh_exp_reason(self, now: float) -> None:
        """ "expired 2 min ago (…)", recomputed each tick once the token has expired."""
        expires_at = self.countdown.expires_at()
        if self._exp_note is None or expires_at is None or self.findings.state != "done":
            return
        when = format_relative(expires_at - now)
        when = "just now" if when == "now" else when
        self.findings.mark(
            "exp", "fail", f"expired {when} ({format_local(expires_at)}){self._exp_note}"
        )

    # ======================================================================== actions
    def _session(self, token: str) -> OAuthSession | None:
        """The session that answers for ``token`` (see :meth:`_resolve`), or the banner says
        a provider is needed."""
        session = self._resolve(token)[0]
        if session is not None:
            return session
        try:
            return self.state.require_session()
        except WorkbenchError as exc:
            self.error_banner.show_error(exc)
            return None

    def _own_tokens(self) -> TokenSet | None:
        """The current tokens when the shown token is one of them; None for a pasted token,
        which brings no access or refresh token of its own."""
        shown = self._shown
        if shown is not None and shown.entry.role == "pasted":
            return None
        return self.state.tokens

    def _start_worker(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_returned: Callable[[Any], None],
        on_errored: Callable[[BaseException], None],
        on_finished: Callable[[], None] | None = None,
    ) -> None:
        def finished() -> None:
            self._running.discard(worker)
            if on_finished is not None:
                on_finished()

        worker = workers.start(
            fn,
            *args,
            on_returned=on_returned,
            on_errored=on_errored,
            on_finished=finished,
            owner=self,
        )
        self._running.add(worker)

    def _run_action(
        self,
        name: str,
        title: str,
        busy_text: str,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.error_banner.hide()
        self.status_label.hide()
        if name != "reality":
            self.result_view.show_busy(title, busy_text)
        self._actions_running += 1
        self._update_actions()
        self._status(busy_text)

        def errored(exc: BaseException) -> None:
            if name != "reality":
                self.result_view.hide()
            if on_error is not None:
                on_error(exc)
            if isinstance(exc, WorkbenchError):
                self.error_banner.show_error(exc)
                reveal(self.error_banner, flash=False)
                self._status(f"{title} failed.")
            else:
                self._status(f"{title}: unexpected error.")
                show_exception(self.window(), exc)

        def finished() -> None:
            self._actions_running -= 1
            self._update_actions()
            self.sig_action_finished.emit(name)

        self._start_worker(fn, *args, on_returned=on_done, on_errored=errored, on_finished=finished)

    def _update_actions(self) -> None:
        idle = self._actions_running == 0
        tokens = self._own_tokens()
        shown = self._shown
        has_shown = shown is not None
        shown_jwt = shown is not None and shown.decoded is not None
        self.act_refresh.setEnabled(idle and tokens is not None and bool(tokens.refresh_token))
        if shown is not None and shown.entry.role == "pasted":
            self.act_refresh.setToolTip(
                "A pasted token brings no refresh token of its own: Refresh redeems the refresh"
                " token of the current tokens only (paste a refresh token in the Refresh tab)"
            )
        elif tokens is not None and not tokens.refresh_token:
            self.act_refresh.setToolTip("These tokens came without a refresh token")
        else:
            self.act_refresh.setToolTip(f"{REFRESH_TIP} (Ctrl+R)")
        self.act_revoke.setEnabled(idle and (has_shown or tokens is not None))
        self.act_revoke_access.setEnabled(idle and tokens is not None and bool(tokens.access_token))
        self.act_revoke_refresh.setEnabled(
            idle and tokens is not None and bool(tokens.refresh_token)
        )
        self.act_introspect.setEnabled(idle and has_shown)
        self.opaque_introspect.setEnabled(idle and has_shown)
        self.act_userinfo.setEnabled(idle and self._userinfo_token() is not None)
        self.act_reality.setEnabled(
            idle and shown_jwt and shown is not None and shown.entry.role != "id"
        )
        self.reality.recheck_button.setEnabled(idle and self.reality.check is not None)
        if self._bearer_role == "id" and self._bearer_token("id") is None:
            self._bearer_role = "access"  # no ID token any more: back to the access token
            self.act_bearer_access.setChecked(True)
            self.act_copy_bearer.setText("Copy as Bearer")
        self.act_copy_bearer.setEnabled(self._bearer_token(self._bearer_role) is not None)
        self.act_bearer_id.setEnabled(
            self.state.tokens is not None and bool(self.state.tokens.id_token)
        )
        self.act_copy_token.setEnabled(has_shown)
        self.act_copy_claims.setEnabled(shown_jwt)
        if shown is not None and shown.entry.role == "id":
            self.act_reality.setToolTip(
                "ID tokens are not revocable: the server check applies to access tokens"
            )
        else:
            self.act_reality.setToolTip(
                "Verify the token locally and ask the server, side by side (Ctrl+K)"
            )

    # -- refresh
    def refresh(self) -> None:
        """Redeem the shown tokens' own refresh token (Ctrl+R) at the provider that issued
        it; the new tokens replace the state's. A pasted token has none: nothing happens."""
        tokens = self._own_tokens()
        if self._actions_running or tokens is None or not tokens.refresh_token:
            return
        sent = tokens.refresh_token
        session = self._session(sent)
        if session is None:
            return
        self._run_action(
            "refresh",
            "Refresh",
            "Refreshing the tokens…",
            session.refresh,
            sent,
            on_done=lambda result: self._on_refreshed(result, sent, session),
        )

    def _on_refreshed(self, result: RefreshResult, sent: str, session: OAuthSession) -> None:
        tokens: TokenSet = result.tokens
        if result.rotation == "not_returned":
            tokens = replace(tokens, refresh_token=sent)
        context = TokenContext(
            origin="refresh_token", rotation=result.rotation, refreshed_from=sent
        )
        self.state.set_tokens(tokens, context, session)
        chip, outcome = {
            "rotated": ("rotated", "pass"),
            "unchanged": ("not rotated", "warn"),
            "not_returned": ("no refresh token returned", "not_checked"),
        }[result.rotation]
        text = ROTATION_TEXT[result.rotation]
        lines = [text[:1].upper() + text[1:] + "."]  # capitalize() would write "rfc"
        if result.rotation == "rotated":
            lines.append("“Try the previous one” in the Refresh tab sends it once.")
        if tokens.expires_in is not None:
            lines.append(f"The new access token expires in {int(tokens.expires_in)} s.")
        self.result_view.show_result("Refreshed", chip, outcome, " ".join(lines))
        self._status(f"Refreshed: {ROTATION_TEXT[result.rotation]}")

    # -- revoke
    def revoke(self, role: Role | None = None) -> None:
        """Revoke a token (RFC 7009): ``access`` / ``refresh``, or the shown one (``None``).

        After the access token is revoked, the reality check runs on it by itself.
        """
        if self._actions_running:
            return
        token, hint, label = self._revoke_target(role)
        if token is None:
            self.error_banner.show_message(
                "Nothing to revoke", f"There is no {label.lower()} to revoke."
            )
            return
        session = self._session(token)
        if session is None:
            return
        self._run_action(
            "revoke",
            f"Revoke {label.lower()}",
            f"Revoking the {label.lower()}…",
            session.revoke,
            token,
            hint,
            on_done=lambda _none: self._on_revoked(token, hint, label),
        )

    def _revoke_target(self, role: Role | None) -> tuple[str | None, Any, str]:
        tokens = self._own_tokens()
        if role is None:
            shown = self._shown
            if shown is None or shown.entry.role == "id":
                role = "access"  # ID tokens are not revocable (RFC 7009 covers the other two)
            else:
                return shown.entry.token, TYPE_HINTS[shown.entry.role], shown.entry.label
        if role == "access":
            token = tokens.access_token if tokens is not None else None
        elif role == "refresh":
            token = tokens.refresh_token if tokens is not None else None
        else:
            token = None
        return token, TYPE_HINTS[role], ROLE_LABELS[role]

    def _on_revoked(self, token: str, hint: str | None, label: str) -> None:
        self._revoked.add(token)
        self._rebuild_picker()
        if self._shown is not None and self._shown.entry.token == token:
            self._show_chips(self._shown)
        when = time.strftime("%H:%M:%S")
        self._status(f"Revoked the {label.lower()}.")
        if hint != "refresh_token" and token_kind_safe(token) == "jwt":
            # The reality check is the answer that matters: it replaces the plain result.
            self.result_view.hide()
            self._start_reality(token, label, "access_token", note=f"revoked at {when}")
            return
        hint_text = f"token_type_hint={hint}" if hint else "no token_type_hint"
        self.result_view.show_result(
            f"Revoked the {label.lower()}",
            "HTTP 200",
            "pass",
            f"The server accepted the revocation ({hint_text}). RFC 7009 servers answer 200"
            " even for a token they do not know: introspect it to ask the server again.",
        )

    # -- reality check
    def _on_reality_check_requested(self, token: str) -> None:
        self.show_token(token)
        self.reality_check()

    def reality_check(self) -> None:
        """Verify the shown JWT locally and ask the server (Ctrl+K), side by side."""
        shown = self._shown
        if self._actions_running or shown is None or shown.decoded is None:
            return
        hint = "refresh_token" if shown.entry.role == "refresh" else "access_token"
        self._start_reality(shown.entry.token, shown.entry.label, hint)

    def _on_recheck(self) -> None:
        check = self.reality.check
        if check is None or self._actions_running:
            return
        self._start_reality(check.local.decoded.raw, self._reality_label, "access_token")

    def _start_reality(self, token: str, label: str, hint: str, note: str = "") -> None:
        session = self._session(token)
        if session is None:
            return
        self._reality_label = label
        if not note and token in self._revoked:
            note = "revoked"
        self.reality.show_checking(label, token, note)
        self._update_ticking()

        def failed(exc: BaseException) -> None:
            message = mask_text(str(exc), self.state.log.secrets())
            self.reality.show_failed(message if isinstance(exc, WorkbenchError) else "error")

        self._run_action(
            "reality",
            "Reality check",
            "Checking locally and asking the server…",
            session.reality_check,
            token,
            hint,
            on_done=lambda check: self._on_reality(check, label, token),
            on_error=failed,
        )

    def _on_reality(self, check: RealityCheck, label: str, token: str) -> None:
        self.reality.show_result(check, label, token)
        self._update_ticking()
        server = "inactive" if check.server.active is False else "active"
        if check.server.active is None:
            server = "unknown"
        self._status(
            f"Reality check: local {'accepts' if check.locally_valid else 'rejects'},"
            f" server says {server}."
        )

    # -- introspect
    def introspect(self) -> None:
        """Ask the server about the shown token (Ctrl+I); ``active`` is shown prominently."""
        shown = self._shown
        if self._actions_running or shown is None:
            return
        session = self._session(shown.entry.token)
        if session is None:
            return
        self._run_action(
            "introspect",
            f"Introspection of the {shown.entry.label.lower()}",
            "Asking the server (introspection)…",
            session.introspect,
            shown.entry.token,
            TYPE_HINTS[shown.entry.role],
            on_done=lambda data: self._on_introspected(data, shown.entry),
        )

    def _on_introspected(self, data: dict[str, Any], entry: TokenEntry) -> None:
        active = data.get("active") is True
        if self._shown is None or self._shown.entry.token != entry.token:
            # Another token is shown now: this answer is not about it.
            self._status(f"Introspection of an earlier token: active={str(active).lower()}.")
            return
        if active:
            message = "The server says the token is active."
            exp = data.get("exp")
            if isinstance(exp, int | float) and not isinstance(exp, bool):
                message += f" It expires {format_relative(exp - time.time())}."
        else:
            message = (
                "The server says the token is not active: revoked, expired, or never issued"
                " by it (RFC 7662 §2.2 says no more)."
            )
        self.result_view.show_result(
            f"Introspection of the {entry.label.lower()}",
            f"active: {'true' if active else 'false'}",
            "pass" if active else "fail",
            message,
            data,
        )
        self._status(f"Introspection: active={'true' if active else 'false'}.")

    # -- userinfo
    def _userinfo_token(self) -> str | None:
        shown = self._shown
        if shown is not None and shown.entry.role in ("access", "pasted"):
            return shown.entry.token
        tokens = self._own_tokens()
        return tokens.access_token if tokens is not None else None

    def userinfo(self) -> None:
        """Call UserInfo with the access token (Ctrl+U); a 401 is shown as the answer."""
        token = self._userinfo_token()
        if self._actions_running or token is None:
            return
        session = self._session(token)
        if session is None:
            return
        asked_for = self._shown.entry.token if self._shown is not None else None
        self._run_action(
            "userinfo",
            "UserInfo",
            "Calling UserInfo with the access token…",
            _userinfo,
            session,
            token,
            on_done=lambda result: self._on_userinfo(result, asked_for),
        )

    def _on_userinfo(self, result: tuple[int, Any], asked_for: str | None = None) -> None:
        status, answer = result
        shown = self._shown
        if asked_for is not None and (shown is None or shown.entry.token != asked_for):
            self._status(f"UserInfo for an earlier token: {status}.")
            return
        if status == 200:
            self.result_view.show_result(
                "UserInfo", "200 OK", "pass", "The server accepts the access token.", answer
            )
            self._status("UserInfo: 200 OK.")
            return
        assert isinstance(answer, OAuthError)
        data = {"error": answer.error}
        if answer.description:
            data["error_description"] = answer.description
        self.result_view.show_result(
            "UserInfo",
            "401 Unauthorized",
            "fail",
            "The server refuses this access token: it was revoked, it expired, or it is not"
            " one of the server's.",
            data,
        )
        self._status("UserInfo: 401 Unauthorized.")

    # -- copying
    def _bearer_token(self, role: Literal["access", "id"]) -> str | None:
        tokens = self.state.tokens
        if role == "id":
            return tokens.id_token if tokens is not None else None
        shown = self._shown
        if shown is not None and shown.entry.role == "pasted" and shown.decoded is not None:
            return shown.entry.token  # the token shown, not the current tokens' one
        if tokens is not None and tokens.access_token:
            return tokens.access_token
        return None

    @property
    def bearer_role(self) -> Literal["access", "id"]:
        """Which token "Copy as Bearer" copies: ``access`` (default) or ``id``."""
        return self._bearer_role

    def copy_bearer(self, role: Literal["access", "id"] | None = None) -> None:
        """Copy ``Authorization: Bearer <token>`` (Ctrl+Shift+B); ``role`` also sets the choice."""
        if role is not None:
            self._bearer_role = role
            (self.act_bearer_id if role == "id" else self.act_bearer_access).setChecked(True)
            label = "ID token" if role == "id" else "access token"
            self.act_copy_bearer.setText(
                "Copy as Bearer (ID token)" if role == "id" else "Copy as Bearer"
            )
            self.bearer_button.setAccessibleName(f"Copy as Bearer with the {label}")
        token = self._bearer_token(self._bearer_role)
        label = "ID token" if self._bearer_role == "id" else "access token"
        if token is None:
            self._status(f"No {label} to copy.", inline=True)
            self._update_actions()
            return
        QGuiApplication.clipboard().setText(BEARER_PREFIX + token)
        self._status(f"Copied “Authorization: Bearer …” with the {label}.", inline=True)
        self._update_actions()

    def copy_token(self) -> None:
        """Copy the shown token (Ctrl+Alt+C)."""
        if self._shown is None:
            return
        QGuiApplication.clipboard().setText(self._shown.entry.token)
        self._status(f"Copied the {self._shown.entry.label.lower()}.", inline=True)

    def copy_claims(self) -> None:
        """Copy the decoded claims, pretty-printed JSON (Ctrl+Shift+J)."""
        shown = self._shown
        if shown is None or shown.decoded is None:
            return
        QGuiApplication.clipboard().setText(pretty_json(shown.decoded.claims))
        self._status("Copied the claims as JSON.", inline=True)

    def _copy_cell(self, table: QTableView, column: int) -> None:
        """Copy the current row's name, value (strings as they are), or value as JSON (-1)."""
        index = table.currentIndex()
        if not index.isValid():
            return
        raw = index.siblingAtColumn(ClaimsTableModel.VALUE).data(RawValueRole)
        if column == ClaimsTableModel.CLAIM:
            text = str(index.siblingAtColumn(column).data(ClaimNameRole))  # exact, not escaped
        elif column == ClaimsTableModel.VALUE and isinstance(raw, str):
            text = raw
        else:
            text = json.dumps(raw, indent=2 if column < 0 else None, ensure_ascii=False)
        QGuiApplication.clipboard().setText(text)
        self._status("Copied.", inline=True)

    def _status(self, message: str, inline: bool = False) -> None:
        """Tell the status bar; ``inline`` also shows it under the actions (copying, whose
        result is otherwise invisible)."""
        if inline:
            self.status_label.setText(message)
            self.status_label.setVisible(bool(message))
        self.sig_status.emit(message)

    # ======================================================================== slots
    def _on_tokens_changed(self, tokens: TokenSet, context: TokenContext | None) -> None:
        current: tuple[tuple[Role, str | None], ...] = (
            ("access", tokens.access_token),
            ("id", tokens.id_token),
            ("refresh", tokens.refresh_token),
        )
        entries = [TokenEntry(role, ROLE_LABELS[role], value) for role, value in current if value]
        entries += [e for e in self._entries if e.role == "pasted"]
        self._entries = entries
        self.error_banner.hide()
        self.result_view.hide()
        self.reality.hide()
        self._rebuild_picker()
        if entries:
            self._select(0)
        else:
            self._show_nothing()

    def _on_inspect_token(self, token: str) -> None:
        self.show_token(token)

    def _on_provider_changed(self, _provider: object) -> None:
        """Results and errors go; the shown token is checked again against the provider that
        answers for it (still the one that issued it, for the current tokens)."""
        self._clear_results()
        shown = self._shown
        if shown is not None:
            self._show_entry(shown.entry)
        else:
            self._update_actions()

    def _on_paste_edited(self) -> None:
        self._paste_timer.start()

    def _on_paste_settled(self) -> None:
        text = self.paste_edit.toPlainText().strip()
        if text:
            self.show_token(text)

    def _on_verdict_link(self, _link: str) -> None:
        self.tabs.setCurrentIndex(self.tab_checks)

    def _on_tab_changed(self, index: int) -> None:
        if index == self.tab_json and self._json_dirty:
            self._fill_json()

    def _on_expired(self) -> None:
        self._mark_expired()
        self._status("The token expired.")

    def _on_tick(self) -> None:
        now = time.time()
        self.claims_model.refresh_times(now)
        self._refresh_exp_reason(now)
        if self.reality.isVisible():
            self.reality.tick(now)

    def _update_ticking(self) -> None:
        needed = (self._shown is not None and self._shown.decoded is not None) or (
            self.reality.check is not None
        )
        if needed and not self._tick_timer.isActive():
            self._tick_timer.start()
        elif not needed:
            self._tick_timer.stop()

    # ======================================================================== Qt events
    def _apply_palette(self) -> None:
        qss = stylesheet(self.palette())
        if qss != self._applied_qss:
            self._applied_qss = qss
            self.setStyleSheet(qss)
        colours = semantic_colours(self.palette())
        self.claims_model.set_colours(colours.failed, colours.secondary)
        self.header_model.set_colours(colours.failed, colours.secondary)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched in (
            self.claims_table,
            self.header_table,
        ):
            self._fit_columns()
        return super().eventFilter(watched, event)


def token_kind_safe(token: str) -> str:
    """:func:`token_kind`, with text that cannot be a token at all reported as malformed."""
    try:
        return token_kind(token)
    except TokenError:
        return "malformed"


__all__ = ["ShownToken", "TokenEntry", "TokenInspector"]
