"""Register a new client at the issuer (RFC 7591) from the profile editor.

The dialog asks for what a registration needs — the issuer (the profile's), the redirect URI
(the loopback one the workbench listens on), the grant types, the client authentication method,
a name and the scopes, and an initial access token when the server wants one — and runs
discovery and the registration in a worker. On success it holds the
:class:`~workbench.core.oauth.rfc7591_register.Registration` for the editor to fill the profile
with: the client id, the client secret and the registration access token (both kept as
secrets). A refusal is shown in words in the dialog's banner.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.display import printable
from workbench.core.errors import ConfigError, WorkbenchError
from workbench.core.oauth.discovery import ServerMetadata, discover
from workbench.core.oauth.rfc7591_register import (
    ClientMetadata,
    Registration,
    register,
    registration_endpoint,
)
from workbench.core.transport.http import HttpClient
from workbench.ui import metrics, workers
from workbench.ui.dialogs.exception_dialog import show_exception
from workbench.ui.state import AppState
from workbench.ui.widgets.banners import MessageBanner

#: The grant types offered, with the words shown for each (RFC 7591 §2 values).
GRANT_CHOICES = (
    ("authorization_code", "Authorization code (browser sign-in)"),
    ("refresh_token", "Refresh token"),
    ("client_credentials", "Client credentials (no user)"),
    ("urn:ietf:params:oauth:grant-type:device_code", "Device code"),
)
#: ``token_endpoint_auth_method`` values offered, with what each means.
METHOD_CHOICES = (
    ("client_secret_basic", "client_secret_basic (a secret, HTTP Basic)"),
    ("client_secret_post", "client_secret_post (a secret in the form)"),
    ("none", "none (a public client, PKCE)"),
)
_REDIRECT_GRANTS = ("authorization_code",)


def loopback_redirect_uri(port: int) -> str:
    """The RFC 8252 loopback redirect URI the workbench listens on (any port when 0)."""
    return f"http://127.0.0.1:{port}/callback" if port else "http://127.0.0.1/callback"


class RegisterClientDialog(QDialog):
    """Registers a client and keeps the answer in :attr:`registration` (then accepted)."""

    def __init__(
        self,
        state: AppState,
        issuer: str,
        *,
        scope: str = "",
        redirect_port: int = 0,
        verify_tls: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.verify_tls = verify_tls
        self.registration: Registration | None = None
        #: The issuer's metadata discovery found on the way (the editor fills its endpoints).
        self.server_metadata: ServerMetadata | None = None
        self._worker: workers.Worker | None = None
        self.setObjectName("registerClient")
        self.setWindowTitle("Register a new client")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(
            max(metrics.PROFILE_EDITOR_MIN_WIDTH, metrics.text_width(self, metrics.URL_CHARS))
        )
        self.banner = MessageBanner("error", self, state.log.secrets)
        self.banner.setObjectName("registerClientError")
        intro = QLabel(
            "The server registers the client (RFC 7591) and answers with its client ID and"
            " secret; they fill the profile, the secret and the registration access token are"
            " kept in the keyring.",
            self,
        )
        intro.setWordWrap(True)
        self.issuer_edit = self._line("registerIssuer", "Issuer", issuer)
        self.redirect_edit = self._line(
            "registerRedirectUri", "Redirect URI", loopback_redirect_uri(redirect_port)
        )
        self.grant_checks: dict[str, QCheckBox] = {}
        grants = QVBoxLayout()
        for grant, words in GRANT_CHOICES:
            check = QCheckBox(words, self)
            check.setObjectName(f"registerGrant_{grant.rsplit(':', 1)[-1]}")
            check.setAccessibleName(words)
            check.setToolTip(grant)
            check.setChecked(grant in ("authorization_code", "refresh_token"))
            check.toggled.connect(self._sync_redirect)
            grants.addWidget(check)
            self.grant_checks[grant] = check
        self.method_combo = QComboBox(self)
        self.method_combo.setObjectName("registerAuthMethod")
        self.method_combo.setAccessibleName("Client authentication method")
        for method, words in METHOD_CHOICES:
            self.method_combo.addItem(words, method)
        self.name_edit = self._line("registerClientName", "Client name", "Token Workbench")
        self.scope_edit = self._line("registerScope", "Scopes", scope)
        self.initial_edit = self._line("registerInitialToken", "Initial access token", "")
        self.initial_edit.setPlaceholderText("only if the server requires one")
        self.initial_edit.setEchoMode(QLineEdit.EchoMode.Password)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Issuer", self.issuer_edit)
        form.addRow("Redirect URI", self.redirect_edit)
        form.addRow("Grant types", grants)
        form.addRow("Authentication", self.method_combo)
        form.addRow("Client name", self.name_edit)
        form.addRow("Scopes", self.scope_edit)
        form.addRow("Initial access token", self.initial_edit)

        self.status = QLabel("", self)
        self.status.setObjectName("registerStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.hide()
        self.register_button = QPushButton("Register", self)
        self.register_button.setObjectName("registerButton")
        self.register_button.setDefault(True)
        self.register_button.clicked.connect(self._on_register)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        buttons.addButton(self.register_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(row)
        self._sync_redirect()

    def _line(self, name: str, label: str, text: str) -> QLineEdit:
        edit = QLineEdit(text, self)
        edit.setObjectName(name)
        edit.setAccessibleName(label)
        return edit

    def _sync_redirect(self) -> None:
        """A redirect URI only for the browser grants: without them none is sent."""
        needed = any(self.grant_checks[g].isChecked() for g in _REDIRECT_GRANTS)
        self.redirect_edit.setEnabled(needed)

    def metadata(self) -> ClientMetadata:
        """The client metadata as entered."""
        grants = tuple(g for g, check in self.grant_checks.items() if check.isChecked())
        if not grants:
            raise ConfigError("Pick at least one grant type.")
        redirect = self.redirect_edit.text().strip() if self.redirect_edit.isEnabled() else ""
        if self.redirect_edit.isEnabled() and not redirect:
            raise ConfigError("The authorization code grant needs a redirect URI.")
        return ClientMetadata(
            redirect_uris=(redirect,) if redirect else (),
            grant_types=grants,
            token_endpoint_auth_method=self.method_combo.currentData(),
            client_name=self.name_edit.text().strip(),
            scope=self.scope_edit.text().strip(),
        )

    def _on_register(self) -> None:
        issuer = self.issuer_edit.text().strip()
        try:
            if not issuer:
                raise ConfigError(
                    "Enter the issuer: its discovery names the registration endpoint."
                )
            metadata = self.metadata()
        except ConfigError as exc:
            self.banner.show_error(exc)
            self._grow()
            return
        initial = self.initial_edit.text().strip() or None
        self.banner.hide()
        self.register_button.setEnabled(False)
        self.status.setText(printable(f"Registering at {issuer}…"))
        self.status.show()
        http = HttpClient(self.state.log, verify_tls=self.verify_tls)

        def run() -> tuple[ServerMetadata, Registration]:
            try:
                meta = discover(http, issuer)
                endpoint = registration_endpoint(meta)
                return meta, register(http, endpoint, metadata, initial)
            finally:
                http.close()

        self._worker = workers.start(
            run,
            on_returned=self._on_registered,
            on_errored=self._on_failed,
            on_finished=self._on_finished,
            owner=self,
        )

    def _on_registered(self, answer: tuple[ServerMetadata, Registration]) -> None:
        self.server_metadata, self.registration = answer
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.status.hide()
        if isinstance(exc, WorkbenchError):
            self.banner.show_error(exc)
            self._grow()
        else:
            show_exception(self, exc)

    def _grow(self) -> None:
        """Taller by the banner, so the rows below it are never squeezed together."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def _on_finished(self) -> None:
        self._worker = None
        self.register_button.setEnabled(True)

    def done(self, result: int) -> None:
        if self._worker is not None:
            self._worker.cancel()
        super().done(result)
