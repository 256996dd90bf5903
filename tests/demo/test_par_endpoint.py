"""The demo server's PAR endpoint (RFC 9126 §2) over plain HTTP: who may push, what a push may
carry, and what the authorization endpoint makes of the request_uri."""

from __future__ import annotations

import requests

from tests.demo_driver import pkce_pair, sign_in_and_decide
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    NATIVE_CLIENT_ID,
    DemoServer,
)

REDIRECT_URI = "http://127.0.0.1:50000/callback"


def _params(client_id: str = NATIVE_CLIENT_ID) -> dict[str, str]:
    _, challenge = pkce_pair()
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": "s-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def test_a_confidential_client_pushes_with_basic_and_gets_201(demo: DemoServer) -> None:
    answer = requests.post(
        demo.url("par"),
        data=_params(CONFIDENTIAL_CLIENT_ID),
        auth=(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET),
        timeout=5,
    )
    assert answer.status_code == 201 and answer.headers["Cache-Control"] == "no-store"
    body = answer.json()
    assert body["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")
    assert body["expires_in"] == 60


def test_a_wrong_secret_is_invalid_client(demo: DemoServer) -> None:
    answer = requests.post(
        demo.url("par"),
        data=_params(CONFIDENTIAL_CLIENT_ID),
        auth=(CONFIDENTIAL_CLIENT_ID, "wrong"),
        timeout=5,
    )
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


def test_a_push_may_not_carry_a_request_uri_nor_another_redirect_uri(demo: DemoServer) -> None:
    carrying = {**_params(), "request_uri": "urn:ietf:params:oauth:request_uri:x"}
    answer = requests.post(demo.url("par"), data=carrying, timeout=5)
    assert answer.status_code == 400 and "request_uri" in answer.json()["error_description"]
    foreign = {**_params(), "redirect_uri": "https://evil.example/callback"}
    answer = requests.post(demo.url("par"), data=foreign, timeout=5)
    assert answer.status_code == 400 and "redirect_uri" in answer.json()["error_description"]


def test_another_clients_request_uri_and_extra_parameters_are_refused(demo: DemoServer) -> None:
    uri = requests.post(demo.url("par"), data=_params(), timeout=5).json()["request_uri"]
    page = requests.get(
        demo.url("authorize"),
        params={"client_id": CONFIDENTIAL_CLIENT_ID, "request_uri": uri},
        timeout=5,
    )
    assert page.status_code == 400 and "pushed by another client" in page.text
    page = requests.get(
        demo.url("authorize"),
        params={"client_id": NATIVE_CLIENT_ID, "request_uri": uri, "scope": "openid email"},
        timeout=5,
    )
    assert page.status_code == 400 and "only client_id may be sent beside it" in page.text
    # Still usable once: the refusals above did not use it up.
    location = sign_in_and_decide(
        demo.url("authorize") + f"?client_id={NATIVE_CLIENT_ID}&request_uri={uri}"
    )
    assert location.startswith(REDIRECT_URI + "?code=")
