"""The Auth Code + PKCE tab with a real headless Chromium doing the sign-in.

The tab's ``open_url`` hands the authorize URL to the test instead of the desktop browser; the
test drives Debian's Chromium (Playwright) through the demo server's pages, and the redirect
reaches the tab's RFC 8252 loopback listener for real.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QUrl

from tests.browser import chromium_page, require_chromium
from tests.ui.conftest import demo_provider
from workbench.demo import DemoServer
from workbench.ui.flows.auth_code import AuthCodeTab
from workbench.ui.state import AppState

pytestmark = pytest.mark.browser


def test_auth_code_tab_with_real_chromium(qtbot: Any, demo: DemoServer) -> None:
    require_chromium()
    state = AppState()
    state.set_provider(demo_provider(demo.issuer, public=True))
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))
        return True

    tab = AuthCodeTab(state, open_url=open_url)
    qtbot.addWidget(tab)
    tab.start()
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    with (
        qtbot.waitSignal(state.sig_tokens_changed, timeout=30_000) as delivered,
        chromium_page() as page,
    ):
        page.goto(opened[0])
        page.fill("#username", "alice")
        page.fill("#password", "alice-password")
        page.click("#sign-in")
        page.click("#approve")
        page.wait_for_selector("text=You can close this tab")
    tokens, context = delivered.args
    assert tokens.access_token and tokens.id_token and tokens.refresh_token
    assert context.origin == "authorization_code" and context.nonce
    qtbot.waitUntil(lambda: not tab.busy, timeout=10_000)
    state.close()
