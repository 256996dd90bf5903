"""Token exchange (RFC 8693): trade a token for another one, alone or with an actor.

The subject token (whom the new token is about) and the actor token (who will act for them:
delegation) each come from a field, filled by hand or in one click from the token the
inspector shows; their types, the type wanted back, the audience and resource (where the new
token will be used) and a narrower scope go with them. The new token goes to the inspector,
which shows its ``act`` chain and the ``issued_token_type`` the server said it issued.
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
from workbench.core.model import Provider
from workbench.core.oauth.rfc8693_exchange import SHORT_TOKEN_TYPES, TokenExchange, token_type_urn
from workbench.core.oauth.tokenset import TokenSet
from workbench.ui.flows.direct import DirectGrantTab
from workbench.ui.state import AppState, TokenContext

#: Where "Use the inspector's token" reads from: the token it shows and its label, or None.
TokenSource = Callable[[], tuple[str, str] | None]


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
        self.scope_edit.setPlaceholderText("optional: empty keeps the subject token's scope")
        self.subject_edit, self.subject_use = self._token_row("subject", "Subject token", 0)
        self.subject_type = self._type_combo("subjectType", "Subject token type", 1)
        self.actor_edit, self.actor_use = self._token_row("actor", "Actor token", 2)
        self.actor_edit.setPlaceholderText("optional: an actor makes it delegation (act)")
        self.actor_type = self._type_combo("actorType", "Actor token type", 3)
        self.requested_type = self._type_combo("requestedType", "Requested token type", 4)
        self.requested_type.insertItem(0, "")
        self.requested_type.setCurrentIndex(0)
        self.requested_type.lineEdit().setPlaceholderText("the server's choice")
        super().build_params()
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
    def _current_access_token(self) -> tuple[str, str] | None:
        tokens = self.state.tokens
        if tokens is None or not tokens.access_token:
            return None
        return tokens.access_token, "the current access token"

    def use_inspector_token(self, edit: QLineEdit) -> None:
        """Fill ``edit`` with the inspector's token (its type guessed for an ID token)."""
        found = self.token_source()
        if found is None:
            self._show_error(ConfigError("The inspector shows no token: get or paste one first."))
            return
        token, label = found
        edit.setText(token)
        combo = self.subject_type if edit is self.subject_edit else self.actor_type
        kind = "id_token" if "id token" in label.lower() else "access_token"
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
        exchange = self.exchange()
        kind = "delegation" if exchange.delegation else "impersonation"
        self.run_in_worker(
            session.token_exchange,
            exchange,
            extra=self.request_extra(),
            step=f"Exchanging the subject token ({kind})…",
            on_returned=self._on_exchanged,
        )

    def _on_exchanged(self, tokens: TokenSet) -> None:
        self.deliver_tokens(tokens, TokenContext(origin=self.origin))

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


__all__ = ["TokenExchangeTab", "TokenSource"]
