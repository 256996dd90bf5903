"""The demo server as a careful authorization server (issue 7 §5): body caps, odd input
answered 4xx (never 500, never a redirect to an unregistered URI), token families revoked on
replay, introspection for confidential clients only, prompt=none honouring consent,
anti-CSRF tokens, user-code guessing throttled. Real-browser attacks are in
test_browser_attacks.py."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.demo_driver import (
    DemoDriverError,
    decide_device_code,
    form_token,
    pkce_pair,
    redirect_params,
    sign_in_and_decide,
)
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DEVICE_CODE_GRANT,
    NATIVE_CLIENT_ID,
    USERS,
    DemoConfig,
    DemoServer,
    create_app,
    web,
)
from workbench.demo.accounts import is_loopback_redirect_uri
from workbench.demo.store import DeviceStatus

BASIC = (CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)
REDIRECT = "http://127.0.0.1:53123/callback"


def authorize_url(metadata: dict[str, Any], **params: str) -> str:
    _, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": NATIVE_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid profile",
        "state": "state-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **params,
    }
    request = requests.Request("GET", metadata["authorization_endpoint"], params=query)
    return str(request.prepare().url)


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while data := sock.recv(65536):
        chunks.append(data)
    return b"".join(chunks)


def introspect(metadata: dict[str, Any], token: str, auth: Any = BASIC, **data: str) -> Any:
    return requests.post(
        metadata["introspection_endpoint"], data={"token": token, **data}, auth=auth, timeout=5
    )


def active(metadata: dict[str, Any], token: str) -> bool:
    response = introspect(metadata, token)
    assert response.status_code == 200, response.text
    return bool(response.json()["active"])


def code_tokens(metadata: dict[str, Any], session: requests.Session | None = None) -> Any:
    verifier, challenge = pkce_pair()
    url = authorize_url(
        metadata, scope="openid offline_access", code_challenge=challenge, state="s"
    )
    code = redirect_params(sign_in_and_decide(url, session=session))["code"]
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": NATIVE_CLIENT_ID,
        "code_verifier": verifier,
    }
    response = requests.post(metadata["token_endpoint"], data=data, timeout=5)
    assert response.status_code == 200, response.text
    return response.json(), data


def refresh(metadata: dict[str, Any], refresh_token: str) -> requests.Response:
    return requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": NATIVE_CLIENT_ID,
        },
        timeout=5,
    )


def start_device(metadata: dict[str, Any]) -> Any:
    response = requests.post(
        metadata["device_authorization_endpoint"],
        data={"client_id": NATIVE_CLIENT_ID, "scope": "openid"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json()


# -- 3. request bodies are capped ---------------------------------------------------------
def test_huge_content_length_is_refused_before_the_body_is_read(demo_server: DemoServer) -> None:
    with socket.create_connection(("127.0.0.1", demo_server.port), timeout=10) as sock:
        sock.sendall(
            f"POST /token HTTP/1.1\r\nHost: 127.0.0.1:{demo_server.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {1 << 30}\r\n\r\n".encode()
        )
        # Not one byte of the announced gigabyte was sent: the answer (and the close) can
        # only come from a server that did not wait for the body.
        response = read_until_closed(sock)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert b'"invalid_request"' in body
    assert demo_server.authority.store.snapshot()["tokens"] == 0


def test_chunked_body_over_the_limit_is_refused_before_it_is_read(
    demo_server: DemoServer,
) -> None:
    with socket.create_connection(("127.0.0.1", demo_server.port), timeout=10) as sock:
        sock.sendall(
            f"POST /token HTTP/1.1\r\nHost: 127.0.0.1:{demo_server.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
            f"{1 << 30:x}\r\n".encode()  # one chunk of a gigabyte announced, none sent
        )
        response = read_until_closed(sock)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert b'"invalid_request"' in body


def test_chunked_bodies_are_decoded_and_capped(demo_server: DemoServer) -> None:
    def body(pieces: list[bytes]) -> Iterator[bytes]:
        yield from pieces  # requests sends a generator chunked

    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    small = requests.post(
        demo_server.url("token"),
        data=body([b"grant_type=client_", b"credentials&scope=api%3Aread"]),
        headers=headers,
        auth=BASIC,
        timeout=5,
    )
    assert small.status_code == 200, small.text
    # Over the limit in many small chunks: 413, not a silently truncated body.
    large = requests.post(
        demo_server.url("token"),
        data=body([b"grant_type=client_credentials&x=", *[b"a" * 4096] * 20]),
        headers=headers,
        auth=BASIC,
        timeout=5,
    )
    assert large.status_code == 413
    assert large.json()["error"] == "invalid_request"


def test_endless_chunked_body_is_cut_off(make_demo_server: Any) -> None:
    server: DemoServer = make_demo_server(max_request_body=1024)
    sent = 0
    budget = 64 << 20  # far more than the cap plus every socket buffer on the way
    chunk = b"%x\r\n%s\r\n" % (4096, b"a" * 4096)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            f"POST /token HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            while sent < budget:
                sock.sendall(chunk)
                sent += len(chunk)
    assert sent < budget  # the server stopped reading and closed the connection


def test_body_over_the_limit_is_413_json(demo_server: DemoServer) -> None:
    response = requests.post(
        demo_server.url("token"),
        data={"grant_type": "client_credentials", "scope": "a" * (70 * 1024)},
        auth=BASIC,
        timeout=5,
    )
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_request"
    # Within the limit all is as before.
    ok = requests.post(
        demo_server.url("token"), data={"grant_type": "client_credentials"}, auth=BASIC, timeout=5
    )
    assert ok.status_code == 200


# -- 4. odd input is a 4xx OAuth error, never a 500 --------------------------------------
@pytest.mark.parametrize(
    "params",
    [
        {"response_type": 'co"de'},
        {"response_type": "code\\"},
        {"response_type": "code\r\nX-Injected: 1"},
        {"response_type": "codé"},
        {"scope": 'openid "profile'},
        {"state": "a\r\nb"},
        {"code_challenge_method": "S256\\"},
    ],
)
def test_malformed_parameter_with_a_good_redirect_uri_is_an_error_redirect(
    metadata: dict[str, Any], params: dict[str, str]
) -> None:
    response = requests.get(authorize_url(metadata, **params), allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    found = redirect_params(location)
    assert found["error"] == "invalid_request"
    assert found["iss"] == metadata["issuer"]
    assert found.get("state") == ("state-1" if "state" not in params else None)


@pytest.mark.parametrize(
    "params",
    [
        {"redirect_uri": REDIRECT + '"'},
        {"redirect_uri": "http://127.0.0.1:53123/call\\back"},
        {"redirect_uri": REDIRECT + "\r\nLocation: http://evil.example/"},
        {"redirect_uri": "http://evil.example/callback"},
        {"client_id": 'workbench-native"'},
        {"client_id": "nobody", "response_type": 'co"de'},
    ],
)
def test_malformed_redirect_uri_or_client_is_an_error_page(
    metadata: dict[str, Any], params: dict[str, str]
) -> None:
    response = requests.get(authorize_url(metadata, **params), allow_redirects=False, timeout=5)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert 'id="error"' in response.text


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", 'a"b', "127.0.0.1:1"])
@pytest.mark.parametrize("name", ["token", "authorize", "openid_configuration", "introspection"])
def test_foreign_host_header_is_400(demo_server: DemoServer, host: str, name: str) -> None:
    method = "GET" if name in ("authorize", "openid_configuration") else "POST"
    response = requests.request(
        method,
        demo_server.url(name),
        headers={"Host": host.format(port=demo_server.port)},
        data={"grant_type": "client_credentials"} if method == "POST" else None,
        auth=BASIC,
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    if name != "authorize":
        assert response.json()["error"] == "invalid_request"


def test_loopback_aliases_are_accepted_hosts(demo_server: DemoServer) -> None:
    for host in ("localhost", "127.0.0.1", "LOCALHOST"):
        response = requests.get(
            demo_server.discovery_url,
            headers={"Host": f"{host}:{demo_server.port}"},
            timeout=5,
        )
        assert response.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"grant_type": 'client"credentials'},
        {"grant_type": "client_credentials", "scope": "api:read\\"},
        {"grant_type": "refresh_token", "refresh_token": "x\r\ny"},
        {"grant_type": "authorization_code", "code": "é", "redirect_uri": REDIRECT + '"'},
    ],
)
def test_malformed_token_request_is_json_400(
    metadata: dict[str, Any], data: dict[str, str]
) -> None:
    response = requests.post(metadata["token_endpoint"], data=data, auth=BASIC, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_unexpected_exception_is_a_generic_json_500(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    issuer = "http://127.0.0.1:9999"
    app = create_app(DemoConfig(), issuer)

    def broken(_authority: object) -> dict[str, Any]:
        raise RuntimeError("internal detail 8f2c")

    monkeypatch.setattr(web, "server_metadata", broken)
    response = app.test_client().get("/.well-known/openid-configuration", base_url=issuer)
    assert response.status_code == 500
    assert response.get_json() == {
        "error": "server_error",
        "error_description": "The server hit an unexpected error.",
    }
    text = response.get_data(as_text=True)
    assert "8f2c" not in text and "Traceback" not in text
    assert "internal detail 8f2c" in caplog.text  # logged on the server side only


FUZZ_ISSUER = "http://127.0.0.1:9999"
odd_text = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from('"\\\r\n\x00 %&#?=é<>'), max_size=24
)


@pytest.fixture(scope="module")
def fuzz_app() -> Iterator[Flask]:
    yield create_app(DemoConfig(), FUZZ_ISSUER)


def _client(app: Flask) -> FlaskClient:
    return app.test_client()


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(
    field=st.sampled_from(
        ["response_type", "redirect_uri", "client_id", "scope", "state", "prompt", "nonce"]
    ),
    value=odd_text,
    host=st.none() | odd_text,
    post=st.booleans(),
)
def test_fuzz_authorize_never_500_nor_unregistered_redirect(
    fuzz_app: Flask, field: str, value: str, host: str | None, post: bool
) -> None:
    _, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": NATIVE_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid",
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        field: value,
    }
    # Into the raw environ, not a header: werkzeug's test client refuses CR/LF in headers.
    environ = {"HTTP_HOST": host} if host is not None else {}
    client = _client(fuzz_app)
    if post:
        response = client.post(
            "/authorize", base_url=FUZZ_ISSUER, data=params, environ_overrides=environ
        )
    else:
        response = client.get(
            "/authorize", base_url=FUZZ_ISSUER, query_string=params, environ_overrides=environ
        )
    assert response.status_code < 500
    if 300 <= response.status_code < 400:
        location = response.headers["Location"]
        base = location.split("#", 1)[0].split("?", 1)[0]
        assert is_loopback_redirect_uri(base), location


@FUZZ
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "grant_type",
                "code",
                "refresh_token",
                "scope",
                "client_id",
                "redirect_uri",
                "code_verifier",
                "device_code",
                "username",
                "password",
            ]
        ),
        odd_text | st.sampled_from(["client_credentials", "refresh_token", DEVICE_CODE_GRANT]),
        max_size=5,
    ),
    host=st.none() | odd_text,
    endpoint=st.sampled_from(["/token", "/introspect", "/revoke", "/device_authorization"]),
)
def test_fuzz_token_endpoints_answer_json_4xx(
    fuzz_app: Flask, data: dict[str, str], host: str | None, endpoint: str
) -> None:
    # Into the raw environ, not a header: werkzeug's test client refuses CR/LF in headers.
    environ = {"HTTP_HOST": host} if host is not None else {}
    response = _client(fuzz_app).post(
        endpoint,
        base_url=FUZZ_ISSUER,
        data=data,
        environ_overrides=environ,
        auth=BASIC,
    )
    assert response.status_code < 500
    body = response.get_json()
    assert isinstance(body, dict)
    if response.status_code >= 400:
        assert isinstance(body["error"], str)


# -- 5. replay revokes the token family ----------------------------------------------------
def test_refresh_token_replay_revokes_the_whole_family(metadata: dict[str, Any]) -> None:
    first, _ = code_tokens(metadata)
    second = refresh(metadata, first["refresh_token"]).json()
    third = refresh(metadata, second["refresh_token"]).json()
    assert active(metadata, third["access_token"]) and active(metadata, third["refresh_token"])

    replay = refresh(metadata, first["refresh_token"])  # an attacker's (or stale) copy
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"

    successor = refresh(metadata, third["refresh_token"])
    assert successor.status_code == 400 and successor.json()["error"] == "invalid_grant"
    for tokens in (first, second, third):
        assert not active(metadata, tokens["access_token"])
        assert not active(metadata, tokens["refresh_token"])
    userinfo = requests.get(
        metadata["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {third['access_token']}"},
        timeout=5,
    )
    assert userinfo.status_code == 401


def test_refresh_replay_leaves_other_grants_alone(metadata: dict[str, Any]) -> None:
    victim, _ = code_tokens(metadata)
    other, _ = code_tokens(metadata)
    refresh(metadata, victim["refresh_token"])
    assert refresh(metadata, victim["refresh_token"]).status_code == 400
    assert active(metadata, other["access_token"]) and active(metadata, other["refresh_token"])


def test_code_replay_revokes_the_tokens_issued_for_it(metadata: dict[str, Any]) -> None:
    tokens, exchange = code_tokens(metadata)
    refreshed = refresh(metadata, tokens["refresh_token"]).json()
    assert active(metadata, tokens["refresh_token"]) is False  # rotated
    assert active(metadata, refreshed["access_token"])

    replay = requests.post(metadata["token_endpoint"], data=exchange, timeout=5)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    for token in (tokens["access_token"], refreshed["access_token"], refreshed["refresh_token"]):
        assert not active(metadata, token)
    assert refresh(metadata, refreshed["refresh_token"]).status_code == 400


# -- 6. introspection only for confidential clients ----------------------------------------
def test_public_client_cannot_introspect(metadata: dict[str, Any]) -> None:
    tokens, _ = code_tokens(metadata)
    for data in ({"client_id": NATIVE_CLIENT_ID}, {}):
        response = requests.post(
            metadata["introspection_endpoint"],
            data={"token": tokens["access_token"], **data},
            timeout=5,
        )
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
        assert "active" not in response.json()
    assert metadata["introspection_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
        "client_secret_jwt",
        "private_key_jwt",
    ]


def test_confidential_client_introspects_every_token_of_the_server(
    metadata: dict[str, Any],
) -> None:
    tokens, _ = code_tokens(metadata)  # issued to the public client
    info = introspect(metadata, tokens["access_token"]).json()
    assert info["active"] is True and info["client_id"] == NATIVE_CLIENT_ID
    post = introspect(
        metadata,
        tokens["refresh_token"],
        auth=None,
        client_id=CONFIDENTIAL_CLIENT_ID,
        client_secret=CONFIDENTIAL_CLIENT_SECRET,
    )
    assert post.status_code == 200 and post.json()["active"] is True
    wrong = introspect(metadata, tokens["access_token"], auth=(CONFIDENTIAL_CLIENT_ID, "nope"))
    assert wrong.status_code == 401


# -- 1. prompt=none needs a session and consent --------------------------------------------
def test_prompt_none_needs_consent_for_every_requested_scope(metadata: dict[str, Any]) -> None:
    session = requests.Session()
    sign_in_and_decide(authorize_url(metadata, scope="openid profile"), session=session)

    same = session.get(
        authorize_url(metadata, scope="openid profile", prompt="none"),
        allow_redirects=False,
        timeout=5,
    )
    assert "code" in redirect_params(same.headers["Location"])
    fewer = session.get(
        authorize_url(metadata, scope="openid", prompt="none"), allow_redirects=False, timeout=5
    )
    assert "code" in redirect_params(fewer.headers["Location"])

    for scope in ("openid profile api:write", "openid offline_access", "api:read"):
        more = session.get(
            authorize_url(metadata, scope=scope, prompt="none"), allow_redirects=False, timeout=5
        )
        assert more.status_code == 302
        assert more.headers["Location"].startswith(REDIRECT + "?")
        params = redirect_params(more.headers["Location"])
        assert params["error"] == "consent_required", scope
        assert "code" not in params
        assert params["state"] == "state-1" and params["iss"] == metadata["issuer"]


def test_prompt_none_consent_is_per_client_and_per_user(metadata: dict[str, Any]) -> None:
    session = requests.Session()
    sign_in_and_decide(authorize_url(metadata, scope="api:read"), username="bob", session=session)
    other_client = session.get(
        authorize_url(metadata, client_id=CONFIDENTIAL_CLIENT_ID, scope="api:read", prompt="none"),
        allow_redirects=False,
        timeout=5,
    )
    assert redirect_params(other_client.headers["Location"])["error"] == "consent_required"
    alice = requests.Session()  # alice never consented to anything
    url = authorize_url(metadata, scope="api:read")
    page = alice.get(url, timeout=5)
    alice.post(
        url,
        data={
            "username": "alice",
            "password": "alice-password",
            "csrf_token": form_token(page.text),
        },
        timeout=5,
    )
    silent = alice.get(
        authorize_url(metadata, scope="api:read", prompt="none"), allow_redirects=False, timeout=5
    )
    assert redirect_params(silent.headers["Location"])["error"] == "consent_required"


@pytest.mark.parametrize("scope", ["api:read", "openid"])
def test_prompt_none_without_session_is_login_required(
    metadata: dict[str, Any], scope: str
) -> None:
    response = requests.get(
        authorize_url(metadata, scope=scope, prompt="none"), allow_redirects=False, timeout=5
    )
    params = redirect_params(response.headers["Location"])
    assert params["error"] == "login_required" and "code" not in params
    assert params["state"] == "state-1" and params["iss"] == metadata["issuer"]


def test_prompt_none_implicit_error_is_in_the_fragment(metadata: dict[str, Any]) -> None:
    response = requests.get(
        authorize_url(metadata, response_type="token", scope="api:read", prompt="none"),
        allow_redirects=False,
        timeout=5,
    )
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "#")
    assert redirect_params(location)["error"] == "login_required"


# -- 2. anti-CSRF tokens ------------------------------------------------------------------
def test_forms_carry_a_session_bound_csrf_token(metadata: dict[str, Any]) -> None:
    url = authorize_url(metadata)
    session = requests.Session()
    page = session.get(url, timeout=5)
    token = form_token(page.text)
    assert len(token) >= 32
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    credentials = {"username": "alice", "password": "alice-password", "decision": "approve"}

    for bad in ({}, {"csrf_token": ""}, {"csrf_token": token[:-1] + "x"}):
        refused = session.post(url, data={**credentials, **bad}, allow_redirects=False, timeout=5)
        assert refused.status_code == 403
        assert "Location" not in refused.headers
    # Another browser (another session) cannot use this session's token.
    stranger = requests.post(
        url, data={**credentials, "csrf_token": token}, allow_redirects=False, timeout=5
    )
    assert stranger.status_code == 403
    # Right token but posted from another origin.
    foreign = session.post(
        url,
        data={**credentials, "csrf_token": token},
        headers={"Origin": "http://127.0.0.1:1"},
        allow_redirects=False,
        timeout=5,
    )
    assert foreign.status_code == 403

    done = session.post(
        url,
        data={**credentials, "csrf_token": token},
        headers={"Origin": metadata["issuer"]},
        allow_redirects=False,
        timeout=5,
    )
    assert done.status_code == 302 and "code" in redirect_params(done.headers["Location"])


def test_device_approval_without_token_changes_nothing(
    demo_server: DemoServer, metadata: dict[str, Any]
) -> None:
    grant = start_device(metadata)
    session = requests.Session()
    decide_device_code(
        grant["verification_uri"], start_device(metadata)["user_code"], session=session
    )
    # Signed in now; an approval without the token (what a hostile page sends) is refused.
    refused = session.post(
        grant["verification_uri"],
        data={"user_code": grant["user_code"], "decision": "approve"},
        timeout=5,
    )
    assert refused.status_code == 403
    record = demo_server.authority.store.find_device_grant(grant["device_code"])
    assert record is not None and record.status is DeviceStatus.PENDING


# -- 7. user codes: sign-in first, then throttled -------------------------------------------
def test_anonymous_visitor_cannot_tell_valid_from_invalid_codes(metadata: dict[str, Any]) -> None:
    grant = start_device(metadata)

    def answer(user_code: str, **extra: str) -> tuple[int, str]:
        session = requests.Session()
        page = session.get(grant["verification_uri"], timeout=5)
        response = session.post(
            grant["verification_uri"],
            data={"user_code": user_code, "csrf_token": form_token(page.text), **extra},
            timeout=5,
        )
        error = response.text.split('id="error"', 1)[1].split("</div>", 1)[0]
        return response.status_code, error

    for extra in ({}, {"username": "alice", "password": "wrong"}):
        valid = answer(grant["user_code"], **extra)
        invalid = answer("BCDF-GHJK", **extra)
        assert valid == invalid
        assert "Unknown" not in valid[1] and "expired" not in valid[1]


def test_user_code_guessing_is_throttled_per_session_and_user(make_demo_server: Any) -> None:
    server: DemoServer = make_demo_server(user_code_max_failures=3)
    metadata = requests.get(server.discovery_url, timeout=5).json()
    grant = start_device(metadata)
    session = requests.Session()
    for _ in range(3):
        with pytest.raises(DemoDriverError, match="Unknown code"):
            decide_device_code(grant["verification_uri"], "BCDF-GHJK", session=session)
    # Blocked: even the right code is not looked at now, in this session...
    with pytest.raises(DemoDriverError, match="HTTP 429: Too many attempts"):
        decide_device_code(grant["verification_uri"], grant["user_code"], session=session)
    # ...nor for this user in a fresh session (a dropped cookie does not reset the count).
    with pytest.raises(DemoDriverError, match="HTTP 429"):
        decide_device_code(grant["verification_uri"], grant["user_code"])
    # Another user is not blocked by alice's failures.
    decide_device_code(grant["verification_uri"], grant["user_code"], username="bob")
    record = server.authority.store.find_device_grant(grant["device_code"])
    assert record is not None and record.status is DeviceStatus.APPROVED
    assert record.subject is not None and record.subject.user == USERS["bob"]


def test_user_code_guessing_is_throttled_globally(make_demo_server: Any) -> None:
    server: DemoServer = make_demo_server(user_code_max_failures_total=4)
    metadata = requests.get(server.discovery_url, timeout=5).json()
    grant = start_device(metadata)
    for username in ("alice", "bob", "alice", "bob"):  # fresh session each time
        with pytest.raises(DemoDriverError, match="Unknown code"):
            decide_device_code(grant["verification_uri"], "BCDF-GHJK", username=username)
    with pytest.raises(DemoDriverError, match="HTTP 429"):
        decide_device_code(grant["verification_uri"], grant["user_code"], username="bob")
