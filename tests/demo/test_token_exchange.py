"""Token exchange (RFC 8693) at the demo server, over HTTP: impersonation, delegation with
``act`` (and a chain of two actors), and each rule a tester can see fail, with its error code
and words. Tokens are verified with the published JWKS (PyJWT, as a resource server would)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.demo.test_token_grants import verify_access_token
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    NATIVE_CLIENT_ID,
    USERS,
    DemoServer,
)
from workbench.demo.accounts import TOKEN_EXCHANGE_ACTORS, TOKEN_EXCHANGE_GRANT

BASIC = (CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)
TYPE = "urn:ietf:params:oauth:token-type:"
ALICE, BOB = USERS["alice"], USERS["bob"]


def _password_token(metadata: dict[str, Any], user: str, scope: str = "openid api:read") -> str:
    response = requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "password",
            "username": user,
            "password": USERS[user].password,
            "scope": scope,
        },
        auth=BASIC,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _client_token(metadata: dict[str, Any]) -> str:
    response = requests.post(
        metadata["token_endpoint"], data={"grant_type": "client_credentials"}, auth=BASIC, timeout=5
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _exchange(
    metadata: dict[str, Any], auth: tuple[str, str] | None = BASIC, **form: str
) -> requests.Response:
    data = {"grant_type": TOKEN_EXCHANGE_GRANT, **form}
    return requests.post(metadata["token_endpoint"], data=data, auth=auth, timeout=5)


def _refused(response: requests.Response, error: str, *words: str) -> None:
    assert response.status_code in (400, 401), response.text
    body = response.json()
    assert body["error"] == error, body
    for word in words:
        assert word in body["error_description"], body


def test_the_grant_is_announced_and_the_actors_are_configured(metadata: dict[str, Any]) -> None:
    assert TOKEN_EXCHANGE_GRANT in metadata["grant_types_supported"]
    assert TOKEN_EXCHANGE_ACTORS[CONFIDENTIAL_CLIENT_ID] == (CONFIDENTIAL_CLIENT_ID, BOB.subject)


def test_impersonation_issues_a_token_about_the_subject_without_act(
    metadata: dict[str, Any],
) -> None:
    subject = _password_token(metadata, "alice")
    response = _exchange(metadata, subject_token=subject, subject_token_type=TYPE + "access_token")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["issued_token_type"] == TYPE + "access_token"
    assert body["token_type"] == "Bearer"
    assert "refresh_token" not in body
    assert body["scope"] == "openid api:read"  # the subject token's
    claims = verify_access_token(body["access_token"], metadata)
    assert claims["sub"] == ALICE.subject
    assert claims["client_id"] == CONFIDENTIAL_CLIENT_ID
    assert "act" not in claims
    assert body["access_token"] != subject


def test_delegation_carries_act_and_an_audience_the_api_accepts(
    demo_server: DemoServer, metadata: dict[str, Any]
) -> None:
    api = demo_server.issuer + "/api/local"
    response = _exchange(
        metadata,
        subject_token=_password_token(metadata, "alice"),
        subject_token_type=TYPE + "access_token",
        actor_token=_client_token(metadata),
        actor_token_type=TYPE + "jwt",
        requested_token_type=TYPE + "jwt",
        audience=api,
        scope="api:read",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["issued_token_type"] == TYPE + "jwt"
    assert body["scope"] == "api:read"
    claims = verify_access_token(body["access_token"], metadata, audience=api)
    assert claims["sub"] == ALICE.subject
    assert claims["act"] == {"sub": CONFIDENTIAL_CLIENT_ID}
    me = requests.get(
        api + "/me", headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=5
    )
    assert me.status_code == 200, me.text
    assert me.json()["claims"]["act"] == {"sub": CONFIDENTIAL_CLIENT_ID}


def test_a_delegated_token_delegated_again_nests_the_earlier_actor(
    metadata: dict[str, Any],
) -> None:
    first = _exchange(
        metadata,
        subject_token=_password_token(metadata, "alice"),
        subject_token_type=TYPE + "access_token",
        actor_token=_client_token(metadata),
        actor_token_type=TYPE + "access_token",
    ).json()["access_token"]
    second = _exchange(
        metadata,
        subject_token=first,
        subject_token_type=TYPE + "access_token",
        actor_token=_password_token(metadata, "bob"),
        actor_token_type=TYPE + "access_token",
    )
    assert second.status_code == 200, second.text
    claims = verify_access_token(second.json()["access_token"], metadata)
    assert claims["sub"] == ALICE.subject
    assert claims["act"] == {"sub": BOB.subject, "act": {"sub": CONFIDENTIAL_CLIENT_ID}}


def test_a_revoked_subject_token_is_refused(metadata: dict[str, Any]) -> None:
    subject = _password_token(metadata, "alice")
    revoked = requests.post(
        metadata["revocation_endpoint"], data={"token": subject}, auth=BASIC, timeout=5
    )
    assert revoked.status_code == 200
    response = _exchange(metadata, subject_token=subject, subject_token_type=TYPE + "access_token")
    _refused(response, "invalid_request", "subject token was revoked")


@pytest.mark.parametrize(
    ("form", "error", "words"),
    [
        ({"subject_token": "not-a-token"}, "invalid_request", ("not a token of this server",)),
        ({"subject_token_type": TYPE + "id_token"}, "invalid_request", ("id_token is not",)),
        ({"subject_token_type": ""}, "invalid_request", ("subject_token_type is missing",)),
        ({"requested_token_type": TYPE + "saml2"}, "invalid_request", ("saml2 is not supported",)),
        ({"audience": "https://elsewhere.example"}, "invalid_target", ("elsewhere.example",)),
        ({"resource": "https://elsewhere.example/api"}, "invalid_target", ("demo APIs only",)),
        ({"scope": "api:write"}, "invalid_scope", ("only narrow", "api:write")),
        ({"actor_token_type": TYPE + "access_token"}, "invalid_request", ("without an actor",)),
    ],
)
def test_each_rule_refuses_with_its_error_and_words(
    metadata: dict[str, Any], form: dict[str, str], error: str, words: tuple[str, ...]
) -> None:
    base = {
        "subject_token": _password_token(metadata, "alice"),
        "subject_token_type": TYPE + "access_token",
    }
    response = _exchange(metadata, **{**base, **form})
    _refused(response, error, *words)


def test_an_actor_the_client_may_not_use_is_unauthorized_client(metadata: dict[str, Any]) -> None:
    response = _exchange(
        metadata,
        subject_token=_password_token(metadata, "bob"),
        subject_token_type=TYPE + "access_token",
        actor_token=_password_token(metadata, "alice"),
        actor_token_type=TYPE + "access_token",
    )
    _refused(response, "unauthorized_client", ALICE.subject, "allowed actors are", BOB.subject)


def test_an_actor_token_without_its_type_is_invalid_request(metadata: dict[str, Any]) -> None:
    response = _exchange(
        metadata,
        subject_token=_password_token(metadata, "alice"),
        subject_token_type=TYPE + "access_token",
        actor_token=_client_token(metadata),
    )
    _refused(response, "invalid_request", "actor_token_type is missing")


def test_a_public_client_cannot_exchange(metadata: dict[str, Any]) -> None:
    response = _exchange(
        metadata,
        auth=None,
        client_id=NATIVE_CLIENT_ID,
        subject_token=_password_token(metadata, "alice"),
        subject_token_type=TYPE + "access_token",
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] in ("invalid_client", "unauthorized_client")


def test_may_act_in_the_subject_token_is_respected(
    make_demo_server: Callable[..., DemoServer], tmp_path: Path
) -> None:
    # The pre-token trigger lab puts may_act = bob into every access token the server issues.
    handler = tmp_path / "may_act.py"
    handler.write_text(
        textwrap.dedent(
            f"""
            def lambda_handler(event, context):
                event["response"] = {{"claimsAndScopeOverrideDetails": {{
                    "accessTokenGeneration": {{
                        "claimsToAddOrOverride": {{"may_act": {{"sub": "{BOB.subject}"}}}}
                    }}
                }}}}
                return event
            """
        ),
        encoding="utf-8",
    )
    server = make_demo_server(pre_token_trigger=str(handler))
    metadata = requests.get(server.discovery_url, timeout=5).json()
    subject = _password_token(metadata, "alice")
    assert verify_access_token(subject, metadata)["may_act"] == {"sub": BOB.subject}
    by_client = _exchange(
        metadata,
        subject_token=subject,
        subject_token_type=TYPE + "access_token",
        actor_token=_client_token(metadata),
        actor_token_type=TYPE + "access_token",
    )
    _refused(by_client, "invalid_request", "may_act lets", BOB.subject, CONFIDENTIAL_CLIENT_ID)
    impersonating = _exchange(
        metadata, subject_token=subject, subject_token_type=TYPE + "access_token"
    )
    _refused(impersonating, "invalid_request", "impersonating")
    by_bob = _exchange(
        metadata,
        subject_token=subject,
        subject_token_type=TYPE + "access_token",
        actor_token=_password_token(metadata, "bob"),
        actor_token_type=TYPE + "access_token",
    )
    assert by_bob.status_code == 200, by_bob.text
    assert verify_access_token(by_bob.json()["access_token"], metadata)["act"] == {
        "sub": BOB.subject
    }
