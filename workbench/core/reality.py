"""Is the token what it claims, and does the server still take it: the inspection and the
server's verdict of :class:`~workbench.core.session.OAuthSession`, as functions.

:func:`inspect_for_provider` verifies a JWT locally against a provider's keys and expectations;
:func:`verdict_from_endpoints` asks the server (introspection, else UserInfo) whether a token is
alive; :func:`guess_kind` tells an ID token from an access token when the caller does not say.
They are given what they need (the provider, its metadata, the key cache, the calls that reach
the server) and hold no state: the session composes them with its own metadata and sender.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from workbench.core.errors import OAuthError, TokenError, TransportError
from workbench.core.model import Provider, ServerVerdict
from workbench.core.oauth.discovery import ServerMetadata
from workbench.core.oauth.rfc7009_revoke import TokenTypeHint
from workbench.core.tokens.checks import inspect_token
from workbench.core.tokens.decode import decode_jwt
from workbench.core.tokens.findings import Inspection
from workbench.core.tokens.jwks import JwksCache

TokenKind = Literal["access", "id", "auto"]


def guess_kind(token: str) -> Literal["access", "id"]:
    """An ID token has a nonce, at_hash or is typ JWT without scope; default to access."""
    try:
        decoded = decode_jwt(token)
    except TokenError:
        return "access"
    claims = decoded.claims
    typ = str(decoded.header.get("typ", "")).lower()
    if "at+jwt" in typ or "scope" in claims or claims.get("token_use") == "access":
        return "access"
    if claims.get("token_use") == "id" or "nonce" in claims or "at_hash" in claims:
        return "id"
    return "access"


def metadata_for_keys(
    provider: Provider, metadata: Callable[[], ServerMetadata]
) -> tuple[ServerMetadata, str | None]:
    """The provider's metadata and, when its keys cannot be had, why: the discovery error
    (then the profile's own issuer and endpoints stand in), or no ``jwks_uri``."""
    try:
        meta = metadata()
    except TransportError as exc:
        meta = ServerMetadata(issuer=provider.issuer or "").with_overrides(provider.endpoints)
        return meta, str(exc)
    if not meta.jwks_uri:
        return meta, "the provider names no jwks_uri; enter one in the provider profile"
    return meta, None


def inspect_for_provider(
    token: str,
    provider: Provider,
    metadata: Callable[[], ServerMetadata],
    jwks: JwksCache,
    *,
    kind: TokenKind = "auto",
    nonce: str | None = None,
    access_token: str | None = None,
    code: str | None = None,
    dpop_jkt: str | None = None,
) -> Inspection:
    """Decode and verify a JWT against ``provider``'s keys and expectations (``dpop_jkt``: the
    thumbprint of the DPoP key in use, for an access token's ``cnf.jkt``).

    A provider was chosen, so verification was asked for: when its metadata (``metadata()``)
    or keys cannot be had, the signature fails with the reason ("not verified: …"), it is never
    skipped. ``kind`` "auto" is :func:`guess_kind` of the token.
    """
    decoded = decode_jwt(token)
    meta, unavailable = metadata_for_keys(provider, metadata)
    if kind == "auto":
        kind = guess_kind(token)
    client_id = provider.client.client_id
    certificate = provider.client.certificate
    return inspect_token(
        decoded,
        jwks=jwks,
        jwks_uri=meta.jwks_uri,
        keys_unavailable=unavailable,
        verify=True,
        issuer=meta.issuer or None,
        audience=client_id if kind == "id" else None,
        client_id=client_id if kind == "access" else None,
        nonce=nonce,
        access_token=access_token if kind == "id" else None,
        client_cert_thumbprint=certificate.thumbprint if certificate is not None else None,
        code=code if kind == "id" else None,
        dpop_jkt=dpop_jkt if kind != "id" else None,
    )


def verdict_from_endpoints(
    meta: ServerMetadata,
    token: str,
    hint: TokenTypeHint,
    *,
    introspect: Callable[[str, TokenTypeHint], dict[str, Any]],
    userinfo: Callable[[str], dict[str, Any]],
) -> ServerVerdict:
    """Ask the server whether ``token`` is alive: introspection when ``meta`` has the
    endpoint, else (or when it refuses a public client) UserInfo for an access token."""
    refused = ""
    if meta.introspection_endpoint:
        try:
            data = introspect(token, hint)
        except OAuthError as exc:
            # RFC 7662 §2.1: only an authenticated client may introspect, so a public
            # client is refused; UserInfo can still answer for an access token.
            usable = meta.userinfo_endpoint and hint == "access_token"
            if exc.error != "invalid_client" or not usable:
                raise
            refused = "introspection refused this client (invalid_client); "
        else:
            active = bool(data.get("active"))
            detail = "active" if active else "inactive (active: false)"
            return ServerVerdict(active, "introspection", detail, data)
    if meta.userinfo_endpoint and hint == "access_token":
        try:
            claims = userinfo(token)
        except OAuthError as exc:
            if exc.status == 401:
                return ServerVerdict(False, "userinfo", f"{refused}401 {exc.error}")
            raise
        return ServerVerdict(True, "userinfo", f"{refused}200: token accepted", claims)
    return ServerVerdict(None, "none", "the provider has neither introspection nor UserInfo")
