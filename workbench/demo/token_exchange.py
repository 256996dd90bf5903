"""Token exchange (RFC 8693) on the demo server, on Authlib's grant primitives.

Authlib has no token exchange grant, so this is one of our own on its ``BaseGrant`` and
``TokenEndpointMixin`` (client authentication, the token generator, ``save_token``). The rules
are the demo's policy, each refusal an RFC 8693 §2.2.2 error with words a tester can read:

* the client authenticates (a confidential client) and has the grant type, else
  ``unauthorized_client``;
* the subject token, and the actor token when one is sent, must be an access token this server
  issued, signed with its key, on record, not revoked and not expired; their types must be
  ``access_token`` or ``jwt`` — else ``invalid_request`` (§2.2.2 names it for any token that is
  invalid or unacceptable);
* an ``audience`` or ``resource`` must be one of the demo APIs, else ``invalid_target``;
* an actor must be in the client's allowed actors (``TOKEN_EXCHANGE_ACTORS`` of
  :mod:`workbench.demo.accounts`), else ``unauthorized_client``: this client is not trusted to
  let that party act;
* a ``may_act`` claim in the subject token (§4.4) must name the party that will act (the actor,
  or for impersonation the client), else ``invalid_request``;
* ``requested_token_type`` must be ``access_token`` or ``jwt`` (the demo issues JWT access
  tokens), else ``invalid_request``; a ``scope`` may only narrow the subject token's
  (``invalid_scope``).

The issued token is about the subject token's ``sub``; for delegation it carries ``act`` with
the actor's ``sub`` outermost and the subject token's own ``act`` nested inside (§4.1). The
answer says ``issued_token_type`` (§2.2.1) and carries no refresh token.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749 import (
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    UnauthorizedClientError,
)
from authlib.oauth2.rfc6749.grants import BaseGrant
from authlib.oauth2.rfc6749.grants.base import TokenEndpointMixin
from flask import g

from .accounts import TOKEN_EXCHANGE_ACTORS, TOKEN_EXCHANGE_GRANT, DemoClient
from .api import api_urls
from .authority import CONFIDENTIAL_AUTH_METHODS, DemoAuthority, server_authority
from .store import TokenRecord

__all__ = [
    "ACCEPTED_TOKEN_TYPES",
    "EXCHANGE_CLAIMS_KEY",
    "ISSUED_TOKEN_TYPES",
    "InvalidTargetError",
    "TokenExchangeGrant",
]

_TYPE = "urn:ietf:params:oauth:token-type:"
ACCESS_TOKEN_TYPE = _TYPE + "access_token"
JWT_TOKEN_TYPE = _TYPE + "jwt"
#: What this server takes as a subject or actor token: its own access tokens, by either name.
ACCEPTED_TOKEN_TYPES = (ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE)
#: What it issues: a JWT access token, called by the name that was asked for.
ISSUED_TOKEN_TYPES = (ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE)
#: Where the grant leaves the issued token's ``sub``, ``aud`` and ``act`` for the token
#: generator (:mod:`workbench.demo.oauth`), in Flask's ``g`` of the request.
EXCHANGE_CLAIMS_KEY = "token_exchange_claims"


class InvalidTargetError(OAuth2Error):  # type: ignore[misc]
    """RFC 8693 §2.2.2 (and RFC 8707): an audience or resource this server issues nothing for."""

    error = "invalid_target"


@dataclass(frozen=True)
class _Presented:
    """A subject or actor token that passed the checks: its claims and its record."""

    claims: Mapping[str, Any]
    record: TokenRecord


class TokenExchangeGrant(BaseGrant, TokenEndpointMixin):  # type: ignore[misc]
    GRANT_TYPE = TOKEN_EXCHANGE_GRANT
    TOKEN_ENDPOINT_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS

    def _demo(self) -> DemoAuthority:
        return server_authority(self.server)

    def validate_token_request(self) -> None:
        client: DemoClient = self.authenticate_token_endpoint_client()
        if not client.check_grant_type(self.GRANT_TYPE):
            raise UnauthorizedClientError(
                f"The client {client.client_id} is not allowed to exchange tokens."
            )
        self.request.client = client
        form = self.request.form
        subject = self._presented(form, "subject_token", "subject token")
        actor = (
            self._presented(form, "actor_token", "actor token") if _given(form, "actor") else None
        )
        if actor is None and form.get("actor_token_type"):
            raise InvalidRequestError("actor_token_type was sent without an actor_token.")
        issued_type = form.get("requested_token_type") or ACCESS_TOKEN_TYPE
        if issued_type not in ISSUED_TOKEN_TYPES:
            raise InvalidRequestError(
                f"requested_token_type {issued_type[:200]} is not supported: this server issues "
                f"{' or '.join(ISSUED_TOKEN_TYPES)}."
            )
        audience = self._audience(form)
        acting = _sub(actor.claims) if actor else client.client_id
        if actor is not None:
            allowed = TOKEN_EXCHANGE_ACTORS.get(client.client_id, ())
            if acting not in allowed:
                raise UnauthorizedClientError(
                    f"The client {client.client_id} may not let {acting} act for a subject: "
                    f"its allowed actors are {', '.join(allowed) or 'none'}."
                )
        _check_may_act(subject.claims, acting, client.client_id)
        scope = self._scope(subject.record.scope)
        claims: dict[str, Any] = {"sub": _sub(subject.claims)}
        if audience:
            claims["aud"] = audience[0] if len(audience) == 1 else audience
        if actor is not None:
            act: dict[str, Any] = {"sub": acting}
            if isinstance(subject.claims.get("act"), Mapping):
                act["act"] = subject.claims["act"]  # the earlier actors, nested (§4.1)
            claims["act"] = act
        self.request.user = subject.record.subject
        self._issue = (scope, issued_type, claims)

    def create_token_response(self) -> tuple[int, dict[str, Any], Any]:
        scope, issued_type, claims = self._issue
        g.setdefault(EXCHANGE_CLAIMS_KEY, claims)
        token: dict[str, Any] = self.generate_token(
            user=self.request.user, scope=scope, include_refresh_token=False
        )
        token["issued_token_type"] = issued_type
        self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER

    # -- the checks ----------------------------------------------------------------------
    def _presented(self, form: Mapping[str, str], name: str, label: str) -> _Presented:
        value = form.get(name)
        token_type = form.get(f"{name}_type")
        if not value:
            raise InvalidRequestError(f"{name} is missing (RFC 8693 §2.1).")
        if not token_type:
            raise InvalidRequestError(f"{name}_type is missing: say what the {label} is.")
        if token_type not in ACCEPTED_TOKEN_TYPES:
            raise InvalidRequestError(
                f"{name}_type {token_type[:200]} is not supported: this server exchanges only "
                f"the access tokens it issued ({' or '.join(ACCEPTED_TOKEN_TYPES)})."
            )
        demo = self._demo()
        try:
            claims = demo.decode_jwt(value)
        except Exception:  # any failure to read or verify it is one answer
            raise InvalidRequestError(
                f"The {label} is not a token of this server: it is no JWT signed with this "
                "server's key."
            ) from None
        record = demo.store.find_by_jti(str(claims.get("jti", "")))
        if record is None or record.access_token != value:
            raise InvalidRequestError(
                f"The {label} is not an access token this server issued (no record of it)."
            )
        if record.access_revoked:
            raise InvalidRequestError(f"The {label} was revoked.")
        if record.access_expires_at <= time.time():
            raise InvalidRequestError(f"The {label} has expired.")
        return _Presented(claims, record)

    def _audience(self, form: Any) -> list[str]:
        known = tuple(api_urls(self._demo().issuer).values())
        asked = [*form.getlist("audience"), *form.getlist("resource")]
        for value in asked:
            if value not in known:
                raise InvalidTargetError(
                    f"This server issues tokens for its demo APIs only ({', '.join(known)}), "
                    f"not for {value[:200]}."
                )
        return list(dict.fromkeys(asked))

    def _scope(self, granted: str) -> str:
        asked = (self.request.payload.scope or "").split()
        beyond = [s for s in asked if s not in granted.split()]
        if beyond:
            raise InvalidScopeError(
                f"A token exchange may only narrow the subject token's scope ({granted or 'none'});"
                f" not in it: {' '.join(beyond)[:200]}."
            )
        return " ".join(asked) or granted


def _given(form: Mapping[str, str], who: str) -> bool:
    return bool(form.get(f"{who}_token"))


def _sub(claims: Mapping[str, Any]) -> str:
    return str(claims.get("sub", ""))


def _check_may_act(claims: Mapping[str, Any], acting: str, client_id: str) -> None:
    """§4.4: a subject token's ``may_act`` names who may act for its subject."""
    may_act = claims.get("may_act")
    if not isinstance(may_act, Mapping):
        return
    allowed = {v for v in (may_act.get("sub"), may_act.get("client_id")) if isinstance(v, str)}
    if acting not in allowed:
        named = " or ".join(sorted(allowed)) or "nobody"
        raise InvalidRequestError(
            f"The subject token's may_act lets {named} act for its subject, not {acting}"
            + (" (the client itself, impersonating)." if acting == client_id else ".")
        )
