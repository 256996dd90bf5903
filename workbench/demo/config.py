"""Configuration of the demo authorization server: one dataclass and the endpoint paths."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

__all__ = ["DEFAULT_PATHS", "ENDPOINT_NAMES", "DemoConfig", "is_loopback_host"]

#: Every route of the server, by name. A deployment imitating another provider (for
#: example Amazon Cognito's ``/oauth2/authorize``, ``/oauth2/token``, ``/oauth2/revoke``,
#: ``/oauth2/userInfo``) passes overrides in :attr:`DemoConfig.paths`; nothing else in the
#: package spells a path.
DEFAULT_PATHS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "home": "/",  # a page listing the endpoints and demo users
        "openid_configuration": "/.well-known/openid-configuration",  # OIDC Discovery §4
        "oauth_authorization_server": "/.well-known/oauth-authorization-server",  # RFC 8414 §3
        "jwks": "/jwks.json",  # RFC 7517
        "authorize": "/authorize",  # RFC 6749 §3.1
        "token": "/token",  # RFC 6749 §3.2
        "device_authorization": "/device_authorization",  # RFC 8628 §3.1
        "device_verification": "/device",  # RFC 8628 §3.3 (verification_uri)
        "revocation": "/revoke",  # RFC 7009 §2
        "introspection": "/introspect",  # RFC 7662 §2
        "userinfo": "/userinfo",  # OIDC Core §5.3
        "end_session": "/logout",  # OpenID Connect RP-Initiated Logout 1.0 §2
        "par": "/par",  # RFC 9126 §2
        "backchannel_authentication": "/bc-authorize",  # OpenID CIBA Core 1.0 §7
        "ciba_approval": "/ciba",  # the demo user's "authentication device" (a page)
        "registration": "/register",  # RFC 7591 §3 (RFC 7592: /register/<client_id>)
    }
)
ENDPOINT_NAMES: Final = tuple(DEFAULT_PATHS)


def is_loopback_host(host: str) -> bool:
    """True when ``host`` names only this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class DemoConfig:
    """Everything configurable about the demo server. Times are in seconds.

    ``host``/``port``: where to listen (``port=0`` picks a free ephemeral port).
    ``public_host``: the host name or address put in the issuer URL. By default it is
    ``host``, or this machine's LAN address when ``host`` is a wildcard (``0.0.0.0``,
    ``::``), so that a phone on the same network can open the device verification URI.
    ``token_delay``: the token endpoint sleeps this long before answering (to test a slow
    server). ``device_slow_down_step``: seconds added to a device code's (or a CIBA request's)
    interval each time it answers ``slow_down`` (RFC 8628 §3.5 says 5).
    ``ciba_request_ttl``: the lifetime of a CIBA request, and the most ``requested_expiry``
    may ask; ``ciba_interval``: its polling interval (OpenID CIBA Core §7.3).
    ``paths``: endpoint path overrides, merged over :data:`DEFAULT_PATHS`.
    ``access_token_audience``: the ``aud`` of access tokens; by default the client id.
    ``keep_rotated_refresh_tokens``: a refresh token stays redeemable after it was rotated
    (the policy of many servers, which RFC 9700 §4.14.2 advises against); by default reusing
    one is refused and revokes its grant.
    ``max_request_body``: the largest request body accepted, in bytes (bigger: HTTP 413).
    ``user_code_max_failures``: wrong user codes one browser session or one user may enter
    within ``user_code_failure_window`` seconds before the verification page answers 429;
    ``user_code_max_failures_total``: the same limit summed over everyone (RFC 8628 §5.1).
    ``require_device_pkce``: the device authorization request must carry an S256
    ``code_challenge`` (answered like Keycloak when it does not), and every poll its
    ``code_verifier``. A challenge sent without this is checked all the same.
    ``par_ttl``: seconds a pushed request's ``request_uri`` lives (RFC 9126 §2.2);
    ``require_par``: the server says ``require_pushed_authorization_requests`` and refuses an
    authorization request that was not pushed. ``jarm_ttl``: seconds until a JARM response
    JWT expires (negative makes expired ones, for tests).
    ``pre_token_trigger``: a Python file whose ``lambda_handler(event, context)`` runs as
    Cognito's pre-token-generation trigger for every token issued, as trigger version
    ``pre_token_trigger_version`` (``V1_0``, ``V2_0``, ``V3_0``; see
    :mod:`workbench.demo.trigger`).
    ``client_jwks``: the public JWK Set (RFC 7517 §5) of the private_key_jwt demo client,
    whose client assertions are checked with it; without one, every such assertion is
    refused (the client has no registered key).
    ``require_dpop_nonce``: every DPoP proof (token endpoint, UserInfo, the demo APIs) must
    carry a nonce this server gave in ``DPoP-Nonce`` (RFC 9449 §8, §9); one without is
    answered ``use_dpop_nonce`` with a fresh nonce.
    """

    host: str = "127.0.0.1"
    port: int = 0
    public_host: str | None = None
    access_token_ttl: int = 300
    refresh_token_ttl: int = 86_400
    id_token_ttl: int = 300
    authorization_code_ttl: int = 120
    device_code_ttl: int = 600
    device_interval: int = 5
    device_slow_down_step: int = 5
    ciba_request_ttl: int = 300
    ciba_interval: int = 5
    token_delay: float = 0.0
    access_token_audience: str | None = None
    keep_rotated_refresh_tokens: bool = False
    max_request_body: int = 64 * 1024
    user_code_max_failures: int = 5
    user_code_max_failures_total: int = 20
    user_code_failure_window: int = 300
    require_device_pkce: bool = False
    par_ttl: int = 60
    require_par: bool = False
    jarm_ttl: int = 300
    pre_token_trigger: str | None = None
    pre_token_trigger_version: str = "V3_0"
    #: RFC 7591 §3: registration needs this Bearer token; None leaves registration open.
    initial_access_token: str | None = None
    paths: Mapping[str, str] = field(default_factory=dict, hash=False)
    client_jwks: Mapping[str, Any] | None = field(default=None, hash=False)
    require_dpop_nonce: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.paths) - set(DEFAULT_PATHS)
        if unknown:
            raise ValueError(f"unknown endpoint names in paths: {sorted(unknown)}")
        for name, path in self.paths.items():
            if not path.startswith("/"):
                raise ValueError(f"path for {name!r} must start with '/': {path!r}")
        merged = {**DEFAULT_PATHS, **self.paths}
        if len(set(merged.values())) != len(merged):
            raise ValueError("two endpoints share the same path")
        for name in (
            "access_token_ttl",
            "refresh_token_ttl",
            "id_token_ttl",
            "authorization_code_ttl",
            "device_code_ttl",
            "device_interval",
            "ciba_request_ttl",
            "ciba_interval",
            "max_request_body",
            "user_code_max_failures",
            "user_code_max_failures_total",
            "user_code_failure_window",
            "par_ttl",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.device_slow_down_step < 0 or self.token_delay < 0:
            raise ValueError("device_slow_down_step and token_delay must not be negative")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"invalid port {self.port}")
        if self.client_jwks is not None and not isinstance(self.client_jwks.get("keys"), list):
            raise ValueError('client_jwks must be a JWK Set: an object with a "keys" list')

    @property
    def endpoint_paths(self) -> Mapping[str, str]:
        """:data:`DEFAULT_PATHS` with :attr:`paths` applied."""
        return MappingProxyType({**DEFAULT_PATHS, **self.paths})

    @property
    def exposed(self) -> bool:
        """True when the server would be reachable from other machines."""
        return not is_loopback_host(self.host)
