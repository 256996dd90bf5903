"""Amazon Cognito user pools: the API door (sign-in with challenges, refresh, revoke, global
sign-out, GetUser), the hosted door through the generic flows, and the pool insight panel.

Everything the CLI does with a pool (:mod:`workbench.cli_cognito`), with the same core:
:class:`~workbench.core.cognito_auth.CognitoAuth` and
:class:`~workbench.core.cognito_pool.CognitoPoolAdmin`, each made in the worker that uses it, its
calls recorded in the window's exchange log. Challenges come back from the worker as
:class:`~workbench.core.cognito_auth.Challenge` and are asked in
:class:`~workbench.ui.dialogs.cognito_challenge.CognitoChallengeDialog`; the answer goes back in
another worker.

Tokens go to the inspector with the pool as the provider (its issuer and keys, nothing
discovered), and Cognito's GetUser as the session's server verdict, so the inspector's
revocation reality check shows "signature valid" beside "Cognito: revoked" after a sign-out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from itertools import pairwise
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.client_auth import ClientConfig
from workbench.core.cognito import CognitoPool, CognitoPoolStore, SecretHash
from workbench.core.cognito_auth import (
    AuthFlow,
    Challenge,
    CognitoAuth,
    CognitoTokenActions,
    cognito_username,
)
from workbench.core.cognito_errors import CognitoError
from workbench.core.cognito_pool import AppClientInfo, CognitoPoolAdmin, ResourceServer, ScopePlan
from workbench.core.errors import ConfigError, WorkbenchError
from workbench.core.flows.refresh import ROTATION_TEXT
from workbench.core.http import ExchangeLog
from workbench.core.model import Provider, RefreshResult
from workbench.core.session import OAuthSession
from workbench.core.tokenset import TokenSet
from workbench.ui import metrics
from workbench.ui.dialogs.cognito_challenge import CognitoChallengeDialog
from workbench.ui.inspector.flow_layout import FlowLayout
from workbench.ui.safe_text import html_text, printable, tooltip
from workbench.ui.state import AppState, TokenContext
from workbench.ui.tabs.base import FlowTab
from workbench.ui.widgets.banners import describe_error
from workbench.ui.widgets.cognito_insight import (
    NoteLabel,
    PoolInsightPanel,
    ResourceServerRequest,
)
from workbench.ui.widgets.copy_field import CopyField

#: The sign-in flows, what each one needs, in the order of the combo box.
FLOW_HINTS: dict[str, str] = {
    "USER_PASSWORD_AUTH": (
        "InitiateAuth with the password; the app client needs ALLOW_USER_PASSWORD_AUTH."
    ),
    "ADMIN_USER_PASSWORD_AUTH": (
        "AdminInitiateAuth, signed with AWS credentials (the AWS profile, or the default "
        "chain); the app client needs ALLOW_ADMIN_USER_PASSWORD_AUTH."
    ),
    "USER_SRP_AUTH": (
        "Secure Remote Password: the password never leaves this machine; the app client "
        "needs ALLOW_USER_SRP_AUTH."
    ),
}
HOSTED_HINT = (
    "Makes the pool's hosted /oauth2 endpoints the app's provider: the Authorization Code, "
    "Client Credentials (scope <resource-server>/<scope>) and Refresh tabs then run the hosted "
    "door."
)
NOT_ROTATED = (
    "Cognito does not rotate refresh tokens unless refresh token rotation is turned on for the "
    "app client: the one you have stays valid."
)
REVOKE_TIP = (
    "RevokeToken: the refresh token, and the access and ID tokens issued from it. Needs "
    "EnableTokenRevocation on the app client (on by default for new clients) (Alt+T)"
)
#: CLI option names in core messages, in the words of this tab.
_UI_WORDS = {
    "--region (or --user-pool-id)": "the Region (or the User pool ID)",
    "--client-secret-env VAR": "the Client secret field",
    "--user-pool-id": "the User pool ID",
    "--client-id": "the App client ID",
    "--aws-profile": "the AWS profile",
    "--endpoint-url": "the Endpoint URL",
    "--username": "the Username",
    "--region": "the Region",
}


def ui_words(text: str) -> str:
    """A core message with its CLI option names replaced by this tab's field names."""
    for cli, ui in _UI_WORDS.items():
        text = text.replace(cli, ui)
    return text


AuthFactory = Callable[[CognitoPool, ExchangeLog], CognitoAuth]
AdminFactory = Callable[[CognitoPool, ExchangeLog], CognitoPoolAdmin]


# -- work done in workers (no widget is touched here) ------------------------------------------
def _with_auth(
    make_auth: AuthFactory,
    pool: CognitoPool,
    log: ExchangeLog,
    op: Callable[[CognitoAuth], Any],
) -> tuple[Any, SecretHash | None]:
    """``op(auth)`` with a fresh CognitoAuth, closed after; and the SECRET_HASH it sent."""
    auth = make_auth(pool, log)
    try:
        return op(auth), auth.last_secret_hash
    finally:
        auth.close()


def _with_admin(
    make_admin: AdminFactory,
    pool: CognitoPool,
    log: ExchangeLog,
    op: Callable[[CognitoPoolAdmin], Any],
) -> Any:
    admin = make_admin(pool, log)
    try:
        return op(admin)
    finally:
        admin.close()


def pool_provider(pool: CognitoPool, scope: str = "") -> Provider:
    """The provider that makes the inspector verify against the pool: its issuer and keys,
    nothing discovered; the hosted endpoints too when the pool has a domain."""
    if pool.domain:
        return replace(pool.to_provider(scope), discover=False)
    secret = pool.client_secret
    client = ClientConfig(
        pool.require_client(), secret, "client_secret_basic" if secret else "none"
    )
    return Provider(
        client=client,
        issuer=pool.issuer,
        endpoints={"jwks_uri": pool.jwks_url},
        scope=scope,
        verify_tls=pool.verify_tls,
        name=f"{pool.name or 'Cognito ' + pool.user_pool_id} (API)",
        discover=False,
    )


@dataclass(frozen=True)
class _SignIn:
    """A sign-in in progress: what the answers of its challenges go back with."""

    pool: CognitoPool
    flow: str
    username: str


class CognitoTab(FlowTab):
    """An Amazon Cognito user pool: its API door, its hosted door, its app client's settings.

    ``make_auth`` and ``make_admin`` build the core objects in the workers (tests put a
    botocore Stubber behind them); ``store`` keeps the saved pools (secrets in the keyring).
    """

    title = "Cognito"
    key = "cognito"
    run_label = "Sign in"
    origin = "cognito"

    sig_challenge_opened = Signal(object)
    """A challenge dialog is open, asking the person (the CognitoChallengeDialog)."""

    def __init__(
        self,
        state: AppState,
        parent: QWidget | None = None,
        *,
        store: CognitoPoolStore | None = None,
    ) -> None:
        self._ready = False
        super().__init__(state, parent)
        self.make_auth: AuthFactory = CognitoAuth
        self.make_admin: AdminFactory = CognitoPoolAdmin
        self.store = store if store is not None else CognitoPoolStore(secrets=state.secrets)
        self.challenge_dialog: CognitoChallengeDialog | None = None
        self._sign_in: _SignIn | None = None
        # (pool, its client secret, username) and the session made for them with their door
        self._installed: tuple[tuple[object, ...], OAuthSession] | None = None
        self._then: Callable[[], object] | None = None  # what follows once the worker is done
        self._ready = True
        self.run_button.setToolTip("Sign in through the API door (Ctrl+Return)")
        self.sig_running.connect(self._on_running)
        state.sig_tokens_changed.connect(self._on_tokens_changed)
        state.sig_provider_changed.connect(self._on_state_provider_changed)
        self.reload_saved()
        self._on_form_edited()
        self._on_tokens_changed(state.tokens, state.context)

    # ====================================================================== building
    def build_params(self) -> None:
        """Nothing in the shared form: the tab has its own sections (see build_body)."""

    def build_body(self) -> None:
        # The shared form's rows do not apply as they are: the scope belongs to the hosted
        # door, and the Cognito API takes no extra parameters.
        for field in (self.scope_edit, self.extra_params):
            row = self.form.takeRow(field)
            label = row.labelItem.widget() if row.labelItem is not None else None
            if label is not None:
                label.deleteLater()
        self.extra_params.hide()
        parent = self.form.parentWidget()
        if parent is not None:
            parent.hide()
        self.body_layout.addWidget(self._build_pool_group())
        self.body_layout.addWidget(self._build_sign_in_group())
        self.body_layout.addWidget(self._build_tokens_group())
        self.body_layout.addWidget(self._build_hosted_group())
        self.insight = PoolInsightPanel(self)
        self.insight.sig_describe_requested.connect(self._on_describe)
        self.insight.sig_servers_requested.connect(self._on_list_servers)
        self.insight.sig_plan_requested.connect(self._on_plan)
        self.insight.sig_apply_confirmed.connect(self._on_apply)
        self.body_layout.addWidget(self.insight)
        self._set_tab_order()

    def _set_tab_order(self) -> None:
        """Tab moves through the fields as they appear (the shared scope field was made first
        and lives in the hosted door here)."""
        chain: list[QWidget] = [
            self.saved_combo,
            self.save_button,
            self.delete_button,
            self.name_edit,
            self.pool_id_edit,
            self.region_edit,
            self.client_id_edit,
            self.secret_edit,
            self.access_toggle,
            self.profile_edit,
            self.endpoint_edit,
            self.verify_tls_check,
            self.flow_combo,
            self.username_edit,
            self.password_edit,
            self.refresh_button,
            self.get_user_button,
            self.revoke_button,
            self.sign_out_button,
            self.reality_button,
            self.domain_edit,
            self.scope_edit,
            self.hosted_button,
            self.insight.toggle,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _line(
        self, form: QFormLayout, name: str, label: str, placeholder: str = "", tip: str = ""
    ) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"{self.key}_{name}")
        edit.setAccessibleName(label.replace("&", ""))
        edit.setPlaceholderText(placeholder)
        if tip:
            edit.setToolTip(tip)
        form.addRow(label, edit)
        return edit

    def _button(self, name: str, text: str, accessible: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(f"{self.key}{name}")
        button.setAccessibleName(accessible)
        button.setToolTip(tip)
        return button

    def _note(self, name: str, text: str = "", *, secondary: bool = True) -> QLabel:
        """A wrapped explanation that takes the form's whole field width."""
        label = NoteLabel(text, self)
        label.setObjectName(f"{self.key}_{name}")
        if secondary:
            label.setProperty("role", "secondary")
        return label

    def _form_group(self, name: str, title: str) -> tuple[QGroupBox, QFormLayout]:
        group = QGroupBox(title, self)
        group.setObjectName(f"{self.key}{name}")
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # labels above, if narrow
        return group, form

    def _build_pool_group(self) -> QGroupBox:
        group, form = self._form_group("PoolGroup", "User pool and app client")
        self.pool_form = form
        self.saved_combo = QComboBox(self)
        self.saved_combo.setObjectName(f"{self.key}_savedPools")
        self.saved_combo.setAccessibleName("Saved pools")
        self.saved_combo.setToolTip("A saved pool fills the fields below")
        self.saved_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.saved_combo.setMinimumContentsLength(metrics.COGNITO_SAVED_PICKER_MIN_CHARS)
        self.saved_combo.activated.connect(self._on_saved_picked)
        self.save_button = self._button(
            "SavePool",
            "&Save",
            "Save this pool",
            "Save the pool under its name; the client secret goes to the keyring (Alt+S)",
        )
        self.save_button.clicked.connect(self._on_save)
        self.delete_button = self._button(
            "DeletePool", "&Delete", "Delete the saved pool", "Delete the saved pool (Alt+D)"
        )
        self.delete_button.clicked.connect(self._on_delete)
        saved_row = QHBoxLayout()
        saved_row.setSpacing(metrics.SPACING)
        saved_row.addWidget(self.saved_combo, 1)
        saved_row.addWidget(self.save_button)
        saved_row.addWidget(self.delete_button)
        form.addRow("Saved pools", saved_row)

        self.name_edit = self._line(form, "name", "Name", "to save the pool, e.g. Staging users")
        self.pool_id_edit = self._line(
            form, "userPoolId", "User pool ID", "e.g. eu-west-1_AbC123 (it names the region)"
        )
        self.region_edit = self._line(form, "region", "Region", "optional: from the pool ID")
        self.client_id_edit = self._line(form, "clientId", "App client ID")
        self.secret_edit = self._line(
            form,
            "clientSecret",
            "Client secret",
            "only for an app client with a secret",
            "Kept in the keyring when the pool is saved, never in the file",
        )
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)

        # AWS access: folded to a summary line, since the defaults fit most pools.
        self.access_toggle = QToolButton(self)
        self.access_toggle.setObjectName(f"{self.key}_accessToggle")
        self.access_toggle.setAccessibleName("Show the AWS access settings")
        self.access_toggle.setToolTip("AWS profile, endpoint URL, TLS verification")
        self.access_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.access_toggle.setCheckable(True)
        self.access_toggle.setAutoRaise(True)
        self.access_toggle.toggled.connect(self._on_access_toggled)
        self.access_summary = self._note("accessSummary")
        self.access_summary.setAccessibleName("AWS access settings")
        access_row = QHBoxLayout()
        access_row.setSpacing(metrics.SPACING // 2)
        access_row.addWidget(self.access_toggle, 0, Qt.AlignmentFlag.AlignTop)
        access_row.addWidget(self.access_summary, 1)
        form.addRow("AWS access", access_row)
        self.profile_edit = self._line(
            form,
            "awsProfile",
            "AWS profile",
            "optional: the default credential chain",
            "Signs the admin calls: ADMIN_USER_PASSWORD_AUTH and the pool insight",
        )
        self.endpoint_edit = self._line(
            form,
            "endpointUrl",
            "Endpoint URL",
            "optional: an emulator, e.g. http://127.0.0.1:5000",
            "Where cognito-idp API calls go instead of AWS (moto, LocalStack)",
        )
        self.verify_tls_check = QCheckBox("Verify TLS certificates", self)
        self.verify_tls_check.setObjectName(f"{self.key}_verifyTls")
        self.verify_tls_check.setAccessibleName("Verify TLS certificates")
        self.verify_tls_check.setChecked(True)
        form.addRow("", self.verify_tls_check)
        self._access_rows = (self.profile_edit, self.endpoint_edit, self.verify_tls_check)
        for widget in self._access_rows:
            form.setRowVisible(widget, False)

        for edit in (
            self.name_edit,
            self.pool_id_edit,
            self.region_edit,
            self.client_id_edit,
            self.secret_edit,
            self.profile_edit,
            self.endpoint_edit,
        ):
            edit.textChanged.connect(self._on_form_edited)
        self.verify_tls_check.toggled.connect(self._on_form_edited)

        self.pool_problem = self._note("poolProblem", secondary=False)
        self.pool_problem.setAccessibleName("What is wrong with the pool fields")
        self.pool_problem.setProperty("kind", "warning")
        self.pool_problem.hide()
        form.addRow("", self.pool_problem)
        self.issuer_field = CopyField(f"{self.key}_issuer", "Issuer", self)
        self.jwks_field = CopyField(f"{self.key}_jwksUrl", "JWKS URL", self)
        form.addRow("Issuer", self.issuer_field)
        form.addRow("JWKS URL", self.jwks_field)
        return group

    def _build_hosted_group(self) -> QGroupBox:
        group, form = self._form_group("HostedGroup", "Hosted door (OAuth 2.0 endpoints)")
        self.domain_edit = self._line(
            form, "domain", "Domain", "a prefix, a host or an https:// URL (App integration)"
        )
        self.domain_edit.textChanged.connect(self._on_form_edited)
        self.hosted_field = CopyField(
            f"{self.key}_hostedEndpoints",
            "Hosted endpoints",
            self,
            multiline=True,
            lines=metrics.COGNITO_HOSTED_LINES,
        )
        self.hosted_none = self._note("noHostedEndpoints")
        self.hosted_none.setAccessibleName("Hosted endpoints")
        hosted_box = QVBoxLayout()
        hosted_box.setContentsMargins(0, 0, 0, 0)
        hosted_box.addWidget(self.hosted_field)
        hosted_box.addWidget(self.hosted_none)
        form.addRow("Endpoints", hosted_box)
        self.domain_problem = self._note("domainProblem", secondary=False)
        self.domain_problem.setAccessibleName("What is wrong with the domain")
        self.domain_problem.setProperty("kind", "warning")
        self.domain_problem.hide()
        form.addRow("", self.domain_problem)

        self.scope_edit.setParent(group)
        self.scope_edit.setObjectName(f"{self.key}_hostedScope")
        self.scope_edit.setAccessibleName("Scope for the hosted door")
        self.scope_edit.setPlaceholderText("e.g. openid email, or <resource-server>/<scope>")
        self.scope_edit.textChanged.connect(self._on_form_edited)
        form.addRow("Scope", self.scope_edit)
        self.hosted_button = self._button(
            "UseHosted",
            "Use hosted endpoints as the &provider",
            "Use the hosted endpoints as the provider",
            "Make the pool's hosted /oauth2 endpoints the provider of the other tabs (Alt+P)",
        )
        self.hosted_button.clicked.connect(self._on_use_hosted)
        hosted_hint = self._note("hostedHint", HOSTED_HINT)
        use_box = QVBoxLayout()
        use_box.setSpacing(metrics.SPACING // 2)
        use_box.addWidget(self.hosted_button, 0, Qt.AlignmentFlag.AlignLeft)
        use_box.addWidget(hosted_hint)
        form.addRow("", use_box)
        return group

    def _build_sign_in_group(self) -> QGroupBox:
        group, form = self._form_group("SignInGroup", "Sign in (API door)")
        self.flow_combo = QComboBox(self)
        self.flow_combo.setObjectName(f"{self.key}_flow")
        self.flow_combo.setAccessibleName("Authentication flow")
        for flow, hint in FLOW_HINTS.items():
            self.flow_combo.addItem(flow, flow)
            self.flow_combo.setItemData(
                self.flow_combo.count() - 1, hint, Qt.ItemDataRole.ToolTipRole
            )
        self.flow_combo.currentIndexChanged.connect(self._on_flow_changed)
        form.addRow("Flow", self.flow_combo)
        self.flow_hint = self._note("flowHint")
        form.addRow("", self.flow_hint)
        self.username_edit = self._line(form, "username", "Username")
        self.username_edit.textChanged.connect(self._on_form_edited)
        self.password_edit = self._line(form, "password", "Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.returnPressed.connect(self.start)
        self.secret_hash_label = self._note("secretHash", secondary=False)
        self.secret_hash_label.setAccessibleName("How the SECRET_HASH is computed")
        self.secret_hash_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.secret_hash_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("SECRET_HASH", self.secret_hash_label)
        self._on_flow_changed(0)
        return group

    def _build_tokens_group(self) -> QGroupBox:
        group = QGroupBox("Tokens (API door)", self)
        group.setObjectName(f"{self.key}TokensGroup")
        self.tokens_label = self._note("tokens", secondary=False)
        self.tokens_label.setAccessibleName("Current tokens")
        self.refresh_button = self._button(
            "Refresh",
            "&Refresh",
            "Refresh the tokens",
            "REFRESH_TOKEN_AUTH with the refresh token (Alt+R)",
        )
        self.refresh_button.clicked.connect(self._on_refresh)
        self.get_user_button = self._button(
            "GetUser",
            "&Get user",
            "Get the user",
            "GetUser with the access token: the user's attributes, if Cognito still accepts "
            "the token (Alt+G)",
        )
        self.get_user_button.clicked.connect(self._on_get_user)
        self.revoke_button = self._button(
            "Revoke", "Revoke refresh &token", "Revoke the refresh token", REVOKE_TIP
        )
        self.revoke_button.clicked.connect(self._on_revoke)
        self.sign_out_button = self._button(
            "GlobalSignOut",
            "Global sign-&out",
            "Sign the user out everywhere",
            "GlobalSignOut with the access token: every refresh token of the user is revoked; "
            "access tokens still verify locally until they expire (Alt+O)",
        )
        self.sign_out_button.clicked.connect(self._on_sign_out)
        self.reality_button = self._button(
            "RealityCheck",
            "Reality &check",
            "Reality check of the access token",
            "The access token verified locally beside Cognito's GetUser, in the inspector (Alt+C)",
        )
        self.reality_button.clicked.connect(self._on_reality_check)
        actions = QWidget(self)
        actions.setObjectName(f"{self.key}TokenActions")
        buttons = FlowLayout(actions, metrics.SPACING)  # wraps in a narrow tab
        for button in (
            self.refresh_button,
            self.get_user_button,
            self.revoke_button,
            self.sign_out_button,
            self.reality_button,
        ):
            buttons.addWidget(button)
        self.result_label = self._note("result", secondary=False)
        self.result_label.setAccessibleName("Result of the last token action")
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        self.attributes_table = QTableWidget(0, 2, self)
        self.attributes_table.setObjectName(f"{self.key}_attributes")
        self.attributes_table.setAccessibleName("User attributes from GetUser")
        self.attributes_table.setHorizontalHeaderLabels(["Attribute", "Value"])
        self.attributes_table.verticalHeader().hide()
        self.attributes_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.attributes_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.attributes_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.attributes_table.hide()
        layout = QVBoxLayout(group)
        layout.setSpacing(metrics.SPACING)
        layout.addWidget(self.tokens_label)
        layout.addWidget(actions)
        layout.addWidget(self.result_label)
        layout.addWidget(self.attributes_table)
        return group

    # ====================================================================== the pool
    def pool(self, *, domain: str | None = None) -> CognitoPool:
        """The pool as the fields describe it (ConfigError when they cannot); ``domain``
        replaces the Domain field's."""
        secret = self.secret_edit.text().strip()
        return CognitoPool(
            region=self.region_edit.text(),
            user_pool_id=self.pool_id_edit.text(),
            client_id=self.client_id_edit.text(),
            client_secret=secret or None,
            domain=self.domain_edit.text() if domain is None else domain,
            aws_profile=self.profile_edit.text().strip(),
            endpoint_url=self.endpoint_edit.text(),
            name=self.name_edit.text().strip(),
            verify_tls=self.verify_tls_check.isChecked(),
        )

    def _ready_pool(self, *, client: bool = True) -> CognitoPool:
        """The pool for a call: it needs its id (and app client id) first."""
        pool = self.pool()
        if not pool.user_pool_id:
            raise ConfigError("Enter the user pool ID (like eu-west-1_AbC123) first.")
        if client and not pool.client_id:
            raise ConfigError("Enter the app client ID first.")
        return pool

    def set_pool(self, pool: CognitoPool) -> None:
        """Fill the fields from ``pool`` (a saved pool, tests)."""
        self.name_edit.setText(pool.name)
        self.pool_id_edit.setText(pool.user_pool_id)
        self.region_edit.setText(pool.region)
        self.client_id_edit.setText(pool.client_id)
        self.secret_edit.setText(pool.client_secret or "")
        self.domain_edit.setText(pool.domain)
        self.profile_edit.setText(pool.aws_profile)
        self.endpoint_edit.setText(pool.endpoint_url)
        self.verify_tls_check.setChecked(pool.verify_tls)

    def reload_saved(self, select: str | None = None) -> None:
        current = select if select is not None else self.saved_combo.currentData()
        self.saved_combo.clear()
        self.saved_combo.addItem("(not saved)", None)
        try:
            names = sorted(self.store.load_all(), key=str.lower)
        except WorkbenchError as exc:
            names = []
            self._show_error(exc)
        for name in names:
            self.saved_combo.addItem(name, name)
        index = self.saved_combo.findData(current) if current else 0
        self.saved_combo.setCurrentIndex(max(index, 0))
        self.delete_button.setEnabled(self.saved_combo.currentData() is not None)

    def _update_derived(self) -> CognitoPool | None:
        """Issuer, JWKS URL, hosted endpoints and SECRET_HASH from the fields; a problem in
        them is said next to them. Returns the pool, or None when the fields do not make one.
        """
        problem: ConfigError | None = None
        pool: CognitoPool | None = None
        try:
            pool = self.pool()
        except ConfigError as exc:
            problem = exc
        base = pool
        if base is None and self.domain_edit.text().strip():
            try:  # a bad domain leaves the rest derivable
                base = self.pool(domain="")
            except ConfigError:
                base = None
        self._show_problem(problem)
        issuer = base.issuer if base is not None and base.user_pool_id else ""
        jwks = base.jwks_url if base is not None and base.user_pool_id else ""
        self.issuer_field.set_text(issuer)
        self.jwks_field.set_text(jwks)
        hosted = ""
        if pool is not None and pool.domain and (pool.region or "." in pool.domain):
            hosted = "\n".join(pool.hosted_endpoints().values())
        self._show_hosted(hosted, pool)
        self.hosted_button.setEnabled(bool(pool is not None and hosted and pool.client_id))
        self._update_secret_hash(base)
        return pool

    def _show_problem(self, problem: ConfigError | None) -> None:
        """The fields' problem beside them: under the domain, or under the pool fields."""
        self.pool_problem.hide()
        self.domain_problem.hide()
        if problem is None:
            return
        message = ui_words(str(problem))
        label = self.domain_problem if "domain" in message.lower() else self.pool_problem
        label.setText(message)
        label.show()
        if "endpoint url" in message.lower():
            self.access_toggle.setChecked(True)  # the field at fault comes into view

    def _show_hosted(self, endpoints: str, pool: CognitoPool | None) -> None:
        self.hosted_field.set_text(endpoints)
        self.hosted_field.setVisible(bool(endpoints))
        self.hosted_none.setVisible(not endpoints)
        if not self.domain_edit.text().strip():
            text = "none: the hosted /oauth2 endpoints exist only once the pool has a domain"
        elif pool is not None:
            text = "a domain prefix needs the region (or the user pool ID)"
        else:
            text = "–"
        self.hosted_none.setText(text)

    def _update_secret_hash(self, pool: CognitoPool | None) -> None:
        username = self.username_edit.text().strip()
        if pool is None or not pool.has_secret:
            self.secret_hash_label.setText("not sent: no client secret is given here")
            return
        if not pool.client_id:
            self.secret_hash_label.setText("needs the app client ID")
            return
        hashed = pool.secret_hash(username or "<username>")
        assert hashed is not None
        self.secret_hash_label.setText(hashed.explain())

    # ====================================================================== running
    def start(self) -> None:
        """Sign in (Run, Ctrl+Return): no provider is needed, the pool is enough."""
        if self.busy or self.challenge_dialog is not None:
            return
        self.error_banner.hide()
        try:
            self.run()
        except WorkbenchError as exc:
            self._show_error(exc)

    def _act(self, action: Callable[[], None]) -> None:
        """Start a token or insight action the way Run starts the sign-in."""
        if self.busy or self.challenge_dialog is not None:
            return
        self.error_banner.hide()
        try:
            action()
        except WorkbenchError as exc:
            self._show_error(exc)

    def run(self) -> None:
        pool = self._ready_pool()
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not username:
            raise ConfigError("Enter the username to sign in with.")
        if not password:
            raise ConfigError("Enter the password.")
        flow = str(self.flow_combo.currentData())
        auth_flow: AuthFlow = "USER_PASSWORD_AUTH"
        if flow == "ADMIN_USER_PASSWORD_AUTH":
            auth_flow = "ADMIN_USER_PASSWORD_AUTH"
        elif flow == "USER_SRP_AUTH":
            auth_flow = "USER_SRP_AUTH"
        self._sign_in = _SignIn(pool, flow, username)
        self.result_label.hide()
        self.attributes_table.hide()
        self._run_auth(
            pool,
            lambda auth: auth.sign_in(username, password, auth_flow),
            step=f"Signing in as {username} with {flow}…",
            on_returned=self._on_sign_in_step,
        )

    def _cancelled(self) -> bool:
        if self.worker is not None and self.worker.cancelled:
            self.sig_step.emit("Cancelled.")
            return True
        return False

    def _on_sign_in_step(self, result: tuple[TokenSet | Challenge, SecretHash | None]) -> None:
        outcome, hashed = result
        if hashed is not None:
            self.secret_hash_label.setText(f"{hashed.explain()}  (sent)")
        attempt = self._sign_in
        if attempt is None:
            return
        if self._cancelled():
            self._sign_in = None
            return
        if isinstance(outcome, TokenSet):
            self._sign_in = None
            self._deliver(outcome, attempt.pool, attempt.flow, attempt.username)
            return
        self._then = partial(self._ask, outcome)  # the dialog opens once the tab is idle

    def _ask(self, challenge: Challenge) -> None:
        step = f"Cognito asks: {challenge.name}."
        if not challenge.answerable:
            step = f"Stopped: Cognito asks for {challenge.name}, which is not answered here."
            self._sign_in = None
        self.sig_step.emit(step)
        dialog = CognitoChallengeDialog(challenge, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.challenge_dialog = dialog
        dialog.finished.connect(lambda code: self._on_challenge_answered(dialog, code))
        dialog.open()
        self.sig_challenge_opened.emit(dialog)

    def _on_challenge_answered(self, dialog: CognitoChallengeDialog, code: int) -> None:
        self.challenge_dialog = None
        challenge = dialog.challenge
        attempt = self._sign_in
        if not challenge.answerable or attempt is None:
            return
        if code != CognitoChallengeDialog.DialogCode.Accepted:
            self._sign_in = None
            self.sig_step.emit(f"Cancelled at the {challenge.name} challenge: not signed in.")
            return
        answers = dialog.answers()
        self._run_auth(
            attempt.pool,
            lambda auth: auth.respond(challenge, answers),
            step=f"Answering {challenge.name}…",
            on_returned=self._on_sign_in_step,
        )

    def on_cancelled(self) -> None:
        self._sign_in = None
        self._then = None

    def reset_results(self) -> None:
        """Kept: what this tab shows is about its pool, not the provider bar's choice (which
        the tab itself sets when it makes the pool the provider)."""

    def _on_worker_finished(self) -> None:
        """The tab is idle again; then what the result asked for (a dialog, a check) starts,
        so a quick answer never finds the previous worker still in place."""
        super()._on_worker_finished()
        then, self._then = self._then, None
        if then is not None:
            then()

    # ====================================================================== tokens
    def _deliver(
        self,
        tokens: TokenSet,
        pool: CognitoPool,
        flow: str,
        username: str,
        rotation: str | None = None,
        refreshed_from: str | None = None,
    ) -> None:
        """Make the pool the inspector's provider (its keys, GetUser as the verdict), then
        hand the tokens over."""
        session = self._install_pool_session(pool)
        extra = {
            "door": "api",
            "flow": flow,
            "user_pool_id": pool.user_pool_id,
            "client_id": pool.client_id,
            "username": username,
        }
        self.deliver_tokens(
            tokens,
            TokenContext(
                origin=self.origin, rotation=rotation, refreshed_from=refreshed_from, extra=extra
            ),
            session,
        )
        self.sig_step.emit(f"Signed in with {flow}: the tokens are in the inspector.")

    def _install_pool_session(self, pool: CognitoPool) -> OAuthSession:
        """The state's session verifies against ``pool``, and the inspector's Refresh, Revoke and
        server check go through the API door (REFRESH_TOKEN_AUTH, RevokeToken, GetUser); made
        once per pool and username, kept while it stays the state's session."""
        username = self.username_edit.text().strip() or None
        key = (pool, pool.client_secret, username)
        installed = self._installed
        if installed is not None and installed[0] == key and self.state.session is installed[1]:
            return installed[1]
        door = CognitoTokenActions(pool, self.state.log, self.make_auth, username)
        scope = self.scope_edit.text().strip()
        session = self.state.set_provider(pool_provider(pool, scope), door=door)
        self._installed = (key, session)
        return session

    def _current_tokens(self, need: str) -> TokenSet:
        tokens = self.state.tokens
        value = None
        if tokens is not None:
            value = tokens.refresh_token if need == "refresh" else tokens.access_token
        if tokens is None or not value:
            what = "refresh token" if need == "refresh" else "access token"
            raise ConfigError(f"No {what}: sign in first.")
        return tokens

    def _on_refresh(self) -> None:
        self._act(self._refresh)

    def _refresh(self) -> None:
        pool = self._ready_pool()
        tokens = self._current_tokens("refresh")
        sent = tokens.refresh_token or ""
        username = (
            cognito_username(tokens.access_token or "")
            or cognito_username(tokens.id_token or "")
            or self.username_edit.text().strip()
        )

        def done(result: tuple[RefreshResult, SecretHash | None]) -> None:
            if self._cancelled():
                return
            refreshed, hashed = result
            if hashed is not None:
                self.secret_hash_label.setText(f"{hashed.explain()}  (sent)")
            new = refreshed.tokens
            text = ROTATION_TEXT[refreshed.rotation]
            note = NOT_ROTATED if refreshed.rotation == "not_returned" else ""
            self._show_result(
                f"<b>Refreshed (REFRESH_TOKEN_AUTH).</b> Refresh token {html_text(text)}."
                + (f"<br>{html_text(note)}" if note else "")
            )
            self._deliver(new, pool, "REFRESH_TOKEN_AUTH", username or "", refreshed.rotation, sent)
            self.sig_step.emit("Refreshed: the new tokens are in the inspector.")

        self._run_auth(
            pool,
            lambda auth: auth.refresh(sent, username or None),
            step="Refreshing (REFRESH_TOKEN_AUTH)…",
            on_returned=done,
        )

    def _on_get_user(self) -> None:
        self._act(self._get_user)

    def _get_user(self) -> None:
        pool = self._ready_pool(client=False)
        access = self._current_tokens("access").access_token or ""

        def done(result: tuple[dict[str, Any], SecretHash | None]) -> None:
            if self._cancelled():
                return
            user = result[0]
            attributes = [
                (str(a.get("Name", "")), str(a.get("Value", "")))
                for a in user.get("UserAttributes") or []
                if isinstance(a, dict)
            ]
            self._show_result(
                f"<b>GetUser: {html_text(str(user.get('Username', '')))}</b> — Cognito "
                "accepts the access token."
            )
            self._show_attributes(attributes)
            self.sig_step.emit("GetUser answered.")

        self._run_auth(
            pool,
            lambda auth: auth.get_user(access),
            step="Asking Cognito (GetUser)…",
            on_returned=done,
        )

    def _on_revoke(self) -> None:
        self._act(self._revoke)

    def _revoke(self) -> None:
        pool = self._ready_pool()
        tokens = self._current_tokens("refresh")
        refresh = tokens.refresh_token or ""
        access = tokens.access_token

        def done(_result: object) -> None:
            if self._cancelled():
                return
            self._show_result(
                "<b>Revoked (RevokeToken).</b> The refresh token and the access and ID tokens "
                "issued from it are revoked; they still verify locally until they expire."
            )
            self.sig_step.emit("Revoked: the reality check runs in the inspector.")
            if access:
                self._then = partial(self._request_reality_check, pool, access)

        self._run_auth(
            pool,
            lambda auth: auth.revoke(refresh),
            step="Revoking the refresh token (RevokeToken)…",
            on_returned=done,
        )

    def _run_auth(
        self,
        pool: CognitoPool,
        op: Callable[[CognitoAuth], Any],
        *,
        step: str,
        on_returned: Callable[[Any], None],
    ) -> None:
        """Run ``op`` on a fresh CognitoAuth for ``pool`` in a worker (see :func:`_with_auth`)."""
        self.run_in_worker(
            _with_auth,
            self.make_auth,
            pool,
            self.state.log,
            op,
            step=step,
            on_returned=on_returned,
        )

    def _on_sign_out(self) -> None:
        self._act(self._sign_out)

    def _sign_out(self) -> None:
        pool = self._ready_pool(client=False)
        access = self._current_tokens("access").access_token or ""

        def done(_result: object) -> None:
            if self._cancelled():
                return
            self._show_result(
                "<b>Signed out everywhere (GlobalSignOut).</b> Every refresh token of the user "
                "is revoked; the access token still verifies locally until it expires, but "
                "GetUser refuses it."
            )
            self.sig_step.emit("Signed out: the reality check runs in the inspector.")
            self._then = partial(self._request_reality_check, pool, access)

        self._run_auth(
            pool,
            lambda auth: auth.global_sign_out(access),
            step="Signing out everywhere (GlobalSignOut)…",
            on_returned=done,
        )

    def _on_reality_check(self) -> None:
        self._act(self._reality_check)

    def _reality_check(self) -> None:
        pool = self._ready_pool(client=False)
        access = self._current_tokens("access").access_token or ""
        self._request_reality_check(pool, access)
        self.sig_step.emit("The reality check runs in the inspector.")

    def _request_reality_check(self, pool: CognitoPool, token: str) -> None:
        """The inspector verifies ``token`` locally and asks Cognito (GetUser), side by side."""
        self._install_pool_session(pool)
        self.state.sig_reality_check.emit(token)

    def _show_result(self, text: str) -> None:
        self.result_label.setText(text)
        self.result_label.show()
        self.attributes_table.hide()

    def _show_attributes(self, attributes: list[tuple[str, str]]) -> None:
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

    # ====================================================================== insight
    def _on_describe(self) -> None:
        self._act(self._describe)

    def _describe(self) -> None:
        pool = self._ready_pool()

        def done(info: AppClientInfo) -> None:
            if not self._cancelled():
                self.insight.show_client(info)
                self.sig_step.emit(f"Described the app client {info.client_id}.")

        self.run_in_worker(
            _with_admin,
            self.make_admin,
            pool,
            self.state.log,
            lambda admin: admin.describe_client(),
            step="Describing the app client (DescribeUserPoolClient)…",
            on_returned=done,
        )

    def _on_list_servers(self) -> None:
        self._act(self._list_servers)

    def _list_servers(self) -> None:
        pool = self._ready_pool(client=False)

        def done(servers: list[ResourceServer]) -> None:
            if not self._cancelled():
                self.insight.show_servers(servers)
                self.sig_step.emit(f"{len(servers)} resource server(s) in {pool.user_pool_id}.")

        self.run_in_worker(
            _with_admin,
            self.make_admin,
            pool,
            self.state.log,
            lambda admin: admin.list_resource_servers(),
            step="Listing the resource servers (ListResourceServers)…",
            on_returned=done,
        )

    def _on_plan(self, request: ResourceServerRequest) -> None:
        self._act(lambda: self._plan(request))

    def _plan(self, request: ResourceServerRequest) -> None:
        pool = self._ready_pool()

        def done(plan: ScopePlan) -> None:
            if self._cancelled():
                return
            if plan.nothing_to_do:
                self.sig_step.emit("Nothing to do: the scopes are in place.")
            else:
                self.sig_step.emit("Confirm the changes: nothing has changed yet.")
            self._then = partial(self.insight.ask_to_apply, plan)

        self.run_in_worker(
            _with_admin,
            self.make_admin,
            pool,
            self.state.log,
            lambda admin: admin.plan_custom_scopes(
                request.identifier,
                request.scopes,
                name=request.name,
                enable_client_credentials=request.client_credentials,
            ),
            step="Planning the changes (reads only)…",
            on_returned=done,
        )

    def _on_apply(self, plan: ScopePlan) -> None:
        self._act(lambda: self._apply(plan))

    def _apply(self, plan: ScopePlan) -> None:
        pool = self._ready_pool()

        def apply(admin: CognitoPoolAdmin) -> tuple[AppClientInfo, list[ResourceServer]]:
            info = admin.apply(plan, confirm=True)
            return info, admin.list_resource_servers()

        def done(result: tuple[AppClientInfo, list[ResourceServer]]) -> None:
            info, servers = result
            self.insight.show_client(info)
            self.insight.show_servers(servers)
            self.sig_step.emit(f"Changed: {len(plan.steps())} change(s) applied.")

        self.run_in_worker(
            _with_admin,
            self.make_admin,
            pool,
            self.state.log,
            apply,
            step="Changing the user pool…",
            on_returned=done,
        )

    # ====================================================================== errors
    def _show_error(self, exc: BaseException) -> None:
        """The core's message in this tab's words, and a Cognito error's advice below it
        (:func:`describe_error` adds the advice)."""
        title, body = describe_error(exc, self.state.log.secrets())
        if isinstance(exc, CognitoError):
            title = "Cognito refused"
        body = ui_words(body)
        self.error_banner.show_message(title, body)
        self.sig_step.emit("Failed.")

    # ====================================================================== slots
    def apply_provider(self, provider: Provider) -> None:
        """Other providers do not change the pool's fields."""

    def _on_form_edited(self) -> None:
        if not getattr(self, "_ready", False):
            return
        self._update_access_summary()
        pool = self._update_derived()
        scopes = self.scope_edit.text().split()
        self.insight.set_context(
            secret_supplied=pool.has_secret if pool is not None else None,
            has_domain=bool(pool.domain) if pool is not None else None,
            scopes=scopes,
        )
        info = self.insight.info
        if info is not None and (
            pool is None
            or info.client_id != pool.client_id
            or info.user_pool_id != pool.user_pool_id
        ):
            self.insight.clear()

    def _on_access_toggled(self, shown: bool) -> None:
        self.access_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        for widget in self._access_rows:
            self.pool_form.setRowVisible(widget, shown)

    def _update_access_summary(self) -> None:
        profile = self.profile_edit.text().strip()
        endpoint = self.endpoint_edit.text().strip()
        parts = [
            f"AWS profile {profile}" if profile else "default AWS credentials",
            f"endpoint {endpoint}" if endpoint else "AWS endpoint",
            "TLS verified" if self.verify_tls_check.isChecked() else "TLS NOT verified",
        ]
        self.access_summary.setText(" · ".join(parts))

    def _on_flow_changed(self, _index: int) -> None:
        flow = str(self.flow_combo.currentData())
        self.flow_hint.setText(FLOW_HINTS.get(flow, ""))
        if getattr(self, "_ready", False):
            self.insight.set_check_flow(flow)

    def _on_saved_picked(self, index: int) -> None:
        name = self.saved_combo.itemData(index)
        self.delete_button.setEnabled(name is not None)
        if name is None:
            return
        self.error_banner.hide()
        try:
            self.set_pool(self.store.get(str(name)))
        except WorkbenchError as exc:
            self._show_error(exc)
            return
        self.sig_step.emit(f"Loaded the saved pool “{name}”.")

    def _on_save(self) -> None:
        self._act(self._save)

    def _save(self) -> None:
        pool = self.pool()
        if not pool.name:
            raise ConfigError("Name the pool to save it (the Name field).")
        self.store.save(pool)
        self.reload_saved(select=pool.name)
        where = self.state.secrets.where()
        secret = f"; its client secret: {where}" if pool.has_secret else ""
        self.sig_step.emit(f"Saved “{pool.name}”{secret}.")

    def _on_delete(self) -> None:
        name = self.saved_combo.currentData()
        if name is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete saved pool",
            f"Delete the saved pool “{name}” and its stored client secret?",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.store.delete(str(name))
        except WorkbenchError as exc:
            self._show_error(exc)
            return
        self.reload_saved(select="")
        self.sig_step.emit(f"Deleted the saved pool “{name}”.")

    def _on_use_hosted(self) -> None:
        self._act(self._use_hosted)

    def _use_hosted(self) -> None:
        pool = self._ready_pool()
        scope = self.scope_edit.text().strip()
        provider = pool.to_provider(scope)
        self.state.set_provider(provider)
        self._installed = None
        self.sig_step.emit(
            f"The hosted endpoints of {pool.hosted_base} are the provider now: use the "
            "Authorization Code, Client Credentials and Refresh tabs."
        )

    def _on_state_provider_changed(self, _provider: Provider | None) -> None:
        installed = self._installed
        if installed is not None and self.state.session is not installed[1]:
            self._installed = None

    def _on_tokens_changed(self, tokens: TokenSet | None, context: TokenContext | None) -> None:
        if tokens is None:
            self.tokens_label.setText("No tokens yet: sign in first.")
        else:
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
        self._update_buttons()

    def _on_running(self, running: bool) -> None:
        self._update_buttons(running)

    def _update_buttons(self, busy: bool | None = None) -> None:
        idle = not (self.busy if busy is None else busy)
        tokens = self.state.tokens
        access = tokens is not None and bool(tokens.access_token)
        refresh = tokens is not None and bool(tokens.refresh_token)
        self.refresh_button.setEnabled(idle and refresh)
        self.revoke_button.setEnabled(idle and refresh)
        self.get_user_button.setEnabled(idle and access)
        self.sign_out_button.setEnabled(idle and access)
        self.reality_button.setEnabled(idle and access)
        self.save_button.setEnabled(idle)
        self.insight.set_busy(not idle)


__all__ = ["CognitoTab", "pool_provider", "ui_words"]
