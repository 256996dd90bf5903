"""The two demo APIs: the revocation caveat made tangible (RFC 6750 §3 challenges, RFC 9728
metadata). ``/api/local`` verifies JWTs itself and keeps accepting a revoked one;
``/api/introspected`` asks the server's records and refuses it at once."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.demo.test_refresh_revoke import BASIC, password_tokens, revoke
from workbench.core.oauth.rfc6750_bearer import bearer_challenge
from workbench.demo import DemoServer
from workbench.demo.api import API_NAMES, api_urls


def client_credentials(metadata: dict[str, Any], scope: str) -> str:
    response = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "client_credentials", "scope": scope},
        auth=BASIC,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def call(url: str, token: str | None = None, method: str = "GET") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, url, headers=headers, timeout=5)


@pytest.mark.parametrize("name", API_NAMES)
def test_no_token_gets_401_naming_the_metadata(demo_server: DemoServer, name: str) -> None:
    base = api_urls(demo_server.issuer)[name]
    response = call(base + "/me")
    assert response.status_code == 401
    challenge = bearer_challenge(response.headers)
    assert challenge is not None
    assert challenge.error is None  # RFC 6750 §3.1: no error code when no token was sent
    metadata_url = challenge.resource_metadata
    assert metadata_url == f"{demo_server.issuer}/.well-known/oauth-protected-resource/api/{name}"
    document = requests.get(metadata_url, timeout=5).json()
    assert document["resource"] == base
    assert document["authorization_servers"] == [demo_server.issuer]
    assert "api:write" in document["scopes_supported"]


@pytest.mark.parametrize("name", API_NAMES)
def test_me_returns_the_callers_claims(
    demo_server: DemoServer, metadata: dict[str, Any], name: str
) -> None:
    tokens = password_tokens(metadata, "openid api:read")
    response = call(api_urls(demo_server.issuer)[name] + "/me", tokens["access_token"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["api"] == name
    assert body["claims"]["sub"] == "u-7f3a9c2e"
    assert "api:read" in body["claims"]["scope"].split()


@pytest.mark.parametrize("name", API_NAMES)
def test_write_needs_the_write_scope(
    demo_server: DemoServer, metadata: dict[str, Any], name: str
) -> None:
    base = api_urls(demo_server.issuer)[name]
    reader = client_credentials(metadata, "api:read")
    refused = call(base + "/items/write", reader, "POST")
    assert refused.status_code == 403
    challenge = bearer_challenge(refused.headers)
    assert challenge is not None
    assert challenge.error == "insufficient_scope"
    assert challenge.scope == "api:write"
    writer = client_credentials(metadata, "api:read api:write")
    accepted = call(base + "/items/write", writer, "POST")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["written"] is True


def test_revoked_token_passes_locally_and_fails_introspected(
    demo_server: DemoServer, metadata: dict[str, Any]
) -> None:
    token = password_tokens(metadata, "openid api:read")["access_token"]
    urls = api_urls(demo_server.issuer)
    assert call(urls["local"] + "/me", token).status_code == 200
    assert call(urls["introspected"] + "/me", token).status_code == 200
    assert revoke(metadata, token, token_type_hint="access_token").status_code == 200
    assert call(urls["local"] + "/me", token).status_code == 200  # the caveat
    dead = call(urls["introspected"] + "/me", token)
    assert dead.status_code == 401
    challenge = bearer_challenge(dead.headers)
    assert challenge is not None and challenge.error == "invalid_token"
    assert "revoked" in (challenge.get("error_description") or "")


@pytest.mark.parametrize("name", API_NAMES)
def test_forged_and_expired_tokens_are_invalid(
    make_demo_server: Any, metadata: dict[str, Any], name: str
) -> None:
    other = make_demo_server()  # its own signing key: its tokens are forgeries here
    foreign = requests.post(
        other.url("token"),
        data={"grant_type": "client_credentials", "scope": "api:read"},
        auth=BASIC,
        timeout=5,
    ).json()["access_token"]
    url = api_urls(metadata["issuer"])[name] + "/me"
    for bad in (foreign, "not-a-jwt", foreign[:-4] + "AAAA"):
        response = call(url, bad)
        assert response.status_code == 401, (bad[:20], response.text)
        challenge = bearer_challenge(response.headers)
        assert challenge is not None and challenge.error == "invalid_token"


def test_expired_token_is_refused_by_both(make_demo_server: Any) -> None:
    server = make_demo_server(access_token_ttl=1)
    token = requests.post(
        server.url("token"),
        data={"grant_type": "client_credentials", "scope": "api:read"},
        auth=BASIC,
        timeout=5,
    ).json()["access_token"]
    time.sleep(2.1)
    for name, base in api_urls(server.issuer).items():
        response = call(base + "/me", token)
        assert response.status_code == 401, name
        assert "expired" in response.json()["error_description"]


def test_token_for_another_audience_is_refused(make_demo_server: Any) -> None:
    server = make_demo_server(access_token_audience="https://elsewhere.example/api")
    token = requests.post(
        server.url("token"),
        data={"grant_type": "client_credentials", "scope": "api:read"},
        auth=BASIC,
        timeout=5,
    ).json()["access_token"]
    for base in api_urls(server.issuer).values():
        response = call(base + "/me", token)
        assert response.status_code == 401
        assert "not for this API" in response.json()["error_description"]


def test_token_in_the_query_is_an_invalid_request(
    demo_server: DemoServer, metadata: dict[str, Any]
) -> None:
    token = client_credentials(metadata, "api:read")
    url = api_urls(demo_server.issuer)["local"] + "/me"
    response = requests.get(
        url, params={"access_token": token}, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert response.status_code == 400
    challenge = bearer_challenge(response.headers)
    assert challenge is not None and challenge.error == "invalid_request"


def test_resource_indicator_sets_the_audience_and_binds_the_token(
    demo_server: DemoServer, metadata: dict[str, Any]
) -> None:
    """RFC 8707: a token asked for one API carries that API in ``aud``; the other API refuses
    it, and a resource the server does not serve is ``invalid_target``."""
    urls = api_urls(demo_server.issuer)
    response = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "client_credentials", "scope": "api:read", "resource": urls["local"]},
        auth=BASIC,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert call(urls["local"] + "/me", token).json()["claims"]["aud"] == urls["local"]
    other = call(urls["introspected"] + "/me", token)
    assert other.status_code == 401
    assert "not for this API" in other.json()["error_description"]
    info = requests.post(
        metadata["introspection_endpoint"], data={"token": token}, auth=BASIC, timeout=5
    ).json()
    assert info["aud"] == urls["local"]
    refused = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "client_credentials", "resource": "https://elsewhere.example/api"},
        auth=BASIC,
        timeout=5,
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_target"
