"""The app's words: the invalid_client hint in a tab's banner, against the demo server."""

from __future__ import annotations

from dataclasses import replace

from pytestqt.qtbot import QtBot

from workbench.core.client_auth import ClientConfig
from workbench.core.errors import OAUTH_ADVICE
from workbench.demo import CONFIDENTIAL_CLIENT_ID
from workbench.ui.state import AppState
from workbench.ui.tabs.client_credentials import ClientCredentialsTab

WAIT_MS = 5000


def test_a_wrong_client_secret_shows_what_to_do(qtbot: QtBot, state: AppState) -> None:
    assert state.provider is not None
    wrong = ClientConfig(CONFIDENTIAL_CLIENT_ID, "not-the-demo-secret")
    state.set_provider(replace(state.provider, client=wrong))
    tab = ClientCredentialsTab(state)
    qtbot.addWidget(tab)
    tab.show()
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=WAIT_MS)
    banner = tab.error_banner
    assert banner.isVisible()
    text = banner._label.text()
    assert "<b>invalid_client</b> (HTTP 401)" in text
    assert "<b>What to do:</b> " + OAUTH_ADVICE["invalid_client"].replace("'", "&#x27;") in text
    assert "not-the-demo-secret" not in text
