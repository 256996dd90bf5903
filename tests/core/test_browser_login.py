"""A real browser signs in: headless Chromium against the demo server's pages, redirecting to
the core's RFC 8252 loopback listener (query for the code flow, fragment script for implicit)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import chromium_page, require_chromium
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.session import OAuthSession
from workbench.demo import NATIVE_CLIENT_ID, DemoConfig, DemoServer

pytestmark = pytest.mark.browser


@pytest.fixture
def session() -> Iterator[OAuthSession]:
    require_chromium()  # before any listener starts: a skip then leaves no thread behind
    with DemoServer(DemoConfig()) as server:
        provider = Provider(
            client=ClientConfig(NATIVE_CLIENT_ID, None, "none"),
            issuer=server.issuer,
            scope="openid profile email offline_access",
        )
        session = OAuthSession(provider)
        yield session
        session.close()


def _sign_in(page: object, url: str) -> None:
    page.goto(url)  # type: ignore[attr-defined]
    page.fill("#username", "alice")  # type: ignore[attr-defined]
    page.fill("#password", "alice-password")  # type: ignore[attr-defined]
    page.click("#sign-in")  # type: ignore[attr-defined]
    page.click("#approve")  # type: ignore[attr-defined]
    page.wait_for_selector("text=You can close this tab")  # type: ignore[attr-defined]


def test_authorization_code_in_a_real_browser(session: OAuthSession) -> None:
    pending = session.begin_authorization()
    with chromium_page() as page:
        _sign_in(page, pending.url)
        assert page.url.startswith(pending.request.redirect_uri + "?")
    tokens = session.finish_authorization(pending, timeout=10)
    assert tokens.access_token and tokens.id_token and tokens.refresh_token
    found = {
        f.check: f.outcome.value
        for f in session.inspect(
            tokens.id_token or "",
            kind="id",
            nonce=pending.request.nonce,
            access_token=tokens.access_token,
        ).findings
    }
    assert found["signature"] == found["nonce"] == found["at_hash"] == "pass"


def test_implicit_fragment_reaches_the_listener_through_the_page_script(
    session: OAuthSession,
) -> None:
    pending = session.begin_authorization(response_type="id_token token")
    with chromium_page() as page:
        _sign_in(page, pending.url)
        assert "#" in page.url  # the tokens travelled in the fragment
    tokens = session.finish_authorization(pending, timeout=10)
    assert tokens.access_token and tokens.id_token
