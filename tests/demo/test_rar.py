"""Rich authorization requests (RFC 9396) on the demo server, driven by the core's session
(the user's part over HTTP, as :mod:`tests.demo_driver` plays it): the consent page lists the
details, the granted ones come back in the token response and the access token, an unknown
type is refused with ``invalid_authorization_details`` — in the URL, pushed (PAR) and inside a
signed request object (JAR)."""

from __future__ import annotations

import json

import pytest
import requests

from tests.demo_driver import form_token, redirect_params, sign_in_and_decide
from workbench.core.errors import OAuthError
from workbench.core.keys import generate_key
from workbench.core.oauth.front_channel import AuthorizeOptions
from workbench.core.session import OAuthSession
from workbench.core.tokens.decode import decode_jwt
from workbench.demo import DemoServer
from workbench.demo.clients import PRIVATE_KEY_JWT_CLIENT_ID, demo_provider

PAYMENT = [
    {
        "type": "payment_initiation",
        "actions": ["initiate", "status"],
        "locations": ["https://bank.example/payments"],
        "instructedAmount": {"currency": "EUR", "amount": "123.50"},
        "creditorName": "Merchant A",
        "creditorAccount": {"iban": "DE02100100109307118603"},
    }
]


def _extra(details: object) -> dict[str, str]:
    return {"authorization_details": json.dumps(details)}


def test_consent_lists_the_details_and_the_tokens_carry_them(demo_server: DemoServer) -> None:
    session = OAuthSession(demo_provider(demo_server.issuer, public=True))
    pending = session.begin_authorization(extra=_extra(PAYMENT))
    try:
        http = requests.Session()
        login = http.get(pending.url, timeout=5)
        consent = http.post(
            pending.url,
            data={"username": "alice", "password": "alice-password",
                  "csrf_token": form_token(login.text)},
            timeout=5,
        )  # fmt: skip
        assert 'id="authorization-details"' in consent.text
        assert "payment_initiation" in consent.text and "Merchant A" in consent.text
        location = sign_in_and_decide(pending.url, session=http)
        tokens = session.complete_authorization(pending, redirect_params(location))
    finally:
        pending.close()
        session.close()
    assert tokens.raw["authorization_details"] == PAYMENT
    assert decode_jwt(tokens.access_token).claims["authorization_details"] == PAYMENT


def test_an_unknown_type_is_refused_at_authorize(demo_server: DemoServer) -> None:
    session = OAuthSession(demo_provider(demo_server.issuer, public=True))
    pending = session.begin_authorization(extra=_extra([{"type": "crypto_mining"}]))
    try:
        params = redirect_params(sign_in_and_decide(pending.url))
        with pytest.raises(OAuthError) as caught:
            session.complete_authorization(pending, params)
    finally:
        pending.close()
        session.close()
    assert caught.value.error == "invalid_authorization_details"
    assert "unknown type 'crypto_mining'" in str(caught.value)


def test_details_pushed_with_par_are_granted(demo_server: DemoServer) -> None:
    session = OAuthSession(demo_provider(demo_server.issuer, public=True))
    details = [{"type": "account_information", "actions": ["read_balances"]}]
    pending = session.begin_authorization(extra=_extra(details), options=AuthorizeOptions(par=True))
    try:
        assert "authorization_details" not in pending.url  # it went in the pushed request
        location = sign_in_and_decide(pending.url)
        tokens = session.complete_authorization(pending, redirect_params(location))
    finally:
        pending.close()
        session.close()
    assert tokens.raw["authorization_details"] == details


def test_details_inside_a_signed_request_object(make_demo_server) -> None:  # type: ignore[no-untyped-def]
    key = generate_key("ES256")
    server = make_demo_server(client_jwks=key.jwks())
    provider = demo_provider(server.issuer, public=True)
    client = provider.client.__class__(
        client_id=PRIVATE_KEY_JWT_CLIENT_ID, auth_method="private_key_jwt", signing_key=key
    )
    from dataclasses import replace

    session = OAuthSession(replace(provider, client=client, scope="openid"))
    details = [{"type": "account_information", "actions": ["list_accounts"]}]
    pending = session.begin_authorization(
        extra=_extra(details), options=AuthorizeOptions(request_object_key=key)
    )
    try:
        claims = decode_jwt(pending.request.request_object or "").claims
        assert claims["authorization_details"] == details  # an array in the object (§3)
        location = sign_in_and_decide(pending.url)
        tokens = session.complete_authorization(pending, redirect_params(location))
    finally:
        pending.close()
        session.close()
    assert decode_jwt(tokens.access_token).claims["authorization_details"] == details


def test_client_credentials_details_at_the_token_endpoint(demo_server: DemoServer) -> None:
    from workbench.demo.clients import grant_provider

    session = OAuthSession(grant_provider(demo_server.issuer, "client_credentials", None))
    try:
        tokens = session.client_credentials(extra=_extra(PAYMENT))
        assert tokens.raw["authorization_details"] == PAYMENT
        with pytest.raises(OAuthError) as caught:
            session.client_credentials(extra=_extra([{"type": "payment_initiation",
                                                      "actions": ["steal"]}]))  # fmt: skip
    finally:
        session.close()
    assert caught.value.error == "invalid_authorization_details"
    assert "action 'steal'" in str(caught.value)


def test_discovery_lists_the_types(demo_server: DemoServer) -> None:
    doc = requests.get(demo_server.issuer + "/.well-known/openid-configuration", timeout=5).json()
    assert doc["authorization_details_types_supported"] == [
        "payment_initiation",
        "account_information",
    ]
    assert {"code id_token", "code token", "code id_token token"} <= set(
        doc["response_types_supported"]
    )
