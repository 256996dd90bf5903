"""The profile editor's Discover says which document each endpoint came from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QTextDocumentFragment
from pytestqt.qtbot import QtBot

from tests.core.test_discovery_merge import OIDC, RFC8414, dot_documents
from tests.peers import CannedServer, canned_server
from workbench.ui.dialogs.profile_editor import ProfileEditorDialog
from workbench.ui.state import AppState


@pytest.fixture
def dot() -> Iterator[CannedServer]:
    """A local stand-in for django-oauth-toolkit's layout: revocation and introspection are
    named only in the RFC 8414 document."""
    with canned_server() as server:
        oidc, rfc8414 = dot_documents(server.url)
        server.json(OIDC, oidc)
        server.json(RFC8414, rfc8414)
        yield server


def _plain(html: str) -> str:
    return QTextDocumentFragment.fromHtml(html).toPlainText()


def test_discover_fills_the_merge_and_names_each_source(
    qtbot: QtBot, dot: CannedServer, isolated_paths: Any, tmp_path: Path
) -> None:
    state = AppState()
    dialog = ProfileEditorDialog(state)
    qtbot.addWidget(dialog)
    dialog.resize(1000, 720)
    dialog.issuer_edit.setText(dot.url)
    dialog.discover_button.click()
    revocation = dialog.endpoint_edits["revocation_endpoint"]
    qtbot.waitUntil(lambda: bool(revocation.text()), timeout=10_000)
    qtbot.waitUntil(dialog.discover_button.isEnabled, timeout=5_000)
    assert revocation.text() == dot.url + "/o/revoke_token/"
    assert dialog.endpoint_edits["introspection_endpoint"].text() == dot.url + "/o/introspect/"
    assert dialog.endpoint_edits["userinfo_endpoint"].text() == dot.url + "/o/userinfo/"
    assert _plain(revocation.toolTip()) == f"From the RFC 8414 metadata ({dot.url}{RFC8414})"
    token_tip = _plain(dialog.endpoint_edits["token_endpoint"].toolTip())
    assert token_tip == f"From the OpenID configuration ({dot.url}{OIDC})"
    status = dialog.discover_status.text()
    assert status.startswith(f"Discovered 6 endpoints of {dot.url}:\n")
    assert (
        f"RFC 8414 metadata ({dot.url}{RFC8414}): introspection_endpoint, revocation_endpoint "
        "(missing from the OpenID configuration)"
    ) in status
    assert [e.purpose for e in state.log.items()] == ["discovery", "discovery (RFC 8414)"]
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(tmp_path / "profile-editor-sources.png"))
    state.close()


def test_a_refused_document_is_named_with_its_reason(
    qtbot: QtBot, dot: CannedServer, isolated_paths: Any
) -> None:
    _, rfc8414 = dot_documents(dot.url)
    dot.json(RFC8414, {**rfc8414, "issuer": "https://elsewhere.example"})
    state = AppState()
    dialog = ProfileEditorDialog(state)
    qtbot.addWidget(dialog)
    dialog.issuer_edit.setText(dot.url)
    dialog.discover_button.click()
    qtbot.waitUntil(lambda: bool(dialog.endpoint_edits["token_endpoint"].text()), timeout=10_000)
    qtbot.waitUntil(dialog.discover_button.isEnabled, timeout=5_000)
    assert dialog.endpoint_edits["revocation_endpoint"].text() == ""
    lines = dialog.discover_status.text().split("\n")
    assert lines[2].startswith(f"RFC 8414 metadata ({dot.url}{RFC8414}): refused for the merge")
    assert all(len(line) <= 240 for line in lines)
    whole = _plain(dialog.discover_status.toolTip())
    assert f"declares issuer 'https://elsewhere.example', not '{dot.url}'" in whole
    state.close()


def test_provider_details_name_the_documents_once_discovered(
    qtbot: QtBot, dot: CannedServer, isolated_paths: Any
) -> None:
    from workbench.core.model import Provider
    from workbench.core.oauth.client_auth import ClientConfig
    from workbench.ui import workers
    from workbench.ui.provider_bar import ProviderBar

    _, rfc8414 = dot_documents(dot.url)
    state = AppState()
    bar = ProviderBar(state)
    qtbot.addWidget(bar)
    state.set_provider(Provider(client=ClientConfig("cid", "csecret"), issuer=dot.url, name="D"))
    before = bar.info.text()
    assert "metadata" not in before
    workers.start(state.require_session().metadata)  # as a tab's first request does
    qtbot.waitUntil(lambda: bar.info.text() != before, timeout=10_000)
    assert bar.info.text() == before + "  ·  metadata: OIDC + RFC 8414"
    tip = _plain(bar.info.toolTip())
    assert "Discovery:" in tip
    assert (
        f"RFC 8414 metadata ({dot.url}{RFC8414}): introspection_endpoint, revocation_endpoint"
        in tip
    )

    # Another provider: the details start again; its refused document is said on the bar.
    dot.json(RFC8414, {**rfc8414, "issuer": "https://elsewhere.example"})
    state.set_provider(
        Provider(client=ClientConfig("cid2", None, "none"), issuer=dot.url, name="E")
    )
    again = bar.info.text()
    assert "metadata" not in again
    workers.start(state.require_session().metadata)
    qtbot.waitUntil(lambda: bar.info.text() != again, timeout=10_000)
    assert bar.info.text().endswith("  ·  metadata: OIDC (RFC 8414 refused)")
    assert "declares issuer 'https://elsewhere.example'" in _plain(bar.info.toolTip())
    workers.wait_all()
    state.close()
