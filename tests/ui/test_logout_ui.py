"""The inspector's "Log out" and the logout reality check (issue 10, §2), against the real demo
server in a thread. The system browser is replaced by an opener that loads the end-session URL
with ``requests`` and follows its redirect to the loopback listener (the Chromium test,
tests/core/test_logout_browser.py, shows the browser session itself really ending)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot

from workbench.core.oauth.tokenset import TokenSet
from workbench.demo import DemoServer
from workbench.ui.inspector import TokenInspector
from workbench.ui.state import AppState, TokenContext

TIMEOUT_MS = 10_000


def _url(url: QUrl) -> str:
    return bytes(url.toEncoded().data()).decode("ascii")


def follow(opened: list[str]) -> Callable[[QUrl], bool]:
    def open_url(url: QUrl) -> bool:
        opened.append(_url(url))
        requests.get(_url(url), timeout=10).raise_for_status()  # end session → listener
        return True

    return open_url


@pytest.fixture
def inspector(qtbot: QtBot, state: AppState) -> TokenInspector:
    widget = TokenInspector(state)
    qtbot.addWidget(widget)
    widget.resize(520, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def tokens(state: AppState, inspector: TokenInspector, qtbot: QtBot) -> TokenSet:
    got = state.require_session().password("alice", "alice-password")
    assert got.id_token and got.access_token
    state.set_tokens(got, TokenContext(origin="password"))
    qtbot.waitUntil(
        lambda: inspector.inspection is not None and not inspector.busy, timeout=TIMEOUT_MS
    )
    return got


def test_log_out_then_the_logout_reality_check(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, demo: DemoServer, tokens: TokenSet
) -> None:
    state.demo_issuer = demo.issuer
    opened: list[str] = []
    inspector.logout.open_url = follow(opened)
    button = inspector.token_actions.logout_button
    assert button.isVisible() and button.isEnabled() and button.text() == "Log out"
    assert "RP-Initiated Logout" in inspector.token_actions.logout.toolTip()

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: inspector.reality.check is not None and not inspector.busy, timeout=TIMEOUT_MS
    )
    assert len(opened) == 1 and opened[0].startswith(demo.url("end_session") + "?")
    result = inspector.logout.result
    assert result is not None and result.params["state"]
    assert button.text() == "Log out"
    [entry] = state.history.entries()  # the token history marks the set
    assert entry.status == "logged out" and entry.id_token == tokens.id_token

    panel = inspector.reality
    assert panel.isVisible() and panel.mode == "logout"
    assert panel.title.text() == "Logout reality check"
    assert panel.session_line.isVisible() and "Browser session: ended" in panel.session_line.text()
    assert "logged out at" in panel.token_label.text()
    assert panel.local_text().startswith("Local check: signature valid")
    assert panel.server_text() == "Server: active (introspection)"
    words = panel.explanation_text()
    assert words.startswith("Logged out, yet the access token still verifies locally")
    assert "revoked" not in words.lower()

    qtbot.mouseClick(panel.demo_apis.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.demo_apis.answered and not inspector.busy, timeout=TIMEOUT_MS)
    texts = panel.demo_apis.answer_texts()
    assert texts["local"] == (
        "API that verifies locally: 200 OK — still accepts the token after the logout"
    )
    assert texts["introspected"].startswith("API that asks the server: 200 OK")
    assert "revoked" not in " ".join(texts.values())

    # Checked again: still the logout check.
    qtbot.mouseClick(panel.recheck_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.check is not None and not inspector.busy, timeout=TIMEOUT_MS)
    assert panel.title.text() == "Logout reality check"
    # A plain "Check with server" is the revocation check again.
    inspector.act_reality.trigger()
    qtbot.waitUntil(lambda: panel.check is not None and not inspector.busy, timeout=TIMEOUT_MS)
    assert panel.title.text() == "Revocation reality check"
    assert not panel.session_line.isVisible()


def test_the_logout_waits_and_can_be_cancelled(
    qtbot: QtBot, inspector: TokenInspector, tokens: TokenSet
) -> None:
    opened: list[str] = []

    def forge(url: QUrl) -> bool:  # the browser never finishes; a forged redirect arrives
        opened.append(_url(url))
        target = inspector.logout.pending.request.post_logout_redirect_uri  # type: ignore[union-attr]
        assert requests.get(target + "?state=forged", timeout=10).status_code == 400
        return True

    inspector.logout.open_url = forge
    action = inspector.token_actions.logout
    action.trigger()
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=TIMEOUT_MS)
    assert action.text() == "Cancel logout" and action.isEnabled()
    assert inspector.logout.waiting and inspector.busy
    assert len(inspector.logout.pending.rejected) == 1  # type: ignore[union-attr]

    action.trigger()
    qtbot.waitUntil(lambda: not inspector.busy, timeout=TIMEOUT_MS)
    assert action.text() == "Log out" and not inspector.logout.waiting
    assert inspector.error_banner.isVisible()
    assert "Logout cancelled" in inspector.error_banner.text()
    assert inspector.logout.result is None and not inspector.reality.isVisible()


def test_log_out_needs_an_id_token(
    qtbot: QtBot, inspector: TokenInspector, state: AppState
) -> None:
    got = state.require_session().client_credentials()
    assert got.id_token is None
    state.set_tokens(got, TokenContext(origin="client_credentials"))
    qtbot.waitUntil(lambda: not inspector.busy, timeout=TIMEOUT_MS)
    action = inspector.token_actions.logout
    assert not action.isEnabled()
    assert "needs an ID token" in action.toolTip()
