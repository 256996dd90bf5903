"""The data every face and every provider door shares: what a provider is, what a refresh did,
what the server says of a token, and the door a provider's own API opens.

Only data and protocols live here (no I/O): :mod:`workbench.core.session` runs the flows,
:mod:`workbench.core.profiles` and :mod:`workbench.core.cognito.pool` make :class:`Provider` values,
:mod:`workbench.core.cognito.auth` implements :class:`TokenActions`. The client's own settings
(:class:`~workbench.core.oauth.client_auth.ClientConfig`) stay beside the client-authentication
methods that read them; the tokens (:class:`~workbench.core.oauth.tokenset.TokenSet`) beside their
parsing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from workbench.core.keys import SigningKey
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.refresh import Rotation, rotation
from workbench.core.oauth.rfc7009_revoke import TokenTypeHint
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.findings import Inspection


@dataclass(frozen=True)
class Provider:
    """What a flow needs to know about the server and the client, resolved from a profile."""

    client: ClientConfig
    issuer: str | None = None
    endpoints: Mapping[str, str] = field(default_factory=dict)
    scope: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)
    verify_tls: bool = True
    name: str = ""
    # False: the issuer and the manual endpoints are all there is, nothing is discovered (a
    # Cognito pool through its API door: its keys may live on an emulator, not at the issuer).
    discover: bool = True
    #: Send PKCE with the device flow (RFC 7636 on RFC 8628; Keycloak requires it for clients
    #: configured for PKCE).
    device_pkce: bool = False
    #: How the end-session endpoint is called: OpenID Connect RP-Initiated Logout, or Amazon
    #: Cognito's hosted ``/logout`` (``client_id`` + ``logout_uri``, no state sent back).
    end_session_style: Literal["oidc", "cognito"] = "oidc"
    #: DPoP (RFC 9449): the key every request's proof is signed with; None: no DPoP.
    dpop_key: SigningKey | None = None


@dataclass(frozen=True)
class RefreshResult:
    """What redeeming a refresh token gave: the tokens to use from now on and the rotation.

    Make it with :meth:`of`: when the server returned no refresh token (``not_returned``) the
    one sent stays in use (RFC 6749 §6), so ``tokens`` carries it over; every face relies on it.
    """

    tokens: TokenSet
    rotation: Rotation

    @classmethod
    def of(cls, sent: str, tokens: TokenSet) -> RefreshResult:
        """The result of redeeming ``sent`` for ``tokens`` (the server's answer)."""
        turn = rotation(sent, tokens)
        if turn == "not_returned":
            tokens = dataclasses.replace(tokens, refresh_token=sent)
        return cls(tokens, turn)


@dataclass(frozen=True)
class ServerVerdict:
    """What the server says of a token now: ``active`` True/False, or None when unknown."""

    active: bool | None
    source: Literal["introspection", "userinfo", "cognito", "none"]
    detail: str
    data: Mapping[str, Any] = field(default_factory=dict)


class TokenActions(Protocol):
    """A provider's own API for what the token endpoints do elsewhere (Amazon Cognito's
    REFRESH_TOKEN_AUTH, RevokeToken, GetUser): the ``door`` an
    :class:`~workbench.core.session.OAuthSession` is made with, it answers refresh, revoke, the
    user's claims and the server verdict in place of the OAuth endpoints."""

    def refresh(self, refresh_token: str) -> RefreshResult: ...

    def revoke(self, token: str, hint: TokenTypeHint | None) -> None: ...

    def userinfo(self, access_token: str) -> dict[str, Any]: ...

    def server_verdict(self, token: str, hint: TokenTypeHint) -> ServerVerdict: ...


@dataclass(frozen=True)
class RealityCheck:
    """The revocation reality check: the local verdict beside the server's."""

    local: Inspection
    server: ServerVerdict

    @property
    def locally_valid(self) -> bool:
        return self.local.ok and any(
            f.check == "signature" and f.outcome == "pass" for f in self.local.findings
        )

    @property
    def contradiction(self) -> bool:
        """True when the token still verifies locally while the server says it is dead."""
        return self.locally_valid and self.server.active is False


__all__ = ["Provider", "RealityCheck", "RefreshResult", "ServerVerdict", "TokenActions"]
