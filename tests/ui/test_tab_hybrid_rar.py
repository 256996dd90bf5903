"""The Auth Code tab's hybrid response types and the "Authorization details (RFC 9396)"
editor of the browser-flow and client credentials tabs, against the demo server (a thread
playing the browser up to the tab's real loopback listener, the fragment handed over as the
listener's page does)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from pytestqt.qtbot import QtBot

from workbench.core.tokens.decode import decode_jwt
from workbench.demo import DemoServer
from workbench.demo.clients import grant_provider
from workbench.ui import workers
from workbench.ui.flows.auth_code import RESPONSE_TYPE_CHOICES, AuthCodeTab
from workbench.ui.flows.client_credentials import ClientCredentialsTab
from workbench.ui.inspector.inspector import TokenInspector
from workbench.ui.state import AppState

from .conftest import demo_provider
from .test_tab_auth_code import SIGN_IN_TIMEOUT_MS, ScriptedBrowser

DETAILS = [{"type": "account_information", "actions": ["read_balances"],
            "locations": ["https://bank.example/accounts"]}]  # fmt: skip


@pytest.fixture
def browser() -> Iterator[ScriptedBrowser]:
    scripted = ScriptedBrowser(fragment=True)
    yield scripted
    scripted.join()


@pytest.fixture
def public_state(state: AppState, demo: DemoServer) -> AppState:
    state.set_provider(demo_provider(demo.issuer, public=True))
    return state


def test_the_tab_offers_code_and_the_three_hybrid_types(qtbot: QtBot, state: AppState) -> None:
    tab = AuthCodeTab(state)
    qtbot.addWidget(tab)
    items = [tab.response_combo.itemText(i) for i in range(tab.response_combo.count())]
    assert [RESPONSE_TYPE_CHOICES[i] for i in items] == [
        "code", "code id_token", "code token", "code id_token token",
    ]  # fmt: skip
    assert tab.response_type() == "code"


def test_hybrid_with_authorization_details_from_the_tab(
    qtbot: QtBot, public_state: AppState, browser: ScriptedBrowser
) -> None:
    tab = AuthCodeTab(public_state, open_url=browser.open)
    qtbot.addWidget(tab)
    tab.response_combo.setCurrentText("code id_token token (hybrid, with PKCE)")
    tab.details_editor.set_text(json.dumps(DETAILS))
    assert tab.details_editor.status.text().startswith("Valid: 1 detail(s)")
    with qtbot.waitSignal(public_state.sig_tokens_changed, timeout=SIGN_IN_TIMEOUT_MS):
        tab.start()
    qtbot.waitUntil(lambda: not tab.busy)
    browser.join()
    assert not browser.errors, browser.errors
    query = parse_qs(urlsplit(browser.urls[0]).query)
    assert query["response_type"] == ["code id_token token"]
    assert json.loads(query["authorization_details"][0]) == DETAILS
    kinds = [s.kind for s in public_state.log.steps()]
    assert "hybrid_front_checked" in kinds and "hybrid_back_checked" in kinds
    front = next(s for s in public_state.log.steps() if s.kind == "hybrid_front_checked")
    assert "c_hash: c_hash matches" in str(front.detail) and "at_hash" in str(front.detail)
    tokens = public_state.tokens
    assert tokens is not None and tokens.raw["authorization_details"] == DETAILS


def test_the_editor_says_what_is_wrong_and_the_flow_does_not_start(
    qtbot: QtBot, public_state: AppState, browser: ScriptedBrowser
) -> None:
    tab = AuthCodeTab(public_state, open_url=browser.open)
    qtbot.addWidget(tab)
    editor = tab.details_editor
    assert editor.status.text() == "Optional, RFC 9396: nothing is sent while this is empty."
    editor.set_text('[{"actions": ["read"]}')
    assert "not JSON" in editor.status.text()
    editor.set_text('[{"actions": ["read"]}]')
    assert editor.status.text() == (
        "The authorization details item 1 has no type: each object needs a string type"
        " (RFC 9396 §2)."
    )
    tab.start()
    assert browser.urls == []
    assert "Authorization details (RFC 9396)" in tab.error_banner.text()


def test_client_credentials_details_granted_and_shown_in_the_inspector(
    qtbot: QtBot, state: AppState, demo: DemoServer
) -> None:
    state.set_provider(grant_provider(demo.issuer, "client_credentials", None))
    inspector = TokenInspector(state)
    qtbot.addWidget(inspector)
    tab = ClientCredentialsTab(state)
    qtbot.addWidget(tab)
    tab.details_editor.set_text(json.dumps(DETAILS, indent=2))
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=SIGN_IN_TIMEOUT_MS):
        tab.start()
    # The inspector verifies the new token in a worker (JWKS fetch): let it finish too.
    qtbot.waitUntil(lambda: not tab.busy and not workers.active(), timeout=SIGN_IN_TIMEOUT_MS)
    tokens = state.tokens
    assert tokens is not None
    assert decode_jwt(tokens.access_token).claims["authorization_details"] == DETAILS
    details = inspector.tabs
    assert details.isTabVisible(details.tab_details)
    text = details.authorization_details.toPlainText()
    assert "Granted authorization details (token response, RFC 9396):" in text
    assert "type: account_information" in text and "  actions: read_balances" in text
    assert "  locations: https://bank.example/accounts" in text
