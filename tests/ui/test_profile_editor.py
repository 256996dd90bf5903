"""The profile editor as a form: required fields, a failed discovery, its size, the parameters
table (rows visible, a cell still being edited kept on Save). Discovery runs against a closed
port and the demo server (real sockets)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from tests.peers import closed_port_url
from workbench.demo import CONFIDENTIAL_CLIENT_ID, DemoServer
from workbench.ui import metrics
from workbench.ui.dialogs.profile_editor import ProfileEditorDialog
from workbench.ui.state import AppState

WAIT_MS = 10_000


def _dialog(qtbot: QtBot, state: AppState) -> ProfileEditorDialog:
    dialog = ProfileEditorDialog(state)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _save(dialog: ProfileEditorDialog) -> None:
    """Press Save as a mouse would, without moving the keyboard focus (as on macOS)."""
    buttons = dialog.findChild(QDialogButtonBox, "profileEditorButtons")
    assert buttons is not None
    save = buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None
    save.click()


def test_a_profile_whose_discovery_just_failed_is_not_saved(
    qtbot: QtBot, state: AppState, isolated_paths: Any
) -> None:
    provider_before = state.provider
    dialog = _dialog(qtbot, state)
    dialog.name_edit.setText("Broken")
    dialog.issuer_edit.setText(closed_port_url())
    dialog.discover_button.click()
    qtbot.waitUntil(lambda: not dialog.banner.isHidden(), timeout=WAIT_MS)
    qtbot.waitUntil(dialog.discover_button.isEnabled, timeout=WAIT_MS)

    _save(dialog)  # no client id, no endpoints, discovery refused
    assert dialog.isVisible() and dialog.result() != ProfileEditorDialog.DialogCode.Accepted
    text = dialog.banner.text()
    assert "just failed" in text and "enter the endpoints by hand" in text
    assert "Enter the client ID" in text
    assert dialog.issuer_edit.property("invalid") is True
    assert dialog.client_id_edit.property("invalid") is True
    assert dialog.name_edit.property("invalid") is False
    assert state.profiles.load_all() == {}
    assert state.provider is provider_before  # nothing was made active

    # A client id alone is not enough while the issuer still cannot be discovered...
    dialog.client_id_edit.setText("app")
    _save(dialog)
    assert dialog.isVisible() and "just failed" in dialog.banner.text()
    assert "client ID" not in dialog.banner.text()
    # ...endpoints entered by hand are.
    dialog.endpoint_edits["token_endpoint"].setText(closed_port_url() + "/token")
    _save(dialog)
    assert dialog.result() == ProfileEditorDialog.DialogCode.Accepted
    assert state.profiles.get("Broken").endpoints["token_endpoint"].endswith("/token")


def test_required_fields_are_named_and_the_first_gets_the_focus(
    qtbot: QtBot, state: AppState, isolated_paths: Any
) -> None:
    dialog = _dialog(qtbot, state)
    dialog.activateWindow()
    _save(dialog)
    text = dialog.banner.text()
    assert "Enter a profile name." in text
    assert "Enter the issuer (and Discover), or the endpoints by hand." in text
    assert "Enter the client ID" in text
    qtbot.waitUntil(dialog.name_edit.hasFocus, timeout=WAIT_MS)
    assert state.profiles.load_all() == {}


def test_a_discovered_profile_saves(
    qtbot: QtBot, state: AppState, demo: DemoServer, isolated_paths: Any
) -> None:
    dialog = _dialog(qtbot, state)
    dialog.name_edit.setText("Demo")
    dialog.issuer_edit.setText(demo.issuer)
    dialog.discover_button.click()
    qtbot.waitUntil(lambda: bool(dialog.endpoint_edits["token_endpoint"].text()), timeout=WAIT_MS)
    dialog.client_id_edit.setText(CONFIDENTIAL_CLIENT_ID)
    _save(dialog)
    assert dialog.result() == ProfileEditorDialog.DialogCode.Accepted
    assert state.profiles.get("Demo").client_id == CONFIDENTIAL_CLIENT_ID


def test_wide_enough_for_urls_and_within_the_screen(qtbot: QtBot, state: AppState) -> None:
    dialog = _dialog(qtbot, state)
    assert dialog.width() >= metrics.PROFILE_EDITOR_MIN_WIDTH >= 640
    screen = dialog.screen().availableGeometry()
    assert dialog.frameGeometry().height() <= screen.height()
    token = dialog.endpoint_edits["token_endpoint"]
    url = "https://idp.example.com/realms/staging/protocol/openid-connect/token"
    token.setText(url)
    shown = token.fontMetrics().horizontalAdvance(url)
    print(f"token endpoint field {token.width()} px for a {shown} px URL")
    assert token.width() >= shown


def test_the_parameters_table_shows_several_rows(qtbot: QtBot, state: AppState) -> None:
    dialog = _dialog(qtbot, state)
    rows = dialog.params.visible_rows()
    print(f"extra parameters table: room for {rows:.1f} rows")
    assert rows >= metrics.PARAMS_TABLE_MIN_ROWS


def test_a_cell_still_being_edited_is_saved(
    qtbot: QtBot, state: AppState, demo: DemoServer, isolated_paths: Any
) -> None:
    dialog = _dialog(qtbot, state)
    dialog.name_edit.setText("Typed")
    dialog.issuer_edit.setText(demo.issuer)
    dialog.client_id_edit.setText(CONFIDENTIAL_CLIENT_ID)
    dialog.params.add_row("prompt", "")
    table = dialog.params._table
    index = table.model().index(0, 1)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.indexWidget(index)
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "login")
    assert table.item(0, 1).text() == ""  # typed, not yet committed
    _save(dialog)
    assert dialog.result() == ProfileEditorDialog.DialogCode.Accepted
    assert state.profiles.get("Typed").extra_params == {"prompt": "login"}
