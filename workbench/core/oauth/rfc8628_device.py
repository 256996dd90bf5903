"""Device authorization grant (RFC 8628), optionally with PKCE (RFC 7636).

PKCE is not part of RFC 8628, but some servers require it for clients configured to use it
(Keycloak answers ``invalid_request`` "Missing parameter: code_challenge_method" without it): the
challenge goes on the device authorization request, the verifier on every token poll.

:func:`poll_device_token` is a generator: it yields a :class:`DevicePoll` after every poll that
did not end the flow and returns the :class:`TokenSet`; it sleeps in short slices on the
``cancel`` event, so a Cancel is honoured at once.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from workbench.core.errors import FlowError, OAuthError, TransportError
from workbench.core.oauth.client_auth import ClientConfig, authenticated_post
from workbench.core.oauth.pkce import Pkce
from workbench.core.oauth.token_endpoint import (
    build_token_request,
    parse_json_object,
    parse_token_response,
)
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.transport.exchange import HttpRequest, HttpResponse

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_INTERVAL = 5.0  # RFC 8628 §3.2
SLOW_DOWN_STEP = 5.0  # RFC 8628 §3.5
#: An interval outside these bounds (seconds) is not believed: polling many times a second
#: hammers the server, and one poll in more than five minutes outlives most device codes.
MIN_INTERVAL = 1.0
MAX_INTERVAL = 300.0
#: The lifetime assumed when the server gives none or an unusable one (RFC 8628 §3.2 has none).
DEFAULT_EXPIRES_IN = 600.0
#: A code said to live longer than a day is taken to live a day (a countdown needs an end).
MAX_EXPIRES_IN = 86_400.0


@dataclass(frozen=True)
class DeviceAuthorization:
    """RFC 8628 §3.2 response."""

    device_code: str
    user_code: str
    verification_uri: str
    expires_in: float
    interval: float = DEFAULT_INTERVAL
    verification_uri_complete: str | None = None
    received_at: float = field(default_factory=time.time)
    #: What was wrong with the server's interval/expires_in and what is used instead, in words
    #: for the person running the flow (empty when the response was sound).
    notes: tuple[str, ...] = ()
    #: The PKCE pair whose challenge went with the device authorization request; its
    #: verifier goes with every poll (None: the flow runs without PKCE).
    pkce: Pkce | None = field(default=None, repr=False)

    @property
    def expires_at(self) -> float:
        return self.received_at + self.expires_in

    @property
    def qr_uri(self) -> str:
        """What to put in a QR code: the complete URI when given (RFC 8628 §3.3.1)."""
        return self.verification_uri_complete or self.verification_uri

    def __repr__(self) -> str:
        return f"DeviceAuthorization(user_code={self.user_code!r}, expires_in={self.expires_in})"


@dataclass(frozen=True)
class DevicePoll:
    """The state after one poll: ``pending`` or ``slow_down`` (with the new interval)."""

    status: Literal["pending", "slow_down"]
    interval: float
    seconds_left: float
    polls: int


def build_device_authorization_request(
    endpoint: str,
    client: ClientConfig,
    scope: str = "",
    extra: Mapping[str, str] | None = None,
    pkce: Pkce | None = None,
) -> HttpRequest:
    """RFC 8628 §3.1: client authentication as at the token endpoint; with ``pkce``, its
    ``code_challenge`` and ``code_challenge_method`` (RFC 7636 §4.3) as well."""
    form = {"scope": scope} if scope else {}
    form.update({k: v for k, v in (extra or {}).items() if v})
    if pkce is not None:
        form["code_challenge"] = pkce.challenge
        form["code_challenge_method"] = pkce.method
    return authenticated_post(endpoint, client, form, "device authorization")


def parse_device_authorization(resp: HttpResponse) -> DeviceAuthorization:
    data = parse_json_object(resp)
    missing = [k for k in ("device_code", "user_code", "verification_uri") if not data.get(k)]
    # Some servers (older drafts, Google) say verification_url.
    if "verification_uri" in missing and data.get("verification_url"):
        data["verification_uri"] = data["verification_url"]
        missing.remove("verification_uri")
    if missing:
        raise TransportError(
            f"The device authorization response lacks {', '.join(missing)} (RFC 8628 §3.2).",
            kind="invalid_document",
        )
    notes: list[str] = []
    interval = _interval(data.get("interval"), notes)
    expires_in = _expires_in(data.get("expires_in"), notes)
    complete = data.get("verification_uri_complete")
    return DeviceAuthorization(
        device_code=str(data["device_code"]),
        user_code=str(data["user_code"]),
        verification_uri=str(data["verification_uri"]),
        verification_uri_complete=complete if isinstance(complete, str) and complete else None,
        expires_in=expires_in,
        interval=interval,
        notes=tuple(notes),
    )


def _number(value: object) -> float | None:
    """A JSON number as a float (inf when too big for one); None for anything else.

    A string of digits counts too: some servers (Azure AD v1) send ``"interval": "5"``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        try:
            return float(value)
        except OverflowError:  # an integer with hundreds of digits
            return math.inf
        except ValueError:
            return None
    return None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _interval(value: object, notes: list[str]) -> float:
    """The polling interval (RFC 8628 §3.2), or the 5 s default with a note saying why."""
    if value is None:
        return DEFAULT_INTERVAL  # absent: the RFC's default, nothing to report
    seconds = _number(value)
    if seconds is None:
        problem = "is not a number"
    elif not math.isfinite(seconds):
        problem = "is not a finite number"
    elif seconds < MIN_INTERVAL:
        problem = f"is under {MIN_INTERVAL:g} s"
    elif seconds > MAX_INTERVAL:
        problem = f"is over {MAX_INTERVAL:g} s"
    else:
        if isinstance(value, str):
            notes.append(
                f"The server sent the polling interval as text ({_shown(value)}) instead of a "
                f"number; polling every {seconds:g} s."
            )
        return seconds
    notes.append(
        f"The server's polling interval {_shown(value)} {problem}; polling every "
        f"{DEFAULT_INTERVAL:g} s instead, the RFC 8628 §3.2 default."
    )
    return DEFAULT_INTERVAL


def _expires_in(value: object, notes: list[str]) -> float:
    """The device code's lifetime, made sane: a default or a cap, with a note saying why."""
    if value is None:
        notes.append(
            "The server did not say how long the code lives (expires_in, required by RFC 8628 "
            f"§3.2); assuming {DEFAULT_EXPIRES_IN:g} s."
        )
        return DEFAULT_EXPIRES_IN
    seconds = _number(value)
    if seconds is not None and math.isfinite(seconds) and seconds > MAX_EXPIRES_IN:
        notes.append(
            f"The server says the code lives {seconds:g} s; counting down from "
            f"{MAX_EXPIRES_IN:g} s (one day) instead."
        )
        return MAX_EXPIRES_IN
    if seconds is None:
        problem = "is not a number"
    elif not math.isfinite(seconds):
        problem = "is not a finite number"
    elif seconds <= 0:
        problem = "is zero or negative"
    else:
        if isinstance(value, str):
            notes.append(
                f"The server sent expires_in as text ({_shown(value)}) instead of a number; "
                f"the code lives {seconds:g} s."
            )
        return seconds
    notes.append(
        f"The server's expires_in {_shown(value)} {problem}; assuming the code lives "
        f"{DEFAULT_EXPIRES_IN:g} s."
    )
    return DEFAULT_EXPIRES_IN


def build_device_token_request(
    token_endpoint: str, client: ClientConfig, device_code: str, code_verifier: str | None = None
) -> HttpRequest:
    """RFC 8628 §3.4, with the PKCE ``code_verifier`` (RFC 7636 §4.5) when one was made."""
    form = {"grant_type": GRANT_TYPE, "device_code": device_code}
    if code_verifier:
        form["code_verifier"] = code_verifier
    return build_token_request(token_endpoint, client, form, POLL_PURPOSE)


#: The purpose every device token poll is recorded with (the sequence collapses them).
POLL_PURPOSE = "token (device_code poll)"
DENIED_TEXT = "The user denied the request on the verification page (access_denied)."
EXPIRED_TEXT = "The user code expired before anyone approved it (expired_token). Start again."


def poll_device_token(
    send: Callable[[HttpRequest], HttpResponse],
    token_endpoint: str,
    client: ClientConfig,
    authorization: DeviceAuthorization,
    cancel: threading.Event | None = None,
    *,
    clock: Callable[[], float] = time.time,
) -> Generator[DevicePoll, None, TokenSet]:
    """Poll the token endpoint (RFC 8628 §3.4-3.5) until tokens, denial, expiry or cancel."""
    cancel = cancel or threading.Event()
    interval = authorization.interval
    polls = 0
    while True:
        if cancel.wait(interval):
            raise FlowError("Device login cancelled.", kind="cancelled")
        polls += 1
        verifier = authorization.pkce.verifier if authorization.pkce else None
        request = build_device_token_request(
            token_endpoint, client, authorization.device_code, verifier
        )
        try:
            return parse_token_response(send(request))
        except OAuthError as exc:
            left = authorization.expires_at - clock()
            if exc.error == "authorization_pending":
                status: Literal["pending", "slow_down"] = "pending"
            elif exc.error == "slow_down":
                interval += SLOW_DOWN_STEP
                status = "slow_down"
            elif exc.error == "access_denied":
                text = exc.description or DENIED_TEXT
                raise OAuthError(exc.error, text, exc.uri, exc.status) from exc
            elif exc.error == "expired_token":
                text = exc.description or EXPIRED_TEXT
                raise OAuthError(exc.error, text, exc.uri, exc.status) from exc
            else:
                raise
            if left <= -interval:
                # The server keeps saying pending after expiry: stop rather than poll forever.
                raise FlowError(EXPIRED_TEXT, kind="expired") from exc
            yield DevicePoll(status, interval, max(left, 0.0), polls)
