"""Implicit grant (RFC 6749 §4.2) — legacy, deprecated by RFC 9700 §2.1.2.

The token comes back in the URL fragment; the loopback listener's page posts it back to us.
"""

from __future__ import annotations

from collections.abc import Mapping

from workbench.core.errors import FlowError
from workbench.core.flows.rfc6749_code import AuthorizationRequest, check_authorization_response
from workbench.core.tokenset import TokenSet

LEGACY_WARNING = (
    "The implicit grant is deprecated by the OAuth 2.0 Security BCP (RFC 9700 §2.1.2): tokens "
    "travel in the browser URL. Use authorization code + PKCE in new work."
)


def parse_implicit_response(params: Mapping[str, str], request: AuthorizationRequest) -> TokenSet:
    """Fragment parameters → TokenSet (RFC 6749 §4.2.2), after state and iss checks."""
    check_authorization_response(params, request)
    wants_access = "token" in request.response_type.split()
    if wants_access and not params.get("access_token"):
        raise FlowError("The redirect fragment carries no access_token.", kind="no_token")
    if "id_token" in request.response_type.split() and not params.get("id_token"):
        raise FlowError("The redirect fragment carries no id_token.", kind="no_token")
    data = {k: v for k, v in params.items() if k not in ("state", "iss")}
    return TokenSet.from_response(data)
