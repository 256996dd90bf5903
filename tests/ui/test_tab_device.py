"""Device Code tab (RFC 8628) against the demo server: code, QR, countdown, polling, presenter.

The demo client ``workbench-native`` is used: it is the one allowed the device grant.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
import qrcode
from PySide6.QtCore import Qt, QUrl

from tests.demo_driver import decide_device_code
from tests.ui.conftest import demo_provider
from workbench.core.oauth.rfc8628_device import DeviceAuthorization, DevicePoll
from workbench.demo import DemoServer
from workbench.ui.flows.device import DeviceFlowTab
from workbench.ui.state import AppState

SIGNAL_MS = 8000


def qr_matrix(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


@pytest.fixture
def open_tab(qtbot: Any) -> Iterator[Callable[[DemoServer], DeviceFlowTab]]:
    states: list[AppState] = []

    def make(server: DemoServer) -> DeviceFlowTab:
        state = AppState()
        state.set_provider(demo_provider(server.issuer, public=True))
        states.append(state)
        tab = DeviceFlowTab(state)
        qtbot.addWidget(tab)
        tab.resize(640, 720)
        tab.show()
        qtbot.waitExposed(tab)
        return tab

    yield make
    for state in states:
        state.close()


def start(qtbot: Any, tab: DeviceFlowTab) -> DeviceAuthorization:
    with qtbot.waitSignal(tab.sig_device_started, timeout=SIGNAL_MS) as started:
        qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    auth = started.args[0]
    assert isinstance(auth, DeviceAuthorization)
    return auth


def finish(qtbot: Any, tab: DeviceFlowTab, outcome: str) -> None:
    """Wait until the login ends with ``outcome`` and its worker is gone."""
    qtbot.waitUntil(lambda: tab.outcome is not None, timeout=SIGNAL_MS)
    assert tab.outcome == outcome
    qtbot.waitUntil(lambda: not tab.busy, timeout=SIGNAL_MS)


def test_approved_on_the_verification_page(qtbot: Any, open_tab: Any, demo: DemoServer) -> None:
    tab = open_tab(demo)
    assert tab.objectName() == "deviceTab" and DeviceFlowTab.title == "Device Code"
    assert tab.code_panel.isHidden()
    auth = start(qtbot, tab)
    assert auth.verification_uri_complete and auth.interval == 1
    assert tab.code_panel.isVisible()
    assert tab.user_code_label.text() == auth.user_code
    assert tab.qr_view.data() == auth.verification_uri_complete
    assert tab.qr_view.matrix() == qr_matrix(auth.verification_uri_complete)
    assert auth.verification_uri in tab.uri_label.text()
    assert tab.countdown.text().startswith("Code expires in ")
    assert tab.countdown.is_running() and not tab.countdown.is_expired()
    assert tab.poll_label.text() == "Waiting for approval… first check in 1 s."

    with qtbot.waitSignal(tab.sig_poll, timeout=SIGNAL_MS) as polled:
        pass
    assert polled.args[0].status == "pending" and polled.args[0].polls == 1
    assert tab.poll_label.text() == "Waiting for approval… checked once, polling every 1 s."

    with qtbot.waitSignal(tab.sig_device_finished, timeout=SIGNAL_MS) as finished:
        decide_device_code(auth.verification_uri, auth.user_code)
    assert finished.args == ["approved"]
    finish(qtbot, tab, "approved")
    state = tab.state
    assert state.tokens is not None and state.tokens.access_token and state.tokens.id_token
    assert state.context is not None and state.context.origin == "device_code"
    assert tab.step_label.text().startswith("Approved")
    assert tab.poll_label.text() == "Approved ✓"
    assert tab.qr_view.is_faded() and not tab.user_code_label.isEnabled()
    assert not tab.countdown.is_running()
    assert tab.error_banner.isHidden()


def test_denied_shows_access_denied(qtbot: Any, open_tab: Any, demo: DemoServer) -> None:
    tab = open_tab(demo)
    auth = start(qtbot, tab)
    decide_device_code(auth.verification_uri, auth.user_code, approve=False)
    finish(qtbot, tab, "denied")
    assert tab.error_banner.isVisible()
    assert "access_denied" in tab.error_banner.text()
    assert tab.poll_label.text() == "Denied on the verification page."
    assert tab.qr_view.is_faded() and not tab.user_code_label.isEnabled()
    assert tab.state.tokens is None


def test_pkce_checkbox_against_a_server_that_requires_it(
    qtbot: Any, open_tab: Any, make_demo: Callable[..., DemoServer]
) -> None:
    """Keycloak's rule on the demo server: unchecked, the request is refused in its words;
    checked, the challenge and the verifier go out and the login completes; a profile with
    "PKCE on device requests" checks the box."""
    tab = open_tab(make_demo(require_device_pkce=True))
    assert not tab.pkce_check.isChecked() and tab.pkce_check.isVisible()
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.busy, timeout=SIGNAL_MS)
    assert tab.error_banner.isVisible()
    assert "invalid_request" in tab.error_banner.text()
    assert "Missing parameter: code_challenge_method" in tab.error_banner.text()

    qtbot.mouseClick(tab.pkce_check, Qt.MouseButton.LeftButton)
    assert tab.pkce_check.isChecked()
    auth = start(qtbot, tab)
    assert auth.pkce is not None
    decide_device_code(auth.verification_uri, auth.user_code)
    finish(qtbot, tab, "approved")
    assert tab.state.tokens is not None and tab.state.tokens.access_token
    sent = [e for e in tab.state.log.items() if e.request_form]
    device = [e.request_form for e in sent if e.purpose == "device authorization"]
    polls = [e.request_form for e in sent if e.purpose == "token (device_code poll)"]
    assert device[-1]["code_challenge"] == auth.pkce.challenge
    assert device[-1]["code_challenge_method"] == "S256"
    assert polls and all("code_verifier" in form for form in polls)

    tab.state.set_provider(replace(tab.state.provider, device_pkce=False))
    assert not tab.pkce_check.isChecked()
    tab.state.set_provider(replace(tab.state.provider, device_pkce=True))
    assert tab.pkce_check.isChecked()


def test_expired_code(qtbot: Any, open_tab: Any, make_demo: Callable[..., DemoServer]) -> None:
    tab = open_tab(make_demo(device_code_ttl=2))
    auth = start(qtbot, tab)
    assert auth.expires_in == 2
    finish(qtbot, tab, "expired")
    assert "expired_token" in tab.error_banner.text()
    assert tab.poll_label.text() == "The code expired before anyone approved it."
    assert tab.qr_view.is_faded() and tab.countdown.isHidden()
    assert tab.state.tokens is None


def test_cancel_stops_polling_at_once(
    qtbot: Any, open_tab: Any, make_demo: Callable[..., DemoServer]
) -> None:
    tab = open_tab(make_demo(device_interval=5))
    auth = start(qtbot, tab)
    assert auth.interval == 5 and tab.cancel_button.isEnabled()
    began = time.monotonic()
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    finish(qtbot, tab, "cancelled")
    assert time.monotonic() - began < 2.5  # half the 5 s interval: the wait was cut short
    assert tab.step_label.text() == "Cancelled."
    assert tab.error_banner.isHidden()
    assert tab.poll_label.text() == "Cancelled: no longer polling."
    assert tab.run_button.isEnabled() and not tab.cancel_button.isEnabled()


def test_slow_down_is_shown_and_cancel_is_prompt(
    qtbot: Any, open_tab: Any, demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = open_tab(demo)
    session = tab.state.session
    assert session is not None
    original = session.start_device

    def too_fast(*args: Any, **kwargs: Any) -> DeviceAuthorization:
        auth: DeviceAuthorization = original(*args, **kwargs)
        return replace(auth, interval=0.0)  # poll faster than the server allows

    monkeypatch.setattr(session, "start_device", too_fast)
    start(qtbot, tab)
    # The first slow_down may come before a waitSignal could connect: watch the tab instead.
    qtbot.waitUntil(
        lambda: tab.last_poll is not None and tab.last_poll.status == "slow_down",
        timeout=SIGNAL_MS,
    )
    poll: DevicePoll | None = tab.last_poll
    assert poll is not None
    assert poll.interval == 5.0  # RFC 8628 §3.5: plus 5 s
    assert tab.poll_label.text() == "Server asked to slow down: polling every 5 s now."
    assert tab.poll_label.property("status") == "slow_down"
    began = time.monotonic()
    tab.cancel()
    finish(qtbot, tab, "cancelled")
    assert time.monotonic() - began < poll.interval / 2  # well before the next poll was due


def test_presenter_view_follows_the_tab(qtbot: Any, open_tab: Any, demo: DemoServer) -> None:
    tab = open_tab(demo)
    assert tab.open_presenter(full_screen=False) is None  # nothing to present yet
    auth = start(qtbot, tab)
    tab.activateWindow()
    tab.user_code_label.setFocus()
    qtbot.keyClick(tab.user_code_label, Qt.Key.Key_F11)  # the tab's shortcut
    presenter = tab.presenter
    assert presenter is not None
    qtbot.waitUntil(presenter.isVisible, timeout=SIGNAL_MS)
    assert presenter.isFullScreen()
    presenter.showNormal()
    presenter.resize(1920, 1080)
    assert presenter.user_code() == auth.user_code
    assert presenter.url_label.text() == auth.verification_uri
    assert presenter.qr_view.matrix() == qr_matrix(auth.verification_uri_complete or "")
    assert presenter.status_text() == "Waiting for approval…"
    assert presenter.countdown.is_running()
    # Sizes follow the window height (metrics.PRESENTER_* fractions) and the QR dominates.
    assert presenter.qr_view.height() >= 0.7 * 1080
    assert presenter.code_label.font().pixelSize() >= 0.1 * 1080

    with qtbot.waitSignal(tab.sig_device_finished, timeout=SIGNAL_MS):
        decide_device_code(auth.verification_uri, auth.user_code)
    assert presenter.status_text() == "Approved ✓"
    assert presenter.qr_view.is_faded() and not presenter.countdown.is_running()
    finish(qtbot, tab, "approved")

    qtbot.keyClick(presenter, Qt.Key.Key_Escape)
    assert not presenter.isVisible()
    assert tab.open_presenter(full_screen=False) is presenter  # reopens with the outcome
    assert presenter.isVisible() and presenter.status_text() == "Approved ✓"
    qtbot.mouseClick(presenter.close_button, Qt.MouseButton.LeftButton)
    assert not presenter.isVisible()


# -- hostile verification addresses (issue 7) -------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "complete", "refused"),
    [
        ("javascript:alert(1)", None, "javascript:alert(1)"),
        ("file:///etc/passwd", None, "file:///etc/passwd"),
        (None, "javascript:alert(1)", "javascript:alert(1)"),
    ],
)
def test_a_non_web_verification_address_is_refused(
    qtbot: Any,
    open_tab: Any,
    demo: DemoServer,
    monkeypatch: pytest.MonkeyPatch,
    uri: str | None,
    complete: str | None,
    refused: str,
) -> None:
    tab = open_tab(demo)
    opened: list[QUrl] = []
    tab.open_url = lambda url: opened.append(url) or True
    session = tab.state.session
    assert session is not None
    original = session.start_device

    def hostile(*args: Any, **kwargs: Any) -> DeviceAuthorization:
        auth: DeviceAuthorization = original(*args, **kwargs)
        return replace(
            auth,
            verification_uri=uri or auth.verification_uri,
            verification_uri_complete=complete,
        )

    monkeypatch.setattr(session, "start_device", hostile)
    started: list[object] = []
    tab.sig_device_started.connect(started.append)
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    finish(qtbot, tab, "failed")

    # Fail closed: no code, link or QR; the reason is in the tab; nothing reached a browser.
    assert started == [] and tab.authorization is None
    assert tab.code_panel.isHidden() and tab.qr_view.data() == ""
    assert tab.error_banner.isVisible()
    message = tab.error_banner.text()
    assert "Refusing to open the" in message and "verification address" in message
    assert refused in message and "only http and https URLs" in message
    assert tab.step_label.text() == "Stopped: see the message above."
    assert not tab.open_verification_page()
    assert opened == []


def test_the_verification_link_opens_only_through_the_checked_opener(
    qtbot: Any, open_tab: Any, demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = open_tab(demo)
    opened: list[str] = []
    tab.open_url = lambda url: opened.append(url.toString()) or True
    session = tab.state.session
    assert session is not None
    original = session.start_device
    sneaky_code = "\x1b[2J<b>ABCD</b>\u202e"

    def with_sneaky_code(*args: Any, **kwargs: Any) -> DeviceAuthorization:
        auth: DeviceAuthorization = original(*args, **kwargs)
        return replace(auth, user_code=sneaky_code)

    monkeypatch.setattr(session, "start_device", with_sneaky_code)
    auth = start(qtbot, tab)
    assert not tab.uri_label.openExternalLinks()
    assert f'<a href="{auth.qr_uri}">' in tab.uri_label.text()
    # The user code is plain text with its control characters shown; Copy gives it exactly.
    assert tab.user_code_label.textFormat() == Qt.TextFormat.PlainText
    assert tab.user_code_label.text() == "\\e[2J<b>ABCD</b>\\u202e"
    tab.uri_label.linkActivated.emit("javascript:alert(1)")  # the label's href is not trusted
    assert opened == [auth.qr_uri]
    assert tab.step_label.text() == "Verification page opened in the browser."
    tab.cancel()
    finish(qtbot, tab, "cancelled")


def test_an_interval_of_zero_is_replaced_and_the_note_stays_in_view(qtbot: Any) -> None:
    """A hostile server (a real socket) that asks to be polled without pause."""
    from tests.peers import canned_server
    from workbench.core.model import Provider
    from workbench.core.oauth.client_auth import ClientConfig

    with canned_server() as server:
        server.json(
            "/device",
            {
                "device_code": "dc",
                "user_code": "WDJB-MJHT",
                "verification_uri": server.url + "/activate",
                "interval": 0,
                "expires_in": 600,
            },
        )
        server.json("/token", {"error": "authorization_pending"}, status=400)
        endpoints = {
            "device_authorization_endpoint": server.url + "/device",
            "token_endpoint": server.url + "/token",
        }
        state = AppState()
        client = ClientConfig("tv", None, "none")
        state.set_provider(Provider(client=client, endpoints=endpoints, name="eager"))
        tab = DeviceFlowTab(state)
        qtbot.addWidget(tab)
        auth = start(qtbot, tab)
        assert auth.interval == 5 and auth.notes
        text = tab.poll_label.text()
        assert text.startswith("Waiting for approval… first check in 5 s.")
        assert "polling interval 0 is under 1 s" in text and "RFC 8628 §3.2 default" in text
        tab.cancel()
        finish(qtbot, tab, "cancelled")
        state.close()
    assert [path for _, path, _ in server.requests].count("/token") == 0  # no poll yet


def test_the_profile_editors_pkce_field_reaches_the_device_tab(
    qtbot: Any, open_tab: Any, make_demo: Callable[..., DemoServer]
) -> None:
    from workbench.ui.dialogs.profile_editor import ProfileEditorDialog

    server = make_demo(require_device_pkce=True)
    tab = open_tab(server)
    state = tab.state
    dialog = ProfileEditorDialog(state, None, tab)
    qtbot.addWidget(dialog)
    assert not dialog.device_pkce_check.isChecked()
    dialog.name_edit.setText("Keycloak-like")
    dialog.issuer_edit.setText(server.issuer)
    dialog.discover_button.click()
    qtbot.waitUntil(lambda: bool(dialog.endpoint_edits["token_endpoint"].text()), timeout=10_000)
    dialog.client_id_edit.setText("workbench-native")
    dialog.device_pkce_check.setChecked(True)
    dialog._on_save()
    assert dialog.result() == ProfileEditorDialog.DialogCode.Accepted
    saved = state.profiles.get("Keycloak-like")
    assert saved.device_pkce is True
    again = ProfileEditorDialog(state, saved, tab)
    qtbot.addWidget(again)
    assert again.device_pkce_check.isChecked()

    state.set_provider(saved.to_provider(state.secrets))
    assert tab.pkce_check.isChecked()
    auth = start(qtbot, tab)  # accepted by the server that requires PKCE
    assert auth.pkce is not None
    tab.cancel()
    finish(qtbot, tab, "cancelled")
