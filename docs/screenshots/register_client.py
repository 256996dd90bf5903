"""The profile editor's "Register a new client…", photographed against the demo server.

Opens the main window offscreen at 1366x768, a new profile for the demo issuer, and the
registration dialog (client credentials); grabs the dialog as filled in, registers, and grabs
the editor as the answer filled it. Both are drawn over the window, as a person sees them.
Run from the repository root:

    python3 docs/screenshots/register_client.py docs/screenshots/register-client.png
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QColor, QPainter, QPen  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from workbench.demo import DemoConfig, DemoServer  # noqa: E402
from workbench.ui import workers  # noqa: E402
from workbench.ui.dialogs.profile_editor import ProfileEditorDialog  # noqa: E402
from workbench.ui.main_window import MainWindow  # noqa: E402
from workbench.ui.screenshot import SCREENSHOT_TIMEOUT_MS, settle, wait_until  # noqa: E402

GAP = 16


def main(target: str) -> int:
    app = QApplication.instance() or QApplication([])
    with DemoServer(DemoConfig()) as server:
        window = MainWindow()
        window.resize(1366, 768)
        window.show()
        editor = ProfileEditorDialog(window.state, None, window)
        editor.name_edit.setText("Registered CI client")
        editor.issuer_edit.setText(server.issuer)
        editor.scope_edit.setText("api:read")
        editor.show()
        editor.register_button.click()
        dialog = editor.register_dialog
        assert dialog is not None
        for grant, check in dialog.grant_checks.items():
            check.setChecked(grant == "client_credentials")
        dialog.name_edit.setText("CI pipeline")
        settle(300)
        asked = dialog.grab()
        dialog.register_button.click()
        wait_until(lambda: bool(editor.client_id_edit.text()), SCREENSHOT_TIMEOUT_MS)
        wait_until(lambda: not workers.active(), SCREENSHOT_TIMEOUT_MS)
        settle(300)
        filled = editor.grab()
        shot = window.grab()
        painter = QPainter(shot)
        left = max(GAP, (shot.width() - filled.width() - asked.width() - GAP) // 2)
        for x, grab in ((left, asked), (left + asked.width() + GAP, filled)):
            painter.drawPixmap(x, GAP, grab)
            painter.setPen(QPen(QColor("#5a5a5a"), 1))
            painter.drawRect(x - 1, GAP - 1, grab.width() + 1, grab.height() + 1)
        painter.end()
        ok = shot.save(target)
        editor.close()
        window.close()
    app.processEvents()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "register-client.png"))
