"""Authlib glue: the grants, endpoints and token generators of the demo server.

All protocol logic is Authlib's; this module only supplies the storage callbacks and the
demo policy:

* Access tokens are RFC 9068 JWTs (``typ: at+jwt``, RS256, ``kid`` from the JWKS) made by
  Authlib's :class:`JWTBearerTokenGenerator`. The server also records each one (by its
  ``jti``) so that revocation, introspection and UserInfo can tell a revoked token from a
  valid one although its signature still verifies.
* Refresh tokens are opaque and issued for the authorization code, device code and
  password grants whenever the client may use ``refresh_token`` (both demo clients can),
  whether or not ``offline_access`` was asked; never for implicit or client credentials.
  Each refresh rotates the refresh token; the old one then fails with ``invalid_grant``.
  Replaying a rotated refresh token revokes every token descended from the same grant
  (RFC 9700 §4.14.2), and replaying an exchanged authorization code revokes the tokens
  issued for it (RFC 6749 §4.1.2).
* Introspection (RFC 7662) answers only confidential clients (they authenticate, §2.1).
* ID tokens (RS256, same key) are issued by the code, implicit (``id_token token``,
  ``id_token``), password, device and refresh grants when the scope has ``openid``.
* PKCE: only ``S256``; required at the authorization endpoint for public clients. On the
  device flow when the request carries a challenge, and for every client when
  :attr:`DemoConfig.require_device_pkce` is set (answered with Keycloak's words).
* Every authorization response (success or error, query or fragment) carries ``iss``
  (RFC 9207).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlencode, urlsplit, urlunsplit

from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Payload, FlaskOAuth2Request
from authlib.oauth2.rfc6749 import (
    InvalidGrantError,
    InvalidRequestError,
    OAuth2Request,
    UnauthorizedClientError,
    grants,
)
from authlib.oauth2.rfc6750 import BearerTokenValidator, InvalidTokenError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge, create_s256_code_challenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oauth2.rfc8628 import DeviceAuthorizationEndpoint, DeviceCodeGrant
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from authlib.oauth2.rfc9207 import IssuerParameter
from authlib.oidc.core import UserInfo, UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode, OpenIDImplicitGrant, OpenIDToken
from flask import Flask, Response
from flask import request as flask_request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from .accounts import CLIENTS, DEVICE_CODE_GRANT, SCOPES, USERS, DemoClient, Subject
from .config import DemoConfig, is_loopback_host
from .store import (
    AccessToken,
    AuthorizationCode,
    DemoStore,
    DeviceGrant,
    DeviceStatus,
    RefreshToken,
    TokenRecord,
)

__all__ = ["DemoAuthority", "add_issuer_parameter", "create_authorization_server"]

SIGNING_ALG = "RS256"
#: Auth methods accepted at the revocation and device endpoints (public clients may revoke
#: their own tokens, RFC 7009 §2.1, and start a device grant).
ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
CONFIDENTIAL_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
#: ``token_endpoint_auth_methods_supported`` and friends in the metadata.
AUTH_METHODS_SUPPORTED = ("client_secret_basic", "client_secret_post", "none")
#: Introspection needs an authenticated caller (RFC 7662 §2.1): confidential clients only.
INTROSPECTION_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS
GRANT_TYPES_SUPPORTED = (
    "authorization_code",
    "implicit",
    "password",
    "client_credentials",
    "refresh_token",
    DEVICE_CODE_GRANT,
)
RESPONSE_TYPES_SUPPORTED = ("code", "token", "id_token token", "id_token")
CLAIMS_SUPPORTED = (
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "at_hash",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "email",
    "email_verified",
)


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
        #: Authlib only accepts plain-http request URLs on loopback; see _PlainHttpOAuth2Request.
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

    def decode_jwt(self, value: str) -> dict[str, Any]:
        """Claims of a JWT this server signed (signature checked, claims not validated)."""
        return dict(jwt.decode(value, self.keys, algorithms=[SIGNING_ALG]).claims)

    def metadata(self) -> dict[str, Any]:
        """Authorization server metadata (RFC 8414 §2) and OpenID Provider metadata
        (OIDC Discovery §3): one document served at both well-known URLs."""
        auth_methods = list(AUTH_METHODS_SUPPORTED)
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.url("authorize"),
            "token_endpoint": self.url("token"),
            "device_authorization_endpoint": self.url("device_authorization"),
            "revocation_endpoint": self.url("revocation"),
            "introspection_endpoint": self.url("introspection"),
            "userinfo_endpoint": self.url("userinfo"),
            "jwks_uri": self.url("jwks"),
            "scopes_supported": list(SCOPES),
            "response_types_supported": list(RESPONSE_TYPES_SUPPORTED),
            "response_modes_supported": ["query", "fragment"],
            "grant_types_supported": list(GRANT_TYPES_SUPPORTED),
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": auth_methods,
            "revocation_endpoint_auth_methods_supported": auth_methods,
            "introspection_endpoint_auth_methods_supported": list(INTROSPECTION_AUTH_METHODS),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [SIGNING_ALG],
            "claims_supported": list(CLAIMS_SUPPORTED),
            "prompt_values_supported": ["none", "login", "consent"],
            "authorization_response_iss_parameter_supported": True,
            "service_documentation": self.url("home"),
        }


def add_issuer_parameter(response: Response, issuer: str) -> None:
    """Append ``iss`` to an authorization response redirect (RFC 9207 §2), in the
    fragment when the response parameters are there (implicit), else in the query."""
    location = response.headers.get("Location")
    if not location or not 300 <= response.status_code < 400:
        return
    parts = urlsplit(location)
    extra = urlencode({"iss": issuer})
    if parts.fragment:
        parts = parts._replace(fragment=f"{parts.fragment}&{extra}")
    else:
        parts = parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra)
    response.headers["Location"] = urlunsplit(parts)


def code_family(code: str) -> str:
    """The token family of the tokens issued for authorization code ``code``."""
    return "code:" + code


def _authority(server: Any) -> DemoAuthority:
    return cast(DemoAuthority, server.authority)


def _subject(user: object) -> Subject | None:
    return user if isinstance(user, Subject) else None


# -- token generation -------------------------------------------------------------------
class _AccessTokenGenerator(JWTBearerTokenGenerator):  # type: ignore[misc]
    """RFC 9068 access tokens signed with the server key."""

    def __init__(self, authority: DemoAuthority) -> None:
        ttl = authority.config.access_token_ttl
        super().__init__(
            issuer=authority.issuer,
            alg=SIGNING_ALG,
            refresh_token_generator=_new_refresh_token,
            expires_generator=lambda client, grant_type: ttl,
        )
        self.authority = authority

    def get_jwks(self) -> KeySet:
        return self.authority.keys

    def get_audiences(self, client: DemoClient, user: object, scope: str) -> str:
        return self.authority.access_token_audience(client.client_id)

    def get_auth_time(self, user: object) -> int | None:
        subject = _subject(user)
        return subject.auth_time if subject else None


def _new_refresh_token(**_: Any) -> str:
    return str(generate_token(48))


# -- OpenID Connect ---------------------------------------------------------------------
class _IdTokenSettings:
    """ID token settings shared by Authlib's OpenID extensions and the OIDC implicit
    grant (OIDC Core §2, §3.1.3.6, §3.2.2.10)."""

    def _demo(self) -> DemoAuthority:
        raise NotImplementedError

    def resolve_client_private_key(self, client: DemoClient) -> KeySet:
        return self._demo().keys

    def get_client_algorithm(self, client: DemoClient) -> str:
        return SIGNING_ALG

    def get_encode_header(self, client: DemoClient) -> dict[str, str]:
        return {"alg": SIGNING_ALG, "kid": self._demo().kid}

    def get_client_claims(self, client: DemoClient) -> dict[str, Any]:
        demo = self._demo()
        now = int(time.time())
        return {
            "iss": demo.issuer,
            "aud": client.client_id,
            "iat": now,
            "exp": now + demo.config.id_token_ttl,
        }

    def generate_user_info(self, user: object, scope: str) -> dict[str, Any]:
        subject = _subject(user)
        if subject is None:
            return {}
        claims = subject.user.claims(scope)
        # The time the user signed in, not the time the token was minted (§2).
        claims["auth_time"] = subject.auth_time
        return claims


class _OpenIDCode(_IdTokenSettings, OpenIDCode):  # type: ignore[misc]
    def __init__(self, authority: DemoAuthority) -> None:
        super().__init__(require_nonce=False)
        self.authority = authority

    def _demo(self) -> DemoAuthority:
        return self.authority

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return self.authority.store.nonce_used(request.payload.client_id, nonce)


class _OpenIDToken(_IdTokenSettings, OpenIDToken):  # type: ignore[misc]
    """ID tokens for token-endpoint grants (password, device code, refresh)."""

    def __init__(self, authority: DemoAuthority) -> None:
        self.authority = authority

    def _demo(self) -> DemoAuthority:
        return self.authority


class _OpenIDImplicitGrant(_IdTokenSettings, OpenIDImplicitGrant):  # type: ignore[misc]
    """``response_type=id_token token`` and ``id_token`` (OIDC Core §3.2)."""

    def _demo(self) -> DemoAuthority:
        return _authority(self.server)

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return self._demo().store.nonce_used(request.payload.client_id, nonce)

    def validate_authorization_request(self) -> str:
        redirect_uri = str(super().validate_authorization_request())
        mode = self.request.payload.data.get("response_mode")
        if mode not in (None, "fragment"):
            # Tokens never go in a query string (OAuth 2.0 Multiple Response Types §2.1).
            raise InvalidRequestError(
                "Only response_mode=fragment is supported for this response type.",
                redirect_uri=redirect_uri,
                redirect_fragment=True,
            )
        return redirect_uri


# -- grants -----------------------------------------------------------------------------
class _CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE (RFC 7636), S256 only, and required for public clients at the authorization
    endpoint already (RFC 9700 §2.1.1), not only at the token endpoint."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ("S256",)

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        super().validate_code_challenge(grant, redirect_uri)
        data = grant.request.payload.data
        challenge = data.get("code_challenge")
        client: DemoClient = grant.request.client
        if not challenge and client.is_public:
            raise InvalidRequestError(
                "PKCE is required for public clients: send code_challenge with "
                "code_challenge_method=S256 (RFC 7636)."
            )
        if challenge and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only code_challenge_method=S256 is supported.")


class _AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = (*CONFIDENTIAL_AUTH_METHODS, "none")

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        demo = _authority(self.server)
        data = request.payload.data
        subject = _subject(request.user)
        assert subject is not None
        demo.store.add_code(
            AuthorizationCode(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope,
                subject=subject,
                expires_at=time.time() + demo.config.authorization_code_ttl,
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
            )
        )

    def query_authorization_code(self, code: str, client: DemoClient) -> AuthorizationCode | None:
        store = _authority(self.server).store
        if store.replayed_code(code):  # revokes what the first exchange issued
            raise InvalidGrantError(
                "This authorization code was already used; the tokens issued for it "
                "are now revoked."
            )
        return store.get_code(code, client.client_id)

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        _authority(self.server).store.delete_code(
            authorization_code.code, family=code_family(authorization_code.code)
        )

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Subject:
        return authorization_code.subject


class _PasswordGrant(grants.ResourceOwnerPasswordCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS

    def authenticate_user(self, username: str, password: str) -> Subject:
        user = USERS.get(username)
        if user is None or not user.check_password(password):
            # RFC 6749 §5.2: invalid resource owner credentials are ``invalid_grant``.
            raise InvalidGrantError("Invalid username or password.")
        return Subject(user, int(time.time()))


class _ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS


class _RefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    """Refresh with rotation (RFC 9700 §4.14.2)."""

    TOKEN_ENDPOINT_AUTH_METHODS = (*CONFIDENTIAL_AUTH_METHODS, "none")
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshToken | None:
        token = _authority(self.server).store.find_refresh_token(refresh_token)
        if token is None:
            return None
        if token.record.rotated:
            # Reuse of a rotated refresh token: the token leaked (the attacker's or the
            # client's copy came second). Revoke every token of the grant (RFC 9700 §4.14.2).
            _authority(self.server).store.revoke_family(token.record.family)
            raise InvalidGrantError(
                "This refresh token was already used (rotated); every token of this "
                "grant is now revoked."
            )
        if token.record.refresh_revoked:
            raise InvalidGrantError("This refresh token was revoked.")
        if token.is_expired():
            raise InvalidGrantError("This refresh token has expired.")
        return token

    def authenticate_user(self, refresh_token: RefreshToken) -> Subject | None:
        return refresh_token.get_user()

    def revoke_old_credential(self, refresh_token: RefreshToken) -> None:
        authority = _authority(self.server)
        if not authority.config.keep_rotated_refresh_tokens:
            authority.store.mark_rotated(refresh_token)


class _DeviceCodeGrant(DeviceCodeGrant):  # type: ignore[misc]
    """RFC 8628 §3.4-3.5 token polling."""

    def query_device_credential(self, device_code: str) -> DeviceGrant:
        grant = _authority(self.server).store.find_device_grant(device_code)
        if grant is None:
            raise InvalidGrantError("Unknown device_code.")
        return grant

    def validate_device_credential(self, credential: DeviceGrant) -> Any:
        if credential.status is DeviceStatus.USED:
            raise InvalidGrantError("This device code was already exchanged for tokens.")
        # PKCE before the code's status: without the verifier, nothing is told about it.
        check_device_verifier(credential, self.request.payload.data.get("code_verifier"))
        return super().validate_device_credential(credential)

    def query_user_grant(self, user_code: str) -> tuple[Subject | None, bool] | None:
        grant = _authority(self.server).store.find_device_grant_by_user_code(user_code)
        if grant is None or grant.status is DeviceStatus.PENDING:
            return None
        return grant.subject, grant.status is DeviceStatus.APPROVED

    def should_slow_down(self, credential: DeviceGrant) -> bool:
        demo = _authority(self.server)
        return demo.store.poll_too_fast(credential, demo.config.device_slow_down_step)

    def create_token_response(self) -> Any:
        result = super().create_token_response()
        _authority(self.server).store.mark_device_grant_used(self.request.credential)
        return result


#: RFC 7636 §4.1-4.2: a verifier or an S256 challenge is 43-128 unreserved characters.
_PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def device_code_challenge(data: Mapping[str, Any], required: bool) -> tuple[str | None, str | None]:
    """The PKCE challenge and method of a device authorization request, checked the way
    Keycloak checks them for a client that requires PKCE (its error texts); without
    ``required``, a request without a challenge is accepted and one with it still checked."""
    challenge = data.get("code_challenge") or None
    method = data.get("code_challenge_method") or None
    if not required and challenge is None and method is None:
        return None, None
    if method is None:
        raise InvalidRequestError("Missing parameter: code_challenge_method")
    if method != "S256":
        raise InvalidRequestError(
            "Invalid parameter: code challenge method is not matching the configured one"
        )
    if challenge is None:
        raise InvalidRequestError("Missing parameter: code_challenge")
    if not _PKCE_VALUE.fullmatch(challenge):
        raise InvalidRequestError("Invalid parameter: code_challenge")
    return challenge, method


def check_device_verifier(grant: DeviceGrant, verifier: str | None) -> None:
    """RFC 7636 §4.6 at the token endpoint for a device code issued with a challenge."""
    if grant.code_challenge is None:
        return
    if not verifier:
        raise InvalidGrantError("PKCE code verifier not specified")
    if not _PKCE_VALUE.fullmatch(verifier):
        raise InvalidGrantError("PKCE invalid code verifier")
    expected = create_s256_code_challenge(verifier)
    if not secrets.compare_digest(expected, grant.code_challenge):
        raise InvalidGrantError("PKCE verification failed: code_verifier does not match")


# -- endpoints --------------------------------------------------------------------------
class _DeviceAuthorizationEndpoint(DeviceAuthorizationEndpoint):  # type: ignore[misc]
    """RFC 8628 §3.1-3.2, with PKCE (RFC 7636) when sent or required."""

    def __init__(self, server: Any, authority: DemoAuthority) -> None:
        super().__init__(server)
        self.authority = authority
        self.EXPIRES_IN = authority.config.device_code_ttl
        self.INTERVAL = authority.config.device_interval

    def authenticate_client(self, request: OAuth2Request) -> DemoClient:
        client: DemoClient = super().authenticate_client(request)
        if not client.check_grant_type(DEVICE_CODE_GRANT):
            raise UnauthorizedClientError(
                "The client is not authorized to use the device authorization grant."
            )
        return client

    def create_endpoint_response(self, request: OAuth2Request) -> Any:
        # The challenge is checked after the client authenticated (as Authlib's own response
        # does first) and before a code exists; it is stored with the code once made.
        self.authenticate_client(request)
        challenge, method = device_code_challenge(
            request.payload.data, self.authority.config.require_device_pkce
        )
        status, data, headers = super().create_endpoint_response(request)
        grant = self.authority.store.find_device_grant(data["device_code"])
        assert grant is not None
        grant.code_challenge, grant.code_challenge_method = challenge, method
        return status, data, headers

    def get_verification_uri(self) -> str:
        return self.authority.url("device_verification")

    def save_device_credential(
        self, client_id: str, scope: str | None, data: Mapping[str, Any]
    ) -> None:
        self.authority.store.add_device_grant(
            DeviceGrant(
                device_code=data["device_code"],
                user_code=data["user_code"],
                client_id=client_id,
                scope=CLIENTS[client_id].get_allowed_scope(scope),
                expires_at=time.time() + self.EXPIRES_IN,
                interval=self.INTERVAL,
            )
        )


def _find_token(
    store: DemoStore, value: str, hint: str | None
) -> AccessToken | RefreshToken | None:
    if hint == "refresh_token":
        return store.find_refresh_token(value) or store.find_access_token(value)
    return store.find_access_token(value) or store.find_refresh_token(value)


class _RevocationEndpoint(RevocationEndpoint):  # type: ignore[misc]
    """RFC 7009. Revoking a refresh token also revokes its access token."""

    CLIENT_AUTH_METHODS = ENDPOINT_AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        return _find_token(_authority(self.server).store, token_string, token_type_hint)

    def revoke_token(self, token: AccessToken | RefreshToken, request: OAuth2Request) -> None:
        _authority(self.server).store.revoke(token)


class _IntrospectionEndpoint(IntrospectionEndpoint):  # type: ignore[misc]
    """RFC 7662. Only a confidential client that authenticates may call it (§2.1: the
    endpoint MUST require some form of authorization); a public client, which holds no
    secret, gets 401 ``invalid_client`` before any token is looked at."""

    CLIENT_AUTH_METHODS = INTROSPECTION_AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        return _find_token(_authority(self.server).store, token_string, token_type_hint)

    def check_permission(self, token: object, client: DemoClient, request: object) -> bool:
        # Policy (RFC 7662 leaves it to the server): an authenticated confidential client
        # acts as the demo's resource server and may introspect every token this server
        # issued, whichever client it was issued to. Public clients never get this far.
        return not client.is_public

    def introspect_token(self, token: AccessToken | RefreshToken) -> dict[str, Any]:
        demo = _authority(self.server)
        record: TokenRecord = token.record
        subject = record.subject
        payload: dict[str, Any] = {
            "active": True,
            "client_id": record.client_id,
            "scope": record.scope,
            "sub": subject.get_user_id() if subject else record.client_id,
            "iss": demo.issuer,
            "iat": record.issued_at,
            "exp": token.get_expires_at(),
        }
        if subject:
            payload["username"] = subject.user.username
        if isinstance(token, AccessToken):
            payload["token_type"] = "Bearer"
            payload["jti"] = record.jti
            payload["aud"] = demo.access_token_audience(record.client_id)
        return payload


class _BearerTokenValidator(BearerTokenValidator):  # type: ignore[misc]
    """RFC 6750 bearer check against the issued-token records (so revocation counts)."""

    def __init__(self, store: DemoStore) -> None:
        super().__init__(realm="workbench-demo")
        self.store = store

    def authenticate_token(self, token_string: str) -> AccessToken | None:
        return self.store.find_access_token(token_string)


class _UserInfoEndpoint(UserInfoEndpoint):  # type: ignore[misc]
    """OIDC Core §5.3 (needs the ``openid`` scope)."""

    def __init__(self, authority: DemoAuthority, protector: Any) -> None:
        super().__init__(resource_protector=protector)
        self.authority = authority

    def get_issuer(self) -> str:
        return self.authority.issuer

    def generate_user_info(self, user: object, scope: str) -> UserInfo:
        subject = _subject(user)
        if subject is None:
            raise InvalidTokenError(
                "This access token was not issued for a user.", realm="workbench-demo"
            )
        return UserInfo(subject.user.claims(scope))


class _IssuerParameter(IssuerParameter):  # type: ignore[misc]
    """RFC 9207 ``iss`` on every authorization response, in the fragment for implicit
    (Authlib's stock hook always writes it in the query)."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    def get_issuer(self) -> str:
        return self.issuer

    def add_issuer_parameter(self, authorization_server: object, response: Response) -> None:
        add_issuer_parameter(response, self.issuer)


class _PlainHttpOAuth2Request(FlaskOAuth2Request):  # type: ignore[misc]
    """Authlib refuses plain-http request URLs unless they are loopback (RFC 8252 §7.3).
    The demo server is plain http by design, and when it is exposed on the LAN (for a
    phone) its URLs are not loopback: check a loopback alias, keep the real URL."""

    def __init__(self, request: Any) -> None:
        OAuth2Request.__init__(
            self,
            method=request.method,
            uri="http://127.0.0.1" + request.full_path,
            headers=request.headers,
        )
        self._request = request
        self.payload = FlaskOAuth2Payload(request)
        self.uri = request.url


class _DemoAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, app: Flask, authority: DemoAuthority) -> None:
        self.authority = authority
        super().__init__(app)

    def query_client(self, client_id: str) -> DemoClient | None:
        return CLIENTS.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        demo = self.authority
        claims = demo.decode_jwt(token["access_token"])
        refresh = token.get("refresh_token")
        client_id = request.client.client_id
        # The token family: inherited on refresh, the code's for a code exchange, else new.
        previous = getattr(request, "refresh_token", None)
        code = getattr(request, "authorization_code", None)
        if isinstance(previous, RefreshToken):
            family = previous.record.family
        elif isinstance(code, AuthorizationCode):
            family = code_family(code.code)
        else:
            family = secrets.token_hex(16)
        demo.store.add_tokens(
            TokenRecord(
                client_id=client_id,
                grant_type=request.payload.grant_type or "implicit",
                scope=token.get("scope") or "",
                subject=_subject(request.user),
                access_token=token["access_token"],
                jti=claims["jti"],
                issued_at=claims["iat"],
                access_expires_at=claims["exp"],
                refresh_token=refresh,
                refresh_expires_at=(
                    claims["iat"] + demo.config.refresh_token_ttl if refresh else None
                ),
                family=family,
            )
        )
        nonce = request.payload.data.get("nonce")
        if nonce:  # implicit: remember for the replay check (OIDC Core §3.2.2.11)
            demo.store.remember_nonce(client_id, nonce)

    def create_oauth2_request(self, request: Any) -> Any:
        if self.authority.plain_http_beyond_loopback:
            return _PlainHttpOAuth2Request(flask_request)
        return super().create_oauth2_request(request)


def create_authorization_server(app: Flask, authority: DemoAuthority) -> Any:
    """Authlib's Flask ``AuthorizationServer`` with every demo grant and endpoint."""
    app.config["OAUTH2_SCOPES_SUPPORTED"] = list(SCOPES)
    server = _DemoAuthorizationServer(app, authority)
    server.register_token_generator("default", _AccessTokenGenerator(authority))
    server.register_extension(_IssuerParameter(authority.issuer))

    id_tokens = _OpenIDToken(authority)
    server.register_grant(
        _AuthorizationCodeGrant, [_CodeChallenge(required=True), _OpenIDCode(authority)]
    )
    server.register_grant(grants.ImplicitGrant)
    server.register_grant(_OpenIDImplicitGrant)
    server.register_grant(_PasswordGrant, [id_tokens])
    server.register_grant(_ClientCredentialsGrant)
    server.register_grant(_RefreshTokenGrant, [id_tokens])
    server.register_grant(_DeviceCodeGrant, [id_tokens])

    protector = ResourceProtector()
    protector.register_token_validator(_BearerTokenValidator(authority.store))
    server.register_endpoint(_DeviceAuthorizationEndpoint(server, authority))
    server.register_endpoint(_RevocationEndpoint)
    server.register_endpoint(_IntrospectionEndpoint)
    server.register_endpoint(_UserInfoEndpoint(authority, protector))
    return server
