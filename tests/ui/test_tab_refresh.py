"""RefreshTab against the demo server, which rotates refresh tokens on every use."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from workbench.core.model import RefreshResult
from workbench.core.oauth.tokenset import TokenSet
from workbench.ui import metrics
from workbench.ui.flows.refresh import PREVIOUS_REFUSED, RefreshTab, preview
from workbench.ui.state import AppState, TokenContext

TOKEN_TIMEOUT_MS = 5000


@pytest.fixture
def signed_in(state: AppState) -> TokenSet:
    """alice's tokens with a refresh token, as the password tab would leave them."""
    tokens = state.require_session().password("alice", "alice-password")
    assert tokens.refresh_token
    state.set_tokens(tokens, TokenContext(origin="password"))
    return tokens


def test_field_follows_the_current_tokens(qtbot: QtBot, state: AppState) -> None:
    tab = RefreshTab(state)
    qtbot.addWidget(tab)
    assert tab.token_edit.text() == "" and tab.scope_edit.text() == ""
    assert tab.extra_params.isVisibleTo(tab)  # refresh requests take extra parameters too
    state.set_tokens(TokenSet(access_token="a", refresh_token="r-1"), TokenContext("pasted"))
    assert tab.token_edit.text() == "r-1"
    state.set_tokens(TokenSet(access_token="b"), TokenContext("client_credentials"))
    assert tab.token_edit.text() == ""


def test_rotation_then_reusing_the_previous_token_is_invalid_grant(
    qtbot: QtBot, state: AppState, signed_in: TokenSet
) -> None:
    old = signed_in.refresh_token or ""
    tab = RefreshTab(state)
    qtbot.addWidget(tab)
    assert tab.token_edit.text() == old
    assert not tab.reuse_button.isEnabled() and tab.result_frame.isHidden()

    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TOKEN_TIMEOUT_MS) as got:
        tab.start()
    tokens, context = got.args
    assert isinstance(tokens, TokenSet)
    qtbot.waitUntil(lambda: not tab.busy)
    new = tokens.refresh_token
    assert context.origin == "refresh_token" and context.rotation == "rotated"
    assert new and new != old and state.tokens is tokens
    assert tokens.access_token != signed_in.access_token
    assert tab.rotation_label.text().startswith("Rotated: a new refresh token was issued")
    assert tab.result_frame.isVisibleTo(tab)
    assert tab.sent_label.text() == old[: metrics.TOKEN_PREVIEW_CHARS] + "…"
    assert tab.returned_label.text() == new[: metrics.TOKEN_PREVIEW_CHARS] + "…"
    assert tab.previous_field.text() == old
    assert tab.token_edit.text() == new

    assert "Try the previous one" in tab.meaning_label.text()

    # Trying the previous one sends it once; the field keeps the current (valid) token.
    with qtbot.assertNotEmitted(state.sig_tokens_changed, wait=0):
        tab.reuse_button.click()
        assert tab.token_edit.text() == new
        qtbot.waitUntil(lambda: not tab.busy, timeout=TOKEN_TIMEOUT_MS)
    assert tab.error_banner.isVisibleTo(tab)
    assert "invalid_grant (HTTP 400)" in tab.error_banner.text()
    assert tab.step_label.text() == (
        "Refused: the server no longer accepts the previous refresh token."
    )
    assert tab.result_frame.isVisibleTo(tab)
    assert tab.rotation_label.text() == "The previous refresh token no longer works"
    assert tab.meaning_label.text() == PREVIOUS_REFUSED
    assert tab.sent_label.text() == preview(old)
    assert state.tokens is tokens  # the rotated set stays current
    assert tab.token_edit.text() == new and tab.previous_field.text() == old
    form = [e for e in state.log.items() if e.purpose == "token (refresh_token)"][-1].request_form
    assert form is not None and form["grant_type"] == "refresh_token"


def test_no_refresh_token_returned_keeps_the_old_one(
    qtbot: QtBot, state: AppState, signed_in: TokenSet
) -> None:
    """The demo server always rotates, so the server's answer is a real refresh response with
    its refresh token taken out, handed to the tab as the worker would."""
    old = signed_in.refresh_token or ""
    refreshed = state.require_session().refresh(old)
    answer = RefreshResult.of(old, replace(refreshed.tokens, refresh_token=None))
    assert answer.rotation == "not_returned"
    tab = RefreshTab(state)
    qtbot.addWidget(tab)
    with qtbot.waitSignal(state.sig_tokens_changed) as got:
        tab.apply_result(answer, old)
    tokens, context = got.args
    assert isinstance(tokens, TokenSet)
    assert context.rotation == "not_returned"
    assert tokens.refresh_token == old and tokens.access_token == refreshed.tokens.access_token
    assert tab.rotation_label.text().startswith("No refresh token returned")
    assert tab.returned_label.text() == preview(None) == "(none)"
    assert tab.token_edit.text() == old


def test_empty_field_explains_what_to_do(qtbot: QtBot, state: AppState) -> None:
    tab = RefreshTab(state)
    qtbot.addWidget(tab)
    tab.start()
    assert not tab.busy
    assert "No refresh token" in tab.error_banner.text()
    assert tab.error_banner.isVisibleTo(tab)
