"""The browser-flow tabs' PAR checkbox and response mode against the demo server, a thread
playing the browser (:class:`ScriptedBrowser`) up to the tab's real loopback listener."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from pytestqt.qtbot import QtBot

from workbench.core.keys import generate_key
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.demo import DemoServer
from workbench.demo.clients import PRIVATE_KEY_JWT_CLIENT_ID
from workbench.ui.flows.auth_code import AuthCodeTab
from workbench.ui.state import AppState

from .conftest import demo_provider
from .test_tab_auth_code import SIGN_IN_TIMEOUT_MS, ScriptedBrowser


@pytest.fixture
def browser() -> Iterator[ScriptedBrowser]:
    scripted = ScriptedBrowser()
    yield scripted
    scripted.join()


@pytest.fixture
def public_state(state: AppState, demo: DemoServer) -> AppState:
    state.set_provider(demo_provider(demo.issuer, public=True))
    return state


def test_par_and_jarm_from_the_tab(
    qtbot: QtBot, public_state: AppState, browser: ScriptedBrowser
) -> None:
    tab = AuthCodeTab(public_state, open_url=browser.open)
    qtbot.addWidget(tab)
    assert not tab.par_check.isChecked() and tab.mode_combo.currentText() == "default"
    tab.par_check.setChecked(True)
    tab.mode_combo.setCurrentText("jwt")
    with qtbot.waitSignal(public_state.sig_tokens_changed, timeout=SIGN_IN_TIMEOUT_MS):
        tab.start()
    qtbot.waitUntil(lambda: not tab.busy)
    browser.join()
    assert not browser.errors
    # The browser got only client_id and request_uri; the tab shows the pushed request.
    query = parse_qs(urlsplit(browser.urls[0]).query)
    assert set(query) == {"client_id", "request_uri"}
    assert tab.pushed_field.text().startswith(query["request_uri"][0] + "  (valid 60 s)")
    assert tab.pushed_field.isVisibleTo(tab)
    # The log: the push, the browser step, the verified JARM response, the code exchange.
    log = public_state.log
    assert [e.purpose for e in log.items() if "push" in e.purpose] == [
        "pushed authorization request"
    ]
    kinds = [s.kind for s in log.steps()]
    assert kinds == ["browser_opened", "redirect_received", "jarm_verified"]
    assert "request_uri" in log.steps()[0].text


def test_a_response_mode_the_server_does_not_offer_is_refused_in_the_tab(
    qtbot: QtBot, public_state: AppState, browser: ScriptedBrowser
) -> None:
    tab = AuthCodeTab(public_state, open_url=browser.open)
    qtbot.addWidget(tab)
    tab.mode_combo.setCurrentText("form_post")
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=SIGN_IN_TIMEOUT_MS)
    assert browser.urls == []
    assert "does not offer response_mode form_post" in tab.error_banner.text()


def test_jar_inside_par_from_the_tab(qtbot: QtBot, make_demo, browser: ScriptedBrowser) -> None:  # type: ignore[no-untyped-def]
    key = generate_key("ES256")
    server = make_demo(client_jwks=key.jwks())
    client = ClientConfig(PRIVATE_KEY_JWT_CLIENT_ID, auth_method="private_key_jwt", signing_key=key)
    state = AppState()
    state.set_provider(Provider(client=client, issuer=server.issuer, scope="openid"))
    try:
        tab = AuthCodeTab(state, open_url=browser.open)
        qtbot.addWidget(tab)
        tab.jar_check.setChecked(True)
        tab.par_check.setChecked(True)
        with qtbot.waitSignal(state.sig_tokens_changed, timeout=SIGN_IN_TIMEOUT_MS):
            tab.start()
        qtbot.waitUntil(lambda: not tab.busy)
        browser.join()
        assert not browser.errors
        push = next(e for e in state.log.items() if e.purpose == "pushed authorization request")
        assert push.request_tokens["request"]["header"]["typ"] == "oauth-authz-req+jwt"
    finally:
        state.close()


def test_jar_without_a_client_key_is_refused_in_the_tab(
    qtbot: QtBot, public_state: AppState, browser: ScriptedBrowser
) -> None:
    tab = AuthCodeTab(public_state, open_url=browser.open)
    qtbot.addWidget(tab)
    tab.jar_check.setChecked(True)
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=SIGN_IN_TIMEOUT_MS)
    assert browser.urls == []
    assert "needs the client's private key" in tab.error_banner.text()
