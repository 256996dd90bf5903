"""Mutual TLS in the desktop app against the demo server's TLS port: the profile editor's
client certificate, key and CA bundle (checked as entered, saved as paths), the session of the
saved profile getting a certificate-bound token, and the inspector's certificate-binding row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from workbench.demo.clients import MTLS_CLIENT_ID
from workbench.demo.server import DemoServer
from workbench.ui.dialogs.profile_editor import ProfileEditorDialog
from workbench.ui.inspector import TokenInspector
from workbench.ui.models.exchange_model import format_exchange
from workbench.ui.state import AppState, TokenContext

WAIT_MS = 10_000


@pytest.fixture
def server(make_demo: Callable[..., DemoServer]) -> DemoServer:
    return make_demo(mtls=True)


@pytest.fixture
def app_state() -> Iterator[AppState]:
    made = AppState()
    yield made
    made.close()


def _editor(qtbot: QtBot, state: AppState, server: DemoServer) -> ProfileEditorDialog:
    mtls = server.mtls
    assert mtls is not None
    dialog = ProfileEditorDialog(state)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.name_edit.setText("Demo mTLS")
    dialog.issuer_edit.setText(server.issuer)
    dialog.client_id_edit.setText(MTLS_CLIENT_ID)
    dialog.method_combo.setCurrentIndex(dialog.method_combo.findData("tls_client_auth"))
    dialog.scope_edit.setText("api:read")
    panel = dialog.cert_panel
    panel.cert_edit.setText(str(mtls.client_cert_file))
    panel.key_edit.setText(str(mtls.client_key_file))
    panel.ca_edit.setText(str(mtls.ca_file))
    panel.refresh()
    return dialog


def _save(dialog: ProfileEditorDialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox, "profileEditorButtons")
    assert buttons is not None
    save = buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None
    save.click()


def test_the_editor_checks_the_files_and_saves_their_paths(
    qtbot: QtBot, app_state: AppState, server: DemoServer, isolated_paths: Any
) -> None:
    dialog = _editor(qtbot, app_state, server)
    status = dialog.cert_panel.status.text()
    assert status.startswith("CN=workbench-mtls-client,O=Token Workbench demo · x5t#S256 ")
    mtls = server.mtls
    assert mtls is not None
    # A key that is not the certificate's keeps the profile from being saved, in words.
    dialog.cert_panel.key_edit.setText(str(mtls.self_signed_key_file))
    dialog.cert_panel.refresh()
    assert "does not belong to the client certificate" in dialog.cert_panel.status.text()
    _save(dialog)
    assert dialog.isVisible()
    assert "does not belong to the client certificate" in dialog.banner.text()
    assert dialog.cert_panel.cert_edit.property("invalid") is True
    assert app_state.profiles.load_all() == {}
    dialog.cert_panel.key_edit.setText(str(mtls.client_key_file))
    _save(dialog)
    assert dialog.result() == ProfileEditorDialog.DialogCode.Accepted
    saved = app_state.profiles.get("Demo mTLS")
    assert saved.client_cert == str(mtls.client_cert_file)
    assert saved.client_cert_key == str(mtls.client_key_file)
    assert saved.ca_bundle == str(mtls.ca_file)


def test_the_inspector_shows_the_token_bound_to_this_certificate(
    qtbot: QtBot, app_state: AppState, server: DemoServer, isolated_paths: Any
) -> None:
    dialog = _editor(qtbot, app_state, server)
    _save(dialog)
    profile = app_state.profiles.get("Demo mTLS")
    app_state.set_provider(profile.to_provider(app_state.secrets))
    tokens = app_state.require_session().client_credentials()  # a blocking call: not the GUI
    exchange = next(e for e in app_state.log.items() if e.url.endswith("/token"))
    assert exchange.client_certificate.startswith("CN=workbench-mtls-client")
    detail = format_exchange(exchange)  # the log dock's detail pane
    assert f"(TLS client certificate: {exchange.client_certificate})" in detail
    assert str(server.mtls.client_key_file if server.mtls else "") not in detail
    inspector = TokenInspector(app_state)
    qtbot.addWidget(inspector)
    inspector.resize(760, 820)
    inspector.show()
    app_state.set_tokens(tokens, TokenContext(origin="client_credentials"))
    qtbot.waitUntil(
        lambda: inspector.inspection is not None and not inspector.busy, timeout=WAIT_MS
    )
    assert inspector.findings.outcome("x5t#S256") == "pass"
    assert "certificate-bound to this client certificate" in inspector.findings.reason("x5t#S256")
