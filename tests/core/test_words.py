"""The core's words where a person reads them: error advice, time claims, default scopes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workbench.core.errors import OAUTH_ADVICE, OAuthError
from workbench.core.hints import worded
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.rfc6749_grants import USER_SCOPES, client_credentials_scope
from workbench.core.session import OAuthSession
from workbench.core.tokens.claims import claim_rows, describe_time
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DemoConfig,
    DemoServer,
)
from workbench.demo.clients import CONFIDENTIAL_DEMO_SCOPE

NOW = 1_795_700_000.0


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoConfig()) as running:
        yield running


def test_invalid_client_carries_advice_other_codes_none() -> None:
    error = OAuthError("invalid_client", "Client authentication failed", status=401)
    assert error.advice == (OAUTH_ADVICE["invalid_client"],)
    assert worded(error.advice).startswith("the server did not accept the client's credentials")
    assert OAuthError("invalid_grant", "expired").advice == ()
    assert OAuthError("").advice == ()


def test_a_wrong_secret_at_a_real_server_gives_the_advice(server: DemoServer) -> None:
    client = ClientConfig(CONFIDENTIAL_CLIENT_ID, "wrong-secret")
    session = OAuthSession(Provider(client=client, issuer=server.issuer))
    try:
        with pytest.raises(OAuthError) as info:
            session.client_credentials("api:read")
    finally:
        session.close()
    assert info.value.error == "invalid_client" and info.value.status == 401
    assert "client secret" in worded(info.value.advice)


def test_time_claims_read_relative_first() -> None:
    text, invalid = describe_time(NOW + 297, NOW)
    assert not invalid
    assert text.startswith("in 4 min 57 s (") and text.endswith(")")
    past = claim_rows({"iat": NOW - 120}, NOW)[0].display
    assert past.startswith("2 min ago (")


def test_client_credentials_scope_drops_only_the_user_scopes() -> None:
    assert client_credentials_scope(CONFIDENTIAL_DEMO_SCOPE) == "api:read"
    assert client_credentials_scope("openid profile email offline_access") == ""
    assert client_credentials_scope("https://graph.example/.default openid") == (
        "https://graph.example/.default"
    )
    assert {"openid", "offline_access"} <= USER_SCOPES


def test_session_client_credentials_defaults_to_that_scope(server: DemoServer) -> None:
    client = ClientConfig(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)
    provider = Provider(client=client, issuer=server.issuer, scope=CONFIDENTIAL_DEMO_SCOPE)
    session = OAuthSession(provider)
    try:
        tokens = session.client_credentials()
        explicit = session.client_credentials("api:read api:write")
    finally:
        session.close()
    sent = [e for e in session.log.items() if e.purpose == "token (client_credentials)"]
    assert [e.request_form and e.request_form.get("scope") for e in sent] == [
        "api:read",
        "api:read api:write",
    ]
    assert tokens.scope == "api:read" and explicit.scope == "api:read api:write"
