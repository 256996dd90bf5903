"""The demo server's JWT client authentication (RFC 7523 §2.2) refuses what it must: a wrong
signature, a wrong audience, an expired or replayed assertion, a secret-keyed assertion for the
key-holding client, and any assertion when no client JWKS is configured."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
import pytest
import requests

from workbench.core.keys import SigningKey, generate_key
from workbench.core.oauth.discovery import discover
from workbench.core.oauth.rfc7591_register import ClientMetadata, register, registration_endpoint
from workbench.core.transport.http import HttpClient
from workbench.demo import DemoServer
from workbench.demo.clients import (
    PRIVATE_KEY_JWT_CLIENT_ID,
    SECRET_JWT_CLIENT_ID,
    SECRET_JWT_CLIENT_SECRET,
)

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture(scope="module")
def client_key() -> SigningKey:
    return generate_key("ES256")


@pytest.fixture
def server(make_demo_server: Callable[..., DemoServer], client_key: SigningKey) -> DemoServer:
    return make_demo_server(client_jwks=client_key.jwks())


def claims(client_id: str, aud: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    values = {
        "iss": client_id,
        "sub": client_id,
        "aud": aud,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 60,
    }
    values.update(changes)
    return values


def post(server: DemoServer, assertion: str, path: str = "/token") -> requests.Response:
    form = {"client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion}
    if path == "/token":
        form |= {"grant_type": "client_credentials", "scope": "api:read"}
    else:
        form |= {"token": "nothing-issued", "token_type_hint": "access_token"}
    return requests.post(server.issuer + path, data=form, timeout=10)


def refused(response: requests.Response, words: str) -> None:
    assert response.status_code in (400, 401), response.text
    body = response.json()
    assert body["error"] == "invalid_client"
    assert words in body["error_description"], body


def test_a_good_assertion_of_each_method_gets_a_token(
    server: DemoServer, client_key: SigningKey
) -> None:
    token_url = server.issuer + "/token"
    signed = client_key.sign_jwt(claims(PRIVATE_KEY_JWT_CLIENT_ID, token_url))
    assert post(server, signed).status_code == 200
    maced = jwt.encode(
        claims(SECRET_JWT_CLIENT_ID, server.issuer), SECRET_JWT_CLIENT_SECRET, algorithm="HS256"
    )
    assert post(server, maced).status_code == 200
    # the revocation endpoint authenticates the client the same way, its URL as audience
    revoke = client_key.sign_jwt(claims(PRIVATE_KEY_JWT_CLIENT_ID, server.issuer + "/revoke"))
    assert post(server, revoke, "/revoke").status_code == 200


def test_a_replayed_assertion_is_refused(server: DemoServer, client_key: SigningKey) -> None:
    assertion = client_key.sign_jwt(claims(PRIVATE_KEY_JWT_CLIENT_ID, server.issuer))
    assert post(server, assertion).status_code == 200
    refused(post(server, assertion), "JWT ID is used before")


def test_a_wrong_audience_is_refused(server: DemoServer, client_key: SigningKey) -> None:
    assertion = client_key.sign_jwt(
        claims(PRIVATE_KEY_JWT_CLIENT_ID, "https://another-server.example/token")
    )
    refused(post(server, assertion), "aud")


def test_an_expired_assertion_is_refused(server: DemoServer, client_key: SigningKey) -> None:
    past = int(time.time()) - 120
    assertion = client_key.sign_jwt(
        claims(PRIVATE_KEY_JWT_CLIENT_ID, server.issuer, iat=past - 60, exp=past)
    )
    refused(post(server, assertion), "exp")


def test_a_wrong_signature_is_refused(server: DemoServer, client_key: SigningKey) -> None:
    forger = generate_key("ES256").with_alg(kid=client_key.kid)
    assertion = forger.sign_jwt(claims(PRIVATE_KEY_JWT_CLIENT_ID, server.issuer))
    refused(post(server, assertion), "signature")
    maced = jwt.encode(
        claims(SECRET_JWT_CLIENT_ID, server.issuer),
        "another-secret-of-at-least-32-bytes",
        algorithm="HS256",
    )
    refused(post(server, maced), "signature")


def test_iss_and_sub_must_both_be_the_client(server: DemoServer, client_key: SigningKey) -> None:
    assertion = client_key.sign_jwt(
        claims(PRIVATE_KEY_JWT_CLIENT_ID, server.issuer, iss="someone-else")
    )
    refused(post(server, assertion), "Issuer and Subject MUST match")


def test_the_key_client_takes_no_secret_keyed_or_unsigned_assertion(server: DemoServer) -> None:
    # HS256 keyed with the public JWK's text: the classic algorithm confusion
    maced = jwt.encode(
        claims(PRIVATE_KEY_JWT_CLIENT_ID, server.issuer),
        "x" * 32,
        algorithm="HS256",
    )
    refused(post(server, maced), "The client assertion was refused")
    unsigned = jwt.encode(claims(PRIVATE_KEY_JWT_CLIENT_ID, server.issuer), None, algorithm="none")
    refused(post(server, unsigned), "The client assertion was refused")


def test_without_a_client_jwks_every_key_assertion_is_refused(
    make_demo_server: Callable[..., DemoServer], client_key: SigningKey
) -> None:
    server = make_demo_server()
    assertion = client_key.sign_jwt(claims(PRIVATE_KEY_JWT_CLIENT_ID, server.issuer))
    refused(post(server, assertion), "no registered public key")


def test_a_registered_key_client_is_checked_with_its_own_jwks(
    server: DemoServer, client_key: SigningKey
) -> None:
    """A private_key_jwt client registered at run time (RFC 7591) signs in with the key of the
    jwks it registered; the built-in key client's key (the server's client_jwks) is not its."""
    http = HttpClient()
    try:
        own = generate_key("PS256")
        endpoint = registration_endpoint(discover(http, server.issuer))
        registration = register(
            http,
            endpoint,
            ClientMetadata(
                grant_types=("client_credentials",),
                token_endpoint_auth_method="private_key_jwt",
                scope="api:read",
                jwks=own.jwks(),
            ),
        )
    finally:
        http.close()
    client_id = registration.client_id
    token_url = server.issuer + "/token"
    assert post(server, own.sign_jwt(claims(client_id, token_url))).status_code == 200
    refused(post(server, client_key.sign_jwt(claims(client_id, token_url))), "")
    # and its key signs in as no other client
    refused(post(server, own.sign_jwt(claims(PRIVATE_KEY_JWT_CLIENT_ID, token_url))), "")


def test_a_registered_key_client_without_a_jwks_is_refused(server: DemoServer) -> None:
    http = HttpClient()
    try:
        endpoint = registration_endpoint(discover(http, server.issuer))
        registration = register(
            http,
            endpoint,
            ClientMetadata(
                grant_types=("client_credentials",), token_endpoint_auth_method="private_key_jwt"
            ),
        )
    finally:
        http.close()
    key = generate_key("ES256")
    assertion = key.sign_jwt(claims(registration.client_id, server.issuer + "/token"))
    refused(post(server, assertion), "register it with a jwks")
