"""The main window on a laptop screen, run by test_screen_sizes.py at each screen size.

Not collected by itself (the name does not start with ``test_``): test_screen_sizes.py runs
it with pytest in a subprocess whose offscreen screen has the size under test (Qt's offscreen
platform reads it from a configfile), because a QApplication's screens are fixed for its life.
The screen size is in WORKBENCH_TEST_SCREEN (``1366x768``).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from workbench.demo import DemoServer
from workbench.ui.main_window import MainWindow
from workbench.ui.reveal import is_flashing

SIGNAL_MS = 10_000


def screen_size() -> tuple[int, int]:
    width, _, height = os.environ["WORKBENCH_TEST_SCREEN"].partition("x")
    return int(width), int(height)


def on_screen(widget: QWidget) -> bool:
    """Shown whole: not hidden, not clipped by a scroll area or the window's edge."""
    if not widget.isVisible():
        return False
    window = widget.window()
    top_left = widget.mapTo(window, QPoint(0, 0))
    inside = window.rect().contains(QRect(top_left, widget.size()))
    return inside and widget.visibleRegion().boundingRect() == widget.rect()


@pytest.fixture
def window(qtbot: Any, demo: DemoServer) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.set_demo_issuer(demo.issuer)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_the_screen_is_the_size_under_test() -> None:
    screen = QGuiApplication.primaryScreen()
    assert (screen.geometry().width(), screen.geometry().height()) == screen_size()


def test_the_window_opens_inside_the_available_geometry(window: MainWindow) -> None:
    available = window.screen().availableGeometry()
    frame = window.frameGeometry()
    size = f"{frame.width()}x{frame.height()}"
    print(f"screen {screen_size()}: window {size} at {frame.x()},{frame.y()}")
    assert available.contains(frame)
    assert window.height() <= available.height() and window.width() <= available.width()


def test_log_and_status_bar_stay_on_screen(window: MainWindow) -> None:
    assert on_screen(window.statusBar())
    assert on_screen(window.demo_label)
    assert window.log_dock.isVisible() and on_screen(window.log_dock.widget())
    assert on_screen(window.menuBar()) and on_screen(window.provider_bar)


def test_the_sequence_docks_buttons_fit(qtbot: Any, window: MainWindow) -> None:
    dock = window.sequence_dock
    dock.show()
    dock.raise_()
    qtbot.waitExposed(dock)
    buttons = (dock.mermaid_button, dock.svg_button, dock.png_button, dock.report_button)
    assert all(on_screen(button) for button in buttons)
    for button in buttons:  # each shows its whole text
        assert button.width() >= button.sizeHint().width()
    assert on_screen(dock.flow_picker)


def test_every_tab_can_run_and_cancel_without_scrolling(window: MainWindow) -> None:
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        tab = window.current_tab()
        QGuiApplication.processEvents()
        assert on_screen(tab.run_button), tab.key
        assert on_screen(tab.cancel_button), tab.key


def test_the_presenter_button_is_in_view(window: MainWindow) -> None:
    device = window.select_tab("device")
    QGuiApplication.processEvents()
    assert on_screen(device.presenter_button)  # type: ignore[attr-defined]


def test_inspector_actions_are_in_view_with_a_token(qtbot: Any, window: MainWindow) -> None:
    from workbench.ui.state import TokenContext

    tokens = window.state.require_session().password("alice", "alice-password")
    window.state.set_tokens(tokens, TokenContext(origin="password"))
    inspector = window.inspector
    qtbot.waitUntil(lambda: inspector.userinfo_button.isEnabled(), timeout=SIGNAL_MS)
    for button in (inspector.userinfo_button, inspector.reality_button):
        assert on_screen(button)


def test_new_results_below_the_fold_are_scrolled_into_view(qtbot: Any, window: MainWindow) -> None:
    """UserInfo, then "Check with server": the reality check lands below the UserInfo answer,
    under the fold, and is scrolled up into view; scrolled back down, UserInfo again: its
    answer (above) comes back into view. Each new answer is outlined for a moment."""
    from workbench.ui.state import TokenContext

    tokens = window.state.require_session().password("alice", "alice-password")
    window.state.set_tokens(tokens, TokenContext(origin="password"))
    inspector = window.inspector
    qtbot.waitUntil(lambda: inspector.userinfo_button.isEnabled(), timeout=SIGNAL_MS)
    with qtbot.waitSignal(inspector.sig_action_finished, timeout=SIGNAL_MS):
        qtbot.mouseClick(inspector.userinfo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: on_screen(inspector.result_view.title), timeout=SIGNAL_MS)
    bar = inspector.body_scroll.verticalScrollBar()
    bar.setValue(0)

    with qtbot.waitSignal(inspector.sig_action_finished, timeout=SIGNAL_MS):
        qtbot.mouseClick(inspector.reality_button, Qt.MouseButton.LeftButton)
    reality = inspector.reality
    qtbot.waitUntil(lambda: reality.check is not None, timeout=SIGNAL_MS)
    qtbot.waitUntil(lambda: on_screen(reality.server.headline), timeout=SIGNAL_MS)
    print(f"reality check revealed: inspector scrolled to {bar.value()} of {bar.maximum()}")
    assert bar.value() > 0, "the reality check was below the fold"
    assert on_screen(reality.local.headline)
    assert is_flashing(reality)
    qtbot.waitUntil(lambda: not is_flashing(reality), timeout=SIGNAL_MS)

    bar.setValue(bar.maximum())
    assert not on_screen(inspector.result_view.title)
    with qtbot.waitSignal(inspector.sig_action_finished, timeout=SIGNAL_MS):
        qtbot.mouseClick(inspector.userinfo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: on_screen(inspector.result_view.title), timeout=SIGNAL_MS)
    assert "UserInfo" in inspector.result_view.text()
    assert is_flashing(inspector.result_view)


def test_f11_from_the_inspector_opens_the_presenter_full_screen(
    qtbot: Any, window: MainWindow
) -> None:
    device = window.select_tab("device")
    with qtbot.waitSignal(device.sig_device_started, timeout=SIGNAL_MS):  # type: ignore[attr-defined]
        device.start()
    window.select_tab("authCode")
    window.inspector.picker.setFocus()
    qtbot.keyClick(window.inspector.picker, Qt.Key.Key_F11)
    presenter = device.presenter  # type: ignore[attr-defined]
    assert presenter is not None
    qtbot.waitUntil(presenter.isVisible, timeout=SIGNAL_MS)
    assert presenter.isFullScreen()
    qtbot.waitUntil(lambda: presenter.height() == screen_size()[1], timeout=SIGNAL_MS)
    # The sizes follow the full-screen height once the layout has run.
    qtbot.waitUntil(lambda: on_screen(presenter.qr_view), timeout=SIGNAL_MS)
    assert presenter.qr_view.height() >= 0.7 * screen_size()[1]
    assert on_screen(presenter.code_label) and on_screen(presenter.url_label)
    assert on_screen(presenter.close_button)
    presenter.close()
    device.cancel()
    qtbot.waitUntil(lambda: not device.busy, timeout=SIGNAL_MS)
