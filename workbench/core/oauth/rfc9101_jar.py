"""JWT-secured authorization requests (RFC 9101): the authorization parameters as a request
object, a JWT signed with the client's key, sent as ``request`` (in the URL, or in a pushed
request, RFC 9126 §3).

The object carries every parameter as a claim, with ``iss`` = the client, ``aud`` = the
issuer (§4), ``iat``/``nbf``/``exp`` (five minutes) and a fresh ``jti``; its header says
``typ: oauth-authz-req+jwt`` (§4). Beside it the URL keeps ``client_id`` (§5, required) and
``response_type`` and ``scope`` (their OAuth 2.0 / OIDC syntax asks for them; the server uses
the object's values only, §5).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from workbench.core.errors import ConfigError
from workbench.core.keys import SigningKey
from workbench.core.oauth.discovery import ServerMetadata

__all__ = [
    "REQUEST_OBJECT_LIFETIME",
    "REQUEST_OBJECT_TYP",
    "check_request_object_alg",
    "request_object_params",
    "sign_request_object",
]

REQUEST_OBJECT_TYP = "oauth-authz-req+jwt"
REQUEST_OBJECT_LIFETIME = 300
#: Parameters repeated outside the request object (§5: the server reads the object's).
_ALSO_OUTSIDE = ("client_id", "response_type", "scope")


def check_request_object_alg(meta: ServerMetadata, key: SigningKey) -> None:
    """Preflight: the server lists the key's algorithm in
    ``request_object_signing_alg_values_supported`` (a ConfigError before any browser)."""
    listed = meta.raw.get("request_object_signing_alg_values_supported")
    algs = [a for a in listed if isinstance(a, str)] if isinstance(listed, list) else []
    if not algs:
        raise ConfigError(
            "A signed request object (RFC 9101) was asked for, but this server advertises no"
            " request_object_signing_alg_values_supported in its discovery document."
        )
    if key.alg not in algs:
        raise ConfigError(
            f"The request object would be signed with {key.alg}, which this server does not"
            f" take (its request_object_signing_alg_values_supported: {', '.join(algs)})."
        )


def sign_request_object(
    params: Mapping[str, str], key: SigningKey, *, client_id: str, issuer: str
) -> str:
    """The request object of ``params`` (RFC 9101 §4), signed with ``key``."""
    now = int(time.time())
    claims: dict[str, object] = {
        **params,
        **_json_claims(params),
        "iss": client_id,
        "aud": issuer,
        "iat": now,
        "nbf": now,
        "exp": now + REQUEST_OBJECT_LIFETIME,
        "jti": secrets.token_urlsafe(16),
    }
    return key.sign_jwt(claims, typ=REQUEST_OBJECT_TYP)


def _json_claims(params: Mapping[str, str]) -> dict[str, object]:
    """Parameters whose value is JSON travel as JSON in the object: ``authorization_details``
    is an array there (RFC 9396 §3)."""
    value = params.get("authorization_details")
    if not value:
        return {}
    try:
        return {"authorization_details": json.loads(value)}
    except ValueError:
        return {}  # sent as it is: the server says what is wrong


def request_object_params(params: Mapping[str, str], request_object: str) -> dict[str, str]:
    """What goes to the server in place of ``params``: ``request`` and the few kept outside."""
    outside = {name: params[name] for name in _ALSO_OUTSIDE if params.get(name)}
    return {**outside, "request": request_object}


def authorize_url(authorization_endpoint: str, params: Mapping[str, str]) -> str:
    sep = "&" if urlsplit(authorization_endpoint).query else "?"
    return authorization_endpoint + sep + urlencode(params)
