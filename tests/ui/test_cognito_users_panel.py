"""The Cognito tab's test users panel against moto's real Cognito server.

moto confirms a sign-up whatever the code (it sends none), so the panel's Confirm is checked for
going through and the user ending CONFIRMED, not for a wrong code being refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from itertools import pairwise

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.cognito_peer import MotoPool
from workbench.core.cognito.auth import CognitoAuth
from workbench.core.oauth.tokenset import TokenSet
from workbench.ui import workers
from workbench.ui.cognito.tab import CognitoTab
from workbench.ui.state import AppState

TIMEOUT_MS = 10_000
TEMP = "Panel-Temp-Passw0rd!"
FINAL = "Panel-Final-Passw0rd!"
SIGNUP = "Panel-Sign-Up-Passw0rd!"


@pytest.fixture(autouse=True)
def settled(qtbot: QtBot) -> Iterator[None]:
    yield
    qtbot.waitUntil(lambda: not workers.active(), timeout=TIMEOUT_MS)


@pytest.fixture
def app_state() -> Iterator[AppState]:
    state = AppState()
    yield state
    state.close()


@pytest.fixture
def tab(qtbot: QtBot, app_state: AppState) -> CognitoTab:
    widget = CognitoTab(app_state)
    qtbot.addWidget(widget)
    return widget


def wait_idle(qtbot: QtBot, tab: CognitoTab) -> None:
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT_MS)


def click(qtbot: QtBot, tab: CognitoTab, button: QPushButton) -> None:
    assert button.isEnabled()
    button.click()
    wait_idle(qtbot, tab)
    assert not tab.error_banner.isVisibleTo(tab), tab.error_banner.text()


def signs_in(moto: MotoPool, username: str, password: str) -> bool:
    auth = CognitoAuth(moto.describe())
    try:
        return isinstance(auth.sign_in(username, password, "USER_PASSWORD_AUTH"), TokenSet)
    finally:
        auth.close()


def test_create_set_password_list_and_delete_with_confirmation(
    qtbot: QtBot, tab: CognitoTab, make_pool: Callable[..., MotoPool]
) -> None:
    moto = make_pool(secret=True)
    tab.set_pool(moto.describe())
    panel = tab.users
    panel.toggle.click()
    assert panel.content.isVisibleTo(tab)

    click(qtbot, tab, panel.list_button)
    assert panel.listed_names() == ["alice"]
    assert panel.result_label.text() == "1 user in the pool."

    panel.username_edit.setText("tester1")
    panel.password_edit.setText(TEMP)
    panel.email_edit.setText("tester1@example.com")
    click(qtbot, tab, panel.create_button)
    assert sorted(panel.listed_names()) == ["alice", "tester1"]
    assert panel.password_edit.text() == ""  # the password is for one call only
    assert "Created tester1" in panel.result_label.text()

    panel.password_edit.setText(FINAL)
    panel.permanent_check.setChecked(True)
    click(qtbot, tab, panel.set_password_button)
    row = panel.users_tree.findItems("tester1", Qt.MatchFlag.MatchExactly, 0)[0]
    assert row.text(1) == "CONFIRMED" and row.text(2) == "tester1@example.com"
    assert signs_in(moto, "tester1", FINAL)

    # Picking a user in the list makes it the user of the fields.
    alice = panel.users_tree.findItems("alice", Qt.MatchFlag.MatchExactly, 0)[0]
    panel.users_tree.setCurrentItem(alice)
    assert panel.username == "alice"
    panel.users_tree.setCurrentItem(row)
    assert panel.username == "tester1"

    # Delete asks first; Cancel deletes nothing.
    panel.delete_button.click()
    box = panel.confirm_box
    assert box is not None and box.isVisible() and "tester1" in box.text()
    cancel = box.findChild(QPushButton, "cognitoConfirmDeleteUserCancel")
    assert cancel is not None and box.defaultButton() is cancel
    cancel.click()
    qtbot.waitUntil(lambda: panel.confirm_box is None)
    assert "Nothing deleted" in panel.result_label.text()
    assert len(moto.admin.list_users(UserPoolId=moto.pool_id)["Users"]) == 2

    panel.delete_button.click()
    box = panel.confirm_box
    assert box is not None
    yes = box.findChild(QPushButton, "cognitoConfirmDeleteUserYes")
    assert yes is not None
    yes.click()
    qtbot.waitUntil(lambda: panel.listed_names() == ["alice"], timeout=TIMEOUT_MS)
    wait_idle(qtbot, tab)
    assert "Deleted tester1" in panel.result_label.text()

    logged = json.dumps([ex.to_dict() for ex in tab.state.log.items()], default=str)
    assert "AdminCreateUser" in logged and "AdminDeleteUser" in logged
    assert TEMP not in logged and FINAL not in logged


def test_sign_up_then_confirm_and_errors_in_the_banner(
    qtbot: QtBot, tab: CognitoTab, make_pool: Callable[..., MotoPool]
) -> None:
    moto = make_pool(secret=True)
    tab.set_pool(moto.describe())
    panel = tab.users
    panel.toggle.click()
    panel.username_edit.setText("selfserve")
    panel.password_edit.setText(SIGNUP)
    click(qtbot, tab, panel.sign_up_button)
    assert "Signed up selfserve: not confirmed yet" in panel.result_label.text()

    panel.confirm_button.click()  # no code: said in the banner, nothing sent
    assert tab.error_banner.isVisibleTo(tab) and "Code field" in tab.error_banner.text()
    assert not tab.busy

    panel.code_edit.setText("112233")
    click(qtbot, tab, panel.confirm_button)
    assert "Confirmed selfserve" in panel.result_label.text()
    assert panel.code_edit.text() == ""
    assert signs_in(moto, "selfserve", SIGNUP)

    # Cognito's refusal, with its advice, in the tab's banner.
    panel.password_edit.setText(SIGNUP)
    panel.sign_up_button.click()
    qtbot.waitUntil(lambda: tab.error_banner.isVisibleTo(tab), timeout=TIMEOUT_MS)
    wait_idle(qtbot, tab)
    assert "already in the pool" in tab.error_banner.text()

    logged = json.dumps([ex.to_dict() for ex in tab.state.log.items()], default=str)
    assert "cognito-idp SignUp" in logged and "cognito-idp ConfirmSignUp" in logged
    assert SIGNUP not in logged and "112233" not in logged
    assert (moto.client_secret or "-") not in logged


def test_the_panel_is_keyboard_reachable_and_named(tab: CognitoTab, qtbot: QtBot) -> None:
    panel = tab.users
    chain = panel.focus_chain()
    for widget in chain:
        assert widget.objectName() and widget.accessibleName(), widget
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()
    # Tab order follows the chain from the insight's toggle into the panel.
    assert tab.insight.toggle.nextInFocusChain() is panel.toggle
    for first, second in pairwise(chain):
        assert first.nextInFocusChain() is second, (first.objectName(), second.objectName())
