"""The steps of a flow that are no requests of ours, recorded in the exchange log.

The session calls these as a flow goes: the browser opened with the authorize URL (or with a
pushed request's request_uri, or a signed request object), the redirect that reached the
loopback listener (in the query, the fragment or a form POST), the device code shown, and what
the user did on the device flow's verification page (approved after the polls said "pending",
or denied). Each is a
:meth:`~workbench.core.transport.exchange.ExchangeLog.step`, masked by the log.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from workbench.core.errors import OAuthError
from workbench.core.oauth.rfc8628_device import POLL_PURPOSE, DeviceAuthorization, DevicePoll
from workbench.core.transport.exchange import ExchangeLog
from workbench.core.transport.flows import current_flow

T = TypeVar("T")


class _Listener(Protocol):
    @property
    def redirect_uri(self) -> str: ...

    @property
    def mode(self) -> str: ...


class _Request(Protocol):
    @property
    def url(self) -> str: ...

    @property
    def pushed(self) -> object: ...  # the pushed request (RFC 9126), None when not pushed

    @property
    def request_object(self) -> str | None: ...


class PendingRedirect(Protocol):
    """What a redirect step needs of a pending authorization (the session's
    ``PendingAuthorization``): where the listener waits and how the response comes back
    (``query``, ``fragment`` or ``form_post``)."""

    @property
    def listener(self) -> _Listener: ...


def record_browser_opened(log: ExchangeLog, request: _Request) -> None:
    """The browser is sent to the authorize URL (the face opens it next); after a pushed
    request, a URL with only client_id and request_uri."""
    pushed = " with the pushed request's request_uri" if request.pushed else ""
    if request.request_object and not request.pushed:
        pushed = " with the signed request object"
    log.step(
        "browser_opened",
        f"authorization request (browser opened with the authorize URL{pushed})",
        source="client",
        target="user",
        url=request.url,
    )


def record_redirect(log: ExchangeLog, pending: PendingRedirect, params: Mapping[str, str]) -> None:
    """The redirect that reached the listener: where, and the names of what it carried (the
    values stay out of the step: a code is a secret until redeemed)."""
    target = urlsplit(pending.listener.redirect_uri)
    mode = pending.listener.mode
    names = sorted(params)
    carried = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    verb = "form POST" if mode == "form_post" else "302"
    log.step(
        "redirect_received",
        f"{verb} to {target.netloc}{target.path} with {carried or 'nothing'}",
        source="user",
        target="client",
        parameters=", ".join(names),
        carried_in=mode,
    )


def record_device_code_shown(log: ExchangeLog, authorization: DeviceAuthorization) -> None:
    """The user code is shown and the user sent to the verification page."""
    log.step(
        "device_code_shown",
        "device code shown: the user is sent to the verification page",
        source="client",
        target="user",
        url=authorization.verification_uri,
    )


def record_device_decision(
    log: ExchangeLog, polls: Generator[DevicePoll, None, T]
) -> Generator[DevicePoll, None, T]:
    """Pass the device flow's polls through, and record what the user did on the verification
    page: ``user_approved`` when tokens came after at least one poll told to wait (pending or
    slow down; tokens at the first poll make no moment of their own), ``user_denied`` when the
    server said ``access_denied``. Each is dated at the start of the poll that told, so it is
    drawn just before that poll."""
    waited = False
    try:
        while True:
            try:
                status = next(polls)
            except StopIteration as done:
                if waited:
                    _decision(log, "user_approved", "user approved on the verification page")
                result: T = done.value
                return result
            except OAuthError as exc:
                if exc.error == "access_denied":
                    _decision(log, "user_denied", "user denied on the verification page")
                raise
            waited = True  # pending or slow_down: the user has not decided yet
            yield status
    finally:
        polls.close()


def _decision(log: ExchangeLog, kind: str, text: str) -> None:
    record_decision(log, kind, text, POLL_PURPOSE)


def record_decision(log: ExchangeLog, kind: str, text: str, poll_purpose: str) -> None:
    """A user's decision that a poll (exchanges of ``poll_purpose``) revealed, dated at the start
    of this flow's last such poll so it is drawn just before it (device flow, CIBA)."""
    started = _last_poll_start(log, poll_purpose)
    log.step_at(started, kind, text, source="user", target="authorization_server")


def _last_poll_start(log: ExchangeLog, purpose: str) -> float | None:
    """When this flow's last poll of ``purpose`` started (None: not found, the step is dated
    now)."""
    run = current_flow()
    flow_id = run.id if run is not None else None
    for exchange in reversed(log.items()):
        if exchange.purpose == purpose and exchange.flow_id == flow_id:
            return exchange.started_at
    return None


__all__ = [
    "PendingRedirect",
    "record_browser_opened",
    "record_decision",
    "record_device_code_shown",
    "record_device_decision",
    "record_redirect",
]
