"""DPoP (RFC 9449) against the independent npm ``oidc-provider`` (features.dPoP): client
credentials with proofs, the token bound to the key (``cnf.jkt`` in its JWT access token), the
inspector's DPoP row, and its nonce feature (``requireNonce`` for one
client): ``use_dpop_nonce`` answered once with the nonce given; ``dpop_jkt`` inside a signed
request object, in the URL or pushed, signed in on its pages by Chromium."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.interop.test_oidc_provider import JAR_CLIENT_ID, browser_login
from tests.oidc_provider_peer import (
    API_AUDIENCE,
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DPOP_NONCE_CLIENT_ID,
    IndependentProvider,
)
from workbench.core.errors import OAuthError
from workbench.core.keys import generate_key
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig, ClientKey
from workbench.core.oauth.front_channel import AuthorizeOptions
from workbench.core.oauth.rfc9449_dpop import DpopSigner
from workbench.core.session import OAuthSession
from workbench.core.tokens.decode import decode_jwt
from workbench.core.tokens.findings import Outcome
from workbench.core.transport.http import HttpClient


@pytest.fixture
def dpop_session(independent_provider: IndependentProvider) -> Iterator[Any]:
    sessions: list[OAuthSession] = []

    def make(client_id: str) -> OAuthSession:
        provider = Provider(
            client=ClientConfig(client_id, CONFIDENTIAL_CLIENT_SECRET),
            issuer=independent_provider.issuer,
            scope="api:read",
            dpop_key=generate_key("ES256"),
        )
        session = OAuthSession(provider)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


def test_client_credentials_with_dpop_is_bound_to_the_key(dpop_session: Any) -> None:
    session: OAuthSession = dpop_session(CONFIDENTIAL_CLIENT_ID)
    assert session.dpop is not None
    assert "ES256" in session.metadata().raw["dpop_signing_alg_values_supported"]
    tokens = session.client_credentials(resource=API_AUDIENCE)
    assert tokens.token_type == "DPoP"
    assert tokens.access_token
    claims = decode_jwt(tokens.access_token).claims
    assert claims["cnf"] == {"jkt": session.dpop.jkt}
    finding = session.inspect(tokens.access_token).finding("dpop")
    assert finding.outcome is Outcome.PASS, finding.reason
    # A JWT access token cannot be introspected at this provider ("Structured JWT Tokens cannot
    # be introspected"), so the binding is read from the token itself.


def test_the_providers_nonce_is_asked_for_and_given_once(dpop_session: Any) -> None:
    session: OAuthSession = dpop_session(DPOP_NONCE_CLIENT_ID)
    tokens = session.client_credentials(resource=API_AUDIENCE)
    assert tokens.token_type == "DPoP" and tokens.access_token
    assert session.dpop is not None
    assert decode_jwt(tokens.access_token).claims["cnf"] == {"jkt": session.dpop.jkt}
    token_calls = [ex for ex in session.log.items() if ex.url.endswith("/token")]
    assert [ex.status for ex in token_calls] == [400, 200]
    refused, accepted = token_calls
    assert "use_dpop_nonce" in refused.response_body
    nonce = next(v for k, v in refused.response_headers.items() if k.lower() == "dpop-nonce")
    assert "nonce" not in refused.request_tokens["DPoP"]["claims"]
    assert accepted.request_tokens["DPoP"]["claims"]["nonce"] == nonce


@pytest.mark.browser
@pytest.mark.parametrize("par", [False, True])
def test_dpop_jkt_inside_a_signed_request_binds_its_code(
    independent_provider: IndependentProvider, par: bool
) -> None:
    """RFC 9449 §10 with RFC 9101 (and RFC 9126): ``dpop_jkt`` is one of the signed
    parameters; its pages sign in, the code is redeemed with a proof of that key and the
    token is DPoP; a proof of another key cannot redeem such a code (and can one asked for
    without DPoP)."""
    key_file = independent_provider.client_keys["ES256"]
    client = ClientConfig(
        JAR_CLIENT_ID,
        None,
        "private_key_jwt",
        client_key=ClientKey(path=str(key_file)),
        assertion_audience="issuer",
    )
    dpop_key = generate_key("ES256")
    provider = Provider(
        client=client, issuer=independent_provider.issuer, scope="openid", dpop_key=dpop_key
    )
    options = AuthorizeOptions(par=par, request_object_key=client.key())
    session = OAuthSession(provider)
    thief = OAuthSession(provider, HttpClient(signer=DpopSigner(generate_key("ES256"))))
    try:
        pending = session.begin_authorization(options=options)
        try:
            assert "dpop_jkt" not in parse_qs(urlsplit(pending.url).query)
            signed = pending.request.request_object or ""
            assert decode_jwt(signed).claims["dpop_jkt"] == dpop_key.thumbprint()
            browser_login(pending)
            tokens = session.finish_authorization(pending, timeout=10)
        finally:
            pending.close()
        assert tokens.token_type == "DPoP" and tokens.id_token
        pending = session.begin_authorization(options=options)
        try:
            landed = browser_login(pending)
            params = {k: v[0] for k, v in parse_qs(urlsplit(landed).query).items()}
            with pytest.raises(OAuthError) as refused:
                thief.complete_authorization(pending, params)
        finally:
            pending.close()
        assert refused.value.error == "invalid_grant"
        # The control: a code asked for without DPoP (no dpop_jkt) is redeemed by that proof.
        plain = OAuthSession(dataclasses.replace(provider, dpop_key=None))
        pending = plain.begin_authorization(options=options)
        try:
            landed = browser_login(pending)
            params = {k: v[0] for k, v in parse_qs(urlsplit(landed).query).items()}
            assert thief.complete_authorization(pending, params).token_type == "DPoP"
        finally:
            pending.close()
            plain.close()
    finally:
        thief.close()
        session.close()
