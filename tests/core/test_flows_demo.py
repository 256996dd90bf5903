"""Every flow through the core's OAuthSession against the embedded demo server in a thread."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
import requests

from tests.demo_driver import decide_device_code, sign_in_and_decide
from workbench.core.errors import FlowError, OAuthError
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.session import OAuthSession, PendingAuthorization
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DemoServer,
)
from workbench.demo.clients import DEMO_PASSWORD, confidential_client, native_client

CONFIDENTIAL = confidential_client()
NATIVE = native_client()
PASSWORD = DEMO_PASSWORD


@pytest.fixture
def server(demo: DemoServer) -> DemoServer:
    return demo


@pytest.fixture
def open_session(server: DemoServer) -> Iterator[Callable[..., OAuthSession]]:
    sessions: list[OAuthSession] = []

    def make(
        client: ClientConfig = CONFIDENTIAL, scope: str = "", issuer: str = ""
    ) -> OAuthSession:
        provider = Provider(client=client, issuer=issuer or server.issuer, scope=scope)
        session = OAuthSession(provider)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


def outcomes(inspection: Any) -> dict[str, str]:
    return {f.check: f.outcome.value for f in inspection.findings}


def browser(pending: PendingAuthorization, decision: str = "approve") -> None:
    """What a browser does: sign in, decide, follow the redirect to the loopback listener."""
    location = sign_in_and_decide(pending.url, decision=decision)
    requests.get(location, timeout=5).raise_for_status()


# -- client credentials and password ---------------------------------------------------------
@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_client_credentials(open_session: Callable[..., OAuthSession], method: str) -> None:
    session = open_session(replace(CONFIDENTIAL, auth_method=method), scope="api:read")
    tokens = session.client_credentials()
    assert tokens.token_type and tokens.token_type.lower() == "bearer"
    assert tokens.scope == "api:read" and tokens.refresh_token is None
    inspection = session.inspect(tokens.access_token or "")
    found = outcomes(inspection)
    assert found["signature"] == found["iss"] == found["exp"] == "pass"
    assert inspection.decoded.header["typ"] == "at+jwt"
    assert inspection.decoded.claims["client_id"] == CONFIDENTIAL_CLIENT_ID
    sent = next(e for e in session.log.items() if e.purpose == "token (client_credentials)")
    if method == "client_secret_basic":
        assert sent.request_headers["Authorization"].startswith("Basic ")
    else:
        assert sent.request_form is not None and "client_secret" in sent.request_form


def test_password_grant_and_wrong_password(open_session: Callable[..., OAuthSession]) -> None:
    session = open_session(scope="openid profile offline_access")
    tokens = session.password("alice", PASSWORD)
    assert tokens.access_token and tokens.refresh_token and tokens.id_token
    with pytest.raises(OAuthError) as info:
        session.password("alice", "wrong")
    assert info.value.error == "invalid_grant" and info.value.status == 400


# -- browser flows ---------------------------------------------------------------------------
def test_authorization_code_with_pkce(open_session: Callable[..., OAuthSession]) -> None:
    session = open_session(NATIVE, scope="openid profile email offline_access")
    pending = session.begin_authorization()
    assert pending.request.pkce is not None and pending.request.nonce
    assert pending.request.redirect_uri.startswith("http://127.0.0.1:")
    worker = threading.Thread(target=browser, args=(pending,))
    worker.start()
    tokens = session.finish_authorization(pending, timeout=10)
    worker.join()
    assert tokens.access_token and tokens.id_token and tokens.refresh_token
    id_check = session.inspect(
        tokens.id_token or "",
        kind="id",
        nonce=pending.request.nonce,
        access_token=tokens.access_token,
    )
    found = outcomes(id_check)
    assert found["signature"] == found["aud"] == found["nonce"] == found["at_hash"] == "pass"
    redeem = [e for e in session.log.items() if e.purpose == "token (authorization_code)"]
    form = redeem[0].request_form or {}
    assert form["grant_type"] == "authorization_code" and form["code_verifier"] != (
        pending.request.pkce.verifier
    )  # masked in the log


def test_authorization_denied_is_an_oauth_error(open_session: Callable[..., OAuthSession]) -> None:
    session = open_session(NATIVE, scope="openid")
    pending = session.begin_authorization()
    worker = threading.Thread(target=browser, args=(pending, "deny"))
    worker.start()
    with pytest.raises(OAuthError) as info:
        session.finish_authorization(pending, timeout=10)
    worker.join()
    assert info.value.error == "access_denied"


def test_loopback_cancel_and_timeout_release_the_port(
    open_session: Callable[..., OAuthSession],
) -> None:
    session = open_session(NATIVE, scope="openid")
    pending = session.begin_authorization()
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    with pytest.raises(FlowError) as info:
        session.finish_authorization(pending, timeout=30, cancel=cancel)
    assert info.value.kind == "cancelled"
    with pytest.raises(requests.ConnectionError):
        requests.get(pending.request.redirect_uri, timeout=2)
    pending = session.begin_authorization()
    with pytest.raises(FlowError) as info:
        session.finish_authorization(pending, timeout=0.3)
    assert info.value.kind == "timeout"


def test_implicit_id_token_token(open_session: Callable[..., OAuthSession]) -> None:
    """The fragment is posted back the way the listener's page script does it."""
    session = open_session(NATIVE, scope="openid profile")
    pending = session.begin_authorization(response_type="id_token token")
    location = sign_in_and_decide(pending.url)
    fragment = location.split("#", 1)[1]
    page = requests.get(pending.request.redirect_uri, timeout=5)
    assert "location.hash" in page.text  # the page that forwards the fragment
    requests.post(
        pending.request.redirect_uri,
        data=fragment,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    ).raise_for_status()
    tokens = session.finish_authorization(pending, timeout=5)
    assert tokens.access_token and tokens.id_token and not tokens.refresh_token
    found = outcomes(
        session.inspect(
            tokens.id_token or "",
            kind="id",
            nonce=pending.request.nonce,
            access_token=tokens.access_token,
        )
    )
    assert found["nonce"] == found["at_hash"] == found["signature"] == "pass"


# -- refresh, revoke, introspect, userinfo ---------------------------------------------------
def test_refresh_rotates_and_reuse_is_invalid_grant(
    open_session: Callable[..., OAuthSession],
) -> None:
    session = open_session(scope="openid offline_access")
    first = session.password("alice", PASSWORD)
    assert first.refresh_token
    result = session.refresh(first.refresh_token)
    assert result.rotation == "rotated"
    assert result.tokens.refresh_token and result.tokens.access_token != first.access_token
    with pytest.raises(OAuthError) as info:
        session.refresh(first.refresh_token)
    assert info.value.error == "invalid_grant"


def test_revoke_then_reality_check(open_session: Callable[..., OAuthSession]) -> None:
    session = open_session(scope="openid profile offline_access")
    tokens = session.password("alice", PASSWORD)
    access = tokens.access_token or ""
    before = session.reality_check(access)
    assert before.server.active is True and not before.contradiction
    assert session.userinfo(access)["sub"]
    session.revoke(access, "access_token")
    assert session.introspect(access)["active"] is False
    with pytest.raises(OAuthError) as info:
        session.userinfo(access)
    assert info.value.status == 401
    after = session.reality_check(access)
    assert after.locally_valid, "a revoked JWT still verifies locally"
    assert after.server.active is False and after.server.source == "introspection"
    assert after.contradiction


def test_a_public_client_reality_check_falls_back_to_userinfo(
    open_session: Callable[..., OAuthSession],
) -> None:
    """Introspection needs an authenticated client (RFC 7662 §2.1); UserInfo still answers."""
    confidential = open_session(scope="openid profile offline_access")
    access = confidential.password("alice", PASSWORD).access_token or ""
    public = open_session(NATIVE)
    with pytest.raises(OAuthError) as info:
        public.introspect(access)
    assert info.value.error == "invalid_client"
    alive = public.reality_check(access)
    assert alive.server.active is True and alive.server.source == "userinfo"
    assert alive.server.detail.startswith("introspection refused this client (invalid_client)")
    confidential.revoke(access, "access_token")
    dead = public.reality_check(access)
    assert dead.server.active is False and dead.local.signature_valid  # still verifies locally


def test_revoke_refresh_token(open_session: Callable[..., OAuthSession]) -> None:
    session = open_session(scope="openid offline_access")
    tokens = session.password("alice", PASSWORD)
    session.revoke(tokens.refresh_token or "", "refresh_token")
    with pytest.raises(OAuthError) as info:
        session.refresh(tokens.refresh_token or "")
    assert info.value.error == "invalid_grant"


# -- device flow -----------------------------------------------------------------------------
def _drain(gen: Any, on_poll: Callable[[Any], None] | None = None) -> tuple[Any, list[Any]]:
    seen: list[Any] = []
    try:
        while True:
            status = next(gen)
            seen.append(status)
            if on_poll:
                on_poll(status)
    except StopIteration as done:
        return done.value, seen


def test_device_pending_then_approved(open_session: Callable[..., OAuthSession]) -> None:
    session = open_session(NATIVE, scope="openid offline_access")
    auth = session.start_device()
    assert auth.user_code and auth.verification_uri_complete and auth.interval == 1

    def approve_after_first(status: Any) -> None:
        if status.polls == 1:
            decide_device_code(auth.verification_uri, auth.user_code)

    tokens, seen = _drain(session.poll_device(auth), approve_after_first)
    assert [s.status for s in seen][:1] == ["pending"]
    assert tokens.access_token and tokens.refresh_token


def test_device_denied(open_session: Callable[..., OAuthSession]) -> None:
    session = open_session(NATIVE, scope="openid")
    auth = session.start_device()
    decide_device_code(auth.verification_uri, auth.user_code, approve=False)
    with pytest.raises(OAuthError) as info:
        _drain(session.poll_device(auth))
    assert info.value.error == "access_denied"


def test_device_expired(make_demo: Callable[..., DemoServer]) -> None:
    server = make_demo(device_code_ttl=2)
    session = OAuthSession(Provider(client=NATIVE, issuer=server.issuer, scope="openid"))
    auth = session.start_device()
    with pytest.raises(OAuthError) as info:
        _drain(session.poll_device(auth))
    session.close()
    assert info.value.error == "expired_token"


def test_device_slow_down_adds_five_seconds_and_cancel_is_immediate(
    open_session: Callable[..., OAuthSession],
) -> None:
    session = open_session(NATIVE, scope="openid")
    auth = session.start_device()
    too_fast = replace(auth, interval=0.0)  # poll faster than the server's interval
    cancel = threading.Event()
    polls = session.poll_device(too_fast, cancel)
    statuses = [next(polls), next(polls)]
    assert "slow_down" in [s.status for s in statuses]
    slowed = next(s for s in statuses if s.status == "slow_down")
    assert slowed.interval >= 5.0  # RFC 8628 §3.5: +5 s
    cancel.set()
    started = time.monotonic()
    with pytest.raises(FlowError) as info:
        next(polls)
    assert info.value.kind == "cancelled"
    assert time.monotonic() - started < slowed.interval  # did not sit out the interval


def test_device_pkce_against_a_server_that_requires_it(
    make_demo: Callable[..., DemoServer],
) -> None:
    """Keycloak's rule for PKCE clients, on the demo server: without PKCE the device request
    is refused in Keycloak's words; the profile's device_pkce (or pkce=True) sends the S256
    challenge and the verifier on every poll, which the server checks; the log masks it."""
    server = make_demo(require_device_pkce=True)
    plain = OAuthSession(Provider(client=NATIVE, issuer=server.issuer, scope="openid"))
    with pytest.raises(OAuthError) as info:
        plain.start_device()
    assert info.value.error == "invalid_request"
    assert info.value.description == "Missing parameter: code_challenge_method"
    auth = plain.start_device(pkce=True)  # asked for by the caller, not by the provider
    plain.close()
    assert auth.pkce is not None and auth.pkce.verifier not in repr(auth)

    provider = Provider(client=NATIVE, issuer=server.issuer, scope="openid", device_pkce=True)
    session = OAuthSession(provider)
    auth = session.start_device()
    assert auth.pkce is not None
    decide_device_code(auth.verification_uri, auth.user_code)
    tokens, _ = _drain(session.poll_device(auth))
    assert tokens.access_token
    sent = [e for e in session.log.items() if e.request_form]
    assert sent[0].request_form["code_challenge_method"] == "S256"
    assert sent[0].request_form["code_challenge"] == auth.pkce.challenge
    assert all("code_verifier" in e.request_form for e in sent[1:])
    dumped = json.dumps([e.to_dict() for e in session.log.items()])
    assert auth.pkce.verifier not in dumped and "${CODE_VERIFIER}" in dumped

    # A poll with another verifier: the server's invalid_grant reaches the caller.
    again = session.start_device()
    assert again.pkce is not None
    decide_device_code(again.verification_uri, again.user_code)
    with pytest.raises(OAuthError) as wrong:
        _drain(session.poll_device(replace(again, pkce=auth.pkce)))
    session.close()
    assert wrong.value.error == "invalid_grant"


# -- secrets never leak ----------------------------------------------------------------------
def test_no_secret_unmasked_in_exchange_log(open_session: Callable[..., OAuthSession]) -> None:
    post = open_session(
        replace(CONFIDENTIAL, auth_method="client_secret_post"), scope="openid offline_access"
    )
    tokens = post.password("alice", PASSWORD)
    refresh_token = tokens.refresh_token or ""
    post.refresh(refresh_token)
    basic = open_session(CONFIDENTIAL, scope="api:read")
    basic.client_credentials()
    dumped = json.dumps([e.to_dict() for s in (post, basic) for e in s.log.items()])
    for secret in (
        CONFIDENTIAL_CLIENT_SECRET,
        PASSWORD,
        refresh_token,
        tokens.access_token or "",
        tokens.id_token or "",
    ):
        assert secret and secret not in dumped
    assert "${CLIENT_SECRET}" in dumped and "${REFRESH_TOKEN}" in dumped


@pytest.mark.skipif(
    shutil.which("curl") is None and not os.environ.get("CI"),
    reason="curl is not installed (CI installs it)",
)
def test_copy_as_curl_runs(open_session: Callable[..., OAuthSession]) -> None:
    session = open_session(CONFIDENTIAL, scope="api:read")
    session.client_credentials()
    command = session.log.items()[-1].curl
    env = {**os.environ, "CLIENT_SECRET": CONFIDENTIAL_CLIENT_SECRET}
    result = subprocess.run(
        ["bash", "-c", command + " --silent"], env=env, capture_output=True, text=True, timeout=20
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["token_type"].lower() == "bearer"
