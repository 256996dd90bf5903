"""Pushed authorization requests (RFC 9126).

The authorization parameters go to the server first, in a POST to its
``pushed_authorization_request_endpoint`` carrying the client's authentication (§2.1), and
come back as a short-lived ``request_uri`` (§2.2). The browser then gets only ``client_id``
and that ``request_uri`` (§4): nothing of the request shows in the URL bar or the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from workbench.core.errors import ConfigError, TransportError
from workbench.core.oauth.client_auth import ClientConfig, authenticated_post
from workbench.core.oauth.discovery import ServerMetadata
from workbench.core.oauth.token_endpoint import parse_json_object
from workbench.core.transport.exchange import HttpRequest, HttpResponse

__all__ = [
    "PAR_ENDPOINT",
    "PushedRequest",
    "build_par_request",
    "par_authorize_url",
    "par_wanted",
    "parse_par_response",
]

PAR_ENDPOINT = "pushed_authorization_request_endpoint"


@dataclass(frozen=True)
class PushedRequest:
    """The server's answer to a pushed request: the reference and how long it lives."""

    request_uri: str
    expires_in: float
    endpoint: str


def par_wanted(meta: ServerMetadata, asked: bool) -> bool:
    """Whether to push the request: when asked, or when the server requires it
    (``require_pushed_authorization_requests``, §5). Asked of a server that advertises no
    endpoint, a ConfigError before any listener or browser starts."""
    required = meta.raw.get("require_pushed_authorization_requests") is True
    if not (asked or required):
        return False
    if not par_endpoint(meta):
        raise ConfigError(
            "Pushed authorization requests (RFC 9126) were asked for, but this server"
            f" advertises no {PAR_ENDPOINT} in its discovery document."
        )
    return True


def par_endpoint(meta: ServerMetadata) -> str | None:
    value = meta.raw.get(PAR_ENDPOINT)
    return value if isinstance(value, str) and value else None


def build_par_request(
    endpoint: str, client: ClientConfig, params: Mapping[str, str]
) -> HttpRequest:
    """RFC 9126 §2.1: the authorization parameters as a form, with client authentication."""
    return authenticated_post(endpoint, client, dict(params), "pushed authorization request")


def parse_par_response(resp: HttpResponse, endpoint: str) -> PushedRequest:
    """RFC 9126 §2.2: 201 with ``request_uri`` and ``expires_in``, or an OAuth error."""
    data = parse_json_object(resp)
    request_uri = data.get("request_uri")
    expires_in = data.get("expires_in")
    if not isinstance(request_uri, str) or not request_uri:
        raise TransportError(
            "The pushed authorization response has no request_uri (RFC 9126 §2.2 requires one).",
            kind="invalid_document",
        )
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
        raise TransportError(
            "The pushed authorization response has no positive expires_in (RFC 9126 §2.2"
            " requires one).",
            kind="invalid_document",
        )
    return PushedRequest(request_uri, float(expires_in), endpoint)


def par_authorize_url(authorization_endpoint: str, client_id: str, request_uri: str) -> str:
    """RFC 9126 §4: the authorize URL with ``client_id`` and ``request_uri`` only."""
    sep = "&" if urlsplit(authorization_endpoint).query else "?"
    query = urlencode({"client_id": client_id, "request_uri": request_uri})
    return authorization_endpoint + sep + query
