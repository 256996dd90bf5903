"""DPoP (RFC 9449): proofs of possession signed by the client's key, on every request.

:class:`DpopSigner` is a :class:`~workbench.core.transport.signer.RequestSigner`: the one
:class:`~workbench.core.transport.http.HttpClient` calls it for every request with the final
method and URL, and it adds a ``DPoP`` header holding a fresh proof (§4.2): a JWT with
``typ: dpop+jwt``, the public key in ``jwk``, a unique ``jti``, ``htm``, ``htu`` (the URL
without query and fragment), ``iat``, ``ath`` (the SHA-256 of the access token, §4.3) when a
token is presented, and the server's ``nonce`` (§8, §9) when it gave one. Discovery and key
set fetches get no proof; every other request does (token endpoint for every grant, UserInfo,
revocation, introspection, device authorization, API calls): a server that does not want one
ignores the header (§7.1).

A token response with ``token_type: DPoP`` makes its access token DPoP-bound for the signer,
as does a JWT whose ``cnf.jkt`` is the key's thumbprint: sent afterwards, an
``Authorization: Bearer`` with that token becomes ``Authorization: DPoP`` (§7.1). With
``present_as_dpop`` every token presented is (``workbench call --dpop``).

A server asking for a nonce (400 ``use_dpop_nonce`` at an authorization server, §8; 401 with a
``DPoP`` challenge ``error="use_dpop_nonce"`` at a resource, §9) gives it in ``DPoP-Nonce``:
:meth:`DpopSigner.retry` says to send the request again once with it (the client retries
only once per request, so a server that keeps asking is never looped on). Nonces are kept per
origin (scheme, host and port), and any response's ``DPoP-Nonce`` replaces the one kept.

The proof header is a secret of the exchange log (masked, an environment variable in the curl
twin, which says the proof was single-use); the log shows the proof's header and claims.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from workbench.core.errors import ConfigError, TokenError
from workbench.core.keys import SigningKey, generate_key, load_key, write_key_file
from workbench.core.oauth.rfc6750_bearer import bearer_challenge
from workbench.core.tokens.decode import decode_jwt, token_kind
from workbench.core.transport import bounded_json
from workbench.core.transport.signer import NO_SIGNER, OutgoingRequest, RequestSigner

if TYPE_CHECKING:
    from workbench.core.transport.exchange import HttpResponse

#: The header a proof travels in (RFC 9449 §4.1) and the one a nonce comes in (§8.1).
DPOP_HEADER = "DPoP"
NONCE_HEADER = "DPoP-Nonce"
PROOF_TYP = "dpop+jwt"
#: The proof algorithm a new key signs with (§4.2 leaves it open; ES256 is the usual one).
DEFAULT_ALG = "ES256"
#: Requests that never carry a proof: public documents.
UNSIGNED_PURPOSES = ("discovery", "jwks", "resource metadata")
#: The longest nonce kept (characters): it comes from a server.
MAX_NONCE = 1024


def b64url_sha256(text: str) -> str:
    """base64url(SHA-256(``text``)) without padding: a proof's ``ath`` (§4.2)."""
    digest = hashlib.sha256(text.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def htu_of(url: str) -> str:
    """The ``htu`` of a request to ``url``: the URL without query and fragment (§4.2)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def origin_of(url: str) -> str:
    """The scheme, host and port of ``url``: the unit a nonce is kept for."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def load_or_create_key(path: str | Path | None) -> tuple[SigningKey, bool]:
    """The DPoP key in the PEM file at ``path``, or a new ES256 key written there (mode
    0600) when the file does not exist; no ``path``: a new key held in memory only.
    The second value is True when the key is new."""
    if path is None or str(path) == "":
        return generate_key(DEFAULT_ALG), True
    if Path(path).exists():
        return load_key(path), False
    key = generate_key(DEFAULT_ALG)
    write_key_file(key, path)
    return key, True


class DpopSigner(RequestSigner):
    """A DPoP proof on every request (see the module's words). Thread-safe."""

    secret_headers = frozenset({DPOP_HEADER})

    def __init__(self, key: SigningKey, *, present_as_dpop: bool = False) -> None:
        if key.alg.startswith("HS"):
            raise ConfigError("A DPoP proof is signed with a private key, never an HMAC.")
        self.key = key
        self.present_as_dpop = present_as_dpop
        self._lock = threading.Lock()
        self._nonces: dict[str, str] = {}
        self._bound: set[str] = set()  # ath of every access token the server bound to the key

    # -- what the key is -------------------------------------------------------------------
    @property
    def jkt(self) -> str:
        """The RFC 7638 thumbprint of the public key: ``dpop_jkt`` and ``cnf.jkt`` (§6, §10)."""
        return self.key.thumbprint()

    def nonce_for(self, url: str) -> str | None:
        with self._lock:
            return self._nonces.get(origin_of(url))

    def is_bound(self, access_token: str) -> bool:
        """Whether ``access_token`` is bound to this key: a token response said so
        (``token_type`` DPoP), or the token is a JWT whose ``cnf.jkt`` is this key's (a token
        pasted or taken from the history)."""
        with self._lock:
            if b64url_sha256(access_token) in self._bound:
                return True
        if token_kind(access_token) != "jwt":
            return False
        try:
            cnf = decode_jwt(access_token).claims.get("cnf")
        except TokenError:
            return False
        return isinstance(cnf, dict) and cnf.get("jkt") == self.jkt

    def mark_bound(self, access_token: str) -> None:
        with self._lock:
            self._bound.add(b64url_sha256(access_token))

    # -- proofs ----------------------------------------------------------------------------
    def proof(
        self,
        method: str,
        url: str,
        *,
        access_token: str | None = None,
        nonce: str | None = None,
        now: float | None = None,
    ) -> str:
        """A fresh proof for one request (new ``jti``; ``nonce`` None: the one kept for the
        URL's origin)."""
        claims: dict[str, Any] = {
            "jti": secrets.token_urlsafe(24),
            "htm": method.upper(),
            "htu": htu_of(url),
            "iat": int(time.time() if now is None else now),
        }
        if access_token:
            claims["ath"] = b64url_sha256(access_token)
        chosen = nonce if nonce is not None else self.nonce_for(url)
        if chosen:
            claims["nonce"] = chosen
        return self.key.sign_jwt(claims, typ=PROOF_TYP, kid=False, embed_jwk=True)

    def sign(self, request: OutgoingRequest) -> Mapping[str, str]:
        if request.purpose.startswith(UNSIGNED_PURPOSES):
            return {}
        added: dict[str, str] = {}
        token: str | None = None
        scheme, _, credentials = (_header(request.headers, "Authorization") or "").partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "dpop" and credentials:
            token = credentials
        elif (
            scheme.lower() == "bearer"
            and credentials
            and (self.present_as_dpop or self.is_bound(credentials))
        ):
            token = credentials
            added["Authorization"] = f"DPoP {credentials}"
        added[DPOP_HEADER] = self.proof(request.method, request.url, access_token=token)
        return added

    # -- answers ---------------------------------------------------------------------------
    def observe(self, request: OutgoingRequest, response: HttpResponse) -> None:
        nonce = _header(response.headers, NONCE_HEADER)
        if nonce and len(nonce) <= MAX_NONCE and nonce.isprintable():
            with self._lock:
                self._nonces[origin_of(request.url)] = nonce.strip()
        if response.status == 200 and request.purpose.startswith("token"):
            self._note_binding(response)

    def _note_binding(self, response: HttpResponse) -> None:
        try:
            data = bounded_json.loads(response.body)
        except ValueError:
            return
        if not isinstance(data, dict):
            return
        token, kind = data.get("access_token"), data.get("token_type")
        if isinstance(token, str) and isinstance(kind, str) and kind.lower() == "dpop":
            self.mark_bound(token)

    def retry(self, request: OutgoingRequest, response: HttpResponse) -> bool:
        """True when the server asked for a nonce (§8, §9) and gave one: send once more."""
        nonce = _header(response.headers, NONCE_HEADER)
        return bool(nonce) and asks_for_nonce(response)


def asks_for_nonce(response: HttpResponse) -> bool:
    """A 400 ``use_dpop_nonce`` (an authorization server, §8) or a 401 whose ``DPoP``
    challenge says ``use_dpop_nonce`` (a resource server, §9)."""
    if response.status == 401:
        challenge = bearer_challenge(response.headers, "DPoP")
        return challenge is not None and challenge.error == "use_dpop_nonce"
    if response.status != 400:
        return False
    try:
        data = bounded_json.loads(response.body)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("error") == "use_dpop_nonce"


def signer_for(key: SigningKey | None) -> RequestSigner:
    """A :class:`DpopSigner` of ``key``, or the signer that adds nothing when there is none."""
    return DpopSigner(key) if key is not None else NO_SIGNER


def dpop_signer(key_file: str | None, *, present_as_dpop: bool = False) -> tuple[DpopSigner, str]:
    """A signer with the key of ``key_file`` (made there when missing; none: in memory), and
    a sentence saying which key it is."""
    key, new = load_or_create_key(key_file)
    if not key_file:
        said = f"DPoP: a new {key.kind} key for this run only (jkt {key.thumbprint()})"
    elif new:
        said = (
            f"DPoP: a new {key.kind} key written to {key_file} (mode 0600, jkt {key.thumbprint()})"
        )
    else:
        said = f"DPoP: the {key.kind} key of {key_file} (jkt {key.thumbprint()})"
    return DpopSigner(key, present_as_dpop=present_as_dpop), said


__all__ = [
    "DEFAULT_ALG",
    "DPOP_HEADER",
    "NONCE_HEADER",
    "DpopSigner",
    "asks_for_nonce",
    "b64url_sha256",
    "dpop_signer",
    "htu_of",
    "load_or_create_key",
    "signer_for",
]
