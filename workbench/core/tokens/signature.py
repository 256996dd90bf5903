"""The issuer's keys and what the signature says: key lookup, the signature and keys checks,
``at_hash`` and ``c_hash``.

Keys come from the issuer's JWKS only (RFC 8725 §3.1), never from the token. The header alone
can rule a signature out (alg missing or none, ``crit``, a bad kid); a key can be unfit for the
token's alg (algorithm confusion, RFC 8725 §2.1). Fail closed: once verification was asked for,
a signature that could not be checked is a failure with its reason (:meth:`KeyLookup.unverified`).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from workbench.core.errors import OAuthError, TransportError
from workbench.core.hints import Fix, Setting
from workbench.core.tokens.decode import DecodedJwt
from workbench.core.tokens.findings import Finding, failing, passing, shown, unchecked
from workbench.core.tokens.jwks import HMAC_ALGORITHMS, Jwk, JwksCache, KeyChoice, KeySet

__all__ = [
    "NOT_VERIFIED",
    "NO_ISSUER_KEYS",
    "NO_ISSUER_KEYS_FIX",
    "KeyLookup",
    "at_hash",
    "c_hash",
    "check_at_hash",
    "check_c_hash",
    "check_keys",
    "check_signature",
]

NO_ISSUER_KEYS = "no issuer keys"
NO_ISSUER_KEYS_FIX: Fix = (Setting.ISSUER, Setting.JWKS_URI)
NOT_VERIFIED = "not verified: "


class KeyLookup:
    """Where the issuer's keys come from, and what became of fetching them (one fetch)."""

    def __init__(
        self,
        jwks: JwksCache | KeySet | Mapping[str, Any] | None,
        jwks_uri: str | None,
        unavailable: str | None,
        requested: bool,
    ) -> None:
        self.jwks = jwks
        self.jwks_uri = jwks_uri
        self.requested = requested
        self.problem: str | None = None  # why there are no keys, in words
        self.fix: Fix = ()  # the settings that would give keys
        self.keys: KeySet | None = None
        if unavailable:
            self.problem = f"the issuer's keys could not be fetched ({unavailable})"
        elif jwks is None or (isinstance(jwks, JwksCache) and jwks_uri is None):
            self.problem = NO_ISSUER_KEYS
            self.fix = NO_ISSUER_KEYS_FIX
        elif not isinstance(jwks, JwksCache):
            try:
                self.keys = (
                    jwks if isinstance(jwks, KeySet) else KeySet.from_document(jwks, jwks_uri)
                )
            except (TransportError, OAuthError) as exc:
                self.problem = f"the issuer's keys could not be read: {exc}"

    @property
    def source(self) -> str:
        return f" from {self.jwks_uri}" if self.jwks_uri else ""

    def select(self, kid: str | None, alg: str) -> KeyChoice | None:
        """The key for the token; ``None`` with :attr:`problem` set when there are no keys."""
        if self.problem is not None:
            return None
        if isinstance(self.jwks, JwksCache):
            assert self.jwks_uri is not None
            try:
                choice = self.jwks.select(self.jwks_uri, kid, alg)
            except (TransportError, OAuthError) as exc:
                self.problem = f"the issuer's keys could not be fetched{self.source} ({exc})"
                return None
            self.keys = self.jwks.cached(self.jwks_uri)
            return choice
        assert self.keys is not None
        return self.keys.select(kid, alg)

    def unverified(self, check: str, reason: str) -> Finding:
        """A check that could not be made: a failure when verification was asked for."""
        fix = self.fix if reason == self.problem else ()
        if self.requested:
            return failing(check, NOT_VERIFIED + reason, fix)
        return unchecked(check, reason, fix)


def _header_problem(header: Mapping[str, Any]) -> str | None:
    """Why the header alone rules the signature out (alg missing or none, crit, a bad kid)."""
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        return "the header has no alg: not a valid signed token (RFC 7515 §4.1.1)"
    if alg.lower() == "none":
        return "unsigned token (alg none): anyone could have written it"
    if "crit" in header:
        return (
            f"the header marks {shown(header['crit'])} as critical extensions, which this tool"
            " does not implement, so the token must be rejected (RFC 7515 §4.1.11)"
        )
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        return f"the header kid is not a string: {shown(kid)}"
    return None


def _key_problem(alg: str, kid: str | None, key: Jwk, label: str) -> str | None:
    """Why ``key`` (named ``label``) cannot verify an ``alg`` token, before trying it."""
    no_kid = "the token has no kid; " if kid is None else ""
    if alg in HMAC_ALGORITHMS and key.is_public:
        return (
            f"the token {'has no kid and ' if kid is None else ''}claims {alg} (a shared-secret"
            f" MAC) but {label} is an {key.kty}"
            " public key: the issuer did not make this MAC, and accepting the public key as"
            " its secret would let anyone forge tokens (algorithm confusion, RFC 8725 §2.1)"
        )
    if key.problem is not None:
        return f"{no_kid}{label} cannot be used: {key.problem}"
    if alg not in key.allowed:
        allowed = ", ".join(sorted(key.allowed))
        return f"{no_kid}alg {alg} is not allowed for {label} ({key.kty}); it allows {allowed}"
    return None


def check_signature(decoded: DecodedJwt, keys: KeyLookup) -> Finding:
    check = "signature"
    header = decoded.header
    problem = _header_problem(header)
    if problem is not None:
        return failing(check, problem)
    alg: str = header["alg"]
    kid: str | None = header.get("kid")
    choice = keys.select(kid, alg)
    if choice is None:
        assert keys.problem is not None
        return keys.unverified(check, keys.problem)
    key = choice.key
    if key is None:
        return failing(check, choice.reason)
    # The key as the reasons name it. A token without a kid gets the issuer's one fitting key:
    # say so, so that the key's kid is not read as the token's.
    label = key.label if kid is not None else f"the issuer's key ({key.label})"
    problem = _key_problem(alg, kid, key, label)
    if problem is not None:
        return failing(check, problem)
    try:
        valid = key.verify(alg, decoded.signing_input, decoded.signature)
    except ValueError as exc:
        return failing(check, str(exc))
    if not valid:
        return failing(
            check,
            f"signature does not match: the token was altered, or not signed by {label}"
            f" ({alg}{'; the token has no kid' if kid is None else ''})",
        )
    if not key.is_public:
        return failing(
            check,
            f"the {alg} MAC matches {key.label}, a symmetric (oct) key that the JWKS itself"
            f" publishes{keys.source}: anyone who can read the JWKS can compute it, so it proves"
            " nothing about who wrote the token",
        )
    weakness = key.weakness(alg)
    note = f"; but beware: {weakness}" if weakness else ""
    return passing(check, f"valid {alg} signature by {key.label}{keys.source}{note}")


def check_keys(keys: KeyLookup) -> Finding:
    """The key set itself: a JWKS is public, so a secret in it is a finding (RFC 7517 §8)."""
    check = "keys"
    keyset = keys.keys
    if keyset is None:
        if keys.problem == NO_ISSUER_KEYS:
            return keys.unverified(check, NO_ISSUER_KEYS)
        return keys.unverified(check, "no key set to examine (the signature check says why)")
    symmetric = [k.label for k in keyset.keys if k.kty == "oct"]
    private = [k.label for k in keyset.keys if k.is_public and k.has_private_members]
    problems: list[str] = []
    if symmetric:
        problems.append(
            f"the JWKS publishes symmetric (oct) key material ({', '.join(symmetric)}): anyone"
            " who can read it can forge tokens"
        )
    if private:
        problems.append(
            f"the JWKS publishes private key members ({', '.join(private)}): anyone who can read"
            " it can sign tokens as the issuer"
        )
    if problems:
        return failing(check, "; ".join(problems))
    count = len(keyset.keys)
    noun = "key" if count == 1 else "keys"
    return passing(check, f"the JWKS{keys.source} publishes {count} public {noun}, no secrets")


def _hash_name(alg: str) -> str | None:
    """The hash of a JWS alg, as OIDC Core §3.1.3.6 uses it (EdDSA: Ed25519 → SHA-512)."""
    if alg == "EdDSA":
        return "sha512"
    if alg == "none":
        return None
    for bits in ("256", "384", "512"):
        if alg.endswith(bits) or alg == f"ES{bits}K":
            return f"sha{bits}"
    return None


def at_hash(access_token: str, alg: str) -> str | None:
    """OIDC Core §3.1.3.6: base64url of the left half of hash(ASCII access token)."""
    name = _hash_name(alg)
    if name is None:
        return None
    digest = hashlib.new(name, access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def c_hash(code: str, alg: str) -> str | None:
    """OIDC Core §3.3.2.11: the authorization code's hash, made as ``at_hash`` is."""
    return at_hash(code, alg)


def check_at_hash(decoded: DecodedJwt, access_token: str | None) -> Finding:
    check = "at_hash"
    if access_token is None:
        return unchecked(check, "no access token given to compare with")
    value = decoded.claims.get("at_hash")
    if value is None:
        return unchecked(check, "the token has no at_hash claim")
    alg = decoded.alg or ""
    token = access_token.strip()
    if not token.isascii():
        return failing(check, "the access token given is not ASCII, so it cannot match")
    expected = at_hash(token, alg)
    if expected is None:
        return failing(check, f"cannot compute at_hash for alg {alg!r}")
    if value != expected:
        return failing(
            check,
            f"at_hash is {shown(value)} but the access token hashes to {expected!r}: the ID"
            " token was not issued together with this access token",
        )
    return passing(check, f"at_hash matches the access token ({_hash_name(alg)})")


def check_c_hash(decoded: DecodedJwt, code: str | None) -> Finding:
    """OIDC Core §3.3.2.11: the ``c_hash`` of an ID token issued beside a code (hybrid flow)
    against that code; not checked when no code came with the token."""
    check = "c_hash"
    if code is None:
        return unchecked(check, "no authorization code given to compare with")
    value = decoded.claims.get("c_hash")
    if value is None:
        return unchecked(check, "the token has no c_hash claim")
    alg = decoded.alg or ""
    if not code.isascii():
        return failing(check, "the code given is not ASCII, so it cannot match")
    expected = c_hash(code, alg)
    if expected is None:
        return failing(check, f"cannot compute c_hash for alg {alg!r}")
    if value != expected:
        return failing(
            check,
            f"c_hash is {shown(value)} but the code hashes to {expected!r}: the ID token was"
            " not issued together with this code",
        )
    return passing(check, f"c_hash matches the authorization code ({_hash_name(alg)})")
