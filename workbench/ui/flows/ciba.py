"""OpenID CIBA (poll mode): the provider reaches the user on their own device; the tab polls.

One worker runs the whole flow (:func:`workbench.core.oauth.ciba.ciba_login`): it sends the
backchannel authentication request, yields the :class:`CibaAuthentication` so the tab shows the
masked ``auth_req_id``, the binding message and a countdown, then yields a :class:`CibaPoll`
after each poll that did not end the flow, and returns the tokens. Cancel sets the event the
core sleeps on, so polling stops at once. On the demo provider the tab names the demo's page
where its users approve or deny the request (their "device").
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDesktopServices, QFont, QFontDatabase
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import ConfigError, FlowError, OAuthError
from workbench.core.oauth.ciba import CibaAuthentication, CibaHint, CibaPoll, ciba_login
from workbench.core.oauth.tokenset import TokenSet
from workbench.demo.clients import ciba_approval_url
from workbench.ui import metrics
from workbench.ui.flows.base import FlowTab
from workbench.ui.flows.device import seconds_in_words
from workbench.ui.reveal import reveal
from workbench.ui.safe_text import UrlOpener, open_web_url, printable
from workbench.ui.state import AppState, TokenContext
from workbench.ui.theme import set_property
from workbench.ui.widgets.countdown import CountdownBar

APPROVED = "approved"
DENIED = "denied"
EXPIRED = "expired"
CANCELLED = "cancelled"
FAILED = "failed"

MODE_TEXT = (
    "OpenID CIBA (poll mode): the provider asks the user on their own device (a phone app, a"
    " page) to approve this sign-in; this tab polls the token endpoint until they approve or"
    " deny, or the request expires. The client must authenticate (a confidential client)."
)
OUTCOME_TEXT = {
    APPROVED: "Approved on the user's device ✓",
    DENIED: "Denied on the user's device.",
    EXPIRED: "The request expired before the user approved it.",
    CANCELLED: "Cancelled: no longer polling.",
    FAILED: "Stopped: see the message above.",
}


def poll_text(poll: CibaPoll) -> str:
    """The status line after one poll, in words."""
    every = seconds_in_words(poll.interval)
    if poll.status == "slow_down":
        return f"Server asked to slow down: polling every {every} now."
    times = "once" if poll.polls == 1 else f"{poll.polls} times"
    return f"Waiting for the user to approve… checked {times}, polling every {every}."


def new_binding_message() -> str:
    """A short random text to show here and on the user's device (CIBA Core §7.1)."""
    return "-".join(secrets.token_hex(2).upper() for _ in range(2))


class CibaTab(FlowTab):
    """CIBA: login hint, binding message, requested expiry; Start sends the request."""

    title = "CIBA"
    key = "ciba"
    run_label = "Start"

    sig_ciba_started = Signal(object)
    """The provider took the request (CibaAuthentication)."""
    sig_poll = Signal(object)
    """One poll answered pending or slow_down (CibaPoll)."""
    sig_ciba_finished = Signal(str)
    """The flow ended: approved, denied, expired, cancelled or failed."""

    def __init__(
        self, state: AppState, parent: QWidget | None = None, *, open_url: UrlOpener | None = None
    ) -> None:
        self.open_url: UrlOpener = open_url or QDesktopServices.openUrl
        self.authentication: CibaAuthentication | None = None
        self.last_poll: CibaPoll | None = None
        self.outcome: str | None = None
        super().__init__(state, parent)

    # -- layout -----------------------------------------------------------------------------
    def build_params(self) -> None:
        self.login_hint_edit = self.add_line("loginHint", "Login hint", "the user, e.g. alice")
        self.binding_edit = self.add_line(
            "bindingMessage", "Binding message", "shown here and on the user's device"
        )
        self.binding_edit.setText(new_binding_message())
        self.expiry_spin = QSpinBox(self)
        self.expiry_spin.setObjectName("ciba_requestedExpiry")
        self.expiry_spin.setAccessibleName("Requested expiry")
        self.expiry_spin.setRange(0, 86_400)
        self.expiry_spin.setSuffix(" s")
        self.expiry_spin.setSpecialValueText("server's default")
        self.expiry_spin.setToolTip("requested_expiry: how long the request may wait (0: unsent)")
        self.form.addRow("Requested expiry", self.expiry_spin)

    def build_body(self) -> None:
        mode = QLabel(MODE_TEXT, self)
        mode.setObjectName("cibaMode")
        mode.setWordWrap(True)
        mode.setTextFormat(Qt.TextFormat.PlainText)
        self.body_layout.insertWidget(0, mode)  # above the form: what this tab runs
        panel = QFrame(self)
        panel.setObjectName("cibaPanel")
        panel.setAccessibleName("CIBA request")
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        self.request_panel = panel
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(metrics.MARGIN, metrics.MARGIN, metrics.MARGIN, metrics.MARGIN)
        layout.setSpacing(metrics.SPACING)

        self.sent_label = self._label("cibaSent", "Request", panel)
        caption = QLabel("Binding message (the user's device shows the same)", panel)
        caption.setObjectName("cibaBindingCaption")
        font = caption.font()
        font.setBold(True)
        caption.setFont(font)
        self.binding_label = self._label("cibaBindingMessage", "Binding message", panel)
        self.binding_label.setFont(self._code_font())
        self.binding_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.device_label = self._label("cibaDevicePage", "Approval page", panel)
        self.device_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_page_button = QPushButton("Open the demo's approval &page", panel)
        self.open_page_button.setObjectName("cibaOpenPage")
        self.open_page_button.setAccessibleName("Open the demo's approval page")
        self.open_page_button.setToolTip("Where the demo's users approve or deny CIBA requests")
        self.open_page_button.setAutoDefault(False)
        self.open_page_button.clicked.connect(self.open_approval_page)
        device_row = QHBoxLayout()
        device_row.addWidget(self.device_label, 1)
        device_row.addWidget(self.open_page_button, 0, Qt.AlignmentFlag.AlignVCenter)

        self.countdown = CountdownBar(
            panel,
            "cibaCountdown",
            running_text="Request expires {when}",
            expired_text="Request expired {when}",
        )
        self.poll_label = self._label("cibaPollStatus", "Polling status", panel)
        self.poll_label.setProperty("status", "idle")

        layout.addWidget(self.sent_label)
        layout.addWidget(caption)
        layout.addWidget(self.binding_label)
        layout.addLayout(device_row)
        layout.addWidget(self.countdown)
        layout.addWidget(self.poll_label)
        panel.hide()
        self.body_layout.addWidget(panel)

    def _label(self, name: str, accessible: str, parent: QWidget) -> QLabel:
        label = QLabel("", parent)
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        return label

    def _code_font(self) -> QFont:
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(metrics.USER_CODE_POINT_SIZE)
        font.setBold(True)
        return font

    # -- flow -------------------------------------------------------------------------------
    def prepare_screenshot(self) -> Callable[[], bool]:
        """Start the flow for the demo user so the request, its countdown and polls show."""
        if not self.login_hint_edit.text().strip():
            self.login_hint_edit.setText("alice")
        self.start()
        return lambda: self.last_poll is not None

    def run(self) -> None:
        session = self.state.require_session()
        hint = self.login_hint_edit.text().strip()
        if not hint:
            raise ConfigError("Enter the login hint: the user the provider is to ask.")
        self._reset()
        expiry = self.expiry_spin.value()
        self.run_in_worker(
            ciba_login,
            session,
            CibaHint(login_hint=hint),
            scope=self.scope_edit.text().strip(),
            binding_message=self.binding_edit.text().strip() or None,
            requested_expiry=expiry or None,
            extra=self.request_extra(),
            step=f"Asking the provider to authenticate {hint} on their device…",
            on_returned=self._on_tokens,
            on_yielded=self._on_yielded,
            with_cancel=True,
        )

    def _reset(self) -> None:
        self.authentication = None
        self.last_poll = None
        self.outcome = None
        self.countdown.clear()
        self.request_panel.hide()

    def reset_results(self) -> None:
        super().reset_results()
        self._reset()

    def _on_yielded(self, value: Any) -> None:
        if isinstance(value, CibaAuthentication):
            self._on_started(value)
        elif isinstance(value, CibaPoll):
            self.last_poll = value
            if not self.countdown.is_expired():
                status = "slow_down" if value.status == "slow_down" else "waiting"
                self._set_status(status, poll_text(value))
            self.sig_poll.emit(value)

    def _approval_page(self) -> str | None:
        """The demo's approval page when the provider is the running demo server."""
        provider = self.state.provider
        demo = self.state.demo_issuer
        if demo and provider is not None and (provider.issuer or "").rstrip("/") == demo:
            return ciba_approval_url(demo)
        return None

    def _on_started(self, started: CibaAuthentication) -> None:
        self.authentication = started
        hint = self.login_hint_edit.text().strip()
        self.sent_label.setText(
            printable(f"Sent for {hint}: auth_req_id {started.masked_id} (masked)")
        )
        self.binding_label.setText(printable(started.binding_message or "(none sent)"))
        page = self._approval_page()
        self.device_label.setText(
            printable(f"Demo: the user approves or denies at {page}")
            if page
            else "The provider reaches the user on their own device."
        )
        self.open_page_button.setVisible(page is not None)
        self.countdown.set_deadline(started.expires_at, started.expires_in)
        self.countdown.show()
        notes = "".join(f" {note}" for note in started.notes)
        self._set_status(
            "waiting",
            f"Waiting for the user… first check in {seconds_in_words(started.interval)}.{notes}",
        )
        self.request_panel.show()
        reveal(self.request_panel, flash=False)
        self.sig_step.emit("Waiting for the user to approve on their device…")
        self.sig_ciba_started.emit(started)

    def _on_tokens(self, tokens: TokenSet) -> None:
        self.deliver_tokens(tokens, TokenContext(origin="ciba"))
        self._finish(APPROVED)
        self.sig_step.emit("Approved: the tokens are in the inspector.")

    def on_failed(self, exc: BaseException) -> None:
        super().on_failed(exc)
        if isinstance(exc, OAuthError) and exc.error == "access_denied":
            outcome = DENIED
        elif (isinstance(exc, OAuthError) and exc.error == "expired_token") or (
            isinstance(exc, FlowError) and exc.kind == "expired"
        ):
            outcome = EXPIRED
        elif isinstance(exc, FlowError) and exc.kind == "cancelled":
            outcome = CANCELLED
        else:
            outcome = FAILED
        self._finish(outcome)

    def _finish(self, outcome: str) -> None:
        self.outcome = outcome
        self.countdown.stop()
        self.countdown.hide()
        if self.authentication is not None:
            self._set_status(outcome, OUTCOME_TEXT[outcome])
        self.sig_ciba_finished.emit(outcome)

    def _set_status(self, status: str, text: str) -> None:
        self.poll_label.setText(printable(text))
        set_property(self.poll_label, "status", status)

    def open_approval_page(self) -> bool:
        """Open the demo's approval page in the browser (only for the demo provider)."""
        page = self._approval_page()
        if page is None:
            return False
        try:
            return open_web_url(page, "approval page", self.open_url)
        except ConfigError as exc:
            self.stop_with_error(exc)
            return False


__all__ = ["CibaTab"]
