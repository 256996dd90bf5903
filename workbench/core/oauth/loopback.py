"""RFC 8252 §7.3 loopback redirect listener: 127.0.0.1 only, ephemeral port, one callback.

For the implicit grant the parameters are in the URL fragment, which a browser never sends to a
server: the listener first serves a small page whose script posts ``location.hash`` back to it.
With ``response_mode=form_post`` (or ``form_post.jwt``) the server's page posts the response
itself: the listener then takes it as a form POST only.

Anything on the machine (another user's process, a page on another site) can reach the port,
so the listener must not be disrupted by what it did not ask for:

* connections are served concurrently, at most ``ConnectionLimits.max_connections`` at once
  (more are closed at once), each bounded in time (silence between reads and a deadline for
  the whole request, so a request dripped byte by byte cannot hold its thread) and in size;
* it knows the ``state`` the sign-in sent: a callback without it or with another one is
  answered 400, kept in :attr:`LoopbackListener.rejected`, and the wait goes on for the real
  one (RFC 6749 §10.12); the first callback with the right state ends the wait, later ones
  are answered 409;
* malformed requests are answered 400 and nothing is ever written to stderr.
"""

from __future__ import annotations

import collections
import contextlib
import hmac
import html
import io
import queue
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Literal
from urllib.parse import SplitResult, parse_qsl, urlsplit

from workbench.core.errors import FlowError, TokenError
from workbench.core.tokens.decode import decode_jwt

Mode = Literal["query", "fragment", "form_post"]
POLL_SLICE = 0.1
IDLE_CONNECTION_TIMEOUT = 2.0
CONNECTION_DEADLINE = 5.0
MAX_CONNECTIONS = 32
MAX_BODY_BYTES = 64 * 1024
MAX_REQUEST_BYTES = 2 * MAX_BODY_BYTES  # request line, headers and body of one connection
KEEP_REJECTED = 20  # the most recent rejected callbacks kept for the caller
LINGER = 0.5  # seconds a served connection is drained before it is closed
CLOSE_GRACE = 2.0  # seconds close() waits for the connection threads it cut off

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Token Workbench</title>
<style>body{{font:16px system-ui,sans-serif;margin:15vh auto;max-width:34em;text-align:center;
color:#222}}h1{{font-size:1.4em}}.err{{color:#a40000}}</style></head>
<body><h1 class="{cls}">{title}</h1><p>{text}</p></body></html>"""

_FRAGMENT_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Token Workbench</title>
</head><body><p id="msg">Passing the response to Token Workbench…</p><script>
const form = location.hash.substring(1) || location.search.substring(1);
fetch(location.pathname, {method: "POST", body: form,
  headers: {"Content-Type": "application/x-www-form-urlencoded"}})
.then(r => r.text())
.then(t => { document.open(); document.write(t); document.close(); })
.catch(e => {
  document.getElementById("msg").textContent = "Could not reach Token Workbench: " + e;
});
</script></body></html>"""

_STILL_WAITING = "Token Workbench is still waiting for the response to its own sign-in."

#: What to do when the system browser could not be opened (the CLI and the app both say it).
OPEN_BY_HAND = (
    "Open the authorize URL by hand in a browser on this machine: the redirect comes back to"
    " 127.0.0.1, where the workbench waits for it."
)


def _page(ok: bool, detail: str = "", title: str = "Sign-in failed") -> bytes:
    if ok:
        title, text, cls = "Done", "You can close this tab and return to Token Workbench.", ""
    else:
        text, cls = html.escape(detail), "err"
    return _PAGE.format(title=html.escape(title), text=text, cls=cls).encode("utf-8")


@dataclass(frozen=True)
class ConnectionLimits:
    """How much one connection to the listener may take (issue 7 §4)."""

    idle_timeout: float = IDLE_CONNECTION_TIMEOUT  # seconds of silence between two reads
    deadline: float = CONNECTION_DEADLINE  # seconds from accept to the whole request read
    max_connections: int = MAX_CONNECTIONS  # served at once; more are closed on accept
    max_request_bytes: int = MAX_REQUEST_BYTES  # read from one connection, all told


@dataclass(frozen=True)
class RejectedCallback:
    """A request to the redirect path that was not this sign-in's response."""

    reason: str
    params: Mapping[str, str]
    received_at: float  # time.time()


def _jarm_state(token: str) -> str | None:
    """The ``state`` claim of a JARM response, unverified (only to route the answer)."""
    try:
        state = decode_jwt(token).claims.get("state")
    except TokenError:
        return None
    return state if isinstance(state, str) else None


class _RequestTooLarge(Exception):
    """The connection sent more than ``max_request_bytes``."""


class _BoundedReader(io.RawIOBase):
    """A socket's read side that gives up after ``deadline`` and ``budget`` bytes.

    Each read waits at most the idle timeout and never past the connection's deadline, so a
    client sending one byte at a time still loses its connection when the deadline comes.
    """

    def __init__(self, sock: socket.socket, limits: ConnectionLimits) -> None:
        super().__init__()
        self._sock = sock
        self._idle = limits.idle_timeout
        self._deadline = time.monotonic() + limits.deadline
        self._budget = limits.max_request_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the connection's deadline passed")
        if self._budget <= 0:
            raise _RequestTooLarge
        view = memoryview(buffer).cast("B")
        self._sock.settimeout(min(self._idle, left))
        count = self._sock.recv_into(view[: self._budget])
        self._budget -= count
        return count


class _Server(HTTPServer):
    """One daemon thread per connection, at most ``max_connections`` of them, all silent."""

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        limits: ConnectionLimits,
    ) -> None:
        self.limits = limits
        self._slots = threading.Semaphore(limits.max_connections)
        self._lock = threading.Lock()
        self._open: dict[socket.socket, threading.Thread] = {}
        self._closing = False
        super().__init__(address, handler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        # False closes the connection at once (socketserver calls shutdown_request).
        return not self._closing and self._slots.acquire(blocking=False)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name=f"loopback-{self.server_address[1]}-connection",
            daemon=True,
        )
        with self._lock:
            self._open[request] = thread
        try:
            thread.start()
        except BaseException:
            with self._lock:
                self._open.pop(request, None)
            self._slots.release()
            raise

    def _serve_connection(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
            self._linger(request)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self._lock:
                self._open.pop(request, None)
            self._slots.release()

    def _linger(self, request: socket.socket) -> None:
        """Read what the client still sends, for a moment, before closing: closing with unread
        input resets the connection, and the client may lose the answer (a 4xx) with it."""
        with contextlib.suppress(OSError):
            request.shutdown(socket.SHUT_WR)
            until = time.monotonic() + LINGER
            drained = 0
            while (
                left := until - time.monotonic()
            ) > 0 and drained < self.limits.max_request_bytes:
                request.settimeout(left)
                chunk = request.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that failed (reset by its client, hostile bytes) is dropped quietly:
        the default prints a traceback to stderr."""

    def drop_connections(self, grace: float) -> None:
        """Cut every open connection and wait up to ``grace`` seconds for their threads."""
        with self._lock:
            self._closing = True
            open_now = list(self._open.items())
        for sock, _thread in open_now:
            with contextlib.suppress(OSError):  # already gone
                sock.shutdown(socket.SHUT_RDWR)
        until = time.monotonic() + grace
        for _sock, thread in open_now:
            thread.join(timeout=max(0.0, until - time.monotonic()))


class LoopbackListener:
    """Listen on ``http://127.0.0.1:<port>/<path>`` for the authorization response whose
    ``state`` is the one the sign-in sent."""

    def __init__(
        self,
        port: int = 0,
        path: str = "/callback",
        mode: Mode = "query",
        *,
        state: str,
        limits: ConnectionLimits | None = None,
        stateless: bool = False,
        jarm: bool = False,
    ) -> None:
        """``stateless``: a redirect with no parameters at all is accepted too (Cognito's
        ``/logout`` redirects to its ``logout_uri`` bare); the caller then knows the answer
        cannot be tied to its request. A redirect with another state is refused all the same.
        ``jarm``: the response is one ``response`` JWT (JARM) whose ``state`` claim is read,
        unverified, to tell this sign-in's answer from others; the caller verifies it."""
        if not state:
            raise ValueError("the listener needs the state the authorization request sent")
        self.path = "/" + path.lstrip("/")
        self.mode = mode
        self.state = state
        self.stateless = stateless
        self.jarm = jarm
        self.limits = limits or ConnectionLimits()
        self._results: queue.Queue[dict[str, str]] = queue.Queue(maxsize=1)
        self._lock = threading.Lock()
        self._accepted = False
        self._rejected: collections.deque[RejectedCallback] = collections.deque(
            maxlen=KEEP_REJECTED
        )
        self._rejected_count = 0
        handler = self._make_handler()
        try:
            self._server = _Server(("127.0.0.1", port), handler, self.limits)
        except OSError as exc:
            raise FlowError(
                f"Cannot listen on 127.0.0.1:{port} for the redirect: {exc.strerror or exc}. "
                "Pick another port or 0 for any free one.",
                kind="listen",
            ) from exc
        self._server.timeout = POLL_SLICE
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    @property
    def rejected(self) -> tuple[RejectedCallback, ...]:
        """The most recent callbacks refused for their state (at most ``KEEP_REJECTED``)."""
        with self._lock:
            return tuple(self._rejected)

    @property
    def rejected_count(self) -> int:
        """How many callbacks were refused in all."""
        with self._lock:
            return self._rejected_count

    def start(self) -> LoopbackListener:
        self._thread = threading.Thread(
            target=self._serve, name=f"loopback-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                self._server.handle_request()
            except (OSError, ValueError):
                # close() gave up waiting for this loop and closed the socket under it.
                if self._stop.is_set():
                    return
                raise

    def wait(self, timeout: float = 300.0, cancel: threading.Event | None = None) -> dict[str, str]:
        """Block until the callback with the right state arrives; FlowError on timeout or
        cancel. Always closes."""
        deadline = time.monotonic() + timeout
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                if cancel is not None and cancel.is_set():
                    raise FlowError("Sign-in cancelled.", kind="cancelled")
                try:
                    return self._results.get(timeout=min(POLL_SLICE, remaining))
                except queue.Empty:
                    pass
            raise FlowError(
                f"No redirect arrived within {timeout:g} s. Was the sign-in finished in the "
                f"browser?{self._rejections_told()} Start again to retry.",
                kind="timeout",
            )
        finally:
            self.close()

    def _rejections_told(self) -> str:
        with self._lock:
            count, last = self._rejected_count, self._rejected[-1] if self._rejected else None
        if last is None:
            return ""
        times = "once" if count == 1 else f"{count} times"
        return f" A response that was not this sign-in's was refused {times}; last: {last.reason}"

    def close(self) -> None:
        """Stop listening, release the port and cut open connections; safe to call twice."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        self._server.server_close()
        self._server.drop_connections(CLOSE_GRACE)

    def __enter__(self) -> LoopbackListener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- called from the connection threads ---------------------------------------------------
    def _refusal(self, params: Mapping[str, str]) -> str | None:
        """Why ``params`` are not this sign-in's response, or None when they are."""
        got = params.get("state")
        if self.jarm and not got and params.get("response"):
            got = _jarm_state(params["response"])
        if got:
            if hmac.compare_digest(got.encode("utf-8"), self.state.encode("utf-8")):
                return None
            return (
                "The response's state is not the one this sign-in sent: it belongs to another "
                "sign-in or was forged (RFC 6749 §10.12)."
            )
        reason = "The response carries no state, but this sign-in sent one (RFC 6749 §10.12)."
        if "error" in params:
            described = params.get("error_description")
            error = f"{params['error']}: {described}" if described else params["error"]
            reason += (
                f" It reports the error {error!r}; a server leaves state out of an error "
                "response only when it could not read the request, so it cannot be tied to "
                "this sign-in."
            )
        return reason

    def _reject(self, reason: str, params: Mapping[str, str]) -> None:
        with self._lock:
            self._rejected.append(RejectedCallback(reason, dict(params), time.time()))
            self._rejected_count += 1

    def _claim(self) -> bool:
        """True for the first callback with the right state, False for any later one."""
        with self._lock:
            if self._accepted:
                return False
            self._accepted = True
            return True

    def _make_handler(self) -> type[BaseHTTPRequestHandler]:
        listener = self
        limits = self.limits

        class Handler(BaseHTTPRequestHandler):
            timeout = limits.idle_timeout
            # Garbage in the request line is answered with a status line, not HTTP/0.9 style.
            default_request_version = "HTTP/1.0"

            def setup(self) -> None:
                super().setup()
                plain = self.rfile
                self.rfile = io.BufferedReader(_BoundedReader(self.connection, limits))
                plain.close()

            def handle_one_request(self) -> None:
                try:
                    super().handle_one_request()
                except _RequestTooLarge:
                    self.close_connection = True
                    if not getattr(self, "request_version", ""):
                        self.request_version = "HTTP/1.0"
                    self._send(413, _page(False, "The request is too large."))

            # log_error and log_request both end here: nothing reaches stderr.
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, body: bytes) -> None:
                self.close_connection = True
                self.connection.settimeout(limits.idle_timeout)
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def _url(self) -> SplitResult | None:
                try:
                    return urlsplit(self.path)
                except ValueError:
                    self._send(400, _page(False, "The request target cannot be read."))
                    return None

            def do_GET(self) -> None:
                url = self._url()
                if url is None:
                    return
                if url.path != listener.path:
                    self._send(404, _page(False, "Not the redirect path."))
                    return
                if listener.mode == "fragment" and not url.query:
                    self._send(200, _FRAGMENT_PAGE.encode("utf-8"))
                    return
                if listener.mode == "form_post":
                    self._send(405, _page(False, "This sign-in takes its response as a form POST."))
                    return
                self._finish(dict(parse_qsl(url.query, keep_blank_values=True)))

            def do_POST(self) -> None:
                url = self._url()
                if url is None:
                    return
                if url.path != listener.path:
                    self._send(404, _page(False, "Not the redirect path."))
                    return
                if listener.mode == "query":
                    self._send(405, _page(False, "This redirect path takes no POST."))
                    return
                length = self._content_length()
                if length is None:
                    return
                body = self.rfile.read(length)
                if len(body) < length:
                    self._send(400, _page(False, "The body is shorter than its Content-Length."))
                    return
                text = body.decode("utf-8", errors="replace")
                self._finish(dict(parse_qsl(text, keep_blank_values=True)))

            def _content_length(self) -> int | None:
                """The body's declared length, or None once a 4xx answer was sent."""
                if "Transfer-Encoding" in self.headers:
                    self._send(411, _page(False, "Send the body with a Content-Length."))
                    return None
                values = {v.strip() for v in self.headers.get_all("Content-Length") or []}
                if not values:
                    self._send(411, _page(False, "Send the body with a Content-Length."))
                    return None
                raw = values.pop()
                if values or not (raw.isascii() and raw.isdigit()):
                    self._send(400, _page(False, "The Content-Length is not one number."))
                    return None
                length = int(raw)
                if length > MAX_BODY_BYTES:
                    self._send(413, _page(False, "The body is too large."))
                    return None
                return length

            def _finish(self, params: dict[str, str]) -> None:
                if not params and listener.stateless and listener._claim():
                    try:
                        self._send(200, _page(True))
                    finally:
                        listener._results.put_nowait(params)
                    return
                if not params:
                    self._send(400, _page(False, "The redirect carried no parameters."))
                    return
                refusal = listener._refusal(params)
                if refusal is not None:
                    listener._reject(refusal, params)
                    detail = f"{refusal} {_STILL_WAITING}"
                    self._send(400, _page(False, detail, title="Response refused"))
                    return
                if not listener._claim():
                    self._send(409, _page(False, "A response was already received."))
                    return
                # Answer first, then hand the response over: the waiting side closes the
                # listener (and cuts connections) as soon as it has it.
                try:
                    if "error" in params:
                        detail = params.get("error_description") or params["error"]
                        self._send(200, _page(False, f"{params['error']}: {detail}"))
                    else:
                        self._send(200, _page(True))
                finally:
                    listener._results.put_nowait(params)

        return Handler


__all__ = [
    "ConnectionLimits",
    "LoopbackListener",
    "RejectedCallback",
]
