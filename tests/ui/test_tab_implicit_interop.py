"""The desktop Implicit tab against npm oidc-provider (tests/oidc_provider_peer.py: skipped
without it outside CI, failed in CI): "automatic" picks ``id_token token`` from its list, a real
headless Chromium signs in on its pages, and the tokens reach the inspector — the ID token
validated although the redirect carried no ``iss``."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from tests.browser import chromium_page
from tests.interop.test_oidc_provider import DONE_TEXT, loopback_only, sign_in_and_consent
from tests.oidc_provider_peer import NATIVE_CLIENT_ID, IndependentProvider
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.decode import decode_jwt
from workbench.ui.flows.implicit import ImplicitTab
from workbench.ui.state import AppState

pytestmark = pytest.mark.browser
SIGN_IN_TIMEOUT_MS = 60_000


class ChromiumBrowser:
    """Opens the authorize URL in headless Chromium (in a thread) and signs in there."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.thread: threading.Thread | None = None

    def open(self, url: QUrl) -> bool:
        text = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
        self.thread = threading.Thread(target=self._visit, args=(text,), name="chromium-driver")
        self.thread.start()
        return True

    def _visit(self, url: str) -> None:
        try:
            with chromium_page() as page:
                loopback_only(page)
                sign_in_and_consent(page, url)
                page.wait_for_selector(DONE_TEXT)
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.errors.append(exc)

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join(60)


def test_implicit_tab_against_oidc_provider(
    qtbot: QtBot, independent_provider: IndependentProvider
) -> None:
    state = AppState()
    browser = ChromiumBrowser()
    try:
        client = ClientConfig(NATIVE_CLIENT_ID, None, "none")
        state.set_provider(Provider(client=client, issuer=independent_provider.issuer))
        tab = ImplicitTab(state, open_url=browser.open)
        qtbot.addWidget(tab)
        with qtbot.waitSignal(state.sig_tokens_changed, timeout=SIGN_IN_TIMEOUT_MS) as got:
            tab.start()
        tokens, context = got.args
        qtbot.waitUntil(lambda: not tab.busy, timeout=5000)
        browser.join()
        assert not browser.errors
        assert isinstance(tokens, TokenSet) and tokens.access_token and tokens.id_token
        assert tab.response_combo.currentText() == "automatic (id_token token)"
        assert not tab.error_banner.isVisibleTo(tab)
        claims = decode_jwt(tokens.id_token).claims
        assert claims["iss"] == independent_provider.issuer and claims["nonce"] == context.nonce
    finally:
        browser.join()
        state.close()
