"""Client credentials (RFC 6749 §4.4): the client asks for a token on its own behalf."""

from __future__ import annotations

from typing import Any

from workbench.core.model import Provider
from workbench.core.oauth.rfc6749_grants import client_credentials_scope
from workbench.ui.flows.direct import DirectGrantTab
from workbench.ui.widgets.details_editor import ROW_LABEL as DETAILS_LABEL
from workbench.ui.widgets.details_editor import AuthorizationDetailsEditor


class ClientCredentialsTab(DirectGrantTab):
    """RFC 6749 §4.4: the client asks for a token on its own behalf."""

    title = "Client Credentials"
    key = "clientCredentials"
    origin = "client_credentials"

    def build_params(self) -> None:
        super().build_params()
        self.details_editor = AuthorizationDetailsEditor(f"{self.key}_authorizationDetails", self)
        self.form.addRow(DETAILS_LABEL, self.details_editor)

    def request_args(self) -> dict[str, Any]:
        """The direct grant's, with the authorization details (RFC 9396 §6) when given."""
        args = super().request_args()
        return {**args, "extra": self.details_editor.with_details(args["extra"])}

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
