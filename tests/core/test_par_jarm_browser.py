"""PAR and JARM with a real browser: headless Chromium signs in on the demo server's pages
from the short authorize URL (client_id + request_uri), and a form_post.jwt response is
posted by the server's page to the core's loopback listener."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser import chromium_page, require_chromium
from workbench.core.oauth.front_channel import AuthorizeOptions
from workbench.core.session import OAuthSession
from workbench.demo import DemoConfig, DemoServer
from workbench.demo.clients import demo_provider

pytestmark = pytest.mark.browser


@pytest.fixture
def session() -> Iterator[OAuthSession]:
    require_chromium()  # before any listener starts: a skip then leaves no thread behind
    with DemoServer(DemoConfig()) as server:
        session = OAuthSession(demo_provider(server.issuer, public=True))
        yield session
        session.close()


def _sign_in(page: object, url: str) -> None:
    page.goto(url)  # type: ignore[attr-defined]
    page.fill("#username", "alice")  # type: ignore[attr-defined]
    page.fill("#password", "alice-password")  # type: ignore[attr-defined]
    page.click("#sign-in")  # type: ignore[attr-defined]
    page.click("#approve")  # type: ignore[attr-defined]
    page.wait_for_selector("text=You can close this tab")  # type: ignore[attr-defined]


def test_par_then_form_post_jwt_in_a_real_browser(session: OAuthSession) -> None:
    options = AuthorizeOptions(par=True, response_mode="form_post.jwt")
    pending = session.begin_authorization(options=options)
    assert set(dict(parse_qsl(urlsplit(pending.url).query))) == {"client_id", "request_uri"}
    with chromium_page() as page:
        _sign_in(page, pending.url)
        # The response came as a form POST: the listener's page is at the bare redirect URI.
        assert page.url == pending.request.redirect_uri
    tokens = session.finish_authorization(pending, timeout=10)
    assert tokens.access_token and tokens.id_token
    kinds = [s.kind for s in session.log.steps()]
    assert "jarm_verified" in kinds


def test_a_reused_request_uri_shows_an_error_page_in_the_browser(session: OAuthSession) -> None:
    pending = session.begin_authorization(options=AuthorizeOptions(par=True))
    with chromium_page() as page:
        _sign_in(page, pending.url)
        session.finish_authorization(pending, timeout=10)
        page.goto(pending.url)
        text = page.inner_text("body")
    assert "invalid_request_uri" in text and "already used" in text
