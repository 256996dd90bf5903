"""The Sequence dock against the demo server: a tab's run is a flow, drawn live; an arrow
selects its exchange in the log; Mermaid, SVG, report and the log export carry the flow."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from tests.demo_driver import decide_device_code
from tests.ui.conftest import demo_provider
from tests.ui.test_tab_auth_code import ScriptedBrowser
from workbench.demo import CONFIDENTIAL_CLIENT_SECRET, DemoServer
from workbench.ui import workers
from workbench.ui.diagram.dock import SequenceDock
from workbench.ui.flows.auth_code import AuthCodeTab
from workbench.ui.flows.client_credentials import ClientCredentialsTab
from workbench.ui.flows.device import DeviceFlowTab
from workbench.ui.main_window import MainWindow
from workbench.ui.state import AppState
from workbench.ui.theme import is_dark, semantic_colours

TOKEN_ARROW = "token request (client_credentials)"


@pytest.fixture
def window(qtbot: Any, demo: DemoServer) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.set_demo_issuer(demo.issuer)
    win.show()
    qtbot.waitExposed(win)
    return win


def run_client_credentials(window: MainWindow, qtbot: Any) -> None:
    tab = window.select_tab("clientCredentials")
    with qtbot.waitSignal(window.state.sig_tokens_changed, timeout=10_000):
        tab.start()
    qtbot.waitUntil(lambda: not workers.active(), timeout=10_000)


def test_client_credentials_run_is_a_flow_drawn_in_the_dock(window: MainWindow, qtbot: Any) -> None:
    dock = window.sequence_dock
    assert dock.flow_picker.count() == 0 and dock.view.model is None
    run_client_credentials(window, qtbot)
    flows = window.state.log.flows()
    assert [(f.name, f.outcome) for f in flows] == [("clientCredentials", "ok")]
    [token] = [e for e in window.state.log.items() if e.purpose == "token (client_credentials)"]
    assert token.flow_id == flows[0].id

    window.findChild(type(dock.toggleViewAction()), "actionToggleSequence").trigger()
    qtbot.waitUntil(dock.isVisible, timeout=5000)
    assert dock.flow_picker.currentText().startswith("clientCredentials — ")
    assert dock.flow_picker.currentText().endswith("(ok)")
    model = dock.view.model
    assert model is not None and model.flow is not None and model.flow.id == flows[0].id
    labels = [arrow.label for arrow in model.arrows]
    assert TOKEN_ARROW in labels
    reply = model.arrows[labels.index(TOKEN_ARROW) + 1]
    assert reply.reply and reply.label.startswith("200") and not reply.failed
    assert TOKEN_ARROW in dock.view.accessibleDescription()
    assert dock.view.width() >= dock.view.sizeHint().width()

    # A second run is a new flow: the picker follows it, the first stays listed.
    run_client_credentials(window, qtbot)
    assert dock.flow_picker.count() == 2
    assert dock.flow_picker.currentData() == window.state.log.flows()[-1].id


def test_clicking_an_arrow_selects_its_exchange_in_the_log(window: MainWindow, qtbot: Any) -> None:
    run_client_credentials(window, qtbot)
    dock = window.sequence_dock
    dock.show()
    qtbot.waitExposed(dock)
    model = dock.view.model
    assert model is not None
    row = [arrow.label for arrow in model.arrows].index(TOKEN_ARROW)
    expected = model.arrows[row].exchange_id
    window.log_dock.filter_edit.setText("discovery")  # hides the token request
    centre = dock.view.arrow_rect(row).center()
    with qtbot.waitSignal(dock.sig_select_exchange, timeout=2000) as clicked:
        qtbot.mouseClick(dock.view, Qt.MouseButton.LeftButton, pos=QPoint(centre))
    assert clicked.args == [expected]
    selected = window.log_dock.selected_exchange()
    assert selected is not None and selected.id == expected
    assert selected.purpose == "token (client_credentials)"
    assert window.log_dock.isVisible() and window.log_dock.filter_edit.text() == ""


def test_mermaid_svg_and_report_of_the_selected_flow(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    run_client_credentials(window, qtbot)
    dock = window.sequence_dock
    text = dock.copy_mermaid()
    assert text.startswith("sequenceDiagram") and TOKEN_ARROW in text
    assert QGuiApplication.clipboard().text() == text
    svg, report = tmp_path / "flow.svg", tmp_path / "flow.html"
    dock.save_svg_to(svg)
    dock.save_report_to(report)
    for path in (svg, report):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert CONFIDENTIAL_CLIENT_SECRET not in path.read_text(encoding="utf-8")
    assert svg.read_text(encoding="utf-8").startswith("<svg") and TOKEN_ARROW in svg.read_text()
    assert "clientCredentials" in report.read_text() and TOKEN_ARROW in report.read_text()


def test_export_writes_the_flows_and_their_exchanges(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    run_client_credentials(window, qtbot)
    path = tmp_path / "log.json"
    window.log_dock.export_to(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    [flow] = document["flows"]
    assert flow["name"] == "clientCredentials" and flow["outcome"] == "ok"
    [token] = [e for e in document["exchanges"] if e["purpose"] == "token (client_credentials)"]
    assert token["flow_id"] == flow["id"]


def test_device_flow_shows_its_polls_collapsed(qtbot: Any, demo: DemoServer) -> None:
    state = AppState()
    state.set_provider(demo_provider(demo.issuer, public=True))
    tab = DeviceFlowTab(state)
    dock = SequenceDock(state)
    qtbot.addWidget(tab)
    qtbot.addWidget(dock)
    tab.show()
    dock.show()
    try:
        with qtbot.waitSignal(tab.sig_device_started, timeout=8000) as started:
            tab.start()
        auth = started.args[0]
        with qtbot.waitSignal(tab.sig_poll, timeout=8000):
            pass
        with qtbot.waitSignal(tab.sig_poll, timeout=8000):
            pass
        with qtbot.waitSignal(tab.sig_device_finished, timeout=8000):
            decide_device_code(auth.verification_uri, auth.user_code)
        qtbot.waitUntil(lambda: not tab.busy, timeout=8000)
        model = dock.view.model
        assert model is not None and model.flow is not None
        assert model.flow.name == "device" and dock.flow_picker.currentText().endswith("(ok)")
        polls = [a for a in model.arrows if a.label.startswith("token request (device_code)")]
        # The pending polls are one arrow; the approval, then the poll that got the tokens.
        assert len(polls) == 2 and ", polled " in polls[0].label
        assert len(polls[0].exchange_ids) >= 2 and len(polls[1].exchange_ids) == 1
        labels = [a.label for a in model.arrows]
        approved = labels.index("user approved on the verification page")
        assert labels.index(polls[0].label) < approved < len(labels) - 2
        assert labels[approved + 1 :] == ["token request (device_code)", "200 OK"]
    finally:
        state.close()


@pytest.mark.parametrize("dark", [False, True])
def test_a_refused_request_is_drawn_in_the_themes_failure_colour(
    qtbot: Any, demo: DemoServer, dark: bool
) -> None:
    state = AppState()
    state.set_provider(demo_provider(demo.issuer, scope="nonsense"))
    tab = ClientCredentialsTab(state)
    dock = SequenceDock(state)
    qtbot.addWidget(tab)
    qtbot.addWidget(dock)
    palette = QPalette(dock.palette())
    background = QColor("#1e1e1e") if dark else QColor("#ffffff")
    palette.setColor(QPalette.ColorRole.Window, background)
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#eeeeee" if dark else "#111111"))
    dock.view.setPalette(palette)
    try:
        tab.start()
        qtbot.waitUntil(lambda: not tab.busy and not workers.active(), timeout=8000)
        assert not tab.error_banner.isHidden()
        assert dock.flow_picker.currentText().endswith("(failed)")
        model = dock.view.model
        assert model is not None
        failed = [arrow for arrow in model.arrows if arrow.failed]
        assert [arrow.label for arrow in failed] == ["400 invalid_scope"]
        image = dock.view.grab().toImage()
        wanted = semantic_colours(palette).failed.rgb()
        assert is_dark(palette) == dark
        assert any(
            image.pixelColor(x, y).rgb() == wanted
            for x in range(image.width())
            for y in range(image.height())
        ), "the failed reply is painted in the theme's failure colour"
    finally:
        state.close()


def test_auth_code_flow_shows_the_browser_steps_and_the_code_exchange(
    qtbot: Any, demo: DemoServer
) -> None:
    state = AppState()
    state.set_provider(demo_provider(demo.issuer, public=True))
    browser = ScriptedBrowser()
    tab = AuthCodeTab(state, open_url=browser.open)
    dock = SequenceDock(state)
    qtbot.addWidget(tab)
    qtbot.addWidget(dock)
    try:
        with qtbot.waitSignal(state.sig_tokens_changed, timeout=10_000):
            tab.start()
        qtbot.waitUntil(lambda: not tab.busy and not workers.active(), timeout=10_000)
        browser.join()
        assert not browser.errors
        model = dock.view.model
        assert model is not None and model.flow is not None
        assert model.flow.name == "authCode" and model.flow.outcome == "ok"
        kinds = [step.kind for step in state.log.steps() if step.flow_id == model.flow.id]
        assert kinds[:2] == ["browser_opened", "redirect_received"]
        assert model.lanes[:3] == ("user", "client", "authorization_server")
        labels = [arrow.label for arrow in model.arrows]
        assert "sign-in and consent in the browser" in labels
        assert labels.index("sign-in and consent in the browser") < labels.index(
            "token request (authorization_code)"
        )
    finally:
        browser.join()
        state.close()
