"""workbench.demo.clients: the faces' one home for the demo clients, light and true to the
server's own records."""

from __future__ import annotations

import subprocess
import sys

import pytest

from workbench.core.session import OAuthSession
from workbench.demo import CLIENTS, DEVICE_CODE_GRANT, USERS, DemoServer, api
from workbench.demo.clients import (
    API_NAMES,
    CONFIDENTIAL_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    PUBLIC_GRANTS,
    api_urls,
    demo_provider,
    grant_provider,
)

CLI_GRANTS = (
    "authorization_code",
    "client_credentials",
    "password",
    "implicit",
    "device_code",
    "refresh_token",
)


def test_importing_it_loads_no_server_and_no_qt() -> None:
    code = (
        "import sys, workbench.demo.clients\n"
        "heavy = {'flask', 'authlib', 'werkzeug', 'PySide6', 'shiboken6'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


@pytest.mark.parametrize("grant", CLI_GRANTS)
def test_each_grant_gets_a_client_the_server_allows_it(grant: str) -> None:
    provider = grant_provider("http://127.0.0.1:1", grant)
    record = CLIENTS[provider.client.client_id]
    assert record.is_public == (grant in PUBLIC_GRANTS)
    if grant != "implicit":  # implicit is no grant type at the token endpoint
        assert record.check_grant_type(DEVICE_CODE_GRANT if grant == "device_code" else grant)
    assert set(provider.scope.split()) <= set(record.scopes)
    assert record.is_public or record.check_client_secret(CONFIDENTIAL_CLIENT_SECRET)


def test_demo_user_and_scope_choice() -> None:
    assert USERS[DEMO_USERNAME].check_password(DEMO_PASSWORD)
    assert grant_provider("http://x", "password", "openid").scope == "openid"
    assert grant_provider("http://x", "implicit").scope == "openid profile email"
    assert demo_provider("http://x", public=True).client.auth_method == "none"
    assert "api:read" in demo_provider("http://x").scope.split()


def test_the_confidential_provider_signs_the_demo_user_in(demo: DemoServer) -> None:
    session = OAuthSession(grant_provider(demo.issuer, "password"))
    try:
        tokens = session.password(DEMO_USERNAME, DEMO_PASSWORD)
        assert tokens.refresh_token  # offline_access was asked for and granted
    finally:
        session.close()


def test_the_demo_apis_urls_are_the_servers_own() -> None:
    """The app's row of demo-API answers and the server name the APIs from one home."""
    assert api.api_urls is api_urls and api.API_NAMES is API_NAMES
    assert api_urls("http://127.0.0.1:9/") == {
        "local": "http://127.0.0.1:9/api/local",
        "introspected": "http://127.0.0.1:9/api/introspected",
    }
