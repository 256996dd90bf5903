"""The only module that sends HTTP. Every exchange is recorded, masked, with a curl twin.

Builders elsewhere return an :class:`HttpRequest` value; :class:`HttpClient` sends it, records an
:class:`Exchange` in the :class:`ExchangeLog`, and returns an :class:`HttpResponse` for a
``parse_*`` function. Connection problems become :class:`TransportError`; status codes are left
to the parsers, which know what an OAuth error response looks like.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

from workbench import __version__
from workbench.core.curl import to_curl
from workbench.core.errors import TransportError
from workbench.core.masking import mask_body, mask_headers, mask_mapping, mask_text, mask_url

DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read (seconds)


@dataclass(frozen=True)
class HttpRequest:
    """A request value built by a ``build_*`` function; nothing is sent until HttpClient.send."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] | None = None
    basic_auth: tuple[str, str] | None = None
    purpose: str = ""

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
        """The body as JSON, or TransportError(kind="not_json") saying what came instead."""
        try:
            return json.loads(self.body)
        except ValueError:
            raise TransportError(
                describe_non_json(self), kind="not_json", status=self.status
            ) from None


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


class HttpClient:
    """Sends :class:`HttpRequest` values with timeouts and TLS verification, recording each."""

    def __init__(
        self,
        log: ExchangeLog | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        verify_tls: bool = True,
    ) -> None:
        self.log = log if log is not None else ExchangeLog()
        self.timeout = timeout
        self.verify_tls = verify_tls
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def _session(self) -> requests.Session:
        # requests.Session is not thread-safe: one per thread, kept for connection reuse.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = f"TokenWorkbench/{__version__}"
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
        """Send ``req``; raise TransportError when no HTTP answer came back."""
        headers = req.all_headers()
        started = time.time()
        t0 = time.perf_counter()
        resp: HttpResponse | None = None
        error: TransportError | None = None
        try:
            raw = self._session().request(
                req.method,
                req.url,
                headers=headers,
                data=req.body(),
                timeout=self.timeout,
                verify=self.verify_tls,
                allow_redirects=False,
            )
            resp = HttpResponse(
                status=raw.status_code,
                reason=raw.reason or "",
                headers=dict(raw.headers),
                body=raw.content,
                url=req.url,
            )
        except requests.exceptions.RequestException as exc:
            error = transport_error(exc, req.url, self.timeout)
        except ValueError as exc:  # urllib3's LocationParseError, urlsplit on "http://[::1"
            error = TransportError(f"Invalid URL {req.url!r}: {exc}", kind="invalid_url")
        duration = (time.perf_counter() - t0) * 1000.0
        self._record(req, headers, resp, error, started, duration)
        if error is not None:
            raise error
        assert resp is not None
        return resp

    def get_json(self, url: str, purpose: str = "") -> Any:
        """GET a JSON document (discovery, JWKS); non-200 or non-JSON is a TransportError."""
        resp = self.send(HttpRequest("GET", url, purpose=purpose))
        if resp.status != 200:
            if resp.content_type.startswith("application/json") or resp.text.startswith("{"):
                detail = resp.text[:200]
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
        headers: dict[str, str],
        resp: HttpResponse | None,
        error: TransportError | None,
        started: float,
        duration: float,
    ) -> None:
        sent = _request_secrets(req, headers)
        for value in sent:  # known from now on: masked in every later record and message
            self.log.add_secret(value)
        secrets = self.log.secrets() | sent
        body = ""
        if resp is not None:
            body = mask_body(resp.body, resp.content_type, secrets)
        exchange = Exchange(
            id=self.log.next_id(),
            started_at=started,
            purpose=req.purpose,
            method=req.method,
            url=mask_url(mask_text(req.url, secrets)),
            request_headers=mask_headers(headers),
            request_form=mask_mapping(req.form) if req.form is not None else None,
            status=resp.status if resp else None,
            reason=resp.reason if resp else "",
            response_headers=mask_headers(dict(resp.headers)) if resp else {},
            response_body=body,
            duration_ms=duration,
            error=str(error) if error else None,
            curl=to_curl(req),
        )
        self.log.append(exchange)


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
