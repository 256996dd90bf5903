"""Decode a JWT without trusting it.

Decoding reads the JWS compact serialisation (RFC 7515 §7.1) of a JWT (RFC 7519 §7.2) strictly:
base64url without '+' or '/', UTF-8 JSON objects without duplicate members, bounded nesting,
no unpaired surrogates. ``TokenError`` says in words what is wrong. Nothing here verifies
anything: the checks of :mod:`workbench.core.tokens.checks` do.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from workbench.core.errors import TokenError

__all__ = ["DecodedJwt", "TokenKind", "decode_jwt", "token_kind"]

TokenKind = Literal["jwt", "jwe", "opaque"]

MAX_TOKEN_CHARS = 1_000_000
MAX_DEPTH = 64

_BEARER = re.compile(r"bearer(?:\s+|$)", re.IGNORECASE)
_B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_NOT_B64URL = re.compile(r"[^A-Za-z0-9_-]")
_TO_STANDARD_B64 = bytes.maketrans(b"-_", b"+/")
_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number"}


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


#: Members of a token response holding a token worth showing decoded (OAuth's, and Cognito's
#: in its ``AuthenticationResult``).
TOKEN_MEMBERS = ("access_token", "id_token", "AccessToken", "IdToken")


def decoded_tokens(document: Any) -> dict[str, dict[str, Any]]:
    """The header and claims of each JWT of a token response, by member name, with its
    :func:`fingerprint`: for a record (the exchange log, a report) where the token itself is
    masked. Never the signature; an opaque token or one that does not decode is left out."""
    if isinstance(document, dict) and isinstance(document.get("AuthenticationResult"), dict):
        document = document["AuthenticationResult"]
    if not isinstance(document, dict):
        return {}
    return _decoded_members(document, TOKEN_MEMBERS)


#: Form fields of a request holding a JWT of the client's worth showing decoded: a client
#: assertion (RFC 7523 §2.2), a JWT bearer grant's assertion (§2.1), a request object (RFC 9101),
#: a token exchange's subject and actor tokens (RFC 8693 §2.1: whose token went in), and the
#: ``DPoP`` proof header a request signer added (RFC 9449 §4).
REQUEST_JWT_MEMBERS = (
    "client_assertion",
    "assertion",
    "request",
    "subject_token",
    "actor_token",
    "DPoP",
)


def decoded_request_jwts(form: Mapping[str, str] | None) -> dict[str, dict[str, Any]]:
    """The header and claims of each JWT a request's form carries (:data:`REQUEST_JWT_MEMBERS`),
    by field name, never the signature: what the exchange log shows of a client assertion."""
    return _decoded_members(form, REQUEST_JWT_MEMBERS) if form else {}


def _decoded_members(document: Mapping[str, Any], members: Iterable[str]) -> dict[str, Any]:
    found: dict[str, dict[str, Any]] = {}
    for member in members:
        value = document.get(member)
        if not isinstance(value, str) or value.count(".") != 2:
            continue
        try:
            decoded = decode_jwt(value)
        except TokenError:
            continue
        found[member] = {
            "header": decoded.header,
            "claims": decoded.claims,
            "fingerprint": fingerprint(decoded),
        }
    return found


def fingerprint(decoded: DecodedJwt) -> str:
    """What a record keeps to tell one token from another: the first 22 characters (128 bits)
    of the base64url SHA-256 of the whole token. It cannot be turned back into the token, and
    two tokens with the same claims but another signature have different ones."""
    digest = hashlib.sha256(decoded.raw.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:22]


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
