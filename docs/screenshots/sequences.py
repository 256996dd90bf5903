"""The Sequence dock photographed for three flows, in one colour scheme.

Starts the demo server, opens the main window offscreen (the scheme given: ``light`` or
``dark``), and runs an authorization code flow (the demo user alice signs in and consents
through a scripted browser over HTTP, as the tests do), a device flow (approved on the
verification page after a few polls) and a client credentials run. Each flow is then selected
in the dock, which is floated at the window's width and tall enough for its diagram, and grabbed.
Run from the repository root:

    python3 docs/screenshots/sequences.py light docs/screenshots
    python3 docs/screenshots/sequences.py dark docs/screenshots

writes ``sequence-<flow>-<scheme>.png`` for auth-code, device and client-credentials.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.demo_driver import decide_device_code  # noqa: E402
from tests.ui.test_tab_auth_code import ScriptedBrowser  # noqa: E402
from workbench.core.history import TokenHistory  # noqa: E402
from workbench.core.secrets import SecretStore  # noqa: E402
from workbench.ui import workers  # noqa: E402
from workbench.ui.demo_host import start_demo_server  # noqa: E402
from workbench.ui.main_window import MainWindow  # noqa: E402
from workbench.ui.screenshot import SCREENSHOT_TIMEOUT_MS, settle, wait_until  # noqa: E402
from workbench.ui.state import AppState  # noqa: E402
from workbench.ui.theme import apply_app_style  # noqa: E402

WIDTH, HEIGHT = 1366, 768
FLOWS = (
    ("authCode", "auth-code"),
    ("device", "device"),
    ("clientCredentials", "client-credentials"),
)


def run(window: MainWindow, key: str) -> None:
    tab: Any = window.select_tab(key)
    browser = ScriptedBrowser()
    if key == "authCode":
        tab.open_url = browser.open
    if key == "device":
        polls: list[object] = []
        tab.sig_poll.connect(polls.append)

        def approve(auth: Any) -> None:
            def later() -> None:
                wait = threading.Event()
                while len(polls) < 2 and not wait.wait(0.1):
                    pass
                decide_device_code(auth.verification_uri, auth.user_code)

            threading.Thread(target=later, name="approve", daemon=True).start()

        tab.sig_device_started.connect(approve)
    tab.start()
    wait_until(lambda: not tab.busy and not workers.active(), SCREENSHOT_TIMEOUT_MS)
    browser.join()


def main(scheme: str, out: str) -> int:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_app_style(app, scheme)  # type: ignore[arg-type]
    server = start_demo_server(False)
    state = AppState(history=TokenHistory(SecretStore(use_keyring=False)))
    window = MainWindow(state, remember=False)
    try:
        window.set_demo_issuer(server.issuer)
        window.resize(WIDTH, HEIGHT)
        window.show()
        for key, _ in FLOWS:
            run(window, key)
        dock = window.sequence_dock
        dock.show()
        dock.setFloating(True)
        flows = {flow.name: flow.id for flow in state.log.flows()}
        for key, name in FLOWS:
            dock.flow_picker.setCurrentIndex(dock.flow_picker.findData(flows[key]))
            view = dock.view.sizeHint()
            dock.resize(min(WIDTH, max(900, view.width() + 60)), view.height() + 90)
            settle(300)
            path = Path(out) / f"sequence-{name}-{scheme}.png"
            print(("saved " if dock.grab().save(str(path)) else "could not save ") + str(path))
    finally:
        for flow in window.flow_tabs.values():
            flow.cancel()
        window.close()
        state.close()
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
