"""The demo server's pending CIBA requests (OpenID CIBA Core 1.0), kept with their expiry until
a client redeems, the user decides or they expire: :class:`CibaRequests`, one per server, on
:class:`~workbench.demo.authority.DemoAuthority` (the endpoint and grant are
:mod:`workbench.demo.ciba`)."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from enum import Enum

from authlib.oauth2.rfc6749 import InvalidRequestError

from .accounts import Subject

__all__ = ["CibaRequest", "CibaRequests", "CibaStatus"]

#: Requests kept at most: past it a new request is refused until old ones expire.
MAX_PENDING = 200
#: A poll arriving this much earlier than the interval is still accepted.
_POLL_TOLERANCE = 0.1


class CibaStatus(Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    USED = "used"


@dataclass
class CibaRequest:
    """One backchannel authentication request, waiting for its user."""

    auth_req_id: str = field(repr=False)
    #: A public handle for the approval page (the ``auth_req_id`` never leaves the client's
    #: channel).
    ref: str
    client_id: str
    username: str
    scope: str
    binding_message: str | None
    expires_at: float
    interval: int
    status: CibaStatus = CibaStatus.PENDING
    subject: Subject | None = None
    last_poll: float | None = field(default=None, repr=False)

    def is_expired(self) -> bool:
        return self.expires_at < time.time()

    def seconds_left(self) -> int:
        return max(0, int(self.expires_at - time.time()))


class CibaRequests:
    """The pending requests, by ``auth_req_id`` and by page handle; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._by_id: dict[str, CibaRequest] = {}

    def add(self, request: CibaRequest) -> None:
        with self._lock:
            self._prune()
            if len(self._by_id) >= MAX_PENDING:
                raise InvalidRequestError("Too many pending authentication requests; try later.")
            self._by_id[request.auth_req_id] = request

    def find(self, auth_req_id: str) -> CibaRequest | None:
        with self._lock:
            return self._by_id.get(auth_req_id)

    def pending_for(self, username: str) -> list[CibaRequest]:
        """The requests naming ``username`` still waiting for a decision, oldest first."""
        with self._lock:
            return [
                r
                for r in self._by_id.values()
                if r.username == username and r.status is CibaStatus.PENDING and not r.is_expired()
            ]

    def decide(self, ref: str, subject: Subject, approved: bool) -> str:
        """Record the user's decision on the request ``ref``: ``recorded``, ``unknown``
        (none of theirs), ``expired`` or ``already_decided``."""
        with self._lock:
            found = [r for r in self._by_id.values() if secrets.compare_digest(r.ref, ref)]
            if not found or found[0].username != subject.user.username:
                return "unknown"
            request = found[0]
            if request.is_expired():
                return "expired"
            if request.status is not CibaStatus.PENDING:
                return "already_decided"
            request.status = CibaStatus.APPROVED if approved else CibaStatus.DENIED
            request.subject = subject
            return "recorded"

    def poll_too_fast(self, request: CibaRequest, step: int) -> bool:
        """Note a poll; True (and the interval raised by ``step``) when it came sooner than
        the interval after the previous one (§11 ``slow_down``)."""
        with self._lock:
            now = time.monotonic()
            previous, request.last_poll = request.last_poll, now
            if previous is not None and now - previous + _POLL_TOLERANCE < request.interval:
                request.interval += step
                return True
            return False

    def mark_used(self, request: CibaRequest) -> None:
        with self._lock:
            request.status = CibaStatus.USED

    def _prune(self) -> None:
        # A request is kept a while past its expiry, so late polls get expired_token.
        cutoff = time.time() - 600
        for key in [k for k, r in self._by_id.items() if r.expires_at < cutoff]:
            del self._by_id[key]
