"""After Revoke, the reality check calls both demo APIs: one 200 beside one 401 (issue 10, §1).

Against the real demo server in a thread: the API that verifies JWTs locally still accepts the
revoked token, the API that asks the server refuses it, both calls are in the app's exchange
log with the token masked, and the row is offered only for tokens of the demo server.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.peers import closed_port_url
from workbench.core.oauth.api_call import PURPOSE
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.transport.http import HttpClient
from workbench.demo import DemoServer
from workbench.demo.clients import api_urls
from workbench.ui.inspector import TokenInspector
from workbench.ui.inspector.demo_apis import DemoApiAnswer, call_demo_apis, describe
from workbench.ui.state import AppState, TokenContext

TIMEOUT_MS = 8000
LOCAL_200 = "API that verifies locally: 200 OK — still accepts the revoked token"
INTROSPECTED_401 = "API that asks the server: 401 invalid_token — The token was revoked."


@pytest.fixture
def inspector(qtbot: QtBot, state: AppState) -> TokenInspector:
    widget = TokenInspector(state)
    qtbot.addWidget(widget)
    widget.resize(520, 900)  # the inspector column is narrow in the window
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def tokens(state: AppState) -> TokenSet:
    return state.require_session().password("alice", "alice-password")


def revoke_and_check(qtbot: QtBot, inspector: TokenInspector, tokens: TokenSet) -> None:
    inspector.state.set_tokens(tokens, TokenContext(origin="password"))
    qtbot.waitUntil(
        lambda: inspector.inspection is not None and not inspector.busy, timeout=TIMEOUT_MS
    )
    inspector.revoke_button.click()
    qtbot.waitUntil(
        lambda: inspector.reality.check is not None and not inspector.busy, timeout=TIMEOUT_MS
    )


def answered(inspector: TokenInspector) -> bool:
    return inspector.reality.demo_apis.answered


def test_after_revoke_both_demo_apis_answer_side_by_side(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, demo: DemoServer, tokens: TokenSet
) -> None:
    state.demo_issuer = demo.issuer
    revoke_and_check(qtbot, inspector, tokens)
    row = inspector.reality.demo_apis
    button = inspector.findChild(type(row.button), "realityCallDemoApis")
    assert button is row.button and button.isVisible() and button.isEnabled()
    assert button.text() == "Call both demo APIs"
    assert "locally" in button.toolTip() and "exchange log" in button.toolTip()
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus  # reachable with Tab
    assert row.answer_texts() == {}
    logged_before = len(state.log)

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answered(inspector) and not inspector.busy, timeout=TIMEOUT_MS)

    texts = row.answer_texts()
    assert texts["local"] == LOCAL_200
    assert texts["introspected"] == INTROSPECTED_401
    assert row.answers["local"].property("outcome") == "pass"
    assert row.answers["introspected"].property("outcome") == "fail"
    # Side by side: the same row, the local API on the left.
    local, introspected = row.answers["local"], row.answers["introspected"]
    assert local.geometry().top() == introspected.geometry().top()
    assert local.geometry().right() < introspected.geometry().left()
    assert local.textFormat() == Qt.TextFormat.PlainText
    assert not inspector.error_banner.isVisible()

    # Both requests are in the app's exchange log, the token masked everywhere.
    calls = [e for e in state.log.items()[logged_before:] if e.purpose == PURPOSE]
    urls = api_urls(demo.issuer)
    assert [(e.method, e.url, e.status) for e in calls] == [
        ("GET", urls["local"] + "/me", 200),
        ("GET", urls["introspected"] + "/me", 401),
    ]
    access_token = tokens.access_token
    assert access_token is not None
    for exchange in calls:
        assert access_token not in json.dumps(exchange.to_dict())
        assert access_token not in exchange.curl
        assert exchange.request_headers["Authorization"].startswith("Bearer ")

    # Checking the token again starts afresh: the answers go, the offer stays.
    qtbot.mouseClick(inspector.reality.recheck_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: inspector.reality.check is not None and not inspector.busy, timeout=TIMEOUT_MS
    )
    assert row.answer_texts() == {} and button.isVisible()
    # Another token shown: the reality check, its row with it, is gone.
    assert inspector.select_role("id")
    assert not inspector.reality.isVisible()


def test_the_keyboard_calls_them_too(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, demo: DemoServer, tokens: TokenSet
) -> None:
    state.demo_issuer = demo.issuer
    revoke_and_check(qtbot, inspector, tokens)
    button = inspector.reality.demo_apis.button
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: answered(inspector) and not inspector.busy, timeout=TIMEOUT_MS)
    assert inspector.reality.demo_apis.answer_texts()["local"] == LOCAL_200


def test_no_offer_for_a_token_that_is_not_the_demo_servers(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, tokens: TokenSet
) -> None:
    state.demo_issuer = "https://demo.invalid"  # a demo server runs, but not this token's
    revoke_and_check(qtbot, inspector, tokens)
    assert inspector.reality.isVisible()
    assert not inspector.reality.demo_apis.isVisible()
    assert not inspector.reality.demo_apis.button.isVisible()
    assert inspector.reality.demo_apis.token is None


def test_an_api_that_does_not_answer_is_said_in_words(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, demo: DemoServer, tokens: TokenSet
) -> None:
    state.demo_issuer = demo.issuer
    revoke_and_check(qtbot, inspector, tokens)
    demo.stop()  # the APIs are gone before the button is clicked
    qtbot.mouseClick(inspector.reality.demo_apis.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answered(inspector) and not inspector.busy, timeout=TIMEOUT_MS)
    texts = inspector.reality.demo_apis.answer_texts()
    assert texts["local"].startswith("API that verifies locally: no answer — ")
    assert texts["introspected"].startswith("API that asks the server: no answer — ")
    for label in inspector.reality.demo_apis.answers.values():
        assert label.property("outcome") == "not_checked"
    assert inspector.reality.isVisible()


def test_call_demo_apis_keeps_a_refused_connection_as_an_answer() -> None:
    http = HttpClient()
    answers = call_demo_apis(http, closed_port_url(), "header.payload.signature")
    assert [a.name for a in answers] == ["local", "introspected"]
    for answer in answers:
        assert answer.result is None and answer.error
        assert "header.payload.signature" not in answer.error
        outcome, text = describe(answer, revoked=True)
        assert outcome == "not_checked" and "no answer — " in text


def test_describe_shows_server_text_printable_and_bounded() -> None:
    answer = DemoApiAnswer("introspected", error="refused\x1b[2J" + "x" * 500)
    outcome, text = describe(answer, revoked=False)
    assert outcome == "not_checked"
    assert "\x1b" not in text and "\\e[2J" in text
    assert text.endswith("…") and len(text) < 300
