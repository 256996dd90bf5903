"""The hybrid flow and rich authorization requests (RFC 9396), photographed by the app.

``auth-code-hybrid-rar.png``: the Auth Code tab with response type ``code id_token token`` and a
``payment_initiation`` detail in its "Authorization details" editor (checked as typed), caught
mid-flow as ``--screenshot --tab authCode`` catches it. ``client-credentials-rar.png``: a client
credentials run from its tab with an ``account_information`` detail, the inspector's
"Authorization details" tab showing what the demo server granted. Both are the main window
offscreen at 1366x768 against the demo server. Run from the repository root:

    python3 docs/screenshots/hybrid_rar.py docs/screenshots
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from workbench.ui import workers  # noqa: E402
from workbench.ui.demo_host import start_demo_server  # noqa: E402
from workbench.ui.main_window import MainWindow  # noqa: E402
from workbench.ui.screenshot import (  # noqa: E402
    SCREENSHOT_TIMEOUT_MS,
    settle,
    take_screenshot,
    wait_until,
)

SIZE = (1366, 768)
PAYMENT = [{"type": "payment_initiation", "actions": ["initiate"],
            "instructedAmount": {"currency": "EUR", "amount": "12.50"},
            "creditorName": "Merchant A"}]  # fmt: skip
ACCOUNTS = [{"type": "account_information", "actions": ["read_balances"],
             "locations": ["https://bank.example/accounts"]}]  # fmt: skip


def hybrid(issuer: str, path: Path) -> int:
    window = MainWindow()
    try:
        window.set_demo_issuer(issuer)
        tab: Any = window.select_tab("authCode")
        tab.response_combo.setCurrentText("code id_token token (hybrid, with PKCE)")
        tab.details_editor.set_text(json.dumps(PAYMENT))
        return take_screenshot(window, path, SIZE)
    finally:
        window.close()


def client_credentials(issuer: str, path: Path) -> int:
    window = MainWindow()
    try:
        window.set_demo_issuer(issuer)
        window.resize(*SIZE)
        window.show()
        tab: Any = window.select_tab("clientCredentials")
        tab.details_editor.set_text(json.dumps(ACCOUNTS))
        tab.start()
        wait_until(lambda: not tab.busy and not workers.active(), SCREENSHOT_TIMEOUT_MS)
        details = window.inspector.tabs
        wait_until(lambda: details.isTabVisible(details.tab_details), SCREENSHOT_TIMEOUT_MS)
        details.setCurrentIndex(details.tab_details)
        settle(600)
        ok = window.grab().save(str(path))
        print(f"{'saved' if ok else 'could not save'} {path}")
        return 0 if ok else 1
    finally:
        window.close()


def main(out: str) -> int:
    app = QApplication.instance() or QApplication([])
    server = start_demo_server(False)
    try:
        failed = hybrid(server.issuer, Path(out) / "auth-code-hybrid-rar.png")
        failed |= client_credentials(server.issuer, Path(out) / "client-credentials-rar.png")
    finally:
        server.stop()
        app.processEvents()
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
