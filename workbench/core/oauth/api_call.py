"""Calling an API with a token: the resource server's side (RFC 6750 §2.1, §3).

:func:`build_api_request` turns what a person typed (method, URL, headers, body, the token)
into a request for the one sender, refusing what cannot go on the wire as typed (a header
with a line break, a second ``Authorization`` beside the token). :func:`read_api_response`
reads any answer — an API's 4xx is a result to show, not an error — with its challenge
parsed and explained. The token is a secret of the exchange log like every credential.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from workbench.core.errors import ConfigError
from workbench.core.oauth.rfc6750_bearer import (
    Challenge,
    NextStep,
    explain,
    first_challenge,
    next_step,
)
from workbench.core.transport import bounded_json
from workbench.core.transport.exchange import HttpRequest, HttpResponse
from workbench.core.transport.http import HttpClient

#: The largest API response read (bytes); an API's answer may be bigger than an OAuth document.
API_MAX_BYTES = 8 * 1024 * 1024
PURPOSE = "API call"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_TOKEN_CHARS = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


@dataclass(frozen=True)
class ApiCall:
    """One call as a person describes it."""

    url: str
    method: str = "GET"
    headers: Sequence[tuple[str, str]] = ()
    body: bytes | None = None
    token: str | None = None
    #: How the token is sent: the ``Authorization`` scheme (``Bearer``; ``DPoP`` later).
    scheme: str = "Bearer"


def parse_header_line(line: str) -> tuple[str, str]:
    """``"Name: value"`` as a pair, or ConfigError saying what is wrong with it."""
    name, colon, value = line.partition(":")
    if not colon:
        raise ConfigError(f"A header is written as “Name: value”; got “{line[:80]}”.")
    return name.strip(), value.strip()


def _check_header(name: str, value: str) -> None:
    if not _TOKEN_CHARS.match(name):
        raise ConfigError(f"“{name[:80]}” is not a valid header name.")
    if any(c in value for c in "\r\n\0"):
        raise ConfigError(f"The value of header {name} holds a line break or a NUL character.")


def build_api_request(call: ApiCall) -> HttpRequest:
    """The request for ``call``; ConfigError for a URL, method or header that cannot be sent."""
    parts = urlsplit(call.url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"The API URL must be an http:// or https:// URL; got “{call.url[:200]}”."
        )
    method = call.method.strip().upper()
    if not _TOKEN_CHARS.match(method):
        raise ConfigError(f"“{call.method[:40]}” is not an HTTP method.")
    headers: dict[str, str] = {}
    for name, value in call.headers:
        _check_header(name, value)
        if name.lower() in {h.lower() for h in headers}:
            raise ConfigError(f"The header {name} is given twice.")
        headers[name] = value
    if call.token:
        if any(h.lower() == "authorization" for h in headers):
            raise ConfigError(
                "An Authorization header is given and a token too: the token would be sent "
                "twice (RFC 6750 §2: one method per request). Drop one of them."
            )
        if any(c in call.token for c in "\r\n\0 "):
            raise ConfigError("The token holds a space or a line break; it cannot be sent.")
        headers["Authorization"] = f"{call.scheme} {call.token}"
    if call.body is not None and not any(h.lower() == "content-type" for h in headers):
        headers["Content-Type"] = _guess_content_type(call.body)
    if not any(h.lower() == "accept" for h in headers):
        headers["Accept"] = "application/json, */*;q=0.5"
    return HttpRequest(
        method,
        call.url,
        headers=headers,
        content=call.body,
        purpose=PURPOSE,
        max_bytes=API_MAX_BYTES,
    )


def _guess_content_type(body: bytes) -> str:
    try:
        json.loads(body)
    except ValueError:
        return "text/plain; charset=utf-8"
    return "application/json"


@dataclass(frozen=True)
class ApiResult:
    """An API's answer with its challenge read (for a 2xx: none)."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    elapsed_ms: float
    challenge: Challenge | None = None
    explanation: str = ""
    step: NextStep = NextStep.NONE
    content_type: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def body_value(self) -> Any:
        """The body as JSON when it is JSON, else as text (undecodable bytes replaced)."""
        if "json" in self.content_type.lower():
            try:
                return bounded_json.loads(self.body)
            except ValueError:
                pass
        return self.body.decode("utf-8", errors="replace")

    def to_dict(self) -> dict[str, Any]:
        """What ``workbench call --json`` prints: status, headers, body, challenge."""
        return {
            "status": self.status,
            "headers": dict(self.headers),
            "body": self.body_value(),
            "challenge": None if self.challenge is None else self.challenge.to_dict(),
        }


def read_api_response(resp: HttpResponse, elapsed_ms: float) -> ApiResult:
    challenge = first_challenge(resp.headers) if resp.status >= 400 else None
    return ApiResult(
        status=resp.status,
        reason=resp.reason,
        headers=dict(resp.headers),
        body=resp.body,
        elapsed_ms=elapsed_ms,
        challenge=challenge,
        explanation=explain(challenge, resp.status) if resp.status in (400, 401, 403) else "",
        step=next_step(challenge, resp.status),
        content_type=resp.content_type,
    )


def call_api(http: HttpClient, call: ApiCall) -> ApiResult:
    """Send ``call`` through the one sender (logged, masked, bounded) and read the answer.

    The token is registered as a secret of the log before anything is sent, so it is masked
    in the request's record, in a body that echoes it and in every later message.
    """
    request = build_api_request(call)
    if call.token:
        http.log.add_secret(call.token)
    started = time.perf_counter()
    response = http.send(request)
    return read_api_response(response, (time.perf_counter() - started) * 1000.0)
