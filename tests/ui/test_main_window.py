"""The main window: demo provider, tabs, profile editor, responsiveness, clean shutdown."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from tests.ui.conftest import demo_provider
from workbench.demo import CONFIDENTIAL_CLIENT_SECRET, DemoServer
from workbench.ui import workers
from workbench.ui.main_window import MainWindow
from workbench.ui.state import AppState

QT_PRIVATE_PARENTS = {"QTabBar", "QComboBoxPrivateContainer", "QCalendarWidget"}


@pytest.fixture
def window(qtbot: Any, demo: DemoServer) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.set_demo_issuer(demo.issuer)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_demo_provider_is_preselected_and_every_tab_is_there(window: MainWindow) -> None:
    assert window.provider_bar.picker.currentText().startswith("Demo")
    assert window.state.provider is not None
    assert window.state.provider.issuer == window.state.demo_issuer
    keys = [window.tabs.widget(i).objectName() for i in range(window.tabs.count())]
    assert keys == [
        "authCodeTab",
        "clientCredentialsTab",
        "deviceTab",
        "cibaTab",
        "refreshTab",
        "tokenExchangeTab",
        "passwordTab",
        "implicitTab",
        "cognitoTab",
        "apiTab",
    ]
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert "Password (legacy)" in titles and "Implicit (legacy)" in titles


def test_every_interactive_widget_has_an_object_and_accessible_name(window: MainWindow) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QSpinBox,
        QTextEdit,
    )

    interactive = (
        QAbstractButton,
        QLineEdit,
        QComboBox,
        QSpinBox,
        QPlainTextEdit,
        QTextEdit,
        QAbstractItemView,
    )
    missing = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, interactive) or widget.objectName().startswith("qt_"):
            continue
        owner = widget.parent()
        grand = owner.parent() if owner is not None else None
        composite = (QComboBox, QSpinBox, QLineEdit, QAbstractItemView)
        if (
            isinstance(owner, composite)
            or isinstance(grand, QComboBox)  # a combo box's popup list in its container
            or type(owner).__name__ in QT_PRIVATE_PARENTS
        ):
            continue  # Qt's own parts of a composite widget (headers, popups, clear buttons)
        if not widget.objectName() or not widget.accessibleName():
            missing.append(
                f"{type(widget).__name__} in {type(owner).__name__} {owner.objectName()!r}"
            )
    assert not missing, missing


def test_client_credentials_from_the_window_lands_in_the_inspector(
    window: MainWindow, qtbot: Any
) -> None:
    tab = window.select_tab("clientCredentials")
    with qtbot.waitSignal(window.state.sig_tokens_changed, timeout=10_000):
        tab.start()
    assert window.state.tokens is not None and window.state.tokens.access_token
    qtbot.waitUntil(lambda: not workers.active(), timeout=10_000)
    assert window.log_dock.isVisible()


def test_gui_thread_stays_responsive_with_a_slow_token_endpoint(qtbot: Any, make_demo: Any) -> None:
    """The token endpoint sleeps 3 s; a 50 ms QTimer must keep firing meanwhile."""
    slow = make_demo(token_delay=3.0)
    state = AppState()
    state.set_provider(demo_provider(slow.issuer))
    state.require_session().metadata()  # discovery is not what this test measures
    win = MainWindow(state)
    qtbot.addWidget(win)
    win.show()
    tab = win.select_tab("clientCredentials")
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    started = time.monotonic()
    with qtbot.waitSignal(state.sig_tokens_changed, timeout=15_000):
        tab.start()
    timer.stop()
    elapsed = time.monotonic() - started
    assert elapsed >= 3.0, "the slow endpoint was really slow"
    gaps = [b - a for a, b in zip([started, *ticks], ticks, strict=False)]
    assert len(ticks) >= 30, f"timer fired only {len(ticks)} times in {elapsed:.1f} s"
    assert max(gaps) < 0.5, f"the GUI thread was blocked for {max(gaps):.2f} s"


def test_closing_mid_flow_leaves_no_thread_or_listener(qtbot: Any, demo: DemoServer) -> None:
    state = AppState()
    state.set_provider(demo_provider(demo.issuer, public=True))
    win = MainWindow(state)
    qtbot.addWidget(win)
    win.show()
    tab = win.select_tab("authCode")
    tab.open_url = lambda url: True  # type: ignore[attr-defined]  # no real browser
    tab.start()
    qtbot.waitUntil(lambda: bool(getattr(tab, "pending", None)), timeout=10_000)
    redirect = tab.pending.request.redirect_uri  # type: ignore[attr-defined]
    port = int(redirect.split(":")[2].split("/")[0])
    assert workers.active(), "the flow is waiting in a worker"
    win.close()
    assert not workers.active()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    leftover = [t.name for t in threading.enumerate() if t.name.startswith("loopback")]
    assert leftover == []


def test_window_state_is_remembered(qtbot: Any, demo: DemoServer) -> None:
    first = MainWindow()
    qtbot.addWidget(first)
    first.set_demo_issuer(demo.issuer)
    first.resize(777, 701)  # within the offscreen screen (800x800)
    first.show()
    first.select_tab("device")
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    assert second.current_tab().key == "device"
    assert (second.width(), second.height()) == (777, 701)
    second.close()


def test_profile_editor_discovers_and_keeps_the_secret_out_of_the_file(
    window: MainWindow, qtbot: Any, isolated_paths: Any
) -> None:
    from workbench.ui.dialogs.profile_editor import ProfileEditorDialog

    dialog = ProfileEditorDialog(window.state, None, window)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Local demo")
    dialog.issuer_edit.setText(window.state.demo_issuer or "")
    dialog.discover_button.click()
    qtbot.waitUntil(lambda: bool(dialog.endpoint_edits["token_endpoint"].text()), timeout=10_000)
    assert dialog.endpoint_edits["jwks_uri"].text().endswith("/jwks.json")
    dialog.client_id_edit.setText("workbench-confidential")
    dialog.secret_edit.setText(CONFIDENTIAL_CLIENT_SECRET)
    dialog._on_save()
    assert dialog.result() == ProfileEditorDialog.DialogCode.Accepted
    text = window.state.profiles.path.read_text("utf-8")
    assert "Local demo" in text and CONFIDENTIAL_CLIENT_SECRET not in text
    assert window.state.secrets.get("Local demo") == CONFIDENTIAL_CLIENT_SECRET
    window.provider_bar.reload(select="Local demo")
    assert window.state.provider is not None
    assert window.state.provider.client.client_secret == CONFIDENTIAL_CLIENT_SECRET


def test_profile_editor_shows_discovery_errors_inline(window: MainWindow, qtbot: Any) -> None:
    from tests.peers import closed_port_url
    from workbench.ui.dialogs.profile_editor import ProfileEditorDialog

    dialog = ProfileEditorDialog(window.state, None, window)
    qtbot.addWidget(dialog)
    dialog.issuer_edit.setText(closed_port_url())
    dialog.discover_button.click()
    qtbot.waitUntil(lambda: not dialog.banner.isHidden(), timeout=10_000)
    assert "refused" in dialog.banner.text()
    qtbot.waitUntil(dialog.discover_button.isEnabled, timeout=5_000)


def test_unexpected_exception_opens_the_dialog(window: MainWindow, qtbot: Any) -> None:
    from workbench.ui.dialogs.exception_dialog import show_exception

    box = show_exception(window, RuntimeError("boom"))
    assert box.isVisible() and "RuntimeError: boom" in box.text()
    box.close()
    assert QApplication.instance() is not None
