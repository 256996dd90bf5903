"""The hosted door: the generic flow code against a server laid out like a Cognito domain.

moto has no hosted /oauth2 endpoints, so the embedded demo server is mounted at Cognito's paths
(``/oauth2/authorize``, ``/oauth2/token``, ``/oauth2/revoke``, ``/oauth2/userInfo``, no
introspection) and a Cognito description's custom domain points at it. The flows are the same
``OAuthSession`` code every provider uses; what is Cognito here is the layout, the client
authentication (``client_secret_basic``) and the missing introspection endpoint.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
import requests

from tests.demo_driver import sign_in_and_decide
from workbench.core.cognito.pool import CognitoPool
from workbench.core.errors import OAuthError
from workbench.core.session import OAuthSession
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DemoConfig,
    DemoServer,
)

COGNITO_PATHS = {
    "authorize": "/oauth2/authorize",
    "token": "/oauth2/token",
    "revocation": "/oauth2/revoke",
    "userinfo": "/oauth2/userInfo",
    "jwks": "/us-east-1_Hosted123/.well-known/jwks.json",
}


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoConfig(paths=COGNITO_PATHS)) as running:
        yield running


@pytest.fixture
def session(server: DemoServer) -> Iterator[OAuthSession]:
    pool = CognitoPool(
        user_pool_id="us-east-1_Hosted123",
        client_id=CONFIDENTIAL_CLIENT_ID,
        client_secret=CONFIDENTIAL_CLIENT_SECRET,
        domain=server.issuer,  # a custom domain URL; http only because it is loopback
    )
    provider = pool.to_provider(scope="api:read")
    assert provider.endpoints["token_endpoint"] == server.issuer + "/oauth2/token"
    assert provider.endpoints["userinfo_endpoint"] == server.issuer + "/oauth2/userInfo"
    assert provider.client.method == "client_secret_basic"
    # The stand-in signs its own tokens, so its issuer and keys replace the pool's (a real
    # pool's tokens name https://cognito-idp.<region>.amazonaws.com/<poolId>); the endpoints
    # stay exactly as the Cognito description derived them.
    stand_in = replace(
        provider,
        issuer=server.issuer,
        endpoints={**provider.endpoints, "jwks_uri": server.url("jwks")},
    )
    opened = OAuthSession(stand_in)
    yield opened
    opened.close()


def test_client_credentials_with_a_custom_scope(session: OAuthSession) -> None:
    tokens = session.client_credentials()  # "api:read" stands in for "<resource-server>/<scope>"
    assert tokens.scope == "api:read" and tokens.access_token
    sent = session.log.items()[-1]
    assert sent.url.endswith("/oauth2/token")
    assert sent.request_headers["Authorization"] == "Basic ••••••"
    found = {f.check: f.outcome.value for f in session.inspect(tokens.access_token).findings}
    assert found["signature"] == found["iss"] == "pass"


def test_code_refresh_userinfo_revoke(session: OAuthSession) -> None:
    pending = session.begin_authorization(scope="openid profile offline_access")
    assert pending.url.split("?")[0].endswith("/oauth2/authorize")
    assert pending.request.pkce is not None

    def browser() -> None:
        location = sign_in_and_decide(pending.url)
        requests.get(location, timeout=5).raise_for_status()

    worker = threading.Thread(target=browser)
    worker.start()
    try:
        tokens = session.finish_authorization(pending, timeout=10)
    finally:
        worker.join()
        pending.close()
    assert tokens.access_token and tokens.id_token and tokens.refresh_token

    refreshed = session.refresh(tokens.refresh_token)
    assert refreshed.tokens.access_token and refreshed.rotation == "rotated"
    access = refreshed.tokens.access_token

    assert session.userinfo(access)["sub"]
    before = session.server_verdict(access)
    # No introspection endpoint (Cognito has none): the verdict comes from userInfo.
    assert before.source == "userinfo" and before.active is True

    session.revoke(access, "access_token")
    with pytest.raises(OAuthError) as info:
        session.userinfo(access)
    assert info.value.status == 401
    after = session.reality_check(access)
    assert after.locally_valid and after.server.active is False and after.contradiction
    base = session.provider.issuer or ""
    used = {e.url.removeprefix(base) for e in session.log.items()}
    assert {"/oauth2/token", "/oauth2/revoke", "/oauth2/userInfo"} <= used
