"""Device authorization grant (RFC 8628): a user code, a QR code, a countdown, live polling.

One worker runs the whole login: it asks for a user code (RFC 8628 §3.1), yields the
:class:`DeviceAuthorization` so the tab shows it at once, then polls the token endpoint
(§3.4-3.5), yielding a :class:`DevicePoll` after each answer, and returns the tokens. A single
worker keeps one Cancel for both steps and no idle gap between them; Cancel sets the event the
core sleeps on, so polling stops at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import ConfigError, FlowError, OAuthError
from workbench.core.model import Provider
from workbench.core.oauth.rfc8628_device import DeviceAuthorization, DevicePoll
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.claims import format_duration
from workbench.ui import metrics
from workbench.ui.dialogs.presenter import PresenterView, loopback_warning
from workbench.ui.flows.base import FlowTab
from workbench.ui.reveal import reveal
from workbench.ui.safe_text import (
    UrlOpener,
    open_web_url,
    printable,
    require_web_url,
    tooltip,
    web_link,
)
from workbench.ui.state import AppState, TokenContext
from workbench.ui.theme import set_property
from workbench.ui.widgets.countdown import CountdownBar
from workbench.ui.widgets.qr_code import QrCodeView

# Outcomes announced by DeviceFlowTab.sig_device_finished.
APPROVED = "approved"
DENIED = "denied"
EXPIRED = "expired"
CANCELLED = "cancelled"
FAILED = "failed"

PRESENTER_SHORTCUT = Qt.Key.Key_F11


def seconds_in_words(seconds: float) -> str:
    """``6 s``, ``1 min 5 s``; sub-second intervals keep their decimals (``0.5 s``)."""
    return format_duration(seconds) if seconds >= 1 else f"{seconds:g} s"


def poll_text(poll: DevicePoll) -> str:
    """The status line after one poll, in words."""
    every = seconds_in_words(poll.interval)
    if poll.status == "slow_down":
        return f"Server asked to slow down: polling every {every} now."
    times = "once" if poll.polls == 1 else f"{poll.polls} times"
    return f"Waiting for approval… checked {times}, polling every {every}."


OUTCOME_TEXT = {
    APPROVED: "Approved ✓",
    DENIED: "Denied on the verification page.",
    EXPIRED: "The code expired before anyone approved it.",
    CANCELLED: "Cancelled: no longer polling.",
    FAILED: "Stopped: see the message above.",
}


OUTCOME_STEP = {
    DENIED: "Ended: the user denied the request.",
    EXPIRED: "Ended: the code expired. Get a new code to try again.",
}


VERIFICATION_URI = "verification address"  # what a refusal names


class DeviceFlowTab(FlowTab):
    """Device Code: show the user code and QR, count down, poll until approved.

    The verification address is a link (and a QR code) only when it is an http(s) URL; any
    other ``verification_uri`` or ``verification_uri_complete`` (``javascript:``, ``file:``)
    stops the login with "Refusing to open …". ``open_url`` opens the link; it defaults to the
    system browser (``QDesktopServices.openUrl``) and tests pass their own.
    """

    title = "Device Code"
    key = "device"
    run_label = "Get code"

    sig_device_started = Signal(object)
    """The server issued a user code (DeviceAuthorization)."""
    sig_poll = Signal(object)
    """One poll answered pending or slow_down (DevicePoll)."""
    sig_device_finished = Signal(str)
    """The login ended: approved, denied, expired, cancelled or failed."""

    def __init__(
        self,
        state: AppState,
        parent: QWidget | None = None,
        *,
        open_url: UrlOpener | None = None,
    ) -> None:
        self.open_url: UrlOpener = open_url or QDesktopServices.openUrl
        self.authorization: DeviceAuthorization | None = None
        self.last_poll: DevicePoll | None = None
        self.outcome: str | None = None
        self.presenter: PresenterView | None = None
        super().__init__(state, parent)
        shortcut = QShortcut(QKeySequence(PRESENTER_SHORTCUT), self)
        shortcut.setObjectName("devicePresenterShortcut")
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self._on_presenter_requested)
        self.presenter_shortcut = shortcut
        # Beside Run and Cancel, so it stays in view however small the window.
        self.button_bar.insertWidget(1, self.presenter_button)

    # -- layout -----------------------------------------------------------------------------
    def build_params(self) -> None:
        self.pkce_check = QCheckBox("PKCE on device requests (S256)", self)
        self.pkce_check.setObjectName("device_pkce")
        self.pkce_check.setAccessibleName("PKCE on device requests")
        self.pkce_check.setToolTip(
            "Send a PKCE code_challenge with the device authorization request and the"
            " code_verifier with every poll. Keycloak requires it for clients set to PKCE"
            ' ("Missing parameter: code_challenge_method"). The provider profile sets it.'
        )
        self.form.addRow("", self.pkce_check)

    def apply_provider(self, provider: Provider) -> None:
        super().apply_provider(provider)
        self.pkce_check.setChecked(provider.device_pkce)

    def build_body(self) -> None:
        panel = QFrame(self)
        panel.setObjectName("deviceCodePanel")
        panel.setAccessibleName("Device login")
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        self.code_panel = panel

        intro = QLabel(
            "On a phone or another computer, scan the QR code or open the address, "
            "sign in and enter the code.",
            panel,
        )
        intro.setObjectName("deviceIntro")
        intro.setWordWrap(True)

        code_caption = self._caption("User code", panel)
        self.user_code_label = QLabel("", panel)
        self.user_code_label.setObjectName("deviceUserCode")
        self.user_code_label.setTextFormat(Qt.TextFormat.PlainText)
        self.user_code_label.setAccessibleName("User code")
        self.user_code_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.user_code_label.setFont(self._code_font())
        self.copy_code_button = self._button(
            "&Copy code", "deviceCopyCode", "Copy the user code (Alt+C)", panel
        )
        self.copy_code_button.clicked.connect(self._on_copy_code)
        code_caption.setBuddy(self.copy_code_button)

        uri_caption = self._caption("Verification address", panel)
        self.uri_label = QLabel("", panel)
        self.uri_label.setObjectName("deviceVerificationUri")
        self.uri_label.setAccessibleName("Verification address")
        self.uri_label.setTextFormat(Qt.TextFormat.RichText)  # parts escaped by web_link
        self.uri_label.setOpenExternalLinks(False)  # opened by open_verification_page only
        self.uri_label.linkActivated.connect(self._on_uri_link)
        self.uri_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.uri_label.setWordWrap(True)
        self.uri_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.copy_uri_button = self._button(
            "Copy &address", "deviceCopyUri", "Copy the verification address (Alt+A)", panel
        )
        self.copy_uri_button.clicked.connect(self._on_copy_uri)

        self.countdown = CountdownBar(
            panel,
            "deviceCountdown",
            running_text="Code expires {when}",
            expired_text="Code expired {when}",
        )
        self.countdown.sig_expired.connect(self._on_code_expired)
        self.poll_label = QLabel("", panel)
        self.poll_label.setObjectName("devicePollStatus")
        self.poll_label.setAccessibleName("Polling status")
        self.poll_label.setWordWrap(True)
        self.poll_label.setProperty("status", "idle")

        self.presenter_button = self._button(
            "&Presenter view",
            "devicePresenterButton",
            "Show the code and QR full screen, for a room (F11; Esc closes)",
            self,
        )
        self.presenter_button.clicked.connect(self._on_presenter_requested)

        self.qr_view = QrCodeView(panel, "deviceQr")

        code_row = QHBoxLayout()
        code_row.addWidget(self.user_code_label, 1)
        code_row.addWidget(self.copy_code_button, 0, Qt.AlignmentFlag.AlignVCenter)
        uri_row = QHBoxLayout()
        uri_row.addWidget(self.uri_label, 1)
        uri_row.addWidget(self.copy_uri_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.loopback_label = QLabel("", panel)
        self.loopback_label.setObjectName("deviceLoopbackWarning")
        self.loopback_label.setAccessibleName("Address warning")
        self.loopback_label.setProperty("kind", "warning")
        self.loopback_label.setTextFormat(Qt.TextFormat.PlainText)
        self.loopback_label.setWordWrap(True)
        self.loopback_label.hide()

        left = QVBoxLayout()
        left.setSpacing(metrics.SPACING)
        left.addWidget(intro)
        left.addSpacing(metrics.SPACING)
        left.addWidget(code_caption)
        left.addLayout(code_row)
        left.addSpacing(metrics.SPACING)
        left.addWidget(uri_caption)
        left.addLayout(uri_row)
        left.addWidget(self.loopback_label)
        left.addSpacing(metrics.SPACING)
        left.addWidget(self.countdown)
        left.addWidget(self.poll_label)
        left.addStretch(1)

        grid = QGridLayout(panel)
        grid.setContentsMargins(metrics.MARGIN, metrics.MARGIN, metrics.MARGIN, metrics.MARGIN)
        grid.setHorizontalSpacing(metrics.MARGIN * 2)
        grid.addLayout(left, 0, 0)
        grid.addWidget(self.qr_view, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        panel.hide()
        self.body_layout.addWidget(panel)

    def _caption(self, text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setObjectName(f"deviceCaption{text.replace(' ', '')}")
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    def _button(self, text: str, name: str, tip: str, parent: QWidget) -> QPushButton:
        button = QPushButton(text, parent)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", ""))
        button.setToolTip(tip)
        button.setAutoDefault(False)
        return button

    def _code_font(self) -> QFont:
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(metrics.USER_CODE_POINT_SIZE)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
        return font

    # -- flow -------------------------------------------------------------------------------
    def prepare_screenshot(self) -> Callable[[], bool]:
        """Start the flow so the user code, QR code and countdown are on show."""
        self.start()
        return lambda: self.authorization is not None

    def run(self) -> None:
        session = self.state.require_session()
        self._reset()
        self.run_in_worker(
            session.device_login,
            self.scope_edit.text().strip(),
            self.extra_params.params(),
            pkce=self.pkce_check.isChecked(),
            step="Asking the server for a user code…",
            on_returned=self._on_tokens,
            on_yielded=self._on_yielded,
            with_cancel=True,
        )

    def _reset(self) -> None:
        self.authorization = None
        self.last_poll = None
        self.outcome = None
        self.countdown.clear()
        self.qr_view.clear()
        self.code_panel.hide()

    def reset_results(self) -> None:
        """The code of a finished login at another provider goes too."""
        super().reset_results()
        self._reset()

    def _on_yielded(self, value: Any) -> None:
        if isinstance(value, DeviceAuthorization):
            self._on_authorization(value)
        elif isinstance(value, DevicePoll):
            self._on_poll(value)

    def _on_authorization(self, auth: DeviceAuthorization) -> None:
        try:
            require_web_url(auth.verification_uri, VERIFICATION_URI)
            if auth.verification_uri_complete is not None:
                require_web_url(auth.verification_uri_complete, "complete " + VERIFICATION_URI)
        except ConfigError as exc:
            # No code, link or QR for a page that is not a web page: the login stops here.
            self.stop_with_error(exc)
            return
        self.authorization = auth
        self.user_code_label.setText(printable(auth.user_code))
        self.user_code_label.setEnabled(True)
        self.copy_code_button.setEnabled(True)
        self.user_code_label.setToolTip("Type this code on the verification page")
        self.uri_label.setText(web_link(auth.qr_uri, auth.verification_uri))
        self.uri_label.setToolTip(tooltip(f"Opens {auth.qr_uri} in your browser"))
        self.qr_view.set_data(auth.qr_uri)
        warning = loopback_warning(auth.qr_uri)
        self.loopback_label.setText(warning or "")
        self.loopback_label.setVisible(warning is not None)
        self.countdown.set_deadline(auth.expires_at, auth.expires_in)
        self.countdown.show()
        self._set_status(
            "waiting",
            f"Waiting for approval… first check in {seconds_in_words(auth.interval)}.",
        )
        self.code_panel.show()
        reveal(self.code_panel, flash=False)  # below the parameters: scrolled into view
        self.sig_step.emit("Waiting for the user to approve on the verification page…")
        self.sig_device_started.emit(auth)

    def _on_poll(self, poll: DevicePoll) -> None:
        self.last_poll = poll
        status = "slow_down" if poll.status == "slow_down" else "waiting"
        if not self.countdown.is_expired():
            self._set_status(status, poll_text(poll))
        self.sig_poll.emit(poll)

    def _on_tokens(self, tokens: TokenSet) -> None:
        self.deliver_tokens(tokens, TokenContext(origin="device_code"))
        self._finish(APPROVED)
        self.sig_step.emit("Approved: the tokens are in the inspector.")

    def on_failed(self, exc: BaseException) -> None:
        """The banner already says what happened; mark the code as used up."""
        super().on_failed(exc)
        self._on_flow_error(exc)

    def _on_flow_error(self, exc: BaseException) -> None:
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
        self.countdown.hide()  # the status line says how it ended
        if self.authorization is not None:
            self.qr_view.set_faded(True)
            self.user_code_label.setEnabled(False)
            self.copy_code_button.setEnabled(False)
            self._set_status(outcome, OUTCOME_TEXT[outcome])
        if outcome in OUTCOME_STEP:
            self.sig_step.emit(OUTCOME_STEP[outcome])
        self.sig_device_finished.emit(outcome)

    def _on_code_expired(self) -> None:
        if self.busy and self.outcome is None:
            self.qr_view.set_faded(True)
            self._set_status(EXPIRED, "The code has expired; waiting for the server to confirm…")

    def _set_status(self, status: str, text: str) -> None:
        # What the server sent that had to be made sane (an interval of 0, say) stays in view.
        auth = self.authorization
        if auth is not None and auth.notes and status in ("waiting", "slow_down"):
            text += "".join(f" {printable(note)}" for note in auth.notes)
        self.poll_label.setText(text)
        set_property(self.poll_label, "status", status)

    # -- actions ----------------------------------------------------------------------------
    def _on_copy_code(self) -> None:
        if self.authorization is not None:
            QGuiApplication.clipboard().setText(self.authorization.user_code)
            self.sig_step.emit("User code copied to the clipboard.")

    def open_verification_page(self) -> bool:
        """Open the verification address (the complete one when given) in the browser."""
        if self.authorization is None:
            return False
        try:
            return open_web_url(self.authorization.qr_uri, VERIFICATION_URI, self.open_url)
        except ConfigError as exc:
            self.stop_with_error(exc)
            return False

    def _on_uri_link(self, _link: str) -> None:
        # The href is the checked qr_uri; the authorization, not the label, says what opens.
        if self.open_verification_page():
            self.sig_step.emit("Verification page opened in the browser.")

    def _on_copy_uri(self) -> None:
        if self.authorization is not None:
            QGuiApplication.clipboard().setText(self.authorization.verification_uri)
            self.sig_step.emit("Verification address copied to the clipboard.")

    def _on_presenter_requested(self) -> None:
        self.open_presenter()

    def open_presenter(self, full_screen: bool = True) -> PresenterView | None:
        """Show the presenter view (full screen unless told otherwise); None before a code."""
        if self.authorization is None:
            self.sig_step.emit("Get a code first: the presenter view shows it to the room.")
            return None
        if self.presenter is None:
            presenter = PresenterView(self.window())
            self.sig_device_started.connect(presenter.set_authorization)
            self.sig_poll.connect(presenter.set_poll)
            self.sig_device_finished.connect(presenter.set_outcome)
            self.presenter = presenter
        presenter = self.presenter
        presenter.set_authorization(self.authorization)
        if self.last_poll is not None:
            presenter.set_poll(self.last_poll)
        if self.outcome is not None:
            presenter.set_outcome(self.outcome)
        presenter.present(full_screen)
        return presenter
