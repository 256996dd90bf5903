"""Authlib glue: the demo server's authorization server, its token generator and wiring.

All protocol logic is Authlib's; the demo supplies the storage callbacks and its policy. This
module makes the server (recording the tokens it issues, ``iss`` on authorization responses)
and registers the grants of :mod:`workbench.demo.grants` (one table, by the grant registry's
names) and the endpoints of :mod:`workbench.demo.endpoints`; :mod:`workbench.demo.authority`
holds the key, state and metadata they share, :mod:`workbench.demo.pkce` the PKCE checks.
The policy:

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
  ``id_token``), hybrid (``code id_token``, ``code token``, ``code id_token token``, with
  ``c_hash`` and ``at_hash``), password, device and refresh grants when the scope has
  ``openid``.
* PKCE: only ``S256``; required at the authorization endpoint for public clients. On the
  device flow when the request carries a challenge, and for every client when
  :attr:`DemoConfig.require_device_pkce` is set (answered with Keycloak's words).
* Every authorization response (success or error, query or fragment) carries ``iss``
  (RFC 9207).
* DPoP (RFC 9449, :mod:`workbench.demo.dpop`): a token request with a valid proof gets tokens
  bound to the proof's key (``cnf.jkt`` in the access token, ``token_type: DPoP``); a public
  client's bound refresh token needs a proof of the same key; a code asked for with
  ``dpop_jkt`` is redeemed only with that key.
"""

from __future__ import annotations

import secrets
from typing import Any, cast
from urllib.parse import urlencode, urlsplit, urlunsplit

from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Payload, FlaskOAuth2Request
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from authlib.oauth2.rfc9207 import IssuerParameter
from flask import Flask, Response, g, has_request_context
from flask import request as flask_request
from joserfc.jwk import KeySet

from .accounts import SCOPES, DemoClient
from .authority import (
    ENDPOINT_AUTH_METHODS,
    INTROSPECTION_AUTH_METHODS,
    SIGNING_ALG,
    DemoAuthority,
    code_family,
    subject_of,
)
from .ciba import BackchannelAuthenticationEndpoint
from .client_assertion import (
    CLIENT_SECRET_JWT_ALGS,
    PRIVATE_KEY_JWT_ALGS,
    register_jwt_client_auth,
)
from .dpop import DPOP_ALGS
from .endpoints import register_endpoints
from .grants import GRANT_TYPES_SUPPORTED, HYBRID_RESPONSE_TYPES, register_grants
from .jar import REQUEST_OBJECT_ALGS, DemoRequestObjects
from .jarm import RESPONSE_MODES_SUPPORTED
from .mtls import (
    MTLS_ALIASED_ENDPOINTS,
    MTLS_AUTH_METHODS,
    authenticate_self_signed_tls,
    authenticate_tls_client_auth,
    bound_claims,
)
from .par import resolve_authorization_request
from .rar import TYPES as AUTHORIZATION_DETAILS_TYPES
from .rar import granted_details
from .store import AuthorizationCode, RefreshToken, TokenRecord
from .token_exchange import EXCHANGE_CLAIMS_KEY
from .trigger import TriggerOutcome

__all__ = ["add_issuer_parameter", "create_authorization_server", "server_metadata"]

#: ``token_endpoint_auth_methods_supported`` and friends in the metadata.
AUTH_METHODS_SUPPORTED = ENDPOINT_AUTH_METHODS
RESPONSE_TYPES_SUPPORTED = (
    "code",
    "token",
    "id_token token",
    "id_token",
    *HYBRID_RESPONSE_TYPES,
)
CLAIMS_SUPPORTED = (
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "at_hash",
    "c_hash",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "email",
    "email_verified",
)


def server_metadata(authority: DemoAuthority) -> dict[str, Any]:
    """Authorization server metadata (RFC 8414 §2) and OpenID Provider metadata
    (OIDC Discovery §3): one document served at both well-known URLs."""
    mtls = authority.mtls is not None
    # The mTLS methods authenticate only on the TLS port: announced only when it runs.
    auth_methods = [m for m in AUTH_METHODS_SUPPORTED if mtls or m not in MTLS_AUTH_METHODS]
    introspection = [m for m in INTROSPECTION_AUTH_METHODS if mtls or m not in MTLS_AUTH_METHODS]
    signing_algs = [*PRIVATE_KEY_JWT_ALGS, *CLIENT_SECRET_JWT_ALGS]
    document = {
        "issuer": authority.issuer,
        "authorization_endpoint": authority.url("authorize"),
        "token_endpoint": authority.url("token"),
        "device_authorization_endpoint": authority.url("device_authorization"),
        "revocation_endpoint": authority.url("revocation"),
        "introspection_endpoint": authority.url("introspection"),
        "userinfo_endpoint": authority.url("userinfo"),
        "jwks_uri": authority.url("jwks"),
        "end_session_endpoint": authority.url("end_session"),
        # OpenID CIBA Core 1.0 §4: poll mode only, no user code.
        "backchannel_authentication_endpoint": authority.url("backchannel_authentication"),
        "backchannel_token_delivery_modes_supported": ["poll"],
        "backchannel_user_code_parameter_supported": False,
        "registration_endpoint": authority.url("registration"),
        "scopes_supported": list(SCOPES),
        "response_types_supported": list(RESPONSE_TYPES_SUPPORTED),
        "response_modes_supported": list(RESPONSE_MODES_SUPPORTED),
        "authorization_signing_alg_values_supported": [SIGNING_ALG],
        "pushed_authorization_request_endpoint": authority.url("par"),
        "require_pushed_authorization_requests": authority.config.require_par,
        "request_parameter_supported": True,
        "request_uri_parameter_supported": False,
        "request_object_signing_alg_values_supported": list(REQUEST_OBJECT_ALGS),
        "grant_types_supported": list(GRANT_TYPES_SUPPORTED),
        "authorization_details_types_supported": list(AUTHORIZATION_DETAILS_TYPES),
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": introspection,
        "token_endpoint_auth_signing_alg_values_supported": signing_algs,
        "revocation_endpoint_auth_signing_alg_values_supported": signing_algs,
        "introspection_endpoint_auth_signing_alg_values_supported": signing_algs,
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [SIGNING_ALG],
        "claims_supported": list(CLAIMS_SUPPORTED),
        "prompt_values_supported": ["none", "login", "consent"],
        "authorization_response_iss_parameter_supported": True,
        "dpop_signing_alg_values_supported": list(DPOP_ALGS),
        "service_documentation": authority.url("home"),
    }
    if mtls:  # RFC 8705 §3.3, §5
        document["tls_client_certificate_bound_access_tokens"] = True
        document["mtls_endpoint_aliases"] = {
            name: authority.mtls_url(endpoint) for name, endpoint in MTLS_ALIASED_ENDPOINTS.items()
        }
    return document


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

    def generate(
        self,
        grant_type: str,
        client: DemoClient,
        user: object = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        """Run the pre-token trigger (:mod:`workbench.demo.trigger`) before the token is
        made: its scopes change the allowed scope, its claims come in as extra claims."""
        allowed = JWTBearerTokenGenerator.get_allowed_scope(client, scope) or ""
        self.authority.pre_token(grant_type, client.client_id, subject_of(user), allowed)
        token: dict[str, Any] = super().generate(
            grant_type, client, user, scope, expires_in, include_refresh_token
        )
        details = granted_details()
        # RFC 9396 §7: the details granted, in the token response (a JSON response; a token
        # issued in the redirect has them in its claims only).
        if details and grant_type != "implicit":
            token["authorization_details"] = details
        if _dpop_jkt():  # bound to the proof's key (RFC 9449 §5)
            token["token_type"] = "DPoP"
        return token

    def get_allowed_scope(self, client: DemoClient, scope: str | None) -> str:
        allowed = str(JWTBearerTokenGenerator.get_allowed_scope(client, scope) or "")
        outcome = self._outcome()
        return outcome.access_scope(allowed) if outcome else allowed

    def get_extra_claims(
        self, client: DemoClient, grant_type: str, user: object, scope: str
    ) -> dict[str, Any]:
        outcome = self._outcome()
        claims = outcome.with_groups(outcome.access_token.apply({})) if outcome else {}
        details = granted_details()
        if details:  # RFC 9396 §9.1: the granted details in the JWT access token
            claims = {"authorization_details": details, **claims}
        if has_request_context():  # a token exchange's sub, aud and act (token_exchange.py)
            claims.update(g.get(EXCHANGE_CLAIMS_KEY) or {})
        if _dpop_jkt():  # bound to the proof's key (RFC 9449 §6)
            claims["cnf"] = {"jkt": _dpop_jkt()}
        bound = bound_claims()  # and to the client certificate over mutual TLS (RFC 8705 §3)
        if bound:
            claims["cnf"] = {**claims.get("cnf", {}), **bound["cnf"]}
        return claims

    def _outcome(self) -> TriggerOutcome | None:
        if not has_request_context():
            return None
        return cast(TriggerOutcome | None, g.get("pre_token_outcome"))

    def get_audiences(self, client: DemoClient, user: object, scope: str) -> str | list[str]:
        """The resources the token request asked for (RFC 8707 §2.2; the web layer refused
        any the demo does not serve), else the configured audience or the client id."""
        asked = flask_request.form.getlist("resource") if has_request_context() else []
        if len(asked) == 1:
            return asked[0]
        return asked or self.authority.access_token_audience(client.client_id)

    def get_auth_time(self, user: object) -> int | None:
        subject = subject_of(user)
        return subject.auth_time if subject else None


def _dpop_jkt() -> str:
    """The thumbprint of the DPoP key of the token request being served (checked by the token
    endpoint before Authlib runs), or empty."""
    return str(g.get("dpop_jkt") or "") if has_request_context() else ""


def _new_refresh_token(**_: Any) -> str:
    return str(generate_token(48))


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
        return self.authority.store.client(client_id)

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
                subject=subject_of(request.user),
                access_token=token["access_token"],
                jti=claims["jti"],
                issued_at=claims["iat"],
                access_expires_at=claims["exp"],
                refresh_token=refresh,
                refresh_expires_at=(
                    claims["iat"] + demo.config.refresh_token_ttl if refresh else None
                ),
                family=family,
                audience=claims.get("aud", ""),
                dpop_jkt=claims.get("cnf", {}).get("jkt", ""),
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
    register_jwt_client_auth(server, authority)
    server.register_client_auth_method("tls_client_auth", authenticate_tls_client_auth)
    server.register_client_auth_method("self_signed_tls_client_auth", authenticate_self_signed_tls)
    register_grants(server, authority)
    register_endpoints(server, authority)
    server.request_objects = DemoRequestObjects(authority)
    server.register_hook(
        "before_get_authorization_grant",
        lambda _server, request: resolve_authorization_request(authority, server, request),
    )
    server.register_endpoint(BackchannelAuthenticationEndpoint(server, authority))
    return server
