"""Client-Initiated Backchannel Authentication (OpenID CIBA Core 1.0), poll mode.

The client asks the provider's ``backchannel_authentication_endpoint`` to authenticate a user it
names by a hint (§7.1: ``login_hint``, ``id_token_hint`` or ``login_hint_token``, exactly one),
with the ``openid`` scope, an optional ``binding_message`` the user sees on their device and an
optional ``requested_expiry``; the client authenticates as at the token endpoint. The provider
answers with an ``auth_req_id``, its lifetime and the polling interval (§7.3), reaches the user
on their own device, and the client polls the token endpoint with
``grant_type=urn:openid:params:grant-type:ciba`` (§10.1) until the user approved (tokens),
denied (``access_denied``) or the request expired (``expired_token``); ``slow_down`` adds 5 s to
the interval for good (§11).

Only the poll delivery mode is run: before anything is sent, the discovery document must name
the endpoint and list ``poll`` in ``backchannel_token_delivery_modes_supported`` (§4), else a
:class:`~workbench.core.errors.ConfigError` says which is missing.

:func:`ciba_login` is the whole flow as a generator, the one every face runs (like
``OAuthSession.device_login``): it yields the :class:`CibaAuthentication`, then a
:class:`CibaPoll` after each poll that did not end the flow, and returns the tokens. Its wait
sleeps on the ``cancel`` event, so Cancel is honoured at once. The ``auth_req_id`` is masked in
the exchange log (``core/transport/masking.py``) and is a secret of the log once received.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from workbench.core.display import require_web_url
from workbench.core.errors import ConfigError, FlowError, OAuthError, TransportError
from workbench.core.oauth.client_auth import ClientConfig, authenticated_post
from workbench.core.oauth.discovery import ServerMetadata
from workbench.core.oauth.flow_steps import record_decision
from workbench.core.oauth.token_endpoint import (
    build_token_request,
    parse_json_object,
    parse_token_response,
)
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.transport.exchange import ExchangeLog, HttpRequest, HttpResponse
from workbench.core.transport.masking import mask_token

if TYPE_CHECKING:
    from workbench.core.session import OAuthSession

GRANT_TYPE = "urn:openid:params:grant-type:ciba"
ENDPOINT = "backchannel_authentication_endpoint"
DELIVERY_MODES = "backchannel_token_delivery_modes_supported"
#: The purpose of a token poll in the exchange log (the diagram collapses a run of them).
POLL_PURPOSE = "token (ciba poll)"
DEFAULT_INTERVAL = 5.0  # CIBA Core §7.3
SLOW_DOWN_STEP = 5.0  # CIBA Core §11 (as RFC 8628 §3.5)
MIN_INTERVAL = 1.0
MAX_INTERVAL = 300.0
#: A request said to live longer than a day is counted down from a day.
MAX_EXPIRES_IN = 86_400.0
#: CIBA Core §7.1 gives no limit; the ones we check so a typo is caught before it is sent.
MAX_BINDING_MESSAGE = 200
MAX_REQUESTED_EXPIRY = 86_400

DENIED_TEXT = "The user denied the request on their device (access_denied)."
EXPIRED_TEXT = "The request expired before the user approved it (expired_token). Start again."
NO_ENDPOINT = (
    "This provider advertises no backchannel_authentication_endpoint in its discovery document,"
    " so it offers no OpenID CIBA (CIBA Core §4)."
)


@dataclass(frozen=True)
class CibaHint:
    """Who is to be authenticated (CIBA Core §7.1): exactly one of the three hints."""

    login_hint: str | None = None
    id_token_hint: str | None = None
    login_hint_token: str | None = None

    def form(self) -> dict[str, str]:
        given = {
            name: value
            for name, value in (
                ("login_hint", self.login_hint),
                ("id_token_hint", self.id_token_hint),
                ("login_hint_token", self.login_hint_token),
            )
            if value
        }
        if len(given) != 1:
            raise ConfigError(
                "CIBA needs exactly one hint of the user to authenticate: a login hint, an ID"
                " token hint or a login hint token (CIBA Core §7.1)."
                + (f" Got {len(given)}: {', '.join(given)}." if given else "")
            )
        return given

    @property
    def shown(self) -> str:
        """The hint in words, for a log step (the tokens masked)."""
        if self.login_hint:
            return self.login_hint
        if self.id_token_hint:
            return "ID token hint " + mask_token(self.id_token_hint)
        return "login hint token " + mask_token(self.login_hint_token or "")


@dataclass(frozen=True)
class CibaAuthentication:
    """The backchannel authentication response (CIBA Core §7.3)."""

    auth_req_id: str = field(repr=False)
    expires_in: float
    interval: float = DEFAULT_INTERVAL
    binding_message: str | None = None
    received_at: float = field(default_factory=time.time)
    #: What was wrong with the server's interval/expires_in and what is used instead.
    notes: tuple[str, ...] = ()

    @property
    def expires_at(self) -> float:
        return self.received_at + self.expires_in

    @property
    def masked_id(self) -> str:
        return mask_token(self.auth_req_id)

    def __repr__(self) -> str:
        return f"CibaAuthentication(auth_req_id={self.masked_id!r}, expires_in={self.expires_in})"


@dataclass(frozen=True)
class CibaPoll:
    """The state after one poll: ``pending`` or ``slow_down`` (with the new interval)."""

    status: Literal["pending", "slow_down"]
    interval: float
    seconds_left: float
    polls: int


def backchannel_endpoint(meta: ServerMetadata) -> str:
    """The endpoint of a provider that offers CIBA in poll mode, or a ConfigError saying why
    it cannot be run (CIBA Core §4)."""
    endpoint = meta.raw.get(ENDPOINT)
    if not isinstance(endpoint, str) or not endpoint:
        raise ConfigError(NO_ENDPOINT)
    modes = meta.raw.get(DELIVERY_MODES)
    listed = [m for m in modes if isinstance(m, str)] if isinstance(modes, list) else []
    if "poll" not in listed:
        said = ", ".join(listed) if listed else "none"
        raise ConfigError(
            f"This provider's {DELIVERY_MODES} does not list poll (it lists: {said}); the"
            " workbench runs CIBA in poll mode only."
        )
    return require_web_url(endpoint, "backchannel authentication endpoint")


def build_backchannel_authentication_request(
    endpoint: str,
    client: ClientConfig,
    scope: str,
    hint: CibaHint,
    *,
    binding_message: str | None = None,
    requested_expiry: int | None = None,
    extra: Mapping[str, str] | None = None,
) -> HttpRequest:
    """CIBA Core §7.1: the hint, ``scope`` with ``openid`` (added when missing), the optional
    binding message and requested expiry, with client authentication (§7.1: the client
    authenticates as at the token endpoint; a public client cannot run CIBA)."""
    if client.method == "none":
        raise ConfigError(
            "CIBA needs a client that authenticates (CIBA Core §7.1): a public client (no"
            " secret) cannot start a backchannel authentication."
        )
    scopes = scope.split()
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    form = {k: v for k, v in (extra or {}).items() if v}
    form["scope"] = " ".join(scopes)
    form.update(hint.form())
    if binding_message:
        if len(binding_message) > MAX_BINDING_MESSAGE or not binding_message.isprintable():
            raise ConfigError(
                f"The binding message must be printable text of at most {MAX_BINDING_MESSAGE}"
                " characters (it is shown on the user's device, CIBA Core §7.1)."
            )
        form["binding_message"] = binding_message
    if requested_expiry is not None:
        if not 0 < requested_expiry <= MAX_REQUESTED_EXPIRY:
            raise ConfigError(
                f"The requested expiry must be a whole number of seconds from 1 to"
                f" {MAX_REQUESTED_EXPIRY} (CIBA Core §7.1)."
            )
        form["requested_expiry"] = str(requested_expiry)
    return authenticated_post(endpoint, client, form, "backchannel authentication")


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = float(value)
    except (ValueError, OverflowError):
        return None
    return seconds if math.isfinite(seconds) else None


def parse_backchannel_authentication_response(
    resp: HttpResponse, binding_message: str | None = None
) -> CibaAuthentication:
    """CIBA Core §7.3: ``auth_req_id`` and ``expires_in`` are required, ``interval`` defaults
    to 5 s. An unusable value is replaced by a sane one, with a note saying so."""
    data = parse_json_object(resp)
    auth_req_id = data.get("auth_req_id")
    if not isinstance(auth_req_id, str) or not auth_req_id:
        raise TransportError(
            "The backchannel authentication response lacks auth_req_id (CIBA Core §7.3).",
            kind="invalid_document",
        )
    notes: list[str] = []
    expires_in = _seconds(data.get("expires_in"))
    if expires_in is None or expires_in <= 0:
        raise TransportError(
            "The backchannel authentication response lacks a positive expires_in (CIBA Core §7.3).",
            kind="invalid_document",
        )
    if expires_in > MAX_EXPIRES_IN:
        notes.append(f"The server says the request lives {expires_in:g} s; counting one day.")
        expires_in = MAX_EXPIRES_IN
    interval = DEFAULT_INTERVAL
    if data.get("interval") is not None:
        given = _seconds(data.get("interval"))
        if given is None or not MIN_INTERVAL <= given <= MAX_INTERVAL:
            notes.append(
                f"The server's polling interval {data.get('interval')!r:.40} is unusable;"
                f" polling every {DEFAULT_INTERVAL:g} s (CIBA Core §7.3)."
            )
        else:
            interval = given
    return CibaAuthentication(
        auth_req_id=auth_req_id,
        expires_in=expires_in,
        interval=interval,
        binding_message=binding_message,
        notes=tuple(notes),
    )


def build_ciba_token_request(
    token_endpoint: str, client: ClientConfig, auth_req_id: str
) -> HttpRequest:
    """CIBA Core §10.1: the token request of poll mode."""
    form = {"grant_type": GRANT_TYPE, "auth_req_id": auth_req_id}
    return build_token_request(token_endpoint, client, form, POLL_PURPOSE)


def _end(exc: OAuthError, default: str) -> OAuthError:
    return OAuthError(exc.error, exc.description or default, exc.uri, exc.status)


def poll_ciba_token(
    send: Callable[[HttpRequest], HttpResponse],
    token_endpoint: str,
    client: ClientConfig,
    authentication: CibaAuthentication,
    cancel: threading.Event | None = None,
    *,
    clock: Callable[[], float] = time.time,
) -> Generator[CibaPoll, None, TokenSet]:
    """Poll the token endpoint (CIBA Core §10-11) until tokens, denial, expiry or cancel."""
    cancel = cancel or threading.Event()
    interval = authentication.interval
    polls = 0
    while True:
        if cancel.wait(interval):
            raise FlowError("CIBA login cancelled.", kind="cancelled")
        polls += 1
        request = build_ciba_token_request(token_endpoint, client, authentication.auth_req_id)
        try:
            return parse_token_response(send(request))
        except OAuthError as exc:
            if exc.error == "access_denied":
                raise _end(exc, DENIED_TEXT) from exc
            if exc.error == "expired_token":
                raise _end(exc, EXPIRED_TEXT) from exc
            if exc.error not in ("authorization_pending", "slow_down"):
                raise
            status: Literal["pending", "slow_down"] = "pending"
            if exc.error == "slow_down":
                interval += SLOW_DOWN_STEP
                status = "slow_down"
            left = authentication.expires_at - clock()
            if left <= -interval:
                # Still pending after its expiry: stop rather than poll forever.
                raise FlowError(EXPIRED_TEXT, kind="expired") from exc
            yield CibaPoll(status, interval, max(left, 0.0), polls)


def ciba_login(
    session: OAuthSession,
    hint: CibaHint,
    *,
    scope: str | None = None,
    binding_message: str | None = None,
    requested_expiry: int | None = None,
    extra: Mapping[str, str] | None = None,
    cancel: threading.Event | None = None,
) -> Generator[CibaAuthentication | CibaPoll, None, TokenSet]:
    """The whole CIBA poll-mode flow for ``session``'s provider: yields the
    :class:`CibaAuthentication` once the provider took the request, then each
    :class:`CibaPoll`; returns the tokens. ``scope`` None: the provider's."""
    meta = session.metadata()
    endpoint = backchannel_endpoint(meta)
    token_endpoint = meta.require("token_endpoint")
    if hint.id_token_hint:
        session.log.add_secret(hint.id_token_hint)
    if hint.login_hint_token:
        session.log.add_secret(hint.login_hint_token)
    request = build_backchannel_authentication_request(
        endpoint,
        session.client,
        session.provider.scope if scope is None else scope,
        hint,
        binding_message=binding_message,
        requested_expiry=requested_expiry,
        extra=dict(session.provider.extra if extra is None else extra),
    )
    authentication = parse_backchannel_authentication_response(
        session.http.send(request), binding_message
    )
    session.log.add_secret(authentication.auth_req_id)
    record_ciba_request_sent(session.log, hint, binding_message)
    yield authentication
    try:
        tokens = yield from poll_ciba_token(
            session.http.send, token_endpoint, session.client, authentication, cancel
        )
    except OAuthError as exc:
        if exc.error == "access_denied":
            record_ciba_decision(session.log, approved=False)
        raise
    record_ciba_decision(session.log, approved=True)
    return tokens


# -- the steps of the flow that are no requests of ours (recorded in the exchange log) ------
def record_ciba_request_sent(log: ExchangeLog, hint: CibaHint, binding_message: str | None) -> None:
    """The provider took the request and reaches the user on their own device."""
    detail: dict[str, str] = {"user": hint.shown}
    if binding_message:
        detail["binding_message"] = binding_message
    log.step(
        "ciba_request_sent",
        "authentication request sent to the user's device",
        source="authorization_server",
        target="user",
        **detail,
    )


def record_ciba_decision(log: ExchangeLog, *, approved: bool) -> None:
    """What the user decided on their device, as the token endpoint's answer tells it: dated
    at the start of the poll that told, so it is drawn just before that poll."""
    record_decision(
        log,
        "ciba_user_approved" if approved else "ciba_user_denied",
        "user approved on their device" if approved else "user denied on their device",
        POLL_PURPOSE,
    )


__all__ = [
    "GRANT_TYPE",
    "POLL_PURPOSE",
    "CibaAuthentication",
    "CibaHint",
    "CibaPoll",
    "backchannel_endpoint",
    "build_backchannel_authentication_request",
    "build_ciba_token_request",
    "ciba_login",
    "parse_backchannel_authentication_response",
    "poll_ciba_token",
]
