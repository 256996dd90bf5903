"""The demo server's authority: its configuration, issuer, signing key, state and URLs.

Every grant (:mod:`workbench.demo.grants`) and endpoint (:mod:`workbench.demo.endpoints`) reads
what it needs from the :class:`DemoAuthority` that :mod:`workbench.demo.oauth` hangs on the
Authlib server; the constants here are the signing algorithm and the client authentication
each endpoint accepts.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

from flask import g, has_app_context
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from .accounts import Subject
from .ciba_store import CibaRequests
from .config import DemoConfig, is_loopback_host
from .dpop import DpopVerifier
from .pushed import PushedRequests
from .store import DemoStore
from .trigger import PreTokenTrigger, TriggerOutcome

__all__ = ["DemoAuthority", "code_family", "server_authority", "subject_of"]

SIGNING_ALG = "RS256"
#: Auth methods accepted at the revocation and device endpoints (public clients may revoke
#: their own tokens, RFC 7009 §2.1, and start a device grant).
#: The JWT client assertions (RFC 7523 §2.2): workbench.demo.client_assertion checks them.
JWT_AUTH_METHODS = ("client_secret_jwt", "private_key_jwt")
ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", *JWT_AUTH_METHODS, "none")
CONFIDENTIAL_AUTH_METHODS = ("client_secret_basic", "client_secret_post", *JWT_AUTH_METHODS)
#: Introspection needs an authenticated caller (RFC 7662 §2.1): confidential clients only.
INTROSPECTION_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS


class DemoAuthority:
    """What every handler needs: configuration, issuer, signing key, state, URLs."""

    def __init__(self, config: DemoConfig, issuer: str) -> None:
        self.config = config
        self.issuer = issuer.rstrip("/")
        self.paths = config.endpoint_paths
        # A fresh key each run (RFC 7518 §3.3: RSA keys of 2048 bits or more).
        self.key = RSAKey.generate_key(
            2048, {"use": "sig", "alg": SIGNING_ALG}, private=True, auto_kid=True
        )
        self.keys = KeySet([self.key])
        self.store = DemoStore()
        self.dpop = DpopVerifier(config.require_dpop_nonce)
        self.pushed = PushedRequests()
        self.ciba = CibaRequests()
        self.trigger = PreTokenTrigger(config.pre_token_trigger, config.pre_token_trigger_version)
        #: Authlib only accepts plain-http request URLs on loopback; see workbench.demo.oauth.
        self.plain_http_beyond_loopback = config.exposed or not is_loopback_host(
            urlsplit(self.issuer).hostname or ""
        )

    @property
    def kid(self) -> str:
        return str(self.key.kid)

    def url(self, name: str) -> str:
        """Absolute URL of the endpoint called ``name`` in :data:`DEFAULT_PATHS`."""
        return self.issuer + self.paths[name]

    def public_jwks(self) -> dict[str, Any]:
        """The JWK Set published at ``jwks_uri`` (public parts only)."""
        return dict(self.keys.as_dict(private=False))

    def access_token_audience(self, client_id: str) -> str:
        return self.config.access_token_audience or client_id

    def pre_token(
        self, grant_type: str, client_id: str, subject: Subject | None, scope: str
    ) -> TriggerOutcome | None:
        """The pre-token trigger's outcome for the token request being served: the handler
        runs once per request (the access token asks first, the ID token reuses it)."""
        if has_app_context() and "pre_token_outcome" in g:
            return cast(TriggerOutcome | None, g.pre_token_outcome)
        user = subject.user if subject else None
        outcome = self.trigger.run(grant_type, client_id, user, scope)
        if has_app_context():
            g.pre_token_outcome = outcome
        return outcome

    def decode_jwt(self, value: str) -> dict[str, Any]:
        """Claims of a JWT this server signed (signature checked, claims not validated)."""
        return dict(jwt.decode(value, self.keys, algorithms=[SIGNING_ALG]).claims)


def code_family(code: str) -> str:
    """The token family of the tokens issued for authorization code ``code``."""
    return "code:" + code


def server_authority(server: Any) -> DemoAuthority:
    """The :class:`DemoAuthority` of an Authlib server made by the demo."""
    return cast(DemoAuthority, server.authority)


def subject_of(user: object) -> Subject | None:
    """The signed-in user behind a token or request, if any (client credentials: none)."""
    return user if isinstance(user, Subject) else None
