"""What every direct token-endpoint grant tab shares (client credentials, password).

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
from workbench.core.oauth.tokenset import TokenSet
from workbench.ui.flows.base import FlowTab
from workbench.ui.state import TokenContext


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


__all__ = ["DirectGrantTab"]
