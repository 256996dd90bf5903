"""Token introspection (RFC 7662)."""

from __future__ import annotations

from typing import Any

from workbench.core.errors import TransportError
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.rfc7009_revoke import TokenTypeHint, build_token_about_request
from workbench.core.oauth.token_endpoint import parse_json_object
from workbench.core.transport.exchange import HttpRequest, HttpResponse


def build_introspection_request(
    endpoint: str, client: ClientConfig, token: str, hint: TokenTypeHint | None = None
) -> HttpRequest:
    """RFC 7662 §2.1: the same shape as a revocation request."""
    return build_token_about_request(endpoint, client, token, hint, "introspection")


def parse_introspection_response(resp: HttpResponse) -> dict[str, Any]:
    """RFC 7662 §2.2: a JSON object whose ``active`` is the server's verdict."""
    data = parse_json_object(resp)
    if not isinstance(data.get("active"), bool):
        raise TransportError(
            "The introspection response has no boolean 'active' (RFC 7662 §2.2).",
            kind="invalid_document",
        )
    return data
