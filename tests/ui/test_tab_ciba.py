"""CIBA tab (OpenID CIBA, poll mode) against the demo server: the request with its masked
auth_req_id and binding message, the polls, approval on the demo's page (played by
tests/demo_driver.py, as the user's phone would), denial, expiry and Cancel."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl

from tests.browser import chromium_page, require_chromium
from tests.demo_driver import decide_ciba_request
from tests.ui.conftest import demo_provider
from workbench.core.oauth.ciba import CibaAuthentication
from workbench.demo import DemoServer
from workbench.demo.clients import ciba_approval_url
from workbench.ui.flows.ciba import CibaTab
from workbench.ui.state import AppState

SIGNAL_MS = 10_000


@pytest.fixture
def server(make_demo: Callable[..., DemoServer]) -> DemoServer:
    return make_demo(ciba_interval=1)


@pytest.fixture
def open_tab(qtbot: Any) -> Iterator[Callable[..., CibaTab]]:
    states: list[AppState] = []

    def make(server: DemoServer, opened: list[QUrl] | None = None) -> CibaTab:
        state = AppState()
        state.demo_issuer = server.issuer
        state.set_provider(demo_provider(server.issuer, scope="openid profile"))
        states.append(state)
        tab = CibaTab(
            state, open_url=lambda url: bool(opened is not None and not opened.append(url))
        )
        qtbot.addWidget(tab)
        tab.resize(640, 720)
        tab.show()
        qtbot.waitExposed(tab)
        return tab

    yield make
    for state in states:
        state.close()


def start(qtbot: Any, tab: CibaTab, hint: str = "alice") -> CibaAuthentication:
    tab.login_hint_edit.setText(hint)
    with qtbot.waitSignal(tab.sig_ciba_started, timeout=SIGNAL_MS) as started:
        qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    value = started.args[0]
    assert isinstance(value, CibaAuthentication)
    return value


def finish(qtbot: Any, tab: CibaTab, outcome: str) -> None:
    qtbot.waitUntil(lambda: tab.outcome is not None, timeout=SIGNAL_MS)
    assert tab.outcome == outcome
    qtbot.waitUntil(lambda: not tab.busy, timeout=SIGNAL_MS)


def test_approved_on_the_demo_page_puts_the_tokens_in_the_inspector(
    qtbot: Any, open_tab: Any, server: DemoServer
) -> None:
    opened: list[QUrl] = []
    tab = open_tab(server, opened)
    assert tab.objectName() == "cibaTab" and tab.request_panel.isHidden()
    assert "OpenID CIBA (poll mode)" in tab.findChild(type(tab.sent_label), "cibaMode").text()
    message = tab.binding_edit.text()
    assert message, "a binding message is proposed"
    started = start(qtbot, tab)
    assert started.binding_message == message
    assert tab.request_panel.isVisible()
    assert tab.binding_label.text() == message
    assert started.masked_id in tab.sent_label.text()
    assert started.auth_req_id not in tab.sent_label.text()
    assert ciba_approval_url(server.issuer) in tab.device_label.text()
    assert tab.countdown.text().startswith("Request expires in ")
    assert tab.open_approval_page() and opened[0].toString() == ciba_approval_url(server.issuer)

    with qtbot.waitSignal(tab.sig_poll, timeout=SIGNAL_MS):
        pass
    assert tab.poll_label.text().startswith("Waiting for the user to approve… checked once")
    decide_ciba_request(ciba_approval_url(server.issuer), binding_message=message)
    finish(qtbot, tab, "approved")
    assert tab.state.tokens is not None and tab.state.tokens.id_token
    assert tab.poll_label.text() == "Approved on the user's device ✓"
    assert [s.text for s in tab.state.log.steps()] == [
        "authentication request sent to the user's device",
        "user approved on their device",
    ]


def test_denied_on_the_demo_page(qtbot: Any, open_tab: Any, server: DemoServer) -> None:
    tab = open_tab(server)
    start(qtbot, tab)
    decide_ciba_request(ciba_approval_url(server.issuer), approve=False)
    finish(qtbot, tab, "denied")
    assert "access_denied" in tab.error_banner.text()
    assert tab.poll_label.text() == "Denied on the user's device."


def test_expired_when_nobody_answers(qtbot: Any, open_tab: Any, server: DemoServer) -> None:
    tab = open_tab(server)
    tab.expiry_spin.setValue(2)
    start(qtbot, tab)
    finish(qtbot, tab, "expired")
    assert tab.poll_label.text() == "The request expired before the user approved it."


def test_cancel_stops_polling(qtbot: Any, open_tab: Any, server: DemoServer) -> None:
    tab = open_tab(server)
    start(qtbot, tab)
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    finish(qtbot, tab, "cancelled")
    assert tab.state.tokens is None


def test_without_a_login_hint_nothing_is_sent(
    qtbot: Any, open_tab: Any, server: DemoServer
) -> None:
    tab = open_tab(server)
    tab.login_hint_edit.clear()
    tab.start()
    assert not tab.busy and "login hint" in tab.error_banner.text()
    assert tab.state.log.items() == []


def test_every_tab_is_reachable_at_1366_by_768(qtbot: Any) -> None:
    """Ten tabs do not fit the bar at a laptop's size: it scrolls, and choosing a tab (Ctrl+N,
    the menu) scrolls it into view, the CIBA tab and the last one alike."""
    from workbench.ui.main_window import MainWindow

    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    bar = window.tabs.tabBar()
    assert bar.usesScrollButtons()
    widths = sum(bar.tabRect(i).width() for i in range(bar.count()))
    assert widths > bar.width(), "the bar is full: this test checks the scrolling"
    for key in ("ciba", "api"):
        action = next(a for a in window.actions() if a.objectName() == f"actionTab_{key}")
        action.trigger()
        index = window.tabs.currentIndex()
        assert window.tabs.widget(index) is window.flow_tabs[key]
        qtbot.waitUntil(lambda i=index: bar.rect().contains(bar.tabRect(i).center()))


@pytest.mark.browser
def test_approved_by_a_real_chromium_on_the_demo_page(
    qtbot: Any, open_tab: Any, server: DemoServer
) -> None:
    """The tab's "Open the demo's approval page" hands the page to headless Chromium, which
    signs in as alice, finds the request by its binding message and approves it."""
    require_chromium()
    opened: list[QUrl] = []
    tab = open_tab(server, opened)
    start(qtbot, tab)
    message = tab.binding_label.text()
    assert tab.open_approval_page()
    with (
        qtbot.waitSignal(tab.state.sig_tokens_changed, timeout=30_000) as delivered,
        chromium_page() as page,
    ):
        page.goto(opened[0].toString())
        page.fill("#username", "alice")
        page.fill("#password", "alice-password")
        page.click("#sign-in")
        request = page.locator("li.ciba-request", has_text=message)
        assert request.count() == 1
        request.get_by_role("button", name="Approve").click()
        page.wait_for_selector('#result[data-result="approved"]')
    tokens, context = delivered.args
    assert tokens.id_token and context.origin == "ciba"
    finish(qtbot, tab, "approved")
