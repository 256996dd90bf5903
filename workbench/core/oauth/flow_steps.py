"""The steps of a flow that are no requests of ours, recorded in the exchange log.

The session calls these as a flow goes: the browser opened with the authorize URL, the redirect
that reached the loopback listener, the device code shown, and what the user did on the device
flow's verification page (approved after the polls said "pending", or denied). Each is a
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


class _Request(Protocol):
    @property
    def response_type(self) -> str: ...


class PendingRedirect(Protocol):
    """What a redirect step needs of a pending authorization (the session's
    ``PendingAuthorization``): where the listener waits and the response type asked for."""

    @property
    def listener(self) -> _Listener: ...

    @property
    def request(self) -> _Request: ...


def record_browser_opened(log: ExchangeLog, authorize_url: str) -> None:
    """The browser is sent to the authorize URL (the face opens it next)."""
    log.step(
        "browser_opened",
        "authorization request (browser opened with the authorize URL)",
        source="client",
        target="user",
        url=authorize_url,
    )


def record_redirect(log: ExchangeLog, pending: PendingRedirect, params: Mapping[str, str]) -> None:
    """The redirect that reached the listener: where, and the names of what it carried (the
    values stay out of the step: a code is a secret until redeemed)."""
    target = urlsplit(pending.listener.redirect_uri)
    names = sorted(params)
    carried = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    log.step(
        "redirect_received",
        f"302 to {target.netloc}{target.path} with {carried or 'nothing'}",
        source="user",
        target="client",
        parameters=", ".join(names),
        carried_in="query" if pending.request.response_type == "code" else "fragment",
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
    log.step_at(_last_poll_start(log), kind, text, source="user", target="authorization_server")


def _last_poll_start(log: ExchangeLog) -> float | None:
    """When this flow's last device poll started (None: not found, the step is dated now)."""
    run = current_flow()
    flow_id = run.id if run is not None else None
    for exchange in reversed(log.items()):
        if exchange.purpose == POLL_PURPOSE and exchange.flow_id == flow_id:
            return exchange.started_at
    return None


__all__ = [
    "PendingRedirect",
    "record_browser_opened",
    "record_device_code_shown",
    "record_device_decision",
    "record_redirect",
]
