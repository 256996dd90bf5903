"""DPoP (RFC 9449) against the independent npm ``oidc-provider`` (features.dPoP): client
credentials with proofs, the token bound to the key (``cnf.jkt`` in its JWT access token), the
inspector's DPoP row, and its nonce feature (``requireNonce`` for one
client): ``use_dpop_nonce`` answered once with the nonce given."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.oidc_provider_peer import (
    API_AUDIENCE,
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DPOP_NONCE_CLIENT_ID,
    IndependentProvider,
)
from workbench.core.keys import generate_key
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.session import OAuthSession
from workbench.core.tokens.decode import decode_jwt
from workbench.core.tokens.findings import Outcome


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
