"""OpenID CIBA Core 1.0 in poll mode on the demo server (Authlib has no CIBA: this is built on
its endpoint and grant primitives, as the device flow is on its RFC 8628 classes).

* :class:`BackchannelAuthenticationEndpoint` (§7): the client authenticates (confidential
  clients only), names the user by exactly one hint (``login_hint`` a demo user name, or an
  ``id_token_hint`` this server signed; ``login_hint_token`` is not supported), asks for the
  ``openid`` scope, may send a ``binding_message`` (printable, at most
  :data:`MAX_BINDING_MESSAGE` characters, else ``invalid_binding_message``) and a
  ``requested_expiry``. An unknown user is ``unknown_user_id`` (§13). The answer is an
  ``auth_req_id`` with ``expires_in`` and ``interval`` (§7.3).
* :class:`CibaGrant` (§10-11): ``grant_type=urn:openid:params:grant-type:ciba`` polls
  answer ``authorization_pending`` while the user has not decided, ``slow_down`` (and the
  interval raised) when a poll comes sooner than the interval, ``access_denied`` once denied,
  ``expired_token`` past the expiry, and the tokens (an ID token with the user's ``sub``) once
  approved; an ``auth_req_id`` is redeemed once.
* :class:`~workbench.demo.ciba_store.CibaRequests` keeps the pending requests with their
  expiry; the user's "device" is the page :mod:`workbench.demo.web` serves at ``/ciba`` (the
  user signs in and sees the requests naming them, with the client and the binding message,
  and approves or denies each one).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from authlib.oauth2.rfc6749 import (
    AccessDeniedError,
    BaseGrant,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    OAuth2Request,
    TokenEndpointMixin,
    UnauthorizedClientError,
)
from authlib.oauth2.rfc6749.hooks import hooked
from authlib.oauth2.rfc8628 import AuthorizationPendingError, ExpiredTokenError, SlowDownError

from .accounts import CIBA_GRANT, CLIENTS, USERS, DemoClient
from .authority import CONFIDENTIAL_AUTH_METHODS, DemoAuthority, server_authority
from .ciba_store import CibaRequest, CibaStatus

__all__ = ["CIBA_GRANT_TYPE", "BackchannelAuthenticationEndpoint", "CibaGrant", "client_name"]

CIBA_GRANT_TYPE = CIBA_GRANT
ENDPOINT_NAME = "backchannel_authentication"
MAX_BINDING_MESSAGE = 100


class UnknownUserIdError(OAuth2Error):  # type: ignore[misc]
    """CIBA Core §13: the hint names no user this server knows."""

    error = "unknown_user_id"
    status_code = 400


class InvalidBindingMessageError(OAuth2Error):  # type: ignore[misc]
    """CIBA Core §13: the binding message is invalid or unacceptable."""

    error = "invalid_binding_message"
    status_code = 400


def _user_of(authority: DemoAuthority, data: dict[str, Any]) -> str:
    """The demo user a request's one hint names (§7.1), or the error the hint deserves."""
    hints = [name for name in ("login_hint", "id_token_hint", "login_hint_token") if data.get(name)]
    if len(hints) != 1:
        raise InvalidRequestError(
            "Send exactly one of login_hint, id_token_hint and login_hint_token (CIBA Core 7.1)."
        )
    if hints[0] == "login_hint_token":
        raise InvalidRequestError("This server does not support login_hint_token.")
    if hints[0] == "login_hint":
        username = str(data["login_hint"]).strip()
        if username not in USERS:
            raise UnknownUserIdError("No user of this server matches the login_hint.")
        return username
    try:
        claims = authority.decode_jwt(str(data["id_token_hint"]))
    except Exception as exc:
        raise InvalidRequestError("The id_token_hint is not an ID token of this server.") from exc
    for user in USERS.values():
        if user.subject == claims.get("sub"):
            return user.username
    raise UnknownUserIdError("The id_token_hint names no user of this server.")


class BackchannelAuthenticationEndpoint:
    """CIBA Core §7 on Authlib's endpoint protocol (``ENDPOINT_NAME``, called with the
    request, answering ``(status, body, headers)``; an ``OAuth2Error`` becomes its JSON)."""

    ENDPOINT_NAME = ENDPOINT_NAME
    CLIENT_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS

    def __init__(self, server: Any, authority: DemoAuthority) -> None:
        self.server = server
        self.authority = authority

    def create_endpoint_request(self, request: Any) -> Any:
        return self.server.create_oauth2_request(request)

    def __call__(self, request: OAuth2Request) -> tuple[int, dict[str, Any], list[Any]]:
        client: DemoClient = self.server.authenticate_client(
            request, self.CLIENT_AUTH_METHODS, self.ENDPOINT_NAME
        )
        if not client.check_grant_type(CIBA_GRANT_TYPE):
            raise UnauthorizedClientError("The client is not registered for CIBA.")
        data = dict(request.payload.data)
        scope = str(data.get("scope") or "")
        if "openid" not in scope.split():
            raise InvalidScopeError("A CIBA request must ask for the openid scope (CIBA Core 7.1).")
        username = _user_of(self.authority, data)
        message = data.get("binding_message")
        if message is not None and (
            not str(message).isprintable() or not 0 < len(str(message)) <= MAX_BINDING_MESSAGE
        ):
            raise InvalidBindingMessageError(
                f"The binding message must be printable text of 1 to {MAX_BINDING_MESSAGE}"
                " characters."
            )
        config = self.authority.config
        expires_in = config.ciba_request_ttl
        if data.get("requested_expiry") is not None:
            try:
                expires_in = int(str(data["requested_expiry"]))
            except ValueError:
                raise InvalidRequestError("requested_expiry must be a whole number.") from None
            if not 0 < expires_in <= config.ciba_request_ttl:
                raise InvalidRequestError(
                    f"requested_expiry must be from 1 to {config.ciba_request_ttl} seconds."
                )
        request_record = CibaRequest(
            auth_req_id=secrets.token_urlsafe(32),
            ref=secrets.token_urlsafe(12),
            client_id=client.client_id,
            username=username,
            scope=client.get_allowed_scope(scope),
            binding_message=str(message) if message is not None else None,
            expires_at=time.time() + expires_in,
            interval=config.ciba_interval,
        )
        self.authority.ciba.add(request_record)
        body = {
            "auth_req_id": request_record.auth_req_id,
            "expires_in": expires_in,
            "interval": request_record.interval,
        }
        return 200, body, [("Cache-Control", "no-store"), ("Pragma", "no-cache")]


class CibaGrant(BaseGrant, TokenEndpointMixin):  # type: ignore[misc]
    """CIBA Core §10-11: the token request of poll mode."""

    GRANT_TYPE = CIBA_GRANT_TYPE
    TOKEN_ENDPOINT_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS

    def validate_token_request(self) -> None:
        auth_req_id = self.request.payload.data.get("auth_req_id")
        if not auth_req_id:
            raise InvalidRequestError("Missing auth_req_id.")
        client = self.authenticate_token_endpoint_client()
        if not client.check_grant_type(self.GRANT_TYPE):
            raise UnauthorizedClientError("The client is not registered for CIBA.")
        demo = server_authority(self.server)
        found = demo.ciba.find(str(auth_req_id))
        if found is None or found.client_id != client.client_id:
            raise InvalidGrantError("Unknown auth_req_id.")
        if found.status is CibaStatus.USED:
            raise InvalidGrantError("This auth_req_id was already exchanged for tokens.")
        if found.is_expired():
            raise ExpiredTokenError("The authentication request expired.")
        if found.status is CibaStatus.DENIED:
            raise AccessDeniedError("The user denied the authentication request.")
        if found.status is CibaStatus.PENDING:
            if demo.ciba.poll_too_fast(found, demo.config.device_slow_down_step):
                raise SlowDownError(f"Poll at most every {found.interval} s.")
            raise AuthorizationPendingError("The user has not decided yet.")
        self.request.user = found.subject
        self.request.client = client
        self.request.credential = found

    @hooked  # type: ignore[untyped-decorator]
    def create_token_response(self) -> tuple[int, dict[str, Any], list[Any]]:
        client = self.request.client
        found: CibaRequest = self.request.credential
        token = self.generate_token(
            user=self.request.user,
            scope=found.scope,
            include_refresh_token=client.check_grant_type("refresh_token"),
        )
        self.save_token(token)
        server_authority(self.server).ciba.mark_used(found)
        return 200, token, self.TOKEN_RESPONSE_HEADER


def client_name(client_id: str) -> str:
    client = CLIENTS.get(client_id)
    return client.client_name if client else client_id
