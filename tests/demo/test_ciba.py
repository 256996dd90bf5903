"""OpenID CIBA Core 1.0 (poll mode) on the demo server, over HTTP: the backchannel
authentication endpoint, the token polls and the user's approval page."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
import requests

from tests.demo_driver import DemoDriverError, ciba_requests, decide_ciba_request, form_token
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    NATIVE_CLIENT_ID,
    USERS,
    DemoServer,
)

CIBA = "urn:openid:params:grant-type:ciba"
AUTH = (CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)


@pytest.fixture
def server(make_demo: Callable[..., DemoServer]) -> DemoServer:
    return make_demo(ciba_interval=1, device_slow_down_step=1)


def meta(server: DemoServer) -> dict[str, Any]:
    document: dict[str, Any] = requests.get(server.discovery_url, timeout=5).json()
    return document


def ask(server: DemoServer, **form: str) -> requests.Response:
    data = {"scope": "openid profile", "login_hint": "alice", **form}
    return requests.post(
        meta(server)["backchannel_authentication_endpoint"], data=data, auth=AUTH, timeout=5
    )


def poll(server: DemoServer, auth_req_id: str) -> requests.Response:
    return requests.post(
        meta(server)["token_endpoint"],
        data={"grant_type": CIBA, "auth_req_id": auth_req_id},
        auth=AUTH,
        timeout=5,
    )


def error_of(response: requests.Response) -> str:
    assert response.status_code in (400, 401), response.text
    return str(response.json()["error"])


def test_discovery_announces_ciba_in_poll_mode_only(server: DemoServer) -> None:
    document = meta(server)
    assert document["backchannel_authentication_endpoint"] == server.url(
        "backchannel_authentication"
    )
    assert document["backchannel_token_delivery_modes_supported"] == ["poll"]
    assert document["backchannel_user_code_parameter_supported"] is False
    assert CIBA in document["grant_types_supported"]


def test_approved_request_gives_tokens_with_the_users_sub_once(server: DemoServer) -> None:
    answer = ask(server, binding_message="W4SCT")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["expires_in"] == 300 and body["interval"] == 1
    assert error_of(poll(server, body["auth_req_id"])) == "authorization_pending"

    decide_ciba_request(server.url("ciba_approval"), binding_message="W4SCT")
    time.sleep(1)  # the interval: an earlier poll would be told to slow down
    tokens = poll(server, body["auth_req_id"])
    assert tokens.status_code == 200, tokens.text
    claims = jwt.decode(tokens.json()["id_token"], options={"verify_signature": False})
    assert claims["sub"] == USERS["alice"].subject
    assert claims["aud"] == CONFIDENTIAL_CLIENT_ID
    assert "refresh_token" in tokens.json()
    # Redeemed once: the same auth_req_id again is refused.
    assert error_of(poll(server, body["auth_req_id"])) == "invalid_grant"


def test_denied_request_answers_access_denied(server: DemoServer) -> None:
    auth_req_id = ask(server).json()["auth_req_id"]
    decide_ciba_request(server.url("ciba_approval"), approve=False)
    assert error_of(poll(server, auth_req_id)) == "access_denied"


def test_expired_request_answers_expired_token_and_leaves_the_page(server: DemoServer) -> None:
    auth_req_id = ask(server, requested_expiry="1").json()["auth_req_id"]
    time.sleep(1.2)
    assert error_of(poll(server, auth_req_id)) == "expired_token"
    with pytest.raises(DemoDriverError, match="0 matching requests"):
        decide_ciba_request(server.url("ciba_approval"))


def test_a_poll_sooner_than_the_interval_is_told_to_slow_down(server: DemoServer) -> None:
    auth_req_id = ask(server).json()["auth_req_id"]
    assert error_of(poll(server, auth_req_id)) == "authorization_pending"
    assert error_of(poll(server, auth_req_id)) == "slow_down"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"login_hint": "mallory"}, "unknown_user_id"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"login_hint_token": "x"}, "invalid_request"),  # two hints
        ({"binding_message": "x" * 101}, "invalid_binding_message"),
        ({"requested_expiry": "99999"}, "invalid_request"),
        ({"requested_expiry": "soon"}, "invalid_request"),
    ],
)
def test_bad_requests_are_refused_by_name(
    server: DemoServer, form: dict[str, str], error: str
) -> None:
    assert error_of(ask(server, **form)) == error


def test_an_id_token_hint_of_this_server_names_its_user(server: DemoServer) -> None:
    first = requests.post(
        meta(server)["token_endpoint"],
        data={
            "grant_type": "password",
            "username": "bob",
            "password": USERS["bob"].password,
            "scope": "openid",
        },
        auth=AUTH,
        timeout=5,
    ).json()
    answer = ask(server, login_hint="", id_token_hint=first["id_token"])
    assert answer.status_code == 200, answer.text
    decide_ciba_request(server.url("ciba_approval"), username="bob")


def test_a_public_client_cannot_start_ciba(server: DemoServer) -> None:
    response = requests.post(
        meta(server)["backchannel_authentication_endpoint"],
        data={"client_id": NATIVE_CLIENT_ID, "scope": "openid", "login_hint": "alice"},
        timeout=5,
    )
    assert error_of(response) == "invalid_client"


def test_the_page_lists_only_the_signed_in_users_requests(server: DemoServer) -> None:
    ask(server, binding_message="for-alice")
    ask(server, login_hint="bob", binding_message="for-bob")
    http = requests.Session()
    page = http.get(server.url("ciba_approval"), timeout=5)
    assert ciba_requests(page.text) == {}  # nothing before signing in
    signed_in = http.post(
        server.url("ciba_approval"),
        data={"csrf_token": form_token(page.text), "username": "bob", "password": "bob-password"},
        timeout=5,
    )
    assert list(ciba_requests(signed_in.text).values()) == ["for-bob"]
    # A decision without the page's anti-CSRF token changes nothing.
    ref = next(iter(ciba_requests(signed_in.text)))
    forged = http.post(server.url("ciba_approval"), data={"ref": ref, "decision": "approve"})
    assert forged.status_code == 403
