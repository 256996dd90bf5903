"""The Sequence dock in the main window, against real peers: an arrow shows the token its
exchange brought in the inspector (or says it is gone), PNG and themed SVG exports, the refresh
tab's reuse failure and a Cognito sign-in drawn (moto's ThreadedMotoServer)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot

from tests.cognito_peer import PASSWORD as COGNITO_PASSWORD
from tests.cognito_peer import MotoPool
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.report.svg import DARK, LIGHT
from workbench.demo import DemoServer
from workbench.ui import workers
from workbench.ui.cognito.tab import CognitoTab
from workbench.ui.diagram.dock import PNG_SCALE, SequenceDock
from workbench.ui.main_window import MainWindow
from workbench.ui.state import AppState, TokenContext
from workbench.ui.theme import is_dark, semantic_colours

TIMEOUT_MS = 10_000
TOKEN_ARROW = "token request (client_credentials)"


@pytest.fixture
def window(qtbot: QtBot, demo: DemoServer) -> Iterator[MainWindow]:
    win = MainWindow()
    qtbot.addWidget(win)
    win.set_demo_issuer(demo.issuer)
    win.show()
    qtbot.waitExposed(win)
    yield win
    qtbot.waitUntil(lambda: not workers.active(), timeout=TIMEOUT_MS)


def run_client_credentials(window: MainWindow, qtbot: QtBot) -> None:
    tab = window.select_tab("clientCredentials")
    with qtbot.waitSignal(window.state.sig_tokens_changed, timeout=TIMEOUT_MS):
        tab.start()
    qtbot.waitUntil(lambda: not workers.active(), timeout=TIMEOUT_MS)


def click_arrow(qtbot: QtBot, dock: SequenceDock, label: str) -> int:
    """Click the first arrow with these words; the exchange it stands for."""
    model = dock.view.model
    assert model is not None
    row = [arrow.label for arrow in model.arrows].index(label)
    exchange_id = model.arrows[row].exchange_id
    assert exchange_id is not None
    centre = dock.view.arrow_rect(row).center()
    with qtbot.waitSignal(dock.sig_select_exchange, timeout=2000):
        qtbot.mouseClick(dock.view, Qt.MouseButton.LeftButton, pos=QPoint(centre))
    return exchange_id


def pick_flow(dock: SequenceDock, flow_id: str) -> None:
    dock.flow_picker.setCurrentIndex(dock.flow_picker.findData(flow_id))
    model = dock.view.model
    assert model is not None and model.flow is not None and model.flow.id == flow_id


def test_an_arrow_shows_its_token_in_the_inspector_or_says_it_is_gone(
    window: MainWindow, qtbot: QtBot
) -> None:
    state, dock, inspector = window.state, window.sequence_dock, window.inspector
    run_client_credentials(window, qtbot)
    first = state.tokens
    assert first is not None and first.access_token
    dock.show()
    qtbot.waitExposed(dock)

    # The current tokens: the inspector selects the access token the clicked exchange brought.
    inspector.show_token("something else entirely", "Pasted")
    exchange_id = click_arrow(qtbot, dock, TOKEN_ARROW)
    shown = inspector.shown
    assert shown is not None and shown.entry.token == first.access_token
    assert shown.entry.role == "access"
    assert window.log_dock.selected_exchange().id == exchange_id  # type: ignore[union-attr]
    assert window.statusBar().currentMessage() == (
        f"The inspector shows the access token exchange #{exchange_id} brought."
    )
    # The log keeps no token: the masked record does not hold it.
    (record,) = [e for e in state.log.items() if e.id == exchange_id]
    assert first.access_token not in record.response_body

    # A second run replaces the current tokens; the first set is still in the history.
    run_client_credentials(window, qtbot)
    assert state.tokens is not None and state.tokens.access_token != first.access_token
    first_flow = state.log.flows()[0]
    pick_flow(dock, first_flow.id)
    click_arrow(qtbot, dock, TOKEN_ARROW)
    shown = inspector.shown
    assert shown is not None and shown.entry.token == first.access_token
    assert shown.entry.label == f"Exchange #{exchange_id}: access token"

    # Once the app holds it no more, the status bar says so instead of doing nothing.
    state.history.clear()
    inspector.show_token("something else entirely", "Pasted")
    click_arrow(qtbot, dock, TOKEN_ARROW)
    shown = inspector.shown
    assert shown is not None and shown.entry.token == "something else entirely"
    assert (
        window.statusBar()
        .currentMessage()
        .startswith(f"The tokens exchange #{exchange_id} brought are no longer held by the app")
    )
    # An arrow whose exchange brought no token only selects it in the log.
    window.statusBar().clearMessage()
    model = dock.view.model
    assert model is not None
    discovery = next(a.label for a in model.arrows if a.label.startswith("discovery"))
    click_arrow(qtbot, dock, discovery)
    assert window.statusBar().currentMessage() == ""


def test_an_id_token_is_shown_when_that_is_what_the_exchange_brought(
    window: MainWindow, qtbot: QtBot
) -> None:
    state, dock = window.state, window.sequence_dock
    session = state.require_session()
    with state.log.flow("password"):
        tokens = session.password("alice", "alice-password", scope="openid")
    assert tokens.id_token and tokens.access_token
    # Of that set, the app holds only the ID token now (the access token was never kept).
    state.history.clear()
    state.set_tokens(TokenSet(id_token=tokens.id_token), TokenContext(origin="password"), session)
    dock.refresh()
    click_arrow(qtbot, dock, "token request (password)")
    shown = window.inspector.shown
    assert shown is not None and shown.entry.token == tokens.id_token


@pytest.mark.parametrize("dark", [False, True])
def test_png_and_svg_follow_the_theme(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, dark: bool
) -> None:
    run_client_credentials(window, qtbot)
    dock = window.sequence_dock
    palette = QPalette(dock.palette())
    page = QColor("#1e1e1e") if dark else QColor("#fafafa")
    palette.setColor(QPalette.ColorRole.Window, page)
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#eeeeee" if dark else "#111111"))
    dock.setPalette(palette)
    assert is_dark(dock.palette()) == dark
    dock.show()
    qtbot.waitExposed(dock)
    # Beside Save SVG, with its own mnemonic (Alt+N) and accessible name.
    buttons = [dock.mermaid_button, dock.svg_button, dock.png_button, dock.report_button]
    assert dock.png_button.text() == "Save P&NG…"
    assert dock.png_button.accessibleName() == "Save PNG" and dock.png_button.isEnabled()
    assert sorted(b.x() for b in buttons) == [b.x() for b in buttons]
    mnemonics = [b.text()[b.text().index("&") + 1].lower() for b in buttons]
    assert len(set(mnemonics)) == len(mnemonics)

    svg_path, png_path = tmp_path / "flow.svg", tmp_path / "flow.png"
    dock.save_svg_to(svg_path)
    dock.save_png_to(png_path)
    for path in (svg_path, png_path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    svg = svg_path.read_text(encoding="utf-8")
    chosen, other = (DARK, LIGHT) if dark else (LIGHT, DARK)
    root = ElementTree.fromstring(svg)
    page_rect = root.find("{http://www.w3.org/2000/svg}rect")
    assert page_rect is not None and page_rect.get("fill") == chosen.page
    assert f'fill="{chosen.ink}"' in svg and f'fill="{other.ink}"' not in svg
    assert TOKEN_ARROW in svg

    image = QImage(str(png_path))
    assert not image.isNull()
    screen = dock.screen()
    scale = screen.devicePixelRatio() * PNG_SCALE
    assert image.width() == round(dock.view.width() * scale)
    assert image.height() == round(dock.view.height() * scale)
    assert image.pixelColor(1, 1).rgb() == page.rgb()  # the theme's page behind the diagram
    ink = dock.view.palette().color(QPalette.ColorRole.WindowText)
    drawn = {
        image.pixelColor(x, y).rgb()
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
    }
    assert ink.rgb() in drawn, "the arrows and words are painted in the theme's ink"


def test_refresh_tab_reuse_failure_is_drawn_in_the_failure_colour(
    window: MainWindow, qtbot: QtBot
) -> None:
    state, dock = window.state, window.sequence_dock
    session = state.require_session()
    tokens = session.password("alice", "alice-password", scope="openid offline_access")
    assert tokens.refresh_token
    state.set_tokens(tokens, TokenContext(origin="password"))
    tab: Any = window.select_tab("refresh")
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=TIMEOUT_MS):
        tab.start()  # rotates: a new refresh token, the old one spent
    qtbot.waitUntil(lambda: not tab.busy and not workers.active(), timeout=TIMEOUT_MS)
    tab.reuse_button.click()  # the old refresh token again
    qtbot.waitUntil(lambda: not tab.busy and not workers.active(), timeout=TIMEOUT_MS)
    assert "invalid_grant" in tab.error_banner.text()
    dock.show()
    qtbot.waitExposed(dock)

    flows = [f for f in state.log.flows() if f.name == "refresh"]
    assert [f.outcome for f in flows] == ["ok", "failed"]
    assert dock.flow_picker.currentData() == flows[-1].id
    model = dock.view.model
    assert model is not None
    failed = [a for a in model.arrows if a.failed]
    assert [(a.label, a.reply) for a in failed] == [("400 invalid_grant", True)]
    request = model.arrows[model.arrows.index(failed[0]) - 1]
    assert request.label == "token request (refresh_token)"
    assert "invalid_grant" in dock.view.accessibleDescription()
    pick_flow(dock, flows[0].id)
    assert dock.view.model is not None and not any(a.failed for a in dock.view.model.arrows)
    pick_flow(dock, flows[-1].id)

    wanted = semantic_colours(dock.view.palette()).failed.rgb()
    image = dock.view.grab().toImage()
    row = model.arrows.index(failed[0])
    rect = dock.view.arrow_rect(row)
    ratio = image.devicePixelRatio()
    assert any(
        image.pixelColor(round(x * ratio), round(y * ratio)).rgb() == wanted
        for x in range(rect.left(), rect.right())
        for y in range(rect.top(), rect.bottom())
    ), "the refused reply is painted in the failure colour"


def test_cognito_sign_in_draws_the_cognito_lane(
    qtbot: QtBot, make_pool: Callable[..., MotoPool]
) -> None:
    moto = make_pool(confirmed=True)
    window = MainWindow(AppState(), remember=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    tab = window.flow_tabs["cognito"]
    assert isinstance(tab, CognitoTab)
    window.select_tab("cognito")
    tab.set_pool(moto.describe(name="Moto pool"))
    flow_combo = tab.sign_in.flow_combo
    flow_combo.setCurrentIndex(flow_combo.findData("USER_PASSWORD_AUTH"))
    tab.sign_in.username_edit.setText(moto.username)
    tab.sign_in.password_edit.setText(COGNITO_PASSWORD)
    with qtbot.waitSignal(window.state.sig_tokens_changed, timeout=TIMEOUT_MS):
        tab.start()
    qtbot.waitUntil(lambda: not tab.busy and not workers.active(), timeout=TIMEOUT_MS)
    dock = window.sequence_dock
    dock.show()
    qtbot.waitExposed(dock)

    model = dock.view.model
    assert model is not None and model.flow is not None
    assert model.flow.name == "cognito" and model.flow.outcome == "ok"
    assert "cognito" in model.lanes
    sign_in = [a for a in model.arrows if a.label.startswith("cognito-idp InitiateAuth")]
    assert sign_in and (sign_in[0].source, sign_in[0].target) == ("client", "cognito")
    reply = model.arrows[model.arrows.index(sign_in[0]) + 1]
    assert (reply.source, reply.target, reply.failed) == ("cognito", "client", False)
    assert "Cognito API to Token Workbench" in dock.view.accessibleDescription()
    assert COGNITO_PASSWORD not in dock.copy_mermaid()
    # The arrow shows the access token Cognito returned in the inspector.
    click_arrow(qtbot, dock, sign_in[0].label)
    shown = window.inspector.shown
    tokens = window.state.tokens
    assert shown is not None and tokens is not None
    assert shown.entry.token == tokens.access_token
    window.close()


def test_each_save_button_writes_its_own_kind_whatever_the_name(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The platform's save dialog is the one thing replaced: it answers a name with no suffix.
    run_client_credentials(window, qtbot)
    dock = window.sequence_dock
    dock.show()
    qtbot.waitExposed(dock)
    answers: list[str] = []

    def dialog(*_args: Any) -> tuple[str, str]:
        return answers.pop(0), ""

    monkeypatch.setattr("workbench.ui.diagram.dock.QFileDialog.getSaveFileName", dialog)
    for button, name in ((dock.png_button, "a"), (dock.svg_button, "b"), (dock.report_button, "c")):
        answers.append(str(tmp_path / name))
        button.click()
    assert (tmp_path / "a").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert (tmp_path / "b").read_text(encoding="utf-8").startswith("<svg")
    assert (
        (tmp_path / "c").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    )
    for name in "abc":
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600
