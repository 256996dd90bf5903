"""The hybrid flow (OIDC Core §3.3) and rich authorization requests (RFC 9396) against the
independent npm ``oidc-provider`` (its hybrid response types registered for the native client,
its ``features.richAuthorizationRequests`` with an ``account_information`` type: provider.mjs),
signed in on its own pages by headless Chromium."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import chromium_page
from tests.interop.test_oidc_provider import DONE_TEXT, loopback_only, sign_in_and_consent
from tests.oidc_provider_peer import (
    API_AUDIENCE,
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    NATIVE_CLIENT_ID,
    IndependentProvider,
)
from workbench.core.errors import OAuthError
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.hybrid import HYBRID_RESPONSE_TYPES
from workbench.core.oauth.rfc9396_rar import parse_authorization_details, unlisted_types
from workbench.core.session import OAuthSession
from workbench.core.tokens.decode import decode_jwt

DETAILS = [{"type": "account_information", "actions": ["read_balances"]}]


@pytest.fixture
def make_session(independent_provider: IndependentProvider) -> Iterator[Any]:
    sessions: list[OAuthSession] = []

    def make(client: ClientConfig, scope: str = "openid") -> OAuthSession:
        session = OAuthSession(
            Provider(client=client, issuer=independent_provider.issuer, scope=scope)
        )
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


def _chromium(url: str) -> None:
    with chromium_page() as page:
        loopback_only(page)
        sign_in_and_consent(page, url)
        page.wait_for_selector(DONE_TEXT)


@pytest.mark.browser
@pytest.mark.parametrize("response_type", HYBRID_RESPONSE_TYPES)
def test_hybrid_in_a_real_browser(make_session: Any, response_type: str) -> None:
    session = make_session(ClientConfig(NATIVE_CLIENT_ID, None, "none"))
    pending = session.begin_authorization(response_type=response_type)
    try:
        _chromium(pending.url)
        tokens = session.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    assert tokens.access_token and tokens.id_token
    kinds = [s.kind for s in session.log.steps()]
    assert ("hybrid_front_checked" in kinds) == ("id_token" in response_type.split())
    assert "hybrid_back_checked" in kinds
    purposes = [e.purpose for e in session.log.items()]
    assert "token (authorization_code)" in purposes
    if "id_token" in response_type.split():
        front = next(s for s in session.log.steps() if s.kind == "hybrid_front_checked")
        assert "c_hash: c_hash matches" in front.detail["checks"]
        if "token" in response_type.split():
            assert "at_hash: at_hash matches" in front.detail["checks"]


@pytest.mark.browser
def test_authorization_details_granted_through_its_consent(make_session: Any) -> None:
    session = make_session(ClientConfig(NATIVE_CLIENT_ID, None, "none"))
    details = parse_authorization_details(json.dumps(DETAILS))
    assert unlisted_types(session.metadata(), details) is None  # it lists the type
    # It wants a resource with RAR (invalid_target otherwise): its API, as the JWT's audience.
    extra = {"authorization_details": details.text, "resource": API_AUDIENCE}
    pending = session.begin_authorization("openid api:read", extra=extra)
    try:
        _chromium(pending.url)
        tokens = session.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    assert tokens.raw["authorization_details"] == DETAILS
    assert decode_jwt(tokens.access_token).claims["aud"] == API_AUDIENCE


def test_client_credentials_details_and_refusals(make_session: Any) -> None:
    client = ClientConfig(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)
    session = make_session(client, scope="api:read")
    tokens = session.client_credentials(extra={"authorization_details": json.dumps(DETAILS)})
    assert tokens.raw["authorization_details"] == DETAILS
    claims = decode_jwt(tokens.access_token).claims  # its RFC 9068 JWT for the API
    assert claims["authorization_details"] == DETAILS
    for bad, words in (
        ([{"type": "payment_initiation"}], "unsupported authorization details type"),
        ([{"type": "account_information", "actions": ["steal"]}], "actions must be among"),
    ):
        with pytest.raises(OAuthError) as caught:
            session.client_credentials(extra={"authorization_details": json.dumps(bad)})
        assert caught.value.error == "invalid_authorization_details"
        assert words in str(caught.value)
