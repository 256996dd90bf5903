"""The door: a Cognito pool as the inspector's provider, its API as the inspector's actions.

The inspector knows providers and :class:`~workbench.core.model.TokenActions`; a user pool
signed into through the API (:mod:`workbench.core.cognito.auth`) has neither. This module
makes it look like one:

* :func:`pool_provider`: the pool's issuer and keys (and its hosted endpoints when it has a
  domain) as a :class:`~workbench.core.model.Provider`, nothing discovered.
* :class:`CognitoTokenActions`: the inspector's Refresh, Revoke, UserInfo and server check as
  REFRESH_TOKEN_AUTH, RevokeToken and GetUser.
* GetUser is the only server-side check of an access token (Cognito has no introspection):
  :func:`server_verdict` and :func:`reality_check` put it beside the local verification
  (:func:`inspect`: the pool's JWKS, issuer, ``token_use`` and ``client_id``/``aud``);
  :func:`describe_reality` says both in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar

from workbench.core.cognito.auth import CognitoAuth
from workbench.core.cognito.errors import CognitoError
from workbench.core.cognito.pool import CognitoPool
from workbench.core.errors import ConfigError, TokenError
from workbench.core.model import Provider, RealityCheck, RefreshResult, ServerVerdict
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.rfc7009_revoke import TokenTypeHint
from workbench.core.tokens.checks import inspect_token
from workbench.core.tokens.decode import decode_jwt
from workbench.core.tokens.findings import Inspection
from workbench.core.tokens.jwks import JwksCache
from workbench.core.transport.exchange import ExchangeLog

_T = TypeVar("_T")

__all__ = [
    "CognitoTokenActions",
    "describe_reality",
    "inspect",
    "inspect_cognito_token",
    "pool_provider",
    "reality_check",
    "server_verdict",
]


def pool_provider(pool: CognitoPool, scope: str = "") -> Provider:
    """The provider that makes the inspector verify against the pool: its issuer and keys,
    nothing discovered; the hosted endpoints too when the pool has a domain."""
    if pool.domain:
        return replace(pool.to_provider(scope), discover=False)
    secret = pool.client_secret
    client = ClientConfig(
        pool.require_client(), secret, "client_secret_basic" if secret else "none"
    )
    return Provider(
        client=client,
        issuer=pool.issuer,
        endpoints={"jwks_uri": pool.jwks_url},
        scope=scope,
        verify_tls=pool.verify_tls,
        name=f"{pool.name or 'Cognito ' + pool.user_pool_id} (API)",
        discover=False,
    )


def server_verdict(auth: CognitoAuth, access_token: str) -> ServerVerdict:
    """Cognito's verdict on an access token, from GetUser."""
    try:
        user = auth.get_user(access_token)
    except CognitoError as exc:
        if exc.code != "NotAuthorizedException":
            raise
        text = exc.cognito_message
        lowered = text.lower()
        if "expired" in lowered:
            state = "expired"
        elif "disabled" in lowered:
            state = "user disabled"
        else:
            # With a valid signature, the only token Cognito refuses is a revoked one.
            state = "revoked"
        detail = f"{state} (GetUser: NotAuthorizedException: {text})"
        return ServerVerdict(False, "cognito", detail, {"code": exc.code, "message": text})
    attributes = {
        str(a.get("Name")): a.get("Value")
        for a in user.get("UserAttributes") or []
        if isinstance(a, Mapping)
    }
    data = {"Username": user.get("Username"), "UserAttributes": attributes}
    return ServerVerdict(
        True, "cognito", f"active (GetUser accepted it: user {user.get('Username')})", data
    )


def inspect(
    auth: CognitoAuth, token: str, kind: Literal["access", "id", "auto"] = "auto"
) -> Inspection:
    """Verify a Cognito token against the pool's JWKS and issuer, with ``token_use`` and
    ``client_id`` (access tokens) or ``aud`` (ID tokens) when the client id is known."""
    if kind == "auto":
        kind = "access"
        try:
            if decode_jwt(token).claims.get("token_use") == "id":
                kind = "id"
        except TokenError:
            pass
    return inspect_cognito_token(token, auth.pool, auth.jwks, kind)


def reality_check(auth: CognitoAuth, access_token: str) -> RealityCheck:
    """The local verdict beside Cognito's (GetUser)."""
    return RealityCheck(inspect(auth, access_token, "access"), server_verdict(auth, access_token))


def inspect_cognito_token(
    token: str,
    pool: CognitoPool,
    jwks: JwksCache,
    kind: Literal["access", "id"],
    now: float | None = None,
) -> Inspection:
    """The Cognito checks: pool JWKS and issuer, ``token_use``, ``client_id``/``aud``."""
    client_id = pool.client_id or None
    return inspect_token(
        token,
        jwks=jwks,
        jwks_uri=pool.jwks_url,
        issuer=pool.issuer,
        audience=client_id if kind == "id" else None,
        client_id=client_id if kind == "access" else None,
        token_use=kind,
        now=now,
    )


def describe_reality(check: RealityCheck) -> str:
    """One line: the local verdict, then Cognito's (the revocation reality check)."""
    local = check.local
    if check.locally_valid:
        left = local.expiry.describe() if local.expiry.expires_at is not None else ""
        first = "signature valid locally" + (f" ({left})" if left else "")
    elif local.signature_valid:
        failed = ", ".join(f.check for f in local.failed)
        first = f"signature valid locally but {failed} failed"
    else:
        first = "not valid locally (" + local.finding("signature").reason + ")"
    server = check.server
    if server.active is None:
        second = f"Cognito: unknown ({server.detail})"
    else:
        second = f"Cognito: {server.detail}"
    return f"{first}, {second}"


@dataclass
class CognitoTokenActions:
    """The API door as :class:`workbench.core.model.TokenActions`: the inspector's Refresh,
    Revoke, UserInfo and server check become REFRESH_TOKEN_AUTH, RevokeToken and GetUser.

    A fresh :class:`CognitoAuth` per call (calls come from worker threads); ``username`` goes
    into the SECRET_HASH of a refresh when the app client has a secret.
    """

    pool: CognitoPool
    log: ExchangeLog
    make_auth: Callable[[CognitoPool, ExchangeLog], CognitoAuth] = CognitoAuth
    username: str | None = None

    def _run(self, op: Callable[[CognitoAuth], _T]) -> _T:
        auth = self.make_auth(self.pool, self.log)
        try:
            return op(auth)
        finally:
            auth.close()

    def refresh(self, refresh_token: str) -> RefreshResult:
        return self._run(lambda auth: auth.refresh(refresh_token, self.username))

    def revoke(self, token: str, hint: TokenTypeHint | None) -> None:
        if hint == "access_token":
            raise ConfigError(
                "Cognito revokes refresh tokens (RevokeToken), which ends the access tokens "
                "issued from them; revoke the refresh token, or sign the user out everywhere."
            )
        self._run(lambda auth: auth.revoke(token))

    def userinfo(self, access_token: str) -> dict[str, Any]:
        """GetUser's attributes as claims (``sub``, ``email``…), plus ``username``."""
        user = self._run(lambda auth: auth.get_user(access_token))
        claims: dict[str, Any] = {"username": user.get("Username")}
        for attribute in user.get("UserAttributes", []):
            claims[str(attribute.get("Name"))] = attribute.get("Value")
        return claims

    def server_verdict(self, token: str, hint: TokenTypeHint) -> ServerVerdict:
        if hint != "access_token":
            return ServerVerdict(
                None,
                "cognito",
                "Cognito checks access tokens (GetUser); a refresh token is only tested by "
                "using it (Refresh)",
            )
        return self._run(lambda auth: server_verdict(auth, token))
