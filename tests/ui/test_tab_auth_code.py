"""AuthCodeTab against the demo server, with a thread playing the browser.

The tab's ``open_url`` is the only stand-in: instead of the system browser, :class:`ScriptedBrowser`
signs in on the demo server's real login page (``sign_in_and_decide``) and follows the redirect
to the tab's real loopback listener, in a plain Python thread as a browser process would.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from tests.demo_driver import sign_in_and_decide
from workbench.core.oauth.loopback import OPEN_BY_HAND
from workbench.core.oauth.pkce import s256_challenge
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.decode import decode_jwt
from workbench.demo import DemoServer
from workbench.ui.flows.auth_code import AuthCodeTab
from workbench.ui.flows.browser import COPY_URL_SHORTCUT
from workbench.ui.state import AppState

from .conftest import demo_provider

SIGN_IN_TIMEOUT_MS = 10_000


class ScriptedBrowser:
    """Signs in as alice and delivers the redirect to the loopback listener.

    ``fragment``: the implicit grant's way (the listener's page posts ``location.hash``).
    ``sign_in=False``: a browser that opens the URL and is then left alone (cancel tests).
    """

    def __init__(
        self, *, decision: str = "approve", fragment: bool = False, sign_in: bool = True
    ) -> None:
        self.decision = decision
        self.fragment = fragment
        self.sign_in = sign_in
        self.urls: list[str] = []
        self.errors: list[BaseException] = []
        self._threads: list[threading.Thread] = []

    def open(self, url: QUrl) -> bool:
        text = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
        self.urls.append(text)
        if self.sign_in:
            self.visit(text)
        return True

    def visit(self, url: str) -> None:
        thread = threading.Thread(target=self._visit, args=(url,), name="scripted-browser")
        self._threads.append(thread)
        thread.start()

    def _visit(self, url: str) -> None:
        try:
            location = sign_in_and_decide(url, decision=self.decision)
            if self.fragment and "#" in location:
                redirect_uri, fragment = location.split("#", 1)
                page = requests.get(redirect_uri, timeout=5)
                assert "location.hash" in page.text  # the page that forwards the fragment
                requests.post(
                    redirect_uri,
                    data=fragment,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                    timeout=5,
                ).raise_for_status()
            else:
                requests.get(location, timeout=5)
        except BaseException as exc:  # reported by the test through .errors
            self.errors.append(exc)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[ScriptedBrowser]:
    scripted = ScriptedBrowser()
    yield scripted
    scripted.join()


@pytest.fixture
def public_state(state: AppState, demo: DemoServer) -> AppState:
    state.set_provider(demo_provider(demo.issuer, public=True))
    return state


def _port_closed(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_code_flow_through_the_opener(
    qtbot: QtBot, public_state: AppState, browser: ScriptedBrowser
) -> None:
    tab = AuthCodeTab(public_state, open_url=browser.open)
    qtbot.addWidget(tab)
    steps: list[str] = []
    tab.sig_step.connect(steps.append)
    assert tab.browser_check.isChecked() and tab.timeout_spin.value() == 300
    assert tab.port_spin.value() == 0 and tab.request_box.isHidden()

    with qtbot.waitSignal(public_state.sig_tokens_changed, timeout=SIGN_IN_TIMEOUT_MS) as got:
        tab.start()
    tokens, context = got.args
    assert isinstance(tokens, TokenSet)
    qtbot.waitUntil(lambda: not tab.busy)
    browser.join()
    assert not browser.errors

    assert context.origin == "authorization_code"
    assert public_state.tokens is tokens
    assert tokens.access_token and tokens.id_token and tokens.refresh_token
    # What the tab showed is what was sent, and what the ID token answers to.
    assert browser.urls == [tab.url_field.text()]
    query = parse_qs(urlsplit(tab.url_field.text()).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"] == [tab.challenge_field.text()]
    assert tab.challenge_field.text() == s256_challenge(tab.verifier_field.text())
    assert query["state"] == [tab.state_field.text()]
    assert query["redirect_uri"] == [tab.redirect_field.text()]
    assert context.nonce == tab.nonce_field.text() == query["nonce"][0]
    assert decode_jwt(tokens.id_token).claims["nonce"] == context.nonce
    # The steps, in order, and the listener is gone.
    redirect_uri = tab.redirect_field.text()
    port = urlsplit(redirect_uri).port
    assert redirect_uri == f"http://127.0.0.1:{port}/callback"
    waiting = f"Waiting for the browser sign-in on {redirect_uri}…"
    assert steps.index(waiting) < steps.index("Exchanging the code…")
    assert tab.step_label.text() == "Done: the tokens are in the inspector."
    assert port is not None and _port_closed(port)
    assert not tab.open_button.isEnabled() and tab.run_button.isEnabled()
    token_requests = [e for e in public_state.log.items() if e.purpose.endswith("code)")]
    assert len(token_requests) == 1 and token_requests[0].request_form is not None
    assert "code_verifier" in token_requests[0].request_form


def test_cancel_while_waiting_stops_at_once_and_closes_the_listener(
    qtbot: QtBot, public_state: AppState
) -> None:
    idle = ScriptedBrowser(sign_in=False)
    tab = AuthCodeTab(public_state, open_url=idle.open)
    qtbot.addWidget(tab)
    tab.start()
    qtbot.waitUntil(lambda: tab.step_label.text().startswith("Waiting"), timeout=5000)
    assert tab.cancel_button.isEnabled() and not tab.run_button.isEnabled()
    assert idle.urls == [tab.url_field.text()]
    port = urlsplit(tab.redirect_field.text()).port
    assert port is not None
    assert tab.pending is not None and tab.pending.url == tab.url_field.text()
    # Listening: another path answers 404 without ending the wait.
    assert requests.get(f"http://127.0.0.1:{port}/elsewhere", timeout=5).status_code == 404

    started = time.monotonic()
    tab.cancel()
    qtbot.waitUntil(lambda: not tab.busy, timeout=2000)
    assert time.monotonic() - started < 1.0
    assert tab.step_label.text() == "Cancelled."
    assert tab.pending is None and tab.error_banner.isHidden()
    assert public_state.tokens is None
    assert _port_closed(port)
    assert tab.run_button.isEnabled() and not tab.cancel_button.isEnabled()


def test_browser_off_copy_the_url_into_another_browser(
    qtbot: QtBot, public_state: AppState, browser: ScriptedBrowser
) -> None:
    def must_not_open(url: QUrl) -> bool:
        raise AssertionError(f"the system browser was opened: {url}")

    tab = AuthCodeTab(public_state, open_url=must_not_open)
    qtbot.addWidget(tab)
    tab.browser_check.setChecked(False)
    tab.start()
    qtbot.waitUntil(lambda: "Open the authorize URL in a browser" in tab.step_label.text())
    tab.url_field.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied == tab.url_field.text() and tab.url_field.copy_button.text() == "Copied"
    with qtbot.waitSignal(public_state.sig_tokens_changed, timeout=SIGN_IN_TIMEOUT_MS) as got:
        browser.visit(copied)
    qtbot.waitUntil(lambda: not tab.busy)
    assert got.args[1].origin == "authorization_code"


def test_denied_sign_in_shows_access_denied(qtbot: QtBot, public_state: AppState) -> None:
    denying = ScriptedBrowser(decision="deny")
    tab = AuthCodeTab(public_state, open_url=denying.open)
    qtbot.addWidget(tab)
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=SIGN_IN_TIMEOUT_MS)
    denying.join()
    assert not denying.errors
    assert tab.error_banner.isVisibleTo(tab)
    assert "access_denied" in tab.error_banner.text()
    assert tab.step_label.text() == "Failed."
    assert public_state.tokens is None


def test_timeout_says_no_redirect_arrived(qtbot: QtBot, public_state: AppState) -> None:
    tab = AuthCodeTab(public_state, open_url=ScriptedBrowser(sign_in=False).open)
    qtbot.addWidget(tab)
    tab.timeout_spin.setValue(1)
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=5000)
    assert "No redirect arrived within 1 s" in tab.error_banner.text()
    assert public_state.tokens is None


def test_no_browser_says_to_copy_the_url(qtbot: QtBot, public_state: AppState) -> None:
    opened: list[QUrl] = []

    def no_browser(url: QUrl) -> bool:
        opened.append(url)
        return False

    tab = AuthCodeTab(public_state, open_url=no_browser)
    qtbot.addWidget(tab)
    tab.start()
    qtbot.waitUntil(lambda: tab.step_label.text().startswith("No browser opened"), timeout=5000)
    assert tab.redirect_field.text() in tab.step_label.text()
    assert OPEN_BY_HAND in tab.step_label.text() and COPY_URL_SHORTCUT in tab.step_label.text()
    tab.url_field.copy_button.click()  # the copy button the hint names
    assert QGuiApplication.clipboard().text() == tab.url_field.text()
    assert len(opened) == 1 and tab.open_button.isEnabled()
    tab.open_button.click()  # tries again with the same URL
    assert [u.toString(QUrl.ComponentFormattingOption.FullyEncoded) for u in opened] == [
        tab.url_field.text()
    ] * 2
    tab.cancel()
    qtbot.waitUntil(lambda: not tab.busy, timeout=2000)
    assert not tab.open_button.isEnabled()


# -- hostile authorization endpoints (issue 7) ------------------------------------------------


@pytest.mark.parametrize(
    "endpoint", ["javascript:alert(1)//", "file:///etc/passwd", "custom-app://authorize"]
)
@pytest.mark.parametrize("open_browser", [True, False])
def test_a_non_web_authorization_endpoint_is_refused(
    qtbot: QtBot, state: AppState, demo: DemoServer, endpoint: str, open_browser: bool
) -> None:
    hostile = replace(
        demo_provider(demo.issuer, public=True), endpoints={"authorization_endpoint": endpoint}
    )
    state.set_provider(hostile)
    browser = ScriptedBrowser()
    tab = AuthCodeTab(state, open_url=browser.open)
    qtbot.addWidget(tab)
    tab.browser_check.setChecked(open_browser)
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=5000)

    assert browser.urls == []  # never handed to a browser, whether it was to open one or not
    assert not tab.error_banner.isHidden()
    message = tab.error_banner.text()
    # The session refuses before it even starts a listener or builds the request.
    assert "Refusing to open the authorization endpoint" in message and endpoint in message
    assert "only http and https URLs" in message
    assert tab.step_label.text() == "Failed."
    assert not tab.open_button.isEnabled() and tab.pending is None
    assert state.tokens is None and tab.url_field.text() == ""
    tab._on_open_clicked()  # the button's slot, even if it were enabled: still refused
    assert browser.urls == []


def test_the_tab_refuses_a_non_web_authorize_url_it_is_given(
    qtbot: QtBot, public_state: AppState
) -> None:
    """The tab's own guard, behind the session's: a request whose URL is not http(s)."""
    from workbench.core.oauth.rfc6749_code import build_authorization_request

    browser = ScriptedBrowser()
    tab = AuthCodeTab(public_state, open_url=browser.open)
    qtbot.addWidget(tab)
    request = build_authorization_request(
        "file:///etc/passwd", "client", "http://127.0.0.1:1/callback", "openid"
    )
    tab._on_pending(request)
    assert browser.urls == []
    assert "Refusing to open the authorize URL" in tab.error_banner.text()


def test_a_stray_callback_with_another_state_is_refused_and_named(
    qtbot: QtBot, public_state: AppState
) -> None:
    """A local page calls the redirect URI first with a forged state; the sign-in goes on."""

    class StrayFirst(ScriptedBrowser):
        def open(self, url: QUrl) -> bool:
            text = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
            redirect = parse_qs(urlsplit(text).query)["redirect_uri"][0]
            answer = requests.get(redirect, params={"code": "evil", "state": "forged"}, timeout=5)
            self.stray_status = answer.status_code
            return super().open(url)

    browser = StrayFirst()
    tab = AuthCodeTab(public_state, open_url=browser.open)
    qtbot.addWidget(tab)
    steps: list[str] = []
    tab.sig_step.connect(steps.append)
    with qtbot.waitSignal(public_state.sig_tokens_changed, timeout=SIGN_IN_TIMEOUT_MS):
        tab.start()
    qtbot.waitUntil(lambda: not tab.busy)
    browser.join()
    assert not browser.errors and browser.stray_status == 400
    refused = [s for s in steps if "stray request(s) to the redirect URI refused" in s]
    assert refused and "state" in refused[0]
    assert tab.step_label.text() == "Done: the tokens are in the inspector."
