"""The demo server's end-session endpoint (OpenID Connect RP-Initiated Logout 1.0), driven
over HTTP with a cookie-keeping ``requests`` session in the browser's place."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import requests

from tests.demo_driver import pkce_pair, redirect_params, sign_in_and_decide
from workbench.demo import NATIVE_CLIENT_ID, DemoServer

CALLBACK = "http://127.0.0.1:53682/callback"
LOGGED_OUT = "http://127.0.0.1:53682/logged-out"


def _authorize_url(server: DemoServer, state: str = "s1") -> str:
    _verifier, challenge = pkce_pair()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": NATIVE_CLIENT_ID,
            "redirect_uri": CALLBACK,
            "scope": "openid profile",
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{server.url('authorize')}?{query}"


def _signed_in(server: DemoServer) -> tuple[requests.Session, str]:
    """A browser session signed in as alice, and an ID token of that sign-in."""
    browser = requests.Session()
    sign_in_and_decide(_authorize_url(server), session=browser)
    tokens = requests.post(
        server.url("token"),
        data={
            "grant_type": "password",
            "username": "alice",
            "password": "alice-password",
            "client_id": "workbench-confidential",
            "client_secret": "demo-secret",
            "scope": "openid",
        },
        timeout=10,
    ).json()
    return browser, tokens["id_token"]


def _logout(browser: requests.Session, server: DemoServer, **params: str) -> requests.Response:
    return browser.get(server.url("end_session"), params=params, allow_redirects=False, timeout=10)


def test_metadata_names_the_end_session_endpoint(demo: DemoServer) -> None:
    meta = requests.get(demo.url("openid_configuration"), timeout=10).json()
    assert meta["end_session_endpoint"] == demo.issuer + "/logout"


def test_logout_redirects_with_state_and_ends_the_browser_session(demo: DemoServer) -> None:
    browser, id_token = _signed_in(demo)
    # Signed in: the authorization request goes straight to the consent page.
    page = browser.get(_authorize_url(demo), timeout=10).text
    assert 'id="password"' not in page and 'id="approve"' in page

    response = _logout(
        browser,
        demo,
        id_token_hint=id_token,
        client_id="workbench-confidential",
        post_logout_redirect_uri=LOGGED_OUT,
        state="xyz",
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(LOGGED_OUT + "?")
    assert redirect_params(location) == {"state": "xyz"}

    page = browser.get(_authorize_url(demo), timeout=10).text
    assert 'id="password"' in page  # the next authorize asks for the password again


def test_without_redirect_uri_a_signed_out_page(demo: DemoServer) -> None:
    browser, id_token = _signed_in(demo)
    response = _logout(browser, demo, id_token_hint=id_token)
    assert response.status_code == 200
    assert 'data-result="logged-out"' in response.text
    assert 'id="password"' in browser.get(_authorize_url(demo), timeout=10).text


def _refused(response: requests.Response, words: str) -> None:
    assert response.status_code == 400
    assert "Location" not in response.headers  # never an open redirect
    assert response.headers["Content-Type"].startswith("text/html")
    assert words in response.text


def test_bad_requests_get_a_page_never_a_redirect(demo: DemoServer) -> None:
    browser, id_token = _signed_in(demo)
    evil = "https://evil.example/logged-out"
    _refused(_logout(browser, demo, post_logout_redirect_uri=evil), "id_token_hint is required")
    _refused(
        _logout(browser, demo, id_token_hint="not.a.jwt", post_logout_redirect_uri=evil),
        "not an ID token signed by this server",
    )
    _refused(
        _logout(browser, demo, id_token_hint=id_token, post_logout_redirect_uri=evil),
        "not registered",
    )
    for bad in (
        "http://127.0.0.1:1/callback",
        "http://127.0.0.1:1/logged-out?x=1",
        "http://user@127.0.0.1:1/logged-out",
    ):
        _refused(
            _logout(browser, demo, id_token_hint=id_token, post_logout_redirect_uri=bad),
            "not registered",
        )
    _refused(
        _logout(
            browser,
            demo,
            id_token_hint=id_token,
            client_id="workbench-native",
            post_logout_redirect_uri=LOGGED_OUT,
        ),
        "client_id is not the audience",
    )
    # None of the refusals ended the session.
    page = browser.get(_authorize_url(demo), timeout=10).text
    assert 'id="password"' not in page


def test_a_token_from_another_server_is_refused(make_demo: object) -> None:
    first = make_demo()  # type: ignore[operator]
    second = make_demo()  # type: ignore[operator]
    _browser, foreign = _signed_in(first)
    browser, _id_token = _signed_in(second)
    response = _logout(
        browser, second, id_token_hint=foreign, post_logout_redirect_uri=LOGGED_OUT, state="s"
    )
    _refused(response, "not an ID token signed by this server")
    assert dict(parse_qsl(urlsplit(response.url).query))["state"] == "s"
