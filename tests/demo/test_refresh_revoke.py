"""Refresh rotation, revocation (RFC 7009), introspection (RFC 7662), UserInfo (OIDC Core
§5.3, RFC 6750 errors): a revoked JWT still verifies, but the server says no."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
import requests

from tests.demo_driver import pkce_pair, redirect_params, sign_in_and_decide
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    NATIVE_CLIENT_ID,
    USERS,
    DemoServer,
)

BASIC = (CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)


def password_tokens(metadata: dict[str, Any], scope: str = "openid profile email") -> Any:
    response = requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "password",
            "username": "alice",
            "password": USERS["alice"].password,
            "scope": scope,
        },
        auth=BASIC,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json()


def refresh(metadata: dict[str, Any], refresh_token: str, **extra: str) -> requests.Response:
    return requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, **extra},
        auth=BASIC,
        timeout=5,
    )


def introspect(metadata: dict[str, Any], token: str, **extra: str) -> Any:
    response = requests.post(
        metadata["introspection_endpoint"], data={"token": token, **extra}, auth=BASIC, timeout=5
    )
    assert response.status_code == 200, response.text
    return response.json()


def revoke(metadata: dict[str, Any], token: str, **extra: str) -> requests.Response:
    return requests.post(
        metadata["revocation_endpoint"], data={"token": token, **extra}, auth=BASIC, timeout=5
    )


def userinfo(metadata: dict[str, Any], token: str, method: str = "GET") -> requests.Response:
    return requests.request(
        method,
        metadata["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )


def test_refresh_rotates_and_the_old_token_is_rejected(metadata: dict[str, Any]) -> None:
    first = password_tokens(metadata)
    response = refresh(metadata, first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["scope"] == first["scope"]
    id_token = jwt.decode(second["id_token"], options={"verify_signature": False})
    first_id = jwt.decode(first["id_token"], options={"verify_signature": False})
    assert id_token["auth_time"] == first_id["auth_time"]  # same sign-in

    third = refresh(metadata, second["refresh_token"])
    assert third.status_code == 200
    assert introspect(metadata, first["refresh_token"]) == {"active": False}
    assert introspect(metadata, second["refresh_token"]) == {"active": False}


def test_refresh_may_narrow_but_not_widen_scope(metadata: dict[str, Any]) -> None:
    tokens = password_tokens(metadata, scope="openid profile api:read")
    narrowed = refresh(metadata, tokens["refresh_token"], scope="api:read")
    assert narrowed.status_code == 200
    assert narrowed.json()["scope"] == "api:read"
    widened = refresh(metadata, narrowed.json()["refresh_token"], scope="api:read api:write")
    assert widened.status_code == 400
    assert widened.json()["error"] == "invalid_scope"


def test_public_client_refreshes_without_secret(metadata: dict[str, Any]) -> None:
    verifier, challenge = pkce_pair()
    url = (
        f"{metadata['authorization_endpoint']}?response_type=code&client_id={NATIVE_CLIENT_ID}"
        "&redirect_uri=http://127.0.0.1:5000/callback&scope=openid%20offline_access"
        f"&code_challenge={challenge}&code_challenge_method=S256"
    )
    code = redirect_params(sign_in_and_decide(url))["code"]
    tokens = requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:5000/callback",
            "client_id": NATIVE_CLIENT_ID,
            "code_verifier": verifier,
        },
        timeout=5,
    ).json()
    response = requests.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": NATIVE_CLIENT_ID,
        },
        timeout=5,
    )
    assert response.status_code == 200, response.text
    # Another client cannot use it.
    other = refresh(metadata, response.json()["refresh_token"])
    assert other.status_code == 400
    assert other.json()["error"] == "invalid_grant"


def test_introspection_of_active_tokens(metadata: dict[str, Any]) -> None:
    tokens = password_tokens(metadata)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    info = introspect(metadata, tokens["access_token"])
    assert info["active"] is True
    assert info["token_type"] == "Bearer"
    assert info["client_id"] == CONFIDENTIAL_CLIENT_ID
    assert info["sub"] == USERS["alice"].subject
    assert info["username"] == "alice"
    assert info["scope"] == "openid profile email"
    assert info["jti"] == claims["jti"]
    assert info["exp"] == claims["exp"]
    assert info["iss"] == metadata["issuer"]
    info = introspect(metadata, tokens["refresh_token"], token_type_hint="refresh_token")
    assert info["active"] is True
    assert info["exp"] - info["iat"] == 86400
    assert introspect(metadata, "not-a-token") == {"active": False}


def test_introspection_requires_client_authentication(metadata: dict[str, Any]) -> None:
    response = requests.post(metadata["introspection_endpoint"], data={"token": "x"}, timeout=5)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_revoked_access_token_still_verifies_but_is_inactive(metadata: dict[str, Any]) -> None:
    tokens = password_tokens(metadata)
    access = tokens["access_token"]
    assert userinfo(metadata, access).status_code == 200

    response = revoke(metadata, access, token_type_hint="access_token")
    assert response.status_code == 200

    jwks = jwt.PyJWKSet.from_dict(requests.get(metadata["jwks_uri"], timeout=5).json())
    kid = jwt.get_unverified_header(access)["kid"]
    jwt.decode(access, jwks[kid].key, algorithms=["RS256"], audience=CONFIDENTIAL_CLIENT_ID)

    assert introspect(metadata, access) == {"active": False}
    denied = userinfo(metadata, access)
    assert denied.status_code == 401
    challenge = denied.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge
    # The refresh token of the same grant still works (only the access token was revoked).
    assert refresh(metadata, tokens["refresh_token"]).status_code == 200


def test_revoking_the_refresh_token_revokes_its_access_token(metadata: dict[str, Any]) -> None:
    tokens = password_tokens(metadata)
    assert revoke(metadata, tokens["refresh_token"]).status_code == 200
    assert introspect(metadata, tokens["refresh_token"]) == {"active": False}
    assert introspect(metadata, tokens["access_token"]) == {"active": False}
    response = refresh(metadata, tokens["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_revoking_an_unknown_token_succeeds(metadata: dict[str, Any]) -> None:
    response = revoke(metadata, "never-issued")
    assert response.status_code == 200


def test_public_client_can_revoke_its_token(metadata: dict[str, Any]) -> None:
    url = (
        f"{metadata['authorization_endpoint']}?response_type=token&client_id={NATIVE_CLIENT_ID}"
        "&redirect_uri=http://127.0.0.1:5000/callback&scope=openid"
    )
    access = redirect_params(sign_in_and_decide(url))["access_token"]
    response = requests.post(
        metadata["revocation_endpoint"],
        data={"token": access, "client_id": NATIVE_CLIENT_ID},
        timeout=5,
    )
    assert response.status_code == 200
    assert userinfo(metadata, access).status_code == 401


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_userinfo(metadata: dict[str, Any], method: str) -> None:
    tokens = password_tokens(metadata, scope="openid email")
    response = userinfo(metadata, tokens["access_token"], method)
    assert response.status_code == 200
    assert response.json() == {
        "sub": USERS["alice"].subject,
        "email": USERS["alice"].email,
        "email_verified": True,
    }


def test_userinfo_without_or_with_a_bad_token(metadata: dict[str, Any]) -> None:
    missing = requests.get(metadata["userinfo_endpoint"], timeout=5)
    assert missing.status_code == 401
    assert "WWW-Authenticate" in missing.headers
    bad = userinfo(metadata, "garbage")
    assert bad.status_code == 401
    assert 'error="invalid_token"' in bad.headers["WWW-Authenticate"]


def test_userinfo_needs_the_openid_scope(metadata: dict[str, Any]) -> None:
    tokens = password_tokens(metadata, scope="api:read")
    assert userinfo(metadata, tokens["access_token"]).status_code == 403


def test_expired_access_token(make_demo_server: Any) -> None:
    server: DemoServer = make_demo_server(access_token_ttl=1)
    metadata = requests.get(server.discovery_url, timeout=5).json()
    tokens = password_tokens(metadata)
    assert tokens["expires_in"] == 1
    assert introspect(metadata, tokens["access_token"])["active"] is True
    time.sleep(1.1)
    assert introspect(metadata, tokens["access_token"]) == {"active": False}
    assert userinfo(metadata, tokens["access_token"]).status_code == 401


def test_a_server_may_keep_rotated_refresh_tokens(make_demo: Any) -> None:
    """``keep_rotated_refresh_tokens``: the policy of many servers, for the workbench to meet."""
    server = make_demo(keep_rotated_refresh_tokens=True)
    meta = requests.get(server.discovery_url, timeout=5).json()
    first = password_tokens(meta)
    second = refresh(meta, first["refresh_token"])
    assert second.status_code == 200, second.text
    assert second.json()["refresh_token"] != first["refresh_token"]  # still rotated
    again = refresh(meta, first["refresh_token"])
    assert again.status_code == 200, again.text  # ...and the old one still works
    assert introspect(meta, second.json()["refresh_token"])["active"] is True
