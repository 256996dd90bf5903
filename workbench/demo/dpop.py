"""DPoP (RFC 9449) at the demo server: the proof checks, the nonces and the replay cache.

Authlib has no DPoP, so the demo checks proofs itself with joserfc (§4.3):

* one ``DPoP`` header holding a compact JWS whose header has ``typ: dpop+jwt``, an asymmetric
  ``alg`` the server lists (:data:`DPOP_ALGS`) and a public ``jwk`` (no private members), and
  whose signature verifies with that ``jwk``;
* ``htm`` is the request's method and ``htu`` its URL (without query and fragment);
* ``iat`` within :data:`IAT_WINDOW` seconds of now; a ``jti`` never seen in that window;
* ``ath`` the SHA-256 of the access token, when one is presented (§7.1);
* ``nonce`` one the server issued, when :attr:`DemoConfig.require_dpop_nonce` is set: a proof
  without one (or with an old one) is answered ``use_dpop_nonce`` with a fresh ``DPoP-Nonce``
  (§8 at the token endpoint, §9 with a ``DPoP`` challenge at a resource).

A valid proof yields its key's RFC 7638 thumbprint (``jkt``): the token endpoint binds the
tokens to it (``cnf.jkt``, ``token_type: DPoP``, §5, §6), and a resource compares it with the
token's ``cnf.jkt``. Anything wrong is :class:`DpopRefused` with ``invalid_dpop_proof``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from flask import Response, g, jsonify, request
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry

from .accounts import CLIENTS

if TYPE_CHECKING:
    from .authority import DemoAuthority

__all__ = [
    "DPOP_ALGS",
    "DpopRefused",
    "DpopVerifier",
    "ath_of",
    "check_token_request_proof",
    "dpop_challenge",
    "resource_proof",
]

#: The proof algorithms the demo accepts (``dpop_signing_alg_values_supported``).
DPOP_ALGS: tuple[str, ...] = ("ES256", "ES384", "RS256", "PS256", "EdDSA")
#: Seconds a proof's ``iat`` may lie from now; also how long a ``jti`` is remembered.
IAT_WINDOW = 60
#: Seconds a nonce the server issued stays good.
NONCE_TTL = 300
#: The longest proof read (characters).
MAX_PROOF = 8 * 1024
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")


class DpopRefused(Exception):
    """A proof refused: the OAuth error (``invalid_dpop_proof`` or ``use_dpop_nonce``), its
    description and, for ``use_dpop_nonce``, the nonce to retry with."""

    def __init__(self, error: str, description: str, nonce: str | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.nonce = nonce


def ath_of(access_token: str) -> str:
    """base64url(SHA-256(access token)), the proof's ``ath`` (§4.2)."""
    digest = hashlib.sha256(access_token.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _htu(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", "", ""))


def _invalid(description: str) -> DpopRefused:
    return DpopRefused("invalid_dpop_proof", description)


class DpopVerifier:
    """Checks proofs for one demo server; thread-safe (see the module's words)."""

    def __init__(self, require_nonce: bool = False) -> None:
        self.require_nonce = require_nonce
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}  # jkt + jti → when it may be forgotten
        self._nonces: dict[str, float] = {}  # nonce → when it expires

    def new_nonce(self) -> str:
        """A nonce for ``DPoP-Nonce``: good for :data:`NONCE_TTL` seconds."""
        nonce = secrets.token_urlsafe(24)
        now = time.time()
        with self._lock:
            self._nonces = {n: t for n, t in self._nonces.items() if t > now}
            self._nonces[nonce] = now + NONCE_TTL
        return nonce

    def verify(
        self,
        values: Sequence[str],
        method: str,
        url: str,
        *,
        access_token: str | None = None,
    ) -> str:
        """Check the ``DPoP`` header ``values`` of a request; the proof key's thumbprint."""
        if len(values) != 1:
            raise _invalid("Send exactly one DPoP header (RFC 9449 §4.3).")
        proof = values[0].strip()
        if len(proof) > MAX_PROOF or proof.count(".") != 2:
            raise _invalid("The DPoP header is not a compact JWS.")
        header, claims = self._signed(proof)
        key = JWKRegistry.import_key(dict(header["jwk"]))
        jkt = str(key.thumbprint())
        self._check_claims(claims, method, url, access_token)
        self._check_fresh(claims, jkt)
        return jkt

    def _signed(self, proof: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        try:
            header = jws.extract_compact(proof.encode("ascii")).headers()
        except (JoseError, ValueError, UnicodeError):
            raise _invalid("The DPoP proof cannot be decoded.") from None
        if header.get("typ") != "dpop+jwt":
            raise _invalid(f"The proof's typ is {header.get('typ')!r}, not 'dpop+jwt'.")
        alg = header.get("alg")
        if alg not in DPOP_ALGS:
            raise _invalid(f"The proof's alg {alg!r} is not one of {', '.join(DPOP_ALGS)}.")
        jwk = header.get("jwk")
        if not isinstance(jwk, dict):
            raise _invalid("The proof's header has no jwk (the public key).")
        if any(m in jwk for m in _PRIVATE_MEMBERS):
            raise _invalid("The proof's jwk holds private key material.")
        try:
            key = JWKRegistry.import_key(dict(jwk))
            verified = jws.deserialize_compact(proof, key, algorithms=[str(alg)])
            claims = json.loads(verified.payload)
        except (JoseError, ValueError, TypeError):
            raise _invalid("The proof's signature does not verify with its jwk.") from None
        if not isinstance(claims, dict):
            raise _invalid("The proof's payload is not a JSON object.")
        return header, claims

    def _check_claims(
        self, claims: Mapping[str, Any], method: str, url: str, access_token: str | None
    ) -> None:
        if not isinstance(claims.get("jti"), str) or not claims["jti"]:
            raise _invalid("The proof has no jti.")
        if claims.get("htm") != method.upper():
            raise _invalid(f"The proof's htm is {claims.get('htm')!r}, this request is {method}.")
        htu = claims.get("htu")
        if not isinstance(htu, str) or _htu(htu) != _htu(url):
            raise _invalid(f"The proof's htu is {htu!r}, this request is to {_htu(url)}.")
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or abs(time.time() - iat) > IAT_WINDOW:
            raise _invalid(f"The proof's iat is not within {IAT_WINDOW} s of the server's clock.")
        if access_token is not None and claims.get("ath") != ath_of(access_token):
            raise _invalid("The proof's ath is not the hash of the access token presented.")

    def _check_fresh(self, claims: Mapping[str, Any], jkt: str) -> None:
        now = time.time()
        nonce = claims.get("nonce")
        seen = f"{jkt}:{claims['jti']}"
        with self._lock:
            if self.require_nonce and not (
                isinstance(nonce, str) and self._nonces.get(nonce, 0) > now
            ):
                said = "has no nonce" if nonce is None else "has a nonce this server did not give"
                refused = DpopRefused(
                    "use_dpop_nonce", f"The proof {said}: use the DPoP-Nonce given (RFC 9449 §8)."
                )
            elif seen in self._seen:
                refused = _invalid("This proof's jti was used before: a proof is single-use.")
            else:
                self._seen = {k: t for k, t in self._seen.items() if t > now}
                self._seen[seen] = now + 2 * IAT_WINDOW
                return
        if refused.error == "use_dpop_nonce":
            refused.nonce = self.new_nonce()
        raise refused


# -- the token endpoint ----------------------------------------------------------------------
def check_token_request_proof(authority: DemoAuthority) -> Response | None:
    """Check the proof of the token request being served, if it has one, and keep its key's
    thumbprint in ``g.dpop_jkt`` for the token generator; an answer when it is refused.

    A public client's bound refresh token is redeemed only with a proof of its key (§5)."""
    values = request.headers.getlist("DPoP")
    jkt = ""
    if values:
        try:
            jkt = authority.dpop.verify(values, request.method, authority.url("token"))
        except DpopRefused as refused:
            return _token_error(refused)
        g.dpop_jkt = jkt
    if request.form.get("grant_type") == "refresh_token":
        found = authority.store.find_refresh_token(request.form.get("refresh_token", ""))
        record = found.record if found is not None else None
        client = CLIENTS.get(record.client_id) if record is not None else None
        public = client is not None and client.is_public
        if record is not None and record.dpop_jkt and public and jkt != record.dpop_jkt:
            said = "without a DPoP proof" if not jkt else "with a proof of another key"
            return _token_error(
                _invalid(
                    f"This refresh token is bound to a DPoP key and was sent {said} (RFC 9449 §5)."
                )
            )
    return None


def _token_error(refused: DpopRefused) -> Response:
    response = jsonify({"error": refused.error, "error_description": refused.description})
    response.status_code = 400
    response.headers["Cache-Control"] = "no-store"
    if refused.nonce:
        response.headers["DPoP-Nonce"] = refused.nonce
    return response


# -- resources (UserInfo, the demo APIs) -----------------------------------------------------
def resource_proof(
    authority: DemoAuthority, access_token: str, bound_to: str, url: str | None = None
) -> None:
    """Check the proof that came with a DPoP-bound ``access_token`` at a resource (§7.1): a
    valid proof for this request, with ``ath``, of the key the token is bound to."""
    jkt = authority.dpop.verify(
        request.headers.getlist("DPoP"),
        request.method,
        url or authority.issuer + request.path,
        access_token=access_token,
    )
    if jkt != bound_to:
        raise _invalid("The proof is signed by another key than the one the token is bound to.")


def dpop_challenge(error: str | None, description: str, realm: str) -> str:
    """A ``WWW-Authenticate: DPoP`` challenge (§7.1) naming the accepted algorithms."""
    params = [f'realm="{realm}"']
    if error:
        quoted = description.replace("\\", "\\\\").replace('"', '\\"')
        params += [f'error="{error}"', f'error_description="{quoted}"']
    params.append(f'algs="{" ".join(DPOP_ALGS)}"')
    return "DPoP " + ", ".join(params)
