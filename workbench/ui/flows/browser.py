"""What the browser flow tabs share (authorization code + PKCE, implicit): an RFC 8252 loopback
redirect and the system browser.

The worker begins the authorization (discovery, listener on 127.0.0.1, authorize URL), yields
the pending request so the tab can show it and open the browser, waits for the redirect with
the worker's cancel event (Cancel stops the wait at once and closes the listener), yields again
when the redirect arrived, and returns the tokens.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.display import printable
from workbench.core.errors import ConfigError
from workbench.core.keys import SigningKey
from workbench.core.oauth.front_channel import AuthorizeOptions
from workbench.core.oauth.jarm import RESPONSE_MODES
from workbench.core.oauth.loopback import OPEN_BY_HAND
from workbench.core.oauth.rfc6749_code import AuthorizationRequest
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.session import DEFAULT_LOGIN_TIMEOUT, PendingAuthorization, RedirectReceived
from workbench.ui import metrics
from workbench.ui.flows.base import FlowTab
from workbench.ui.safe_text import UrlOpener, open_web_url, require_web_url
from workbench.ui.state import AppState, TokenContext
from workbench.ui.widgets.copy_field import CopyField
from workbench.ui.widgets.details_editor import ROW_LABEL as DETAILS_LABEL
from workbench.ui.widgets.details_editor import AuthorizationDetailsEditor

DEFAULT_RESPONSE_MODE = "default"  # the combo's first item: no response_mode sent
MIN_TIMEOUT_S = 1
MAX_TIMEOUT_S = 3600
COPY_URL_SHORTCUT = "Ctrl+Shift+C"
AUTHORIZE_URL = "authorize URL"  # what a refusal names


class BrowserFlowTab(FlowTab):
    """What the code and implicit tabs share: loopback port, timeout, browser, request view.

    ``open_url`` opens the authorize URL; it defaults to the system browser
    (``QDesktopServices.openUrl``) and tests pass their own. Only an http(s) authorize URL is
    ever handed to it: any other (a ``file:`` or ``javascript:`` authorization endpoint from a
    discovery document) stops the flow with "Refusing to open …" in the tab.
    """

    origin = "browser"  # TokenContext.origin of the delivered tokens
    uses_pkce = False
    redirect_step = "Checking the response…"

    def __init__(
        self,
        state: AppState,
        parent: QWidget | None = None,
        *,
        open_url: UrlOpener | None = None,
    ) -> None:
        super().__init__(state, parent)
        self.open_url: UrlOpener = open_url or QDesktopServices.openUrl
        self.request: AuthorizationRequest | None = None
        self.pending: PendingAuthorization | None = None  # while waiting for the redirect
        copy_url = QShortcut(QKeySequence(COPY_URL_SHORTCUT), self)
        copy_url.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy_url.activated.connect(self.url_field.copy)

    # -- parameters -----------------------------------------------------------------------
    def build_response_type(self) -> None:
        """Add the response type row."""

    def response_type(self) -> str | None:
        """The response type to send; None lets the server's list decide."""
        raise NotImplementedError

    def build_params(self) -> None:
        self.build_response_type()
        self.port_spin = QSpinBox(self)
        self.port_spin.setObjectName(f"{self.key}_port")
        self.port_spin.setAccessibleName("Redirect port")
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("0 (any free port)")
        self.port_spin.setToolTip(
            "The loopback listener's port on 127.0.0.1 (RFC 8252 §7.3). 0 picks any free port; "
            "set one only if the provider insists on an exact redirect URI."
        )
        self.form.addRow("Redirect port", self.port_spin)
        self.timeout_spin = QSpinBox(self)
        self.timeout_spin.setObjectName(f"{self.key}_timeout")
        self.timeout_spin.setAccessibleName("Sign-in timeout in seconds")
        self.timeout_spin.setRange(MIN_TIMEOUT_S, MAX_TIMEOUT_S)
        self.timeout_spin.setValue(int(DEFAULT_LOGIN_TIMEOUT))
        self.timeout_spin.setSuffix(" s")
        self.timeout_spin.setToolTip("How long to wait for the browser sign-in")
        self.form.addRow("Timeout", self.timeout_spin)
        self.browser_check = QCheckBox("Open the system browser", self)
        self.browser_check.setObjectName(f"{self.key}_openBrowser")
        self.browser_check.setAccessibleName("Open the system browser")
        self.browser_check.setChecked(True)
        self.browser_check.setToolTip(
            "Off: copy the authorize URL below into any browser (another profile, a private "
            "window, another machine's browser cannot reach 127.0.0.1)."
        )
        self.form.addRow("", self.browser_check)
        self.par_check = QCheckBox("Push the request first (PAR)", self)
        self.par_check.setObjectName(f"{self.key}_par")
        self.par_check.setAccessibleName("Push the authorization request first (PAR)")
        self.par_check.setToolTip(
            "RFC 9126: the parameters go to the server's pushed_authorization_request_endpoint"
            " first, with client authentication; the browser gets only client_id and the"
            " request_uri the server gave. Done anyway when the server requires it."
        )
        self.form.addRow("", self.par_check)
        self.jar_check = QCheckBox("Sign the request with the client key (JAR)", self)
        self.jar_check.setObjectName(f"{self.key}_requestObject")
        self.jar_check.setAccessibleName("Sign the authorization request with the client key")
        self.jar_check.setToolTip(
            "RFC 9101: the parameters go as a request object signed with the profile's client"
            " key (the one private_key_jwt uses), in the URL or inside the pushed request."
        )
        self.form.addRow("", self.jar_check)
        self.mode_combo = QComboBox(self)
        self.mode_combo.setObjectName(f"{self.key}_responseMode")
        self.mode_combo.setAccessibleName("Response mode")
        self.mode_combo.addItems([DEFAULT_RESPONSE_MODE, *RESPONSE_MODES])
        self.mode_combo.setToolTip(
            "response_mode: default sends none. jwt, query.jwt, fragment.jwt and form_post.jwt"
            " ask for a signed response (JARM), verified (signature, iss, aud, exp) before its"
            " code is used."
        )
        self.form.addRow("Response mode", self.mode_combo)
        self.details_editor = AuthorizationDetailsEditor(f"{self.key}_authorizationDetails", self)
        self.form.addRow(DETAILS_LABEL, self.details_editor)

    def authorize_options(self) -> AuthorizeOptions:
        """PAR and the response mode as chosen in the tab."""
        mode = self.mode_combo.currentText()
        return AuthorizeOptions(
            par=self.par_check.isChecked(),
            response_mode=None if mode == DEFAULT_RESPONSE_MODE else mode,
            request_object_key=self._request_object_key() if self.jar_check.isChecked() else None,
        )

    def _request_object_key(self) -> SigningKey:
        client = self.state.require_session().client
        if client.client_key is None and client.signing_key is None:
            raise ConfigError(
                "A signed request object (JAR) needs the client's private key: choose one in"
                " the provider profile (client assertion key)."
            )
        return client.key()

    # -- request view ---------------------------------------------------------------------
    def build_body(self) -> None:
        self.request_hint = QLabel(
            "The authorize URL, state, nonce"
            + (" and PKCE pair" if self.uses_pkce else "")
            + " appear here when the flow starts.",
            self,
        )
        self.request_hint.setObjectName(f"{self.key}RequestHint")
        self.request_hint.setWordWrap(True)
        self.request_hint.setEnabled(False)
        self.body_layout.addWidget(self.request_hint)

        self.request_box = QGroupBox("Authorization request", self)
        self.request_box.setObjectName(f"{self.key}Request")
        self.request_box.setAccessibleName("Authorization request")
        box_layout = QVBoxLayout(self.request_box)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        box_layout.addLayout(form)
        self.url_field = self._field(form, "url", "Authorize URL", multiline=True)
        self.url_field.copy_button.setToolTip(
            f"Copy the authorize URL, to open it in another browser ({COPY_URL_SHORTCUT})"
        )
        self.pushed_field = self._field(form, "requestUri", "Pushed request_uri")
        form.setRowVisible(self.pushed_field, False)
        self.redirect_field = self._field(form, "redirectUri", "Redirect URI")
        self.state_field = self._field(form, "state", "State")
        self.nonce_field = self._field(form, "nonce", "Nonce")
        self.verifier_field = self._field(form, "verifier", "PKCE verifier")
        self.challenge_field = self._field(form, "challenge", "PKCE challenge (S256)")
        for field in (self.verifier_field, self.challenge_field):
            form.setRowVisible(field, self.uses_pkce)
        self.open_button = QPushButton("Open in browser", self.request_box)
        self.open_button.setObjectName(f"{self.key}OpenBrowser")
        self.open_button.setAccessibleName("Open the authorize URL in the browser")
        self.open_button.setToolTip("Open the authorize URL again (the listener is still waiting)")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._on_open_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        box_layout.addLayout(buttons)
        self.request_box.hide()
        self.body_layout.addWidget(self.request_box)

    def _field(
        self, form: QFormLayout, name: str, label: str, *, multiline: bool = False
    ) -> CopyField:
        field = CopyField(
            f"{self.key}_{name}",
            label,
            self.request_box,
            multiline=multiline,
            lines=metrics.AUTH_CODE_URL_LINES,
        )
        form.addRow(label, field)
        return field

    def _request_form(self) -> QFormLayout:
        layout = self.request_box.layout()
        assert layout is not None
        form = layout.itemAt(0).layout()
        assert isinstance(form, QFormLayout)
        return form

    def show_request(self, request: AuthorizationRequest) -> None:
        """Fill the request view with what was sent to the authorize endpoint."""
        self.request = request
        self.url_field.set_text(request.url)
        pushed = request.pushed
        self.pushed_field.set_text(
            f"{pushed.request_uri}  (valid {pushed.expires_in:g} s)" if pushed else ""
        )
        self._request_form().setRowVisible(self.pushed_field, pushed is not None)
        self.redirect_field.set_text(request.redirect_uri)
        self.state_field.set_text(request.state)
        self.nonce_field.set_text(request.nonce or "")
        self.nonce_field.editor.setPlaceholderText("none (no openid scope)")
        pkce = request.pkce
        self.verifier_field.set_text(pkce.verifier if pkce else "")
        self.challenge_field.set_text(pkce.challenge if pkce else "")
        self.request_hint.hide()
        self.request_box.show()

    # -- running --------------------------------------------------------------------------
    def prepare_screenshot(self) -> Callable[[], bool]:
        """Start the flow without a browser, so the URL, PKCE, state and nonce are on show."""
        self.browser_check.setChecked(False)
        self.start()
        return lambda: self.pending is not None

    def run(self) -> None:
        session = self.state.require_session()
        self.request = None
        self.pending = None
        self.run_in_worker(
            session.browser_login,
            self.scope_edit.text().strip(),
            response_type=self.response_type(),
            port=self.port_spin.value(),
            extra=self.details_editor.with_details(self.request_extra()),
            timeout=float(self.timeout_spin.value()),
            options=self.authorize_options(),
            step="Preparing the authorization request (discovery, loopback listener)…",
            on_returned=self._on_tokens,
            on_yielded=self._on_progress,
            with_cancel=True,
        )

    def _on_progress(self, value: object) -> None:
        if self.worker is None or self.worker.cancelled:
            return
        if isinstance(value, PendingAuthorization):
            self.pending = value
            self._on_pending(value.request)
        elif isinstance(value, RedirectReceived):
            self.open_button.setEnabled(False)
            stray = self.pending.rejected if self.pending is not None else ()
            if stray:  # another page or process called the redirect URI first: say so
                self.sig_step.emit(
                    f"{self.redirect_step} ({len(stray)} stray request(s) to the redirect URI"
                    f" refused; the last: {printable(stray[-1].reason)})"
                )
            else:
                self.sig_step.emit(self.redirect_step)

    def _on_pending(self, request: AuthorizationRequest) -> None:
        self.show_request(request)
        try:
            require_web_url(request.url, AUTHORIZE_URL)
        except ConfigError as exc:
            # Not even shown as something to copy into a browser: the flow stops here.
            self.stop_with_error(exc)
            return
        self.open_button.setEnabled(True)
        uri = request.redirect_uri
        if not self.browser_check.isChecked():
            self.sig_step.emit(f"Open the authorize URL in a browser; waiting on {uri}…")
        elif self._open(request.url):
            self.sig_step.emit(f"Waiting for the browser sign-in on {uri}…")
        else:
            self.sig_step.emit(
                f"No browser opened. {OPEN_BY_HAND} Copy it with the button beside it"
                f" ({COPY_URL_SHORTCUT}); waiting on {uri}…"
            )

    def _open(self, url: str) -> bool:
        """Open ``url`` in the browser if it is an http(s) URL; a refusal stops the flow."""
        try:
            return open_web_url(url, AUTHORIZE_URL, self.open_url)
        except ConfigError as exc:
            self.stop_with_error(exc)
            return False

    def _on_open_clicked(self) -> None:
        if self.request is not None:
            self._open(self.request.url)

    def _on_tokens(self, tokens: TokenSet) -> None:
        self.pending = None
        nonce = self.request.nonce if self.request else None
        self.deliver_tokens(tokens, TokenContext(origin=self.origin, nonce=nonce))

    def on_cancelled(self) -> None:
        self.pending = None
        self.open_button.setEnabled(False)

    def reset_results(self) -> None:
        """The request sent to another provider's authorize endpoint goes too."""
        super().reset_results()
        self.on_cancelled()
        self.request = None
        self.request_box.hide()
        self.request_hint.show()


__all__ = ["AUTHORIZE_URL", "COPY_URL_SHORTCUT", "BrowserFlowTab", "UrlOpener"]
