"""Device authorization grant (RFC 8628): polling answers and the verification page."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from tests.demo_driver import DemoDriverError, decide_device_code, form_token, pkce_pair
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DEVICE_CODE_GRANT,
    NATIVE_CLIENT_ID,
    USERS,
    DemoServer,
)


def start(metadata: dict[str, Any], scope: str = "openid profile offline_access") -> Any:
    response = requests.post(
        metadata["device_authorization_endpoint"],
        data={"client_id": NATIVE_CLIENT_ID, "scope": scope},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json()


def poll(metadata: dict[str, Any], device_code: str) -> requests.Response:
    return requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": DEVICE_CODE_GRANT,
            "device_code": device_code,
            "client_id": NATIVE_CLIENT_ID,
        },
        timeout=5,
    )


def error_of(response: requests.Response) -> str:
    assert response.status_code == 400, response.text
    return str(response.json()["error"])


def test_device_authorization_response(demo_server: DemoServer, metadata: dict[str, Any]) -> None:
    grant = start(metadata)
    assert grant["interval"] == 1
    assert grant["expires_in"] == 600
    assert grant["verification_uri"] == demo_server.url("device_verification")
    complete = urlsplit(grant["verification_uri_complete"])
    assert parse_qs(complete.query) == {"user_code": [grant["user_code"]]}
    assert len(grant["device_code"]) >= 32


def test_pending_then_slow_down_then_approved(metadata: dict[str, Any]) -> None:
    grant = start(metadata)
    assert error_of(poll(metadata, grant["device_code"])) == "authorization_pending"
    assert error_of(poll(metadata, grant["device_code"])) == "slow_down"  # polled at once

    decide_device_code(grant["verification_uri"], grant["user_code"], username="bob")
    response = poll(metadata, grant["device_code"])
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert {"access_token", "refresh_token", "id_token"} <= set(tokens)
    id_token = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert id_token["sub"] == USERS["bob"].subject
    assert id_token["aud"] == NATIVE_CLIENT_ID

    # A device code gives tokens once.
    assert error_of(poll(metadata, grant["device_code"])) == "invalid_grant"


def test_polling_at_the_interval_is_not_slowed_down(make_demo_server: Any) -> None:
    server: DemoServer = make_demo_server(device_interval=1, device_slow_down_step=5)
    metadata = requests.get(server.discovery_url, timeout=5).json()
    grant = start(metadata)
    assert error_of(poll(metadata, grant["device_code"])) == "authorization_pending"
    time.sleep(1.0)
    assert error_of(poll(metadata, grant["device_code"])) == "authorization_pending"
    assert error_of(poll(metadata, grant["device_code"])) == "slow_down"
    # From now on the client must wait 5 s more (RFC 8628 §3.5).
    record = server.authority.store.find_device_grant(grant["device_code"])
    assert record is not None and record.interval == 6


def test_denied(metadata: dict[str, Any]) -> None:
    grant = start(metadata)
    decide_device_code(grant["verification_uri"], grant["user_code"], approve=False)
    assert error_of(poll(metadata, grant["device_code"])) == "access_denied"


def test_expired(make_demo_server: Any) -> None:
    server: DemoServer = make_demo_server(device_code_ttl=1)
    metadata = requests.get(server.discovery_url, timeout=5).json()
    grant = start(metadata)
    assert grant["expires_in"] == 1
    time.sleep(1.1)
    assert error_of(poll(metadata, grant["device_code"])) == "expired_token"
    with pytest.raises(DemoDriverError, match="expired"):
        decide_device_code(grant["verification_uri"], grant["user_code"])


def test_verification_page_steps(metadata: dict[str, Any]) -> None:
    grant = start(metadata, scope="openid email api:read")
    session = requests.Session()

    page = session.get(grant["verification_uri_complete"], timeout=5)
    assert page.status_code == 200
    assert f'value="{grant["user_code"]}"' in page.text  # prefilled
    assert 'id="username"' in page.text and "alice-password" in page.text

    # Code typed by hand, in lower case and without the dash.
    typed = grant["user_code"].replace("-", "").lower()
    confirm = session.post(
        grant["verification_uri"],
        data={
            "user_code": typed,
            "username": "alice",
            "password": "alice-password",
            "csrf_token": form_token(page.text),
        },
        timeout=5,
    )
    assert confirm.status_code == 200
    assert grant["user_code"] in confirm.text and "api:read" in confirm.text
    assert 'id="approve"' in confirm.text

    done = session.post(
        grant["verification_uri"],
        data={
            "user_code": grant["user_code"],
            "decision": "approve",
            "csrf_token": form_token(confirm.text),
        },
        timeout=5,
    )
    assert 'data-result="approved"' in done.text
    assert poll(metadata, grant["device_code"]).status_code == 200

    # Signed in now: the entry page asks only for the code.
    page = session.get(grant["verification_uri"], timeout=5)
    assert 'id="username"' not in page.text and "Alice Example" in page.text
    # The same code cannot be used twice.
    again = session.post(
        grant["verification_uri"],
        data={"user_code": grant["user_code"], "csrf_token": form_token(page.text)},
        timeout=5,
    )
    assert again.status_code == 400 and "already used" in again.text


def test_verification_page_errors(metadata: dict[str, Any]) -> None:
    grant = start(metadata)
    with pytest.raises(DemoDriverError, match="Unknown code"):
        decide_device_code(grant["verification_uri"], "BCDF-GHJK")
    with pytest.raises(DemoDriverError, match="Wrong username or password"):
        decide_device_code(grant["verification_uri"], grant["user_code"], password="nope")
    assert error_of(poll(metadata, grant["device_code"])) == "authorization_pending"


def test_confidential_client_authenticates_for_the_device_grant(
    metadata: dict[str, Any],
) -> None:
    response = requests.post(
        metadata["device_authorization_endpoint"],
        data={"scope": "openid"},
        auth=(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET),
        timeout=5,
    )
    assert response.status_code == 200 and response.json()["user_code"]
    wrong = requests.post(
        metadata["device_authorization_endpoint"],
        data={"scope": "openid"},
        auth=(CONFIDENTIAL_CLIENT_ID, "wrong-secret"),
        timeout=5,
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


def test_unknown_device_code(metadata: dict[str, Any]) -> None:
    assert error_of(poll(metadata, "nope")) == "invalid_grant"


# -- PKCE on the device flow (RFC 7636 with RFC 8628), as Keycloak requires it ---------------
def start_pkce(metadata: dict[str, Any], **pkce: str) -> requests.Response:
    return requests.post(
        metadata["device_authorization_endpoint"],
        data={"client_id": NATIVE_CLIENT_ID, "scope": "openid", **pkce},
        timeout=5,
    )


def poll_pkce(metadata: dict[str, Any], device_code: str, verifier: str | None) -> Any:
    data = {"grant_type": DEVICE_CODE_GRANT, "device_code": device_code}
    data["client_id"] = NATIVE_CLIENT_ID
    if verifier is not None:
        data["code_verifier"] = verifier
    return requests.post(metadata["token_endpoint"], data=data, timeout=5)


@pytest.fixture
def pkce_metadata(make_demo_server: Any) -> dict[str, Any]:
    """The discovery document of a demo server that requires PKCE on device requests."""
    server: DemoServer = make_demo_server(require_device_pkce=True)
    document: dict[str, Any] = requests.get(server.discovery_url, timeout=5).json()
    return document


def test_required_device_pkce_missing_is_keycloaks_invalid_request(
    pkce_metadata: dict[str, Any],
) -> None:
    _, challenge = pkce_pair()
    for sent, description in (
        ({}, "Missing parameter: code_challenge_method"),
        ({"code_challenge": challenge}, "Missing parameter: code_challenge_method"),
        ({"code_challenge_method": "S256"}, "Missing parameter: code_challenge"),
        (
            {"code_challenge": challenge, "code_challenge_method": "plain"},
            "Invalid parameter: code challenge method is not matching the configured one",
        ),
        (
            {"code_challenge": "short", "code_challenge_method": "S256"},
            "Invalid parameter: code_challenge",
        ),
    ):
        response = start_pkce(pkce_metadata, **sent)
        assert response.status_code == 400, response.text
        assert response.json() == {"error": "invalid_request", "error_description": description}


def test_required_device_pkce_with_the_verifier_gives_tokens(
    pkce_metadata: dict[str, Any],
) -> None:
    verifier, challenge = pkce_pair()
    response = start_pkce(pkce_metadata, code_challenge=challenge, code_challenge_method="S256")
    assert response.status_code == 200, response.text
    grant = response.json()
    assert error_of(poll_pkce(pkce_metadata, grant["device_code"], verifier)) == (
        "authorization_pending"
    )
    decide_device_code(grant["verification_uri"], grant["user_code"])
    time.sleep(1.0)  # the 1 s interval, so the next poll is not slow_down
    tokens = poll_pkce(pkce_metadata, grant["device_code"], verifier)
    assert tokens.status_code == 200, tokens.text
    assert tokens.json()["access_token"]


def test_device_pkce_wrong_or_missing_verifier_is_invalid_grant(
    pkce_metadata: dict[str, Any],
) -> None:
    verifier, challenge = pkce_pair()
    other, _ = pkce_pair()
    grant = start_pkce(pkce_metadata, code_challenge=challenge, code_challenge_method="S256").json()
    decide_device_code(grant["verification_uri"], grant["user_code"])
    for wrong, description in (
        (other, "PKCE verification failed: code_verifier does not match"),
        (None, "PKCE code verifier not specified"),
        ("too-short", "PKCE invalid code verifier"),
    ):
        response = poll_pkce(pkce_metadata, grant["device_code"], wrong)
        assert response.status_code == 400, response.text
        assert response.json() == {"error": "invalid_grant", "error_description": description}
    # The approved code was not spent by the wrong verifiers.
    time.sleep(1.0)
    assert poll_pkce(pkce_metadata, grant["device_code"], verifier).status_code == 200


def test_device_pkce_is_optional_by_default_but_checked_when_sent(
    metadata: dict[str, Any],
) -> None:
    assert start_pkce(metadata).status_code == 200  # without the flag, PKCE is optional
    verifier, challenge = pkce_pair()
    grant = start_pkce(metadata, code_challenge=challenge, code_challenge_method="S256").json()
    response = poll_pkce(metadata, grant["device_code"], None)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert error_of(poll_pkce(metadata, grant["device_code"], verifier)) in (
        "authorization_pending",
        "slow_down",
    )
