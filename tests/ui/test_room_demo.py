"""A room demo: Presenter view from anywhere, the demo provider on the LAN, loopback warnings.

The LAN server listens on every interface with this machine's LAN address in its issuer
(``lan_address()``, the default route's source address): the test talks to it over that
address, as a phone in the room would.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import Qt

from workbench.core.cognito.pool import is_loopback_url
from workbench.demo import DemoServer
from workbench.demo.server import lan_address
from workbench.ui.demo_host import DemoHost
from workbench.ui.flows.device import DeviceFlowTab
from workbench.ui.main_window import MainWindow

SIGNAL_MS = 10_000
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(qtbot: Any, demo: DemoServer) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.set_demo_issuer(demo.issuer)
    win.select_tab("clientCredentials")
    win.show()
    qtbot.waitExposed(win)
    return win


def device_of(window: MainWindow) -> DeviceFlowTab:
    tab = window.flow_tabs["device"]
    assert isinstance(tab, DeviceFlowTab)
    return tab


def start_device(qtbot: Any, window: MainWindow) -> DeviceFlowTab:
    device = device_of(window)
    window.provider_bar.picker.setCurrentIndex(
        window.provider_bar.picker.findText("Demo — native app (public client)")
    )
    with qtbot.waitSignal(device.sig_device_started, timeout=SIGNAL_MS):
        device.start()
    return device


def stop_device(qtbot: Any, device: DeviceFlowTab) -> None:
    if device.presenter is not None:
        device.presenter.close()
    device.cancel()
    qtbot.waitUntil(lambda: not device.busy, timeout=SIGNAL_MS)


def test_f11_without_a_device_login_goes_to_the_device_tab_and_says_what_to_do(
    qtbot: Any, window: MainWindow
) -> None:
    window.inspector.picker.setFocus()
    qtbot.keyClick(window.inspector.picker, Qt.Key.Key_F11)
    device = device_of(window)
    assert window.current_tab() is device
    assert "press Get code (Ctrl+Return), then F11" in device.step_label.text()
    assert "press Get code" in window.statusBar().currentMessage()
    assert device.presenter is None


def test_presenter_view_is_in_the_view_menu_window_wide(window: MainWindow) -> None:
    action = window.findChild(type(window.lan_action), "actionPresenter")
    assert action is not None and action.shortcut().toString() == "F11"
    assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert action in view_menu.actions() and window.lan_action in view_menu.actions()
    # The device tab's own F11 stands down: one shortcut, never an ambiguous pair.
    assert not device_of(window).presenter_shortcut.isEnabled()


def test_f11_from_another_tab_opens_the_running_login_full_screen(
    qtbot: Any, window: MainWindow
) -> None:
    device = start_device(qtbot, window)
    window.select_tab("refresh")
    window.flow_tabs["refresh"].scope_edit.setFocus()
    qtbot.keyClick(window.flow_tabs["refresh"].scope_edit, Qt.Key.Key_F11)
    presenter = device.presenter
    assert presenter is not None
    qtbot.waitUntil(presenter.isVisible, timeout=SIGNAL_MS)
    assert presenter.isFullScreen()
    assert device.authorization is not None
    assert presenter.user_code() == device.authorization.user_code
    stop_device(qtbot, device)


def test_f11_inside_the_device_tab_opens_it_too(qtbot: Any, window: MainWindow) -> None:
    device = start_device(qtbot, window)
    window.select_tab("device")
    device.user_code_label.setFocus()
    qtbot.keyClick(device.user_code_label, Qt.Key.Key_F11)
    assert device.presenter is not None
    qtbot.waitUntil(device.presenter.isVisible, timeout=SIGNAL_MS)
    stop_device(qtbot, device)


def test_a_loopback_address_is_flagged_beside_the_qr_and_in_the_presenter(
    qtbot: Any, window: MainWindow
) -> None:
    device = start_device(qtbot, window)
    assert device.authorization is not None
    assert urlsplit(device.authorization.qr_uri).hostname == "127.0.0.1"
    assert device.loopback_label.isVisibleTo(device)
    warning = device.loopback_label.text()
    assert warning.startswith("127.0.0.1 is this computer: a phone cannot open this address")
    assert "--lan" in device.loopback_label.text()
    presenter = device.open_presenter(full_screen=False)
    assert presenter is not None
    assert presenter.loopback_label.isVisible()
    assert presenter.loopback_label.text() == device.loopback_label.text()
    stop_device(qtbot, device)


@pytest.fixture
def host() -> Iterator[DemoHost]:
    demo_host = DemoHost(lan=False)
    yield demo_host
    demo_host.stop()


def test_reachable_from_phones_restarts_the_demo_on_the_lan_address(
    qtbot: Any, host: DemoHost, caplog: pytest.LogCaptureFixture
) -> None:
    win = MainWindow()
    qtbot.addWidget(win)
    with qtbot.waitSignal(host.sig_started, timeout=SIGNAL_MS):
        host.start()
    win.attach_demo(host)
    win.show()
    assert not win.lan_action.isChecked() and win.lan_action.isEnabled()
    assert win.state.demo_issuer == host.issuer and is_loopback_url(host.issuer or "")

    with (
        caplog.at_level(logging.WARNING),
        qtbot.waitSignal(host.sig_started, timeout=SIGNAL_MS) as started,
    ):
        win.lan_action.trigger()
    issuer, exposed = started.args
    assert exposed and urlsplit(issuer).hostname == lan_address()
    assert win.state.demo_issuer == issuer
    assert win.state.provider is not None and win.state.provider.issuer == issuer
    assert "reachable from your network" in win.demo_label.text()
    assert win.demo_label.property("exposed") == "true"  # style.qss: amber, bold
    assert "for testing only" in win.demo_label.toolTip()
    assert any("reachable from your local network" in r.getMessage() for r in caplog.records)

    device = start_device(qtbot, win)  # over the LAN address, as a phone would
    assert device.authorization is not None
    assert urlsplit(device.authorization.qr_uri).hostname == lan_address()
    assert device.loopback_label.isVisibleTo(device) == is_loopback_url(device.authorization.qr_uri)
    stop_device(qtbot, device)

    with qtbot.waitSignal(host.sig_started, timeout=SIGNAL_MS) as back:
        win.lan_action.trigger()
    assert not back.args[1] and urlsplit(back.args[0]).hostname == "127.0.0.1"
    assert "reachable" not in win.demo_label.text()


def test_workbench_demo_lan_serves_on_the_lan_with_the_warning(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "--demo", "--lan"],
        cwd=ROOT,
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "WORKBENCH_QUIT_WHEN_SHOWN": "1",
            "WORKBENCH_CONFIG_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=90,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert "the demo server listens on 0.0.0.0 and is reachable from your local network" in (
        result.stderr
    )
    assert f"http://{lan_address()}:" in result.stderr


def test_the_presenter_renders_to_a_png_at_a_laptop_size(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    target = tmp_path / "presenter.png"
    args = ["--demo", "--screenshot", str(target), "--tab", "device", "--presenter"]
    result = subprocess.run(
        [sys.executable, "-m", "workbench", *args, "--size", "1366x768"],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "WORKBENCH_CONFIG_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=90,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1366, 768)


def test_lan_without_demo_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "--lan"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2 and "use it with --demo" in result.stderr
