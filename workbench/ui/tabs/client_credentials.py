"""Client credentials (RFC 6749 §4.4), and what every direct token-endpoint grant shares.

A direct grant is one POST to the token endpoint, authenticated as the client: the tab shows
how the client authenticates (RFC 6749 §2.3) and the optional ``audience`` and ``resource``
(RFC 8707) parameters next to the scope.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

from workbench.core.model import Provider
from workbench.core.oauth.client_auth import describe_client_auth
from workbench.core.oauth.rfc6749_grants import client_credentials_scope
from workbench.core.oauth.tokenset import TokenSet
from workbench.ui.state import TokenContext
from workbench.ui.tabs.base import FlowTab


class DirectGrantTab(FlowTab):
    """Scope, audience, resource and the client authentication method of a token request."""

    origin = "direct"  # TokenContext.origin of the tokens this tab delivers

    def build_params(self) -> None:
        self.audience_edit = self.add_line("audience", "Audience", "optional (Auth0, Okta…)")
        self.resource_edit = self.add_line("resource", "Resource", "optional, RFC 8707 URI")
        self.auth_note = QLabel("", self)
        self.auth_note.setObjectName(f"{self.key}AuthMethod")
        self.auth_note.setAccessibleName("Client authentication")
        self.auth_note.setWordWrap(True)
        # Expanding: a word-wrapped label in a form row otherwise wraps at its narrow hint.
        self.auth_note.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.auth_note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.auth_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addRow("Client authentication", self.auth_note)

    def apply_provider(self, provider: Provider) -> None:
        super().apply_provider(provider)
        client = provider.client
        self.auth_note.setText(
            f"{client.client_id or '(no client id)'} uses {client.method}: "
            f"{describe_client_auth(client.method)}."
        )

    def request_args(self) -> dict[str, Any]:
        """Keyword arguments shared by the session's direct-grant methods."""
        return {
            "scope": self.scope_edit.text().strip(),
            "audience": self.audience_edit.text().strip() or None,
            "resource": self.resource_edit.text().strip() or None,
            "extra": self.request_extra(),
        }

    def _on_tokens(self, tokens: TokenSet) -> None:
        self.deliver_tokens(tokens, TokenContext(origin=self.origin))


class ClientCredentialsTab(DirectGrantTab):
    """RFC 6749 §4.4: the client asks for a token on its own behalf."""

    title = "Client Credentials"
    key = "clientCredentials"
    origin = "client_credentials"

    def apply_provider(self, provider: Provider) -> None:
        super().apply_provider(provider)
        # No user here: the same default scope as the command line (the provider's without
        # openid, profile, offline_access…).
        self.scope_edit.setText(client_credentials_scope(provider.scope))

    def run(self) -> None:
        session = self.state.require_session()
        self.run_in_worker(
            session.client_credentials,
            step="Requesting a client credentials token…",
            on_returned=self._on_tokens,
            **self.request_args(),
        )


__all__ = ["ClientCredentialsTab", "DirectGrantTab"]
