"""The exchange log dock against the real demo server: rows, masking, curl, failures, export."""

from __future__ import annotations

import base64
import json
import os
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase, QPalette, QTextDocumentFragment
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow, QToolButton
from pytestqt.qtbot import QtBot

from tests.peers import closed_port_url
from tests.ui.conftest import demo_provider
from workbench.core.errors import OAuthError, TransportError
from workbench.core.oauth.rfc6749_grants import client_credentials_scope
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.transport.exchange import Exchange
from workbench.demo import CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET
from workbench.ui import workers
from workbench.ui.log_dock import ExchangeLogDock
from workbench.ui.models.exchange_model import (
    EXCHANGE_ROLE,
    STATUS_CLASS_ROLE,
    ExchangeTableModel,
)
from workbench.ui.state import AppState
from workbench.ui.theme import status_colour

M = ExchangeTableModel


BASIC_MASKED = "Authorization: Basic ••••••"
DISCOVERY = ["discovery", "discovery (RFC 8414)"]  # both well-known documents are read


def make_dock(qtbot: QtBot, state: AppState) -> ExchangeLogDock:
    dock = ExchangeLogDock(state)
    qtbot.addWidget(dock)
    return dock


def cell(dock: ExchangeLogDock, row: int, column: int, role: int = 0) -> object:
    """What the table shows (through the filter proxy) at ``row``, ``column``."""
    return dock.proxy.index(row, column).data(role or Qt.ItemDataRole.DisplayRole)


def tip(dock: ExchangeLogDock, row: int, column: int) -> str:
    """A cell's tooltip as the reader sees it (tooltips reach Qt as escaped rich text)."""
    html = str(cell(dock, row, column, Qt.ItemDataRole.ToolTipRole))
    assert html.startswith("<p style='white-space:pre-wrap'>")
    return QTextDocumentFragment.fromHtml(html).toPlainText()


def shown_purposes(dock: ExchangeLogDock) -> list[str]:
    return [str(cell(dock, r, M.COL_PURPOSE)) for r in range(dock.proxy.rowCount())]


def row_with_purpose(dock: ExchangeLogDock, purpose: str) -> int:
    return shown_purposes(dock).index(purpose)


def secret_forms(tokens: TokenSet) -> list[str]:
    """Every form in which a secret of the client_credentials call could leak."""
    basic = f"{CONFIDENTIAL_CLIENT_ID}:{CONFIDENTIAL_CLIENT_SECRET}".encode()
    assert tokens.access_token
    return [
        CONFIDENTIAL_CLIENT_SECRET,
        base64.b64encode(basic).decode(),
        tokens.access_token,
        tokens.access_token[:40],
    ]


def test_client_credentials_rows_appear_with_purpose_status_and_duration(
    qtbot: QtBot, state: AppState
) -> None:
    dock = make_dock(qtbot, state)
    assert dock.objectName() == "exchangeLogDock"
    assert dock.windowTitle() == "Exchange log"
    assert dock.model.rowCount() == 0

    state.require_session().client_credentials()

    assert shown_purposes(dock) == [*DISCOVERY, "token (client_credentials)"]
    token_row = 2
    assert cell(dock, token_row, M.COL_METHOD) == "POST"
    assert cell(dock, token_row, M.COL_URL) == "/token"
    assert tip(dock, token_row, M.COL_URL) == f"{state.require_session().provider.issuer}/token"
    assert cell(dock, token_row, M.COL_STATUS) == "200"
    assert cell(dock, token_row, M.COL_STATUS, STATUS_CLASS_ROLE) == "2xx"
    assert re.fullmatch(r"\d\d:\d\d:\d\d", str(cell(dock, token_row, M.COL_TIME)))
    exchange = cell(dock, token_row, M.COL_ID, EXCHANGE_ROLE)
    assert isinstance(exchange, Exchange)
    assert cell(dock, token_row, M.COL_ID) == str(exchange.id)
    duration = str(cell(dock, token_row, M.COL_DURATION))
    assert re.fullmatch(r"[\d,.]+ ms", duration)
    assert float(duration.split()[0].replace(",", "")) == pytest.approx(
        exchange.duration_ms, abs=1.0
    )
    assert cell(dock, 0, M.COL_URL) == "/.well-known/openid-configuration"
    assert cell(dock, 1, M.COL_URL) == "/.well-known/oauth-authorization-server"
    assert dock.count_label.text() == "3 exchanges"


def test_exchanges_from_a_worker_thread_arrive_on_the_gui_thread(
    qtbot: QtBot, state: AppState
) -> None:
    dock = make_dock(qtbot, state)
    session = state.require_session()
    results: list[TokenSet] = []
    worker = workers.start(session.client_credentials, on_returned=results.append)
    with qtbot.waitSignal(worker.signals.sig_finished, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: dock.model.rowCount() == 3, timeout=5_000)
    assert results and results[0].access_token
    assert shown_purposes(dock) == [*DISCOVERY, "token (client_credentials)"]


def test_loads_the_existing_log_and_never_lists_an_exchange_twice(
    qtbot: QtBot, state: AppState
) -> None:
    state.require_session().client_credentials()
    dock = make_dock(qtbot, state)
    assert shown_purposes(dock) == [*DISCOVERY, "token (client_credentials)"]
    state.sig_exchange.emit(state.log.items()[2])  # a late duplicate delivery
    assert dock.model.rowCount() == 3


def test_selected_exchange_shows_masked_request_and_response(qtbot: QtBot, state: AppState) -> None:
    dock = make_dock(qtbot, state)
    tokens = state.require_session().client_credentials()
    assert tokens.access_token
    dock.table.selectRow(row_with_purpose(dock, "token (client_credentials)"))

    text = dock.detail_text()
    issuer = state.require_session().provider.issuer
    assert f"POST {issuer}/token" in text
    assert BASIC_MASKED in text
    assert "grant_type=client_credentials" in text
    assert "HTTP 200 OK" in text
    assert f'"access_token": "{tokens.access_token[:8]}…••••••"' in text
    assert '"token_type": "Bearer"' in text
    for secret in secret_forms(tokens):
        assert secret not in text
    assert dock.detail.isReadOnly()
    # The system's fixed-width font, whichever it is: QFontInfo.fixedPitch() is what the font
    # file claims, and common monospace fonts (Noto Mono) claim otherwise.
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    assert dock.detail.font().family() == fixed.family()
    assert dock.detail_title.property("statusClass") == "2xx"

    dock.table.clearSelection()
    assert dock.selected_exchange() is None
    assert dock.detail.toPlainText() == ""
    assert not dock.copy_curl_action.isEnabled()


def test_copy_as_curl_uses_env_vars_for_secrets(qtbot: QtBot, state: AppState) -> None:
    dock = make_dock(qtbot, state)
    tokens = state.require_session().client_credentials()
    dock.show()
    qtbot.waitExposed(dock)
    dock.table.selectRow(row_with_purpose(dock, "token (client_credentials)"))
    clipboard = QApplication.clipboard()
    clipboard.clear()

    dock.activateWindow()
    dock.table.setFocus()
    qtbot.waitUntil(dock.table.hasFocus)
    qtbot.keyClick(
        dock.table,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    command = clipboard.text()
    issuer = state.require_session().provider.issuer
    assert command.startswith(f"curl {issuer}/token ")
    assert f'--user "{CONFIDENTIAL_CLIENT_ID}:${{CLIENT_SECRET}}"' in command
    assert "grant_type=client_credentials" in command
    for secret in secret_forms(tokens):
        assert secret not in command
    assert "curl" in dock.count_label.text()  # the "copied" notice

    # the same action from the context menu and the toolbar button
    assert dock.copy_curl_action in dock.table.actions()
    clipboard.clear()
    button = dock.findChild(QToolButton, "exchangeLogCopyCurlButton")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert clipboard.text() == command


def test_copy_response_body_copies_the_masked_body(qtbot: QtBot, state: AppState) -> None:
    dock = make_dock(qtbot, state)
    tokens = state.require_session().client_credentials()
    assert tokens.access_token
    dock.table.selectRow(row_with_purpose(dock, "token (client_credentials)"))
    dock.copy_body_action.trigger()
    body = json.loads(QApplication.clipboard().text())
    assert body["access_token"] == f"{tokens.access_token[:8]}…••••••"
    assert body["token_type"] == "Bearer"


def test_refused_connection_shows_as_failed_with_its_error(qtbot: QtBot, state: AppState) -> None:
    dock = make_dock(qtbot, state)
    state.set_provider(demo_provider(closed_port_url()))
    with pytest.raises(TransportError):
        state.require_session().client_credentials()

    assert dock.model.rowCount() == 1
    assert cell(dock, 0, M.COL_PURPOSE) == "discovery"
    assert cell(dock, 0, M.COL_STATUS) == "failed"
    assert cell(dock, 0, M.COL_STATUS, STATUS_CLASS_ROLE) == "failed"
    assert "refused" in tip(dock, 0, M.COL_STATUS)

    dock.table.selectRow(0)
    text = dock.detail_text()
    assert "No response" in text
    assert "refused: nothing is listening there" in text
    assert "HTTP " not in text
    assert dock.detail_title.property("statusClass") == "failed"
    assert dock.copy_curl_action.isEnabled()
    assert not dock.copy_body_action.isEnabled()


def test_filter_hides_rows_not_matching_every_word(qtbot: QtBot, state: AppState) -> None:
    dock = make_dock(qtbot, state)
    session = state.require_session()
    tokens = session.client_credentials()
    assert tokens.access_token
    session.introspect(tokens.access_token)
    with pytest.raises(OAuthError):
        session.userinfo("not-a-real-token")
    assert shown_purposes(dock) == [
        *DISCOVERY,
        "token (client_credentials)",
        "introspection",
        "userinfo",
    ]

    dock.filter_edit.setText("TOKEN")
    assert shown_purposes(dock) == ["token (client_credentials)"]
    assert dock.count_label.text() == "1 of 5 exchanges shown"
    dock.filter_edit.setText("4xx")
    assert shown_purposes(dock) == ["userinfo"]
    dock.filter_edit.setText("post 200")
    assert shown_purposes(dock) == ["token (client_credentials)", "introspection"]
    dock.filter_edit.setText("openid-configuration")
    assert shown_purposes(dock) == ["discovery"]
    dock.filter_edit.setText("no such thing")
    assert shown_purposes(dock) == []

    # a new exchange that does not match stays hidden; one that matches appears
    dock.filter_edit.setText("revocation")
    session.revoke(tokens.access_token)
    assert shown_purposes(dock) == ["revocation"]
    session.introspect(tokens.access_token)
    assert shown_purposes(dock) == ["revocation"]

    dock.filter_edit.clear()
    assert dock.proxy.rowCount() == dock.model.rowCount() == 7


def test_ctrl_f_focuses_the_filter_and_escape_clears_it(qtbot: QtBot, state: AppState) -> None:
    dock = make_dock(qtbot, state)
    state.require_session().client_credentials()
    dock.show()
    qtbot.waitExposed(dock)
    dock.activateWindow()
    dock.table.setFocus()
    qtbot.waitUntil(dock.table.hasFocus)
    qtbot.keyClick(dock.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert dock.filter_edit.hasFocus()
    qtbot.keyClicks(dock.filter_edit, "token")
    assert dock.proxy.rowCount() == 1
    qtbot.keyClick(dock.filter_edit, Qt.Key.Key_Escape)
    assert dock.filter_edit.text() == ""
    assert dock.proxy.rowCount() == 3


def test_clear_empties_the_table_and_the_log(qtbot: QtBot, state: AppState) -> None:
    dock = make_dock(qtbot, state)
    session = state.require_session()
    session.client_credentials()
    dock.table.selectRow(1)
    assert dock.detail.toPlainText()

    dock.clear_action.trigger()
    assert dock.model.rowCount() == 0
    assert len(state.log) == 0
    assert dock.detail.toPlainText() == ""
    assert dock.count_label.text() == "0 exchanges"
    assert not dock.clear_action.isEnabled()

    session.client_credentials()  # discovery is cached: only the token request
    assert shown_purposes(dock) == ["token (client_credentials)"]


def test_export_writes_masked_json(qtbot: QtBot, state: AppState, tmp_path: Path) -> None:
    dock = make_dock(qtbot, state)
    session = state.require_session()
    tokens = session.client_credentials()
    assert tokens.access_token
    state.set_provider(demo_provider(closed_port_url()))
    with pytest.raises(TransportError):
        state.require_session().client_credentials()

    path = tmp_path / "exchanges.json"
    assert dock.export_to(path) == 4
    raw = path.read_text(encoding="utf-8")
    for secret in secret_forms(tokens):
        assert secret not in raw
    document = json.loads(raw)
    exchanges = document["exchanges"]
    assert [e["purpose"] for e in exchanges] == [
        *DISCOVERY,
        "token (client_credentials)",
        "discovery",  # refused: the RFC 8414 document on the same host is not tried
    ]
    token = exchanges[2]
    assert token["request"]["headers"]["Authorization"] == "Basic ••••••"
    assert token["request"]["form"] == {
        "grant_type": "client_credentials",
        "scope": client_credentials_scope(session.provider.scope),
    }
    assert token["response"]["status"] == 200
    body = json.loads(token["response"]["body"])
    assert body["access_token"] == f"{tokens.access_token[:8]}…••••••"
    assert "${CLIENT_SECRET}" in token["curl"]
    failed = exchanges[3]
    assert failed["response"]["status"] is None
    assert "refused" in failed["error"]


def _synthetic(exchange_id: int) -> Exchange:
    # A plain value, not a mock: 5000 real requests would take most of a minute.
    return Exchange(
        id=exchange_id,
        started_at=time.time(),
        purpose="token (refresh_token)" if exchange_id % 2 else "userinfo",
        method="POST",
        url=f"https://idp.example/token?n={exchange_id}",
        request_headers={"Accept": "application/json"},
        request_form={"grant_type": "refresh_token"},
        status=200 if exchange_id % 3 else 503,
        reason="OK" if exchange_id % 3 else "Service Unavailable",
        response_headers={"Content-Type": "application/json"},
        response_body='{"ok": true}',
        duration_ms=12.5,
        error=None,
        curl="curl https://idp.example/token",
    )


def test_thousands_of_rows_append_without_resets_and_follow_the_bottom(
    qtbot: QtBot, state: AppState
) -> None:
    dock = make_dock(qtbot, state)
    dock.resize(1200, 300)
    dock.show()
    qtbot.waitExposed(dock)
    resets: list[int] = []
    inserted: list[int] = []
    dock.model.modelReset.connect(lambda: resets.append(1))
    dock.model.rowsInserted.connect(lambda _p, first, _last: inserted.append(first))

    for n in range(1, 5001):
        state.sig_exchange.emit(_synthetic(n))
    QApplication.processEvents()
    assert dock.model.rowCount() == 5000
    assert resets == []  # appended row by row (its speed: tests/bench/, not a timed assert)
    assert inserted == list(range(5000))

    bar = dock.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())

    # scrolled up: new rows do not pull the view down
    bar.setValue(0)
    state.sig_exchange.emit(_synthetic(5001))
    QApplication.processEvents()
    assert bar.value() == 0
    # back at the bottom: following resumes
    bar.setValue(bar.maximum())
    state.sig_exchange.emit(_synthetic(5002))
    QApplication.processEvents()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    assert dock.model.rowCount() == 5002

    dock.filter_edit.setText("5xx")
    assert dock.proxy.rowCount() == len([n for n in range(1, 5003) if n % 3 == 0])


def test_status_colours_follow_light_and_dark_palettes(qtbot: QtBot, state: AppState) -> None:
    dock = make_dock(qtbot, state)
    with pytest.raises(OAuthError):
        state.require_session().userinfo("not-a-real-token")
    light, dark = QPalette(), QPalette()
    light.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    for palette, want_light_text in ((light, False), (dark, True)):
        dock.setPalette(palette)
        colour = cell(dock, 2, M.COL_STATUS, Qt.ItemDataRole.ForegroundRole)
        assert isinstance(colour, QColor)
        assert (colour.lightnessF() > 0.5) is want_light_text
        assert colour == status_colour("4xx", palette)
    assert status_colour("2xx", light) != status_colour("5xx", light)
    assert status_colour("failed", light) is not None


def test_export_action_saves_where_the_dialog_says(
    qtbot: QtBot, state: AppState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dock = make_dock(qtbot, state)
    state.require_session().client_credentials()
    target = tmp_path / "chosen.json"
    asked: list[str] = []

    def choose(_parent: object, caption: str, _dir: str, _filter: str) -> tuple[str, str]:
        # The native save dialog is the one thing no peer can drive offscreen.
        asked.append(caption)
        return str(target), "JSON files (*.json)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    dock.export_action.trigger()
    assert asked == ["Export exchange log"]
    assert len(json.loads(target.read_text(encoding="utf-8"))["exchanges"]) == 3


def test_docked_on_a_side_the_detail_goes_below_the_table(qtbot: QtBot, state: AppState) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    dock = ExchangeLogDock(state, window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    assert dock.splitter.orientation() == Qt.Orientation.Horizontal
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    assert dock.splitter.orientation() == Qt.Orientation.Vertical


# -- hostile answers and private files (issue 7) ---------------------------------------------


def test_hostile_urls_headers_and_bodies_show_as_visible_escapes(
    qtbot: QtBot, state: AppState
) -> None:
    dock = make_dock(qtbot, state)
    body = '{"error_description": "\\u001b[2J<b><a href=\\"x\\">PASS</a></b>\\u202e"}'
    hostile = replace(
        _synthetic(1),
        purpose="token\x1b[2J",
        url="https://idp.example/to\u202eken\r?x=<b>PASS</b>",
        reason="OK\x1b]0;pwned\x07",
        response_headers={"X-Note": "a\x1b[31mred\u200b", "Content-Type": "text/html"},
        response_body=f"{body}\r\nsecond line\rPASS\n",
    )
    dock.model.append(hostile)
    assert cell(dock, 0, M.COL_PURPOSE) == "token\\e[2J"
    # Not the provider's host: shown (urlsplit drops the CR).
    assert cell(dock, 0, M.COL_URL) == "idp.example/to\\u202eken?x=<b>PASS</b>"
    assert tip(dock, 0, M.COL_URL) == "https://idp.example/to\\u202eken\\r?x=<b>PASS</b>"
    assert "&lt;b&gt;PASS" in str(cell(dock, 0, M.COL_URL, Qt.ItemDataRole.ToolTipRole))

    dock.table.selectRow(0)
    text = dock.detail_text()
    assert not any(ch in text for ch in "\x1b\r\u202e\u200b\x07")
    assert "#1 token\\e[2J — POST — 200 OK\\e]0;pwned\\x07" in dock.detail_title.text()
    assert "POST https://idp.example/to\\u202eken\\r?x=<b>PASS</b>" in text
    assert "X-Note: a\\e[31mred\\u200b" in text
    # The body keeps its line breaks (CRLF read as one); a lone CR is shown, not obeyed.
    assert "\nsecond line\\rPASS" in text
    assert '<b><a href=\\"x\\">PASS</a></b>' in text  # literal, in a plain-text view


def test_export_is_readable_by_its_owner_only(
    qtbot: QtBot, state: AppState, tmp_path: Path
) -> None:
    dock = make_dock(qtbot, state)
    state.require_session().client_credentials()
    fresh = tmp_path / "fresh.json"
    assert dock.export_to(fresh) == 3
    assert os.stat(fresh).st_mode & 0o777 == 0o600
    # Overwriting a file the user had made world-readable narrows it too.
    existing = tmp_path / "existing.json"
    existing.write_text("old, longer than what replaces it " * 100, encoding="utf-8")
    existing.chmod(0o644)
    assert dock.export_to(existing) == 3
    assert os.stat(existing).st_mode & 0o777 == 0o600
    assert (
        json.loads(existing.read_text(encoding="utf-8"))["exchanges"][1]["response"]["status"]
        == 200
    )
