"""The Token Exchange tab against the demo server: the inspector's token in one click, a
delegation whose ``act`` chain and ``issued_token_type`` the inspector shows in words, a refusal
in the error banner, and the tab reachable in a full tab bar at 1366×768."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import jwt
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.conftest import demo_provider
from workbench.core.keys import generate_key, write_key_file
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.tokenset import TokenSet
from workbench.demo import USERS, DemoServer
from workbench.demo.clients import (
    CONFIDENTIAL_CLIENT_ID,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    PRIVATE_KEY_JWT_CLIENT_ID,
    api_urls,
)
from workbench.ui.flows.token_exchange import TokenExchangeTab
from workbench.ui.main_window import MainWindow
from workbench.ui.state import AppState, TokenContext

TIMEOUT_MS = 10_000
TYPE = "urn:ietf:params:oauth:token-type:"


@pytest.fixture
def window(qtbot: QtBot, state: AppState) -> Iterator[MainWindow]:
    win = MainWindow(state, remember=False)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    yield win


def _alice(state: AppState) -> TokenSet:
    session = state.require_session()
    tokens = session.password(DEMO_USERNAME, DEMO_PASSWORD)
    state.set_tokens(tokens, TokenContext(origin="password"))
    return tokens


def test_the_tab_is_reachable_in_a_full_tab_bar(window: MainWindow, qtbot: QtBot) -> None:
    tab = window.flow_tabs["tokenExchange"]
    index = window.tabs.indexOf(tab)
    assert window.tabs.tabText(index) == "Token Exchange"
    bar = window.tabs.tabBar()
    assert bar.usesScrollButtons()  # more tabs than fit: arrows, never a hidden tab
    action = window.findChild(type(window.menuBar().actions()[0]), "actionTab_tokenExchange")
    assert action is not None and action.shortcut().toString() == f"Ctrl+{(index + 1) % 10}"
    action.trigger()
    assert window.tabs.currentWidget() is tab
    assert bar.tabRect(index).intersects(bar.rect())  # scrolled into view when chosen


def test_delegation_from_the_inspector_shows_act_and_issued_type(
    window: MainWindow, state: AppState, qtbot: QtBot
) -> None:
    alice = _alice(state)
    tab = window.flow_tabs["tokenExchange"]
    assert isinstance(tab, TokenExchangeTab)
    window.tabs.setCurrentWidget(tab)
    qtbot.mouseClick(tab.subject_use, Qt.MouseButton.LeftButton)
    assert tab.subject_edit.text() == alice.access_token
    assert tab.subject_type.currentText() == "access_token"
    actor = state.require_session().client_credentials()
    tab.actor_edit.setText(actor.access_token or "")
    tab.requested_type.setCurrentText("jwt")
    assert state.provider is not None and state.provider.issuer
    tab.audience_edit.setText(api_urls(state.provider.issuer)["local"])
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TIMEOUT_MS) as got:
        tab.start()
    tokens, context = got.args
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    assert context.origin == "token_exchange"
    assert tokens.issued_token_type == TYPE + "jwt"
    sent = [e for e in state.log.items() if e.purpose.startswith("token (token exchange")][-1]
    assert sent.purpose == "token (token exchange, delegation)"
    assert sent.request_form is not None
    assert sent.request_form["subject_token_type"] == TYPE + "access_token"
    assert sent.request_form["actor_token_type"] == TYPE + "access_token"
    assert alice.access_token not in str(sent.to_dict())  # masked in the log
    card = window.inspector.card
    qtbot.waitUntil(lambda: card.delegation.isVisible(), timeout=TIMEOUT_MS)
    words = card.delegation.text()
    assert f"Issued as jwt ({TYPE}jwt)" in words
    assert f"actor 1: {CONFIDENTIAL_CLIENT_ID} — acting now" in words
    assert "subject u-7f3a9c2e: the token is about them" in words


def test_a_refusal_shows_in_the_banner_with_the_server_words(
    window: MainWindow, state: AppState, qtbot: QtBot
) -> None:
    _alice(state)
    tab = window.flow_tabs["tokenExchange"]
    assert isinstance(tab, TokenExchangeTab)
    tab.use_inspector_token(tab.subject_edit)
    tab.audience_edit.setText("https://elsewhere.example")
    tab.start()
    qtbot.waitUntil(lambda: not tab.error_banner.isHidden(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    text = tab.error_banner.text()
    assert "invalid_target" in text and "demo APIs only" in text


def test_bad_input_is_named_before_anything_is_sent(
    window: MainWindow, state: AppState, qtbot: QtBot
) -> None:
    tab = window.flow_tabs["tokenExchange"]
    assert isinstance(tab, TokenExchangeTab)
    before = len(state.log.items())
    tab.start()
    assert "Give the subject token" in tab.error_banner.text()
    tab.subject_edit.setText("a.b.c")
    tab.subject_type.setCurrentText("bearer")
    tab.start()
    assert "Unknown subject type 'bearer'" in tab.error_banner.text()
    assert len(state.log.items()) == before


# -- the JWT bearer mode --------------------------------------------------------------------
@pytest.fixture
def bearer_state(make_demo: Callable[..., DemoServer], tmp_path: Path) -> Iterator[AppState]:
    """The demo server with the private_key_jwt client's key registered; that client, which
    signs its client assertions with the same key; the key's PEM at tmp_path/key.pem."""
    key = generate_key("ES256")
    write_key_file(key, tmp_path / "key.pem")
    server = make_demo(client_jwks=key.jwks())
    client = ClientConfig(PRIVATE_KEY_JWT_CLIENT_ID, None, "private_key_jwt", signing_key=key)
    app_state = AppState()
    app_state.set_provider(replace(demo_provider(server.issuer), client=client))
    yield app_state
    app_state.close()


def test_jwt_bearer_mode_signs_with_a_key_file_and_logs_the_assertion_decoded(
    qtbot: QtBot, bearer_state: AppState, tmp_path: Path
) -> None:
    tab = TokenExchangeTab(bearer_state)
    qtbot.addWidget(tab)
    tab.mode.setCurrentIndex(tab.mode.findData("jwt_bearer"))
    assert tab.form.isRowVisible(tab.key_edit) and not tab.form.isRowVisible(tab.subject_type)
    assert not tab.form.isRowVisible(tab.audience_edit)
    tab.key_edit.setText(str(tmp_path / "key.pem"))
    tab.sub_edit.setText("bob")
    with qtbot.waitSignal(bearer_state.sig_tokens_changed, timeout=TIMEOUT_MS) as got:
        tab.start()
    tokens, context = got.args
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    assert context.origin == "jwt_bearer"
    assert jwt.decode(tokens.access_token, options={"verify_signature": False})["sub"] == (
        USERS["bob"].subject
    )
    sent = [e for e in bearer_state.log.items() if e.purpose == "token (jwt bearer)"][-1]
    assert sent.request_form is not None and sent.request_form["assertion"] == "••••••"
    claims = sent.request_tokens["assertion"]["claims"]
    assert claims["sub"] == "bob" and claims["iss"] == PRIVATE_KEY_JWT_CLIENT_ID
    assert claims["aud"].endswith("/token")


def test_jwt_bearer_mode_names_what_is_missing_and_shows_a_refusal(
    qtbot: QtBot, bearer_state: AppState, tmp_path: Path
) -> None:
    tab = TokenExchangeTab(bearer_state)
    qtbot.addWidget(tab)
    tab.mode.setCurrentIndex(tab.mode.findData("jwt_bearer"))
    tab.assertion_edit.setText("a.b.c")
    tab.key_edit.setText(str(tmp_path / "key.pem"))
    tab.start()
    assert "not both" in tab.error_banner.text()
    tab.assertion_edit.clear()
    tab.start()
    assert "its sub" in tab.error_banner.text()
    tab.sub_edit.setText("alice")
    tab.aud_edit.setText("https://elsewhere.example/token")
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    text = tab.error_banner.text()
    assert "invalid_grant" in text and "aud https://elsewhere.example/token" in text


def test_jwt_bearer_mode_signs_with_the_client_key_when_no_file_is_given(
    qtbot: QtBot, bearer_state: AppState
) -> None:
    tab = TokenExchangeTab(bearer_state)
    qtbot.addWidget(tab)
    tab.mode.setCurrentIndex(tab.mode.findData("jwt_bearer"))
    tab.sub_edit.setText("alice")
    with qtbot.waitSignal(bearer_state.sig_tokens_changed, timeout=TIMEOUT_MS):
        tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    sent = [e for e in bearer_state.log.items() if e.purpose == "token (jwt bearer)"][-1]
    assert sent.request_tokens["assertion"]["claims"]["sub"] == "alice"
