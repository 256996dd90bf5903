"""DPoP in the app against the demo server: the profile editor's switch and key file, the
provider bar's session signing with the key, the inspector's "DPoP-bound" chip and check row,
and "Copy as DPoP…" with a fresh proof for the method and URL given."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import jwt
import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from tests.ui.conftest import demo_provider
from workbench.core.keys import generate_key
from workbench.core.oauth.rfc9449_dpop import b64url_sha256
from workbench.core.profiles import Profile
from workbench.core.tokens.findings import Outcome
from workbench.demo import DemoServer
from workbench.demo.api import api_urls
from workbench.demo.clients import DEMO_PASSWORD, DEMO_USERNAME
from workbench.ui.dialogs.profile_editor import ProfileEditorDialog
from workbench.ui.flows.api_call import ApiTab
from workbench.ui.inspector import TokenInspector
from workbench.ui.main_window import MainWindow
from workbench.ui.models.exchange_model import format_exchange
from workbench.ui.state import AppState, TokenContext

WAIT_MS = 10_000


def test_the_profile_editor_keeps_dpop_and_the_profile_makes_the_key(
    qtbot: QtBot, state: AppState, tmp_path: Path
) -> None:
    key_file = tmp_path / "dpop.pem"
    dialog = ProfileEditorDialog(state, Profile(name="p", issuer="https://as.example"))
    qtbot.addWidget(dialog)
    assert not dialog.dpop.check.isChecked() and not dialog.dpop.key_edit.isEnabled()
    dialog.dpop.check.setChecked(True)
    assert dialog.dpop.key_edit.isEnabled()
    dialog.dpop.key_edit.setText(str(key_file))
    profile = dialog.profile()
    assert profile.dpop and profile.dpop_key_file == str(key_file)
    provider = dataclasses.replace(profile, client_id="c").to_provider()
    assert provider.dpop_key is not None and key_file.exists()
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = ProfileEditorDialog(state, profile)
    qtbot.addWidget(again)
    assert again.dpop.check.isChecked() and again.dpop.key_edit.text() == str(key_file)


@pytest.fixture
def dpop_state(demo: DemoServer) -> Any:
    app_state = AppState()
    provider = dataclasses.replace(demo_provider(demo.issuer), dpop_key=generate_key("ES256"))
    app_state.set_provider(provider)
    yield app_state
    app_state.close()


def test_the_inspector_shows_a_dpop_bound_token_and_copies_a_fresh_proof(
    qtbot: QtBot, dpop_state: AppState, demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = dpop_state.require_session()
    assert session.dpop is not None
    tokens = session.password(DEMO_USERNAME, DEMO_PASSWORD)
    assert tokens.token_type == "DPoP" and tokens.access_token
    # The log's detail: the proof masked, its header and claims shown.
    exchange = next(ex for ex in dpop_state.log.items() if ex.url.endswith("/token"))
    detail = format_exchange(exchange)
    assert "DPoP: ••••••" in detail and "DPoP, decoded (header and claims" in detail
    assert '"typ": "dpop+jwt"' in detail and f'"htu": "{demo.issuer}/token"' in detail
    inspector = TokenInspector(dpop_state)
    qtbot.addWidget(inspector)
    inspector.resize(760, 820)
    inspector.show()
    dpop_state.set_tokens(tokens, TokenContext(origin="password"))
    qtbot.waitUntil(
        lambda: inspector.inspection is not None and not inspector.busy, timeout=WAIT_MS
    )
    assert inspector.inspection is not None
    finding = inspector.inspection.finding("dpop")
    assert finding.outcome is Outcome.PASS and "DPoP-bound to the key in use" in finding.reason
    chips = [c.text() for c in inspector.card.chips if c.isVisible()]
    assert "DPoP-bound" in chips

    url = demo.issuer + "/api/local/me"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (f"GET {url}?q=1", True))
    inspector.token_actions.copy_dpop.trigger()
    text = QGuiApplication.clipboard().text()
    auth, proof_line = text.split("\n")
    assert auth == f"Authorization: DPoP {tokens.access_token}"
    proof = proof_line.removeprefix("DPoP: ")
    claims = jwt.decode(proof, options={"verify_signature": False})
    assert claims["htm"] == "GET" and claims["htu"] == url
    assert claims["ath"] == b64url_sha256(tokens.access_token)
    assert jwt.get_unverified_header(proof)["typ"] == "dpop+jwt"
    inspector.token_actions.copy_dpop.trigger()
    assert QGuiApplication.clipboard().text() != text  # a fresh proof each time


def test_copy_as_dpop_without_a_dpop_provider_says_how_to_get_one(
    qtbot: QtBot, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = state.require_session().password(DEMO_USERNAME, DEMO_PASSWORD)
    inspector = TokenInspector(state)
    qtbot.addWidget(inspector)
    state.set_tokens(tokens, TokenContext(origin="password"))
    QGuiApplication.clipboard().setText("before")
    asked: list[Any] = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: asked.append(a) or ("", False))
    inspector.token_actions.copy_dpop.trigger()
    assert QGuiApplication.clipboard().text() == "before" and not asked
    assert "does not use DPoP" in inspector.status_label.text()
    qtbot.waitUntil(lambda: not inspector.busy, timeout=WAIT_MS)


def test_the_api_tab_sends_a_bound_token_with_the_dpop_scheme_and_a_proof(
    qtbot: QtBot, dpop_state: AppState, demo: DemoServer
) -> None:
    dpop_state.demo_issuer = demo.issuer
    window = MainWindow(dpop_state, remember=False)
    qtbot.addWidget(window)
    tokens = dpop_state.require_session().client_credentials("api:read")
    assert tokens.token_type == "DPoP" and tokens.access_token
    dpop_state.set_tokens(tokens, TokenContext(origin="client_credentials"))
    qtbot.waitUntil(lambda: not window.inspector.busy, timeout=WAIT_MS)
    tab = window.flow_tabs["api"]
    assert isinstance(tab, ApiTab)
    tab.url.setText(api_urls(demo.issuer)["local"] + "/me")
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=WAIT_MS)
    assert tab.status.text().startswith("200 OK")
    (call,) = [e for e in dpop_state.log.items() if e.purpose == "API call"]
    assert call.request_headers["Authorization"] == "DPoP ••••••"
    assert call.request_tokens["DPoP"]["claims"]["ath"] == b64url_sha256(tokens.access_token)
