"""The demo server's pushed authorization requests (RFC 9126) by request_uri: who pushed
them, until when they live, and whether one was used (single use, RFC 9126 §7.3)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from authlib.oauth2.rfc9101.errors import InvalidRequestUriError

__all__ = ["REQUEST_URI_PREFIX", "PushedRequests"]

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"


@dataclass
class _Pushed:
    client_id: str
    params: Mapping[str, str]
    expires_at: float
    used: bool = False


class PushedRequests:
    """The pushed requests by request_uri (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, _Pushed] = {}

    def add(self, client_id: str, params: Mapping[str, str], ttl: int) -> str:
        uri = REQUEST_URI_PREFIX + secrets.token_urlsafe(24)
        now = time.time()
        with self._lock:
            self._items = {k: v for k, v in self._items.items() if v.expires_at > now - 600}
            self._items[uri] = _Pushed(client_id, dict(params), now + ttl)
        return uri

    def resolve(self, uri: str, client_id: str) -> Mapping[str, str]:
        """The parameters pushed as ``uri`` by ``client_id``, or an error saying why not."""
        with self._lock:
            item = self._items.get(uri)
            if item is None or item.client_id != client_id:
                raise InvalidRequestUriError(
                    "This request_uri is unknown to the server or was pushed by another client."
                    " Push the authorization request again."
                )
            if item.used:
                raise InvalidRequestUriError(
                    "This request_uri was already used: each one answers one authorization"
                    " request (RFC 9126 section 7.3). Push the authorization request again."
                )
            late = time.time() - item.expires_at
            if late >= 0:
                raise InvalidRequestUriError(
                    f"This request_uri expired {late:.0f} s ago. Push the authorization request"
                    " again."
                )
            return dict(item.params)

    def use_up(self, uri: str) -> None:
        with self._lock:
            item = self._items.get(uri)
            if item is not None:
                item.used = True
