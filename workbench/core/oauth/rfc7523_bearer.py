"""The JWT bearer grant (RFC 7523 §2.1): a signed JWT is the grant.

The client sends ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` with one JWT as
``assertion``: issued by ``iss`` (often the client itself), about ``sub`` (the user the token
is wanted for), for ``aud`` (this authorization server: its issuer or token endpoint URL),
with ``exp`` (§3). Client authentication, when the client has some, comes with it as for any
token request. The workbench takes an assertion made elsewhere or signs one with a key of
:mod:`workbench.core.keys` (:func:`sign_assertion`). The exchange log shows it decoded, header
and claims, the assertion itself masked (``assertion`` is a secret form field).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workbench.core.errors import ConfigError
from workbench.core.keys import SigningKey
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.token_endpoint import build_token_request, parse_token_response
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.transport.exchange import HttpRequest

if TYPE_CHECKING:
    from workbench.core.session import OAuthSession

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: How long an assertion the workbench signs is valid (RFC 7523 §3: servers may refuse ones
#: that live "unreasonably far in the future").
ASSERTION_LIFETIME = 300


def sign_assertion(
    key: SigningKey,
    *,
    issuer: str,
    subject: str,
    audience: str,
    lifetime: int = ASSERTION_LIFETIME,
    claims: Mapping[str, Any] | None = None,
    now: float | None = None,
) -> str:
    """A JWT bearer assertion (RFC 7523 §3): ``iss``, ``sub``, ``aud``, ``iat``, ``exp`` and a
    unique ``jti``, plus ``claims``; signed with ``key`` (its ``alg``, its ``kid``)."""
    for name, value in (("issuer", issuer), ("subject", subject), ("audience", audience)):
        if not value:
            raise ConfigError(f"A JWT bearer assertion needs its {name} (RFC 7523 §3).")
    if lifetime <= 0:
        raise ConfigError("An assertion's lifetime must be positive.")
    issued = int(time.time() if now is None else now)
    body = {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "iat": issued,
        "exp": issued + lifetime,
        "jti": secrets.token_urlsafe(16),
        **(claims or {}),
    }
    return key.sign_jwt(body)


def build_jwt_bearer_request(
    token_endpoint: str,
    client: ClientConfig,
    assertion: str,
    scope: str = "",
    extra: Mapping[str, str] | None = None,
) -> HttpRequest:
    """The POST of RFC 7523 §2.1 (client authentication applied when the client has one)."""
    if not assertion:
        raise ConfigError("The JWT bearer grant needs an assertion (RFC 7523 §2.1).")
    form = {
        **{k: v for k, v in (extra or {}).items() if v},
        "grant_type": GRANT_TYPE,
        "assertion": assertion,
        "scope": scope,
    }
    return build_token_request(token_endpoint, client, form, "token (jwt bearer)")


def jwt_bearer_grant(
    session: OAuthSession,
    assertion: str,
    scope: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> TokenSet:
    """Send ``assertion`` to the session's token endpoint (what both faces call through
    :meth:`OAuthSession.jwt_bearer`); without ``scope``, the provider's."""
    session.log.add_secret(assertion)  # masked wherever a server echoes it
    request = build_jwt_bearer_request(
        session.metadata().require("token_endpoint"),
        session.client,
        assertion,
        session.provider.scope if scope is None else scope,
        session.provider.extra if extra is None else extra,
    )
    return parse_token_response(session.http.send(request))


__all__ = [
    "ASSERTION_LIFETIME",
    "GRANT_TYPE",
    "build_jwt_bearer_request",
    "jwt_bearer_grant",
    "sign_assertion",
]
