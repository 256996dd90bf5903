"""What the inspector can show: the picker's entries, the shown token, and words about them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.core.errors import TokenError
from workbench.core.tokens.decode import DecodedJwt, decode_jwt, token_kind
from workbench.ui import metrics

Role = Literal["access", "id", "refresh", "pasted"]
ROLE_LABELS: dict[Role, str] = {
    "access": "Access token",
    "id": "ID token",
    "refresh": "Refresh token",
    "pasted": "Pasted",
}
TYPE_HINTS: dict[Role, Literal["access_token", "refresh_token"] | None] = {
    "access": "access_token",
    "id": None,
    "refresh": "refresh_token",
    "pasted": None,
}


@dataclass(frozen=True)
class TokenEntry:
    """One choice of the token picker."""

    role: Role
    label: str
    token: str


@dataclass(frozen=True)
class ShownToken:
    """What the inspector shows now: the entry and what decoding it gave."""

    entry: TokenEntry
    kind: str  # jwt / jwe / opaque / malformed
    decoded: DecodedJwt | None
    problem: str = ""


def decode_entry(entry: TokenEntry) -> ShownToken:
    """Decode ``entry`` (instant, on the GUI thread): a JWT's parts, or why there are none."""
    kind = token_kind_safe(entry.token)
    decoded: DecodedJwt | None = None
    problem = ""
    if kind == "jwt":
        try:
            decoded = decode_jwt(entry.token)
        except TokenError as exc:
            kind, problem = "malformed", str(exc)
    elif kind == "jwe":
        try:
            decode_jwt(entry.token)
        except TokenError as exc:
            problem = str(exc)
    return ShownToken(entry, kind, decoded, problem)


def token_kind_safe(token: str) -> str:
    """:func:`token_kind`, with text that cannot be a token at all reported as malformed."""
    try:
        return token_kind(token)
    except TokenError:
        return "malformed"


def describe_kind(token: str) -> str:
    """``JWT · RS256``, ``opaque``, ``encrypted JWT (JWE)`` or ``malformed JWT``."""
    kind = token_kind_safe(token)
    words = {"jwt": "JWT", "jwe": "encrypted JWT (JWE)", "opaque": "opaque"}.get(kind, kind)
    if kind == "jwt":
        try:
            alg = decode_jwt(token).alg
        except TokenError:
            words = "malformed JWT"
        else:
            words = f"JWT · {alg}" if alg else words
    return words


def preview(token: str) -> str:
    keep = metrics.TOKEN_PREVIEW_CHARS
    return token if len(token) <= keep else token[:keep] + "…"
