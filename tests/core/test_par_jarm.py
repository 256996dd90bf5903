"""PAR (RFC 9126) and JARM against the demo server: the core pushes the request and verifies
the signed response; the demo server gives out single-use request_uris and signs responses.

The user's part is played over HTTP by :mod:`tests.demo_driver` (the real-browser runs are in
``test_par_jarm_browser.py``); the redirect is delivered to the core's own loopback listener."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.demo_driver import DemoDriverError, sign_in_and_decide
from workbench.core.errors import ConfigError, FlowError, OAuthError
from workbench.core.model import Provider
from workbench.core.oauth.front_channel import AuthorizeOptions
from workbench.core.session import OAuthSession
from workbench.core.tokens.decode import decode_jwt
from workbench.demo import DemoServer
from workbench.demo.clients import demo_provider


def _session(server: DemoServer, *, public: bool = True) -> OAuthSession:
    return OAuthSession(demo_provider(server.issuer, public=public))


@pytest.fixture
def session(demo: DemoServer) -> Iterator[OAuthSession]:
    s = _session(demo)
    yield s
    s.close()


def _deliver(location: str) -> None:
    """What the browser does with the redirect: load it (the listener answers)."""
    requests.get(location, timeout=10)


def test_par_pushes_the_request_and_the_browser_gets_only_client_id_and_request_uri(
    session: OAuthSession,
) -> None:
    pending = session.begin_authorization(options=AuthorizeOptions(par=True))
    try:
        query = dict(parse_qsl(urlsplit(pending.url).query))
        assert set(query) == {"client_id", "request_uri"}
        assert query["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")
        assert pending.request.pushed is not None and pending.request.pushed.expires_in == 60
        location = sign_in_and_decide(pending.url)
        _deliver(location)
        tokens = session.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    assert tokens.access_token and tokens.id_token
    pushed = [e for e in session.log.items() if e.purpose == "pushed authorization request"]
    assert len(pushed) == 1 and pushed[0].status == 201
    assert (pushed[0].request_form or {})["code_challenge_method"] == "S256"
    assert "request_uri" in pushed[0].response_body


def test_a_used_request_uri_is_refused_with_an_error_page(session: OAuthSession) -> None:
    pending = session.begin_authorization(options=AuthorizeOptions(par=True))
    try:
        location = sign_in_and_decide(pending.url)
        assert "code=" in location
        with pytest.raises(DemoDriverError, match="already used"):
            sign_in_and_decide(pending.url)
    finally:
        pending.close()


def test_an_expired_request_uri_is_refused(make_demo) -> None:  # type: ignore[no-untyped-def]
    server = make_demo(par_ttl=1)
    session = _session(server)
    pending = session.begin_authorization(options=AuthorizeOptions(par=True))
    try:
        time.sleep(1.2)  # past the request_uri's lifetime (not a timing assertion)
        with pytest.raises(DemoDriverError, match="expired"):
            sign_in_and_decide(pending.url)
    finally:
        pending.close()
        session.close()


def test_par_asked_of_a_server_without_the_endpoint_fails_before_any_listener(
    demo: DemoServer,
) -> None:
    provider = Provider(
        client=demo_provider(demo.issuer, public=True).client,
        issuer="",
        discover=False,
        endpoints={
            "authorization_endpoint": demo.issuer + "/authorize",
            "token_endpoint": demo.issuer + "/token",
        },
    )
    session = OAuthSession(provider)
    with pytest.raises(ConfigError, match="advertises no pushed_authorization_request_endpoint"):
        session.begin_authorization(options=AuthorizeOptions(par=True))
    session.close()


def test_a_server_requiring_par_gets_it_unasked_and_refuses_a_plain_request(make_demo) -> None:  # type: ignore[no-untyped-def]
    server = make_demo(require_par=True)
    session = _session(server)
    pending = session.begin_authorization()
    try:
        assert pending.request.pushed is not None
        plain = server.issuer + "/authorize?" + urlencode(pending.request.params)
        with pytest.raises(DemoDriverError, match="requires pushed authorization requests"):
            sign_in_and_decide(plain)
    finally:
        pending.close()
        session.close()


@pytest.mark.parametrize("mode", ["jwt", "query.jwt", "fragment.jwt"])
def test_jarm_response_is_verified_then_its_code_redeemed(session: OAuthSession, mode: str) -> None:
    pending = session.begin_authorization(options=AuthorizeOptions(response_mode=mode))
    try:
        location = sign_in_and_decide(pending.url)
        parts = urlsplit(location)
        carried = dict(parse_qsl(parts.fragment if mode == "fragment.jwt" else parts.query))
        assert set(carried) == {"response"}  # code and state only inside the JWT
        if mode == "fragment.jwt":  # a browser posts the fragment back through the page
            base = location.split("#", 1)[0]
            form = {"Content-Type": "application/x-www-form-urlencoded"}
            requests.post(base, data=parts.fragment, timeout=10, headers=form)
        else:
            _deliver(location)
        tokens = session.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    assert tokens.access_token
    step = [s for s in session.log.steps() if s.kind == "jarm_verified"]
    assert len(step) == 1
    claims = step[0].detail["claims"]
    assert '"aud": "workbench-native"' in claims and pending.request.state in claims
    # the code is shown decoded but masked, never whole
    redeemed = next(e for e in session.log.items() if e.purpose.startswith("token"))
    assert '"code": "' in claims and "••••••" in claims
    assert (redeemed.request_form or {})["code"].split("…")[0] in claims
    assert "signature: valid RS256" in step[0].detail["checks"]


def _forged(location: str, claims_change: dict[str, object], key: RSAKey | None = None) -> str:
    """The redirect with its response JWT re-signed (by ``key``, else a stranger's key)."""
    parts = urlsplit(location)
    token = dict(parse_qsl(parts.query))["response"]
    decoded = decode_jwt(token)
    stranger = key or RSAKey.generate_key(2048, {"kid": decoded.header.get("kid")})
    claims = {**decoded.claims, **claims_change}
    forged = jwt.encode(dict(decoded.header), claims, stranger, algorithms=["RS256"])
    return parts._replace(query=urlencode({"response": forged})).geturl()


def _run_forged(
    session: OAuthSession, change: dict[str, object], key: RSAKey | None = None
) -> FlowError:
    pending = session.begin_authorization(options=AuthorizeOptions(response_mode="query.jwt"))
    try:
        _deliver(_forged(sign_in_and_decide(pending.url), change, key))
        with pytest.raises(FlowError) as caught:
            session.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    assert not [e for e in session.log.items() if e.purpose.startswith("token")]
    return caught.value


def test_jarm_with_a_bad_signature_is_rejected_before_the_code_is_used(
    session: OAuthSession,
) -> None:
    error = _run_forged(session, {})
    assert error.kind == "jarm_signature"
    assert "check signature failed" in str(error) and "signature does not match" in str(error)


def test_jarm_expired_is_rejected(make_demo) -> None:  # type: ignore[no-untyped-def]
    server = make_demo(jarm_ttl=-120)
    session = _session(server)
    pending = session.begin_authorization(options=AuthorizeOptions(response_mode="jwt"))
    try:
        _deliver(sign_in_and_decide(pending.url))
        with pytest.raises(FlowError, match="check exp failed: expired") as caught:
            session.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
        session.close()
    assert caught.value.kind == "jarm_exp"


def test_jarm_for_another_client_or_issuer_is_rejected(demo: DemoServer) -> None:
    key = demo.authority.key  # the server's own key: only the claim is wrong
    session = _session(demo)
    try:
        assert _run_forged(session, {"aud": "someone-else"}, key).kind == "jarm_aud"
        assert _run_forged(session, {"iss": "https://evil.example"}, key).kind == "jarm_iss"
    finally:
        session.close()


def test_jarm_asked_of_a_server_that_does_not_offer_it_fails_first(demo: DemoServer) -> None:
    session = _session(demo)
    session.metadata()
    with pytest.raises(ConfigError, match="does not offer response_mode form_post"):
        session.begin_authorization(options=AuthorizeOptions(response_mode="form_post"))
    session.close()


def test_a_denied_jarm_response_is_verified_then_reported(session: OAuthSession) -> None:
    pending = session.begin_authorization(options=AuthorizeOptions(response_mode="query.jwt"))
    try:
        _deliver(sign_in_and_decide(pending.url, decision="deny"))
        with pytest.raises(OAuthError) as caught:
            session.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    assert caught.value.error == "access_denied"
    assert [s.kind for s in session.log.steps()] == ["jarm_verified"]


def test_the_form_post_listener_takes_only_a_post(session: OAuthSession) -> None:
    pending = session.begin_authorization(options=AuthorizeOptions(response_mode="form_post.jwt"))
    try:
        uri = pending.request.redirect_uri
        refused = requests.get(uri, params={"state": pending.request.state}, timeout=5)
        assert refused.status_code == 405
        assert pending.listener.mode == "form_post"
    finally:
        pending.close()
