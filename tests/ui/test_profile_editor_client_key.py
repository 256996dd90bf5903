"""The profile editor's client assertion settings: the methods from the registry, a key
generated into the keyring or a file, "Copy public JWKS", and a saved private_key_jwt profile
that gets tokens from a demo server which registered the copied JWKS."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from workbench.core.model import Provider
from workbench.core.oauth.client_auth import AUTH_METHODS
from workbench.core.profiles import CLIENT_KEY_SECRET
from workbench.core.session import OAuthSession
from workbench.demo import DemoServer
from workbench.demo.clients import PRIVATE_KEY_JWT_CLIENT_ID
from workbench.ui.dialogs.profile_editor import ProfileEditorDialog
from workbench.ui.state import AppState


def _dialog(qtbot: QtBot, state: AppState) -> ProfileEditorDialog:
    dialog = ProfileEditorDialog(state)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _choose(dialog: ProfileEditorDialog, method: str) -> None:
    dialog.method_combo.setCurrentIndex(dialog.method_combo.findData(method))


def _save(dialog: ProfileEditorDialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox, "profileEditorButtons")
    assert buttons is not None
    save = buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None
    save.click()


def _fill(dialog: ProfileEditorDialog, issuer: str) -> None:
    dialog.name_edit.setText("Key JWT")
    dialog.issuer_edit.setText(issuer)
    dialog.client_id_edit.setText(PRIVATE_KEY_JWT_CLIENT_ID)


def test_the_methods_come_from_the_registry_and_show_their_settings(
    qtbot: QtBot, state: AppState
) -> None:
    dialog = _dialog(qtbot, state)
    offered = [dialog.method_combo.itemData(i) for i in range(dialog.method_combo.count())]
    assert offered[1:] == list(AUTH_METHODS)
    panel = dialog.key_panel
    _choose(dialog, "client_secret_basic")
    assert panel.isHidden()
    _choose(dialog, "client_secret_jwt")
    assert panel.isVisible() and not panel.generate_button.isVisible()
    algs = [panel.alg_combo.itemData(i) for i in range(panel.alg_combo.count())]
    assert algs == ["HS256", "HS384", "HS512"]
    _choose(dialog, "private_key_jwt")
    assert panel.generate_button.isVisible() and panel.copy_button.isVisible()
    algs = [panel.alg_combo.itemData(i) for i in range(panel.alg_combo.count())]
    assert algs == [None, "RS256", "PS256", "ES256", "EdDSA"]
    assert "No private key yet" in panel.status.text()
    assert not panel.copy_button.isEnabled()


def test_no_key_no_save(qtbot: QtBot, state: AppState, demo: DemoServer) -> None:
    dialog = _dialog(qtbot, state)
    _fill(dialog, demo.issuer)
    _choose(dialog, "private_key_jwt")
    _save(dialog)
    assert dialog.isVisible()
    assert "private_key_jwt needs the client's private key" in dialog.banner.text()
    assert state.profiles.load_all() == {}


def test_a_key_generated_into_the_keyring_gets_tokens_with_its_copied_jwks(
    qtbot: QtBot, state: AppState, make_demo: Callable[..., DemoServer]
) -> None:
    dialog = _dialog(qtbot, state)
    _choose(dialog, "private_key_jwt")
    panel = dialog.key_panel
    key = panel.generate("ES256")
    assert key.kid in panel.status.text() and "EC P-256" in panel.status.text()
    copied = panel.copy_jwks()
    assert QGuiApplication.clipboard().text() == copied
    jwks = json.loads(copied)
    assert jwks == key.jwks() and "d" not in jwks["keys"][0]
    server = make_demo(client_jwks=jwks)  # the client registered with what was copied
    _fill(dialog, server.issuer)
    _save(dialog)
    assert not dialog.isVisible(), dialog.banner.text()
    profile = state.profiles.get("Key JWT")
    assert profile.auth_method == "private_key_jwt" and profile.client_key_in_keyring
    assert profile.client_key_file == ""
    assert "PRIVATE KEY" in (state.secrets.get("Key JWT", CLIENT_KEY_SECRET) or "")
    assert "PRIVATE" not in json.dumps(profile.__dict__)
    session = OAuthSession(replace(profile.to_provider(state.secrets), scope="api:read"))
    try:
        assert session.client_credentials().access_token
    finally:
        session.close()
    # opened again: the key from the keyring, the same kid
    again = ProfileEditorDialog(state, profile)
    qtbot.addWidget(again)
    assert key.kid in again.key_panel.status.text()
    assert again.key_panel.alg_combo.currentData() == "ES256"


def test_a_key_generated_into_a_file(qtbot: QtBot, state: AppState, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, state)
    _choose(dialog, "private_key_jwt")
    path = tmp_path / "client.pem"
    key = dialog.key_panel.generate("PS256", str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert dialog.key_panel.file_edit.text() == str(path)
    dialog.key_panel.audience_combo.setCurrentIndex(
        dialog.key_panel.audience_combo.findData("issuer")
    )
    _fill(dialog, "https://as.example")
    _save(dialog)
    profile = state.profiles.get("Key JWT")
    assert profile.client_key_file == str(path) and not profile.client_key_in_keyring
    assert profile.client_assertion_alg == "PS256"
    assert profile.client_assertion_audience == "issuer"
    assert state.secrets.get("Key JWT", CLIENT_KEY_SECRET) is None
    assert profile.to_provider(state.secrets).client.key().kid == key.kid


def test_the_log_detail_shows_the_client_assertion_decoded(
    make_demo: Callable[..., DemoServer], tmp_path: Path
) -> None:
    from workbench.core.keys import generate_key, write_key_file
    from workbench.core.oauth.client_auth import ClientConfig, ClientKey
    from workbench.ui.models.exchange_model import format_exchange

    key = generate_key("EdDSA")
    path = tmp_path / "k.pem"
    write_key_file(key, path)
    server = make_demo(client_jwks=key.jwks())
    client = ClientConfig(
        PRIVATE_KEY_JWT_CLIENT_ID, None, "private_key_jwt", client_key=ClientKey(path=str(path))
    )
    session = OAuthSession(Provider(client=client, issuer=server.issuer, scope="api:read"))
    try:
        session.client_credentials()
        (sent,) = [e for e in session.log.items() if e.request_tokens]
    finally:
        session.close()
    text = format_exchange(sent)
    assert "client_assertion, decoded (header and claims; the signature left out):" in text
    assert '"alg": "EdDSA"' in text and f'"kid": "{key.kid}"' in text
    assert f'"aud": "{server.issuer}/token"' in text
    assert "PRIVATE" not in text


def test_the_client_credentials_tab_runs_private_key_jwt(
    qtbot: QtBot, state: AppState, make_demo: Callable[..., DemoServer], tmp_path: Path
) -> None:
    """The app end to end: a private_key_jwt provider, the tab's run, the assertion in the log."""
    from workbench.core.keys import generate_key, write_key_file
    from workbench.core.oauth.client_auth import ClientConfig, ClientKey
    from workbench.core.oauth.tokenset import TokenSet
    from workbench.demo.clients import demo_provider
    from workbench.ui.flows.client_credentials import ClientCredentialsTab

    key = generate_key("ES256")
    path = tmp_path / "k.pem"
    write_key_file(key, path)
    server = make_demo(client_jwks=key.jwks())
    client = ClientConfig(
        PRIVATE_KEY_JWT_CLIENT_ID, None, "private_key_jwt", client_key=ClientKey(path=str(path))
    )
    state.set_provider(replace(demo_provider(server.issuer), client=client))
    tab = ClientCredentialsTab(state)
    qtbot.addWidget(tab)
    assert "private_key_jwt" in tab.auth_note.text()
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=10_000) as got:
        tab.start()
    qtbot.waitUntil(lambda: not tab.busy)
    assert isinstance(got.args[0], TokenSet) and got.args[0].access_token
    (sent,) = [e for e in state.log.items() if e.request_tokens]
    assert sent.request_tokens["client_assertion"]["header"]["kid"] == key.kid
    assert "Authorization" not in sent.request_headers
