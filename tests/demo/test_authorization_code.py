"""Authorization code grant with PKCE, driven through the sign-in and consent pages with a
``requests.Session`` (RFC 6749 §4.1, RFC 7636, RFC 8252, RFC 9207)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
import pytest
import requests

from tests.demo_driver import (
    DemoDriverError,
    form_token,
    pkce_pair,
    redirect_params,
    sign_in_and_decide,
)
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    NATIVE_CLIENT_ID,
    USERS,
    DemoServer,
)

REDIRECT = "http://127.0.0.1:53123/callback"


def authorize_url(metadata: dict[str, Any], **params: str) -> str:
    query = {
        "response_type": "code",
        "client_id": NATIVE_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid profile email offline_access",
        "state": "state-123",
        **params,
    }
    return f"{metadata['authorization_endpoint']}?{urlencode(query)}"


def exchange(metadata: dict[str, Any], code: str, verifier: str | None, **extra: str) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": NATIVE_CLIENT_ID,
        **extra,
    }
    if verifier is not None:
        data["code_verifier"] = verifier
    return requests.post(metadata["token_endpoint"], data=data, timeout=5)


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def test_code_flow_through_the_pages(metadata: dict[str, Any]) -> None:
    verifier, challenge = pkce_pair()
    url = authorize_url(
        metadata, code_challenge=challenge, code_challenge_method="S256", nonce="nonce-1"
    )
    session = requests.Session()

    login = session.get(url, timeout=5)
    assert login.status_code == 200
    assert 'id="username"' in login.text and 'id="password"' in login.text
    for user in USERS.values():  # the demo credentials are shown
        assert user.username in login.text and user.password in login.text

    credentials = {"username": "alice", "password": "alice-password"}
    consent = session.post(
        url, data={**credentials, "csrf_token": form_token(login.text)}, timeout=5
    )
    assert consent.status_code == 200
    assert 'value="approve"' in consent.text and 'value="deny"' in consent.text
    assert NATIVE_CLIENT_ID in consent.text and "offline_access" in consent.text

    redirect = session.post(
        url,
        data={"decision": "approve", "csrf_token": form_token(consent.text)},
        allow_redirects=False,
        timeout=5,
    )
    assert redirect.status_code == 302
    location = redirect.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    params = redirect_params(location)
    assert params["state"] == "state-123"
    assert params["iss"] == metadata["issuer"]  # RFC 9207
    assert set(params) == {"code", "state", "iss"}

    response = exchange(metadata, params["code"], verifier)
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["refresh_token"]
    assert tokens["scope"] == "openid profile email offline_access"
    id_token = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert id_token["nonce"] == "nonce-1"
    assert id_token["aud"] == NATIVE_CLIENT_ID
    assert id_token["iss"] == metadata["issuer"]
    assert id_token["at_hash"] == at_hash(tokens["access_token"])
    assert id_token["preferred_username"] == "alice"
    access = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert access["auth_time"] == id_token["auth_time"]
    assert access["sub"] == id_token["sub"] == USERS["alice"].subject

    # The code is single-use.
    again = exchange(metadata, params["code"], verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_signed_in_session_goes_straight_to_consent(metadata: dict[str, Any]) -> None:
    session = requests.Session()
    _, challenge = pkce_pair()
    url = authorize_url(metadata, code_challenge=challenge, code_challenge_method="S256")
    sign_in_and_decide(url, username="bob", session=session)
    page = session.get(url, timeout=5)
    assert 'id="approve"' in page.text and 'id="username"' not in page.text
    assert "Bob Example" in page.text
    # prompt=login asks again although signed in (OIDC Core §3.1.2.1).
    page = session.get(url + "&prompt=login", timeout=5)
    assert 'id="username"' in page.text


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:1/callback",
        "http://127.0.0.1:65000/callback",
        "http://localhost:8765/callback",
        "http://[::1]:40000/callback",
        "http://127.0.0.1/callback",
    ],
)
def test_loopback_redirect_on_any_port(metadata: dict[str, Any], redirect_uri: str) -> None:
    _, challenge = pkce_pair()
    url = authorize_url(
        metadata,
        redirect_uri=redirect_uri,
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    location = sign_in_and_decide(url)
    assert location.startswith(redirect_uri + "?")
    assert "code" in redirect_params(location)


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://example.com:8000/callback",
        "https://127.0.0.1:8000/callback",
        "http://127.0.0.1:8000/other",
        "http://127.0.0.1.evil.example:8000/callback",
        "http://user@127.0.0.1:8000/callback",
    ],
)
def test_unregistered_redirect_uri_is_not_redirected_to(
    metadata: dict[str, Any], redirect_uri: str
) -> None:
    _, challenge = pkce_pair()
    url = authorize_url(
        metadata, redirect_uri=redirect_uri, code_challenge=challenge, code_challenge_method="S256"
    )
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert response.status_code == 400
    assert 'id="error"' in response.text and "invalid_request" in response.text


def test_unknown_client_is_an_error_page(metadata: dict[str, Any]) -> None:
    response = requests.get(
        authorize_url(metadata, client_id="nobody"), allow_redirects=False, timeout=5
    )
    assert response.status_code == 400
    assert "invalid_client" in response.text


def test_pkce_is_required_for_the_public_client(metadata: dict[str, Any]) -> None:
    response = requests.get(authorize_url(metadata), allow_redirects=False, timeout=5)
    assert response.status_code == 302
    params = redirect_params(response.headers["Location"])
    assert params["error"] == "invalid_request"
    assert "PKCE" in params["error_description"]
    assert params["state"] == "state-123"
    assert params["iss"] == metadata["issuer"]


def test_plain_pkce_method_is_refused(metadata: dict[str, Any]) -> None:
    url = authorize_url(metadata, code_challenge="a" * 43, code_challenge_method="plain")
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert redirect_params(response.headers["Location"])["error"] == "invalid_request"
    url = authorize_url(metadata, code_challenge="a" * 43)  # method defaults to plain
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert redirect_params(response.headers["Location"])["error"] == "invalid_request"


def test_wrong_or_missing_code_verifier_is_rejected(metadata: dict[str, Any]) -> None:
    verifier, challenge = pkce_pair()
    url = authorize_url(metadata, code_challenge=challenge, code_challenge_method="S256")
    code = redirect_params(sign_in_and_decide(url))["code"]

    wrong = exchange(metadata, code, pkce_pair()[0])
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"

    missing = exchange(metadata, code, None)
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"

    assert exchange(metadata, code, verifier).status_code == 200


def test_redirect_uri_must_match_at_the_token_endpoint(metadata: dict[str, Any]) -> None:
    verifier, challenge = pkce_pair()
    url = authorize_url(metadata, code_challenge=challenge, code_challenge_method="S256")
    code = redirect_params(sign_in_and_decide(url))["code"]
    response = exchange(metadata, code, verifier, redirect_uri="http://127.0.0.1:9999/callback")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_deny_redirects_with_access_denied(metadata: dict[str, Any]) -> None:
    _, challenge = pkce_pair()
    url = authorize_url(metadata, code_challenge=challenge, code_challenge_method="S256")
    params = redirect_params(sign_in_and_decide(url, decision="deny"))
    assert params == {
        "error": "access_denied",
        "error_description": params["error_description"],
        "state": "state-123",
        "iss": metadata["issuer"],
    }


def test_cancel_on_the_sign_in_page_denies(metadata: dict[str, Any]) -> None:
    _, challenge = pkce_pair()
    url = authorize_url(metadata, code_challenge=challenge, code_challenge_method="S256")
    session = requests.Session()
    token = form_token(session.get(url, timeout=5).text)
    response = session.post(
        url, data={"decision": "deny", "csrf_token": token}, allow_redirects=False, timeout=5
    )
    assert redirect_params(response.headers["Location"])["error"] == "access_denied"


def test_wrong_password_on_the_sign_in_page(metadata: dict[str, Any]) -> None:
    _, challenge = pkce_pair()
    url = authorize_url(metadata, code_challenge=challenge, code_challenge_method="S256")
    with pytest.raises(DemoDriverError, match="Wrong username or password"):
        sign_in_and_decide(url, password="nope")
    session = requests.Session()
    token = form_token(session.get(url, timeout=5).text)
    response = session.post(
        url,
        data={"username": "<b>alice</b>", "password": "x", "csrf_token": token},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 400
    assert "<b>alice</b>" not in response.text  # user input is escaped
    assert "&lt;b&gt;alice&lt;/b&gt;" in response.text


def test_prompt_none_with_a_session_skips_the_pages(metadata: dict[str, Any]) -> None:
    session = requests.Session()
    _, challenge = pkce_pair()
    url = authorize_url(metadata, code_challenge=challenge, code_challenge_method="S256")
    sign_in_and_decide(url, session=session)
    response = session.get(url + "&prompt=none", allow_redirects=False, timeout=5)
    assert response.status_code == 302
    assert "code" in redirect_params(response.headers["Location"])


def test_prompt_none_without_session_is_login_required(metadata: dict[str, Any]) -> None:
    _, challenge = pkce_pair()
    url = authorize_url(
        metadata, code_challenge=challenge, code_challenge_method="S256", prompt="none"
    )
    response = requests.get(url, allow_redirects=False, timeout=5)
    params = redirect_params(response.headers["Location"])
    assert params["error"] == "login_required"
    assert params["iss"] == metadata["issuer"]


def test_confidential_client_code_flow_without_pkce(metadata: dict[str, Any]) -> None:
    url = authorize_url(metadata, client_id=CONFIDENTIAL_CLIENT_ID, scope="openid api:read")
    code = redirect_params(sign_in_and_decide(url))["code"]
    response = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        auth=(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    assert {"access_token", "refresh_token", "id_token"} <= set(response.json())


def test_code_from_another_client_is_invalid_grant(metadata: dict[str, Any]) -> None:
    url = authorize_url(metadata, client_id=CONFIDENTIAL_CLIENT_ID, scope="api:read")
    code = redirect_params(sign_in_and_decide(url))["code"]
    response = exchange(metadata, code, pkce_pair()[0])  # as the native client
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_pages_are_self_contained_and_not_framable(demo_server: DemoServer) -> None:
    response = requests.get(demo_server.url("home"), timeout=5)
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "<script" not in response.text and "http" not in response.text.split("</style>")[0]
    assert urlsplit(demo_server.issuer).hostname in response.text
