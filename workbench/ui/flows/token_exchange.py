"""Token exchange (RFC 8693): trade a token for another one, alone or with an actor; and, as
the tab's second mode, the JWT bearer grant (RFC 7523 §2.1), a signed JWT as the grant.

The subject token (whom the new token is about) and the actor token (who will act for them:
delegation) each come from a field, filled by hand or in one click from the token the
inspector shows; their types, the type wanted back, the audience and resource (where the new
token will be used) and a narrower scope go with them. The new token goes to the inspector,
which shows its ``act`` chain and the ``issued_token_type`` the server said it issued.

In the JWT bearer mode the assertion is pasted whole, or signed here with a private key file
(:mod:`workbench.core.keys`): ``sub`` the user, ``aud`` the token endpoint unless another is
given, ``iss`` the client id unless another is given. The exchange log shows it decoded.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from workbench.core.errors import ConfigError
from workbench.core.keys import load_key
from workbench.core.model import Provider
from workbench.core.oauth.rfc7523_bearer import jwt_bearer_grant, sign_assertion
from workbench.core.oauth.rfc8693_exchange import (
    SHORT_TOKEN_TYPES,
    TokenExchange,
    exchange_token,
    token_type_urn,
)
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.session import OAuthSession
from workbench.ui.flows.direct import DirectGrantTab
from workbench.ui.inspector.entries import TokenEntry
from workbench.ui.state import AppState, TokenContext

#: Where "Use the inspector's token" reads from: the entry it shows (token and label), or None.
TokenSource = Callable[[], TokenEntry | None]


class TokenExchangeTab(DirectGrantTab):
    """RFC 8693: the subject (and actor) token in, a new token out, to the inspector."""

    title = "Token Exchange"
    key = "tokenExchange"
    origin = "token_exchange"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        #: Set by the main window to the inspector's shown token; by default the current
        #: access token.
        self.token_source: TokenSource = self._current_access_token
        super().__init__(state, parent)

    def build_params(self) -> None:
        self.mode = QComboBox(self)
        self.mode.setObjectName(f"{self.key}_mode")
        self.mode.setAccessibleName("Grant")
        self.mode.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        for title, grant in MODES:
            self.mode.addItem(title, grant)
        self.form.insertRow(0, "Grant", self.mode)
        self.subject_edit, self.subject_use = self._token_row("subject", "Subject token", 1)
        self.subject_type = self._type_combo("subjectType", "Subject token type", 2)
        self.actor_edit, self.actor_use = self._token_row("actor", "Actor token", 3)
        self.actor_edit.setPlaceholderText("optional: an actor makes it delegation (act)")
        self.actor_type = self._type_combo("actorType", "Actor token type", 4)
        self.requested_type = self._type_combo("requestedType", "Requested token type", 5)
        self.requested_type.insertItem(0, "")
        self.requested_type.setCurrentIndex(0)
        self.requested_type.lineEdit().setPlaceholderText("the server's choice")
        self.assertion_edit = self._bearer_line("assertion", "Assertion", 6)
        self.assertion_edit.setPlaceholderText("a JWT made elsewhere, or sign one below")
        self.key_edit = self._bearer_line("keyFile", "Signing key file", 7)
        self.key_edit.setPlaceholderText("a private key (PEM) to sign one; empty: the client's")
        self.sub_edit = self._bearer_line("sub", "Assertion sub", 8)
        self.sub_edit.setPlaceholderText("whom the token is for, e.g. alice")
        self.aud_edit = self._bearer_line("aud", "Assertion aud", 9)
        self.aud_edit.setPlaceholderText("the token endpoint's URL")
        self.iss_edit = self._bearer_line("iss", "Assertion iss", 10)
        self.iss_edit.setPlaceholderText("the client id")
        super().build_params()
        self.mode.currentIndexChanged.connect(self._show_mode)
        self._show_mode()

    def _bearer_line(self, name: str, label: str, row: int) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"{self.key}_{name}")
        edit.setAccessibleName(label)
        self.form.insertRow(row, label, edit)
        return edit

    @property
    def grant(self) -> str:
        """``token_exchange`` or ``jwt_bearer``: the mode chosen."""
        return str(self.mode.currentData())

    def _show_mode(self) -> None:
        bearer = self.grant == "jwt_bearer"
        for row in range(1, 6):
            self.form.setRowVisible(row, not bearer)
        for row in range(6, 11):
            self.form.setRowVisible(row, bearer)
        for edit in (self.audience_edit, self.resource_edit):
            self.form.setRowVisible(edit, not bearer)
        self.scope_edit.setPlaceholderText(
            "optional: the provider's scope by default"
            if bearer
            else "optional: empty keeps the subject token's scope"
        )
        self.audience_edit.setPlaceholderText("optional: where the new token will be used")

    def _token_row(self, name: str, label: str, row: int) -> tuple[QLineEdit, QPushButton]:
        edit = QLineEdit(self)
        edit.setObjectName(f"{self.key}_{name}Token")
        edit.setAccessibleName(label)
        edit.setPlaceholderText("paste a token, or use the inspector's")
        edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        use = QPushButton("Use the inspector's token", self)
        use.setObjectName(f"{self.key}_{name}UseInspector")
        use.setAccessibleName(f"{label}: use the inspector's token")
        use.setToolTip("Fill in the token the inspector shows now")
        use.clicked.connect(lambda: self.use_inspector_token(edit))
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(edit, 1)
        line.addWidget(use)
        self.form.insertRow(row, label, line)
        return edit, use

    def _type_combo(self, name: str, label: str, row: int) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(f"{self.key}_{name}")
        combo.setAccessibleName(label)
        combo.setEditable(True)  # any token type URN may be typed
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        combo.addItems(SHORT_TOKEN_TYPES)
        combo.setToolTip(
            "A short name (access_token, id_token, jwt…) is sent as its RFC 8693 §3 URN;"
            " any other URN as typed."
        )
        self.form.insertRow(row, label, combo)
        return combo

    def apply_provider(self, provider: Provider) -> None:
        super().apply_provider(provider)
        self.scope_edit.clear()  # empty: the subject token's scope

    # -- the inspector's token --------------------------------------------------------------
    def _current_access_token(self) -> TokenEntry | None:
        tokens = self.state.tokens
        if tokens is None or not tokens.access_token:
            return None
        return TokenEntry("access", "the current access token", tokens.access_token)

    def use_inspector_token(self, edit: QLineEdit) -> None:
        """Fill ``edit`` with the inspector's token (its type guessed for an ID token)."""
        found = self.token_source()
        if found is None:
            self._show_error(ConfigError("The inspector shows no token: get or paste one first."))
            return
        token, label = found.token, found.label
        edit.setText(token)
        combo = self.subject_type if edit is self.subject_edit else self.actor_type
        kind = "id_token" if found.role == "id" else "access_token"
        combo.setCurrentText(kind)
        self.sig_step.emit(f"{edit.accessibleName()}: {label}.")

    # -- running ----------------------------------------------------------------------------
    def exchange(self) -> TokenExchange:
        """The request the fields describe (a ConfigError names what is missing or wrong)."""
        subject = self.subject_edit.text().strip()
        actor = self.actor_edit.text().strip() or None
        if not subject:
            raise ConfigError("Give the subject token: paste it or use the inspector's.")
        requested = self.requested_type.currentText().strip()
        return TokenExchange(
            subject_token=subject,
            subject_token_type=token_type_urn(self.subject_type.currentText(), "subject type"),
            actor_token=actor,
            actor_token_type=(
                token_type_urn(self.actor_type.currentText(), "actor type") if actor else None
            ),
            requested_token_type=token_type_urn(requested, "requested type") if requested else None,
            audience=self.audience_edit.text().strip() or None,
            resource=self.resource_edit.text().strip() or None,
            scope=self.scope_edit.text().strip(),
        )

    def run(self) -> None:
        session = self.state.require_session()
        if self.grant == "jwt_bearer":
            self._run_bearer(session)
            return
        exchange = self.exchange()
        kind = "delegation" if exchange.delegation else "impersonation"
        self.run_in_worker(
            exchange_token,
            session,
            exchange,
            self.request_extra(),
            step=f"Exchanging the subject token ({kind})…",
            on_returned=self._on_exchanged,
        )

    def _on_exchanged(self, tokens: TokenSet) -> None:
        self.deliver_tokens(tokens, TokenContext(origin=self.grant))

    def _run_bearer(self, session: OAuthSession) -> None:
        assertion = self.assertion_edit.text().strip()
        signing = [e.text().strip() for e in (self.key_edit, self.sub_edit, self.aud_edit)]
        client = session.provider.client
        own_key = client.signing_key is not None or client.client_key is not None
        if assertion and any(signing):
            raise ConfigError("Paste an assertion or sign one with a key file, not both.")
        if not assertion and not signing[0] and not own_key:
            raise ConfigError("Paste an assertion, or choose a key file and a sub to sign one.")
        if not assertion and not signing[1]:
            raise ConfigError("Say whom the assertion is about: its sub (a user).")
        self.run_in_worker(
            bearer_grant,
            session,
            assertion,
            *signing,
            self.iss_edit.text().strip(),
            scope=self.scope_edit.text().strip() or None,
            extra=self.request_extra(),
            step="Sending the JWT bearer assertion…"
            if assertion
            else "Signing an assertion and sending it…",
            on_returned=self._on_exchanged,
        )

    def prepare_screenshot(self) -> Callable[[], bool]:
        """A delegation on show: alice's token as the subject, a client credentials token of
        the demo client as the actor, for the demo's local API."""
        session = self.state.require_session()
        self.use_inspector_token(self.subject_edit)
        self.audience_edit.setText((session.provider.issuer or "").rstrip("/") + "/api/local")
        self.actor_type.setCurrentText("access_token")
        self.run_in_worker(
            session.client_credentials,
            step="Getting an actor token…",
            on_returned=lambda actor: self.actor_edit.setText(actor.access_token or ""),
        )
        started = [False]

        def ready() -> bool:
            if self.busy:
                return False
            if not started[0]:  # the actor token is in: exchange
                started[0] = True
                self.start()
                return False
            context = self.state.context
            return context is not None and context.origin == self.origin

        return ready


def bearer_grant(
    session: OAuthSession,
    assertion: str,
    key_file: str,
    sub: str,
    aud: str,
    iss: str,
    *,
    scope: str | None,
    extra: dict[str, str],
) -> TokenSet:
    """The JWT bearer grant with ``assertion``, or with one signed now with the key in
    ``key_file``, else the client's own (private_key_jwt) key (worker body: reading the key
    and the metadata may wait)."""
    if not assertion:
        key = load_key(key_file) if key_file else session.provider.client.key()
        assertion = sign_assertion(
            key,
            issuer=iss or session.provider.client.client_id,
            subject=sub,
            audience=aud or session.metadata().require("token_endpoint"),
        )
    return jwt_bearer_grant(session, assertion, scope, extra)


#: The tab's two modes: (title, grant name).
MODES = (
    ("Token exchange (RFC 8693)", "token_exchange"),
    ("JWT bearer assertion (RFC 7523 §2.1)", "jwt_bearer"),
)

__all__ = ["MODES", "TokenExchangeTab", "TokenSource", "bearer_grant"]
