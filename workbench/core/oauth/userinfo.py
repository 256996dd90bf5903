"""UserInfo (OIDC Core §5.3) with a bearer token (RFC 6750 §2.1)."""

from __future__ import annotations

from typing import Any

from workbench.core.errors import OAuthError
from workbench.core.oauth.token_endpoint import parse_json_object, parse_www_authenticate
from workbench.core.transport.exchange import HttpRequest, HttpResponse


def build_userinfo_request(endpoint: str, access_token: str) -> HttpRequest:
    return HttpRequest(
        "GET",
        endpoint,
        headers={"Authorization": f"Bearer {access_token}"},
        purpose="userinfo",
    )


def parse_userinfo_response(resp: HttpResponse) -> dict[str, Any]:
    """Claims, or OAuthError from the ``WWW-Authenticate`` challenge (RFC 6750 §3.1)."""
    if resp.status in (401, 403):
        challenge = next(
            (v for k, v in resp.headers.items() if k.lower() == "www-authenticate"), ""
        )
        params = parse_www_authenticate(challenge)
        error = params.get("error") or ("invalid_token" if resp.status == 401 else "forbidden")
        description = params.get("error_description") or (
            "The server rejected the access token (401): it is revoked, expired or not meant "
            "for this endpoint."
            if resp.status == 401
            else "The token lacks the scope this endpoint needs (403)."
        )
        raise OAuthError(error, description, params.get("error_uri"), resp.status)
    return parse_json_object(resp)
