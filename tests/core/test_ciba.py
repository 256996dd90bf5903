"""OpenID CIBA poll mode through the core (core/oauth/ciba.py) against the demo server in a
thread; the user's part is played on the demo's approval page (tests/demo_driver.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import jwt
import pytest

from tests.demo_driver import decide_ciba_request
from workbench.core.errors import ConfigError, FlowError, OAuthError
from workbench.core.model import Provider
from workbench.core.oauth.ciba import (
    CibaAuthentication,
    CibaHint,
    CibaPoll,
    backchannel_endpoint,
    build_backchannel_authentication_request,
    ciba_login,
    parse_backchannel_authentication_response,
    poll_ciba_token,
)
from workbench.core.oauth.discovery import ServerMetadata
from workbench.core.report.sequence import build_sequence
from workbench.core.session import OAuthSession
from workbench.demo import USERS, DemoServer
from workbench.demo.clients import confidential_client, native_client

ALICE = CibaHint(login_hint="alice")


@pytest.fixture
def server(make_demo: Callable[..., DemoServer]) -> DemoServer:
    return make_demo(ciba_interval=1, device_slow_down_step=1)


@pytest.fixture
def session(server: DemoServer) -> Iterator[OAuthSession]:
    provider = Provider(client=confidential_client(), issuer=server.issuer, scope="openid profile")
    opened = OAuthSession(provider)
    yield opened
    opened.close()


def _drain(flow: Any, on_yield: Callable[[Any], None] | None = None) -> tuple[Any, list[Any]]:
    seen: list[Any] = []
    try:
        while True:
            value = next(flow)
            seen.append(value)
            if on_yield:
                on_yield(value)
    except StopIteration as done:
        return done.value, seen


def test_approved_on_the_device_gives_tokens_for_the_user(
    session: OAuthSession, server: DemoServer
) -> None:
    def approve_after_first_poll(value: Any) -> None:
        if isinstance(value, CibaPoll) and value.polls == 1:
            decide_ciba_request(server.url("ciba_approval"), binding_message="7Q2-PLUM")

    flow = ciba_login(session, ALICE, binding_message="7Q2-PLUM")
    tokens, seen = _drain(flow, approve_after_first_poll)
    started = seen[0]
    assert isinstance(started, CibaAuthentication)
    assert started.interval == 1 and started.expires_in == 300
    assert started.binding_message == "7Q2-PLUM"
    assert [type(v) for v in seen[1:]] == [CibaPoll] * (len(seen) - 1)
    assert seen[1].status == "pending"
    claims = jwt.decode(tokens.id_token, options={"verify_signature": False})
    assert claims["sub"] == USERS["alice"].subject
    assert tokens.refresh_token

    # The log: the auth_req_id never whole; the steps the diagram draws.
    auth_req_id = started.auth_req_id
    for exchange in session.log.items():
        assert auth_req_id not in exchange.request_body + exchange.response_body
        assert auth_req_id not in exchange.curl
    assert auth_req_id not in repr(started)
    texts = [step.text for step in session.log.steps()]
    assert texts == [
        "authentication request sent to the user's device",
        "user approved on their device",
    ]
    assert session.log.steps()[0].detail["binding_message"] == "7Q2-PLUM"

    # The diagram: the request, the user's device, the pending polls as one arrow, the
    # approval just before the poll that told of it, then that poll and the tokens.
    arrows = build_sequence(session.log.items(), session.log.steps()).arrows
    labels = [a.label for a in arrows]
    pending = len(seen) - 1  # each pending poll yielded; the one that got the tokens did not
    polled = "token request (ciba)" + (f", polled {pending} times" if pending > 1 else "")
    start = labels.index("backchannel authentication")
    assert labels[start:] == [
        "backchannel authentication",
        "200 OK",
        "authentication request sent to the user's device",
        polled,
        "400 authorization_pending",
        "user approved on their device",
        "token request (ciba)",
        "200 OK",
    ]
    assert not any(arrow.failed for arrow in arrows[start:])


def test_denied_on_the_device_is_access_denied(session: OAuthSession, server: DemoServer) -> None:
    def deny_at_once(value: Any) -> None:
        if isinstance(value, CibaAuthentication):
            decide_ciba_request(server.url("ciba_approval"), approve=False)

    with pytest.raises(OAuthError) as info:
        _drain(ciba_login(session, ALICE), deny_at_once)
    assert info.value.error == "access_denied"
    assert session.log.steps()[-1].text == "user denied on their device"


def test_a_request_nobody_answers_expires(session: OAuthSession) -> None:
    with pytest.raises(OAuthError) as info:
        _drain(ciba_login(session, ALICE, requested_expiry=2))
    assert info.value.error == "expired_token"


def test_slow_down_adds_five_seconds_for_good_and_cancel_is_immediate(
    session: OAuthSession, server: DemoServer
) -> None:
    meta = session.metadata()
    request = build_backchannel_authentication_request(
        backchannel_endpoint(meta), session.client, "openid", ALICE
    )
    started = parse_backchannel_authentication_response(session.http.send(request))
    too_fast = replace(started, interval=0.0)  # faster than the server's interval
    cancel = threading.Event()
    polls = poll_ciba_token(
        session.http.send, meta.require("token_endpoint"), session.client, too_fast, cancel
    )
    first, second = next(polls), next(polls)
    assert (first.status, second.status) == ("pending", "slow_down")
    assert second.interval == 5.0  # CIBA Core §11: +5 s, kept from now on
    decide_ciba_request(server.url("ciba_approval"))
    # Honoured: the next poll waits the 5 s and the server no longer says slow_down.
    tokens, after = _drain(polls)
    assert after == [] and tokens.access_token

    # Cancel during a wait ends the flow at once, not after the interval.
    flow = ciba_login(session, ALICE, cancel=cancel)
    cancel.clear()
    next(flow)
    cancel.set()
    begun = time.monotonic()
    with pytest.raises(FlowError) as info:
        next(flow)
    assert info.value.kind == "cancelled"
    assert time.monotonic() - begun < 1.0  # the interval is 1 s


def test_preflight_needs_the_endpoint_and_poll_mode() -> None:
    with pytest.raises(ConfigError, match="no backchannel_authentication_endpoint"):
        backchannel_endpoint(ServerMetadata.from_document({"issuer": "https://op"}))
    ping_only = {
        "issuer": "https://op",
        "backchannel_authentication_endpoint": "https://op/bc",
        "backchannel_token_delivery_modes_supported": ["ping", "push"],
    }
    with pytest.raises(ConfigError, match=r"does not list poll.*ping, push"):
        backchannel_endpoint(ServerMetadata.from_document(ping_only))
    without_modes = {k: v for k, v in ping_only.items() if "modes" not in k}
    with pytest.raises(ConfigError, match="lists: none"):
        backchannel_endpoint(ServerMetadata.from_document(without_modes))


@pytest.mark.parametrize(
    ("hint", "kwargs", "words"),
    [
        (CibaHint(), {}, "exactly one hint"),
        (CibaHint(login_hint="a", id_token_hint="b"), {}, "Got 2"),
        (ALICE, {"binding_message": "x" * 201}, "binding message"),
        (ALICE, {"binding_message": "two\nlines"}, "binding message"),
        (ALICE, {"requested_expiry": 0}, "requested expiry"),
    ],
)
def test_bad_input_is_a_config_error_before_anything_is_sent(
    hint: CibaHint, kwargs: dict[str, Any], words: str
) -> None:
    with pytest.raises(ConfigError, match=words):
        build_backchannel_authentication_request(
            "https://op/bc", confidential_client(), "openid", hint, **kwargs
        )


def test_a_public_client_is_refused_and_openid_is_added() -> None:
    with pytest.raises(ConfigError, match="public client"):
        build_backchannel_authentication_request("https://op/bc", native_client(), "", ALICE)
    request = build_backchannel_authentication_request(
        "https://op/bc", confidential_client(), "profile", ALICE
    )
    assert request.form is not None and request.form["scope"] == "openid profile"


def test_unknown_user_is_the_servers_unknown_user_id(session: OAuthSession) -> None:
    with pytest.raises(OAuthError) as info:
        next(ciba_login(session, CibaHint(login_hint="mallory")))
    assert info.value.error == "unknown_user_id"
