"""The demo server's clients as the workbench's faces use them: ids, secret, scopes, Providers.

One home for what the command line, the app's provider bar, the screenshots and the tests know
about the embedded server's two clients, its demo user and where its two demo APIs answer. The
server's own records (:mod:`workbench.demo.accounts`) are built from the same values. This
module is light: it imports no Flask and no Authlib (nor Qt), so a face can name a demo client
without loading the server.

Every identifier, secret and password here is a *public demo value*.
"""

from __future__ import annotations

from typing import Final

from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.demo.config import DEFAULT_PATHS

__all__ = [
    "API_NAMES",
    "CONFIDENTIAL_CLIENT_ID",
    "CONFIDENTIAL_CLIENT_SECRET",
    "CONFIDENTIAL_DEMO_SCOPE",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "NATIVE_CLIENT_ID",
    "NATIVE_DEMO_SCOPE",
    "PRIVATE_KEY_JWT_CLIENT_ID",
    "PUBLIC_GRANTS",
    "SECRET_JWT_CLIENT_ID",
    "SECRET_JWT_CLIENT_SECRET",
    "api_urls",
    "ciba_approval_url",
    "confidential_client",
    "demo_provider",
    "grant_provider",
    "native_client",
]

NATIVE_CLIENT_ID: Final = "workbench-native"
CONFIDENTIAL_CLIENT_ID: Final = "workbench-confidential"
CONFIDENTIAL_CLIENT_SECRET: Final = "demo-secret"  # public demo value
#: A confidential client that authenticates with client_secret_jwt (HS256 with its secret,
#: RFC 7523 §2.2); the secret is 32 bytes and more, as HS256 wants (RFC 7518 §3.2).
SECRET_JWT_CLIENT_ID: Final = "workbench-secret-jwt"
SECRET_JWT_CLIENT_SECRET: Final = "demo-jwt-secret-for-hs256-assertions"  # public demo value
#: A confidential client that authenticates with private_key_jwt: the server checks its
#: assertions with the public JWKS the demo server is configured with
#: (``DemoConfig.client_jwks``, ``workbench demo-server --client-jwks FILE``).
PRIVATE_KEY_JWT_CLIENT_ID: Final = "workbench-private-key-jwt"

#: The demo user the faces sign in as when nobody else is named (public demo values).
DEMO_USERNAME: Final = "alice"
DEMO_PASSWORD: Final = "alice-password"

_OPENID_SCOPE: Final = "openid profile email"
#: What the native (public) demo client asks for: a user's tokens with a refresh token.
NATIVE_DEMO_SCOPE: Final = f"{_OPENID_SCOPE} offline_access"
#: What the workbench's demo provider with the confidential client asks for, in the app and
#: on the command line (a client-credentials request keeps only ``api:read`` of it).
CONFIDENTIAL_DEMO_SCOPE: Final = f"{NATIVE_DEMO_SCOPE} api:read"

#: Grants the public demo client runs; the others use the confidential demo client.
PUBLIC_GRANTS: Final = ("authorization_code", "implicit", "device_code")
#: Grants whose tokens come with a refresh token when none is asked for.
_OFFLINE_GRANTS: Final = ("password", "refresh_token", "authorization_code", "device_code")

#: The demo APIs (:mod:`workbench.demo.api`): one verifies tokens locally, one asks the server.
API_NAMES: Final = ("local", "introspected")


def api_urls(issuer: str) -> dict[str, str]:
    """The base URL (the RFC 9728 resource identifier) of each demo API."""
    base = issuer.rstrip("/")
    return {name: f"{base}/api/{name}" for name in API_NAMES}


def ciba_approval_url(issuer: str) -> str:
    """The demo's page where its users approve or deny CIBA requests (their "device")."""
    return issuer.rstrip("/") + DEFAULT_PATHS["ciba_approval"]


def native_client() -> ClientConfig:
    """The public client: no secret, ``none`` authentication (RFC 8252 native app)."""
    return ClientConfig(NATIVE_CLIENT_ID, None, "none")


def confidential_client() -> ClientConfig:
    """The confidential client with its secret (the default authentication method)."""
    return ClientConfig(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)


def demo_provider(
    issuer: str, *, public: bool = False, scope: str | None = None, name: str = "Demo"
) -> Provider:
    """The demo server at ``issuer`` with the native (``public``) or the confidential client,
    asking for ``scope`` or the client's demo scope."""
    if public:
        return Provider(
            client=native_client(), issuer=issuer, scope=scope or NATIVE_DEMO_SCOPE, name=name
        )
    return Provider(
        client=confidential_client(),
        issuer=issuer,
        scope=scope or CONFIDENTIAL_DEMO_SCOPE,
        name=name,
    )


def grant_provider(issuer: str, grant: str, scope: str | None = None) -> Provider:
    """The demo provider the command line uses for ``grant``: the public client for the
    browser and device grants, the confidential one otherwise; without ``scope``, the scope
    that grant's demo run asks for."""
    default_scope = _OPENID_SCOPE
    if grant == "client_credentials":  # the app's demo scope; the session keeps its API part
        default_scope = CONFIDENTIAL_DEMO_SCOPE
    elif grant in _OFFLINE_GRANTS:
        default_scope = NATIVE_DEMO_SCOPE
    return demo_provider(issuer, public=grant in PUBLIC_GRANTS, scope=scope or default_scope)
