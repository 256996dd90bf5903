"""The values of one exchange: the request a builder makes, the response a parser reads, and the
masked record the exchange log keeps of both.

:class:`HttpRequest` is what every ``build_*`` function returns; :class:`HttpResponse` is what
:class:`~workbench.core.transport.http.HttpClient` hands to a ``parse_*`` function;
:class:`Exchange` is one masked request/response pair with its curl twin, and
:class:`ExchangeLog` the thread-safe record of them that the UI's log dock and the CLI's ``-v``
listen to.
"""

from __future__ import annotations

import base64
import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from workbench.core.errors import TransportError
from workbench.core.transport import bounded_json


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
                f"{host_of(self.url)} answered with JSON nested more than {exc.limit} levels deep; "
                "no OAuth or OpenID document is, so it was not read.",
                kind="invalid_document",
                status=self.status,
            ) from None
        except ValueError as exc:
            if "integer string conversion" in str(exc):
                raise TransportError(
                    f"{host_of(self.url)} answered with JSON holding a number thousands of digits "
                    "long; it was not read.",
                    kind="invalid_document",
                    status=self.status,
                ) from None
            raise TransportError(
                describe_non_json(self), kind="not_json", status=self.status
            ) from None


def host_of(url: str) -> str:
    """The host (and port) of ``url`` for a message, or "the server" when it has none."""
    return urlsplit(url).netloc or "the server"


def describe_non_json(resp: HttpResponse) -> str:
    """A person's description of a body that should have been JSON."""
    ctype = resp.content_type.split(";")[0].strip() or "no content type"
    what = "an HTML page" if "html" in ctype or resp.text.lstrip()[:1] == "<" else ctype
    if not resp.body.strip():
        what = "an empty body"
    host = host_of(resp.url)
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
