"""Token endpoint requests and responses shared by every grant (RFC 6749 §3.2, §5)."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from workbench.core.display import printable
from workbench.core.errors import OAuthError, TransportError
from workbench.core.oauth.client_auth import ClientConfig, authenticated_post
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.transport.exchange import HttpRequest, HttpResponse, describe_non_json
from workbench.core.transport.masking import mask_body


def build_token_request(
    token_endpoint: str,
    client: ClientConfig,
    form: Mapping[str, str],
    purpose: str,
) -> HttpRequest:
    """A POST to the token endpoint with client authentication applied."""
    clean = {k: v for k, v in form.items() if v not in (None, "")}
    return authenticated_post(token_endpoint, client, clean, purpose)


def parse_json_object(resp: HttpResponse) -> dict[str, Any]:
    """A 2xx JSON object, or the OAuth error it carries (RFC 6749 §5.2), or a TransportError."""
    try:
        data = resp.json()
    except TransportError as exc:
        if resp.status >= 400 and exc.kind == "not_json":
            raise TransportError(describe_non_json(resp), kind="http", status=resp.status) from exc
        raise
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        raise oauth_error(data, resp.status)
    if resp.status >= 400:
        raise TransportError(
            f"The server answered {resp.status} {resp.reason} without an OAuth error code: "
            f"{printable(mask_body(resp.body, resp.content_type, ()))[:200]}",
            kind="http",
            status=resp.status,
        )
    if not isinstance(data, dict):
        raise TransportError(f"Expected a JSON object, got {type(data).__name__}.", kind="not_json")
    return data


def oauth_error(data: Mapping[str, Any], status: int | None) -> OAuthError:
    def opt(name: str) -> str | None:
        value = data.get(name)
        return value if isinstance(value, str) and value else None

    return OAuthError(str(data["error"]), opt("error_description"), opt("error_uri"), status)


def parse_token_response(resp: HttpResponse) -> TokenSet:
    """RFC 6749 §5.1: a successful response must carry ``access_token`` and ``token_type``."""
    data = parse_json_object(resp)
    if not isinstance(data.get("access_token"), str):
        raise TransportError(
            "The token response has no access_token (RFC 6749 §5.1 requires one).",
            kind="invalid_document",
        )
    return TokenSet.from_response(data, received_at=time.time())


_AUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')


def parse_www_authenticate(value: str) -> dict[str, str]:
    """Parameters of a ``Bearer`` challenge (RFC 6750 §3)."""
    return dict(_AUTH_PARAM.findall(value))
