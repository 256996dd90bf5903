"""The demo server's endpoints beyond the token endpoint: device authorization (RFC 8628),
revocation (RFC 7009), introspection (RFC 7662) and UserInfo (OIDC Core §5.3) with its bearer
token check (RFC 6750), each an Authlib subclass reading the demo's state."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2.rfc6749 import OAuth2Error, OAuth2Request, UnauthorizedClientError
from authlib.oauth2.rfc6750 import BearerTokenValidator, InvalidTokenError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oauth2.rfc8628 import DeviceAuthorizationEndpoint
from authlib.oidc.core import UserInfo, UserInfoEndpoint

from .accounts import DEVICE_CODE_GRANT, DemoClient
from .authority import (
    ENDPOINT_AUTH_METHODS,
    INTROSPECTION_AUTH_METHODS,
    DemoAuthority,
    server_authority,
    subject_of,
)
from .dpop import DpopRefused, dpop_challenge, resource_proof
from .pkce import device_code_challenge
from .store import AccessToken, DemoStore, DeviceGrant, RefreshToken, TokenRecord

__all__ = ["register_endpoints"]


class _DeviceAuthorizationEndpoint(DeviceAuthorizationEndpoint):  # type: ignore[misc]
    """RFC 8628 §3.1-3.2, with PKCE (RFC 7636) when sent or required."""

    CLIENT_AUTH_METHODS = ENDPOINT_AUTH_METHODS

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

    def _client(self, client_id: str) -> DemoClient:
        client = self.authority.store.client(client_id)
        assert client is not None  # the endpoint authenticated it a moment ago
        return client

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
                scope=self._client(client_id).get_allowed_scope(scope),
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
        return _find_token(server_authority(self.server).store, token_string, token_type_hint)

    def revoke_token(self, token: AccessToken | RefreshToken, request: OAuth2Request) -> None:
        server_authority(self.server).store.revoke(token)


class _IntrospectionEndpoint(IntrospectionEndpoint):  # type: ignore[misc]
    """RFC 7662. Only a confidential client that authenticates may call it (§2.1: the
    endpoint MUST require some form of authorization); a public client, which holds no
    secret, gets 401 ``invalid_client`` before any token is looked at."""

    CLIENT_AUTH_METHODS = INTROSPECTION_AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        return _find_token(server_authority(self.server).store, token_string, token_type_hint)

    def check_permission(self, token: object, client: DemoClient, request: object) -> bool:
        # Policy (RFC 7662 leaves it to the server): an authenticated confidential client
        # acts as the demo's resource server and may introspect every token this server
        # issued, whichever client it was issued to. Public clients never get this far.
        return not client.is_public

    def introspect_token(self, token: AccessToken | RefreshToken) -> dict[str, Any]:
        demo = server_authority(self.server)
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
            payload["token_type"] = "DPoP" if record.dpop_jkt else "Bearer"
            if record.dpop_jkt:  # RFC 9449 §6.2
                payload["cnf"] = {"jkt": record.dpop_jkt}
            payload["jti"] = record.jti
            payload["aud"] = record.audience or demo.access_token_audience(record.client_id)
        return payload


class _BearerTokenValidator(BearerTokenValidator):  # type: ignore[misc]
    """RFC 6750 bearer check against the issued-token records (so revocation counts); a
    DPoP-bound token is refused as a bearer token (RFC 9449 §7.1)."""

    def __init__(self, store: DemoStore) -> None:
        super().__init__(realm="workbench-demo")
        self.store = store

    def authenticate_token(self, token_string: str) -> AccessToken | None:
        return self.store.find_access_token(token_string)

    def validate_token(self, token: AccessToken, scopes: Any, request: Any) -> None:
        super().validate_token(token, scopes, request)
        if token.record.dpop_jkt:
            raise _DpopError(
                "invalid_token",
                "This token is DPoP-bound: present it with Authorization: DPoP and a DPoP proof"
                " (RFC 9449 §7.1).",
            )


class _DpopError(OAuth2Error):  # type: ignore[misc]
    """A 401 with a ``DPoP`` challenge (RFC 9449 §7.1) and, for ``use_dpop_nonce``, the
    nonce (§9)."""

    status_code = 401

    def __init__(self, error: str, description: str, nonce: str | None = None) -> None:
        # Authlib allows ASCII only in an error description.
        super().__init__(description=description.replace("§", "section "))
        self.error = error
        self.nonce = nonce

    def get_headers(self) -> list[tuple[str, str]]:
        headers: list[tuple[str, str]] = list(super().get_headers())
        challenge = dpop_challenge(self.error, self.description or "", "workbench-demo")
        headers.append(("WWW-Authenticate", challenge))
        if self.nonce:
            headers.append(("DPoP-Nonce", self.nonce))
        return headers


class _DpopTokenValidator(_BearerTokenValidator):
    """``Authorization: DPoP`` at UserInfo: a bound token with a valid proof of its key."""

    TOKEN_TYPE = "dpop"

    def __init__(self, authority: DemoAuthority) -> None:
        super().__init__(authority.store)
        self.authority = authority

    def validate_token(self, token: AccessToken, scopes: Any, request: Any) -> None:
        BearerTokenValidator.validate_token(self, token, scopes, request)
        record = token.record
        if not record.dpop_jkt:
            raise _DpopError("invalid_token", "This token is not DPoP-bound: send it as Bearer.")
        try:
            resource_proof(self.authority, record.access_token, record.dpop_jkt)
        except DpopRefused as refused:
            raise _DpopError(refused.error, refused.description, refused.nonce) from None


class _UserInfoEndpoint(UserInfoEndpoint):  # type: ignore[misc]
    """OIDC Core §5.3 (needs the ``openid`` scope)."""

    def __init__(self, authority: DemoAuthority, protector: Any) -> None:
        super().__init__(resource_protector=protector)
        self.authority = authority

    def get_issuer(self) -> str:
        return self.authority.issuer

    def generate_user_info(self, user: object, scope: str) -> UserInfo:
        subject = subject_of(user)
        if subject is None:
            raise InvalidTokenError(
                "This access token was not issued for a user.", realm="workbench-demo"
            )
        return UserInfo(subject.user.claims(scope))


def register_endpoints(server: Any, authority: DemoAuthority) -> None:
    """Register the device authorization, revocation, introspection and UserInfo endpoints
    on Authlib's ``server``."""
    protector = ResourceProtector()
    protector.register_token_validator(_BearerTokenValidator(authority.store))
    protector.register_token_validator(_DpopTokenValidator(authority))
    server.register_endpoint(_DeviceAuthorizationEndpoint(server, authority))
    server.register_endpoint(_RevocationEndpoint)
    server.register_endpoint(_IntrospectionEndpoint)
    server.register_endpoint(_UserInfoEndpoint(authority, protector))
