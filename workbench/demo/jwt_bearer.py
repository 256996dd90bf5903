"""The JWT bearer grant (RFC 7523 §2.1) on the demo server: Authlib's ``JWTBearerGrant``.

An assertion is taken when its ``iss`` is a demo client allowed the grant whose public key is
registered (the private_key_jwt client, with the JWKS the server is configured with:
``DemoConfig.client_jwks``), its signature verifies with that key, its ``aud`` names this server
(the issuer or the token endpoint's URL), it has not expired (60 s of leeway, Authlib's), and its
``sub`` is a demo user (by user name or subject id). Every refusal is ``invalid_grant`` with
words that say which check failed. The token is about that user, issued to that client, with
no refresh token.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

from authlib.oauth2.rfc6749 import InvalidGrantError
from authlib.oauth2.rfc7523 import JWTBearerGrant
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
    SecurityWarning,
)
from joserfc.jwk import KeySet

from .accounts import CLIENTS, JWT_BEARER_GRANT, USERS, DemoClient, Subject
from .authority import server_authority

__all__ = ["DemoJwtBearerGrant"]

#: The algorithms an assertion may be signed with (those of private_key_jwt).
ASSERTION_ALGS = ("RS256", "PS256", "ES256", "EdDSA")


class DemoJwtBearerGrant(JWTBearerGrant):  # type: ignore[misc]
    GRANT_TYPE = JWT_BEARER_GRANT

    def resolve_issuer_client(self, issuer: str) -> DemoClient:
        client = CLIENTS.get(issuer)
        if client is None or not client.check_grant_type(self.GRANT_TYPE):
            raise InvalidGrantError(
                description=f"The assertion's iss {issuer[:200]} is no demo client allowed the"
                " JWT bearer grant (the private_key_jwt client is)."
            )
        return client

    def resolve_client_public_key(self, client: DemoClient) -> KeySet:
        jwks = server_authority(self.server).config.client_jwks
        if not jwks:
            raise InvalidGrantError(
                description=f"No public key is registered for {client.client_id}: start the"
                " demo server with its JWKS (client_jwks) to check assertions."
            )
        return KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]

    def process_assertion_claims(self, assertion: str) -> Any:
        """Authlib's steps, with a refusal that says which check failed."""
        _headers, claims = self.extract_assertion(assertion)
        issuer = claims.get("iss")
        if not isinstance(issuer, str):
            raise InvalidGrantError(description="The assertion has no iss (RFC 7523 §3).")
        client = self.resolve_issuer_client(issuer)
        key = self.resolve_client_public_key(client)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SecurityWarning)  # "EdDSA" is still sent
                token = jwt.decode(assertion, key, algorithms=list(ASSERTION_ALGS))
        except BadSignatureError as exc:
            raise InvalidGrantError(
                description="The assertion's signature does not verify with the key registered"
                f" for {client.client_id}."
            ) from exc
        except (JoseError, ValueError) as exc:
            raise InvalidGrantError(
                description=f"The assertion cannot be read or verified: {_words(exc)}"
            ) from exc
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims: Any) -> None:
        audiences = self.get_audiences()
        registry = jwt.JWTClaimsRegistry(
            leeway=self.LEEWAY,
            iss={"essential": True},
            exp={"essential": True},
            aud={"essential": True, "values": audiences},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise InvalidGrantError(description="The assertion has expired (exp).") from exc
        except InvalidClaimError as exc:
            if exc.claim == "aud":
                raise InvalidGrantError(
                    description=f"The assertion's aud {str(claims.get('aud'))[:200]} is not this"
                    f" server: use {' or '.join(audiences)}."
                ) from exc
            raise InvalidGrantError(description=f"The assertion's {exc.claim} is wrong.") from exc
        except MissingClaimError as exc:
            raise InvalidGrantError(
                description=f"The assertion lacks {exc.claim} (RFC 7523 §3)."
            ) from exc
        except JoseError as exc:
            raise InvalidGrantError(description=f"The assertion is refused: {_words(exc)}") from exc

    def get_audiences(self) -> list[str]:
        demo = server_authority(self.server)
        return [demo.issuer, demo.url("token")]

    def authenticate_user(self, subject: str) -> Subject | None:
        for user in USERS.values():
            if subject in (user.username, user.subject):
                return Subject(user, int(time.time()))
        raise InvalidGrantError(
            description=f"The assertion's sub {subject[:200]} is no demo user"
            f" ({', '.join(USERS)}, by user name or subject id)."
        )

    def has_granted_permission(self, client: DemoClient, user: Subject) -> bool:
        return True  # the demo trusts the assertions of the clients allowed the grant


def _words(exc: Exception) -> str:
    if isinstance(exc, JoseError):
        return str(exc.description or exc.error)
    return str(exc)[:200]
