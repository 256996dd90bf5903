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
import dataclasses
import hashlib
import hmac
import itertools
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from workbench.core.errors import TransportError
from workbench.core.tokens.decode import decoded_request_jwts, decoded_tokens
from workbench.core.transport import bounded_json
from workbench.core.transport.flows import Actor, Flow, FlowRun, Step, current_flow, flow_scope
from workbench.core.transport.masking import mask_text, mask_url, mask_value


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
    #: A body sent as it is (an API call's JSON or text); a request has a form or a content.
    content: bytes | None = None

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
        if self.form is not None:
            return urlencode(dict(self.form)).encode("ascii")
        return self.content


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
    #: A request body that is not a form (an API call's), masked; empty when there is none.
    request_body: str = ""
    #: The flow (:class:`~workbench.core.transport.flows.Flow`) this exchange was part of.
    flow_id: str | None = None
    #: The header and claims (never the signature) of each JWT in the response, by member
    #: name (``access_token``, ``id_token`` …), masked like the body.
    tokens: Mapping[str, Any] = field(default_factory=dict)
    #: The header and claims (never the signature) of each JWT the request's form carried
    #: (``client_assertion``…), by field name, masked like the form.
    request_tokens: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "flow_id": self.flow_id,
            "started_at": self.started_at,
            "purpose": self.purpose,
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": dict(self.request_headers),
                "form": dict(self.request_form) if self.request_form is not None else None,
                "body": self.request_body or None,
                "tokens": dict(self.request_tokens),
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
            "tokens": dict(self.tokens),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Exchange:
        """The exchange :meth:`to_dict` wrote (an exported log read back)."""
        request = data.get("request") or {}
        response = data.get("response") or {}
        form = request.get("form")
        return cls(
            id=int(data.get("id") or 0),
            started_at=float(data.get("started_at") or 0.0),
            purpose=str(data.get("purpose") or ""),
            method=str(request.get("method") or ""),
            url=str(request.get("url") or ""),
            request_headers=dict(request.get("headers") or {}),
            request_form=dict(form) if form is not None else None,
            status=response.get("status"),
            reason=str(response.get("reason") or ""),
            response_headers=dict(response.get("headers") or {}),
            response_body=str(response.get("body") or ""),
            duration_ms=float(data.get("duration_ms") or 0.0),
            error=data.get("error"),
            curl=str(data.get("curl") or ""),
            request_body=str(request.get("body") or ""),
            flow_id=data.get("flow_id"),
            tokens=dict(data.get("tokens") or {}),
            request_tokens=dict(request.get("tokens") or {}),
        )


def recorded_tokens(body: bytes, content_type: str, secrets: Iterable[str]) -> dict[str, Any]:
    """What a record keeps of the JWTs a JSON token response carried: each one's header and
    claims, masked like the body (never the signature; the token itself is in the body,
    masked): see :func:`~workbench.core.tokens.decode.decoded_tokens`."""
    if "json" not in content_type.lower() or (b"Token" not in body and b"token" not in body):
        return {}
    try:
        document = bounded_json.loads(body)
    except ValueError:
        return {}
    found = decoded_tokens(document)
    return dict(mask_value(found, secrets)) if found else {}


def recorded_request_tokens(
    form: Mapping[str, str] | None, secrets: Iterable[str]
) -> dict[str, Any]:
    """What a record keeps of the JWTs a request's form carried (a client assertion): each
    one's header and claims, masked (the JWT itself is in the form, masked like a token)."""
    found = decoded_request_jwts(form)
    return dict(mask_value(found, secrets)) if found else {}


#: The members of a token response that hold tokens, by the name the app gives each kind.
ISSUED_MEMBERS = {
    "access_token": "access_token",
    "AccessToken": "access_token",
    "id_token": "id_token",
    "IdToken": "id_token",
    "refresh_token": "refresh_token",
    "RefreshToken": "refresh_token",
}


def issued_tokens(body: bytes, content_type: str) -> dict[str, str]:
    """The tokens a JSON token response carried, by kind (``access_token``, ``id_token``,
    ``refresh_token``; a Cognito ``AuthenticationResult`` too), unmasked: for
    :meth:`ExchangeLog.note_issued` only, which keeps none of them."""
    if "json" not in content_type.lower() or (b"Token" not in body and b"token" not in body):
        return {}
    try:
        document = bounded_json.loads(body)
    except ValueError:
        return {}
    if isinstance(document, dict) and isinstance(document.get("AuthenticationResult"), dict):
        document = document["AuthenticationResult"]
    if not isinstance(document, dict):
        return {}
    return {
        kind: value
        for member, kind in ISSUED_MEMBERS.items()
        if isinstance(value := document.get(member), str) and value
    }


class ExchangeLog:
    """Thread-safe record of every exchange, with listeners (the UI's log dock, the CLI's -v).

    It also keeps the flows its exchanges belong to and the steps of those flows that are no
    requests of ours (:mod:`workbench.core.transport.flows`): an exchange or a step recorded
    inside :meth:`flow` (or any :func:`~workbench.core.transport.flows.flow_scope`) on the
    same thread carries that flow's id.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Exchange] = []
        self._steps: list[Step] = []
        self._flows: dict[str, FlowRun] = {}
        # Each flow's exchanges and steps, so one flow's records come without a scan of all.
        self._flow_items: dict[str, list[Exchange]] = {}
        self._flow_steps: dict[str, list[Step]] = {}
        self._step_ids = itertools.count(1)
        self._listeners: list[Callable[[Exchange], None]] = []
        self._secrets: set[str] = set()
        self._ids = itertools.count(1)
        # Which exchange issued which token, as keyed digests (the key never leaves this log):
        # lets a face find the token an exchange brought without the log keeping any token.
        self._digest_key = os.urandom(32)
        self._issued: dict[int, dict[str, bytes]] = {}

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
        run = current_flow()
        if run is not None and exchange.flow_id is None:
            exchange = dataclasses.replace(exchange, flow_id=run.id)
        with self._lock:
            self._join(run)
            self._items.append(exchange)
            if exchange.flow_id is not None:
                self._flow_items.setdefault(exchange.flow_id, []).append(exchange)
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

    # -- which exchange issued which token ----------------------------------------------------
    def token_digest(self, token: str) -> bytes:
        """``token``'s keyed digest in this log (compare with :meth:`issued_by`)."""
        return hmac.new(self._digest_key, token.encode("utf-8"), hashlib.sha256).digest()

    def note_issued(self, exchange_id: int, tokens: Mapping[str, str]) -> None:
        """Remember that exchange ``exchange_id`` brought ``tokens`` (kind → value): only their
        keyed digests are kept, in memory, never exported."""
        if tokens:
            digests = {kind: self.token_digest(value) for kind, value in tokens.items()}
            with self._lock:
                self._issued[exchange_id] = digests

    def issued_by(self, exchange_id: int) -> dict[str, bytes]:
        """The digests of the tokens exchange ``exchange_id`` brought, by kind (empty: none)."""
        with self._lock:
            return dict(self._issued.get(exchange_id, {}))

    # -- flows and steps ----------------------------------------------------------------------
    @contextmanager
    def flow(self, name: str) -> Iterator[FlowRun]:
        """Run the body as the flow ``name`` of this log (see
        :func:`~workbench.core.transport.flows.flow_scope`); a failure's reason is masked."""
        with flow_scope(name, self.mask) as run:
            with self._lock:
                self._join(run)
            yield run

    def _join(self, run: FlowRun | None) -> None:
        """Keep ``run`` among this log's flows (called with the lock held)."""
        if run is not None:
            self._flows.setdefault(run.id, run)

    def mask(self, text: str) -> str:
        """``text`` with every secret this log knows of masked."""
        return mask_text(text, self.secrets())

    def step(
        self,
        kind: str,
        text: str,
        *,
        source: Actor,
        target: Actor,
        url: str | None = None,
        **detail: str,
    ) -> Step:
        """Record a step of the current flow that is no request of ours, masked like an
        exchange: ``url`` as a recorded URL is, the text and every ``detail`` value by the
        secrets the log knows."""
        return self.step_at(None, kind, text, source=source, target=target, url=url, **detail)

    def step_at(
        self,
        at: float | None,
        kind: str,
        text: str,
        *,
        source: Actor,
        target: Actor,
        url: str | None = None,
        **detail: str,
    ) -> Step:
        """:meth:`step` dated ``at`` (None: now): a moment known only afterwards, such as the
        user's approval a successful poll reveals."""
        values = {key: self.mask(value) for key, value in detail.items()}
        if url is not None:
            values["url"] = mask_url(self.mask(url))
        run = current_flow()
        with self._lock:
            self._join(run)
            recorded = Step(
                id=next(self._step_ids),
                at=time.time() if at is None else at,
                kind=kind,
                text=mask_text(text, self._secrets),
                source=source,
                target=target,
                flow_id=run.id if run is not None else None,
                detail=values,
            )
            self._steps.append(recorded)
            if recorded.flow_id is not None:
                self._flow_steps.setdefault(recorded.flow_id, []).append(recorded)
        return recorded

    def steps(self) -> list[Step]:
        with self._lock:
            return list(self._steps)

    def flows(self) -> list[Flow]:
        """The flows this log saw, oldest first, as they stand now."""
        with self._lock:
            runs = list(self._flows.values())
        return [run.snapshot() for run in runs]

    def find_flow(self, flow_id: str | None) -> Flow | None:
        """The flow ``flow_id`` as it stands now, or None when this log has none of that id."""
        with self._lock:
            run = self._flows.get(flow_id) if flow_id is not None else None
        return run.snapshot() if run is not None else None

    def flow_records(self, flow_id: str) -> tuple[list[Exchange], list[Step]]:
        """The exchanges and the steps of the flow ``flow_id``, each in the order recorded
        (what :meth:`items` and :meth:`steps` hold of it, without a scan of the others)."""
        with self._lock:
            return list(self._flow_items.get(flow_id, ())), list(self._flow_steps.get(flow_id, ()))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._steps.clear()
            self._issued.clear()
            self._flows.clear()
            self._flow_items.clear()
            self._flow_steps.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
