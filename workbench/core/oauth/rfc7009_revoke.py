"""Token revocation (RFC 7009)."""

from __future__ import annotations

from typing import Literal

from workbench.core.oauth.client_auth import ClientConfig, authenticated_post
from workbench.core.oauth.token_endpoint import parse_json_object
from workbench.core.transport.exchange import HttpRequest, HttpResponse

TokenTypeHint = Literal["access_token", "refresh_token"]


def build_token_about_request(
    endpoint: str,
    client: ClientConfig,
    token: str,
    hint: TokenTypeHint | None,
    purpose: str,
) -> HttpRequest:
    """A POST about one token (revocation, introspection): token, hint, client authenticated."""
    form = {"token": token}
    if hint:
        form["token_type_hint"] = hint
    return authenticated_post(endpoint, client, form, purpose)


def build_revocation_request(
    endpoint: str, client: ClientConfig, token: str, hint: TokenTypeHint | None = None
) -> HttpRequest:
    """RFC 7009 §2.1: POST token and optional token_type_hint, client authenticated."""
    return build_token_about_request(endpoint, client, token, hint, "revocation")


def parse_revocation_response(resp: HttpResponse) -> None:
    """RFC 7009 §2.2: 200 (body ignored) is success, also for an unknown or invalid token.

    An error response (§2.2.1, e.g. ``unsupported_token_type``) raises OAuthError.
    """
    if resp.status == 200:
        return
    parse_json_object(resp)
