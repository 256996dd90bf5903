"""Which inspector action is enabled for the shown token, and what its tooltip says when not.

The controller is driven directly with tokens of each kind (decoded locally, no server needed:
enabling an action asks nothing of a server).
"""

from __future__ import annotations

import base64
import json

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from workbench.core.oauth.tokenset import TokenSet
from workbench.ui.inspector import TokenInspector
from workbench.ui.inspector.actions import InspectorActions
from workbench.ui.inspector.entries import Role, ShownToken, TokenEntry, decode_entry
from workbench.ui.state import AppState


def _jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2ln"


ACCESS = _jwt({"sub": "alice", "scope": "api:read"})
ID = _jwt({"sub": "alice", "aud": "cid"})
TOKENS = TokenSet(access_token=ACCESS, id_token=ID, refresh_token="opaque-refresh")


def _shown(role: Role, token: str) -> ShownToken:
    return decode_entry(TokenEntry(role, role, token))


def _controller(
    qtbot: QtBot, shown: ShownToken | None, current: TokenSet | None
) -> InspectorActions:
    host = QWidget()
    qtbot.addWidget(host)
    return InspectorActions(host, lambda: shown, lambda: current)


def test_the_current_access_token_enables_every_server_action(qtbot: QtBot) -> None:
    shown = _shown("access", ACCESS)
    actions = _controller(qtbot, shown, TOKENS)
    actions.update(True, shown, TOKENS, TOKENS)
    for action in (
        actions.refresh,
        actions.revoke,
        actions.revoke_access,
        actions.revoke_refresh,
        actions.introspect,
        actions.userinfo,
        actions.reality,
        actions.copy_bearer,
        actions.bearer_id,
        actions.copy_token,
        actions.copy_claims,
    ):
        assert action.isEnabled(), action.objectName()
    # While an action runs, nothing else that asks the server can start; copying still can.
    actions.update(False, shown, TOKENS, TOKENS)
    assert not any(
        a.isEnabled()
        for a in (actions.refresh, actions.revoke, actions.introspect, actions.userinfo)
    )
    assert not actions.reality.isEnabled()
    assert actions.copy_token.isEnabled() and actions.copy_bearer.isEnabled()


def test_an_id_token_is_not_sent_to_the_reality_check_and_says_why(qtbot: QtBot) -> None:
    shown = _shown("id", ID)
    actions = _controller(qtbot, shown, TOKENS)
    actions.update(True, shown, TOKENS, TOKENS)
    assert not actions.reality.isEnabled()
    assert "ID tokens are not revocable" in actions.reality.toolTip()
    assert actions.userinfo.isEnabled(), "UserInfo uses the current access token"


def test_a_pasted_token_brings_no_refresh_token_and_the_tooltip_says_so(qtbot: QtBot) -> None:
    shown = _shown("pasted", ACCESS)
    actions = _controller(qtbot, shown, TOKENS)
    actions.update(True, shown, None, TOKENS)
    assert not actions.refresh.isEnabled()
    assert "A pasted token brings no refresh token" in actions.refresh.toolTip()
    assert not actions.revoke_access.isEnabled() and not actions.revoke_refresh.isEnabled()
    assert actions.revoke.isEnabled(), "the shown (pasted) token itself can be revoked"


def test_tokens_without_a_refresh_token_say_so(qtbot: QtBot) -> None:
    tokens = TokenSet(access_token=ACCESS)
    shown = _shown("access", ACCESS)
    actions = _controller(qtbot, shown, tokens)
    actions.update(True, shown, tokens, tokens)
    assert not actions.refresh.isEnabled()
    assert actions.refresh.toolTip() == "These tokens came without a refresh token"
    assert not actions.bearer_id.isEnabled()


def test_an_opaque_token_can_be_introspected_but_not_checked_locally(qtbot: QtBot) -> None:
    shown = _shown("refresh", "opaque-refresh")
    actions = _controller(qtbot, shown, TOKENS)
    actions.update(True, shown, TOKENS, TOKENS)
    assert actions.introspect.isEnabled()
    assert not actions.reality.isEnabled() and not actions.copy_claims.isEnabled()


def test_bearer_falls_back_to_the_access_token_when_the_id_token_is_gone(qtbot: QtBot) -> None:
    shown = _shown("access", ACCESS)
    current: list[TokenSet] = [TOKENS]
    host = QWidget()
    qtbot.addWidget(host)
    actions = InspectorActions(host, lambda: shown, lambda: current[0])
    copied: list[str] = []
    actions.sig_copied.connect(copied.append)
    actions.copy_as_bearer("id")
    assert actions.bearer_role == "id" and actions.copy_bearer.text() == "Copy as Bearer (ID token)"
    assert copied == ["Copied “Authorization: Bearer …” with the ID token."]
    current[0] = TokenSet(access_token=ACCESS)
    actions.update(True, shown, current[0], current[0])
    assert actions.bearer_role == "access" and actions.copy_bearer.text() == "Copy as Bearer"
    assert actions.bearer_access.isChecked()


def test_nothing_shown_enables_nothing_but_paste(qtbot: QtBot) -> None:
    actions = _controller(qtbot, None, None)
    actions.update(True, None, None, None)
    enabled = [a.objectName() for a in actions.findChildren(type(actions.paste)) if a.isEnabled()]
    assert enabled == ["actionPasteToken", "actionBearerAccess"]


def test_the_panel_carries_the_actions_so_their_shortcuts_work_in_the_window(
    qtbot: QtBot,
) -> None:
    state = AppState()
    inspector = TokenInspector(state)
    qtbot.addWidget(inspector)
    names = {a.objectName() for a in inspector.actions()}
    assert {
        "actionRefreshTokens",
        "actionRevoke",
        "actionRealityCheck",
        "actionPasteToken",
    } <= names
    assert inspector.token_actions.refresh is inspector.act_refresh
    state.close()
