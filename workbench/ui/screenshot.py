"""``workbench --screenshot FILE``: render the window to a PNG, populated, and exit.

With the demo provider the inspector gets real tokens first (password grant for the demo user
alice, through the same worker path as the UI), and the chosen tab is caught mid-flow where that
shows more (the device code with its QR code, the authorize URL with PKCE values). With
``--revoke`` the access token is revoked, the reality check answers, and its "Call both demo
APIs" shows the two demo APIs' answers. With ``--logout`` the inspector logs out at the demo
server (the end-session URL followed in-process, where the system browser would open it) and
the logout reality check answers, the demo APIs called likewise.
With ``--history`` the token history is open and its two newest sets compared. With
``--sequence`` the chosen tab's flow is run and the Sequence dock shows it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer, QUrl
from PySide6.QtWidgets import QApplication, QWidget

from workbench.demo.clients import DEMO_PASSWORD, DEMO_USERNAME
from workbench.ui import workers
from workbench.ui.main_window import MainWindow
from workbench.ui.reveal import is_flashing
from workbench.ui.state import TokenContext

POLL_MS = 50
SCREENSHOT_SETTLE_MS = 600
SCREENSHOT_TIMEOUT_MS = 20_000


def wait_until(predicate: Callable[[], bool], timeout_ms: int) -> bool:
    """Process events until ``predicate()`` holds or the time is up."""
    deadline = time.monotonic() + timeout_ms / 1000
    loop = QEventLoop()
    while not predicate():
        if time.monotonic() > deadline:
            return False
        QTimer.singleShot(POLL_MS, loop.quit)
        loop.exec()
    return True


def settle(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _populate_with_demo_tokens(window: MainWindow, timeout_ms: int) -> None:
    session = window.state.require_session()
    done: list[bool] = []

    def on_tokens(tokens: object) -> None:
        from workbench.core.oauth.tokenset import TokenSet

        assert isinstance(tokens, TokenSet)
        window.state.set_tokens(tokens, TokenContext(origin="password"))
        done.append(True)

    workers.start(
        session.password,
        DEMO_USERNAME,
        DEMO_PASSWORD,
        on_returned=on_tokens,
        on_errored=lambda exc: done.append(False),
    )
    wait_until(lambda: bool(done), timeout_ms)


def _call_demo_apis(window: MainWindow) -> None:
    """The reality check's "Call both demo APIs", when offered: one 200 beside one 401."""
    row = window.inspector.reality.demo_apis
    if not row.isVisibleTo(window):
        return
    row.button.click()
    wait_until(lambda: row.answered and not workers.active(), SCREENSHOT_TIMEOUT_MS)


def _follow_in_process(url: QUrl) -> bool:
    """The screenshot's stand-in for the system browser: load the demo server's end-session
    URL and follow its redirect to the loopback listener."""
    import requests

    target = bytes(url.toEncoded().data()).decode("ascii")
    return requests.get(target, timeout=10).ok


def _log_out(window: MainWindow) -> None:
    inspector = window.inspector
    inspector.logout.open_url = _follow_in_process
    inspector.token_actions.logout.trigger()
    wait_until(lambda: inspector.reality.check is not None, SCREENSHOT_TIMEOUT_MS)
    wait_until(lambda: not workers.active(), SCREENSHOT_TIMEOUT_MS)
    _call_demo_apis(window)


def _trigger_lab(window: MainWindow, handler: str, size: tuple[int, int]) -> QWidget:
    """The lab with a token before the handler, then the handler loaded and a token after."""
    lab = window.open_trigger_lab()
    lab.resize(size[0] * 2 // 3, size[1] * 3 // 4)
    for step in (lab.get_token, lambda: lab.use_handler(handler), lab.get_token):
        step()
        wait_until(lambda: not lab.busy, SCREENSHOT_TIMEOUT_MS)
    wait_until(lambda: not workers.active(), SCREENSHOT_TIMEOUT_MS)
    return lab


def take_screenshot(
    window: MainWindow,
    path: Path,
    size: tuple[int, int],
    *,
    revoke: bool = False,
    presenter: bool = False,
    logout: bool = False,
    trigger: str | None = None,
    history: bool = False,
    sequence: bool = False,
) -> int:
    """Show, populate, grab, save; returns the exit code.

    With ``presenter`` the device tab's presenter view is grabbed instead, at ``size``; with
    ``trigger`` the pre-token trigger lab, after a token without and one with that handler.
    """
    window.resize(*size)
    window.show()
    QApplication.processEvents()
    if window.state.demo_issuer:
        _populate_with_demo_tokens(window, SCREENSHOT_TIMEOUT_MS)
        # The inspector verifies the new tokens in workers (JWKS fetch): let them finish.
        wait_until(lambda: not workers.active(), SCREENSHOT_TIMEOUT_MS)
        if revoke:  # the inspector then runs the reality check by itself
            window.inspector.revoke("access")
            wait_until(lambda: window.inspector.reality.check is not None, SCREENSHOT_TIMEOUT_MS)
            wait_until(lambda: not workers.active(), SCREENSHOT_TIMEOUT_MS)
            _call_demo_apis(window)
        if logout:
            _log_out(window)
        prepare = getattr(window.current_tab(), "prepare_screenshot", None)
        if callable(prepare):
            ready = prepare()
            if callable(ready):
                wait_until(ready, SCREENSHOT_TIMEOUT_MS)
        if history:
            window.history_dock.show()
            window.history_dock.compare_newest()
            wait_until(lambda: not workers.active(), SCREENSHOT_TIMEOUT_MS)
        if sequence:
            window.current_tab().start()
            wait_until(lambda: not window.current_tab().busy, SCREENSHOT_TIMEOUT_MS)
            wait_until(lambda: not workers.active(), SCREENSHOT_TIMEOUT_MS)
            window.sequence_dock.show()
            window.sequence_dock.raise_()
            window.resizeDocks([window.sequence_dock], [size[1] // 3], Qt.Orientation.Vertical)
    target: QWidget = window
    if trigger:
        target = _trigger_lab(window, trigger, size)
    if presenter:
        view = getattr(window.current_tab(), "open_presenter", lambda _full: None)(False)
        if view is None:
            print("workbench: --presenter needs --demo --tab device", file=sys.stderr)
            return 2
        view.resize(*size)
        target = view
    settle(SCREENSHOT_SETTLE_MS)
    # A new answer is outlined for a moment (ui/reveal.py): the picture shows it settled.
    wait_until(
        lambda: not any(map(is_flashing, window.findChildren(QWidget))), SCREENSHOT_TIMEOUT_MS
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = target.grab().save(str(path))
    if presenter:
        target.close()
    for flow in window.flow_tabs.values():
        flow.cancel()
    print(f"{'saved' if ok else 'could not save'} {path}")
    return 0 if ok else 1
