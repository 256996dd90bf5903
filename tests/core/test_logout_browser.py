"""A real browser logs out: headless Chromium signs in at the demo server, the core's
RP-Initiated Logout sends it to the end-session endpoint and on to the loopback listener, and
the next authorization request shows the sign-in form again (the session really ended)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import chromium_page, require_chromium
from workbench.core.oauth.rp_logout import PendingLogout
from workbench.core.session import OAuthSession
from workbench.demo import DemoConfig, DemoServer
from workbench.demo.clients import demo_provider

pytestmark = pytest.mark.browser


@pytest.fixture
def session() -> Iterator[OAuthSession]:
    require_chromium()  # before any listener starts: a skip then leaves no thread behind
    with DemoServer(DemoConfig()) as server:
        opened = OAuthSession(demo_provider(server.issuer, public=True))
        yield opened
        opened.close()


def test_login_then_logout_in_a_real_browser_ends_the_session(session: OAuthSession) -> None:
    login = session.begin_authorization()
    with chromium_page() as page:
        page.goto(login.url)
        page.fill("#username", "alice")
        page.fill("#password", "alice-password")
        page.click("#sign-in")
        page.click("#approve")
        page.wait_for_selector("text=You can close this tab")
        tokens = session.finish_authorization(login, timeout=10)
        assert tokens.id_token

        # Still signed in: a second authorization request goes straight to consent.
        again = session.begin_authorization()
        page.goto(again.url)
        assert page.locator("#approve").count() == 1
        assert page.locator("#password").count() == 0
        again.close()

        flow = session.browser_logout(tokens.id_token, timeout=10)
        pending = next(flow)
        assert isinstance(pending, PendingLogout)
        page.goto(pending.url)
        page.wait_for_selector("text=You can close this tab")
        assert page.url.startswith(pending.request.post_logout_redirect_uri + "?state=")
        with pytest.raises(StopIteration) as done:
            next(flow)
        assert done.value.value.params == {"state": pending.request.state}

        # The session really ended: the next authorization request asks for the password.
        third = session.begin_authorization()
        page.goto(third.url)
        page.wait_for_selector("#password")
        assert page.locator("#sign-in").count() == 1
        third.close()
