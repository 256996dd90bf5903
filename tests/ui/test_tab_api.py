"""The API tab against the demo server's two APIs (a real server in a thread): a call with the
current token, a refusal explained with its next step, the RFC 9728 path to a token for the
API, and the inspector's "Call API" hand-off."""

from __future__ import annotations

import json

from pytestqt.qtbot import QtBot

from workbench.core.oauth.tokenset import TokenSet
from workbench.demo import DemoServer
from workbench.demo.api import api_urls
from workbench.ui.flows.api_call import ApiTab
from workbench.ui.main_window import MainWindow
from workbench.ui.state import AppState, TokenContext

TIMEOUT_MS = 8000


def tokens_for(state: AppState, scope: str) -> TokenSet:
    session = state.require_session()
    tokens = session.client_credentials(scope)
    state.set_tokens(tokens, TokenContext(origin="client_credentials"))
    return tokens


def window_with_tokens(qtbot: QtBot, state: AppState, demo: DemoServer, scope: str) -> MainWindow:
    state.demo_issuer = demo.issuer
    window = MainWindow(state, remember=False)
    qtbot.addWidget(window)
    tokens_for(state, scope)
    qtbot.waitUntil(lambda: not window.inspector.busy, timeout=TIMEOUT_MS)
    return window


def send(qtbot: QtBot, tab: ApiTab) -> None:
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)


def test_a_call_with_the_current_access_token(
    qtbot: QtBot, state: AppState, demo: DemoServer
) -> None:
    window = window_with_tokens(qtbot, state, demo, "api:read")
    tab = window.flow_tabs["api"]
    assert isinstance(tab, ApiTab)
    assert tab.token_choice.currentData() == "access"
    tab.url.setText(api_urls(demo.issuer)["local"] + "/me")
    send(qtbot, tab)
    assert tab.status.text().startswith("200 OK")
    body = json.loads(tab.response_body.toPlainText())
    assert body["api"] == "local" and body["claims"]["scope"] == "api:read"
    assert tab.next_button.isHidden()
    (call,) = [e for e in state.log.items() if e.purpose == "API call"]
    assert state.tokens is not None
    assert state.tokens.access_token not in json.dumps(call.to_dict())


def test_a_refusal_for_scope_is_explained_and_leads_to_the_tab_with_the_scope(
    qtbot: QtBot, state: AppState, demo: DemoServer
) -> None:
    window = window_with_tokens(qtbot, state, demo, "api:read")
    tab = window.flow_tabs["api"]
    assert isinstance(tab, ApiTab)
    tab.method.setCurrentText("POST")
    tab.url.setText(api_urls(demo.issuer)["introspected"] + "/items/write")
    tab.body.setPlainText('{"name": "widget"}')
    send(qtbot, tab)
    assert tab.status.text().startswith("403")
    assert "insufficient_scope" in tab.explanation.text()
    assert "“api:write”" in tab.explanation.text()
    assert tab.next_button.text() == "Ask for a token with that scope"
    window.tabs.setCurrentWidget(tab)
    tab.next_button.click()
    cc = window.flow_tabs["clientCredentials"]
    assert window.tabs.currentWidget() is cc
    assert cc.scope_edit.text().split() == ["api:read", "api:write"]
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TIMEOUT_MS):
        cc.start()
    qtbot.waitUntil(lambda: not cc.busy, timeout=TIMEOUT_MS)
    send(qtbot, tab)  # the new token is the current one: the write goes through
    assert tab.status.text().startswith("200 OK"), tab.explanation.text()


def test_without_a_token_rfc_9728_finds_the_server_and_asks_a_token_for_the_api(
    qtbot: QtBot, state: AppState, demo: DemoServer
) -> None:
    window = window_with_tokens(qtbot, state, demo, "api:read")
    tab = window.flow_tabs["api"]
    assert isinstance(tab, ApiTab)
    tab.token_choice.setCurrentIndex(tab.token_choice.findData("none"))
    url = api_urls(demo.issuer)["local"] + "/me"
    tab.url.setText(url)
    send(qtbot, tab)
    assert tab.status.text().startswith("401")
    assert tab.next_button.text() == "Find the API's authorization server"
    tab.next_button.click()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    text = tab.discovery.text()
    assert "/.well-known/oauth-protected-resource/api/local" in text
    assert f"takes tokens from {demo.issuer}" in text
    assert "That is the current provider" in text
    assert tab.token_button.isVisibleTo(tab)
    tab.token_button.click()
    cc = window.flow_tabs["clientCredentials"]
    assert window.tabs.currentWidget() is cc
    assert cc.resource_edit.text() == api_urls(demo.issuer)["local"]  # type: ignore[attr-defined]
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TIMEOUT_MS):
        cc.start()
    qtbot.waitUntil(lambda: not cc.busy, timeout=TIMEOUT_MS)
    tab.token_choice.setCurrentIndex(tab.token_choice.findData("access"))
    send(qtbot, tab)
    body = json.loads(tab.response_body.toPlainText())
    assert body["claims"]["aud"] == api_urls(demo.issuer)["local"]  # RFC 8707: bound to it


def test_the_inspectors_call_api_opens_the_tab_with_that_token(
    qtbot: QtBot, state: AppState, demo: DemoServer
) -> None:
    window = window_with_tokens(qtbot, state, demo, "api:read")
    window.inspector.token_actions.call_api.trigger()
    tab = window.flow_tabs["api"]
    assert window.tabs.currentWidget() is tab
    assert isinstance(tab, ApiTab)
    assert tab.token_choice.currentData() == "inspector"
    assert state.tokens is not None and tab.chosen_token() == state.tokens.access_token


def test_what_cannot_be_sent_is_said_before_sending(qtbot: QtBot, state: AppState) -> None:
    tab = ApiTab(state)
    qtbot.addWidget(tab)
    tab.start()
    assert "Type the API's URL first." in tab.error_banner.text()
    tab.url.setText("https://api.example.test/x")
    tab.headers.set_params({"Bad Header": "1"})
    tab.start()
    assert "not a valid header name" in tab.error_banner.text()
    assert not tab.busy and state.log.items() == []
