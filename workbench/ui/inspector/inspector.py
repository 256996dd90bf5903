"""The token inspector: pick or paste a token, read its claims, see every check, act on it.

The panel composes its parts: the picker (:mod:`.picker`), the token card (:mod:`.card`), the
actions (:mod:`.actions`, which decides what is enabled and why), the details tabs
(:mod:`.details`), the checks (:mod:`.checks`), the server actions (:mod:`.server`) with their
result view and reality check. Decoding is instant and happens on the GUI thread, so the claims
show at once; verification (which may fetch the issuer's JWKS) and every server action run in
:mod:`workbench.ui.workers`.

Everything a token or a provider wrote (claims, header members, reasons, error messages) is
shown through :func:`~workbench.core.display.printable` in plain-text labels, and the verdict
says "valid" with the pass colour only when the signature check passed.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.findings import Inspection
from workbench.ui import metrics, workers
from workbench.ui.inspector.actions import BearerRole, InspectorActions
from workbench.ui.inspector.card import TokenCard
from workbench.ui.inspector.checks import TokenChecks
from workbench.ui.inspector.details import TokenDetails
from workbench.ui.inspector.dpop_copy import copy_as_dpop, issued_token_type
from workbench.ui.inspector.entries import (
    ROLE_LABELS,
    Role,
    ShownToken,
    TokenEntry,
    decode_entry,
)
from workbench.ui.inspector.logout import InspectorLogout
from workbench.ui.inspector.picker import TokenPicker
from workbench.ui.inspector.reality import RealityCheckPanel
from workbench.ui.inspector.results import ActionResultView
from workbench.ui.inspector.server import ServerActions
from workbench.ui.state import AppState, TokenContext
from workbench.ui.theme import inspector_stylesheet, semantic_colours
from workbench.ui.widgets.banners import MessageBanner


class TokenInspector(QWidget):
    """The panel beside the flow tabs. Construct with the window's :class:`AppState`."""

    sig_status = Signal(str)
    """A short message for the status bar (copied, refreshed, revoked…)."""
    sig_checked = Signal(object)
    """The shown token's checks finished: the Inspection."""
    sig_call_api = Signal(str, str)
    """Call an API with the shown token (the token, its label): the window opens the API tab."""
    sig_action_finished = Signal(str)
    """A server action ended (refresh, revoke, introspect, userinfo, reality)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("tokenInspector")
        self.setAccessibleName("Token inspector")
        self._entries: list[TokenEntry] = []
        self._shown: ShownToken | None = None
        self._workers = workers.OwnedWorkers(self)
        self._applied_qss = ""
        self._build_parts()
        self._build_layout()
        self._connect()
        self._apply_palette()

        self._tick_timer = QTimer(self)
        self._tick_timer.setObjectName("inspectorTick")
        self._tick_timer.setInterval(metrics.TIMER_INTERVAL_MS)
        self._tick_timer.timeout.connect(self._on_tick)

        state.sig_tokens_changed.connect(self._on_tokens_changed)
        state.sig_inspect_token.connect(self.show_token)
        state.sig_reality_check.connect(self._on_reality_check_requested)
        state.sig_provider_changed.connect(self._on_provider_changed)
        if state.tokens is not None:
            self._on_tokens_changed(state.tokens, state.context)
        else:
            self._rebuild_picker()
            self._show_nothing()

    # ======================================================================== building
    def _build_parts(self) -> None:
        # The parts; the panel also names the widgets and actions others reach for (the main
        # window, the screenshots, the tests).
        self.token_actions = a = InspectorActions(
            self, lambda: self._shown, lambda: self.state.tokens
        )
        self.act_paste, self.act_refresh, self.act_introspect = a.paste, a.refresh, a.introspect
        self.act_revoke_refresh, self.act_reality = a.revoke_refresh, a.reality
        self.act_copy_bearer, self.act_bearer_id = a.copy_bearer, a.bearer_id
        self.refresh_button, self.revoke_button = a.refresh_button, a.revoke_button
        self.userinfo_button, self.reality_button = a.userinfo_button, a.reality_button
        self.bearer_button = a.bearer_button
        self.token_picker = p = TokenPicker(a.paste, self)
        self.picker, self.paste_frame, self.paste_edit = p.combo, p.paste_frame, p.paste_edit
        self.card = c = TokenCard(a.introspect.toolTip(), self)
        self.chips, self.countdown, self.expiry_label = c.chips, c.countdown, c.expiry_label
        self.verdict, self.note, self.opaque_introspect = c.verdict, c.note, c.opaque_introspect
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

        self.tabs = t = TokenDetails(a.copy_claims_button, self)
        self.tab_checks, self.tab_json, self.findings = t.tab_checks, t.tab_json, t.findings
        self.claims_model, self.claims_proxy, self.claims_table = (
            t.claims_model,
            t.claims_proxy,
            t.claims_table,
        )
        self.header_model, self.raw_json = t.header_model, t.raw_json

        self.checks = TokenChecks(
            self.state, self.card, self.tabs, self._workers.start, lambda: self._shown, self
        )
        self.server = ServerActions(
            self.state,
            lambda: self._shown,
            (self.result_view, self.error_banner, self.reality),
            self._workers.start,
            self,
        )
        self.logout = InspectorLogout(self.state, a, self.server)

    def _build_layout(self) -> None:
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

        body = QWidget(self)
        body.setObjectName("inspectorBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(metrics.SPACING)
        for widget, stretch in (
            (self.card, 0),
            (self.token_actions.bar, 0),
            (self.status_label, 0),
            (self.error_banner, 0),
            (self.result_view, 0),
            (self.reality, 0),
            (self.tabs, 1),
            (self.empty, 1),
            (self.filler, 1),
        ):
            column.addWidget(widget, stretch)
        self.body_scroll = QScrollArea(self)
        self.body_scroll.setObjectName("inspectorScroll")
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body_scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(metrics.MARGIN, metrics.MARGIN, metrics.MARGIN, metrics.MARGIN)
        layout.setSpacing(metrics.SPACING)
        layout.addWidget(self.token_picker)
        layout.addWidget(self.body_scroll, 1)

    def _connect(self) -> None:
        a = self.token_actions
        a.sig_paste.connect(self.start_paste)
        a.sig_refresh.connect(self.refresh)
        a.sig_revoke.connect(self.revoke)
        a.sig_introspect.connect(self.introspect)
        a.sig_userinfo.connect(self.userinfo)
        a.sig_reality.connect(self.reality_check)
        a.sig_copied.connect(self._on_copied)
        a.sig_copy_dpop.connect(lambda: self._on_copied(copy_as_dpop(self, self.state, self.shown)))
        a.sig_call_api.connect(self.sig_call_api)
        self.token_picker.sig_chosen.connect(self._on_picker_changed)
        self.token_picker.sig_pasted.connect(self.show_token)
        self.card.sig_details.connect(self.tabs.show_checks_tab)
        self.card.sig_introspect.connect(self.introspect)
        self.card.countdown.sig_expired.connect(self._on_expired)
        self.tabs.sig_copied.connect(lambda: self._status("Copied.", inline=True))
        self.checks.sig_checked.connect(self.sig_checked)
        s = self.server
        s.sig_status.connect(self.sig_status)
        s.sig_started.connect(self.status_label.hide)
        s.sig_running_changed.connect(self._update_actions)
        s.sig_action_finished.connect(self.sig_action_finished)
        s.sig_revoked.connect(self._on_revoked)
        s.sig_reality_changed.connect(self._update_ticking)
        self.logout.sig_status.connect(self.sig_status)

    # ======================================================================== public API
    @property
    def busy(self) -> bool:
        """True while a check or a server action runs in a worker."""
        return self._workers.busy

    @property
    def shown(self) -> ShownToken | None:
        return self._shown

    @property
    def inspection(self) -> Inspection | None:
        """The checks of the shown token, once they finished."""
        return self.checks.inspection

    @property
    def bearer_role(self) -> BearerRole:
        """Which token "Copy as Bearer" copies: ``access`` (default) or ``id``."""
        return self.token_actions.bearer_role

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
        self.token_picker.start_paste()

    def show_checks(self, inspection: Inspection, note: str = "") -> None:
        """Show the checks of the shown token: the Checks tab, the verdict and its colour."""
        self.checks.show(inspection, note)

    def refresh(self) -> None:
        """Redeem the shown tokens' own refresh token (Ctrl+R); see :class:`ServerActions`."""
        self.server.refresh()

    def revoke(self, role: Role | None = None) -> None:
        """Revoke ``access`` / ``refresh``, or the shown token (``None``) (Ctrl+Shift+Del)."""
        self.server.revoke(role)

    def introspect(self) -> None:
        """Ask the server about the shown token (Ctrl+I)."""
        self.server.introspect()

    def userinfo(self) -> None:
        """Call UserInfo with the access token (Ctrl+U)."""
        self.server.userinfo()

    def reality_check(self) -> None:
        """Verify the shown JWT locally and ask the server (Ctrl+K), side by side."""
        self.server.reality_check()

    def copy_bearer(self, role: BearerRole | None = None) -> None:
        """Copy ``Authorization: Bearer <token>`` (Ctrl+Shift+B); ``role`` also sets the choice."""
        self.token_actions.copy_as_bearer(role)

    def copy_token(self) -> None:
        """Copy the shown token (Ctrl+Alt+C)."""
        self.token_actions.copy_shown_token()

    def copy_claims(self) -> None:
        """Copy the decoded claims, pretty-printed JSON (Ctrl+Shift+J)."""
        self.token_actions.copy_shown_claims()

    # ======================================================================== showing
    def _rebuild_picker(self) -> None:
        self.token_picker.set_entries(self._entries, self.server.revoked)

    def _select(self, index: int) -> None:
        self.token_picker.set_current(index)
        self._show_entry(self._entries[index])

    def _on_picker_changed(self, index: int) -> None:
        if 0 <= index < len(self._entries):
            self._show_entry(self._entries[index])

    def _clear_results(self) -> None:
        self.error_banner.hide()
        self.status_label.hide()
        self.result_view.hide()
        self.reality.hide()

    def _show_nothing(self) -> None:
        self._clear_results()
        self._shown = None
        self.checks.invalidate()
        self.card.hide()
        self.tabs.hide()
        self.filler.hide()
        self.empty.show()
        self.countdown.clear()
        self.tabs.clear_decoded()
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
        self.checks.invalidate()
        self.empty.hide()
        self.card.show_head(entry)
        shown = self._shown = decode_entry(entry)
        revoked = entry.token in self.server.revoked
        self.card.show_chips(shown, revoked, issued_token_type(self.state.tokens, entry))
        if shown.decoded is not None:
            self.tabs.show_decoded(shown.decoded)
            self.tabs.show_authorization_details(self.state.tokens, entry.token, shown.decoded)
            self.tabs.show()
            self.filler.hide()
            now = self.state.tokens  # a token exchange says what it issued (RFC 8693)
            issued = now.issued_token_type if now and now.access_token == entry.token else None
            self.card.show_jwt(shown.decoded, issued)
            self.checks.start(entry, shown.decoded)
        else:
            self.tabs.hide()
            self.filler.show()
            self.findings.clear("Nothing to check: the token cannot be decoded.")
            self.tabs.clear_decoded()
            self.card.show_undecodable(shown, self.state.tokens)
        self._update_actions()
        self._update_ticking()

    def _status(self, message: str, inline: bool = False) -> None:
        """Tell the status bar; ``inline`` also shows it under the actions (copying, whose
        result is otherwise invisible)."""
        if inline:
            self.status_label.setText(message)
            self.status_label.setVisible(bool(message))
        self.sig_status.emit(message)

    def _update_actions(self) -> None:
        idle = self.server.idle
        shown = self._shown
        self.token_actions.update(idle, shown, self.server.own_tokens(), self.state.tokens)
        self.opaque_introspect.setEnabled(self.act_introspect.isEnabled())
        self.reality.recheck_button.setEnabled(idle and self.reality.check is not None)

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

    def _on_provider_changed(self, _provider: object) -> None:
        """Results and errors go; the shown token is checked again against the provider that
        answers for it (still the one that issued it, for the current tokens)."""
        self._clear_results()
        shown = self._shown
        if shown is not None:
            self._show_entry(shown.entry)
        else:
            self._update_actions()

    def _on_reality_check_requested(self, token: str) -> None:
        self.show_token(token)
        self.reality_check()

    def _on_revoked(self, token: str) -> None:
        self._rebuild_picker()
        if self._shown is not None and self._shown.entry.token == token:
            self.card.show_chips(self._shown, revoked=True)

    def _on_copied(self, message: str) -> None:
        self._status(message, inline=True)
        self._update_actions()

    def _on_expired(self) -> None:
        self.checks.mark_expired()
        self._status("The token expired.")

    def _on_tick(self) -> None:
        now = time.time()
        self.claims_model.refresh_times(now)
        self.checks.tick(now)
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
        qss = inspector_stylesheet(self.palette())
        if qss != self._applied_qss:
            self._applied_qss = qss
            self.setStyleSheet(qss)
        self.tabs.set_colours(semantic_colours(self.palette()))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)


__all__ = ["TokenInspector"]
