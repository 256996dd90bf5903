""" "Register a new client…" in the profile editor, against the demo server: the registration
runs in a worker, fills the profile (client id, secret; the registration access token kept in
the keyring on Save), and the saved profile gets a token at once. A refusal is shown in words
and the dialog stays open. The last test registers at npm oidc-provider the same way."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from tests.conftest import MemoryKeyring
from tests.oidc_provider_peer import API_AUDIENCE, IndependentProvider
from workbench.core.oauth.rfc7591_register import read_registration
from workbench.core.profiles import REGISTRATION_TOKEN
from workbench.core.secrets import SERVICE
from workbench.core.session import OAuthSession
from workbench.core.transport.http import HttpClient
from workbench.demo import DemoServer
from workbench.ui.dialogs.profile_editor import ProfileEditorDialog
from workbench.ui.dialogs.register_client import RegisterClientDialog
from workbench.ui.state import AppState

WAIT_MS = 10_000
CLIENT_CREDENTIALS = "client_credentials"


def _editor(qtbot: QtBot, state: AppState, demo: DemoServer) -> ProfileEditorDialog:
    editor = ProfileEditorDialog(state)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    editor.name_edit.setText("Registered")
    editor.issuer_edit.setText(demo.issuer)
    editor.scope_edit.setText("api:read")
    return editor


def _open_registration(qtbot: QtBot, editor: ProfileEditorDialog) -> RegisterClientDialog:
    editor.register_button.click()
    dialog = editor.register_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_register_fills_the_profile_and_the_saved_profile_gets_a_token(
    qtbot: QtBot, state: AppState, demo: DemoServer, isolated_paths: MemoryKeyring
) -> None:
    editor = _editor(qtbot, state, demo)
    dialog = _open_registration(qtbot, editor)
    assert dialog.issuer_edit.text() == demo.issuer  # the profile's issuer
    assert dialog.redirect_edit.text() == "http://127.0.0.1/callback"  # the loopback one
    assert dialog.scope_edit.text() == "api:read"
    for grant, check in dialog.grant_checks.items():
        check.setChecked(grant == CLIENT_CREDENTIALS)
    assert not dialog.redirect_edit.isEnabled()  # no browser grant: no redirect URI sent
    dialog.name_edit.setText("Registered from the app")
    dialog.register_button.click()
    # the click returned at once: the registration runs in a worker, its answer comes later
    assert dialog.registration is None and not dialog.register_button.isEnabled()
    qtbot.waitUntil(lambda: bool(editor.client_id_edit.text()), timeout=WAIT_MS)
    assert not dialog.isVisible()

    client_id = editor.client_id_edit.text()
    secret = editor.secret_edit.text()
    assert secret and editor.method_combo.currentData() == "client_secret_basic"
    assert "Registered client" in editor.discover_status.text()
    assert secret not in editor.discover_status.text()

    buttons = editor.findChild(QDialogButtonBox, "profileEditorButtons")
    assert buttons is not None
    save = buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None
    save.click()
    assert editor.result() == ProfileEditorDialog.DialogCode.Accepted

    profile = state.profiles.get("Registered")
    assert profile.client_id == client_id
    assert profile.registration_client_uri == f"{demo.issuer}/register/{client_id}"
    token = isolated_paths.store[(SERVICE, f"Registered:{REGISTRATION_TOKEN}")]
    assert isolated_paths.store[(SERVICE, "Registered:client_secret")] == secret
    assert secret not in state.profiles.path.read_text()
    assert token not in state.profiles.path.read_text()

    session = OAuthSession(profile.to_provider(state.secrets))
    http = HttpClient()
    try:
        tokens = session.client_credentials()
        assert tokens.scope == "api:read"
        read = read_registration(http, profile.registration_client_uri, token)
        assert read.metadata["client_name"] == "Registered from the app"
    finally:
        session.close()
        http.close()

    # renaming the profile moves its registration access token with it
    renamed = ProfileEditorDialog(state, profile)
    qtbot.addWidget(renamed)
    renamed.name_edit.setText("Renamed")
    renamed._on_save()
    assert renamed.result() == ProfileEditorDialog.DialogCode.Accepted
    assert isolated_paths.store[(SERVICE, f"Renamed:{REGISTRATION_TOKEN}")] == token
    assert (SERVICE, f"Registered:{REGISTRATION_TOKEN}") not in isolated_paths.store
    assert state.profiles.get("Renamed").registration_client_uri == profile.registration_client_uri

    # the app's exchange log has the registration, its secrets masked
    registered = [ex for ex in state.log.items() if ex.purpose == "registration"]
    assert [ex.status for ex in registered] == [201]
    shown = json.dumps([ex.response_body for ex in registered])
    assert client_id in shown and secret not in shown and token not in shown


def test_a_refused_redirect_uri_is_shown_in_words_and_the_dialog_stays(
    qtbot: QtBot, state: AppState, demo: DemoServer, isolated_paths: Any
) -> None:
    editor = _editor(qtbot, state, demo)
    dialog = _open_registration(qtbot, editor)
    dialog.redirect_edit.setText("http://evil.example/callback")
    dialog.register_button.click()
    qtbot.waitUntil(lambda: not dialog.banner.isHidden(), timeout=WAIT_MS)
    qtbot.waitUntil(dialog.register_button.isEnabled, timeout=WAIT_MS)
    text = dialog.banner.text()
    assert "invalid_redirect_uri" in text and "loopback host only" in text
    assert dialog.isVisible() and dialog.registration is None
    for check in dialog.grant_checks.values():  # the banner made room, squeezed nothing
        assert check.height() >= check.sizeHint().height()
    assert not editor.client_id_edit.text()  # nothing filled
    dialog.reject()


def test_no_grant_type_or_no_issuer_is_named_before_anything_is_sent(
    qtbot: QtBot, state: AppState, demo: DemoServer, isolated_paths: Any
) -> None:
    editor = _editor(qtbot, state, demo)
    dialog = _open_registration(qtbot, editor)
    before = len(state.log.items())
    for check in dialog.grant_checks.values():
        check.setChecked(False)
    dialog.register_button.click()
    assert "Pick at least one grant type." in dialog.banner.text()
    dialog.grant_checks[CLIENT_CREDENTIALS].setChecked(True)
    dialog.issuer_edit.setText("")
    dialog.register_button.click()
    assert "Enter the issuer" in dialog.banner.text()
    assert len(state.log.items()) == before
    dialog.reject()


def test_register_in_the_app_against_oidc_provider(
    qtbot: QtBot, independent_provider: IndependentProvider, isolated_paths: MemoryKeyring
) -> None:
    """The same dialog against npm oidc-provider (tests/oidc_provider_peer.py): its answer
    fills the editor, and the saved profile gets a token there."""
    state = AppState()
    try:
        editor = ProfileEditorDialog(state)
        qtbot.addWidget(editor)
        editor.name_edit.setText("Interop registered")
        editor.issuer_edit.setText(independent_provider.issuer)
        editor.scope_edit.setText("api:read")
        editor.show()
        dialog = _open_registration(qtbot, editor)
        for grant, check in dialog.grant_checks.items():
            check.setChecked(grant == CLIENT_CREDENTIALS)
        dialog.register_button.click()
        qtbot.waitUntil(lambda: bool(editor.client_id_edit.text()), timeout=WAIT_MS)
        token_endpoint = editor.endpoint_edits["token_endpoint"].text()
        assert token_endpoint == independent_provider.issuer + "/token"
        editor._on_save()
        assert editor.result() == ProfileEditorDialog.DialogCode.Accepted
        profile = state.profiles.get("Interop registered")
        assert profile.registration_client_uri.startswith(independent_provider.issuer + "/reg/")
        assert isolated_paths.store[(SERVICE, f"Interop registered:{REGISTRATION_TOKEN}")]
        session = OAuthSession(profile.to_provider(state.secrets))
        try:
            tokens = session.client_credentials(extra={"resource": API_AUDIENCE})
            claims = session.inspect(tokens.access_token or "").decoded.claims
            assert claims["client_id"] == profile.client_id
        finally:
            session.close()
    finally:
        state.close()
