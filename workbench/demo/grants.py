"""The demo server's grants: one Authlib subclass per grant, with its storage callbacks and the
demo policy (see :mod:`workbench.demo.oauth`), registered from one table.

:data:`DEMO_GRANTS` names each grant the way the workbench's grant registry does
(``workbench/core/oauth/grants.py``: ``authorization_code``, ``device_code``…) and lists the
Authlib classes that serve it and the extensions each takes; :func:`register_grants` puts them
on the server. The server imports nothing of the core; a test holds the two tables to the same
names. ID tokens (RS256, the server key) come from the OpenID extensions here too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError, OAuth2Request, grants
from authlib.oauth2.rfc8628 import DeviceCodeGrant
from authlib.oidc.core.grants import (
    OpenIDCode,
    OpenIDHybridGrant,
    OpenIDImplicitGrant,
    OpenIDToken,
)
from flask import g, has_request_context
from flask import request as flask_request
from joserfc.jwk import KeySet

from .accounts import HYBRID_RESPONSE_TYPES, USERS, DemoClient, Subject
from .authority import (
    CONFIDENTIAL_AUTH_METHODS,
    SIGNING_ALG,
    DemoAuthority,
    code_family,
    server_authority,
    subject_of,
)
from .ciba import CibaGrant
from .jwt_bearer import DemoJwtBearerGrant
from .pkce import S256CodeChallenge, check_device_verifier
from .rar import granted_details, parse_details, remember_details
from .store import AuthorizationCode, DeviceGrant, DeviceStatus, RefreshToken
from .token_exchange import TokenExchangeGrant

__all__ = [
    "DEMO_GRANTS",
    "GRANT_TYPES_SUPPORTED",
    "HYBRID_RESPONSE_TYPES",
    "DemoGrant",
    "register_grants",
]


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
        subject = subject_of(user)
        if subject is None:
            return {}
        demo = self._demo()
        client_id = flask_request.values.get("client_id", "") if has_request_context() else ""
        outcome = demo.pre_token("implicit", client_id, subject, scope)  # once per request
        if outcome is not None:
            scope = outcome.original_scope  # the trigger's scopes are the access token's
        claims = subject.user.claims(scope)
        # The time the user signed in, not the time the token was minted (§2).
        claims["auth_time"] = subject.auth_time
        if outcome is not None:
            claims = outcome.with_groups(outcome.id_token.apply(claims))
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
        return server_authority(self.server)

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


class _OpenIDHybridGrant(_IdTokenSettings, OpenIDHybridGrant):  # type: ignore[misc]
    """``code id_token``, ``code token``, ``code id_token token`` (OIDC Core §3.3): Authlib
    puts ``c_hash`` (and ``at_hash`` beside an access token) in the front-channel ID token and
    requires the nonce; the code is stored like the code flow's (with its PKCE challenge) and
    redeemed by the authorization code grant."""

    GRANT_TYPE = "authorization_code"  # what the client must be allowed (Authlib says "code")

    def _demo(self) -> DemoAuthority:
        return server_authority(self.server)

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return self._demo().store.nonce_used(request.payload.client_id, nonce)

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        _save_code(self._demo(), code, request)

    def validate_authorization_request(self) -> str:
        redirect_uri = str(super().validate_authorization_request())
        if self.request.payload.data.get("response_mode") == "query":
            raise InvalidRequestError(  # OAuth 2.0 Multiple Response Types §2.1
                "Tokens never go in a query string: use response_mode=fragment or form_post.",
                redirect_uri=redirect_uri,
                redirect_fragment=True,
            )
        return redirect_uri


def _save_code(demo: DemoAuthority, code: str, request: OAuth2Request) -> None:
    data = request.payload.data
    subject = subject_of(request.user)
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
            authorization_details=granted_details(),
            dpop_jkt=data.get("dpop_jkt"),
        )
    )


# -- grants -----------------------------------------------------------------------------
class _AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = (*CONFIDENTIAL_AUTH_METHODS, "none")

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        _save_code(server_authority(self.server), code, request)

    def query_authorization_code(self, code: str, client: DemoClient) -> AuthorizationCode | None:
        store = server_authority(self.server).store
        if store.replayed_code(code):  # revokes what the first exchange issued
            raise InvalidGrantError(
                "This authorization code was already used; the tokens issued for it "
                "are now revoked."
            )
        found = store.get_code(code, client.client_id)
        if found is not None and found.dpop_jkt and found.dpop_jkt != g.get("dpop_jkt"):
            # (Authlib takes ASCII descriptions only: no section sign.)
            raise InvalidGrantError(
                "This code is bound to a DPoP key (dpop_jkt); redeem it with a proof of that key"
                " (RFC 9449 section 10)."
            )
        return found

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        server_authority(self.server).store.delete_code(
            authorization_code.code, family=code_family(authorization_code.code)
        )

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Subject:
        remember_details(authorization_code.authorization_details)  # for its tokens (RFC 9396)
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
    def validate_token_request(self) -> None:
        super().validate_token_request()
        # RFC 9396 §6: authorization details at the token endpoint.
        remember_details(parse_details(self.request.payload.data.get("authorization_details")))

    TOKEN_ENDPOINT_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS


class _RefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    """Refresh with rotation (RFC 9700 §4.14.2)."""

    TOKEN_ENDPOINT_AUTH_METHODS = (*CONFIDENTIAL_AUTH_METHODS, "none")
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshToken | None:
        token = server_authority(self.server).store.find_refresh_token(refresh_token)
        if token is None:
            return None
        if token.record.rotated:
            # Reuse of a rotated refresh token: the token leaked (the attacker's or the
            # client's copy came second). Revoke every token of the grant (RFC 9700 §4.14.2).
            server_authority(self.server).store.revoke_family(token.record.family)
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
        authority = server_authority(self.server)
        if not authority.config.keep_rotated_refresh_tokens:
            authority.store.mark_rotated(refresh_token)


class _DeviceCodeGrant(DeviceCodeGrant):  # type: ignore[misc]
    """RFC 8628 §3.4-3.5 token polling."""

    TOKEN_ENDPOINT_AUTH_METHODS = (*CONFIDENTIAL_AUTH_METHODS, "none")

    def query_device_credential(self, device_code: str) -> DeviceGrant:
        grant = server_authority(self.server).store.find_device_grant(device_code)
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
        grant = server_authority(self.server).store.find_device_grant_by_user_code(user_code)
        if grant is None or grant.status is DeviceStatus.PENDING:
            return None
        return grant.subject, grant.status is DeviceStatus.APPROVED

    def should_slow_down(self, credential: DeviceGrant) -> bool:
        demo = server_authority(self.server)
        return demo.store.poll_too_fast(credential, demo.config.device_slow_down_step)

    def create_token_response(self) -> Any:
        result = super().create_token_response()
        server_authority(self.server).store.mark_device_grant_used(self.request.credential)
        return result


# -- registration -----------------------------------------------------------------------
@dataclass(frozen=True)
class DemoGrant:
    """One Authlib grant class and the extensions it takes, by name: ``pkce`` (S256, required
    for public clients), ``openid_code`` (ID tokens and nonces of the code flow),
    ``id_token`` (ID tokens from the token endpoint)."""

    grant_class: type[Any]
    extensions: tuple[str, ...] = ()


#: Every grant the demo server runs, by its name in the workbench's grant registry (the
#: ``--grant`` value), in the order they are registered.
DEMO_GRANTS: dict[str, tuple[DemoGrant, ...]] = {
    "authorization_code": (
        DemoGrant(_AuthorizationCodeGrant, ("pkce", "openid_code")),
        DemoGrant(_OpenIDHybridGrant),
    ),
    "implicit": (DemoGrant(grants.ImplicitGrant), DemoGrant(_OpenIDImplicitGrant)),
    "password": (DemoGrant(_PasswordGrant, ("id_token",)),),
    "client_credentials": (DemoGrant(_ClientCredentialsGrant),),
    "refresh_token": (DemoGrant(_RefreshTokenGrant, ("id_token",)),),
    "device_code": (DemoGrant(_DeviceCodeGrant, ("id_token",)),),
    "token_exchange": (DemoGrant(TokenExchangeGrant),),
    "jwt_bearer": (DemoGrant(DemoJwtBearerGrant),),
    "ciba": (DemoGrant(CibaGrant, ("id_token",)),),
}

#: ``grant_types_supported`` in the metadata: the ``grant_type`` of every class of the table
#: (the implicit grant's is ``implicit``), in its order.
GRANT_TYPES_SUPPORTED: tuple[str, ...] = tuple(
    dict.fromkeys(str(g.grant_class.GRANT_TYPE) for gs in DEMO_GRANTS.values() for g in gs)
)


def register_grants(server: Any, authority: DemoAuthority) -> None:
    """Register every grant of :data:`DEMO_GRANTS` on Authlib's ``server``."""
    extensions: dict[str, object] = {
        "pkce": S256CodeChallenge(required=True),
        "openid_code": _OpenIDCode(authority),
        "id_token": _OpenIDToken(authority),  # one instance, shared by the grants that use it
    }
    for demo_grants in DEMO_GRANTS.values():
        for demo_grant in demo_grants:
            chosen = [extensions[name] for name in demo_grant.extensions]
            server.register_grant(demo_grant.grant_class, chosen or None)
