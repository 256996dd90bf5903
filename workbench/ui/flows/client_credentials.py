"""Client credentials (RFC 6749 §4.4): the client asks for a token on its own behalf."""

from __future__ import annotations

from workbench.core.model import Provider
from workbench.core.oauth.rfc6749_grants import client_credentials_scope
from workbench.ui.flows.direct import DirectGrantTab


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


__all__ = ["ClientCredentialsTab"]
