"""The JWT bearer grant (RFC 7523 §2.1) at the demo server, over HTTP: an assertion signed by
the key registered for the private_key_jwt client is taken; a wrong signature, an expired one,
a wrong aud, an unknown sub or issuer, and no registered key are refused with ``invalid_grant``
words that say which. Assertions are signed with the workbench's own key module."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.demo.test_token_grants import verify_access_token
from workbench.core.keys import SigningKey, generate_key
from workbench.core.oauth.rfc7523_bearer import sign_assertion
from workbench.demo import CONFIDENTIAL_CLIENT_ID, USERS, DemoServer
from workbench.demo.accounts import JWT_BEARER_GRANT
from workbench.demo.clients import PRIVATE_KEY_JWT_CLIENT_ID

ALICE = USERS["alice"]


@pytest.fixture
def key() -> SigningKey:
    return generate_key("ES256")


@pytest.fixture
def server(make_demo_server: Callable[..., DemoServer], key: SigningKey) -> DemoServer:
    return make_demo_server(client_jwks=key.jwks())


def _metadata(server: DemoServer) -> dict[str, Any]:
    document: dict[str, Any] = requests.get(server.discovery_url, timeout=5).json()
    return document


def _grant(metadata: dict[str, Any], assertion: str, **form: str) -> requests.Response:
    data = {"grant_type": JWT_BEARER_GRANT, "assertion": assertion, **form}
    return requests.post(metadata["token_endpoint"], data=data, timeout=5)


def _assertion(key: SigningKey, metadata: dict[str, Any], **overrides: Any) -> str:
    fields: dict[str, Any] = {
        "issuer": PRIVATE_KEY_JWT_CLIENT_ID,
        "subject": "alice",
        "audience": metadata["token_endpoint"],
        **overrides,
    }
    return sign_assertion(key, **fields)


def _refused(response: requests.Response, *words: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_grant", body
    for word in words:
        assert word in body["error_description"], body


@pytest.mark.parametrize("alg", ["ES256", "RS256", "EdDSA"])
def test_an_assertion_signed_with_the_registered_key_gets_a_token_for_its_user(
    make_demo_server: Callable[..., DemoServer], alg: str
) -> None:
    key = generate_key(alg)
    server = make_demo_server(client_jwks=key.jwks())
    metadata = _metadata(server)
    assert JWT_BEARER_GRANT in metadata["grant_types_supported"]
    response = _grant(metadata, _assertion(key, metadata), scope="api:read")
    assert response.status_code == 200, response.text
    body = response.json()
    assert "refresh_token" not in body and body["scope"] == "api:read"
    claims = verify_access_token(body["access_token"], metadata, audience=PRIVATE_KEY_JWT_CLIENT_ID)
    assert claims["sub"] == ALICE.subject
    assert claims["client_id"] == PRIVATE_KEY_JWT_CLIENT_ID


def test_the_issuer_as_audience_and_the_subject_id_as_sub_are_taken(
    server: DemoServer, key: SigningKey
) -> None:
    metadata = _metadata(server)
    assertion = _assertion(key, metadata, audience=server.issuer, subject=ALICE.subject)
    response = _grant(metadata, assertion)
    assert response.status_code == 200, response.text


def test_a_wrong_signature_is_refused(server: DemoServer, key: SigningKey) -> None:
    metadata = _metadata(server)
    other = generate_key("ES256", kid=key.kid)  # same kid, another key
    _refused(_grant(metadata, _assertion(other, metadata)), "signature does not verify")


def test_an_expired_assertion_is_refused(server: DemoServer, key: SigningKey) -> None:
    metadata = _metadata(server)
    old = _assertion(key, metadata, now=time.time() - 3600, lifetime=60)
    _refused(_grant(metadata, old), "expired")


def test_a_wrong_audience_is_refused_naming_the_right_ones(
    server: DemoServer, key: SigningKey
) -> None:
    metadata = _metadata(server)
    wrong = _assertion(key, metadata, audience="https://elsewhere.example/token")
    _refused(_grant(metadata, wrong), "aud https://elsewhere.example/token", server.issuer)


def test_an_unknown_user_or_issuer_is_refused(server: DemoServer, key: SigningKey) -> None:
    metadata = _metadata(server)
    _refused(_grant(metadata, _assertion(key, metadata, subject="mallory")), "sub mallory")
    by_other = _assertion(key, metadata, issuer=CONFIDENTIAL_CLIENT_ID)
    _refused(_grant(metadata, by_other), f"iss {CONFIDENTIAL_CLIENT_ID}")
    _refused(_grant(metadata, "not.a.jwt"))


def test_without_a_registered_key_nothing_is_taken(
    demo_server: DemoServer, key: SigningKey
) -> None:
    metadata = _metadata(demo_server)
    _refused(_grant(metadata, _assertion(key, metadata)), "No public key is registered")
