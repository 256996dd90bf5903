"""RP-Initiated Logout in the core: the end-session URL, the state check, the bounded wait and
cancel, the missing endpoint, and the whole session flow against the demo server (its
redirect followed by ``requests`` in the browser's place; tests/core/test_logout_browser.py
does it with a real Chromium)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from workbench.core.cognito.pool import CognitoPool
from workbench.core.errors import ConfigError, FlowError, OAuthError
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.rp_logout import (
    LOGOUT_PATH,
    PendingLogout,
    build_logout_request,
    check_logout_response,
)
from workbench.core.session import OAuthSession
from workbench.demo import DemoServer
from workbench.demo.clients import demo_provider


def test_the_end_session_url_carries_the_four_parameters() -> None:
    request = build_logout_request(
        "https://op.example/logout?tenant=a",
        id_token_hint="ey.J.x",
        client_id="app",
        post_logout_redirect_uri="http://127.0.0.1:5000/logged-out",
        state="st",
    )
    parts = urlsplit(request.url)
    assert parts.netloc == "op.example" and parts.path == "/logout"
    assert dict(parse_qsl(parts.query)) == {
        "tenant": "a",
        "id_token_hint": "ey.J.x",
        "client_id": "app",
        "post_logout_redirect_uri": "http://127.0.0.1:5000/logged-out",
        "state": "st",
    }
    assert request.end_session_endpoint == "https://op.example/logout?tenant=a"
    with pytest.raises(ConfigError, match="id_token_hint"):
        build_logout_request(
            "https://op.example/logout",
            id_token_hint="",
            client_id="a",
            post_logout_redirect_uri="http://127.0.0.1:1/logged-out",
        )


def test_a_wrong_or_missing_state_is_a_failure() -> None:
    request = build_logout_request(
        "https://op.example/logout",
        id_token_hint="t",
        client_id="a",
        post_logout_redirect_uri="http://127.0.0.1:1/logged-out",
        state="good",
    )
    check_logout_response({"state": "good"}, request)
    for params in ({}, {"state": "bad"}, {"error": "x"}):
        with pytest.raises(FlowError) as caught:
            check_logout_response(params, request)
        assert caught.value.kind == "state_mismatch"
    with pytest.raises(OAuthError):
        check_logout_response({"state": "good", "error": "access_denied"}, request)


@pytest.fixture
def session(demo: DemoServer) -> Iterator[OAuthSession]:
    opened = OAuthSession(demo_provider(demo.issuer))
    yield opened
    opened.close()


def _id_token(session: OAuthSession) -> str:
    tokens = session.password("alice", "alice-password", "openid")
    assert tokens.id_token
    return tokens.id_token


def test_the_session_logs_out_through_the_demo_server(session: OAuthSession) -> None:
    id_token = _id_token(session)
    flow = session.browser_logout(id_token, timeout=10)
    pending = next(flow)
    assert isinstance(pending, PendingLogout)
    redirect = pending.request.post_logout_redirect_uri
    assert redirect.startswith("http://127.0.0.1:") and redirect.endswith(LOGOUT_PATH)
    # The browser's part: the end-session endpoint redirects to the listener with the state.
    answer = requests.get(pending.url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    assert requests.get(answer.headers["Location"], timeout=10).status_code == 200
    with pytest.raises(StopIteration) as done:
        next(flow)
    result = done.value.value
    assert result.params == {"state": pending.request.state}
    assert result.end_session_endpoint == session.metadata().end_session_endpoint
    # The ID token is masked wherever the log would show it.
    assert id_token in session.log.secrets()


def test_a_forged_redirect_is_refused_and_the_wait_times_out(session: OAuthSession) -> None:
    flow = session.browser_logout(_id_token(session), timeout=1.5)
    pending = next(flow)
    forged = requests.get(pending.request.post_logout_redirect_uri + "?state=forged", timeout=10)
    assert forged.status_code == 400
    with pytest.raises(FlowError) as caught:
        next(flow)
    assert caught.value.kind == "timeout"
    assert "not confirmed" in str(caught.value) and "1 redirect(s)" in str(caught.value)
    assert len(pending.rejected) == 1


def test_cancel_ends_the_wait(session: OAuthSession) -> None:
    cancel = threading.Event()
    flow = session.browser_logout(_id_token(session), timeout=30, cancel=cancel)
    next(flow)
    threading.Timer(0.2, cancel.set).start()
    with pytest.raises(FlowError, match="Logout cancelled") as caught:
        next(flow)
    assert caught.value.kind == "cancelled"


def test_no_end_session_endpoint_is_a_clear_error(demo: DemoServer) -> None:
    # Manual endpoints only (no discovery): the provider names no end_session_endpoint.
    provider = Provider(
        client=ClientConfig("workbench-confidential", "demo-secret"),
        issuer=demo.issuer,
        endpoints={"token_endpoint": demo.url("token"), "jwks_uri": demo.url("jwks")},
    )
    session = OAuthSession(provider)
    try:
        with pytest.raises(ConfigError, match="end_session_endpoint"):
            next(session.browser_logout("x.y.z"))
    finally:
        session.close()


# -- Cognito's hosted /logout ---------------------------------------------------------------
def _cognito_session(domain: str) -> OAuthSession:
    pool = CognitoPool(user_pool_id="eu-west-1_AbC123", client_id="app-client", domain=domain)
    return OAuthSession(pool.to_provider("openid"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_cognito_logout_is_client_id_and_logout_uri_and_says_the_state_is_unchecked() -> None:
    """Cognito's hosted UI is not emulated here (moto has none): the bare redirect Cognito
    sends to the allowed sign-out URL is made by hand, to the listener, after a forged one."""
    session = _cognito_session("http://127.0.0.1:9")
    try:
        with pytest.raises(ConfigError, match="allowed sign-out URL"):
            next(session.browser_logout("id.token.x"))
        port = _free_port()
        flow = session.browser_logout("id.token.x", port=port, timeout=10)
        pending = next(flow)
        parts = urlsplit(pending.url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://127.0.0.1:9/logout"
        logout_uri = f"http://127.0.0.1:{port}{LOGOUT_PATH}"
        assert dict(parse_qsl(parts.query)) == {"client_id": "app-client", "logout_uri": logout_uri}
        assert requests.get(logout_uri + "?state=forged", timeout=10).status_code == 400
        assert requests.get(logout_uri, timeout=10).status_code == 200
        with pytest.raises(StopIteration) as done:
            next(flow)
        result = done.value.value
        assert result.params == {} and result.state_checked is False
        assert len(pending.rejected) == 1
    finally:
        session.close()


def test_the_oidc_listener_still_refuses_a_bare_redirect(session: OAuthSession) -> None:
    flow = session.browser_logout(_id_token(session), timeout=1)
    pending = next(flow)
    assert requests.get(pending.request.post_logout_redirect_uri, timeout=10).status_code == 400
    with pytest.raises(FlowError) as caught:
        next(flow)
    assert caught.value.kind == "timeout"
