"""The only module that sends HTTP. Every exchange is recorded, masked, with a curl twin.

Builders elsewhere return an :class:`~workbench.core.transport.exchange.HttpRequest` value;
:class:`HttpClient` sends it, records an :class:`~workbench.core.transport.exchange.Exchange` in
the :class:`~workbench.core.transport.exchange.ExchangeLog`, and returns an
:class:`~workbench.core.transport.exchange.HttpResponse` for a ``parse_*`` function. Connection
problems become :class:`TransportError` (:func:`transport_error` words them); status codes are
left to the parsers, which know what an OAuth error response looks like.

Every response is bounded (issue 7 §2): the body is streamed and cut off past a size cap
(:data:`~workbench.core.transport.limits.DEFAULT_MAX_BYTES`, per client, or per request via
``HttpRequest.max_bytes``), and the whole exchange (connect, headers, body) must end within a
total deadline (:data:`~workbench.core.transport.limits.DEFAULT_DEADLINE`), however slowly the
server drips its bytes: :mod:`workbench.core.transport.limits` holds the bounds and their
wording, :mod:`workbench.core.transport.watchdog` the timer that shuts a late request's socket
down. JSON is parsed with a nesting limit (:mod:`workbench.core.transport.bounded_json`).

A request can be cancelled while it is in flight: a
:class:`~workbench.core.transport.cancel.CancelToken` set while ``send`` runs inside its
:func:`~workbench.core.transport.cancel.cancel_scope` aborts the same watchdog, so the connection
is closed at once and the caller gets :class:`~workbench.core.errors.Cancelled`.

A :class:`~workbench.core.transport.signer.RequestSigner` given to the client is called by
``send`` for every request, with the method, URL, headers and body exactly as they go out, and
may add headers (a DPoP proof, RFC 9449, is signed over the final URL); it then sees the response
(a server's DPoP nonce). Headers it calls secret are masked in the exchange log and become
variables in the curl twin.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import ReadTimeoutError

from workbench import __version__
from workbench.core.display import printable
from workbench.core.errors import Cancelled, TransportError
from workbench.core.transport.cancel import CancelToken, current_cancel
from workbench.core.transport.curl import to_curl
from workbench.core.transport.exchange import (
    Exchange,
    ExchangeLog,
    HttpRequest,
    HttpResponse,
    describe_non_json,
    host_of,
    issued_tokens,
    recorded_request_tokens,
    recorded_tokens,
)
from workbench.core.transport.limits import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    READ_CHUNK,
    RECORDED_PARTIAL,
    announced_too_large,
    content_length,
    deadline_error,
    sent_too_large,
    size_in_words,
)
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
from workbench.core.transport.watchdog import Watchdog, WatchedAdapter, in_flight


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
            adapter = WatchedAdapter()
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

        Inside a :func:`~workbench.core.transport.cancel.cancel_scope` whose token is (or
        becomes) set, raise :class:`Cancelled`: nothing is sent after a cancel, and a request in
        flight has its connection closed.

        When the signer asks for it (:meth:`RequestSigner.retry`: a server wants a DPoP
        nonce, RFC 9449 §8), the request is signed and sent once more, never twice; both
        exchanges are recorded.
        """
        return self._send(req, may_retry=True)

    def _send(self, req: HttpRequest, *, may_retry: bool) -> HttpResponse:
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
            if (
                may_retry
                and transfer.error is None
                and self.signer.retry(outgoing, transfer.response)
            ):
                return self._send(req, may_retry=False)
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
        raw: requests.Response | None = None
        try:
            with in_flight(Watchdog(self.deadline), token) as watchdog:
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
                        return _Transfer(None, deadline_error(req.url, self.deadline, None))
                    return _Transfer(None, transport_error(exc, req.url, self.timeout))
                except ValueError as exc:  # urllib3's LocationParseError, urlsplit "http://[::1"
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
                announced = content_length(head.headers)
                if announced is not None and announced > limit:
                    error = announced_too_large(req.url, announced, limit, head.status)
                    return _Transfer(head, error, cut_off_at=0)
                return self._read_body(raw, head, limit, ends_at, watchdog)
        finally:
            if raw is not None:
                # A body read to its end has already gone back to the pool; anything else
                # (cut off, failed, or its socket shut by the watchdog) is closed here, once the
                # watchdog has stopped, so no half-read connection is ever reused.
                raw.close()

    def _read_body(
        self,
        raw: requests.Response,
        head: HttpResponse,
        limit: int,
        ends_at: float,
        watchdog: Watchdog,
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
                    return cut_off(sent_too_large(head.url, limit, received, head.status))
                if time.monotonic() >= ends_at:
                    return cut_off(deadline_error(head.url, self.deadline, received, head.status))
        except (Urllib3Error, requests.exceptions.RequestException, OSError) as exc:
            if watchdog.cancelled:
                return _Transfer(
                    replace(head, body=b"".join(pieces)[:RECORDED_PARTIAL]),
                    _cancelled(head.url),
                    cut_off_at=received,
                )
            if watchdog.fired or time.monotonic() >= ends_at:
                return cut_off(deadline_error(head.url, self.deadline, received, head.status))
            if isinstance(exc, ReadTimeoutError):
                message = (
                    f"{host_of(head.url)} stopped sending its response for {self.timeout[1]:g} s "
                    f"(read timeout) after {size_in_words(received)} of body."
                )
                return cut_off(TransportError(message, kind="timeout", status=head.status))
            message = (
                f"The connection to {host_of(head.url)} broke after "
                f"{size_in_words(received)} of the response body: {exc}"
            )
            return cut_off(TransportError(message, kind="network", status=head.status))
        return _Transfer(replace(head, body=b"".join(pieces)))

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
        tokens: dict[str, Any] = {}
        if resp is not None:
            body = mask_body(resp.body, resp.content_type, secrets)
            tokens = recorded_tokens(resp.body, resp.content_type, secrets)
            if transfer.cut_off_at is not None:
                shown = size_in_words(len(resp.body)) if resp.body else "nothing"
                cut_at = size_in_words(transfer.cut_off_at)
                body += f"\n… [body cut off: {cut_at} received, {shown} shown]"
        request_body, curl_content = _recorded_content(req, secrets)
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
            curl=to_curl(
                replace(req, headers={**req.headers, **signed.added}, content=curl_content),
                signed.secret,
            ),
            request_body=request_body,
            tokens=tokens,
            # The form's JWTs (a client assertion) and the signer's (a DPoP proof), decoded.
            request_tokens=recorded_request_tokens({**(req.form or {}), **signed.secret}, secrets),
        )
        self.log.append(exchange)
        if resp is not None:
            self.log.note_issued(exchange.id, issued_tokens(resp.body, resp.content_type))


def _cancelled(url: str) -> Cancelled:
    return Cancelled(
        f"Cancelled: the request to {host_of(url)} was stopped and its connection closed."
    )


def _recorded_content(req: HttpRequest, secrets: Collection[str]) -> tuple[str, bytes | None]:
    """A raw request body as the log shows it (masked, cut at :data:`RECORDED_PARTIAL`) and as
    the curl twin sends it (known secrets masked, the layout kept)."""
    if req.content is None:
        return "", None
    content_type = next((v for k, v in req.headers.items() if k.lower() == "content-type"), "")
    shown = mask_body(req.content[:RECORDED_PARTIAL], content_type, secrets)
    if len(req.content) > RECORDED_PARTIAL:
        shown += f"\n… [request body cut off: {size_in_words(len(req.content))} sent]"
    curl = mask_text(req.content.decode("utf-8", errors="replace"), secrets).encode()
    return shown, curl


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
    for name in (
        "client_secret",
        "password",
        "refresh_token",
        "code_verifier",
        "token",
        "client_assertion",
    ):
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
