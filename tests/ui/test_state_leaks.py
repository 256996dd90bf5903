"""State that must not leak between providers, tokens and faces of the app.

Two providers are two demo servers in threads (each its own issuer and RSA key), so a token
checked or refreshed at the wrong one fails for real.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tests.demo_driver import decide_device_code
from tests.peers import closed_port_url
from tests.ui.conftest import demo_provider
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.profiles import Profile
from workbench.core.session import OAuthSession
from workbench.demo import CONFIDENTIAL_CLIENT_ID, DemoServer
from workbench.ui.flows.auth_code import AuthCodeTab
from workbench.ui.flows.client_credentials import ClientCredentialsTab
from workbench.ui.flows.device import DeviceFlowTab
from workbench.ui.flows.refresh import PREVIOUS_ACCEPTED, RefreshTab, preview
from workbench.ui.inspector import TokenInspector
from workbench.ui.main_window import MainWindow
from workbench.ui.state import AppState, TokenContext

TIMEOUT_MS = 8000


@pytest.fixture
def other(make_demo: Callable[..., DemoServer]) -> DemoServer:
    """A second provider: another demo server, with its own issuer and keys."""
    return make_demo()


@pytest.fixture
def inspector(qtbot: QtBot, state: AppState) -> TokenInspector:
    widget = TokenInspector(state)
    qtbot.addWidget(widget)
    widget.resize(760, 820)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def alice(session: OAuthSession) -> TokenSet:
    """alice's tokens at ``session``'s provider (a blocking call: the test is not the GUI)."""
    tokens = session.password("alice", "alice-password")
    assert tokens.access_token and tokens.refresh_token
    return tokens


def wait_checked(qtbot: QtBot, inspector: TokenInspector) -> None:
    qtbot.waitUntil(
        lambda: inspector.inspection is not None and not inspector.busy, timeout=TIMEOUT_MS
    )


def wait_idle(qtbot: QtBot, inspector: TokenInspector) -> None:
    qtbot.waitUntil(lambda: not inspector.busy, timeout=TIMEOUT_MS)


def sent_to(state: AppState, purpose: str) -> list[str]:
    """The URLs of the recorded exchanges with that purpose, in order."""
    return [e.url for e in state.log.items() if e.purpose == purpose]


# -- banners and results when the provider changes ------------------------------------------


def test_a_tabs_error_banner_goes_when_the_provider_changes(qtbot: QtBot, demo: DemoServer) -> None:
    state = AppState()
    state.set_provider(demo_provider(closed_port_url()))
    tab = ClientCredentialsTab(state)
    qtbot.addWidget(tab)
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    assert tab.error_banner.isVisibleTo(tab) and "refused" in tab.error_banner.text()
    assert tab.step_label.text() == "Failed."

    state.set_provider(demo_provider(demo.issuer))

    assert tab.error_banner.isHidden()
    assert tab.step_label.text() == ""
    state.close()


def test_deleting_the_profile_clears_the_banner_and_the_provider(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo: DemoServer
) -> None:
    """The Yes of the confirmation is the one thing stubbed: no peer clicks a message box."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    state = window.state
    state.profiles.save(
        Profile("Broken", issuer=closed_port_url(), client_id=CONFIDENTIAL_CLIENT_ID)
    )
    window.provider_bar.reload(select="Broken")
    assert state.provider is not None and state.provider.name == "Broken"
    tab = window.select_tab("clientCredentials")
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    assert tab.error_banner.isVisibleTo(tab)

    window.provider_bar.delete_button.click()

    # The only profile is gone: no provider is left behind in the state, and no stale error.
    assert state.provider is None and state.session is None
    assert tab.error_banner.isHidden()
    assert window.provider_bar.info.text() == "Create a provider profile to start."
    tab.start()
    assert "Choose a provider first" in tab.error_banner.text()

    # With the demo provider there, deleting a profile falls back to it, banner gone too.
    state.profiles.save(
        Profile("Broken", issuer=closed_port_url(), client_id=CONFIDENTIAL_CLIENT_ID)
    )
    window.set_demo_issuer(demo.issuer)
    window.provider_bar.reload(select="Broken")
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    assert tab.error_banner.isVisibleTo(tab)
    window.provider_bar.delete_button.click()
    assert state.provider is not None and state.provider.issuer == demo.issuer
    assert tab.error_banner.isHidden()


def test_the_refresh_tabs_result_goes_when_the_provider_changes(
    qtbot: QtBot, state: AppState, other: DemoServer
) -> None:
    state.set_tokens(alice(state.require_session()), TokenContext(origin="password"))
    tab = RefreshTab(state)
    qtbot.addWidget(tab)
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TIMEOUT_MS):
        tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    assert tab.result_frame.isVisibleTo(tab)

    state.set_provider(demo_provider(other.issuer))

    assert tab.result_frame.isHidden() and tab.step_label.text() == ""


# -- a token keeps the provider that issued it ----------------------------------------------


def test_switching_provider_keeps_checking_against_the_issuer(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, demo: DemoServer, other: DemoServer
) -> None:
    state.set_tokens(alice(state.require_session()), TokenContext(origin="password"))
    wait_checked(qtbot, inspector)
    assert inspector.findings.outcome("signature") == "pass"

    state.set_provider(replace(demo_provider(other.issuer), name="Other demo"))
    wait_checked(qtbot, inspector)

    assert inspector.findings.outcome("signature") == "pass"
    assert inspector.findings.outcome("iss") == "pass"
    assert "Signature valid" in inspector.verdict.text()
    note = inspector.findings.note.text()
    assert "the provider that issued it" in note and "“Other demo”" in note
    # Nothing was asked of the other provider about this token.
    assert not [u for u in sent_to(state, "jwks") if u.startswith(other.issuer)]
    assert not [u for u in sent_to(state, "discovery") if u.startswith(other.issuer)]


def test_a_pasted_token_is_checked_against_the_provider_of_its_iss(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, demo: DemoServer, other: DemoServer
) -> None:
    first = state.require_session()
    state.set_tokens(alice(first), TokenContext(origin="password"))
    wait_checked(qtbot, inspector)
    state.set_provider(demo_provider(other.issuer))
    wait_checked(qtbot, inspector)

    # Another token of the first provider, pasted: its iss names that provider.
    pasted = first.client_credentials("api:read").access_token
    assert pasted is not None
    inspector.show_token(pasted)
    wait_checked(qtbot, inspector)
    assert inspector.findings.outcome("signature") == "pass"
    assert "whose issuer is the token's iss" in inspector.findings.note.text()

    # A token of the chosen provider: checked against it, nothing to explain.
    own = state.require_session().client_credentials("api:read").access_token
    assert own is not None
    inspector.show_token(own)
    wait_checked(qtbot, inspector)
    assert inspector.findings.outcome("signature") == "pass"
    assert inspector.findings.note.text() == ""


def test_a_pasted_token_of_an_unknown_issuer_says_what_it_is_checked_against(
    qtbot: QtBot,
    inspector: TokenInspector,
    state: AppState,
    make_demo: Callable[..., DemoServer],
) -> None:
    stranger = make_demo()
    foreign = OAuthSession(demo_provider(stranger.issuer))
    try:
        token = foreign.client_credentials("api:read").access_token
    finally:
        foreign.close()
    assert token is not None
    inspector.show_token(token)
    wait_checked(qtbot, inspector)
    assert inspector.findings.outcome("signature") == "fail"
    note = inspector.findings.note.text()
    assert note.startswith("Checked against “Demo”: no provider in use has the token's issuer")
    assert stranger.issuer in note


# -- actions act on the token shown ----------------------------------------------------------


def test_refresh_on_a_pasted_token_sends_no_other_refresh_token(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, other: DemoServer
) -> None:
    state.set_tokens(alice(state.require_session()), TokenContext(origin="password"))
    wait_checked(qtbot, inspector)
    assert inspector.act_refresh.isEnabled()

    # An access token of another client, with no refresh token of its own.
    foreign = OAuthSession(demo_provider(other.issuer))
    try:
        pasted = foreign.client_credentials("api:read").access_token
    finally:
        foreign.close()
    assert pasted is not None
    inspector.show_token(pasted)

    assert not inspector.act_refresh.isEnabled()
    assert not inspector.refresh_button.isEnabled()
    assert "pasted token brings no refresh token" in inspector.act_refresh.toolTip()
    assert not inspector.act_revoke_refresh.isEnabled()
    inspector.refresh()  # the shortcut's path too: nothing is sent
    wait_checked(qtbot, inspector)
    assert sent_to(state, "token (refresh_token)") == []

    # Back on the current tokens, Refresh redeems their own refresh token.
    assert inspector.select_role("access")
    assert inspector.act_refresh.isEnabled()


def test_refresh_goes_to_the_provider_that_issued_the_token(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, demo: DemoServer, other: DemoServer
) -> None:
    state.set_tokens(alice(state.require_session()), TokenContext(origin="password"))
    wait_checked(qtbot, inspector)
    state.set_provider(demo_provider(other.issuer))
    wait_checked(qtbot, inspector)

    with qtbot.waitSignal(inspector.sig_action_finished, timeout=TIMEOUT_MS):
        inspector.refresh()
    assert inspector.error_banner.isHidden()
    assert state.context is not None and state.context.rotation == "rotated"
    refreshes = sent_to(state, "token (refresh_token)")
    assert len(refreshes) == 1 and refreshes[0].startswith(demo.issuer)
    wait_checked(qtbot, inspector)
    assert inspector.findings.outcome("signature") == "pass"  # still checked at its issuer


def test_an_introspection_result_goes_when_another_token_is_shown(
    qtbot: QtBot, inspector: TokenInspector, state: AppState
) -> None:
    tokens = alice(state.require_session())
    state.set_tokens(tokens, TokenContext(origin="password"))
    wait_checked(qtbot, inspector)
    inspector.introspect()
    wait_idle(qtbot, inspector)
    assert inspector.result_view.isVisible()
    assert inspector.result_view.chip.text() == "active: true"

    pasted = state.require_session().client_credentials("api:read").access_token
    assert pasted is not None
    inspector.show_token(pasted)

    assert not inspector.result_view.isVisible()
    assert inspector.error_banner.isHidden()

    # An answer that arrives after another token is shown is not put beside it.
    assert inspector.select_role("access")
    inspector.introspect()
    inspector.show_token(pasted)
    wait_idle(qtbot, inspector)
    assert not inspector.result_view.isVisible()
    assert inspector.select_role("access")
    inspector.userinfo()
    inspector.show_token(pasted)
    wait_idle(qtbot, inspector)
    assert not inspector.result_view.isVisible()
    # An answer about the token still shown is shown, also after a provider change.
    assert inspector.select_role("access")
    state.set_provider(demo_provider(state.require_session().provider.issuer or ""))
    inspector.userinfo()
    wait_idle(qtbot, inspector)
    assert inspector.result_view.chip.text() == "200 OK"


# -- the Refresh tab's current and previous refresh tokens -----------------------------------


def test_the_refresh_tab_follows_the_inspectors_refresh(
    qtbot: QtBot, inspector: TokenInspector, state: AppState
) -> None:
    tokens = alice(state.require_session())
    state.set_tokens(tokens, TokenContext(origin="password"))
    tab = RefreshTab(state)
    qtbot.addWidget(tab)
    wait_checked(qtbot, inspector)
    old = tokens.refresh_token or ""

    with qtbot.waitSignal(inspector.sig_action_finished, timeout=TIMEOUT_MS):
        inspector.refresh()
    assert state.tokens is not None
    new = state.tokens.refresh_token or ""
    assert new and new != old

    assert tab.token_edit.text() == new
    assert tab.previous_field.text() == old
    assert tab.reuse_button.isEnabled()
    assert tab.result_frame.isVisibleTo(tab)
    assert tab.rotation_label.text().startswith("Rotated: a new refresh token was issued")
    assert tab.sent_label.text() == preview(old) and tab.returned_label.text() == preview(new)
    message = inspector.result_view.message.text()
    assert message.startswith("Rotated: a new refresh token was issued")
    assert "(RFC 9700 §4.14.2" in message
    assert "“Try the previous one” in the Refresh tab" in message

    # Tokens of a new grant: the previous token of the old one is not offered any more.
    state.set_tokens(alice(state.require_session()), TokenContext(origin="password"))
    assert tab.previous_field.text() == "" and not tab.reuse_button.isEnabled()
    assert tab.result_frame.isHidden()
    wait_idle(qtbot, inspector)


def test_trying_the_previous_one_keeps_the_current_token(
    qtbot: QtBot, state: AppState, demo: DemoServer, other: DemoServer
) -> None:
    tokens = alice(state.require_session())
    state.set_tokens(tokens, TokenContext(origin="password"))
    tab = RefreshTab(state)
    qtbot.addWidget(tab)
    tab.resize(700, 420)
    tab.show()
    qtbot.waitExposed(tab)
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TIMEOUT_MS):
        tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    current = tab.token_edit.text()
    previous = tab.previous_field.text()
    assert previous == tokens.refresh_token and current != previous

    # Another provider is chosen meanwhile: the old token still goes to its own issuer.
    state.set_provider(demo_provider(other.issuer))
    tab.reuse_button.click()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)

    assert tab.rotation_label.text() == "The previous refresh token no longer works"
    assert "invalid_grant" in tab.error_banner.text()
    # On a short screen the answer is scrolled into view, not left below the fold.
    qtbot.waitUntil(lambda: not tab.meaning_label.visibleRegion().isEmpty(), timeout=TIMEOUT_MS)
    assert tab.token_edit.text() == current and tab.previous_field.text() == previous
    refreshes = sent_to(state, "token (refresh_token)")
    assert len(refreshes) == 2 and all(u.startswith(demo.issuer) for u in refreshes)


def test_tokens_of_a_flow_belong_to_the_provider_it_started_on(
    qtbot: QtBot, make_demo: Callable[..., DemoServer], other: DemoServer
) -> None:
    """Another provider is chosen while the token request is on its way (a slow server)."""
    slow = make_demo(token_delay=1.0)
    state = AppState()
    state.set_provider(demo_provider(slow.issuer))
    tab = ClientCredentialsTab(state)
    qtbot.addWidget(tab)
    inspector = TokenInspector(state)
    qtbot.addWidget(inspector)
    started_on = state.require_session()
    closed: list[bool] = []
    close = started_on.close
    started_on.close = lambda: (closed.append(True), close())[-1]  # type: ignore[method-assign]
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TIMEOUT_MS):
        tab.start()
        state.set_provider(demo_provider(other.issuer))
        assert tab.busy and not closed  # not closed under the running flow
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    assert state.token_session is started_on and not closed  # its tokens' provider now
    assert state.token_session is not None and state.token_session is not state.session
    assert state.token_session.provider.issuer == slow.issuer
    wait_checked(qtbot, inspector)
    assert inspector.findings.outcome("signature") == "pass"
    state.close()


def test_a_denied_device_code_goes_when_the_provider_changes(
    qtbot: QtBot, state: AppState, other: DemoServer
) -> None:
    tab = DeviceFlowTab(state)
    qtbot.addWidget(tab)
    tab.start()
    qtbot.waitUntil(lambda: tab.authorization is not None, timeout=TIMEOUT_MS)
    auth = tab.authorization
    assert auth is not None
    decide_device_code(auth.verification_uri, auth.user_code, approve=False)
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    assert "access_denied" in tab.error_banner.text() and not tab.code_panel.isHidden()

    state.set_provider(demo_provider(other.issuer))

    assert tab.error_banner.isHidden() and tab.code_panel.isHidden()
    assert tab.authorization is None


def test_an_authorization_request_goes_when_the_provider_changes(
    qtbot: QtBot, state: AppState, other: DemoServer
) -> None:
    tab = AuthCodeTab(state)
    qtbot.addWidget(tab)
    tab.browser_check.setChecked(False)
    tab.start()
    qtbot.waitUntil(lambda: tab.pending is not None, timeout=TIMEOUT_MS)
    tab.cancel()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    assert not tab.request_box.isHidden()

    state.set_provider(demo_provider(other.issuer))

    assert tab.request_box.isHidden() and not tab.request_hint.isHidden()
    assert tab.request is None and not tab.open_button.isEnabled()


def test_trying_the_previous_one_at_a_server_that_keeps_it(
    qtbot: QtBot, make_demo: Callable[..., DemoServer]
) -> None:
    lenient = make_demo(keep_rotated_refresh_tokens=True)
    state = AppState()
    state.set_provider(demo_provider(lenient.issuer))
    state.set_tokens(alice(state.require_session()), TokenContext(origin="password"))
    tab = RefreshTab(state)
    qtbot.addWidget(tab)
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TIMEOUT_MS):
        tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    previous = tab.previous_field.text()

    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TIMEOUT_MS) as got:
        tab.reuse_button.click()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)
    tokens, context = got.args
    assert context.refreshed_from == previous and context.rotation == "rotated"
    assert tab.meaning_label.text() == PREVIOUS_ACCEPTED
    assert tab.step_label.text() == "Accepted: the server still takes the previous refresh token."
    assert tab.error_banner.isHidden()
    # The new tokens are current; the one just sent is the previous one.
    assert tab.token_edit.text() == tokens.refresh_token != previous
    assert tab.previous_field.text() == previous
    state.close()
