"""The pre-token-generation trigger lab: the demo server runs a Python ``lambda_handler`` as
Cognito's trigger and applies its answer to real tokens, fetched over HTTP and verified.

Gap: the handlers here are local Python files run in-process by the demo server, not AWS
Lambda; what Cognito itself does with a reserved claim in the answer (the lab leaves it out
and notes why) is for a real pool to confirm.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    USERS,
    DemoServer,
)
from workbench.demo.server import describe
from workbench.demo.trigger import RESERVED_CLAIMS, PreTokenTrigger

BASIC = (CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)
ALICE = next(iter(USERS.values()))
EXAMPLE = Path(__file__).parents[2] / "workbench" / "resources" / "pre_token_trigger_example.py"


def handler_file(tmp_path: Path, body: str, name: str = "trigger.py") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return str(path)


def claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def password_tokens(server: DemoServer, scope: str = "openid profile email") -> requests.Response:
    return requests.post(
        server.issuer + "/token",
        data={
            "grant_type": "password",
            "username": ALICE.username,
            "password": ALICE.password,
            "scope": scope,
        },
        auth=BASIC,
        timeout=5,
    )


def client_credentials(server: DemoServer) -> requests.Response:
    return requests.post(
        server.issuer + "/token",
        data={"grant_type": "client_credentials", "scope": "api:read"},
        auth=BASIC,
        timeout=5,
    )


def test_example_adds_claims_and_scopes_and_suppresses_an_id_token_claim(
    make_demo: Callable[..., DemoServer],
) -> None:
    server = make_demo(pre_token_trigger=str(EXAMPLE))
    response = password_tokens(server)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"].split() == ["openid", "profile", "email", "api:read"]
    access = claims_of(body["access_token"])
    assert access["department"] == "research"
    assert access["email_domain"] == "example.com"
    assert access["scope"] == body["scope"]
    identity = claims_of(body["id_token"])
    assert identity["department"] == "research"
    assert identity["trigger_source"] == "TokenGeneration_Authentication"
    assert "family_name" not in identity
    assert identity["given_name"] == ALICE.given_name
    # The signature still verifies: the server signed the changed claims.
    jwks_uri = requests.get(server.discovery_url, timeout=5).json()["jwks_uri"]
    jwks = requests.get(jwks_uri, timeout=5).json()
    key = jwt.PyJWKSet.from_dict(jwks).keys[0].key
    jwt.decode(body["id_token"], key, algorithms=["RS256"], audience=CONFIDENTIAL_CLIENT_ID)
    # The event the handler saw: Cognito's V2/V3 shape.
    (record,) = server.authority.trigger.invocations()
    event = record.event
    assert event["version"] == "3"
    assert event["triggerSource"] == "TokenGeneration_Authentication"
    assert event["userName"] == ALICE.username
    assert event["callerContext"]["clientId"] == CONFIDENTIAL_CLIENT_ID
    assert event["request"]["scopes"] == ["openid", "profile", "email"]
    assert event["request"]["userAttributes"]["email"] == ALICE.email
    assert event["request"]["userAttributes"]["email_verified"] == "true"
    assert event["request"]["groupConfiguration"]["groupsToOverride"] == []
    assert event["response"] == {"claimsAndScopeOverrideDetails": None}
    assert record.response["response"]["claimsAndScopeOverrideDetails"]["accessTokenGeneration"]
    assert record.error is None and record.notes == ()
    assert (
        "  trigger:    pre-token generation pre_token_trigger_example.py:lambda_handler (V3_0)"
        in describe(server).splitlines()
    )


def test_refresh_is_its_own_trigger_source_and_groups_override_both_tokens(
    make_demo: Callable[..., DemoServer], tmp_path: Path
) -> None:
    path = handler_file(
        tmp_path,
        """
        def lambda_handler(event, context):
            event["response"]["claimsAndScopeOverrideDetails"] = {
                "groupOverrideDetails": {"groupsToOverride": ["admins", event["triggerSource"]]},
                "accessTokenGeneration": {"scopesToSuppress": ["email"]},
            }
            return event
        """,
    )
    server = make_demo(pre_token_trigger=path)
    first = password_tokens(server).json()
    refreshed = requests.post(
        server.issuer + "/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=BASIC,
        timeout=5,
    ).json()
    assert refreshed["scope"] == "openid profile"
    access, identity = claims_of(refreshed["access_token"]), claims_of(refreshed["id_token"])
    assert access["cognito:groups"] == ["admins", "TokenGeneration_RefreshTokens"]
    assert identity["cognito:groups"] == ["admins", "TokenGeneration_RefreshTokens"]
    # Scopes are the access token's: the first ID token still carries the email claims (the
    # refresh grant then starts from the scope the first access token was given).
    assert first["scope"] == "openid profile"
    assert claims_of(first["id_token"])["email"] == ALICE.email
    sources = [r.trigger_source for r in server.authority.trigger.invocations()]
    assert sources == ["TokenGeneration_Authentication", "TokenGeneration_RefreshTokens"]


def test_reserved_claims_are_refused_with_the_reason_and_the_token_issued(
    make_demo: Callable[..., DemoServer], tmp_path: Path
) -> None:
    """Cognito's developer guide: these claims cannot be modified. The lab issues the token
    without the change and records why (the live service's handling is a real pool's to show)."""
    path = handler_file(
        tmp_path,
        """
        def lambda_handler(event, context):
            event["response"]["claimsAndScopeOverrideDetails"] = {
                "idTokenGeneration": {
                    "claimsToAddOrOverride": {"sub": "someone-else", "team": "blue"},
                    "claimsToSuppress": ["aud"],
                },
                "accessTokenGeneration": {"claimsToAddOrOverride": {"iss": "https://evil"}},
            }
            return event
        """,
    )
    server = make_demo(pre_token_trigger=path)
    response = password_tokens(server)
    assert response.status_code == 200, response.text
    identity = claims_of(response.json()["id_token"])
    access = claims_of(response.json()["access_token"])
    assert identity["sub"] == ALICE.subject and identity["team"] == "blue"
    assert identity["aud"] == CONFIDENTIAL_CLIENT_ID
    assert access["iss"] == server.issuer
    (record,) = server.authority.trigger.invocations()
    assert record.notes == (
        f"idTokenGeneration: claim 'sub' refused: {RESERVED_CLAIMS['sub']}",
        f"idTokenGeneration: suppressing 'aud' refused: {RESERVED_CLAIMS['aud']}",
        f"accessTokenGeneration: claim 'iss' refused: {RESERVED_CLAIMS['iss']}",
    )


def test_a_raising_handler_fails_the_request_by_name_and_the_server_keeps_serving(
    make_demo: Callable[..., DemoServer], tmp_path: Path
) -> None:
    path = handler_file(
        tmp_path,
        """
        def lambda_handler(event, context):
            raise KeyError("department")
        """,
        name="broken_trigger.py",
    )
    server = make_demo(pre_token_trigger=path)
    response = password_tokens(server)
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "server_error"
    assert body["error_description"] == (
        "The pre-token trigger broken_trigger.py:lambda_handler raised KeyError: 'department'"
    )
    (record,) = server.authority.trigger.invocations()
    assert record.error == body["error_description"] and record.response is None
    # Still serving: discovery answers, and a fixed handler issues tokens again.
    assert requests.get(server.discovery_url, timeout=5).status_code == 200
    Path(path).write_text(
        "def lambda_handler(event, context):\n    return event\n", encoding="utf-8"
    )
    server.authority.trigger.reload()
    assert password_tokens(server).status_code == 200


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("None", "expected the event (a dict) back, got NoneType"),
        ("{'response': 'yes'}", "the event has no 'response' object"),
        (
            "{'response': {'claimsAndScopeOverrideDetails': "
            "{'accessTokenGeneration': {'scopesToAdd': 'api:read'}}}}",
            "accessTokenGeneration.scopesToAdd must be a list of strings",
        ),
    ],
)
def test_garbage_answers_fail_with_what_was_wrong(
    make_demo: Callable[..., DemoServer], tmp_path: Path, answer: str, words: str
) -> None:
    path = handler_file(tmp_path, f"def lambda_handler(event, context):\n    return {answer}\n")
    server = make_demo(pre_token_trigger=path)
    response = password_tokens(server)
    assert response.status_code == 500
    assert response.json()["error_description"] == (
        f"The pre-token trigger trigger.py:lambda_handler returned an invalid response: {words}"
    )


ADD_SCOPE = """
def lambda_handler(event, context):
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "accessTokenGeneration": {
            "scopesToAdd": ["api:write"],
            "claimsToAddOrOverride": {"machine": event["callerContext"]["clientId"]},
        }
    }
    return event
"""


def test_v3_runs_for_client_credentials(
    make_demo: Callable[..., DemoServer], tmp_path: Path
) -> None:
    server = make_demo(pre_token_trigger=handler_file(tmp_path, ADD_SCOPE))
    body = client_credentials(server).json()
    assert body["scope"] == "api:read api:write"
    access = claims_of(body["access_token"])
    assert access["machine"] == CONFIDENTIAL_CLIENT_ID
    (record,) = server.authority.trigger.invocations()
    assert record.event["version"] == "3"
    assert record.event["triggerSource"] == "TokenGeneration_ClientCredentials"
    assert record.event["userName"] is None
    assert record.event["request"]["userAttributes"] == {}


def test_v2_does_not_run_for_client_credentials_and_says_so(
    make_demo: Callable[..., DemoServer], tmp_path: Path
) -> None:
    server = make_demo(
        pre_token_trigger=handler_file(tmp_path, ADD_SCOPE), pre_token_trigger_version="V2_0"
    )
    body = client_credentials(server).json()
    assert body["scope"] == "api:read" and "machine" not in claims_of(body["access_token"])
    (record,) = server.authority.trigger.invocations()
    assert record.notes == ("not invoked: V2_0 does not run for client credentials (V3_0 does)",)
    # A user's token runs it, as version 2.
    user = password_tokens(server, scope="openid").json()
    assert user["scope"] == "openid api:write"
    assert server.authority.trigger.invocations()[-1].event["version"] == "2"


def test_v1_changes_the_id_token_only(make_demo: Callable[..., DemoServer], tmp_path: Path) -> None:
    path = handler_file(
        tmp_path,
        """
        def lambda_handler(event, context):
            assert "scopes" not in event["request"]
            event["response"]["claimsOverrideDetails"] = {
                "claimsToAddOrOverride": {"tier": "gold"},
                "claimsToSuppress": ["email"],
            }
            return event
        """,
    )
    server = make_demo(pre_token_trigger=path, pre_token_trigger_version="V1_0")
    body = password_tokens(server).json()
    identity, access = claims_of(body["id_token"]), claims_of(body["access_token"])
    assert identity["tier"] == "gold" and "email" not in identity
    assert "tier" not in access
    assert server.authority.trigger.invocations()[0].event["version"] == "1"


def test_a_file_that_cannot_load_is_named() -> None:
    trigger = PreTokenTrigger()
    with pytest.raises(ValueError, match=r"pre-token trigger nothing\.py:lambda_handler: no such"):
        trigger.load("/nonexistent/nothing.py")
    assert not trigger.active


def test_cli_refuses_a_handler_file_without_lambda_handler(tmp_path: Path) -> None:
    path = handler_file(tmp_path, "x = 1\n", name="empty.py")
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "demo-server", "--pre-token-trigger", path],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "error: pre-token trigger empty.py defines no lambda_handler" in result.stderr


def test_cli_demo_server_runs_the_trigger_and_says_so(tmp_path: Path) -> None:
    """``workbench demo-server --pre-token-trigger`` as a real process: the banner names the
    handler and a V3_0 client-credentials token carries its claim."""
    path = handler_file(tmp_path, ADD_SCOPE, name="m2m.py")
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "demo-server", "--pre-token-trigger", path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        issuer = ""
        for _ in range(40):
            line = proc.stdout.readline()
            if line.startswith("  issuer:"):
                issuer = line.split()[1]
            if line.startswith("  trigger:"):
                assert (
                    line.strip() == "trigger:    pre-token generation m2m.py:lambda_handler (V3_0)"
                )
                break
        else:
            pytest.fail("no trigger line in the banner")
        token_endpoint = requests.get(
            issuer + "/.well-known/openid-configuration", timeout=5
        ).json()["token_endpoint"]
        body = requests.post(
            token_endpoint,
            data={"grant_type": "client_credentials", "scope": "api:read"},
            auth=BASIC,
            timeout=5,
        ).json()
        assert claims_of(body["access_token"])["machine"] == CONFIDENTIAL_CLIENT_ID
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_a_handler_slower_than_the_limit_fails_the_request_and_frees_the_server(
    make_demo: Callable[..., DemoServer], tmp_path: Path
) -> None:
    """Cognito waits five seconds for the trigger; the lab does the same (a shorter limit here
    to keep the test fast) and the server keeps serving meanwhile."""
    path = handler_file(
        tmp_path,
        """
        import time

        def lambda_handler(event, context):
            time.sleep(1.0)
            return event
        """,
        name="slow_trigger.py",
    )
    server = make_demo(pre_token_trigger=path)
    server.authority.trigger.time_limit = 0.3
    response = password_tokens(server)
    assert response.status_code == 500
    assert response.json()["error_description"] == (
        "The pre-token trigger slow_trigger.py:lambda_handler did not answer within 0.3 s "
        "(Cognito's time limit for the trigger)"
    )
    assert requests.get(server.discovery_url, timeout=5).status_code == 200
    server.authority.trigger.unload()
    assert password_tokens(server).status_code == 200
