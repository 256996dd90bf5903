"""The profile editor set up for mutual TLS, and the inspector's certificate-binding row,
photographed against the demo server's TLS port (``demo-server --mtls``).

Opens the main window offscreen at 1366x768, saves a profile for the demo's tls_client_auth
client (its certificate, key and the demo CA as the CA bundle), gets a client-credentials token
with it, shows the inspector's checks, and draws the editor (scrolled to its Mutual TLS rows)
over the window. Run from the repository root:

    python3 docs/screenshots/profile_mtls.py docs/screenshots/profile-mtls.png
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QColor, QPainter, QPen  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea  # noqa: E402

from workbench.demo import DemoConfig, DemoServer  # noqa: E402
from workbench.demo.clients import MTLS_CLIENT_ID  # noqa: E402
from workbench.ui import workers  # noqa: E402
from workbench.ui.dialogs.profile_editor import ProfileEditorDialog  # noqa: E402
from workbench.ui.main_window import MainWindow  # noqa: E402
from workbench.ui.screenshot import SCREENSHOT_TIMEOUT_MS, settle, wait_until  # noqa: E402
from workbench.ui.state import TokenContext  # noqa: E402

GAP = 16


def main(target: str) -> int:
    app = QApplication.instance() or QApplication([])
    with DemoServer(DemoConfig(mtls=True)) as server:
        mtls = server.mtls
        assert mtls is not None
        window = MainWindow()
        window.resize(1366, 768)
        window.show()
        editor = ProfileEditorDialog(window.state, None, window)
        editor.name_edit.setText("Demo mTLS")
        editor.issuer_edit.setText(server.issuer)
        editor.client_id_edit.setText(MTLS_CLIENT_ID)
        editor.method_combo.setCurrentIndex(editor.method_combo.findData("tls_client_auth"))
        editor.scope_edit.setText("api:read")
        editor.cert_panel.cert_edit.setText(str(mtls.client_cert_file))
        editor.cert_panel.key_edit.setText(str(mtls.client_key_file))
        editor.cert_panel.ca_edit.setText(str(mtls.ca_file))
        editor.cert_panel.refresh()
        profile = editor.profile()
        window.state.profiles.save(profile)
        window.provider_bar.reload(select=profile.name)  # chosen as a person would
        tokens = window.state.require_session().client_credentials()
        window.state.set_tokens(tokens, TokenContext(origin="client_credentials"))
        inspector = window.inspector
        wait_until(
            lambda: inspector.inspection is not None and not inspector.busy,
            SCREENSHOT_TIMEOUT_MS,
        )
        inspector.tabs.setCurrentIndex(inspector.tab_checks)
        settle(200)
        scroll = inspector.findings.findChild(QScrollArea)
        row = inspector.findings.findChild(QLabel, "finding_x5t#S256_reason")
        if scroll is not None and row is not None:  # the certificate-binding row, the last one
            scroll.ensureWidgetVisible(row, 0, 0)
        editor.show()
        editor.resize(620, 560)
        settle(300)
        editor.scroll.ensureWidgetVisible(editor.cert_panel.status, 0, 40)
        wait_until(lambda: not workers.active(), SCREENSHOT_TIMEOUT_MS)
        settle(300)
        parent = row.parentWidget() if row is not None else None
        while row is not None and parent is not None:  # every scroll area the row is inside
            if isinstance(parent, QScrollArea):
                parent.ensureWidgetVisible(row, 0, 8)
            parent = parent.parentWidget()
        settle(100)
        filled = editor.grab()
        shot = window.grab()
        painter = QPainter(shot)
        x = GAP
        painter.drawPixmap(x, shot.height() - filled.height() - GAP, filled)
        painter.setPen(QPen(QColor("#5a5a5a"), 1))
        painter.drawRect(
            x - 1,
            shot.height() - filled.height() - GAP - 1,
            filled.width() + 1,
            filled.height() + 1,
        )
        painter.end()
        ok = shot.save(target)
        editor.close()
        window.close()
    app.processEvents()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "profile-mtls.png"))
