"""The token history in the window (issue 10, §5), against the demo server in a thread.

Tokens from two flows appear (the client-credentials tab run for real, a password grant handed
to AppState.set_tokens as the screenshot path does), selecting one inspects it again, two
picked show their claim diff, Revoke marks the set revoked, and clearing removes the sets
from the keyring (the in-memory backend of tests/conftest.py: no OS keyring is touched).
The Cognito tab's GlobalSignOut marking "logged out" is tested in test_tab_cognito.py against
moto; its RevokeToken marking "revoked" is not tested: moto does not implement RevokeToken.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox, QToolButton
from pytestqt.qtbot import QtBot

from tests.conftest import MemoryKeyring
from tests.ui.conftest import demo_provider
from workbench.core.history import KEY_PROFILE
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.secrets import SERVICE, SecretStore
from workbench.demo import DemoServer
from workbench.ui.main_window import MainWindow
from workbench.ui.state import AppState, TokenContext

TIMEOUT_MS = 10_000
PROVIDER = "Demo"


@pytest.fixture
def window(qtbot: QtBot, state: AppState) -> Iterator[MainWindow]:
    win = MainWindow(state, remember=False)
    qtbot.addWidget(win)
    win.resize(1366, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win


def history_keys(backend: MemoryKeyring) -> set[str]:
    return {n for s, n in backend.store if s == SERVICE and n.startswith(KEY_PROFILE)}


def column(window: MainWindow, index: int) -> list[str]:
    table = window.history_dock.table
    return [table.item(row, index).text() for row in range(table.rowCount())]


def select_rows(window: MainWindow, *rows: int) -> None:
    table = window.history_dock.table
    table.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:  # as Ctrl+click does
        table.selectionModel().select(table.model().index(row, 0), flags)


def two_flows(qtbot: QtBot, window: MainWindow, state: AppState) -> TokenSet:
    """A password grant, then the client-credentials tab: the password set is returned."""
    password = state.require_session().password("alice", "alice-password")
    state.set_tokens(password, TokenContext(origin="password"))
    tab = window.select_tab("clientCredentials")
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TIMEOUT_MS):
        tab.start()
    qtbot.waitUntil(lambda: not window.inspector.busy, timeout=TIMEOUT_MS)
    return password


def test_two_flows_inspect_again_diff_revoke_and_clear(
    qtbot: QtBot,
    window: MainWindow,
    state: AppState,
    isolated_paths: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    password = two_flows(qtbot, window, state)
    dock = window.history_dock
    assert not dock.isVisible()
    history_button = window.inspector.token_picker.findChild(QToolButton, "inspectorHistory")
    assert history_button is not None and history_button.isVisible()
    qtbot.mouseClick(history_button, Qt.MouseButton.LeftButton)  # one click from the picker
    qtbot.waitUntil(dock.isVisible, timeout=TIMEOUT_MS)

    assert column(window, 1) == ["client_credentials", "password"]  # newest first
    assert column(window, 0) == [PROVIDER, PROVIDER]
    assert column(window, 2)[1] == "alice"
    assert column(window, 5) == ["active", "active"]
    assert "system keyring" in dock.where_label.text()
    tokens = [state.tokens.access_token if state.tokens else None, password.access_token]
    for shown, token in zip(column(window, 6), tokens, strict=True):
        assert token and token not in shown and shown.startswith(token[:8])
    assert len(history_keys(isolated_paths)) == 3  # two sets and the index

    # Select one: inspected again (the password set is no longer the current one).
    select_rows(window, 1)
    assert dock.inspect_button.isEnabled() and not dock.diff_button.isEnabled()
    qtbot.mouseClick(dock.inspect_button, Qt.MouseButton.LeftButton)
    shown = window.inspector.shown
    assert shown is not None and shown.entry.token == password.access_token
    assert window.inspector.picker.currentText().startswith("History: password")

    # Pick two: the claim diff.
    select_rows(window, 0, 1)
    assert dock.diff_button.isEnabled()
    qtbot.mouseClick(dock.diff_button, Qt.MouseButton.LeftButton)
    text = dock.diff_view.toPlainText()
    assert dock.diff_view.isVisible()
    assert text.splitlines()[0].startswith("password ")
    assert "Access token:" in text and "~ sub: " in text
    assert "(differ as in every new token:" in text
    assert (password.access_token or "") not in text

    # The screenshot's view (--history): the two newest compared, newest second.
    dock.compare_newest()
    assert dock.diff_view.toPlainText().splitlines()[0].startswith("password ")
    assert len(dock.selected_ids()) == 2

    # Revoke the current (client-credentials) access token: its set is marked revoked.
    window.inspector.select_role("access")
    window.inspector.revoke("access")
    qtbot.waitUntil(lambda: column(window, 5)[0] == "revoked", timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.inspector.busy, timeout=TIMEOUT_MS)
    assert column(window, 5)[1] == "active"
    assert stored_status(state, 0) == "revoked"

    # Clear one, then all, with confirmation; a "No" keeps them.
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: next(answers))
    select_rows(window, 1)
    qtbot.mouseClick(dock.clear_button, Qt.MouseButton.LeftButton)
    assert dock.table.rowCount() == 2
    qtbot.mouseClick(dock.clear_button, Qt.MouseButton.LeftButton)
    assert column(window, 1) == ["client_credentials"]
    assert len(history_keys(isolated_paths)) == 2
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dock.clear_all_button, Qt.MouseButton.LeftButton)
    assert dock.table.rowCount() == 0 and history_keys(isolated_paths) == set()


def stored_status(state: AppState, row: int) -> str:
    """The status a fresh history reads back from the keyring (newest first, as listed)."""
    from workbench.core.history import TokenHistory

    return list(reversed(TokenHistory(SecretStore()).entries()))[row].status


def test_without_a_keyring_the_dock_says_session_only(
    qtbot: QtBot, demo: DemoServer, isolated_paths: MemoryKeyring
) -> None:
    state = AppState(secrets=SecretStore(use_keyring=False))
    state.set_provider(demo_provider(demo.issuer))
    win = MainWindow(state, remember=False)
    qtbot.addWidget(win)
    win.show()
    tokens = state.require_session().password("alice", "alice-password")
    state.set_tokens(tokens, TokenContext(origin="password"))
    win.history_dock.toggleViewAction().trigger()  # View ▸ Token history
    qtbot.waitUntil(win.history_dock.isVisible, timeout=TIMEOUT_MS)
    assert "session only" in win.history_dock.where_label.text()
    assert column(win, 1) == ["password"]
    assert history_keys(isolated_paths) == set()
    qtbot.waitUntil(lambda: not win.inspector.busy, timeout=TIMEOUT_MS)
    state.close()
