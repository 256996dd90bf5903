"""Client credentials and password grants; the RFC 9068 access token format."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
import requests

from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    NATIVE_CLIENT_ID,
    USERS,
    DemoServer,
)

BASIC = (CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)


def verify_access_token(
    token: str, metadata: dict[str, Any], audience: str = CONFIDENTIAL_CLIENT_ID
) -> dict[str, Any]:
    """Verify signature and claims with the published JWKS (PyJWT, as a resource server would)."""
    jwks = jwt.PyJWKSet.from_dict(requests.get(metadata["jwks_uri"], timeout=5).json())
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "RS256"
    key = jwks[header["kid"]]
    claims: dict[str, Any] = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=audience,
        issuer=metadata["issuer"],
        options={"require": ["exp", "iat", "jti", "sub", "client_id", "iss", "aud"]},
    )
    return claims


def test_client_credentials_with_basic_auth(metadata: dict[str, Any]) -> None:
    response = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "client_credentials", "scope": "api:read api:write"},
        auth=BASIC,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["scope"] == "api:read api:write"
    assert "refresh_token" not in body and "id_token" not in body
    claims = verify_access_token(body["access_token"], metadata)
    assert claims["sub"] == CONFIDENTIAL_CLIENT_ID
    assert claims["client_id"] == CONFIDENTIAL_CLIENT_ID
    assert claims["scope"] == "api:read api:write"
    assert claims["exp"] - claims["iat"] == 300
    assert "auth_time" not in claims


def test_client_credentials_with_post_auth_and_default_scope(metadata: dict[str, Any]) -> None:
    response = requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "client_credentials",
            "client_id": CONFIDENTIAL_CLIENT_ID,
            "client_secret": CONFIDENTIAL_CLIENT_SECRET,
        },
        timeout=5,
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "api:read"


def test_wrong_client_secret_is_invalid_client(metadata: dict[str, Any]) -> None:
    response = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "client_credentials"},
        auth=(CONFIDENTIAL_CLIENT_ID, "wrong"),
        timeout=5,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_public_client_cannot_use_client_credentials(metadata: dict[str, Any]) -> None:
    response = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "client_credentials", "client_id": NATIVE_CLIENT_ID},
        timeout=5,
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] in ("invalid_client", "unauthorized_client")


def test_unknown_scope_is_invalid_scope(metadata: dict[str, Any]) -> None:
    response = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "client_credentials", "scope": "api:admin"},
        auth=BASIC,
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_password_grant(metadata: dict[str, Any]) -> None:
    alice = USERS["alice"]
    response = requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "password",
            "username": "alice",
            "password": alice.password,
            "scope": "openid profile email api:read",
        },
        auth=BASIC,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["refresh_token"]
    claims = verify_access_token(body["access_token"], metadata)
    assert claims["sub"] == alice.subject
    assert claims["auth_time"] <= claims["iat"]
    id_token = jwt.decode(
        body["id_token"],
        options={"verify_signature": False},
    )
    assert id_token["sub"] == alice.subject
    assert id_token["email"] == alice.email
    assert id_token["name"] == alice.name
    assert id_token["aud"] == CONFIDENTIAL_CLIENT_ID


@pytest.mark.parametrize(("username", "password"), [("alice", "nope"), ("mallory", "x")])
def test_password_grant_wrong_credentials_is_invalid_grant(
    metadata: dict[str, Any], username: str, password: str
) -> None:
    response = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "password", "username": username, "password": password},
        auth=BASIC,
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_access_token_audience_is_configurable(make_demo_server: Any) -> None:
    server: DemoServer = make_demo_server(access_token_audience="https://api.example")
    metadata = requests.get(server.discovery_url, timeout=5).json()
    body = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "client_credentials"},
        auth=BASIC,
        timeout=5,
    ).json()
    claims = verify_access_token(body["access_token"], metadata, audience="https://api.example")
    assert claims["client_id"] == CONFIDENTIAL_CLIENT_ID


def test_unsupported_grant_type(metadata: dict[str, Any]) -> None:
    response = requests.post(
        metadata["token_endpoint"], data={"grant_type": "magic"}, auth=BASIC, timeout=5
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
