"""The total deadline and the cancel of a request in flight, enforced on its socket.

:class:`Watchdog` is one request's timer; the watched urllib3 connection and pool classes, mounted
by :class:`WatchedAdapter` on every session of
:class:`~workbench.core.transport.http.HttpClient`, report to the watchdog of the thread that is
sending (set by :func:`in_flight`) which socket carries its request, so the watchdog can shut it
down.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import ProxyManager

if TYPE_CHECKING:
    from workbench.core.transport.cancel import CancelToken

# A socket timeout bounds one wait for bytes, not a whole response: a server sending one byte
# every few seconds never trips a 30 s read timeout, and its 1000 bytes take an hour. Checking
# the clock between body reads is not enough either: reading the status line, the headers or a
# chunk-size line loops over many socket reads inside http.client, and the last wait of a stalled
# body can itself last the whole read timeout. So each request gets
# a watchdog timer set to the deadline. Our connection classes below tell the watchdog of the
# thread that is sending which connection carries its request (in ``request()``, before the
# request is written); when the deadline passes the watchdog shuts that socket down, and a
# shutdown wakes any read blocked on it at once, in whatever layer (http.client, urllib3, TLS).
# The read then fails, and ``send`` sees that the watchdog fired and reports the deadline. This
# makes every wait min(read timeout, time left) without touching library internals. The connect
# itself runs before ``request()`` registers the connection; it is bounded by the connect
# timeout, which ``send`` caps at the deadline. (A SOCKS proxy uses urllib3's own connection
# classes; there only the clock checks between body reads and the per-read timeout apply.)
# A cancel uses the same path: the CancelToken's hook aborts the watchdog, which shuts the
# socket down the same way, and ``send`` reports Cancelled instead of the deadline.
# A new connection is also reported as soon as its TCP socket is connected (``_new_conn``), as
# a duplicate of the socket's descriptor: the TLS handshake that follows runs before
# ``request()``, on a socket object the handshake replaces, and the duplicate still reaches it.
# (The TCP connect itself stays bounded by the connect timeout alone.)

_in_flight = threading.local()  # .watchdog: the Watchdog of the request this thread is sending


class Watchdog:
    """Shuts down the socket of one request when its deadline passes or it is cancelled."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self.cancelled = False
        self._lock = threading.Lock()
        self._done = False
        self._connection: HTTPConnection | None = None
        self._opening: socket.socket | None = None  # a duplicate of a new connection's socket
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def watch(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connection = connection
            if (self.fired or self.cancelled) and not self._done:
                _shut_down(connection)

    def watch_new_socket(self, sock: socket.socket) -> None:
        """A connection of this request has just connected: keep a duplicate of its socket,
        so the TLS handshake before ``request()`` can be shut down too."""
        try:
            duplicate = sock.dup()
        except OSError:
            return
        with self._lock:
            if self._done:
                previous: socket.socket | None = duplicate
            else:
                previous, self._opening = self._opening, duplicate
                if self.fired or self.cancelled:
                    _shut_down_socket(duplicate)
        if previous is not None:
            previous.close()

    def _shut_all(self) -> None:
        if self._connection is not None:
            _shut_down(self._connection)
        if self._opening is not None:
            _shut_down_socket(self._opening)

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            self._shut_all()

    def abort(self) -> None:
        """Cancel: shut the connection down now (or as soon as it is reported)."""
        with self._lock:
            if self._done:
                return
            self.cancelled = True
            self._shut_all()

    def stop(self) -> None:
        with self._lock:
            self._done = True
            opening, self._opening = self._opening, None
        self._timer.cancel()
        if opening is not None:
            opening.close()  # the duplicate only: the connection keeps its own descriptor


@contextlib.contextmanager
def in_flight(watchdog: Watchdog, token: CancelToken | None = None) -> Iterator[Watchdog]:
    """Start ``watchdog`` as the one this thread's request reports to, aborted by ``token``
    when it is set; after the block, forget the token's hook and stop the watchdog."""
    _in_flight.watchdog = watchdog
    watchdog.start()
    forget_cancel = token.on_cancel(watchdog.abort) if token is not None else None
    try:
        yield watchdog
    finally:
        if forget_cancel is not None:
            forget_cancel()
        watchdog.stop()
        _in_flight.watchdog = None


def _shut_down(connection: HTTPConnection) -> None:
    sock = connection.sock
    if isinstance(sock, socket.socket):
        _shut_down_socket(sock)


def _shut_down_socket(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for an SSLSocket: it wakes the blocked reader without
    # changing TLS state from this (timer) thread. OSError: already closed.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _report_connection(connection: HTTPConnection) -> None:
    watchdog: Watchdog | None = getattr(_in_flight, "watchdog", None)
    if watchdog is not None:
        watchdog.watch(connection)


def _report_new_socket(sock: socket.socket) -> None:
    watchdog: Watchdog | None = getattr(_in_flight, "watchdog", None)
    if watchdog is not None:
        watchdog.watch_new_socket(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _report_new_socket(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _report_connection(self)
        super().request(*args, **kwargs)
        # A plain connection opens its socket inside request(): reported again now that it
        # exists, so a cancel or deadline that came meanwhile shuts it before the read.
        _report_connection(self)


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _report_new_socket(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _report_connection(self)
        super().request(*args, **kwargs)
        _report_connection(self)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS: dict[str, type[HTTPConnectionPool]] = {
    "http": _WatchedHTTPPool,
    "https": _WatchedHTTPSPool,
}


class WatchedAdapter(HTTPAdapter):
    """requests' adapter with connection pools whose connections report to the watchdog."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(*args, **kwargs)
        if isinstance(manager, ProxyManager):  # not SOCKS: that one has its own classes
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager
