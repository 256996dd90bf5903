"""Create or edit a provider profile: issuer with Discover, or manual endpoints; the client."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.display import printable
from workbench.core.errors import ConfigError, WorkbenchError
from workbench.core.oauth.client_auth import AUTH_METHODS, AuthMethod, describe_client_auth
from workbench.core.oauth.discovery import (
    ENDPOINT_NAMES,
    ServerMetadata,
    describe_sources,
    discover,
)
from workbench.core.profiles import REGISTRATION_TOKEN, Profile
from workbench.core.transport.http import HttpClient
from workbench.ui import metrics, workers
from workbench.ui.dialogs.client_key_panel import ClientKeyPanel
from workbench.ui.dialogs.dpop_setting import DpopSetting
from workbench.ui.dialogs.exception_dialog import show_exception
from workbench.ui.dialogs.register_client import RegisterClientDialog
from workbench.ui.safe_text import set_plain, tooltip
from workbench.ui.state import AppState
from workbench.ui.theme import set_property
from workbench.ui.widgets.banners import MessageBanner
from workbench.ui.widgets.params_table import ParamsTable

AUTO_METHOD = "automatic (Basic with a secret, else none)"
#: At most this share of the screen's height; the fields scroll for the rest.
SCREEN_SHARE = 0.9
#: Without discovery, a profile needs one of these to run any flow.
REQUIRED_ENDPOINTS = ("token_endpoint", "authorization_endpoint")
ENDPOINT_LABELS = {
    "authorization_endpoint": "Authorization",
    "token_endpoint": "Token",
    "device_authorization_endpoint": "Device authorization",
    "revocation_endpoint": "Revocation",
    "introspection_endpoint": "Introspection",
    "userinfo_endpoint": "UserInfo",
    "jwks_uri": "JWKS URI",
    "end_session_endpoint": "End session",
}


def _expand_wrapped(label: QLabel) -> None:
    """A word-wrapped label in a form row takes the row's width (it otherwise wraps at its
    narrow hint) and keeps its height-for-width, so a short dialog scrolls, never squeezes it."""
    policy = label.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
    label.setSizePolicy(policy)


def _expiry_words(expires_at: int | None) -> str:
    """ " The secret expires at …" for a secret that expires (RFC 7591: 0 means never)."""
    if not expires_at:
        return ""
    return time.strftime(
        " The client secret expires at %Y-%m-%d %H:%M UTC.", time.gmtime(expires_at)
    )


class ProfileEditorDialog(QDialog):
    """Edits a :class:`Profile`; the client secret goes to the keyring, never to the file."""

    def __init__(
        self, state: AppState, profile: Profile | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.original_name = profile.name if profile else None
        self.setObjectName("profileEditor")
        self.setWindowTitle("Edit provider" if profile else "New provider")
        self.setAccessibleName(self.windowTitle())
        self._worker: workers.Worker | None = None
        self._failed_issuer: str | None = None  # the issuer whose discovery just failed
        self.setMinimumWidth(
            max(metrics.PROFILE_EDITOR_MIN_WIDTH, metrics.text_width(self, metrics.URL_CHARS))
        )

        self.banner = MessageBanner("error", self, state.log.secrets)
        self.banner.setObjectName("profileEditorError")
        self.name_edit = self._line("profileName", "Profile name", "e.g. Staging Keycloak")
        self.issuer_edit = self._line("profileIssuer", "Issuer", "https://idp.example.com/realm")
        self.discover_button = QPushButton("Discover", self)
        self.discover_button.setObjectName("profileDiscover")
        self.discover_button.setAccessibleName("Discover endpoints from the issuer")
        self.discover_button.setToolTip("Fetch the issuer's discovery document (Ctrl+D)")
        self.discover_button.setShortcut("Ctrl+D")
        self.discover_button.clicked.connect(self._on_discover)
        self.discover_status = QLabel("", self)
        self.discover_status.setObjectName("profileDiscoverStatus")
        self.discover_status.setTextFormat(Qt.TextFormat.PlainText)  # quotes the discovery doc
        self.discover_status.setWordWrap(True)
        self.discover_status.hide()  # shown while and after discovering

        self.endpoint_edits: dict[str, QLineEdit] = {}
        endpoints_box = QGroupBox("Endpoints (filled by Discover, or enter them by hand)", self)
        endpoints_form = QFormLayout(endpoints_box)
        endpoints_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for name in ENDPOINT_NAMES:
            edit = QLineEdit(endpoints_box)
            edit.setObjectName(f"profileEndpoint_{name}")
            label = ENDPOINT_LABELS.get(name, name)
            edit.setAccessibleName(f"{label} endpoint" if "URI" not in label else label)
            edit.setPlaceholderText("from discovery")
            endpoints_form.addRow(label, edit)
            self.endpoint_edits[name] = edit

        self.client_id_edit = self._line("profileClientId", "Client ID", "")
        self.register_button = QPushButton("Register a new client…", self)
        self.register_button.setObjectName("profileRegisterClient")
        self.register_button.setToolTip(
            "Register a client at the issuer (dynamic client registration, RFC 7591) and fill"
            " the client fields with the answer"
        )
        self.register_button.clicked.connect(self._on_register_client)
        #: The open registration dialog, and what a registration gave (kept on Save).
        self.register_dialog: RegisterClientDialog | None = None
        self._registration_token: str | None = None
        self._registration_uri = ""
        self.secret_edit = self._line("profileClientSecret", "Client secret", "none (public)")
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_note = QLabel(state.secrets.where(), self)
        self.secret_note.setObjectName("profileSecretNote")
        self.secret_note.setWordWrap(True)
        self.secret_note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        _expand_wrapped(self.secret_note)
        self.method_combo = QComboBox(self)
        self.method_combo.setObjectName("profileAuthMethod")
        self.method_combo.setAccessibleName("Client authentication method")
        self.method_combo.addItem(AUTO_METHOD, None)
        for method in AUTH_METHODS:
            self.method_combo.addItem(method, method)
            self.method_combo.setItemData(
                self.method_combo.count() - 1,
                describe_client_auth(method),
                Qt.ItemDataRole.ToolTipRole,
            )
        self.key_panel = ClientKeyPanel(state.secrets, self)
        self.method_combo.currentIndexChanged.connect(
            lambda: self.key_panel.set_method(self.method_combo.currentData())
        )
        self.scope_edit = self._line("profileScope", "Scopes", "openid profile email")
        self.params = ParamsTable("profileExtraParams", self)
        self.port_spin = QSpinBox(self)
        self.port_spin.setObjectName("profileRedirectPort")
        self.port_spin.setAccessibleName("Loopback redirect port")
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("any free port")
        self.device_pkce_check = QCheckBox("PKCE on device requests", self)
        self.device_pkce_check.setObjectName("profileDevicePkce")
        self.device_pkce_check.setAccessibleName("PKCE on device requests")
        self.device_pkce_check.setToolTip(
            "The device flow sends a PKCE S256 code_challenge and code_verifier (Keycloak"
            " requires it for clients set to PKCE)"
        )
        self.tls_check = QCheckBox("Verify TLS certificates", self)
        self.tls_check.setObjectName("profileVerifyTls")
        self.tls_check.setAccessibleName("Verify TLS certificates")
        self.tls_check.setChecked(True)
        self.tls_warning = QLabel(
            "TLS verification is OFF for this provider: anyone on the network path can read "
            "and alter the traffic. Use only with test servers.",
            self,
        )
        self.tls_warning.setObjectName("profileTlsWarning")
        self.tls_warning.setProperty("kind", "warning")
        self.tls_warning.setWordWrap(True)
        _expand_wrapped(self.tls_warning)
        self.tls_warning.hide()
        self.tls_check.toggled.connect(lambda on: self.tls_warning.setVisible(not on))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Profile name", self.name_edit)
        issuer_row = QHBoxLayout()
        issuer_row.addWidget(self.issuer_edit, 1)
        issuer_row.addWidget(self.discover_button)
        issuer_cell = QVBoxLayout()
        issuer_cell.addLayout(issuer_row)
        issuer_cell.addWidget(self.discover_status)
        form.addRow("Issuer", issuer_cell)
        client_row = QHBoxLayout()
        client_row.addWidget(self.client_id_edit, 1)
        client_row.addWidget(self.register_button)
        form.addRow("Client ID", client_row)
        form.addRow("Client secret", self.secret_edit)
        form.addRow("", self.secret_note)
        form.addRow("Authentication", self.method_combo)
        form.addRow("", self.key_panel)
        form.addRow("Scopes", self.scope_edit)
        form.addRow("Extra parameters", self.params)
        form.addRow("Redirect port", self.port_spin)
        form.addRow("", self.device_pkce_check)
        self.dpop = DpopSetting(self, form, profile)  # the switch and its key file, loaded
        form.addRow("", self.tls_check)
        form.addRow("", self.tls_warning)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.setObjectName("profileEditorButtons")
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        # The fields scroll when the screen is too short for them all (a laptop at 1366×768);
        # the banner and the buttons stay in view.
        body = QWidget(self)
        body.setObjectName("profileEditorBody")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(form)
        body_layout.addWidget(endpoints_box)
        body_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setObjectName("profileEditorScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self.scroll = scroll
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        if profile is not None:
            self._load(profile)
        self._fit_to_screen(body, buttons)

    def _fit_to_screen(self, body: QWidget, buttons: QWidget) -> None:
        """Tall enough to show every field without scrolling when the screen allows it."""
        margins = self.layout().contentsMargins()
        spacing = self.layout().spacing()
        width = self.minimumWidth()
        height = (
            body.sizeHint().height()
            + buttons.sizeHint().height()
            + margins.top()
            + margins.bottom()
            + spacing
            + self.scroll.verticalScrollBar().sizeHint().width()  # a wrapped line's slack
        )
        screen = self.screen()
        if screen is not None:
            height = min(height, int(screen.availableGeometry().height() * SCREEN_SHARE))
        self.resize(width, height)

    def _line(self, name: str, label: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(label)
        edit.setPlaceholderText(placeholder)
        return edit

    def _load(self, profile: Profile) -> None:
        self.name_edit.setText(profile.name)
        self.issuer_edit.setText(profile.issuer)
        for name, edit in self.endpoint_edits.items():
            edit.setText(profile.endpoints.get(name, ""))
        self.client_id_edit.setText(profile.client_id)
        secret = self.state.secrets.get(profile.name)
        if secret:
            self.secret_edit.setText(secret)
        index = self.method_combo.findData(profile.auth_method)
        self.method_combo.setCurrentIndex(max(index, 0))
        self.key_panel.set_method(profile.auth_method)
        self.key_panel.load(profile)  # after the method: its algorithms are listed
        self.scope_edit.setText(profile.scope)
        self.params.set_params(dict(profile.extra_params))
        self.port_spin.setValue(profile.redirect_port)
        self.tls_check.setChecked(profile.verify_tls)
        self.device_pkce_check.setChecked(profile.device_pkce)
        self._registration_uri = profile.registration_client_uri

    def profile(self) -> Profile:
        """The profile as entered (not yet validated)."""
        method: AuthMethod | None = self.method_combo.currentData()
        profile = Profile(
            name=self.name_edit.text().strip(),
            issuer=self.issuer_edit.text().strip(),
            endpoints={n: e.text().strip() for n, e in self.endpoint_edits.items() if e.text()},
            client_id=self.client_id_edit.text().strip(),
            auth_method=method,
            scope=self.scope_edit.text().strip(),
            extra_params=self.params.params(),
            redirect_port=self.port_spin.value(),
            verify_tls=self.tls_check.isChecked(),
            device_pkce=self.device_pkce_check.isChecked(),
            **self.dpop.fields(),
            registration_client_uri=self._registration_uri,
        )
        return self.key_panel.fill(profile)

    # -- dynamic client registration -------------------------------------------------------
    def _on_register_client(self) -> None:
        dialog = RegisterClientDialog(
            self.state,
            self.issuer_edit.text().strip(),
            scope=self.scope_edit.text().strip(),
            redirect_port=self.port_spin.value(),
            verify_tls=self.tls_check.isChecked(),
            parent=self,
        )
        dialog.accepted.connect(lambda: self._fill_registered(dialog))
        self.register_dialog = dialog
        dialog.open()

    def _fill_registered(self, dialog: RegisterClientDialog) -> None:
        """The client fields from the registration; its secrets are saved with the profile."""
        registration = dialog.registration
        if registration is None:
            return
        self.issuer_edit.setText(dialog.issuer_edit.text().strip())
        if dialog.server_metadata is not None:
            self._on_discovered(dialog.server_metadata)  # the endpoints, as Discover fills them
        self.client_id_edit.setText(registration.client_id)
        self.secret_edit.setText(registration.client_secret or "")
        self.method_combo.setCurrentIndex(
            max(self.method_combo.findData(registration.auth_method), 0)
        )
        scope = registration.metadata.get("scope")
        if isinstance(scope, str) and scope and not self.scope_edit.text().strip():
            self.scope_edit.setText(scope)
        self._registration_token = registration.registration_access_token
        self._registration_uri = registration.registration_client_uri or ""
        set_plain(
            self.discover_status,
            f"Registered client {registration.client_id}: Save keeps its secret"
            + (" and registration access token" if self._registration_token else "")
            + " in the keyring."
            + _expiry_words(registration.client_secret_expires_at),
        )
        self.discover_status.show()

    def _on_discover(self) -> None:
        issuer = self.issuer_edit.text().strip()
        if not issuer:
            self.banner.show_error(ConfigError("Enter the issuer URL first."))
            return
        self.banner.hide()
        self.discover_button.setEnabled(False)
        self.discover_status.setText(printable(f"Fetching the discovery documents of {issuer}…"))
        self.discover_status.setToolTip("")
        self.discover_status.show()
        http = HttpClient(self.state.log, verify_tls=self.tls_check.isChecked())

        def fetch() -> ServerMetadata:
            try:
                return discover(http, issuer)
            finally:
                http.close()

        self._worker = workers.start(
            fetch,
            on_returned=self._on_discovered,
            on_errored=self._on_discover_failed,
            on_finished=self._on_discover_finished,
        )

    def _on_discovered(self, meta: ServerMetadata) -> None:
        self._failed_issuer = None
        labels = {d.url: d.label for d in meta.documents}
        for name, edit in self.endpoint_edits.items():
            value = getattr(meta, name, None)
            if value:
                edit.setText(str(value))
                source = meta.sources.get(name, "")
                edit.setToolTip(tooltip(f"From the {labels.get(source, 'document')} ({source})"))
        found = len(meta.endpoints())
        # Which document each value came from (both are read and merged).
        lines = [f"Discovered {found} endpoints of {meta.issuer}:", *describe_sources(meta)]
        # A refused document's reason can be long: cut here, whole in the tooltip.
        short = [line if len(line) <= 240 else line[:239] + "…" for line in lines]
        set_plain(self.discover_status, "\n".join(short), keep_newlines=True)
        self.discover_status.setToolTip(tooltip("\n".join(lines)))
        if not self.scope_edit.text() and "openid" in meta.scopes_supported:
            self.scope_edit.setText("openid profile email")

    def _on_discover_failed(self, exc: BaseException) -> None:
        self._failed_issuer = self.issuer_edit.text().strip()
        self.discover_status.hide()
        if isinstance(exc, WorkbenchError):
            self.banner.show_error(exc)
        else:
            show_exception(self, exc)

    def _on_discover_finished(self) -> None:
        self._worker = None
        self.discover_button.setEnabled(True)

    def problems(self) -> list[tuple[QWidget, str]]:
        """What keeps the profile from being saved: (the field to fix, why), first one first."""
        profile = self.profile()
        found: list[tuple[QWidget, str]] = []
        if not profile.name:
            found.append((self.name_edit, "Enter a profile name."))
        if not profile.issuer and not profile.endpoints:
            found.append(
                (self.issuer_edit, "Enter the issuer (and Discover), or the endpoints by hand.")
            )
        elif (
            profile.issuer
            and profile.issuer == self._failed_issuer
            and not any(name in profile.endpoints for name in REQUIRED_ENDPOINTS)
        ):
            found.append(
                (
                    self.issuer_edit,
                    f"Discovery of {profile.issuer} just failed: correct the issuer and"
                    " Discover again, or enter the endpoints by hand (at least the token or"
                    " the authorization endpoint).",
                )
            )
        if not profile.client_id:
            found.append((self.client_id_edit, "Enter the client ID registered at the provider."))
        key_problem = self.key_panel.problem()
        if key_problem:
            found.append((self.key_panel.file_edit, key_problem))
        return found

    def _mark(self, invalid: set[QWidget]) -> None:
        for edit in (self.name_edit, self.issuer_edit, self.client_id_edit):
            wrong = edit in invalid
            set_property(edit, "invalid", wrong)

    def _on_save(self) -> None:
        self.params.commit_pending()  # a cell still being edited is part of what was entered
        problems = self.problems()
        self._mark({field for field, _ in problems})
        if problems:
            self.banner.show_error(ConfigError(" ".join(why for _, why in problems)))
            problems[0][0].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        profile = self.profile()
        try:
            self.state.profiles.save(profile)
        except WorkbenchError as exc:
            self.banner.show_error(exc)
            return
        secret = self.secret_edit.text()
        if secret:
            self.state.secrets.set(profile.name, secret)
        else:
            self.state.secrets.delete(profile.name)
        self.key_panel.save(profile.name, self.original_name)
        renamed = bool(self.original_name and self.original_name != profile.name)
        token = self._registration_token
        if token is None and renamed and self.original_name:  # moves with the profile
            token = self.state.secrets.get(self.original_name, REGISTRATION_TOKEN)
        if token:
            self.state.secrets.set(profile.name, token, REGISTRATION_TOKEN)
        if renamed and self.original_name:
            self.state.profiles.delete(self.original_name)
            self.state.secrets.delete(self.original_name)
            self.state.secrets.delete(self.original_name, REGISTRATION_TOKEN)
        self.saved_profile = profile
        self.accept()

    def done(self, result: int) -> None:
        if self._worker is not None:
            self._worker.cancel()
        super().done(result)
