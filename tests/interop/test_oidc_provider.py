"""Interop with an independent, OpenID-certified provider: npm ``oidc-provider`` (see
conftest.py and provider.mjs), through the core, the CLI and a real headless Chromium that
signs in on the provider's own login and consent pages.

That provider lists ``code``, ``id_token``, ``id_token token`` and ``none`` as response types
(no ``token``), advertises RFC 9207 and omits ``iss`` from a response that carries an ID token:
the case the workbench used to refuse with ``issuer_missing``.
"""

from __future__ import annotations

import base64
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.browser import chromium_page
from tests.oidc_provider_peer import (
    API_AUDIENCE,
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DEVICE_CLIENT_ID,
    NATIVE_CLIENT_ID,
    IndependentProvider,
)
from workbench.core.errors import ConfigError, FlowError, OAuthError
from workbench.core.keys import generate_key
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig, ClientKey
from workbench.core.oauth.front_channel import AuthorizeOptions
from workbench.core.session import OAuthSession, PendingAuthorization
from workbench.core.tokens.decode import decode_jwt

DONE_TEXT = "text=You can close this tab"
PAGE_TIMEOUT_MS = 15_000
JAR_CLIENT_ID = "workbench-jar"  # provider.mjs: private_key_jwt, request objects (ES256)


def outcomes(inspection: Any) -> dict[str, str]:
    return {f.check: f.outcome.value for f in inspection.findings}


@pytest.fixture
def open_session(independent_provider: IndependentProvider) -> Iterator[Any]:
    sessions: list[OAuthSession] = []

    def make(client: ClientConfig, scope: str = "") -> OAuthSession:
        provider = Provider(client=client, issuer=independent_provider.issuer, scope=scope)
        session = OAuthSession(provider)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


@pytest.fixture
def native(open_session: Any) -> OAuthSession:
    session: OAuthSession = open_session(ClientConfig(NATIVE_CLIENT_ID, None, "none"))
    return session


@pytest.fixture
def confidential(open_session: Any) -> OAuthSession:
    client = ClientConfig(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)
    session: OAuthSession = open_session(client, scope="api:read")
    return session


def loopback_only(page: Any) -> None:
    """The provider's pages import a web font: nothing may leave this machine."""

    def route(r: Any) -> None:
        if urlsplit(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.set_default_timeout(PAGE_TIMEOUT_MS)


def sign_in_and_consent(page: Any, url: str, login: str = "alice") -> None:
    """oidc-provider's development login page (any login and password), then its consent."""
    page.goto(url)
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any-password")
    page.click("button[type=submit]")  # Sign-in
    page.wait_for_selector("button:has-text('Continue')")
    page.click("button:has-text('Continue')")  # consent


def browser_login(pending: PendingAuthorization) -> str:
    """Headless Chromium through the provider's pages to our loopback listener; the URL it
    ended on (the redirect URI with the response)."""
    with chromium_page() as page:
        loopback_only(page)
        sign_in_and_consent(page, pending.url)
        page.wait_for_selector(DONE_TEXT)
        return str(page.url)


# -- discovery --------------------------------------------------------------------------------
def test_discovery(native: OAuthSession, independent_provider: IndependentProvider) -> None:
    meta = native.metadata()
    issuer = independent_provider.issuer
    assert meta.issuer == issuer
    assert meta.authorization_endpoint == issuer + "/auth"
    assert meta.token_endpoint == issuer + "/token"
    assert meta.jwks_uri == issuer + "/jwks"
    assert meta.device_authorization_endpoint and meta.introspection_endpoint
    assert meta.revocation_endpoint and meta.userinfo_endpoint
    assert meta.authorization_response_iss_parameter_supported
    assert set(meta.response_types_supported) == {
        "code", "id_token", "id_token token", "none",
        "code id_token", "code token", "code id_token token",  # hybrid (test_hybrid_rar_interop)
    }  # fmt: skip


# -- response type choice and refusal --------------------------------------------------------
def test_response_type_is_chosen_from_the_servers_list(native: OAuthSession) -> None:
    assert native.implicit_response_type() == "id_token token"
    assert native.implicit_response_type("id_token token") == "id_token token"


def test_token_is_refused_before_the_browser(native: OAuthSession) -> None:
    with pytest.raises(ConfigError) as info:
        native.begin_authorization(response_type="token")
    message = str(info.value)
    assert "does not offer response_type 'token'" in message
    for offered in ("'code'", "'id_token'", "'id_token token'", "'none'"):
        assert offered in message
    assert not [t for t in threading.enumerate() if t.name.startswith("loopback-")]


# -- implicit id_token token in a real browser -----------------------------------------------
@pytest.mark.browser
def test_implicit_id_token_token_in_a_real_browser(
    native: OAuthSession, independent_provider: IndependentProvider
) -> None:
    pending = native.begin_authorization(response_type=native.implicit_response_type())
    try:
        assert parse_qs(urlsplit(pending.url).query)["scope"] == ["openid"]
        landed = browser_login(pending)
        tokens = native.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    response = parse_qs(urlsplit(landed).fragment)
    assert "iss" not in response and "id_token" in response  # RFC 9207 §2.4, as it should be
    assert tokens.access_token and tokens.id_token
    claims = decode_jwt(tokens.id_token).claims
    assert claims["iss"] == independent_provider.issuer and claims["sub"] == "alice"
    found = outcomes(
        native.inspect(
            tokens.id_token,
            kind="id",
            nonce=pending.request.nonce,
            access_token=tokens.access_token,
        )
    )
    for check in ("signature", "keys", "iss", "aud", "exp", "nonce", "at_hash"):
        assert found[check] == "pass", check
    # The opaque access token works where it is meant to: the provider's UserInfo.
    assert native.userinfo(tokens.access_token)["sub"] == "alice"


@pytest.mark.browser
def test_cancel_on_its_login_page_is_access_denied(native: OAuthSession) -> None:
    """The user gives up on the provider's page: its error redirect carries ``iss`` (no ID
    token there), which is checked, and the error comes through as the provider's."""
    from workbench.core.errors import OAuthError

    pending = native.begin_authorization(response_type="id_token token")
    try:
        with chromium_page() as page:
            loopback_only(page)
            page.goto(pending.url)
            page.click("a[href$='/abort']")  # its "[ Cancel ]" link
            page.wait_for_selector("text=Sign-in failed")  # our listener's page, not a pass
            response = parse_qs(urlsplit(str(page.url)).fragment)
        with pytest.raises(OAuthError) as info:
            native.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    assert response["iss"] == [native.metadata().issuer]
    assert info.value.error == "access_denied"


@pytest.mark.browser
def test_authorization_code_with_pkce_in_a_real_browser(native: OAuthSession) -> None:
    # OIDC Core §11: offline_access counts only with prompt=consent, and this provider obeys.
    pending = native.begin_authorization("openid offline_access", extra={"prompt": "consent"})
    try:
        landed = browser_login(pending)
        tokens = native.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    query = parse_qs(urlsplit(landed).query)
    assert query["iss"] == [native.metadata().issuer]  # no ID token here: iss is sent
    assert tokens.access_token and tokens.id_token and tokens.refresh_token
    found = outcomes(native.inspect(tokens.id_token, kind="id", nonce=pending.request.nonce))
    assert found["signature"] == found["iss"] == found["aud"] == found["nonce"] == "pass"
    refreshed = native.refresh(tokens.refresh_token)
    access = refreshed.tokens.access_token
    assert access and access != tokens.access_token
    # A public client may introspect and revoke its own (opaque) tokens at this provider.
    assert native.introspect(access)["active"] is True
    native.revoke(access, "access_token")
    assert native.introspect(access)["active"] is False
    verdict = native.server_verdict(access)
    assert verdict.active is False and verdict.source == "introspection"


@pytest.mark.browser
def test_device_flow_approved_in_a_real_browser(open_session: Any) -> None:
    session: OAuthSession = open_session(ClientConfig(DEVICE_CLIENT_ID, None, "none"), "openid")
    auth = session.start_device()
    assert auth.verification_uri_complete and auth.user_code
    cancel = threading.Event()
    polls = session.poll_device(auth, cancel)
    with chromium_page() as page:
        loopback_only(page)
        page.goto(auth.verification_uri_complete)
        page.click("button[type=submit]")  # confirm the code shown
        page.fill("input[name=login]", "alice")
        page.fill("input[name=password]", "any-password")
        page.click("button[type=submit]")
        page.wait_for_selector("button:has-text('Continue')")
        page.click("button:has-text('Continue')")
        page.wait_for_selector("text=Sign-in Success")
    try:
        while True:
            next(polls)
    except StopIteration as done:
        tokens = done.value
    assert tokens.access_token and tokens.id_token
    assert outcomes(session.inspect(tokens.id_token, kind="id"))["signature"] == "pass"


# -- direct grants and token management ------------------------------------------------------
def test_client_credentials_jwt_verifies_against_the_jwks(
    confidential: OAuthSession, independent_provider: IndependentProvider
) -> None:
    tokens = confidential.client_credentials()
    assert tokens.access_token and tokens.scope == "api:read"
    inspection = confidential.inspect(tokens.access_token, kind="access")
    found = outcomes(inspection)
    assert found["signature"] == found["keys"] == found["iss"] == "pass"
    assert found["aud"] == "pass"  # its client_id claim is this client (RFC 9068 §2.2)
    assert inspection.decoded.header["typ"] == "at+jwt"
    assert inspection.decoded.claims["aud"] == API_AUDIENCE
    assert inspection.signature_valid


def test_a_jwt_access_token_is_not_introspected_by_this_provider(
    confidential: OAuthSession,
) -> None:
    """oidc-provider introspects only its opaque tokens: its refusal comes through as the
    OAuth error it is (opaque tokens are introspected in the authorization code test)."""
    from workbench.core.errors import OAuthError

    access = confidential.client_credentials().access_token or ""
    with pytest.raises(OAuthError) as info:
        confidential.introspect(access)
    assert info.value.error == "unsupported_token_type"


def test_wrong_client_secret_is_invalid_client(open_session: Any) -> None:
    from workbench.core.errors import OAuthError

    session: OAuthSession = open_session(ClientConfig(CONFIDENTIAL_CLIENT_ID, "wrong"), "api:read")
    with pytest.raises(OAuthError) as info:
        session.client_credentials()
    assert info.value.error == "invalid_client"


# -- the command line ------------------------------------------------------------------------
def _cli(*args: str, stdin: int = subprocess.DEVNULL) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_cli_refuses_token_before_the_browser(independent_provider: IndependentProvider) -> None:
    process = _cli(
        "token",
        "--grant",
        "implicit",
        "--issuer",
        independent_provider.issuer,
        "--client-id",
        NATIVE_CLIENT_ID,
        "--response-type",
        "token",
    )
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 2, stderr
    assert stdout == ""
    assert "does not offer response_type 'token'" in stderr and "'id_token token'" in stderr
    assert "Open this URL" not in stderr and "/auth?" not in stderr


@pytest.mark.browser
def test_cli_implicit_picks_id_token_token(independent_provider: IndependentProvider) -> None:
    process = _cli(
        "token",
        "--grant",
        "implicit",
        "--issuer",
        independent_provider.issuer,
        "--client-id",
        NATIVE_CLIENT_ID,
        "--no-browser",
        "--json",
        "--timeout",
        "60",
    )
    try:
        assert process.stderr is not None
        seen: list[str] = []
        for line in process.stderr:
            seen.append(line)
            if line.startswith(independent_provider.issuer + "/auth?"):
                url = line.strip()
                break
        else:
            pytest.fail("no authorize URL on stderr: " + "".join(seen))
        assert any("response type: id_token token (chosen from the server's" in s for s in seen), (
            seen
        )
        assert parse_qs(urlsplit(url).query)["response_type"] == ["id_token token"]
        with chromium_page() as page:
            loopback_only(page)
            sign_in_and_consent(page, url)
            page.wait_for_selector(DONE_TEXT)
        stdout, rest = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, "".join(seen) + rest
    result = json.loads(stdout)
    assert result["access_token"] and result["id_token"] and "iss" not in result


def test_cli_inspect_verifies_against_the_issuer(
    confidential: OAuthSession, independent_provider: IndependentProvider
) -> None:
    access = confidential.client_credentials().access_token or ""
    process = _cli(
        "inspect", "-", "--issuer", independent_provider.issuer, "--client-id",
        CONFIDENTIAL_CLIENT_ID, "--json", stdin=subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = process.communicate(access, timeout=60)
    assert process.returncode == 0, stderr
    report = json.loads(stdout)
    assert report["ok"] is True
    assert {f["check"]: f["outcome"] for f in report["findings"]}["signature"] == "pass"


def test_the_provider_answers_plain_requests(independent_provider: IndependentProvider) -> None:
    """The provider under test is what the workbench saw: its document straight from HTTP."""
    doc = requests.get(independent_provider.discovery_url, timeout=5).json()
    assert doc["issuer"] == independent_provider.issuer
    assert "token" not in doc["response_types_supported"]


def test_call_reads_an_independent_servers_bearer_refusal(
    independent_provider: IndependentProvider,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``workbench call`` against oidc-provider's UserInfo (a protected resource of its own):
    its RFC 6750 challenge, written by another implementation, is read and explained; the token
    sent never shows. (No independent resource server with RFC 9728 metadata is started here:
    the ``--auto`` path is tested against the demo APIs only.)"""
    from workbench.cli import main

    document = requests.get(
        independent_provider.issuer + "/.well-known/openid-configuration", timeout=5
    ).json()
    bogus = "not-a-token-this-server-issued-0123456789"
    monkeypatch.setenv("BOGUS_TOKEN", bogus)
    code = main(["call", document["userinfo_endpoint"], "--token-env", "BOGUS_TOKEN", "--json"])
    captured = capsys.readouterr()
    assert code == 1
    answer = json.loads(captured.out)
    assert answer["status"] == 401
    assert answer["challenge"]["scheme"] == "Bearer"
    assert answer["challenge"]["params"]["error"] == "invalid_token"
    assert "error: invalid_token:" in captured.err
    assert "expired, revoked" in captured.err  # the explanation in words
    assert bogus not in captured.out + captured.err


# -- PAR (RFC 9126) and JARM ------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("mode", ["jwt", "form_post.jwt"])
def test_par_and_jarm_in_a_real_browser(native: OAuthSession, mode: str) -> None:
    """The request pushed to its PAR endpoint, the browser sent with client_id and
    request_uri only, the response a JWT it signed: verified against its JWKS before the
    code is redeemed."""
    meta = native.metadata()
    assert meta.raw["pushed_authorization_request_endpoint"]
    assert mode in meta.raw["response_modes_supported"]
    pending = native.begin_authorization(
        "openid", options=AuthorizeOptions(par=True, response_mode=mode)
    )
    try:
        assert set(parse_qs(urlsplit(pending.url).query)) == {"client_id", "request_uri"}
        landed = browser_login(pending)
        tokens = native.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    if mode == "jwt":  # query.jwt for code: only the response JWT in the redirect
        assert set(parse_qs(urlsplit(landed).query)) == {"response"}
    assert tokens.access_token and tokens.id_token
    push = [e for e in native.log.items() if e.purpose == "pushed authorization request"]
    assert len(push) == 1 and push[0].status == 201
    (step,) = [s for s in native.log.steps() if s.kind == "jarm_verified"]
    assert f'"iss": "{meta.issuer}"' in step.detail["claims"]
    assert "signature: valid RS256" in step.detail["checks"]


class _Catcher(http.server.BaseHTTPRequestHandler):
    """A loopback page the test owns: it keeps the URL the browser was redirected to."""

    caught: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.caught.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"caught")

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.mark.browser
def test_a_tampered_jarm_response_from_it_is_rejected(native: OAuthSession) -> None:
    """Its real JARM response, caught on another loopback port (the provider takes any port
    of a registered loopback URI), one claim changed, then delivered to the workbench's
    listener: the signature no longer matches and the code inside is never redeemed."""
    pending = native.begin_authorization("openid", options=AuthorizeOptions(response_mode="jwt"))
    catcher = http.server.HTTPServer(("127.0.0.1", 0), _Catcher)
    serving = threading.Thread(target=catcher.serve_forever, daemon=True)
    serving.start()
    try:
        ours = str(urlsplit(pending.request.redirect_uri).port)
        theirs = str(catcher.server_address[1])
        url = pending.url.replace(f"127.0.0.1%3A{ours}", f"127.0.0.1%3A{theirs}")
        assert url != pending.url
        with chromium_page() as page:
            loopback_only(page)
            sign_in_and_consent(page, url)
            page.wait_for_selector("text=caught")
        token = parse_qs(urlsplit(_Catcher.caught[-1]).query)["response"][0]
        head, body, sig = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims["aud"] = "someone-else"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        requests.get(
            pending.request.redirect_uri, params={"response": f"{head}.{forged}.{sig}"}, timeout=5
        )
        with pytest.raises(FlowError, match="check signature failed") as caught:
            native.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
        catcher.shutdown()
        catcher.server_close()
        serving.join(timeout=5)
    assert caught.value.kind == "jarm_signature"
    assert not [e for e in native.log.items() if e.purpose.startswith("token")]


# -- JAR (RFC 9101) ---------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("par", [False, True])
def test_request_object_in_a_real_browser(
    open_session: Any, independent_provider: IndependentProvider, par: bool
) -> None:
    """The parameters signed with the client's ES256 key (registered in its JWKS), in the URL
    or inside a pushed request; its pages sign in, the code is redeemed with a client
    assertion made by the same key."""
    client = ClientConfig(
        JAR_CLIENT_ID,
        None,
        "private_key_jwt",
        client_key=ClientKey(path=str(independent_provider.client_keys["ES256"])),
        assertion_audience="issuer",
    )
    session: OAuthSession = open_session(client, scope="openid")
    key = client.key()
    assert key.alg in session.metadata().raw["request_object_signing_alg_values_supported"]
    pending = session.begin_authorization(options=AuthorizeOptions(par=par, request_object_key=key))
    try:
        sent = set(parse_qs(urlsplit(pending.url).query))
        assert sent == (
            {"client_id", "request_uri"}
            if par
            else {"client_id", "response_type", "scope", "request"}
        )
        browser_login(pending)
        tokens = session.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    assert tokens.id_token
    assert decode_jwt(tokens.id_token).claims["nonce"] == pending.request.nonce


def test_a_request_object_signed_by_another_key_is_refused_by_it(
    open_session: Any, independent_provider: IndependentProvider
) -> None:
    client = ClientConfig(
        JAR_CLIENT_ID,
        None,
        "private_key_jwt",
        client_key=ClientKey(path=str(independent_provider.client_keys["ES256"])),
        assertion_audience="issuer",
    )
    session: OAuthSession = open_session(client, scope="openid")
    stranger = generate_key("ES256", kid=client.key().kid)  # the registered kid, another key
    with pytest.raises(OAuthError) as refused:
        session.begin_authorization(options=AuthorizeOptions(par=True, request_object_key=stranger))
    assert refused.value.error == "invalid_request_object"
