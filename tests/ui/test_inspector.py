"""The token inspector against the real demo server: claims, checks, actions, reality check."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QTextDocumentFragment
from pytestqt.qtbot import QtBot

from tests.peers import closed_port_url
from tests.ui.conftest import demo_provider
from workbench.core.model import Provider, RealityCheck, ServerVerdict
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.checks import inspect_token
from workbench.core.tokens.claims import CLAIM_MEANINGS, format_local
from workbench.core.tokens.findings import Finding, Inspection, Outcome
from workbench.demo import CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, DemoServer
from workbench.ui.inspector import ClaimsTableModel, TokenInspector
from workbench.ui.inspector.claims_model import InvalidRole, RawValueRole
from workbench.ui.inspector.reality import SELF_CONTAINED
from workbench.ui.state import AppState, TokenContext

CHECK_TIMEOUT_MS = 8000


@pytest.fixture
def inspector(qtbot: QtBot, state: AppState) -> TokenInspector:
    widget = TokenInspector(state)
    qtbot.addWidget(widget)
    widget.resize(760, 820)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def tokens(state: AppState) -> TokenSet:
    """Access, ID and refresh tokens for alice (the test is not the GUI: a blocking call)."""
    return state.require_session().password("alice", "alice-password")


def wait_idle(qtbot: QtBot, inspector: TokenInspector) -> None:
    qtbot.waitUntil(lambda: not inspector.busy, timeout=CHECK_TIMEOUT_MS)


def wait_checked(qtbot: QtBot, inspector: TokenInspector) -> None:
    qtbot.waitUntil(
        lambda: inspector.inspection is not None and not inspector.busy, timeout=CHECK_TIMEOUT_MS
    )


def tampered(token: str) -> str:
    """The same token with ``sub`` changed and the original signature kept."""
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


def cell(model: ClaimsTableModel, name: str, column: int, role: int = 0) -> object:
    row = model.find(name)
    assert row >= 0, f"{name} not in {model.names()}"
    return model.index(row, column).data(role or Qt.ItemDataRole.DisplayRole)


# -- claims and checks -----------------------------------------------------------------------


def test_claims_show_at_once_with_meanings_and_human_times(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, tokens: TokenSet
) -> None:
    state.set_tokens(tokens, TokenContext(origin="password"))

    # Decoding is synchronous: the table is full before the checks come back.
    model = inspector.claims_model
    assert inspector.findings.state == "checking"
    assert inspector.picker.currentText().startswith("Access token — JWT · RS256")
    assert {"iss", "sub", "exp", "iat"} <= set(model.names())
    assert cell(model, "iss", ClaimsTableModel.VALUE) == state.require_session().metadata().issuer
    assert cell(model, "iss", ClaimsTableModel.MEANING) == CLAIM_MEANINGS["iss"]
    assert cell(model, "sub", ClaimsTableModel.MEANING) == CLAIM_MEANINGS["sub"]
    exp = cell(model, "exp", ClaimsTableModel.VALUE, RawValueRole)
    assert isinstance(exp, int)
    exp_text = str(cell(model, "exp", ClaimsTableModel.VALUE))
    # The relative time first: a narrow column cuts the date, never the countdown.
    assert exp_text.startswith(("in 4 min", "in 5 min"))
    assert exp_text.endswith(f"({format_local(exp)})")
    assert cell(model, "exp", ClaimsTableModel.MEANING) == CLAIM_MEANINGS["exp"]
    tooltip = str(cell(model, "exp", ClaimsTableModel.VALUE, Qt.ItemDataRole.ToolTipRole))
    assert f"Raw JSON value:\n{exp}" in tooltip
    assert inspector.countdown.isVisible() and not inspector.countdown.is_expired()
    assert inspector.countdown.text().startswith("expires in")

    wait_checked(qtbot, inspector)
    for check in ("signature", "iss", "exp", "aud"):
        assert inspector.findings.outcome(check) == "pass", inspector.findings.reason(check)
    assert "valid RS256 signature" in inspector.findings.reason("signature")
    assert inspector.findings.outcome("nonce") == "not_checked"
    assert inspector.verdict.property("outcome") == "pass"
    assert inspector.findings.outcome("keys") == "pass"  # the demo JWKS holds public keys only
    assert "Signature valid" in inspector.verdict.text()
    assert inspector.tabs.tabText(inspector.tab_checks) == "Checks (✓6)"

    inspector.tabs.setCurrentIndex(inspector.tab_json)
    raw = json.loads(inspector.raw_json.toPlainText())
    assert raw["header"]["typ"] == "at+jwt" and raw["claims"]["sub"] == "u-7f3a9c2e"
    assert inspector.raw_json.isReadOnly()


def test_id_token_is_checked_with_the_access_token_and_nonce(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, tokens: TokenSet
) -> None:
    # The password grant sends no nonce; pretend the flow did, with the token's own value missing,
    # so the nonce check must fail while at_hash passes.
    state.set_tokens(tokens, TokenContext(origin="password", nonce="n-expected"))
    wait_checked(qtbot, inspector)
    assert inspector.select_role("id")
    assert inspector.picker.currentText().startswith("ID token")
    wait_checked(qtbot, inspector)
    assert inspector.findings.outcome("at_hash") == "pass"
    assert inspector.findings.outcome("aud") == "pass"
    assert inspector.findings.outcome("nonce") == "fail"
    assert "no nonce claim" in inspector.findings.reason("nonce")
    assert inspector.verdict.property("outcome") == "fail"
    assert "nonce" in inspector.verdict.text() and "signature valid" in inspector.verdict.text()


def test_pasted_tampered_token_fails_the_signature(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, tokens: TokenSet
) -> None:
    state.set_tokens(tokens, TokenContext(origin="password"))
    wait_checked(qtbot, inspector)
    assert tokens.access_token is not None
    forged = tampered(tokens.access_token)

    state.sig_inspect_token.emit(forged)

    assert inspector.picker.currentText().startswith("Pasted — JWT")
    assert cell(inspector.claims_model, "sub", ClaimsTableModel.VALUE) == "admin"
    wait_checked(qtbot, inspector)
    assert inspector.findings.outcome("signature") == "fail"
    assert "signature does not match" in inspector.findings.reason("signature")
    assert inspector.verdict.property("outcome") == "fail"
    assert "Signature invalid" in inspector.verdict.text()
    # The current tokens stay in the picker beside the pasted one.
    assert [e.role for e in inspector.entries()] == ["access", "id", "refresh", "pasted"]


def test_paste_box_decodes_what_is_typed(qtbot: QtBot, inspector: TokenInspector) -> None:
    QGuiApplication.clipboard().setText("Bearer not-a-jwt-but-an-opaque-handle")
    inspector.act_paste.trigger()
    assert inspector.paste_frame.isVisible()
    assert inspector.shown is not None and inspector.shown.kind == "opaque"

    inspector.paste_edit.setPlainText("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.!!")
    qtbot.waitUntil(lambda: inspector.shown is not None and inspector.shown.kind == "malformed")
    assert inspector.verdict.text() == "✗ Not a readable token"
    assert "base64url" in inspector.note.text()
    assert not inspector.tabs.isVisible()


def test_opaque_token_is_shown_as_opaque_with_introspection(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, tokens: TokenSet
) -> None:
    state.set_tokens(tokens, TokenContext(origin="password"))
    wait_checked(qtbot, inspector)
    assert inspector.select_role("refresh")

    assert inspector.shown is not None and inspector.shown.kind == "opaque"
    assert inspector.picker.currentText() == "Refresh token — opaque"
    assert [c.text() for c in inspector.chips if c.isVisible()] == ["opaque"]
    assert "Only the server that issued it can say anything" in inspector.note.text()
    assert not inspector.tabs.isVisible()
    assert inspector.opaque_introspect.isVisible()
    assert not inspector.act_reality.isEnabled()

    qtbot.mouseClick(inspector.opaque_introspect, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, inspector)
    assert inspector.result_view.chip.text() == "active: true"
    assert inspector.result_view.chip_outcome() == "pass"
    assert '"active": true' in inspector.result_view.json.toPlainText()


def test_without_a_provider_only_local_checks_run(qtbot: QtBot, tokens: TokenSet) -> None:
    bare = AppState()
    widget = TokenInspector(bare)
    qtbot.addWidget(widget)
    assert widget.picker.placeholderText().startswith("No token yet")
    assert tokens.access_token is not None
    widget.show_token(tokens.access_token)
    assert widget.inspection is not None  # no worker needed
    assert widget.findings.outcome("signature") == "not_checked"
    assert "choose a provider" in widget.findings.reason("signature")
    assert widget.findings.outcome("exp") == "pass"
    widget.refresh()  # no tokens in the state: nothing happens
    assert not widget.busy

    # A token whose exp is not a time: flagged in the table, the card and the checks.
    head = base64.urlsafe_b64encode(b'{"alg":"HS256"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(b'{"exp":"soon"}').rstrip(b"=").decode()
    widget.show_token(f"{head}.{body}.c2ln")
    assert widget.claims_model.index(0, 1).data(InvalidRole) is True
    assert widget.expiry_label.text().startswith("Invalid exp (not a number")
    assert not widget.countdown.isVisibleTo(widget)
    assert widget.findings.outcome("exp") == "fail"
    bare.close()


def test_shortcuts_reach_the_actions(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, tokens: TokenSet
) -> None:
    state.set_tokens(tokens, TokenContext(origin="password"))
    wait_checked(qtbot, inspector)
    inspector.activateWindow()
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(inspector.picker, Qt.Key.Key_B, ctrl_shift)
    assert QGuiApplication.clipboard().text() == f"Authorization: Bearer {tokens.access_token}"
    assert "(Ctrl+Shift+B)" in inspector.bearer_button.toolTip()
    qtbot.keyClick(inspector.picker, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert inspector.busy  # introspection started in a worker
    wait_idle(qtbot, inspector)
    assert inspector.result_view.chip.text() == "active: true"


def test_claims_model_flags_invalid_values() -> None:
    model = ClaimsTableModel()
    model.set_claims({"exp": "tomorrow", "iat": 1_700_000_000, "x": {"a": [1, 2]}}, 1_700_000_060)
    exp_row = model.find("exp")
    value = model.index(exp_row, ClaimsTableModel.VALUE)
    assert value.data(InvalidRole) is True
    assert str(value.data()).startswith("⚠ invalid time: not a number")
    assert "Invalid exp" in str(value.data(Qt.ItemDataRole.ToolTipRole))
    assert str(model.index(model.find("iat"), 1).data()).startswith("1 min ago (")
    assert model.index(model.find("x"), 1).data() == '{"a":[1,2]}'
    model.refresh_times(1_700_000_000 + 3600)
    assert str(model.index(model.find("iat"), 1).data()).startswith("1 h ago (")


# -- actions ---------------------------------------------------------------------------------


def test_refresh_updates_the_state_and_shows_rotation(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, tokens: TokenSet
) -> None:
    state.set_tokens(tokens, TokenContext(origin="password"))
    wait_checked(qtbot, inspector)

    with qtbot.waitSignal(inspector.sig_action_finished, timeout=CHECK_TIMEOUT_MS) as done:
        qtbot.mouseClick(inspector.refresh_button, Qt.MouseButton.LeftButton)
    assert done.args == ["refresh"]

    assert state.tokens is not None and state.context is not None
    assert state.tokens.access_token != tokens.access_token
    assert state.tokens.refresh_token not in (None, tokens.refresh_token)
    assert state.context.origin == "refresh_token" and state.context.rotation == "rotated"
    assert inspector.result_view.chip.text() == "rotated"
    assert "a new refresh token was issued" in inspector.result_view.message.text()
    # The inspector follows the new tokens.
    shown = inspector.shown
    assert shown is not None and shown.entry.token == state.tokens.access_token
    wait_checked(qtbot, inspector)


def test_revoke_shows_the_reality_check(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, tokens: TokenSet
) -> None:
    """THE acceptance test: revoked at the server, still valid locally, side by side."""
    state.set_tokens(tokens, TokenContext(origin="password"))
    wait_checked(qtbot, inspector)
    assert not inspector.reality.isVisible()

    inspector.revoke_button.click()  # the shown token is the access token
    qtbot.waitUntil(
        lambda: inspector.reality.check is not None and not inspector.busy,
        timeout=CHECK_TIMEOUT_MS,
    )

    panel = inspector.reality
    assert panel.isVisible()
    assert panel.local_text().startswith("Local check: signature valid, expires in")
    assert panel.local_text().endswith("(local)")
    assert panel.server_text() == "Server: inactive (introspection)"
    assert panel.check is not None and panel.check.contradiction
    assert panel.explanation_text() == SELF_CONTAINED
    assert panel.sign.text() == "≠"
    assert panel.local.property("outcome") == "pass"
    assert panel.server.property("outcome") == "fail"
    assert "revoked at" in panel.token_label.text()
    assert inspector.picker.currentText().endswith("· revoked")
    assert "revoked" in [c.text() for c in inspector.chips if c.isVisible()]

    # UserInfo with the revoked token: the server's 401, shown as the answer.
    qtbot.mouseClick(inspector.userinfo_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, inspector)
    assert inspector.result_view.chip.text() == "401 Unauthorized"
    assert inspector.result_view.chip_outcome() == "fail"
    assert "invalid_token" in inspector.result_view.json.toPlainText()
    assert not inspector.error_banner.isVisible()

    # "Check again" re-runs it; the local side is still live.
    qtbot.mouseClick(panel.recheck_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: panel.check is not None and not inspector.busy, timeout=CHECK_TIMEOUT_MS
    )
    assert panel.server_text() == "Server: inactive (introspection)"


def test_reality_check_falls_back_to_userinfo(
    qtbot: QtBot, demo: DemoServer, tokens: TokenSet
) -> None:
    """A provider without introspection: the server's verdict is UserInfo's 401."""
    meta = AppState()
    endpoints = {
        name: demo.url(key)
        for name, key in (
            ("token_endpoint", "token"),
            ("revocation_endpoint", "revocation"),
            ("userinfo_endpoint", "userinfo"),
            ("jwks_uri", "jwks"),
        )
    }
    client = ClientConfig(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)
    meta.set_provider(Provider(client=client, endpoints=endpoints, name="Manual"))
    widget = TokenInspector(meta)
    qtbot.addWidget(widget)
    meta.set_tokens(tokens, TokenContext(origin="password"))
    wait_checked(qtbot, widget)

    widget.revoke("access")
    qtbot.waitUntil(
        lambda: widget.reality.check is not None and not widget.busy, timeout=CHECK_TIMEOUT_MS
    )
    assert widget.reality.server_text() == "Server: 401 at UserInfo"
    assert widget.reality.local_text().startswith("Local check: signature valid")
    meta.close()


def test_revoke_the_refresh_token_then_introspect_it(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, tokens: TokenSet
) -> None:
    state.set_tokens(tokens, TokenContext(origin="password"))
    wait_checked(qtbot, inspector)
    inspector.act_revoke_refresh.trigger()
    wait_idle(qtbot, inspector)
    assert inspector.result_view.title.text() == "Revoked the refresh token"
    assert "token_type_hint=refresh_token" in inspector.result_view.message.text()
    assert not inspector.reality.isVisible()

    assert inspector.select_role("refresh")
    inspector.act_introspect.trigger()
    wait_idle(qtbot, inspector)
    assert inspector.result_view.chip.text() == "active: false"
    assert inspector.result_view.chip_outcome() == "fail"


def test_server_errors_are_shown_inline(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, tokens: TokenSet
) -> None:
    # A refresh token the server never issued: invalid_grant, in the banner.
    state.set_tokens(
        TokenSet(access_token=tokens.access_token, refresh_token="never-issued"),
        TokenContext(origin="pasted"),
    )
    wait_checked(qtbot, inspector)
    inspector.refresh()
    wait_idle(qtbot, inspector)
    assert inspector.error_banner.isVisible()
    assert "invalid_grant" in inspector.error_banner.text()
    assert not inspector.result_view.isVisible()
    assert inspector.refresh_button.isEnabled()


def test_copy_as_bearer_access_or_id_token(
    qtbot: QtBot, inspector: TokenInspector, state: AppState, tokens: TokenSet
) -> None:
    state.set_tokens(tokens, TokenContext(origin="password"))
    wait_checked(qtbot, inspector)
    clipboard = QGuiApplication.clipboard()

    qtbot.mouseClick(inspector.bearer_button, Qt.MouseButton.LeftButton)
    assert clipboard.text() == f"Authorization: Bearer {tokens.access_token}"
    assert inspector.bearer_role == "access"

    inspector.act_bearer_id.trigger()  # the menu choice copies and is remembered
    assert clipboard.text() == f"Authorization: Bearer {tokens.id_token}"
    clipboard.clear()
    inspector.act_copy_bearer.trigger()
    assert clipboard.text() == f"Authorization: Bearer {tokens.id_token}"
    assert "ID token" in inspector.status_label.text()

    inspector.copy_token()
    assert clipboard.text() == tokens.access_token
    inspector.copy_claims()
    assert json.loads(clipboard.text())["sub"] == "u-7f3a9c2e"


def test_countdown_turns_expired_by_itself(
    qtbot: QtBot, make_demo: Callable[..., DemoServer]
) -> None:
    server = make_demo(access_token_ttl=1)
    short = AppState()
    short.set_provider(demo_provider(server.issuer))
    widget = TokenInspector(short)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    fresh = short.require_session().client_credentials()
    short.set_tokens(fresh, TokenContext(origin="client_credentials"))
    wait_checked(qtbot, widget)

    # No click, no call: the countdown's own timer turns it expired (TTL 1 s).
    qtbot.waitUntil(widget.countdown.is_expired, timeout=3000)
    assert widget.countdown.property("expired") is True
    assert widget.countdown.text().startswith("expired")
    assert widget.findings.outcome("exp") == "fail"
    assert widget.verdict.property("outcome") == "fail"
    short.close()


@pytest.fixture(autouse=True)
def _clean_clipboard() -> Iterator[None]:
    yield
    QGuiApplication.clipboard().clear()


# -- hostile tokens (issue 7) ----------------------------------------------------------------

FAKE_LINK = '<b><a href="x">PASS</a></b>'
HOSTILE_CLAIMS = {
    "sub": "\x1b[2J",
    "note": "line one\rPASS",
    "rtl": "\u202eevil",
    "html": FAKE_LINK,
    "<b>claim</b>": 1,
}


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def hostile_token() -> str:
    header = {"alg": "RS256", "typ": "<b>JWT</b>\x1b[31m", "kid": "\u202ek1"}
    return f"{b64(header)}.{b64(HOSTILE_CLAIMS)}.c2ln"


def plain(tip: object) -> str:
    """A tooltip as the reader sees it (they reach Qt as escaped rich text)."""
    text = str(tip)
    assert text.startswith("<p style='white-space:pre-wrap'>")
    return QTextDocumentFragment.fromHtml(text).toPlainText()


def test_hostile_claims_show_as_visible_escapes_and_literal_text(qtbot: QtBot) -> None:
    bare = AppState()
    widget = TokenInspector(bare)
    qtbot.addWidget(widget)
    widget.show_token(hostile_token())
    model = widget.claims_model
    value = ClaimsTableModel.VALUE

    assert cell(model, "sub", value) == "\\e[2J"
    assert cell(model, "note", value) == "line one\\rPASS"
    assert cell(model, "rtl", value) == "\\u202eevil"
    assert cell(model, "html", value) == FAKE_LINK  # item views draw text, never markup
    assert "<b>claim</b>" in [
        model.index(r, ClaimsTableModel.CLAIM).data() for r in range(model.rowCount())
    ]
    # Tooltips: rich text whose markup is escaped, so the fake link reads as typed.
    html_tip = str(cell(model, "html", value, Qt.ItemDataRole.ToolTipRole))
    assert "<b>" not in html_tip and "&lt;b&gt;&lt;a href=" in html_tip
    assert plain(html_tip) == 'Raw JSON value:\n"<b><a href=\\"x\\">PASS</a></b>"'
    assert plain(cell(model, "rtl", value, Qt.ItemDataRole.ToolTipRole)).endswith('"\\u202eevil"')
    claim_tip = model.index(model.find("<b>claim</b>"), ClaimsTableModel.CLAIM).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert plain(claim_tip) == "<b>claim</b>"
    every = [
        str(model.index(r, c).data(role))
        for r in range(model.rowCount())
        for c in range(model.columnCount())
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
    ]
    assert not any(ch in text for text in every for ch in "\x1b\r\u202e")

    # The header's typ and kid, the chips and the JSON tab: escaped, plain text.
    chips = [c for c in widget.chips if c.text()]
    assert [c.text() for c in chips] == ["JWT", "RS256", "<b>JWT</b>\\e[31m"]
    assert all(c.textFormat() == Qt.TextFormat.PlainText for c in widget.chips)
    assert cell(widget.header_model, "kid", value) == "\\u202ek1"
    widget.tabs.setCurrentIndex(widget.tab_json)  # the JSON tab is written when opened
    shown_json = widget.raw_json.toPlainText()
    assert "\\u202eevil" in shown_json and "\u202e" not in shown_json
    # Copy value still copies the claim exactly.
    row = widget.claims_proxy.mapFromSource(model.index(model.find("rtl"), value))
    widget.claims_table.setCurrentIndex(row)
    widget.claims_table.findChild(QAction, "inspectorClaimsTableCopyValue").trigger()
    assert QGuiApplication.clipboard().text() == "\u202eevil"
    # No provider: the signature is not checked, and nothing says it is valid.
    assert widget.verdict.property("outcome") == "not_checked"
    assert "valid" not in widget.verdict.text()
    bare.close()


def _with_signature(token: str, outcome: Outcome, reason: str) -> Inspection:
    """The local inspection of ``token`` with every check passing but the signature's."""
    local = inspect_token(token)
    findings = tuple(
        Finding(f.check, outcome, reason)
        if f.check == "signature"
        else Finding(f.check, Outcome.PASS, "fine")
        for f in local.findings
    )
    return replace(local, findings=findings)


@pytest.mark.parametrize(
    ("outcome", "reason", "verdict", "head"),
    [
        (
            Outcome.FAIL,
            "not verified: the issuer's keys could not be fetched (timed out)",
            "fail",
            "✗ Signature not verified",
        ),
        (Outcome.FAIL, "signature does not match the key", "fail", "✗ Signature invalid"),
        (Outcome.NOT_CHECKED, "no issuer keys", "not_checked", "– Signature not checked"),
    ],
)
def test_the_verdict_is_never_valid_unless_the_signature_passed(
    qtbot: QtBot, tokens: TokenSet, outcome: Outcome, reason: str, verdict: str, head: str
) -> None:
    bare = AppState()
    widget = TokenInspector(bare)
    qtbot.addWidget(widget)
    assert tokens.access_token is not None
    widget.show_token(tokens.access_token)
    inspection = _with_signature(tokens.access_token, outcome, reason)
    widget.show_checks(inspection)

    # Every other check passed: still no "valid" and no pass colour on the summary.
    assert widget.findings.outcome("signature") == outcome.value
    assert widget.findings.reason("signature") == reason
    assert widget.verdict.text().startswith(head)
    assert "signature valid" not in widget.verdict.text().lower()
    assert "✓" not in widget.verdict.text()
    assert widget.verdict.property("outcome") == verdict
    assert widget.findings.rows["signature"].property("outcome") == outcome.value

    # The reality check's local side says the same, and agreeing on "inactive" is not green.
    server = ServerVerdict(active=False, source="introspection", detail="active: false")
    widget.reality.show_result(RealityCheck(inspection, server), "Access token", "t")
    assert widget.reality.local.headline.text() == head
    assert widget.reality.local.property("outcome") == verdict
    assert widget.reality.sign.text() == "="
    assert widget.reality.sign.property("outcome") != "pass"
    assert not any(
        label.property("outcome") == "pass"
        for label in (widget.verdict, widget.reality.local, widget.reality.local.headline)
    )
    bare.close()


def test_an_unreachable_provider_fails_the_signature_check(qtbot: QtBot, tokens: TokenSet) -> None:
    """Verification was asked for (a provider is chosen) but its keys cannot be had."""
    away = AppState()
    away.set_provider(demo_provider(closed_port_url()))
    widget = TokenInspector(away)
    qtbot.addWidget(widget)
    assert tokens.access_token is not None
    widget.show_token(tokens.access_token)
    wait_checked(qtbot, widget)
    assert widget.findings.outcome("signature") == "fail"
    assert widget.findings.reason("signature").startswith(
        "not verified: the issuer's keys could not be fetched (Connection to"
    )
    assert widget.findings.outcome("keys") == "fail"
    assert widget.verdict.text().startswith("✗ Signature not verified")
    assert widget.verdict.property("outcome") == "fail"
    away.close()
