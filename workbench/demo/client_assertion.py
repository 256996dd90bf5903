"""JWT client authentication at the demo server (RFC 7523 §2.2, OIDC Core §9).

Authlib's :class:`JWTBearerClientAssertion` checks a ``client_assertion``: its signature,
``iss`` = ``sub`` = the client, ``aud``, ``exp`` and a ``jti`` never seen before. The demo
supplies what Authlib leaves to the server:

* ``client_secret_jwt``: the key is the client's secret, the algorithms HS256/384/512 only.
* ``private_key_jwt``: the keys are the public JWKS the server is configured with
  (``DemoConfig.client_jwks``); the algorithms RS256, PS256, ES256, EdDSA. Without a JWKS
  every assertion is refused.
* ``aud`` may be the issuer or the URL of any endpoint that authenticates the client (token,
  revocation, introspection, device authorization): RFC 7523 §3 leaves the choice to the
  server, and the workbench sends the endpoint's URL by default.
* ``exp`` is checked with 5 seconds of leeway; a ``jti`` is remembered until its assertion
  expires, and a replayed one refused.

Each method only looks at assertions of clients registered for it, so a client_secret_jwt
client's assertion never reaches the private_key_jwt check (nor the other way round).
"""

from __future__ import annotations

import threading
import time
import warnings
from typing import Any

from authlib.oauth2.rfc6749 import InvalidClientError
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from flask import g
from joserfc import jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import KeySet, OctKey

from .accounts import CLIENTS, DemoClient
from .authority import DemoAuthority

__all__ = [
    "CLIENT_SECRET_JWT_ALGS",
    "PRIVATE_KEY_JWT_ALGS",
    "register_jwt_client_auth",
]

CLIENT_SECRET_JWT_ALGS = ("HS256", "HS384", "HS512")
PRIVATE_KEY_JWT_ALGS = ("RS256", "PS256", "ES256", "EdDSA")
#: Seconds of clock skew allowed on ``exp``.
LEEWAY = 5
#: The endpoints whose URL an assertion may name as its ``aud`` (besides the issuer).
_AUDIENCE_ENDPOINTS = ("token", "revocation", "introspection", "device_authorization", "par")


class _SeenJtis:
    """``jti`` values of accepted assertions, each kept until its assertion expires."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[tuple[str, str], float] = {}

    def first_use(self, client_id: str, jti: str, expires_at: float) -> bool:
        now = time.time()
        with self._lock:
            self._until = {k: v for k, v in self._until.items() if v >= now - LEEWAY}
            key = (client_id, jti)
            if key in self._until:
                return False
            self._until[key] = expires_at
            return True


class _DemoAssertion(JWTBearerClientAssertion):  # type: ignore[misc]
    ALGORITHMS: tuple[str, ...] = ()

    def __init__(self, authority: DemoAuthority, seen: _SeenJtis) -> None:
        super().__init__(validate_jti=True, leeway=LEEWAY)
        self.authority = authority
        self.seen = seen

    def __call__(self, query_client: Any, request: Any) -> DemoClient | None:
        # Only for clients registered with this method; any other's assertion is left to
        # the method it is registered with.
        client = self.authority.store.client(self._claimed_client(request))
        if client is None or self.CLIENT_AUTH_METHOD not in client.token_endpoint_auth_methods:
            return None
        result: DemoClient | None = super().__call__(query_client, request)
        return result

    def _claimed_client(self, request: Any) -> str:
        assertion = request.form.get("client_assertion")
        if not assertion or request.form.get("client_assertion_type") != self.CLIENT_ASSERTION_TYPE:
            return ""
        _headers, claims = self.extract_assertion(assertion)
        sub = claims.get("sub")
        return sub if isinstance(sub, str) else ""

    def get_audiences(self) -> list[str]:
        demo = self.authority
        return [demo.issuer, *(demo.url(name) for name in _AUDIENCE_ENDPOINTS)]

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> Any:
        try:
            with warnings.catch_warnings():
                # joserfc warns that RFC 9864 deprecates the name "EdDSA" (for "Ed25519"); it
                # is still the name clients send, so the demo takes it without a warning.
                warnings.simplefilter("ignore", SecurityWarning)
                token = jwt.decode(assertion, resolve_key, algorithms=list(self.ALGORITHMS))
        except JoseError as exc:
            detail = exc.description or exc.error
            raise InvalidClientError(
                description=f"The client assertion was refused: {detail}"
            ) from exc
        self.verify_claims(token.claims)
        return token.claims

    def validate_jti(self, claims: dict[str, Any], jti: str) -> bool:
        # One request may authenticate its client twice (the device authorization endpoint
        # does, before and inside Authlib's response): the same assertion within the same
        # request is no replay.
        key = (str(claims["sub"]), str(jti))
        in_request: set[tuple[str, str]] = g.setdefault("client_assertion_jtis", set())
        if key in in_request:
            return True
        if not self.seen.first_use(*key, float(claims["exp"])):
            return False
        in_request.add(key)
        return True


class _ClientSecretJwt(_DemoAssertion):
    CLIENT_AUTH_METHOD = "client_secret_jwt"
    ALGORITHMS = CLIENT_SECRET_JWT_ALGS

    def resolve_client_public_key(self, client: DemoClient) -> OctKey:
        if not client.client_secret:
            raise InvalidClientError(description="The client has no secret to check with.")
        return OctKey.import_key(client.client_secret)


class _PrivateKeyJwt(_DemoAssertion):
    CLIENT_AUTH_METHOD = "private_key_jwt"
    ALGORITHMS = PRIVATE_KEY_JWT_ALGS

    def resolve_client_public_key(self, client: DemoClient) -> KeySet:
        # The built-in client's keys come with the server (client_jwks); a client registered
        # at run time (RFC 7591) is checked with the jwks it registered, and nothing else.
        if client.client_id in CLIENTS:
            jwks = self.authority.config.client_jwks
            fix = "start the demo server with its JWKS (client_jwks)"
        else:
            registered = client.client_metadata.get("jwks")
            jwks = registered if isinstance(registered, dict) else None
            fix = "register it with a jwks"
        if not jwks:
            raise InvalidClientError(description=f"The client has no registered public key: {fix}.")
        return KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]


def register_jwt_client_auth(server: Any, authority: DemoAuthority) -> None:
    """Teach Authlib's ``server`` the two JWT client authentication methods."""
    seen = _SeenJtis()
    for method in (_ClientSecretJwt(authority, seen), _PrivateKeyJwt(authority, seen)):
        server.register_client_auth_method(method.CLIENT_AUTH_METHOD, method)
