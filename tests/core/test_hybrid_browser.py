"""The OpenID Connect hybrid flow (OIDC Core §3.3) with a real browser: headless Chromium signs
in on the demo server's pages, the fragment comes back through the loopback listener's page,
and the core checks the front-channel ID token (signature, iss, aud, exp, nonce, c_hash,
at_hash) before it redeems the code with PKCE.

The rejections need an ID token that is validly signed by the server yet wrong in one claim;
no server issues one on request, so the test re-signs the server's own ID token with the demo
server's key, changing that one claim (the gap: a misbehaving server, played here)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from joserfc import jwt

from tests.browser import chromium_page, require_chromium
from workbench.core.errors import FlowError
from workbench.core.oauth.hybrid import HYBRID_RESPONSE_TYPES
from workbench.core.session import OAuthSession, PendingAuthorization
from workbench.core.tokens.decode import decode_jwt
from workbench.demo import DemoConfig, DemoServer
from workbench.demo.clients import demo_provider
from workbench.demo.web import authority_of

pytestmark = pytest.mark.browser


@pytest.fixture
def server() -> Iterator[DemoServer]:
    require_chromium()  # before any listener starts: a skip then leaves no thread behind
    with DemoServer(DemoConfig()) as demo:
        yield demo


@pytest.fixture
def session(server: DemoServer) -> Iterator[OAuthSession]:
    session = OAuthSession(demo_provider(server.issuer, public=True))
    yield session
    session.close()


def _redirect_in_chromium(session: OAuthSession, response_type: str) -> tuple[Any, dict[str, str]]:
    pending = session.begin_authorization(response_type=response_type)
    with chromium_page() as page:
        page.goto(pending.url)
        page.fill("#username", "alice")
        page.fill("#password", "alice-password")
        page.click("#sign-in")
        page.click("#approve")
        page.wait_for_selector("text=You can close this tab")
    params = pending.listener.wait(10)
    return pending, dict(params)


def _resign(server: DemoServer, token: str, **changes: Any) -> str:
    """The server's ID token with ``changes`` (None removes a claim), signed with its key."""
    decoded = decode_jwt(token)
    claims = {k: v for k, v in {**decoded.claims, **changes}.items() if v is not None}
    authority = authority_of(server._app)  # type: ignore[arg-type]
    return jwt.encode(dict(decoded.header), claims, authority.key)


@pytest.mark.parametrize("response_type", HYBRID_RESPONSE_TYPES)
def test_each_hybrid_response_type_in_a_real_browser(
    session: OAuthSession, response_type: str
) -> None:
    pending, params = _redirect_in_chromium(session, response_type)
    try:
        assert "code" in params and "state" in params
        assert ("id_token" in params) == ("id_token" in response_type.split())
        assert ("access_token" in params) == ("token" in response_type.split())
        tokens = session.complete_authorization(pending, params)
    finally:
        pending.close()
    assert tokens.access_token and tokens.id_token and tokens.refresh_token
    assert pending.request.pkce is not None  # the code was redeemed with the verifier
    token_request = [e for e in session.log.items() if e.purpose == "token (authorization_code)"]
    assert token_request and "code_verifier" in (token_request[0].request_form or {})
    kinds = [s.kind for s in session.log.steps()]
    assert ("hybrid_front_checked" in kinds) == ("id_token" in response_type.split())
    assert "hybrid_back_checked" in kinds
    if "id_token" in response_type.split():
        front = decode_jwt(params["id_token"]).claims
        assert front["c_hash"] and front["nonce"] == pending.request.nonce
        inspection = session.inspect(
            params["id_token"],
            kind="id",
            nonce=pending.request.nonce,
            access_token=params.get("access_token"),
            code=params["code"],
        )
        assert inspection.finding("c_hash").outcome.value == "pass"
        if "access_token" in params:
            assert inspection.finding("at_hash").outcome.value == "pass"


def _rejected(session: OAuthSession, pending: PendingAuthorization, params: dict[str, str]) -> str:
    with pytest.raises(FlowError) as caught:
        session.complete_authorization(pending, params)
    pending.close()
    purposes = [e.purpose for e in session.log.items()]
    assert "token (authorization_code)" not in purposes  # the code was never redeemed
    return str(caught.value)


def test_a_tampered_c_hash_is_rejected_before_the_code_is_redeemed(
    server: DemoServer, session: OAuthSession
) -> None:
    pending, params = _redirect_in_chromium(session, "code id_token")
    params["id_token"] = _resign(server, params["id_token"], c_hash="AAAAAAAAAAAAAAAAAAAAAA")
    words = _rejected(session, pending, params)
    assert "c_hash" in words and "not issued together with this code" in words


def test_a_tampered_at_hash_is_rejected_before_the_code_is_redeemed(
    server: DemoServer, session: OAuthSession
) -> None:
    pending, params = _redirect_in_chromium(session, "code id_token token")
    params["id_token"] = _resign(server, params["id_token"], at_hash="AAAAAAAAAAAAAAAAAAAAAA")
    words = _rejected(session, pending, params)
    assert "at_hash" in words and "not issued together with this access token" in words


def test_a_swapped_code_fails_the_c_hash(session: OAuthSession) -> None:
    """A code from elsewhere beside the genuine ID token: its c_hash does not match."""
    pending, params = _redirect_in_chromium(session, "code id_token")
    params["code"] = params["code"][::-1]
    words = _rejected(session, pending, params)
    assert "c_hash" in words


def test_an_id_token_without_nonce_is_rejected(server: DemoServer, session: OAuthSession) -> None:
    pending, params = _redirect_in_chromium(session, "code id_token")
    params["id_token"] = _resign(server, params["id_token"], nonce=None)
    words = _rejected(session, pending, params)
    assert "nonce" in words and "no nonce claim" in words


def test_a_hybrid_request_without_nonce_is_refused_by_the_demo(server: DemoServer) -> None:
    """The server's side: OIDC Core §3.3.2.11 makes the nonce REQUIRED."""
    from tests.demo_driver import pkce_pair, redirect_params, sign_in_and_decide

    _, challenge = pkce_pair()
    url = (
        f"{server.issuer}/authorize?response_type=code+id_token&client_id=workbench-native"
        "&redirect_uri=http://127.0.0.1:1/callback&scope=openid&state=s1"
        f"&code_challenge={challenge}&code_challenge_method=S256"
    )
    params = redirect_params(sign_in_and_decide(url))
    assert params["error"] == "invalid_request" and "nonce" in params["error_description"]
