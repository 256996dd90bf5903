"""The only module that sends HTTP. Every exchange is recorded, masked, with a curl twin.

Builders elsewhere return an :class:`HttpRequest` value; :class:`HttpClient` sends it, records an
:class:`Exchange` in the :class:`ExchangeLog`, and returns an :class:`HttpResponse` for a
``parse_*`` function. Connection problems become :class:`TransportError`; status codes are left
to the parsers, which know what an OAuth error response looks like.

Every response is bounded (issue 7 §2): the body is streamed and cut off past a size cap
(:data:`DEFAULT_MAX_BYTES`, per client, or per request via ``HttpRequest.max_bytes``), and the
whole exchange (connect, headers, body) must end within a total deadline
(:data:`DEFAULT_DEADLINE`), however slowly the server drips its bytes. JSON is parsed with a
nesting limit (:mod:`workbench.core.transport.bounded_json`).

A request can be cancelled while it is in flight: :class:`CancelToken` is a cancel event that,
when set, shuts down the connection of the request its thread is sending (the same mechanism as
the deadline's watchdog), so a server that accepts and never answers is left at once and the
caller gets :class:`~workbench.core.errors.Cancelled`. The token reaches ``send`` through
:func:`cancel_scope` (thread-local), so no flow function needs a cancel parameter of its own.

A :class:`RequestSigner` given to the client is called by ``send`` for every request, with the
method, URL, headers and body exactly as they go out, and may add headers (a DPoP proof,
RFC 9449, is signed over the final URL); it then sees the response (a server's DPoP nonce).
Headers it calls secret are masked in the exchange log and become variables in the curl twin.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import ReadTimeoutError
from urllib3.poolmanager import ProxyManager

from workbench import __version__
from workbench.core.display import printable
from workbench.core.errors import Cancelled, TransportError
from workbench.core.transport import bounded_json
from workbench.core.transport.curl import to_curl
from workbench.core.transport.masking import (
    mask_body,
    mask_headers,
    mask_mapping,
    mask_text,
    mask_url,
)
from workbench.core.transport.signer import (
    NO_SIGNER,
    OutgoingRequest,
    RequestSigner,
    SignedHeaders,
    sign,
)

DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read (seconds): each bounds one wait on the socket
DEFAULT_MAX_BYTES = 4 * 1024 * 1024  # the largest response body read (JSON documents are small)
DEFAULT_DEADLINE = 60.0  # seconds for a whole exchange: connect, headers and body together
READ_CHUNK = 16 * 1024  # bytes asked of the connection per read while streaming a body
RECORDED_PARTIAL = 64 * 1024  # how much of a cut-off body the exchange log keeps


@dataclass(frozen=True)
class HttpRequest:
    """A request value built by a ``build_*`` function; nothing is sent until HttpClient.send."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] | None = None
    basic_auth: tuple[str, str] | None = None
    purpose: str = ""
    #: The size cap for this response when it needs another than the client's (bytes).
    max_bytes: int | None = None

    def all_headers(self) -> dict[str, str]:
        """Headers as sent, including the Basic credentials (RFC 6749 §2.3.1 encoding)."""
        headers = {"Accept": "application/json", **self.headers}
        if self.basic_auth is not None:
            user, secret = self.basic_auth
            raw = f"{quote(user, safe='')}:{quote(secret, safe='')}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(raw).decode("ascii")
        if self.form is not None:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return headers

    def body(self) -> bytes | None:
        return urlencode(dict(self.form)).encode("ascii") if self.form is not None else None


@dataclass(frozen=True)
class HttpResponse:
    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes
    url: str = ""

    @property
    def content_type(self) -> str:
        for key, value in self.headers.items():
            if key.lower() == "content-type":
                return value
        return ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON, or a TransportError saying in words what came instead.

        ``not_json`` for a body that is not JSON at all; ``invalid_document`` for JSON nested
        deeper than :data:`bounded_json.MAX_DEPTH` or holding a number Python will not convert.
        """
        try:
            return bounded_json.loads(self.body)
        except bounded_json.JsonTooDeep as exc:
            raise TransportError(
                f"{_host(self.url)} answered with JSON nested more than {exc.limit} levels deep; "
                "no OAuth or OpenID document is, so it was not read.",
                kind="invalid_document",
                status=self.status,
            ) from None
        except ValueError as exc:
            if "integer string conversion" in str(exc):
                raise TransportError(
                    f"{_host(self.url)} answered with JSON holding a number thousands of digits "
                    "long; it was not read.",
                    kind="invalid_document",
                    status=self.status,
                ) from None
            raise TransportError(
                describe_non_json(self), kind="not_json", status=self.status
            ) from None


def _host(url: str) -> str:
    return urlsplit(url).netloc or "the server"


def describe_non_json(resp: HttpResponse) -> str:
    """A person's description of a body that should have been JSON."""
    ctype = resp.content_type.split(";")[0].strip() or "no content type"
    what = "an HTML page" if "html" in ctype or resp.text.lstrip()[:1] == "<" else ctype
    if not resp.body.strip():
        what = "an empty body"
    host = urlsplit(resp.url).netloc or "the server"
    return (
        f"{host} answered {resp.status} {resp.reason} with {what} instead of JSON. "
        "Check the endpoint URL (is this the OAuth server?)."
    )


@dataclass(frozen=True)
class Exchange:
    """One recorded request/response pair, masked; ``curl`` is runnable with env-var secrets."""

    id: int
    started_at: float
    purpose: str
    method: str
    url: str
    request_headers: Mapping[str, str]
    request_form: Mapping[str, str] | None
    status: int | None
    reason: str
    response_headers: Mapping[str, str]
    response_body: str
    duration_ms: float
    error: str | None
    curl: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": self.started_at,
            "purpose": self.purpose,
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": dict(self.request_headers),
                "form": dict(self.request_form) if self.request_form is not None else None,
            },
            "response": {
                "status": self.status,
                "reason": self.reason,
                "headers": dict(self.response_headers),
                "body": self.response_body,
            },
            "duration_ms": round(self.duration_ms, 1),
            "error": self.error,
            "curl": self.curl,
        }


class ExchangeLog:
    """Thread-safe record of every exchange, with listeners (the UI's log dock, the CLI's -v)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Exchange] = []
        self._listeners: list[Callable[[Exchange], None]] = []
        self._secrets: set[str] = set()
        self._ids = itertools.count(1)

    def add_secret(self, value: str | None) -> None:
        """Remember a secret value so it is masked wherever it appears in a body."""
        if value:
            with self._lock:
                self._secrets.add(value)

    def secrets(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._secrets)

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def append(self, exchange: Exchange) -> None:
        with self._lock:
            self._items.append(exchange)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(exchange)

    def subscribe(self, listener: Callable[[Exchange], None]) -> Callable[[], None]:
        """Call ``listener`` for each new exchange (on the sending thread); returns unsubscribe."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def items(self) -> list[Exchange]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


# -- cancellation -----------------------------------------------------------------------------


class CancelToken(threading.Event):
    """A cancel event that also stops what its thread is waiting for, at once.

    It is a :class:`threading.Event` (the core's waits, device polling and the loopback
    listener, take it as their ``cancel``); setting it also runs the hooks registered with
    :meth:`on_cancel`: the request in flight shuts its socket down, a caller waiting for another
    thread's discovery wakes up. Hooks run on the cancelling thread and must be quick.
    """

    def __init__(self) -> None:
        super().__init__()
        self._hooks_lock = threading.Lock()
        self._hooks: dict[int, Callable[[], None]] = {}
        self._hook_ids = itertools.count()

    def set(self) -> None:
        super().set()
        with self._hooks_lock:
            hooks = list(self._hooks.values())
        for hook in hooks:
            hook()

    def cancel(self) -> None:
        self.set()

    def on_cancel(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Run ``hook`` when the token is set (at once if it already is); returns a remover."""
        with self._hooks_lock:
            key = next(self._hook_ids)
            self._hooks[key] = hook
        if self.is_set():  # set before or while registering: the hook may run twice, never 0
            hook()

        def remove() -> None:
            with self._hooks_lock:
                self._hooks.pop(key, None)

        return remove

    def check(self, what: str = "Cancelled.") -> None:
        """Raise :class:`Cancelled` when the token is set."""
        if self.is_set():
            raise Cancelled(what)


_cancel_scope = threading.local()  # .token: the CancelToken of the work this thread runs


@contextlib.contextmanager
def cancel_scope(token: CancelToken | None) -> Iterator[CancelToken | None]:
    """Every request this thread sends inside the block is cancelled by ``token``."""
    previous: CancelToken | None = getattr(_cancel_scope, "token", None)
    _cancel_scope.token = token
    try:
        yield token
    finally:
        _cancel_scope.token = previous


def current_cancel() -> CancelToken | None:
    """The cancel token of the work running on this thread, if any."""
    token: CancelToken | None = getattr(_cancel_scope, "token", None)
    return token


# -- the total deadline ---------------------------------------------------------------------
#
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

_in_flight = threading.local()  # .watchdog: the _Watchdog of the request this thread is sending


class _Watchdog:
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
    watchdog: _Watchdog | None = getattr(_in_flight, "watchdog", None)
    if watchdog is not None:
        watchdog.watch(connection)


def _report_new_socket(sock: socket.socket) -> None:
    watchdog: _Watchdog | None = getattr(_in_flight, "watchdog", None)
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


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter with connection pools whose connections report to the watchdog."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(*args, **kwargs)
        if isinstance(manager, ProxyManager):  # not SOCKS: that one has its own classes
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


@dataclass(frozen=True)
class _Transfer:
    """What one send produced: a response (whole, or cut off), an error, or both."""

    response: HttpResponse | None
    error: TransportError | Cancelled | None = None
    cut_off_at: int | None = None  # bytes of body received when the reading was stopped


class HttpClient:
    """Sends :class:`HttpRequest` values with timeouts and TLS verification, recording each.

    ``max_bytes`` caps the size of a response body and ``deadline`` the seconds a whole
    exchange may take; a response past either ends in a TransportError (``too_large``,
    ``deadline``) and its connection is closed.
    """

    def __init__(
        self,
        log: ExchangeLog | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        verify_tls: bool = True,
        max_bytes: int = DEFAULT_MAX_BYTES,
        deadline: float = DEFAULT_DEADLINE,
        signer: RequestSigner = NO_SIGNER,
    ) -> None:
        self.log = log if log is not None else ExchangeLog()
        self.signer = signer
        self.timeout = timeout
        self.verify_tls = verify_tls
        self.max_bytes = max_bytes
        self.deadline = deadline
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def _session(self) -> requests.Session:
        # requests.Session is not thread-safe: one per thread, kept for connection reuse.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = f"TokenWorkbench/{__version__}"
            adapter = _WatchedAdapter()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        """Close every thread's connections (call when no request is in flight)."""
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()

    def send(self, req: HttpRequest) -> HttpResponse:
        """Send ``req``; raise TransportError when no whole HTTP answer came back in bounds.

        Inside a :func:`cancel_scope` whose token is (or becomes) set, raise
        :class:`Cancelled`: nothing is sent after a cancel, and a request in flight has its
        connection closed.
        """
        token = current_cancel()
        if token is not None:
            token.check()
        headers = req.all_headers()
        outgoing = OutgoingRequest(req.method, req.url, dict(headers), req.body(), req.purpose)
        signed = sign(self.signer, outgoing)
        started = time.time()
        t0 = time.perf_counter()
        transfer = self._transfer(req, signed.headers, token)
        duration = (time.perf_counter() - t0) * 1000.0
        if token is not None and token.is_set() and not isinstance(transfer.error, Cancelled):
            # Cancelled meanwhile: whatever else ended the transfer (a connect timeout, a
            # complete answer) is moot; the person asked to stop.
            transfer = replace(transfer, error=_cancelled(req.url))
        self._record(req, signed, transfer, started, duration)
        if transfer.response is not None:
            self.signer.observe(outgoing, transfer.response)
        if transfer.error is not None:
            raise transfer.error
        assert transfer.response is not None
        return transfer.response

    def _transfer(
        self, req: HttpRequest, headers: dict[str, str], token: CancelToken | None = None
    ) -> _Transfer:
        limit = self.max_bytes if req.max_bytes is None else req.max_bytes
        ends_at = time.monotonic() + self.deadline
        connect, read = self.timeout
        watchdog = _Watchdog(self.deadline)
        _in_flight.watchdog = watchdog
        watchdog.start()
        forget_cancel = token.on_cancel(watchdog.abort) if token is not None else None
        raw: requests.Response | None = None
        try:
            try:
                raw = self._session().request(
                    req.method,
                    req.url,
                    headers=headers,
                    data=req.body(),
                    timeout=(min(connect, self.deadline), min(read, self.deadline)),
                    verify=self.verify_tls,
                    allow_redirects=False,
                    stream=True,  # headers only; the body is read below, within bounds
                )
            except requests.exceptions.RequestException as exc:
                if watchdog.cancelled:
                    return _Transfer(None, _cancelled(req.url))
                if watchdog.fired:
                    return _Transfer(None, self._deadline_error(req.url, None))
                return _Transfer(None, transport_error(exc, req.url, self.timeout))
            except ValueError as exc:  # urllib3's LocationParseError, urlsplit on "http://[::1"
                return _Transfer(
                    None, TransportError(f"Invalid URL {req.url!r}: {exc}", kind="invalid_url")
                )
            head = HttpResponse(
                status=raw.status_code,
                reason=raw.reason or "",
                headers=dict(raw.headers),
                body=b"",
                url=req.url,
            )
            announced = _content_length(head.headers)
            if announced is not None and announced > limit:
                error = TransportError(
                    f"{_host(req.url)} announced a response of {_size(announced)} "
                    f"(Content-Length), more than the {_size(limit)} size limit for one "
                    "response; it was not read.",
                    kind="too_large",
                    status=head.status,
                )
                return _Transfer(head, error, cut_off_at=0)
            return self._read_body(raw, head, limit, ends_at, watchdog)
        finally:
            if forget_cancel is not None:
                forget_cancel()
            watchdog.stop()
            _in_flight.watchdog = None
            if raw is not None:
                # A body read to its end has already gone back to the pool; anything else
                # (cut off, failed, or its socket shut by the watchdog) is closed here, so no
                # half-read connection is ever reused.
                raw.close()

    def _read_body(
        self,
        raw: requests.Response,
        head: HttpResponse,
        limit: int,
        ends_at: float,
        watchdog: _Watchdog,
    ) -> _Transfer:
        """Stream the body in pieces, stopping at the size cap or the deadline."""
        pieces: list[bytes] = []
        received = 0

        def cut_off(error: TransportError) -> _Transfer:
            kept = b"".join(pieces)[:RECORDED_PARTIAL]
            return _Transfer(replace(head, body=kept), error, cut_off_at=received)

        # urllib3's response. read1() makes one read of the socket per call (so every byte is
        # counted the moment it arrives, and the clock is checked between arrivals), leaves
        # chunked framing to http.client, which caps the length of a chunk-size line (urllib3's
        # own chunk reader does not), and decompresses at most READ_CHUNK bytes per call, so a
        # small gzip body cannot inflate past the cap in one step either.
        stream = raw.raw
        read = getattr(stream, "read1", stream.read)  # urllib3 1.26 has no read1
        try:
            while True:
                piece = read(READ_CHUNK, decode_content=True)
                if not piece:
                    break
                received += len(piece)
                pieces.append(piece)
                if received > limit:
                    return cut_off(
                        TransportError(
                            f"{_host(head.url)} sent a response larger than the {_size(limit)} "
                            f"size limit for one response; the transfer was stopped after "
                            f"{_size(received)}.",
                            kind="too_large",
                            status=head.status,
                        )
                    )
                if time.monotonic() >= ends_at:
                    return cut_off(self._deadline_error(head.url, received, head.status))
        except (Urllib3Error, requests.exceptions.RequestException, OSError) as exc:
            if watchdog.cancelled:
                return _Transfer(
                    replace(head, body=b"".join(pieces)[:RECORDED_PARTIAL]),
                    _cancelled(head.url),
                    cut_off_at=received,
                )
            if watchdog.fired or time.monotonic() >= ends_at:
                return cut_off(self._deadline_error(head.url, received, head.status))
            if isinstance(exc, ReadTimeoutError):
                message = (
                    f"{_host(head.url)} stopped sending its response for {self.timeout[1]:g} s "
                    f"(read timeout) after {_size(received)} of body."
                )
                return cut_off(TransportError(message, kind="timeout", status=head.status))
            message = (
                f"The connection to {_host(head.url)} broke after {_size(received)} of the "
                f"response body: {exc}"
            )
            return cut_off(TransportError(message, kind="network", status=head.status))
        return _Transfer(replace(head, body=b"".join(pieces)))

    def _deadline_error(
        self, url: str, received: int | None, status: int | None = None
    ) -> TransportError:
        if received is None:
            what = "did not answer"
            tail = "no response headers had arrived."
        else:
            what = "did not finish its response"
            tail = f"{_size(received)} of body had arrived."
        return TransportError(
            f"{_host(url)} {what} within the {self.deadline:g} s limit for a whole exchange "
            f"(total deadline); the connection was closed. {tail[0].upper()}{tail[1:]}",
            kind="deadline",
            status=status,
        )

    def get_json(self, url: str, purpose: str = "") -> Any:
        """GET a JSON document (discovery, JWKS); non-200 or non-JSON is a TransportError."""
        resp = self.send(HttpRequest("GET", url, purpose=purpose))
        if resp.status != 200:
            if resp.content_type.startswith("application/json") or resp.text.startswith("{"):
                # Quoted as the log shows it: masked by field and by every known secret.
                detail = printable(mask_body(resp.body, resp.content_type, self.log.secrets()))
                detail = detail if len(detail) <= 200 else detail[:199] + "…"
            else:
                detail = describe_non_json(resp)
            raise TransportError(
                f"GET {url} answered {resp.status} {resp.reason}: {detail}",
                kind="http",
                status=resp.status,
            )
        return resp.json()

    def _record(
        self,
        req: HttpRequest,
        signed: SignedHeaders,
        transfer: _Transfer,
        started: float,
        duration: float,
    ) -> None:
        sent = _request_secrets(req, signed.headers) | set(signed.secret.values())
        for value in sent:  # known from now on: masked in every later record and message
            self.log.add_secret(value)
        secrets = self.log.secrets() | sent
        resp, error = transfer.response, transfer.error
        body = ""
        if resp is not None:
            body = mask_body(resp.body, resp.content_type, secrets)
            if transfer.cut_off_at is not None:
                shown = _size(len(resp.body)) if resp.body else "nothing"
                body += f"\n… [body cut off: {_size(transfer.cut_off_at)} received, {shown} shown]"
        exchange = Exchange(
            id=self.log.next_id(),
            started_at=started,
            purpose=req.purpose,
            method=req.method,
            url=mask_url(mask_text(req.url, secrets)),
            request_headers=signed.mask(mask_headers(signed.headers)),
            request_form=mask_mapping(req.form) if req.form is not None else None,
            status=resp.status if resp else None,
            reason=resp.reason if resp else "",
            response_headers=mask_headers(dict(resp.headers)) if resp else {},
            response_body=body,
            duration_ms=duration,
            error=str(error) if error else None,
            curl=to_curl(replace(req, headers={**req.headers, **signed.added}), signed.secret),
        )
        self.log.append(exchange)


def _cancelled(url: str) -> Cancelled:
    return Cancelled(
        f"Cancelled: the request to {_host(url)} was stopped and its connection closed."
    )


def _content_length(headers: Mapping[str, str]) -> int | None:
    """The announced body size, or None when absent or unreadable (then bytes are counted)."""
    for key, value in headers.items():
        if key.lower() == "content-length":
            # "10, 10" (a repeated header) counts as its largest value.
            sizes = [v.strip() for v in value.split(",")]
            if sizes and all(v.isdigit() for v in sizes):
                return max(int(v) for v in sizes)
            return None
    return None


def _size(n: int) -> str:
    """A byte count in words: '512 bytes', '64 KiB', '4 MiB', '1.5 GiB'."""
    if n < 1024:
        return f"{n} byte" if n == 1 else f"{n} bytes"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{value:.1f} {unit}".replace(".0 ", " ")


def _request_secrets(req: HttpRequest, headers: Mapping[str, str]) -> set[str]:
    """Every secret this request carries: Basic password, credentials, secret form fields."""
    found: set[str] = set()
    if req.basic_auth is not None:
        found.add(req.basic_auth[1])
    for name, value in headers.items():
        _scheme, _, credentials = value.partition(" ")
        if name.lower() == "authorization" and credentials:
            found.add(credentials.strip())
    try:
        password = urlsplit(req.url).password
    except ValueError:
        password = None
    if password:
        found.add(password)
    for name in ("client_secret", "password", "refresh_token", "code_verifier", "token"):
        if req.form and req.form.get(name):
            found.add(req.form[name])
    return found


def transport_error(
    exc: requests.exceptions.RequestException, url: str, timeout: tuple[float, float]
) -> TransportError:
    """Turn a requests exception into words a person can act on."""
    host = urlsplit(url).netloc or url
    if isinstance(exc, requests.exceptions.SSLError):
        return TransportError(
            f"TLS verification failed for {host}: {_root_cause(exc)}. If this is a test server "
            "with a self-signed certificate, turn off TLS verification for this provider.",
            kind="tls",
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return TransportError(
            f"Could not connect to {host} within {timeout[0]:g} s (connect timeout).",
            kind="timeout",
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return TransportError(
            f"{host} did not answer within {timeout[1]:g} s (read timeout).", kind="timeout"
        )
    if isinstance(exc, requests.exceptions.ConnectionError):
        cause = _root_cause(exc)
        if "refused" in cause.lower():
            return TransportError(
                f"Connection to {host} refused: nothing is listening there. "
                "Is the server running and the URL right?",
                kind="refused",
            )
        if "name or service not known" in cause.lower() or "resolve" in cause.lower():
            return TransportError(f"Cannot resolve the host name {host}.", kind="network")
        return TransportError(f"Could not reach {host}: {cause}", kind="network")
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return TransportError(f"Invalid URL {url!r}: {exc}", kind="invalid_url")
    return TransportError(f"Request to {host} failed: {exc}", kind="network")


def _root_cause(exc: BaseException) -> str:
    seen: BaseException = exc
    while True:
        nxt = seen.__cause__ or seen.__context__
        if nxt is None or nxt is seen:
            break
        seen = nxt
    # urllib3 wraps the OS error inside its args; the message of the deepest one is the clearest.
    for arg in getattr(exc, "args", ()):
        reason = getattr(arg, "reason", None)
        if reason is not None:
            return str(reason)
    return str(seen)
