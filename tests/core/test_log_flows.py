"""Flows as units of the exchange log, and the steps that are no requests of ours, against the
demo server: each exchange carries its flow's id, the outcome comes from how the run ended, and
steps are masked like exchanges."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.demo_driver import decide_device_code, sign_in_and_decide
from workbench.core.errors import Cancelled, OAuthError
from workbench.core.model import Provider
from workbench.core.oauth.pkce import random_token
from workbench.core.session import OAuthSession, RedirectReceived, run_to_end
from workbench.core.transport.exchange import Exchange, ExchangeLog
from workbench.core.transport.flows import flow_scope
from workbench.demo import DemoServer
from workbench.demo.clients import confidential_client, native_client


@pytest.fixture
def session(demo: DemoServer) -> Iterator[OAuthSession]:
    opened = OAuthSession(Provider(client=confidential_client(), issuer=demo.issuer, scope=""))
    yield opened
    opened.close()


def test_a_flow_stamps_its_exchanges_and_records_ok(session: OAuthSession) -> None:
    session.metadata()  # outside any flow
    with session.log.flow("client_credentials") as run:
        session.client_credentials()
    outside, inside = session.log.items()[0], session.log.items()[-1]
    assert outside.flow_id is None and inside.flow_id == run.id
    (flow,) = session.log.flows()
    assert (flow.name, flow.outcome, flow.reason) == ("client_credentials", "ok", "")
    assert flow.ended_at is not None and flow.ended_at >= flow.started_at
    assert inside.to_dict()["flow_id"] == run.id
    (decoded,) = inside.tokens.values()  # the access token, decoded; its signature left out
    assert decoded["claims"]["client_id"] and set(decoded) == {"header", "claims", "fingerprint"}
    assert Exchange.from_dict(inside.to_dict()).to_dict() == inside.to_dict()


def test_a_failure_is_recorded_with_its_reason_masked(demo: DemoServer) -> None:
    client = confidential_client()
    wrong = random_token()
    session = OAuthSession(
        Provider(
            client=client.__class__(client.client_id, wrong, client.auth_method), issuer=demo.issuer
        )
    )
    try:
        with pytest.raises(OAuthError), session.log.flow("client_credentials"):
            session.client_credentials()
    finally:
        session.close()
    (flow,) = session.log.flows()
    assert flow.outcome == "failed" and "invalid_client" in flow.reason
    assert wrong not in flow.reason


def test_a_cancelled_flow_and_flows_are_per_thread() -> None:
    log = ExchangeLog()
    seen: dict[str, Any] = {}

    def other_thread() -> None:
        seen["flow"] = log.step(
            "user_approved", "approved", source="user", target="authorization_server"
        )

    with pytest.raises(Cancelled), log.flow("device_code") as run:
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        inside = log.step("device_code_shown", "shown", source="client", target="user")
        raise Cancelled("Cancelled by the user.")
    assert inside.flow_id == run.id and seen["flow"].flow_id is None
    (flow,) = log.flows()
    assert flow.outcome == "cancelled"


def test_nested_scope_outside_any_log_joins_the_log_on_first_record() -> None:
    log = ExchangeLog()
    with flow_scope("logout") as run:
        assert log.flows() == []
        log.step("browser_opened", "logout", source="client", target="user")
    assert [f.id for f in log.flows()] == [run.id]
    assert log.flows()[0].outcome == "ok"


def test_browser_login_records_its_steps_masked(demo: DemoServer) -> None:
    session = OAuthSession(
        Provider(client=native_client(), issuer=demo.issuer, scope="openid offline_access")
    )
    try:
        with session.log.flow("authorization_code") as run:
            flow = session.browser_login()
            pending = next(flow)
            location = sign_in_and_decide(pending.url)  # type: ignore[union-attr]
            requests.get(location, timeout=5).raise_for_status()
            assert isinstance(next(flow), RedirectReceived)
            tokens = run_to_end(flow)
    finally:
        session.close()
    opened, redirected = session.log.steps()
    assert opened.kind == "browser_opened" and opened.flow_id == run.id
    assert opened.detail["url"] == pending.url  # type: ignore[union-attr]
    assert (opened.source, opened.target) == ("client", "user")
    port = pending.listener.port  # type: ignore[union-attr]
    assert redirected.text == f"302 to 127.0.0.1:{port}/callback with code, iss and state" or (
        redirected.text == f"302 to 127.0.0.1:{port}/callback with code and state"
    )
    code = location.split("code=")[1].split("&")[0]
    assert all(code not in value for value in (redirected.text, *redirected.detail.values()))
    assert tokens.access_token and session.log.flows()[0].outcome == "ok"
    assert {ex.flow_id for ex in session.log.items() if ex.purpose.startswith("token")} == {run.id}


def test_device_login_records_the_code_shown(demo: DemoServer) -> None:
    session = OAuthSession(Provider(client=native_client(), issuer=demo.issuer, scope="openid"))
    try:
        with session.log.flow("device_code"):
            flow = session.device_login()
            auth = next(flow)
            decide_device_code(auth.verification_uri, auth.user_code)  # type: ignore[union-attr]
            tokens = run_to_end(flow)
    finally:
        session.close()
    (shown,) = session.log.steps()
    assert shown.kind == "device_code_shown"
    assert shown.detail["url"] == auth.verification_uri  # type: ignore[union-attr]
    assert tokens.access_token


def test_a_flows_records_come_from_the_log_by_its_id(session: OAuthSession) -> None:
    log = session.log
    session.metadata()  # outside any flow: in no flow's records
    with log.flow("first") as first:
        session.client_credentials()
        log.step("device_code_shown", "shown", source="client", target="user")
    with log.flow("second") as second:
        session.client_credentials()
    for run in (first, second):
        exchanges, steps = log.flow_records(run.id)
        assert exchanges == [e for e in log.items() if e.flow_id == run.id] and exchanges
        assert steps == [s for s in log.steps() if s.flow_id == run.id]
        assert log.find_flow(run.id) == run.snapshot()
    assert [s.kind for s in log.flow_records(first.id)[1]] == ["device_code_shown"]
    assert log.flow_records(second.id)[1] == []
    assert log.find_flow(None) is None and log.find_flow("no-such-flow") is None
    log.clear()
    assert log.flow_records(first.id) == ([], []) and log.find_flow(first.id) is None
