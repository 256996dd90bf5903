"""Signed request objects (RFC 9101) at the demo server: Authlib's
:class:`JWTAuthenticationRequest` with the demo's policy.

* ``request`` by value only (``request_uri`` here means a pushed request, RFC 9126, which
  :mod:`workbench.demo.par` resolves first);
* the object is checked with the client's registered public keys: the private_key_jwt demo
  client's JWKS (``DemoConfig.client_jwks``); a client with none cannot send one;
* signed with RS256, PS256, ES256 or EdDSA (never ``none``); ``aud`` must be the issuer,
  ``iss`` the client, and ``exp`` in the future (§4, §10.2);
* at the PAR endpoint the object is verified when pushed (RFC 9126 §3) and its claims stored.
"""

from __future__ import annotations

import time
from typing import Any

from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc9101 import JWTAuthenticationRequest
from authlib.oauth2.rfc9101.errors import InvalidRequestObjectError
from joserfc import jwt
from joserfc.jwk import KeySet

from .accounts import DemoClient
from .authority import DemoAuthority
from .clients import PRIVATE_KEY_JWT_CLIENT_ID

__all__ = ["REQUEST_OBJECT_ALGS", "DemoRequestObjects"]

REQUEST_OBJECT_ALGS = ("RS256", "PS256", "ES256", "EdDSA")
LEEWAY = 5


class DemoRequestObjects(JWTAuthenticationRequest):  # type: ignore[misc]
    """RFC 9101 request objects by value, verified with the client's registered JWKS."""

    def __init__(self, authority: DemoAuthority) -> None:
        super().__init__(support_request=True, support_request_uri=False)
        self.authority = authority
        self.claims_validator = jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            client_id={"essential": True},
            iss={"essential": True},
            aud={"essential": True, "value": authority.issuer},
            exp={"essential": True},
        )

    def resolve_client_public_key(self, client: DemoClient) -> KeySet:
        jwks = self.authority.config.client_jwks
        if client.client_id != PRIVATE_KEY_JWT_CLIENT_ID or not jwks:
            raise InvalidRequestObjectError(
                "This client has no registered public keys to check a request object with."
            )
        return KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]

    def get_server_metadata(self) -> dict[str, Any]:
        return {"request_object_signing_alg_values_supported": list(REQUEST_OBJECT_ALGS)}

    def get_client_require_signed_request_object(self, client: DemoClient) -> bool:
        return False

    def resolve(self, server: Any, request: OAuth2Request) -> None:
        """Replace the request's parameters with the verified object's claims (when it has
        a ``request``): Authlib's check, then ``iss`` = the client."""
        if "request" not in request.payload.data:
            return
        self.parse_authorization_request(server, request)
        claims = request.payload.data
        if claims.get("iss") != claims.get("client_id"):
            raise InvalidRequestObjectError("The request object's iss is not its client_id.")
        if "exp" in claims and float(claims["exp"]) + LEEWAY < time.time():
            raise InvalidRequestObjectError("The request object has expired.")
