"""Demo clients, users and scopes of the embedded authorization server.

The clients' ids and secret and the demo user's name and password come from
:mod:`workbench.demo.clients`, the light module the workbench's faces use.

Every identifier, secret and password here is a *public demo value*: it is printed by
``workbench demo-server`` and shown on the login page. Nothing here protects anything.

Redirect URIs follow RFC 8252 §7.3: a native app listens on a loopback interface with a
port chosen at run time, so the server accepts ``http://127.0.0.1:<any port>/callback``,
``http://[::1]:<any port>/callback`` and ``http://localhost:<any port>/callback`` for both
clients (``localhost`` is NOT RECOMMENDED by RFC 8252 §8.3 but common, so it is accepted).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import urlsplit

from authlib.oauth2.rfc8628 import DEVICE_CODE_GRANT_TYPE

from .clients import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    MTLS_CLIENT_ID,
    MTLS_CLIENT_SUBJECT,
    NATIVE_CLIENT_ID,
    PRIVATE_KEY_JWT_CLIENT_ID,
    SECRET_JWT_CLIENT_ID,
    SECRET_JWT_CLIENT_SECRET,
)

__all__ = [
    "API_SCOPES",
    "CIBA_GRANT",
    "CLIENTS",
    "DEVICE_CODE_GRANT",
    "JWT_BEARER_GRANT",
    "LOOPBACK_HOSTS",
    "OIDC_SCOPES",
    "POST_LOGOUT_REDIRECT_PATH",
    "REDIRECT_PATH",
    "SCOPES",
    "TOKEN_EXCHANGE_ACTORS",
    "TOKEN_EXCHANGE_GRANT",
    "USERS",
    "DemoClient",
    "DemoUser",
    "Subject",
    "is_loopback_redirect_uri",
]

#: ``urn:ietf:params:oauth:grant-type:device_code`` (RFC 8628 §3.4).
DEVICE_CODE_GRANT: Final[str] = DEVICE_CODE_GRANT_TYPE

#: ``urn:ietf:params:oauth:grant-type:jwt-bearer`` (RFC 7523 §2.1).
JWT_BEARER_GRANT: Final = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: ``urn:ietf:params:oauth:grant-type:token-exchange`` (RFC 8693 §2.1).
TOKEN_EXCHANGE_GRANT: Final = "urn:ietf:params:oauth:grant-type:token-exchange"
#: ``urn:openid:params:grant-type:ciba`` (OpenID CIBA Core 1.0 §10.1), poll mode.
CIBA_GRANT: Final = "urn:openid:params:grant-type:ciba"

#: OpenID Connect scopes (OIDC Core §5.4 plus ``offline_access``, §11).
OIDC_SCOPES: Final = ("openid", "profile", "email", "offline_access")
#: Scopes of the imaginary demo API.
API_SCOPES: Final = ("api:read", "api:write")
SCOPES: Final = OIDC_SCOPES + API_SCOPES

#: Path every loopback redirect URI must use.
REDIRECT_PATH: Final = "/callback"
#: The path of every registered post-logout redirect URI (RP-Initiated Logout 1.0 §3).
POST_LOGOUT_REDIRECT_PATH: Final = "/logged-out"
#: Host names accepted in redirect URIs (RFC 8252 §7.3), as ``urlsplit().hostname`` gives them.
LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "::1", "localhost"})


def is_loopback_redirect_uri(uri: str, path: str = REDIRECT_PATH) -> bool:
    """True for ``http://{127.0.0.1|[::1]|localhost}[:<any port>]/callback`` (RFC 8252 §7.3),
    or with ``path`` in place of ``/callback``.

    The port is deliberately not compared: a native client picks an ephemeral port for each
    authorization request. User info, query and fragment are refused.
    """
    try:
        parts = urlsplit(uri)
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname in LOOPBACK_HOSTS
        and "@" not in parts.netloc
        and parts.path == path
        and not parts.query
        and not parts.fragment
    )


@dataclass(frozen=True)
class DemoUser:
    """A demo resource owner. ``subject`` is the stable ``sub`` claim."""

    username: str
    password: str
    subject: str
    name: str
    given_name: str
    family_name: str
    email: str

    def check_password(self, password: str) -> bool:
        return hmac.compare_digest(self.password.encode(), password.encode())

    def claims(self, scope: str) -> dict[str, Any]:
        """Standard claims released for ``scope`` (OIDC Core §5.4)."""
        scopes = set(scope.split())
        claims: dict[str, Any] = {"sub": self.subject}
        if "profile" in scopes:
            claims.update(
                name=self.name,
                given_name=self.given_name,
                family_name=self.family_name,
                preferred_username=self.username,
            )
        if "email" in scopes:
            claims.update(email=self.email, email_verified=True)
        return claims


@dataclass(frozen=True)
class Subject:
    """A user who signed in at a known time: what Authlib calls the ``user`` of a grant."""

    user: DemoUser
    auth_time: int

    def get_user_id(self) -> str:
        """Authlib's user protocol (used for the ``sub`` claim)."""
        return self.user.subject


@dataclass(frozen=True)
class DemoClient:
    """A registered client; implements Authlib's ``ClientMixin`` protocol."""

    client_id: str
    client_name: str
    client_secret: str | None
    token_endpoint_auth_methods: tuple[str, ...]
    grant_types: tuple[str, ...]
    response_types: tuple[str, ...]
    scopes: tuple[str, ...]
    default_scope: str
    #: tls_client_auth (RFC 8705 §2.1.2): the subject its certificate must carry (RFC 4514).
    tls_client_auth_subject_dn: str | None = None
    #: self_signed_tls_client_auth (RFC 8705 §2.2): the DER certificates it registered.
    tls_client_certificates: tuple[bytes, ...] = ()
    #: The client's registered JWKS (the self-signed certificate's key with its x5c).
    jwks: dict[str, Any] | None = None

    @property
    def is_public(self) -> bool:
        """A client that authenticates with nothing (``none``); a private_key_jwt client
        has no secret and is confidential all the same."""
        return "none" in self.token_endpoint_auth_methods

    @property
    def uses_mtls(self) -> bool:
        """It authenticates with a TLS client certificate (RFC 8705 §2)."""
        return bool(self.tls_client_auth_subject_dn or self.tls_client_certificates)

    @property
    def client_metadata(self) -> dict[str, Any]:
        """RFC 7591 style metadata (Authlib's UserInfo endpoint reads it)."""
        return {
            "client_name": self.client_name,
            "grant_types": list(self.grant_types),
            "response_types": list(self.response_types),
            "token_endpoint_auth_method": self.token_endpoint_auth_methods[0],
            **(
                {"tls_client_auth_subject_dn": self.tls_client_auth_subject_dn}
                if self.tls_client_auth_subject_dn
                else {}
            ),
            **({"jwks": self.jwks} if self.jwks else {}),
            "scope": " ".join(self.scopes),
            "redirect_uris": [
                f"http://127.0.0.1:<any port>{REDIRECT_PATH}",
                f"http://[::1]:<any port>{REDIRECT_PATH}",
                f"http://localhost:<any port>{REDIRECT_PATH}",
            ],
            "post_logout_redirect_uris": [
                f"http://127.0.0.1:<any port>{POST_LOGOUT_REDIRECT_PATH}",
                f"http://[::1]:<any port>{POST_LOGOUT_REDIRECT_PATH}",
                f"http://localhost:<any port>{POST_LOGOUT_REDIRECT_PATH}",
            ],
        }

    # -- Authlib ClientMixin ------------------------------------------------------------
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # The port changes per request (RFC 8252 §7.3): redirect_uri is always required.
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        """The client's default scope when none is asked (RFC 6749 §3.3), else the
        requested scopes this client may have."""
        if not scope:
            return self.default_scope
        return " ".join(s for s in scope.split() if s in self.scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return is_loopback_redirect_uri(redirect_uri)

    def check_post_logout_redirect_uri(self, uri: str) -> bool:
        """A registered post-logout redirect URI: the loopback rules of redirect URIs, on
        :data:`POST_LOGOUT_REDIRECT_PATH`."""
        return is_loopback_redirect_uri(uri, POST_LOGOUT_REDIRECT_PATH)

    def check_client_secret(self, client_secret: str) -> bool:
        if self.client_secret is None:
            return False
        return hmac.compare_digest(self.client_secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # The same methods are accepted at the token, revocation, introspection and
        # device authorization endpoints.
        return method in self.token_endpoint_auth_methods

    def check_response_type(self, response_type: str) -> bool:
        return response_type in self.response_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


#: What the clients that sign a client assertion (RFC 7523 §2.2) or present a certificate
#: (RFC 8705) may run.
_JWT_CLIENT_GRANTS: Final = (
    "authorization_code",
    "password",
    "client_credentials",
    "refresh_token",
    DEVICE_CODE_GRANT,
)

#: The hybrid response types (OIDC Core §3.3) the demo serves and its two first clients may use.
HYBRID_RESPONSE_TYPES: Final = ("code id_token", "code token", "code id_token token")

#: What the mutual-TLS clients may run.
MTLS_GRANTS: Final = _JWT_CLIENT_GRANTS

CLIENTS: Final[Mapping[str, DemoClient]] = MappingProxyType(
    {
        c.client_id: c
        for c in (
            DemoClient(
                client_id=NATIVE_CLIENT_ID,
                client_name="Token Workbench (native, public)",
                client_secret=None,
                token_endpoint_auth_methods=("none",),
                grant_types=("authorization_code", "implicit", "refresh_token", DEVICE_CODE_GRANT),
                response_types=(
                    "code",
                    "token",
                    "id_token token",
                    "id_token",
                    *HYBRID_RESPONSE_TYPES,
                ),
                scopes=SCOPES,
                default_scope="openid profile email",
            ),
            DemoClient(
                client_id=CONFIDENTIAL_CLIENT_ID,
                client_name="Token Workbench (confidential)",
                client_secret=CONFIDENTIAL_CLIENT_SECRET,
                token_endpoint_auth_methods=("client_secret_basic", "client_secret_post"),
                # Every grant but implicit, which is for public clients only (RFC 6749 §4.2;
                # Authlib enforces it): the device grant is open to confidential clients that
                # authenticate (RFC 8628 §3.1).
                grant_types=(
                    "authorization_code",
                    "password",
                    "client_credentials",
                    "refresh_token",
                    DEVICE_CODE_GRANT,
                    TOKEN_EXCHANGE_GRANT,
                    CIBA_GRANT,
                ),
                response_types=("code", *HYBRID_RESPONSE_TYPES),
                scopes=SCOPES,
                default_scope="api:read",
            ),
            DemoClient(
                client_id=SECRET_JWT_CLIENT_ID,
                client_name="Token Workbench (client_secret_jwt)",
                client_secret=SECRET_JWT_CLIENT_SECRET,
                token_endpoint_auth_methods=("client_secret_jwt",),
                grant_types=_JWT_CLIENT_GRANTS,
                response_types=("code",),
                scopes=SCOPES,
                default_scope="api:read",
            ),
            DemoClient(
                client_id=PRIVATE_KEY_JWT_CLIENT_ID,
                client_name="Token Workbench (private_key_jwt)",
                client_secret=None,
                token_endpoint_auth_methods=("private_key_jwt",),
                # and the JWT bearer grant (RFC 7523 §2.1), its assertions checked with the
                # same registered key (workbench.demo.jwt_bearer)
                grant_types=(*_JWT_CLIENT_GRANTS, JWT_BEARER_GRANT),
                response_types=("code",),
                scopes=SCOPES,
                default_scope="api:read",
            ),
            DemoClient(
                client_id=MTLS_CLIENT_ID,
                client_name="Token Workbench (mutual TLS, demo CA certificate)",
                client_secret=None,
                token_endpoint_auth_methods=("tls_client_auth",),
                grant_types=_JWT_CLIENT_GRANTS,
                response_types=("code",),
                scopes=SCOPES,
                default_scope="api:read",
                tls_client_auth_subject_dn=MTLS_CLIENT_SUBJECT,
            ),
        )
    }
)

USERS: Final[Mapping[str, DemoUser]] = MappingProxyType(
    {
        u.username: u
        for u in (
            DemoUser(
                username=DEMO_USERNAME,
                password=DEMO_PASSWORD,  # public demo value
                subject="u-7f3a9c2e",
                name="Alice Example",
                given_name="Alice",
                family_name="Example",
                email="alice@example.com",
            ),
            DemoUser(
                username="bob",
                password="bob-password",  # public demo value
                subject="u-4b1d8e06",
                name="Bob Example",
                given_name="Bob",
                family_name="Example",
                email="bob@example.com",
            ),
        )
    }
)

#: Token exchange (RFC 8693): whom each client may let act for a subject (delegation), by the
#: actor token's ``sub``. The confidential client may name itself (a client credentials token)
#: and bob; alice, or any other party, is refused with ``unauthorized_client``.
TOKEN_EXCHANGE_ACTORS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {CONFIDENTIAL_CLIENT_ID: (CONFIDENTIAL_CLIENT_ID, USERS["bob"].subject)}
)
