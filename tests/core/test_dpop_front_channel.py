"""DPoP's ``dpop_jkt`` (RFC 9449 §10) with the other ways an authorization request travels:
pushed first (PAR, RFC 9126) and signed as a request object (JAR, RFC 9101). The parameter
goes where the other parameters go, and the demo server binds the code to it either way."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from tests.demo_driver import sign_in_and_decide
from workbench.core.errors import OAuthError
from workbench.core.keys import SigningKey, generate_key
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.front_channel import AuthorizeOptions
from workbench.core.oauth.rfc9449_dpop import DpopSigner
from workbench.core.session import OAuthSession
from workbench.core.tokens.decode import decode_jwt
from workbench.core.transport.exchange import Exchange
from workbench.core.transport.http import HttpClient
from workbench.demo import DemoServer
from workbench.demo.clients import PRIVATE_KEY_JWT_CLIENT_ID, grant_provider


def _pushed(session: OAuthSession) -> Exchange:
    return next(e for e in session.log.items() if e.purpose == "pushed authorization request")


def _redirect(url: str) -> Mapping[str, str]:
    return dict(parse_qsl(urlsplit(sign_in_and_decide(url)).query))


def test_dpop_jkt_is_pushed_with_par_and_binds_the_code(demo: DemoServer) -> None:
    key = generate_key("ES256")
    provider = dataclasses.replace(grant_provider(demo.issuer, "authorization_code"), dpop_key=key)
    session = OAuthSession(provider)
    pending = session.begin_authorization(options=AuthorizeOptions(par=True))
    try:
        assert set(dict(parse_qsl(urlsplit(pending.url).query))) == {"client_id", "request_uri"}
        assert (_pushed(session).request_form or {})["dpop_jkt"] == key.thumbprint()
        params = _redirect(pending.url)
        # Another key cannot redeem the code the pushed request bound.
        thief = OAuthSession(provider, HttpClient(signer=DpopSigner(generate_key("ES256"))))
        with pytest.raises(OAuthError) as refused:
            thief.complete_authorization(pending, params)
        assert refused.value.error == "invalid_grant"
        assert "dpop_jkt" in (refused.value.description or "")
    finally:
        pending.close()
    pending = session.begin_authorization(options=AuthorizeOptions(par=True))
    try:
        tokens = session.complete_authorization(pending, _redirect(pending.url))
    finally:
        pending.close()
    assert tokens.token_type == "DPoP" and tokens.access_token
    assert decode_jwt(tokens.access_token).claims["cnf"] == {"jkt": key.thumbprint()}


@pytest.mark.parametrize("par", [False, True])
def test_dpop_jkt_is_signed_into_the_request_object(make_demo, par: bool) -> None:  # type: ignore[no-untyped-def]
    client_key: SigningKey = generate_key("ES256")
    dpop_key = generate_key("ES256")
    server: DemoServer = make_demo(client_jwks=client_key.jwks())
    client = ClientConfig(
        PRIVATE_KEY_JWT_CLIENT_ID, auth_method="private_key_jwt", signing_key=client_key
    )
    provider = Provider(client=client, issuer=server.issuer, scope="openid", dpop_key=dpop_key)
    session = OAuthSession(provider)
    pending = session.begin_authorization(
        options=AuthorizeOptions(par=par, request_object_key=client_key)
    )
    try:
        sent = dict(parse_qsl(urlsplit(pending.url).query))
        assert "dpop_jkt" not in sent  # only inside the signed request object
        signed = pending.request.request_object or ""
        assert decode_jwt(signed).claims["dpop_jkt"] == dpop_key.thumbprint()
        if par:
            assert "dpop_jkt" not in (_pushed(session).request_form or {})
        requests.get(sign_in_and_decide(pending.url), timeout=10)
        tokens = session.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    assert tokens.token_type == "DPoP" and tokens.access_token
    assert decode_jwt(tokens.access_token).claims["cnf"] == {"jkt": dpop_key.thumbprint()}
    # The server took the signed dpop_jkt: the code was bound to it (a thief is refused).
    pending = session.begin_authorization(
        options=AuthorizeOptions(par=par, request_object_key=client_key)
    )
    try:
        params = _redirect(pending.url)
        thief = OAuthSession(provider, HttpClient(signer=DpopSigner(generate_key("ES256"))))
        with pytest.raises(OAuthError) as refused:
            thief.complete_authorization(pending, params)
        assert refused.value.error == "invalid_grant"
    finally:
        pending.close()
