"""What claims and header parameters mean, and how times read to a person.

Meanings follow RFC 7519 §4 (registered claims), RFC 7515 §4.1 (JOSE header), OpenID Connect
Core §2 and §5.1, RFC 9068 (JWT access tokens), RFC 8693 §4 (act, may_act), RFC 7800 (cnf),
RFC 8176 (amr values) and Amazon Cognito's token documentation. Times are NumericDate values
(RFC 7519 §2): seconds since 1970-01-01T00:00:00Z, integer or fractional.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

TIME_CLAIMS: frozenset[str] = frozenset({"exp", "iat", "nbf", "auth_time", "updated_at"})

# Latest instant a datetime can hold (9999-12-31T23:59:59Z); anything beyond is not a usable date.
_MAX_NUMERIC_DATE = 253_402_300_799.0

CLAIM_MEANINGS: dict[str, str] = {
    # RFC 7519 §4.1
    "iss": "Issuer: who created and signed the token",
    "sub": "Subject: the user (or client) the token is about, unique within the issuer",
    "aud": "Audience: who the token is meant for; a recipient not listed must reject it",
    "exp": "Expiration time: the token must not be accepted on or after this time",
    "nbf": "Not before: the token must not be accepted before this time",
    "iat": "Issued at: when the token was created",
    "jti": "JWT ID: unique identifier of this token (lets a recipient detect replays)",
    # OpenID Connect Core §2 (ID token)
    "auth_time": "Time the user actually authenticated (not when the token was issued)",
    "nonce": "Value from the authorization request, echoed back to bind the ID token to it",
    "acr": "Authentication context class reference: how strongly the user was authenticated",
    "amr": "Authentication methods references: how the user authenticated (pwd, otp, mfa…)",
    "azp": "Authorized party: the client the ID token was issued to",
    "at_hash": "Access token hash: left half of the hash of the access token issued with it",
    "c_hash": "Code hash: left half of the hash of the authorization code issued with it",
    "s_hash": "State hash (FAPI): left half of the hash of the state value",
    "sid": "Session ID: the user's session at the OpenID provider (used by logout)",
    # OpenID Connect Core §5.1 (standard claims)
    "name": "Full name, displayable",
    "given_name": "Given (first) name",
    "family_name": "Family (last) name",
    "middle_name": "Middle name",
    "nickname": "Casual name",
    "preferred_username": "Name the user prefers to be called; not guaranteed unique",
    "profile": "URL of the user's profile page",
    "picture": "URL of the user's picture",
    "website": "URL of the user's web page or blog",
    "email": "Email address",
    "email_verified": "Whether the provider verified the email address",
    "gender": "Gender",
    "birthdate": "Birthday (YYYY-MM-DD, or YYYY)",
    "zoneinfo": "Time zone (IANA name such as Europe/Paris)",
    "locale": "Locale (BCP 47, such as en-US)",
    "phone_number": "Phone number",
    "phone_number_verified": "Whether the provider verified the phone number",
    "address": "Postal address (JSON object)",
    "updated_at": "Time the user's information was last updated",
    # RFC 9068 (JWT access tokens) and RFC 8693 (token exchange)
    "client_id": "Client the token was issued to (RFC 9068 access tokens, Cognito)",
    "scope": "Scopes granted, space separated",
    "scp": "Scopes granted, as a list (Azure AD / Okta style)",
    "roles": "Roles of the subject (RFC 9068 / SCIM style)",
    "groups": "Groups the subject belongs to (RFC 9068 / SCIM style)",
    "entitlements": "Entitlements of the subject (RFC 9068 / SCIM style)",
    "act": "Actor: who is acting on behalf of the subject (delegation, RFC 8693)",
    "may_act": "Who is allowed to act on behalf of the subject (RFC 8693)",
    "cnf": "Confirmation: the key the token is bound to (RFC 7800, DPoP, mTLS)",
    "sub_jwk": "Subject's public key (self-issued tokens)",
    "events": "Security event (RFC 8417, e.g. back-channel logout)",
    "txn": "Transaction identifier for audit trails (RFC 8417)",
    # Amazon Cognito
    "token_use": "Cognito: which token this is, 'access' or 'id'",
    "cognito:groups": "Cognito: user pool groups the user belongs to",
    "cognito:username": "Cognito: the user's user name in the pool",
    "cognito:roles": "Cognito: IAM role ARNs of the user's groups",
    "cognito:preferred_role": "Cognito: IAM role ARN chosen for the user",
    "origin_jti": "Cognito: identifier shared by tokens from the same authentication (revocation)",
    "event_id": "Cognito: identifier of the authentication event",
    "username": "Cognito access token: the user's user name",
    "version": "Cognito: version of the access token format",
    # Others seen in the wild
    "tid": "Azure AD: tenant ID",
    "oid": "Azure AD: object ID of the user",
    "ver": "Token format version",
    "uid": "User identifier (Okta and others)",
    "typ": "Token type (Keycloak and others put it in the claims too)",
    "session_state": "Keycloak: session identifier",
    "realm_access": "Keycloak: realm roles",
    "resource_access": "Keycloak: roles per client",
    "allowed-origins": "Keycloak: origins allowed for CORS",
}

HEADER_MEANINGS: dict[str, str] = {
    # RFC 7515 §4.1 and RFC 7516 §4.1
    "alg": "Algorithm used to sign (or, for JWE, to encrypt the key)",
    "kid": "Key ID: which key of the issuer's JWKS signed the token",
    "typ": "Media type of the whole token (JWT, at+jwt for access tokens, logout+jwt…)",
    "cty": "Content type of the payload (JWT when a token is nested)",
    "jku": "URL of a JWKS; never trusted for verification, keys come from the issuer",
    "jwk": "Public key embedded in the header; never trusted for verification",
    "x5u": "URL of an X.509 certificate chain",
    "x5c": "X.509 certificate chain (base64 DER)",
    "x5t": "SHA-1 thumbprint of the signing certificate",
    "x5t#S256": "SHA-256 thumbprint of the signing certificate",
    "crit": "Extensions the recipient must understand, or else reject the token",
    "b64": "Whether the payload is base64url encoded (RFC 7797)",
    "enc": "JWE: content encryption algorithm",
    "zip": "JWE: compression applied before encryption",
    "epk": "JWE: ephemeral public key (ECDH-ES)",
    "apu": "JWE: agreement PartyUInfo",
    "apv": "JWE: agreement PartyVInfo",
    "iv": "JWE: initialisation vector for key wrapping",
    "tag": "JWE: authentication tag for key wrapping",
    "p2s": "JWE: PBES2 salt",
    "p2c": "JWE: PBES2 iteration count",
}


def parse_numeric_date(value: object) -> float:
    """A NumericDate (RFC 7519 §2) as float seconds, or ``ValueError`` saying what is wrong."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"not a number: {_short_json(value)}")
    try:
        seconds = float(value)
    except OverflowError:
        raise ValueError(f"out of range: {_short_json(value)}") from None
    if not math.isfinite(seconds) or not 0 <= seconds <= _MAX_NUMERIC_DATE:
        raise ValueError(f"out of range: {_short_json(value)}")
    return seconds


def format_local(ts: float, tz: tzinfo | None = None) -> str:
    """``2026-11-26 14:03:12 UTC+01:00`` in the local zone (or ``tz``); never raises."""
    try:
        moment = datetime.fromtimestamp(ts, tz=UTC).astimezone(tz)
    except (OverflowError, OSError, ValueError, TypeError):
        return f"invalid time ({_short_json(ts)})"
    offset = moment.utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC{sign}{hours:02d}:{mins:02d}"


def format_duration(seconds: float) -> str:
    """``4 min 12 s``, ``2 h 5 min``, ``3 d 4 h``: the two largest units, zeros dropped."""
    if not math.isfinite(seconds):
        return "forever"
    total = math.floor(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    mins, secs = divmod(rest, 60)
    if days:
        parts = [(days, "d"), (hours, "h")]
    elif hours:
        parts = [(hours, "h"), (mins, "min")]
    elif mins:
        parts = [(mins, "min"), (secs, "s")]
    else:
        parts = [(secs, "s")]
    shown = [f"{n} {unit}" for n, unit in parts if n]
    return " ".join(shown) or "0 s"


def format_relative(seconds: float) -> str:
    """``in 4 min 12 s`` for a future offset, ``3 min 5 s ago`` for a past one, else ``now``."""
    if math.isnan(seconds):
        return "at an invalid time"
    if abs(seconds) < 1:
        return "now"
    text = format_duration(seconds)
    return f"in {text}" if seconds > 0 else f"{text} ago"


@dataclass(frozen=True)
class Expiry:
    """Where a token stands in its lifetime at ``now``; recompute each tick for a countdown.

    ``problem`` is set (and the time fields are ``None``) when ``exp`` is present but not a
    usable NumericDate. ``lifetime`` and ``fraction_left`` need a valid ``iat`` before ``exp``.
    """

    now: float
    expires_at: float | None
    issued_at: float | None
    seconds_left: float | None
    expired: bool
    lifetime: float | None
    fraction_left: float | None
    problem: str | None = None

    @property
    def has_exp(self) -> bool:
        return self.expires_at is not None

    def describe(self) -> str:
        """One line for a label: ``expires in 41 min (2026-…)`` / ``expired 3 min ago (…)``."""
        if self.problem is not None:
            return f"invalid exp: {self.problem}"
        if self.expires_at is None or self.seconds_left is None:
            return "no expiry (no exp claim)"
        when = format_local(self.expires_at)
        if self.expired:
            return f"expired {format_relative(self.seconds_left)} ({when})"
        return f"expires {format_relative(self.seconds_left)} ({when})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now,
            "expires_at": self.expires_at,
            "issued_at": self.issued_at,
            "seconds_left": self.seconds_left,
            "expired": self.expired,
            "lifetime": self.lifetime,
            "fraction_left": self.fraction_left,
            "problem": self.problem,
            "text": self.describe(),
        }


def expiry(claims: Mapping[str, Any], now: float) -> Expiry:
    """The expiry picture of ``claims`` at ``now`` (no leeway: this is what a person sees)."""
    issued_at: float | None
    try:
        issued_at = parse_numeric_date(claims["iat"]) if "iat" in claims else None
    except ValueError:
        issued_at = None
    if "exp" not in claims:
        return Expiry(now, None, issued_at, None, False, None, None)
    try:
        expires_at = parse_numeric_date(claims["exp"])
    except ValueError as exc:
        return Expiry(now, None, issued_at, None, False, None, None, problem=str(exc))
    left = expires_at - now
    lifetime = fraction = None
    if issued_at is not None and expires_at > issued_at:
        lifetime = expires_at - issued_at
        fraction = min(1.0, max(0.0, left / lifetime))
    return Expiry(now, expires_at, issued_at, left, left <= 0, lifetime, fraction)


@dataclass(frozen=True)
class ClaimRow:
    """One line of a claims (or header) table: what a person reads, and whether it is broken."""

    name: str
    raw: Any
    display: str
    meaning: str
    invalid: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "raw": self.raw,
            "display": self.display,
            "meaning": self.meaning,
            "invalid": self.invalid,
        }


def display_value(value: Any) -> str:
    """Strings as they are, everything else as compact JSON."""
    if isinstance(value, str):
        return value
    return _short_json(value, limit=None)


def describe_time(value: Any, now: float) -> tuple[str, bool]:
    """``(text, invalid)`` for a time claim: the relative offset, then the local date-time.

    ``in 4 min 57 s (2026-12-02 14:03:12 UTC+01:00)``: what changes and matters comes first, so
    a narrow column cuts the date's tail, not the countdown.
    """
    try:
        ts = parse_numeric_date(value)
    except ValueError as exc:
        return f"invalid time: {exc}", True
    return f"{format_relative(ts - now)} ({format_local(ts)})", False


def claim_rows(claims: Mapping[str, Any], now: float) -> list[ClaimRow]:
    """Rows for the claims table and the CLI summary, in the token's own order."""
    rows: list[ClaimRow] = []
    for name, value in claims.items():
        meaning = CLAIM_MEANINGS.get(name, "")
        if name in TIME_CLAIMS:
            text, invalid = describe_time(value, now)
            rows.append(ClaimRow(name, value, text, meaning, invalid))
        else:
            rows.append(ClaimRow(name, value, display_value(value), meaning))
    return rows


def header_rows(header: Mapping[str, Any]) -> list[ClaimRow]:
    """Rows for the JOSE header table."""
    return [
        ClaimRow(name, value, display_value(value), HEADER_MEANINGS.get(name, ""))
        for name, value in header.items()
    ]


def _short_json(value: Any, limit: int | None = 60) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        try:
            text = repr(value)
        except (ValueError, RecursionError):  # e.g. an int beyond the int-to-str digit limit
            text = f"<{type(value).__name__}>"
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text
