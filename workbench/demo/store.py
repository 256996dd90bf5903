"""In-memory, thread-safe state of the demo server: codes, tokens, device codes.

The records implement the small model protocols Authlib's grants and endpoints call
(``AuthorizationCodeMixin``, ``TokenMixin``, ``DeviceCredentialMixin``). Everything lives in
one :class:`DemoStore` guarded by one re-entrant lock; the web layer also holds that lock
around each whole OAuth operation so multi-step grants (refresh rotation, code exchange)
are atomic.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .accounts import CLIENTS, DemoClient, Subject

__all__ = [
    "AccessToken",
    "AttemptThrottle",
    "AuthorizationCode",
    "DemoStore",
    "DeviceDecision",
    "DeviceGrant",
    "DeviceStatus",
    "RefreshToken",
    "TokenRecord",
    "normalize_user_code",
]

# A poll arriving this much earlier than the interval is still accepted: clients measure
# the interval from their side of the network.
_POLL_TOLERANCE = 0.1


def _now() -> float:
    return time.time()


@dataclass
class AuthorizationCode:
    """An issued authorization code (RFC 6749 §4.1.2), with PKCE and OIDC data."""

    code: str
    client_id: str
    redirect_uri: str | None
    scope: str
    subject: Subject
    expires_at: float
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    #: The authorization details granted with the code (RFC 9396), for its tokens.
    authorization_details: Any = None
    #: The DPoP key the code must be redeemed with (``dpop_jkt``, RFC 9449 §10), if named.
    dpop_jkt: str | None = None

    def get_redirect_uri(self) -> str | None:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.subject.auth_time

    def get_acr(self) -> str | None:
        return None

    def get_amr(self) -> list[str] | None:
        return None

    def is_expired(self) -> bool:
        return self.expires_at < _now()


@dataclass
class TokenRecord:
    """One token response: a JWT access token (tracked by ``jti``) and maybe a refresh token."""

    client_id: str
    grant_type: str
    scope: str
    subject: Subject | None
    access_token: str
    jti: str
    issued_at: int
    access_expires_at: int
    refresh_token: str | None = None
    refresh_expires_at: int | None = None
    access_revoked: bool = False
    refresh_revoked: bool = False
    #: Set when this record's refresh token was exchanged (rotation).
    rotated: bool = False
    #: Every record descended from one grant (an authorization code, a password or device
    #: grant, ...) shares its family: refreshing keeps it. Replaying a rotated refresh token
    #: or an exchanged code revokes the whole family (RFC 9700 §4.14.2, RFC 6749 §4.1.2).
    family: str = ""
    #: The access token's ``aud`` (the client id, or the resources asked for, RFC 8707).
    audience: str | list[str] = ""
    #: The thumbprint of the DPoP key the tokens are bound to (RFC 9449 §6); empty: bearer.
    dpop_jkt: str = ""


class _TokenView:
    """Authlib's ``TokenMixin`` over one half of a :class:`TokenRecord`."""

    kind: str = ""

    def __init__(self, record: TokenRecord, client: DemoClient) -> None:
        self.record = record
        self._client = client

    @property
    def scope(self) -> str:
        # Authlib's UserInfoEndpoint reads ``token.scope``.
        return self.record.scope

    def check_client(self, client: DemoClient) -> bool:
        return client.client_id == self.record.client_id

    def get_scope(self) -> str:
        return self.record.scope

    def get_user(self) -> Subject | None:
        return self.record.subject

    def get_client(self) -> DemoClient:
        return self._client

    def get_expires_at(self) -> int:
        raise NotImplementedError

    def get_expires_in(self) -> int:
        return self.get_expires_at() - self.record.issued_at

    def is_expired(self) -> bool:
        return self.get_expires_at() <= _now()

    def is_revoked(self) -> bool:
        raise NotImplementedError


class AccessToken(_TokenView):
    kind = "access_token"

    def get_expires_at(self) -> int:
        return self.record.access_expires_at

    def is_revoked(self) -> bool:
        return self.record.access_revoked


class RefreshToken(_TokenView):
    kind = "refresh_token"

    def get_expires_at(self) -> int:
        assert self.record.refresh_expires_at is not None
        return self.record.refresh_expires_at

    def is_revoked(self) -> bool:
        return self.record.refresh_revoked or self.record.rotated


class DeviceStatus(Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    USED = "used"


class DeviceDecision(Enum):
    """Result of a user's decision on the verification page."""

    RECORDED = "recorded"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    ALREADY_DECIDED = "already_decided"


@dataclass
class DeviceGrant:
    """A device authorization (RFC 8628 §3.2); Authlib's ``DeviceCredentialMixin``."""

    device_code: str
    user_code: str
    client_id: str
    scope: str
    expires_at: float
    interval: int
    status: DeviceStatus = DeviceStatus.PENDING
    subject: Subject | None = None
    last_poll: float | None = field(default=None, repr=False)
    #: PKCE (RFC 7636) sent with the device authorization request; every poll must then
    #: carry the matching ``code_verifier``.
    code_challenge: str | None = field(default=None, repr=False)
    code_challenge_method: str | None = None

    def get_client_id(self) -> str:
        return self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_user_code(self) -> str:
        return self.user_code

    def is_expired(self) -> bool:
        return self.expires_at < _now()


def normalize_user_code(text: str) -> str:
    """Canonical form of a typed user code: upper case, ``XXXX-XXXX`` (RFC 8628 §6.1
    recommends ignoring case and punctuation)."""
    chars = "".join(c for c in text.upper() if c.isalnum())
    if len(chars) == 8:
        return f"{chars[:4]}-{chars[4:]}"
    return chars


class DemoStore:
    """All mutable state. Every public method takes :attr:`lock`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._codes: dict[str, AuthorizationCode] = {}
        self._nonces: set[tuple[str, str]] = set()
        self._records_by_jti: dict[str, TokenRecord] = {}
        self._jti_by_access: dict[str, str] = {}
        self._records_by_refresh: dict[str, TokenRecord] = {}
        self._devices: dict[str, DeviceGrant] = {}
        self._device_by_user_code: dict[str, str] = {}
        #: Exchanged authorization codes -> the token family they started.
        self._used_codes: dict[str, str] = {}
        #: (user subject, client id) -> scopes the user approved for that client.
        self._consents: dict[tuple[str, str], set[str]] = {}
        #: Clients registered at run time (RFC 7591), by client id.
        self._registered: dict[str, DemoClient] = {}

    # -- clients ------------------------------------------------------------------------
    def client(self, client_id: str) -> DemoClient | None:
        """A built-in demo client, or one registered at run time (None: no such client)."""
        with self.lock:
            return CLIENTS.get(client_id) or self._registered.get(client_id)

    def add_client(self, client: DemoClient) -> None:
        with self.lock:
            self._registered[client.client_id] = client

    def remove_client(self, client_id: str) -> None:
        """Forget a registered client and revoke every token issued to it (RFC 7592 §2.3)."""
        with self.lock:
            self._registered.pop(client_id, None)
            for record in self._records_by_jti.values():
                if record.client_id == client_id:
                    record.access_revoked = record.refresh_revoked = True

    # -- authorization codes ------------------------------------------------------------
    def add_code(self, code: AuthorizationCode) -> None:
        with self.lock:
            self._codes[code.code] = code
            if code.nonce:
                self._nonces.add((code.client_id, code.nonce))

    def get_code(self, code: str, client_id: str) -> AuthorizationCode | None:
        with self.lock:
            item = self._codes.get(code)
            if item is None or item.client_id != client_id or item.is_expired():
                return None
            return item

    def delete_code(self, code: str, family: str | None = None) -> None:
        """Forget a code; after an exchange, remember which token ``family`` it started so
        that a replay can be detected and its tokens revoked (RFC 6749 §4.1.2)."""
        with self.lock:
            self._codes.pop(code, None)
            if family:
                self._used_codes[code] = family

    def replayed_code(self, code: str) -> bool:
        """True when ``code`` was already exchanged; the tokens issued for it are revoked
        then (RFC 6749 §4.1.2: "SHOULD revoke ... all tokens previously issued based on
        that authorization code")."""
        with self.lock:
            family = self._used_codes.get(code)
            if family is None:
                return False
            self.revoke_family(family)
            return True

    # -- consent (what prompt=none may rely on, OIDC Core §3.1.2.6) ----------------------
    def record_consent(self, subject: str, client_id: str, scope: str) -> None:
        with self.lock:
            self._consents.setdefault((subject, client_id), set()).update(scope.split())

    def has_consent(self, subject: str, client_id: str, scope: str) -> bool:
        """True when the user approved every scope in ``scope`` for this client before."""
        with self.lock:
            granted = self._consents.get((subject, client_id))
            return granted is not None and set(scope.split()) <= granted

    # -- nonces (OIDC Core §15.5.2 replay check) ----------------------------------------
    def nonce_used(self, client_id: str, nonce: str) -> bool:
        with self.lock:
            return (client_id, nonce) in self._nonces

    def remember_nonce(self, client_id: str, nonce: str) -> None:
        with self.lock:
            self._nonces.add((client_id, nonce))

    # -- tokens -------------------------------------------------------------------------
    def add_tokens(self, record: TokenRecord) -> None:
        with self.lock:
            self._prune()
            self._records_by_jti[record.jti] = record
            self._jti_by_access[record.access_token] = record.jti
            if record.refresh_token:
                self._records_by_refresh[record.refresh_token] = record

    def find_access_token(self, value: str) -> AccessToken | None:
        with self.lock:
            jti = self._jti_by_access.get(value)
            record = self._records_by_jti.get(jti) if jti else None
            client = self.client(record.client_id) if record else None
            return AccessToken(record, client) if record and client else None

    def find_refresh_token(self, value: str) -> RefreshToken | None:
        with self.lock:
            record = self._records_by_refresh.get(value)
            client = self.client(record.client_id) if record else None
            return RefreshToken(record, client) if record and client else None

    def find_by_jti(self, jti: str) -> TokenRecord | None:
        with self.lock:
            return self._records_by_jti.get(jti)

    def revoke(self, token: _TokenView) -> None:
        """RFC 7009 §2.1: revoking a refresh token also revokes the access token issued
        with it; revoking an access token leaves the refresh token usable."""
        with self.lock:
            token.record.access_revoked = True
            if isinstance(token, RefreshToken):
                token.record.refresh_revoked = True

    def mark_rotated(self, token: RefreshToken) -> None:
        with self.lock:
            token.record.rotated = True

    def revoke_family(self, family: str) -> int:
        """Revoke every access and refresh token of ``family``; how many records."""
        with self.lock:
            records = [r for r in self._records_by_jti.values() if r.family == family]
            for record in records:
                record.access_revoked = True
                record.refresh_revoked = True
            return len(records)

    def _prune(self) -> None:
        now = _now()
        dead = [
            jti
            for jti, r in self._records_by_jti.items()
            if r.access_expires_at < now
            and (r.refresh_expires_at is None or r.refresh_expires_at < now)
        ]
        for jti in dead:
            record = self._records_by_jti.pop(jti)
            self._jti_by_access.pop(record.access_token, None)
            if record.refresh_token:
                self._records_by_refresh.pop(record.refresh_token, None)
        for code in [c for c, item in self._codes.items() if item.is_expired()]:
            del self._codes[code]
        # A used code matters while tokens of its family exist.
        live = {r.family for r in self._records_by_jti.values()}
        for code in [c for c, family in self._used_codes.items() if family not in live]:
            del self._used_codes[code]

    # -- device authorization (RFC 8628) ------------------------------------------------
    def add_device_grant(self, grant: DeviceGrant) -> None:
        with self.lock:
            self._devices[grant.device_code] = grant
            self._device_by_user_code[grant.user_code] = grant.device_code

    def find_device_grant(self, device_code: str) -> DeviceGrant | None:
        with self.lock:
            return self._devices.get(device_code)

    def find_device_grant_by_user_code(self, user_code: str) -> DeviceGrant | None:
        with self.lock:
            device_code = self._device_by_user_code.get(normalize_user_code(user_code))
            return self._devices.get(device_code) if device_code else None

    def decide_device_grant(
        self, user_code: str, subject: Subject, approved: bool
    ) -> DeviceDecision:
        """Record the user's approval or denial of a pending device code."""
        with self.lock:
            grant = self.find_device_grant_by_user_code(user_code)
            if grant is None:
                return DeviceDecision.UNKNOWN
            if grant.is_expired():
                return DeviceDecision.EXPIRED
            if grant.status is not DeviceStatus.PENDING:
                return DeviceDecision.ALREADY_DECIDED
            grant.status = DeviceStatus.APPROVED if approved else DeviceStatus.DENIED
            grant.subject = subject
            return DeviceDecision.RECORDED

    def poll_too_fast(self, grant: DeviceGrant, step: int) -> bool:
        """Note a poll; True (and the interval raised by ``step``) when it came sooner than
        the interval after the previous poll (RFC 8628 §3.5 ``slow_down``)."""
        with self.lock:
            now = time.monotonic()
            previous, grant.last_poll = grant.last_poll, now
            if previous is not None and now - previous + _POLL_TOLERANCE < grant.interval:
                grant.interval += step
                return True
            return False

    def mark_device_grant_used(self, grant: DeviceGrant) -> None:
        with self.lock:
            grant.status = DeviceStatus.USED

    def snapshot(self) -> dict[str, Any]:
        """Counts, for debugging and tests."""
        with self.lock:
            return {
                "codes": len(self._codes),
                "tokens": len(self._records_by_jti),
                "device_grants": len(self._devices),
            }


class AttemptThrottle:
    """Counts failures in a sliding window, per key and in total (RFC 8628 §5.1 asks for
    rate limiting of user code guesses). :meth:`blocked` says whether any of the given keys,
    or everyone together, reached the limit."""

    def __init__(self, per_key: int, total: int, window: float) -> None:
        self.per_key = per_key
        self.total = total
        self.window = window
        self._lock = threading.Lock()
        self._failures: deque[tuple[float, tuple[str, ...]]] = deque()

    def _prune(self, now: float) -> None:
        while self._failures and self._failures[0][0] <= now - self.window:
            self._failures.popleft()

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            self._prune(time.monotonic())
            if len(self._failures) >= self.total:
                return True
            return any(
                sum(1 for _, failed in self._failures if key in failed) >= self.per_key
                for key in keys
            )

    def fail(self, *keys: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._prune(now)
            self._failures.append((now, keys))
