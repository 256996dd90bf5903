"""Decode and inspect tokens.

Decoding reads the JWS compact serialisation (RFC 7515 §7.1) of a JWT (RFC 7519 §7.2) without
trusting it. Inspection then runs each check a recipient should run, one finding per check:
signature (RFC 7515 §5.2, keys from the issuer's JWKS only, RFC 8725 §3.1), ``iss``/``aud``/
``exp``/``nbf`` (RFC 7519 §4.1), ``typ`` (RFC 9068 §4), Cognito's ``token_use``, ``nonce`` and
``at_hash`` (OpenID Connect Core §3.1.3.7, §3.2.2.9). A check that cannot run says why.

Fail closed: once verification was asked for (keys, an issuer, an audience, any expectation), a
check that could not be made is a failure with its reason, never a silent "not checked" — a
script that runs ``inspect … && deploy`` must not accept a forgery because the issuer's keys
were unreachable. Only when nothing was asked for is "not checked" neutral.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from workbench.core.errors import OAuthError, TokenError, TransportError
from workbench.core.hints import Fix, Setting
from workbench.core.tokens.claims import (
    Expiry,
    expiry,
    format_local,
    format_relative,
    parse_numeric_date,
)
from workbench.core.tokens.jwks import HMAC_ALGORITHMS, Jwk, JwksCache, KeyChoice, KeySet

__all__ = [
    "CHECKS",
    "DecodedJwt",
    "Expiry",
    "Finding",
    "Inspection",
    "Outcome",
    "TokenKind",
    "at_hash",
    "c_hash",
    "decode_jwt",
    "expiry",
    "format_local",
    "format_relative",
    "inspect_token",
    "token_kind",
]

TokenKind = Literal["jwt", "jwe", "opaque"]

MAX_TOKEN_CHARS = 1_000_000
MAX_DEPTH = 64

CHECKS: tuple[str, ...] = (
    "signature",
    "keys",
    "iss",
    "aud",
    "exp",
    "nbf",
    "iat",
    "typ",
    "token_use",
    "nonce",
    "at_hash",
)

NO_ISSUER_KEYS = "no issuer keys"
NO_ISSUER_KEYS_FIX: Fix = (Setting.ISSUER, Setting.JWKS_URI)
NOT_VERIFIED = "not verified: "

_BEARER = re.compile(r"bearer(?:\s+|$)", re.IGNORECASE)
_B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_NOT_B64URL = re.compile(r"[^A-Za-z0-9_-]")
_TO_STANDARD_B64 = bytes.maketrans(b"-_", b"+/")
_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number"}


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_CHECKED = "not_checked"


@dataclass(frozen=True)
class DecodedJwt:
    """A JWS-compact JWT, decoded but NOT verified. ``raw`` is the token as cleaned up."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signature: bytes
    signing_input: bytes
    raw: str

    @property
    def segments(self) -> list[str]:
        """The three base64url segments: header, payload, signature."""
        return self.raw.split(".")

    @property
    def alg(self) -> str | None:
        value = self.header.get("alg")
        return value if isinstance(value, str) else None

    @property
    def kid(self) -> str | None:
        value = self.header.get("kid")
        return value if isinstance(value, str) else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "header": self.header,
            "claims": self.claims,
            "signature": self.segments[2],
        }


@dataclass(frozen=True)
class Finding:
    """The result of one check: ``pass``, ``fail`` or ``not_checked``, with a reason in words."""

    check: str
    outcome: Outcome
    reason: str
    #: The settings that would let this check be made (a face words them after the reason).
    fix: Fix = ()

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "outcome": self.outcome.value, "reason": self.reason}


@dataclass(frozen=True)
class Inspection:
    """A decoded token, its findings in :data:`CHECKS` order, and its expiry at ``now``."""

    decoded: DecodedJwt
    findings: tuple[Finding, ...]
    expiry: Expiry
    now: float
    #: Verification was asked for: every check that could not be made then failed.
    requested: bool = False

    @property
    def ok(self) -> bool:
        """No check failed. Checks not run count against it only when verification was asked
        for, and then they are already failures (see :func:`inspect_token`)."""
        return not self.failed

    @property
    def failed(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome is Outcome.FAIL]

    @property
    def signature_valid(self) -> bool:
        return self.finding("signature").outcome is Outcome.PASS

    def finding(self, check: str) -> Finding:
        for item in self.findings:
            if item.check == check:
                return item
        raise KeyError(check)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.decoded.to_dict(),
            "ok": self.ok,
            "verification_requested": self.requested,
            "findings": [f.to_dict() for f in self.findings],
            "expiry": self.expiry.to_dict(),
        }


# --------------------------------------------------------------------------- decoding


def decode_jwt(token: str) -> DecodedJwt:
    """Decode a JWT without verifying it; ``TokenError`` says in words what is wrong.

    Surrounding whitespace, line breaks, quotes and a leading ``Bearer`` are ignored.
    """
    text = _clean(token)
    parts = text.split(".")
    if len(parts) == 5:
        raise TokenError(_jwe_message(parts[0]))
    if len(parts) == 1:
        raise TokenError(
            "not a JWT: it has no '.' separators. It looks like an opaque token, which only its"
            " issuer can read: ask the server (introspection, RFC 7662)."
        )
    if len(parts) != 3:
        raise TokenError(
            f"not a JWT: a signed JWT has 3 segments separated by '.', this one has {len(parts)}"
        )
    head, payload, sig = parts
    if not head:
        raise TokenError("not a JWT: the header segment (before the first '.') is empty")
    if not payload:
        raise TokenError("the payload segment is empty: a detached-payload JWS carries no claims")
    header = _parse_object(_b64decode(head, "header"), "header")
    payload_bytes = _b64decode(payload, "payload")
    try:
        claims = _parse_object(payload_bytes, "payload")
    except TokenError:
        cty = header.get("cty")
        if isinstance(cty, str) and cty.upper() == "JWT":
            raise TokenError(
                "the payload is itself a JWT (nested token, cty JWT): decode the inner token"
            ) from None
        raise
    signature = _b64decode(sig, "signature")
    return DecodedJwt(header, claims, signature, f"{head}.{payload}".encode("ascii"), text)


def token_kind(token: str) -> TokenKind:
    """``jwt`` (signed; maybe malformed, decode says why), ``jwe`` (encrypted) or ``opaque``.

    Anything ASCII that is not recognisably a JWT is opaque, which is what the UI needs to offer
    introspection instead. ``TokenError`` only for text that cannot be a token of any kind
    (empty, non-ASCII, absurdly long; RFC 6750 §2.1 b64token).
    """
    text = _clean(token)
    parts = text.split(".")
    if len(parts) in (3, 5):
        try:
            header = _parse_object(_b64decode(parts[0], "header"), "header")
        except TokenError:
            header = None
        if header is not None:
            return "jwe" if len(parts) == 5 else "jwt"
    if text.startswith("eyJ") and "." in text:  # base64url of '{"': a damaged JWT, not opaque
        return "jwt"
    return "opaque"


def _clean(token: object) -> str:
    if not isinstance(token, str):
        raise TokenError(f"a token is text, not {type(token).__name__}")
    text = token.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    match = _BEARER.match(text)
    if match is not None:
        text = text[match.end() :]
    text = "".join(text.split())
    if not text:
        raise TokenError("the token is empty")
    if len(text) > MAX_TOKEN_CHARS:
        raise TokenError(f"the token is {len(text):,} characters long; refusing to decode it")
    if not text.isascii():
        index, char = next((i, c) for i, c in enumerate(text) if not c.isascii())
        raise TokenError(
            f"the token contains the non-ASCII character {char!r} at position {index}:"
            " tokens are plain ASCII (was it copied from a formatted document?)"
        )
    return text


def _b64decode(segment: str, name: str) -> bytes:
    """base64url without padding (RFC 7515 §2); trailing '=' padding is tolerated."""
    data = segment.encode("ascii").rstrip(b"=")  # _clean made sure it is ASCII
    padding = len(segment) - len(data)
    if padding <= 2 and b"+" not in data and b"/" not in data and len(data) % 4 != 1:
        try:  # fast path: the C decoder validates the alphabet in strict mode
            padded = data.translate(_TO_STANDARD_B64) + b"=" * (-len(data) % 4)
            return binascii.a2b_base64(padded, strict_mode=True)
        except binascii.Error:
            pass
    raise TokenError(_b64_problem(segment, name))


def _b64_problem(segment: str, name: str) -> str:
    """Why ``segment`` is not base64url, in words (only computed for a bad segment)."""
    if _B64URL.fullmatch(segment) is None:
        bad = _NOT_B64URL.search(segment.rstrip("="))
        if bad is None:
            return f"the {name} segment has too much '=' padding"
        char = bad.group()
        if char in "+/":
            return (
                f"the {name} segment contains {char!r}: that is standard base64, but JWTs use"
                " base64url ('-' and '_')"
            )
        return (
            f"the {name} segment contains {char!r} at position {bad.start()}, which is not"
            " base64url"
        )
    body = segment.rstrip("=")
    if len(body) % 4 == 1:
        return (
            f"the {name} segment has an impossible base64url length ({len(body)}): a character"
            " was lost or added when copying"
        )
    return f"the {name} segment is not valid base64url"


class _DuplicateMember(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateMember(key)
            seen.add(key)
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_object(data: bytes, name: str) -> dict[str, Any]:
    """A JSON object from a decoded segment (RFC 7519 §7.2 steps 3–4, 8–10)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TokenError(f"the {name} is not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except _DuplicateMember as exc:
        raise TokenError(
            f"the {name} has the member {exc.name!r} twice; such a token must be rejected"
            " (RFC 7519 §4)"
        ) from None
    except RecursionError:
        raise TokenError(f"the {name} is nested too deeply to be a token") from None
    except ValueError as exc:  # json.JSONDecodeError, huge integers, NaN/Infinity
        if "integer string conversion" in str(exc):
            raise TokenError(f"the {name} contains a number with thousands of digits") from None
        raise TokenError(f"the {name} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        kind = _JSON_TYPES.get(type(value), "a literal")
        raise TokenError(f"the {name} is JSON but {kind}, not an object")
    if text.count("{") + text.count("[") > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        raise TokenError(f"the {name} is nested more than {MAX_DEPTH} levels deep")
    if "\\" in text and "\\u" in text and not _valid_unicode(value):
        raise TokenError(f"the {name} contains an unpaired surrogate escape (\\uD800–\\uDFFF)")
    return value


def _depth(value: Any) -> int:
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return deepest


def _valid_unicode(value: Any) -> bool:
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return True


def _jwe_message(first_segment: str) -> str:
    try:
        header = _parse_object(_b64decode(first_segment, "header"), "header")
    except TokenError:
        header = {}
    algs = ", ".join(f"{k} {header[k]}" for k in ("alg", "enc") if isinstance(header.get(k), str))
    detail = f"; {algs}" if algs else ""
    return (
        f"this is an encrypted token (JWE, RFC 7516{detail}): it cannot be decoded without the"
        " recipient's private key"
    )


# --------------------------------------------------------------------------- inspection


def inspect_token(
    token_or_decoded: str | DecodedJwt,
    *,
    jwks: JwksCache | KeySet | Mapping[str, Any] | None = None,
    jwks_uri: str | None = None,
    issuer: str | None = None,
    audience: str | None = None,
    client_id: str | None = None,
    nonce: str | None = None,
    access_token: str | None = None,
    expected_typ: str | None = None,
    token_use: str | None = None,
    keys_unavailable: str | None = None,
    verify: bool | None = None,
    now: float | None = None,
    leeway: int = 30,
) -> Inspection:
    """Run every check on a token; raises only ``TokenError`` (for an undecodable token).

    ``jwks`` is a :class:`JwksCache` (used with ``jwks_uri``), a parsed :class:`KeySet`, or a
    JWKS document given directly. ``keys_unavailable`` says why the caller could not even find
    the keys (discovery failed). A failure to fetch the JWKS does not raise: the signature
    finding carries the transport message and the other checks still run.

    ``verify`` says whether verification was asked for; by default it was when any key source
    or expectation is given. Then a signature that could not be checked is a failure
    ("not verified: …"); otherwise it is ``not_checked``.
    """
    decoded = (
        token_or_decoded
        if isinstance(token_or_decoded, DecodedJwt)
        else decode_jwt(token_or_decoded)
    )
    requested = (
        verification_requested(
            jwks,
            jwks_uri,
            issuer,
            audience,
            client_id,
            nonce,
            access_token,
            expected_typ,
            token_use,
            keys_unavailable,
        )
        if verify is None
        else verify
    )
    moment = time.time() if now is None else float(now)
    claims = decoded.claims
    keys = _KeyLookup(jwks, jwks_uri, keys_unavailable, requested)
    findings = (
        _check_signature(decoded, keys),
        _check_keys(keys),
        _check_iss(claims, issuer),
        _check_aud(claims, audience, client_id),
        _check_exp(claims, moment, leeway),
        _check_nbf(claims, moment, leeway),
        _check_iat(claims, moment, leeway),
        _check_typ(decoded.header, expected_typ),
        _check_token_use(claims, token_use),
        _check_nonce(claims, nonce),
        _check_at_hash(decoded, access_token),
    )
    return Inspection(decoded, findings, expiry(claims, moment), moment, requested)


def verification_requested(*expectations: object) -> bool:
    """True when any key source or expectation is given (each ``None`` means not asked)."""
    return any(value is not None and value != "" for value in expectations)


def _pass(check: str, reason: str) -> Finding:
    return Finding(check, Outcome.PASS, reason)


def _fail(check: str, reason: str, fix: Fix = ()) -> Finding:
    return Finding(check, Outcome.FAIL, reason, fix)


def _skip(check: str, reason: str, fix: Fix = ()) -> Finding:
    return Finding(check, Outcome.NOT_CHECKED, reason, fix)


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


class _KeyLookup:
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
            return _fail(check, NOT_VERIFIED + reason, fix)
        return _skip(check, reason, fix)


def _header_problem(header: Mapping[str, Any]) -> str | None:
    """Why the header alone rules the signature out (alg missing or none, crit, a bad kid)."""
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        return "the header has no alg: not a valid signed token (RFC 7515 §4.1.1)"
    if alg.lower() == "none":
        return "unsigned token (alg none): anyone could have written it"
    if "crit" in header:
        return (
            f"the header marks {_shown(header['crit'])} as critical extensions, which this tool"
            " does not implement, so the token must be rejected (RFC 7515 §4.1.11)"
        )
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        return f"the header kid is not a string: {_shown(kid)}"
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


def _check_signature(decoded: DecodedJwt, keys: _KeyLookup) -> Finding:
    check = "signature"
    header = decoded.header
    problem = _header_problem(header)
    if problem is not None:
        return _fail(check, problem)
    alg: str = header["alg"]
    kid: str | None = header.get("kid")
    choice = keys.select(kid, alg)
    if choice is None:
        assert keys.problem is not None
        return keys.unverified(check, keys.problem)
    key = choice.key
    if key is None:
        return _fail(check, choice.reason)
    # The key as the reasons name it. A token without a kid gets the issuer's one fitting key:
    # say so, so that the key's kid is not read as the token's.
    label = key.label if kid is not None else f"the issuer's key ({key.label})"
    problem = _key_problem(alg, kid, key, label)
    if problem is not None:
        return _fail(check, problem)
    try:
        valid = key.verify(alg, decoded.signing_input, decoded.signature)
    except ValueError as exc:
        return _fail(check, str(exc))
    if not valid:
        return _fail(
            check,
            f"signature does not match: the token was altered, or not signed by {label}"
            f" ({alg}{'; the token has no kid' if kid is None else ''})",
        )
    if not key.is_public:
        return _fail(
            check,
            f"the {alg} MAC matches {key.label}, a symmetric (oct) key that the JWKS itself"
            f" publishes{keys.source}: anyone who can read the JWKS can compute it, so it proves"
            " nothing about who wrote the token",
        )
    weakness = key.weakness(alg)
    note = f"; but beware: {weakness}" if weakness else ""
    return _pass(check, f"valid {alg} signature by {key.label}{keys.source}{note}")


def _check_keys(keys: _KeyLookup) -> Finding:
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
        return _fail(check, "; ".join(problems))
    count = len(keyset.keys)
    noun = "key" if count == 1 else "keys"
    return _pass(check, f"the JWKS{keys.source} publishes {count} public {noun}, no secrets")


def _check_iss(claims: Mapping[str, Any], issuer: str | None) -> Finding:
    check = "iss"
    value = claims.get("iss")
    if issuer is None:
        said = f" (the token says {_shown(value)})" if value is not None else ""
        return _skip(check, f"no expected issuer given{said}")
    if value is None:
        return _fail(check, f"the token has no iss claim (expected {issuer!r})")
    if value != issuer:
        hint = ""
        if isinstance(value, str) and value.rstrip("/") == issuer.rstrip("/"):
            hint = "; they differ only by a trailing '/', which makes them different issuers"
        return _fail(check, f"iss is {_shown(value)}, expected {issuer!r}{hint}")
    return _pass(check, f"iss is {issuer!r}")


def _audience_checks(
    claims: Mapping[str, Any], aud: Any, auds: list[str] | None, audience: str
) -> tuple[list[str], list[str]]:
    """(passes, fails) of the expected ``audience`` against the token's aud."""
    if auds is None:
        hint = (
            " (it carries client_id instead: pass --client-id to check that)"
            if "client_id" in claims
            else ""
        )
        return [], [f"the token has no aud claim (expected {audience!r}){hint}"]
    if audience in auds:
        return [f"aud contains {audience!r}"], []
    return [], [f"aud is {_shown(aud)}, which does not contain {audience!r}"]


def _client_checks(
    claims: Mapping[str, Any], aud: Any, auds: list[str] | None, client_id: str
) -> tuple[list[str], list[str]]:
    """(passes, fails) of the expected ``client_id``: RFC 9068 §2.2 and Cognito: client_id
    claim; OIDC Core §3.1.3.7: azp, else aud."""
    passes: list[str] = []
    fails: list[str] = []
    cid = claims.get("client_id")
    azp = claims.get("azp")
    if cid is not None:
        if cid == client_id:
            passes.append(f"client_id is {client_id!r}")
        else:
            fails.append(f"client_id is {_shown(cid)}, expected {client_id!r}")
    if azp is not None:
        if azp == client_id:
            passes.append(f"azp is {client_id!r}")
        else:
            fails.append(f"azp is {_shown(azp)}, expected the client {client_id!r}")
    if cid is None and azp is None:
        if auds is None:
            fails.append(f"the token has neither aud nor client_id (expected {client_id!r})")
        elif client_id in auds:
            passes.append(f"aud contains the client {client_id!r}")
        else:
            fails.append(f"aud is {_shown(aud)}, which does not contain the client {client_id!r}")
    return passes, fails


def _check_aud(claims: Mapping[str, Any], audience: str | None, client_id: str | None) -> Finding:
    check = "aud"
    if audience is None and client_id is None:
        return _skip(check, "no expected audience", (Setting.AUDIENCE, Setting.CLIENT_ID))
    aud = claims.get("aud")
    auds: list[str] | None
    if aud is None:
        auds = None
    elif isinstance(aud, str):
        auds = [aud]
    elif isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        auds = aud
    else:
        return _fail(check, f"aud is neither a string nor a list of strings: {_shown(aud)}")
    passes: list[str] = []
    fails: list[str] = []
    if audience is not None:
        more_passes, more_fails = _audience_checks(claims, aud, auds, audience)
        passes += more_passes
        fails += more_fails
    if client_id is not None:
        more_passes, more_fails = _client_checks(claims, aud, auds, client_id)
        passes += more_passes
        fails += more_fails
    if fails:
        return _fail(check, "; ".join(fails))
    return _pass(check, "; ".join(passes))


def _time_claim(claims: Mapping[str, Any], name: str, now: float) -> tuple[float, str] | Finding:
    """``(seconds from now, local time)`` of a NumericDate claim, or the finding that ends it."""
    if name not in claims:
        return _skip(name, f"token has no {name}")
    try:
        moment = parse_numeric_date(claims[name])
    except ValueError as exc:
        return _fail(name, f"{name} is not a valid time: {exc}")
    return moment - now, format_local(moment)


def _check_exp(claims: Mapping[str, Any], now: float, leeway: int) -> Finding:
    check = "exp"
    found = _time_claim(claims, check, now)
    if isinstance(found, Finding):
        return found
    left, when = found
    if left <= -leeway:
        return _fail(check, f"expired {format_relative(left)} ({when})")
    if left <= 0:
        return _pass(
            check, f"expired {format_relative(left)} ({when}), within the {leeway} s leeway"
        )
    return _pass(check, f"expires {format_relative(left)} ({when})")


def _check_nbf(claims: Mapping[str, Any], now: float, leeway: int) -> Finding:
    check = "nbf"
    found = _time_claim(claims, check, now)
    if isinstance(found, Finding):
        return found
    ahead, when = found
    if ahead > leeway:
        return _fail(check, f"not valid yet: valid from {when} ({format_relative(ahead)})")
    if ahead > 0:
        return _pass(
            check, f"valid from {when} ({format_relative(ahead)}), within the {leeway} s leeway"
        )
    return _pass(check, f"valid since {when} ({format_relative(ahead)})")


def _check_iat(claims: Mapping[str, Any], now: float, leeway: int) -> Finding:
    check = "iat"
    found = _time_claim(claims, check, now)
    if isinstance(found, Finding):
        return found
    ahead, when = found
    if ahead > leeway:
        return _fail(
            check,
            f"issued in the future: iat is {when} ({format_relative(ahead)}), beyond the"
            f" {leeway} s clock-skew allowance (a wrong clock at the issuer or here, or a"
            " made-up token)",
        )
    return _pass(check, f"issued {format_relative(ahead)} ({when})")


def _media_type(value: str) -> str:
    lowered = value.strip().lower()
    return lowered.removeprefix("application/")


def _check_typ(header: Mapping[str, Any], expected: str | None) -> Finding:
    check = "typ"
    typ = header.get("typ")
    if expected is None:
        said = f" (the header says {_shown(typ)})" if typ is not None else ""
        return _skip(check, f"no expected typ given{said}")
    if typ is None:
        return _fail(check, f"the header has no typ (expected {expected!r})")
    if not isinstance(typ, str) or _media_type(typ) != _media_type(expected):
        hint = ""
        if _media_type(expected) == "at+jwt":
            hint = " (RFC 9068 §2.1: this is what tells an access token from an ID token)"
        return _fail(check, f"typ is {_shown(typ)}, expected {expected!r}{hint}")
    return _pass(check, f"typ is {typ!r}")


def _check_token_use(claims: Mapping[str, Any], expected: str | None) -> Finding:
    check = "token_use"
    value = claims.get("token_use")
    if expected is None:
        said = f" (the token says {_shown(value)})" if value is not None else ""
        return _skip(check, f"no expected token_use given{said}")
    if value is None:
        return _fail(
            check, f"the token has no token_use claim (expected {expected!r}, as Cognito sets)"
        )
    if value != expected:
        return _fail(check, f"token_use is {_shown(value)}, expected {expected!r}")
    return _pass(check, f"token_use is {expected!r}")


def _check_nonce(claims: Mapping[str, Any], expected: str | None) -> Finding:
    check = "nonce"
    value = claims.get("nonce")
    if expected is None:
        if value is not None:
            return _skip(check, "the token has a nonce but no expected nonce was given")
        return _skip(check, "no expected nonce given")
    if value is None:
        return _fail(check, f"the token has no nonce claim (expected {expected!r})")
    if value != expected:
        return _fail(
            check,
            f"nonce is {_shown(value)}, expected {expected!r}: the ID token does not belong to"
            " this authorization request (replay?)",
        )
    return _pass(check, "nonce matches the one sent in the authorization request")


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


def _check_at_hash(decoded: DecodedJwt, access_token: str | None) -> Finding:
    check = "at_hash"
    if access_token is None:
        return _skip(check, "no access token given to compare with")
    value = decoded.claims.get("at_hash")
    if value is None:
        return _skip(check, "the token has no at_hash claim")
    alg = decoded.alg or ""
    token = access_token.strip()
    if not token.isascii():
        return _fail(check, "the access token given is not ASCII, so it cannot match")
    expected = at_hash(token, alg)
    if expected is None:
        return _fail(check, f"cannot compute at_hash for alg {alg!r}")
    if value != expected:
        return _fail(
            check,
            f"at_hash is {_shown(value)} but the access token hashes to {expected!r}: the ID"
            " token was not issued together with this access token",
        )
    return _pass(check, f"at_hash matches the access token ({_hash_name(alg)})")
