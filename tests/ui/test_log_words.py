"""The exchange log's columns and detail: human durations, the host of a URL that is not the
provider's, a whole exchange at full height in its own window. Exchanges come from the demo
server (real requests) and from a real closed port."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from tests.peers import closed_port_url
from workbench.core.errors import TransportError
from workbench.ui.log_dock import ExchangeLogDock
from workbench.ui.models.exchange_model import (
    ExchangeTableModel as M,
)
from workbench.ui.models.exchange_model import (
    format_duration,
    provider_hosts,
    url_host,
)
from workbench.ui.state import AppState


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (4.24, "4.2 ms"),
        (215.4, "215 ms"),
        (999.4, "999 ms"),
        (999.6, "1.0 s"),
        (30_015.2, "30.0 s"),
        (59_940.0, "59.9 s"),
        (125_000.0, "2 min 5 s"),
        (120_000.0, "2 min"),
    ],
)
def test_durations_read_as_people_say_them(ms: float, text: str) -> None:
    assert format_duration(ms) == text


def test_url_hosts() -> None:
    assert url_host("https://user:pw@IdP.example:8443/token") == "idp.example:8443"
    assert url_host("http://[::1]:9000/x") == "[::1]:9000"
    assert url_host("https://idp.example/x") == "idp.example"
    assert provider_hosts("https://idp.example/realms/a", {}) == {"idp.example"}
    assert provider_hosts(None, {"token_endpoint": "https://t.example/token"}) == {"t.example"}


def _dock(qtbot: QtBot, state: AppState) -> ExchangeLogDock:
    dock = ExchangeLogDock(state)
    qtbot.addWidget(dock)
    dock.resize(1300, 260)
    dock.show()
    qtbot.waitExposed(dock)
    return dock


def _cell(dock: ExchangeLogDock, row: int, column: int) -> str:
    return str(dock.model.index(row, column).data())


def test_the_url_column_shows_a_host_that_is_not_the_providers(
    qtbot: QtBot, state: AppState
) -> None:
    dock = _dock(qtbot, state)
    session = state.require_session()
    session.client_credentials()  # discovery, token: the provider's own host
    elsewhere = closed_port_url()
    assert state.provider is not None
    state.set_provider(replace(state.provider, issuer=elsewhere))
    with pytest.raises(TransportError, match="refused"):
        state.require_session().metadata()
    rows = dock.model.rowCount()
    urls = [_cell(dock, row, M.COL_URL) for row in range(rows)]
    demo_host = url_host(session.provider.issuer or "")
    # The demo server is no longer the provider: its rows now name it; the new provider's
    # failed discovery shows as a path.
    assert f"{demo_host}/token" in urls
    assert urls[-1] == "/.well-known/openid-configuration"
    state.set_provider(replace(state.provider, issuer=session.provider.issuer))
    assert "/token" in [_cell(dock, row, M.COL_URL) for row in range(rows)]
    # The column is wide enough for the duration it shows.
    duration = _cell(dock, rows - 1, M.COL_DURATION)
    width = dock.table.horizontalHeader().sectionSize(M.COL_DURATION)
    assert dock.table.fontMetrics().horizontalAdvance(duration) < width
    print(f"duration cell {duration!r} in {width} px")


def test_an_exchange_opens_at_full_height_in_its_own_window(qtbot: QtBot, state: AppState) -> None:
    dock = _dock(qtbot, state)
    state.require_session().client_credentials()
    row = next(
        r for r in range(dock.model.rowCount()) if _cell(dock, r, M.COL_PURPOSE).startswith("disc")
    )
    assert not dock.open_action.isEnabled()
    dock.table.selectRow(row)
    assert dock.open_action.isEnabled()
    pane_lines = dock.detail.viewport().height() // dock.detail.fontMetrics().lineSpacing()
    index = dock.proxy.index(row, M.COL_URL)
    dock.table.activated.emit(index)  # what a double-click or Return does
    window = dock.window_view
    assert window is not None and window.isVisible()
    qtbot.addWidget(window)
    assert window.text.toPlainText() == dock.detail.toPlainText()
    assert "issuer" in window.text.toPlainText()  # the whole discovery document is there
    lines = window.visible_lines()
    print(f"detail pane: {pane_lines} lines; own window: {lines} lines")
    screen = window.screen().availableGeometry()
    assert lines > 2 * pane_lines
    assert window.frameGeometry().height() <= screen.height()
    window.copy_curl_button.click()
    assert QGuiApplication.clipboard().text().startswith("curl ")
    QGuiApplication.clipboard().clear()
    window.close()
    assert window.title.textFormat() == Qt.TextFormat.PlainText
