"""Implicit grant, ``token`` and ``id_token token`` (RFC 6749 §4.2, OIDC Core §3.2).
Legacy flows (RFC 9700), kept for the workbench to demonstrate."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
import requests

from tests.demo_driver import redirect_params, sign_in_and_decide
from workbench.demo import CONFIDENTIAL_CLIENT_ID, NATIVE_CLIENT_ID, USERS

REDIRECT = "http://localhost:47001/callback"


def implicit_url(metadata: dict[str, Any], **params: str) -> str:
    query = {
        "response_type": "id_token token",
        "client_id": NATIVE_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid profile email",
        "state": "st",
        "nonce": "n-0S6_WzA2Mj",
        **params,
    }
    return f"{metadata['authorization_endpoint']}?{urlencode(query)}"


def test_id_token_token_in_the_fragment(metadata: dict[str, Any]) -> None:
    location = sign_in_and_decide(implicit_url(metadata))
    parts = urlsplit(location)
    assert parts.query == ""  # everything is in the fragment, iss included (RFC 9207)
    params = redirect_params(location)
    assert params["state"] == "st"
    assert params["iss"] == metadata["issuer"]
    assert params["token_type"] == "Bearer"
    assert "refresh_token" not in params

    jwks = jwt.PyJWKSet.from_dict(requests.get(metadata["jwks_uri"], timeout=5).json())
    header = jwt.get_unverified_header(params["id_token"])
    id_token = jwt.decode(
        params["id_token"],
        jwks[header["kid"]].key,
        algorithms=["RS256"],
        audience=NATIVE_CLIENT_ID,
        issuer=metadata["issuer"],
    )
    assert id_token["nonce"] == "n-0S6_WzA2Mj"
    digest = hashlib.sha256(params["access_token"].encode()).digest()
    assert id_token["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
    assert id_token["sub"] == USERS["alice"].subject
    assert id_token["email"] == USERS["alice"].email
    assert "auth_time" in id_token

    userinfo = requests.get(
        metadata["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {params['access_token']}"},
        timeout=5,
    )
    assert userinfo.status_code == 200
    assert userinfo.json()["sub"] == id_token["sub"]


def test_nonce_cannot_be_replayed(metadata: dict[str, Any]) -> None:
    session = requests.Session()
    sign_in_and_decide(implicit_url(metadata, nonce="once"), session=session)
    params = redirect_params(sign_in_and_decide(implicit_url(metadata, nonce="once")))
    assert params["error"] == "invalid_request"


def test_nonce_is_required(metadata: dict[str, Any]) -> None:
    url = implicit_url(metadata, nonce="")
    response = requests.get(url, allow_redirects=False, timeout=5)
    location = response.headers["Location"]
    assert urlsplit(location).fragment and not urlsplit(location).query
    params = redirect_params(location)
    assert params["error"] == "invalid_request"
    assert params["iss"] == metadata["issuer"]


def test_plain_oauth_token_response(metadata: dict[str, Any]) -> None:
    url = implicit_url(metadata, response_type="token", scope="api:read")
    params = redirect_params(sign_in_and_decide(url, username="bob"))
    assert set(params) == {"access_token", "token_type", "expires_in", "scope", "state", "iss"}
    claims = jwt.decode(params["access_token"], options={"verify_signature": False})
    assert claims["sub"] == USERS["bob"].subject


def test_implicit_deny_puts_the_error_in_the_fragment(metadata: dict[str, Any]) -> None:
    location = sign_in_and_decide(implicit_url(metadata), decision="deny")
    assert urlsplit(location).fragment and not urlsplit(location).query
    params = redirect_params(location)
    assert params["error"] == "access_denied"
    assert params["iss"] == metadata["issuer"]


def test_confidential_client_cannot_use_implicit(metadata: dict[str, Any]) -> None:
    url = implicit_url(metadata, client_id=CONFIDENTIAL_CLIENT_ID)
    response = requests.get(url, allow_redirects=False, timeout=5)
    # Authlib's implicit grant authenticates the client with "none" only (RFC 6749 §4.2).
    assert response.status_code == 400
    assert "invalid_client" in response.text
