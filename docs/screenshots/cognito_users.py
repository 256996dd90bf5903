"""The Cognito tab's Test users panel, photographed by the app against moto's Cognito server.

``--screenshot`` runs against the demo provider, which has no user pool; this script starts
moto's ThreadedMotoServer on 127.0.0.1 (dummy AWS credentials), makes a pool with a few test
users, opens the main window offscreen on the Cognito tab, lists the users through the panel
and saves the window's own grab. Run from the repository root:

    python3 docs/screenshots/cognito_users.py docs/screenshots/cognito-users.png
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QScrollArea  # noqa: E402

from tests.cognito_peer import create_pool, running_moto, set_dummy_aws  # noqa: E402
from workbench.ui import workers  # noqa: E402
from workbench.ui.main_window import MainWindow  # noqa: E402
from workbench.ui.screenshot import SCREENSHOT_TIMEOUT_MS, settle, wait_until  # noqa: E402


def main(target: str) -> int:
    set_dummy_aws(os.environ.__setitem__, Path(tempfile.mkdtemp()))
    app = QApplication.instance() or QApplication([])
    with running_moto() as url:
        pool = create_pool(url, confirmed=True)
        for name, email in (("tester1", "tester1@example.com"), ("tester2", "")):
            attributes = [{"Name": "email", "Value": email}] if email else []
            pool.admin.admin_create_user(
                UserPoolId=pool.pool_id,
                Username=name,
                UserAttributes=attributes,
                MessageAction="SUPPRESS",
            )
        pool.admin.sign_up(
            ClientId=pool.client_id,
            Username="selfserve",
            Password="Sign-Up-Passw0rd!",
            SecretHash=pool.describe().secret_hash("selfserve").value,  # type: ignore[union-attr]
        )
        window = MainWindow()
        window.resize(1366, 768)
        tab = window.flow_tabs["cognito"]
        window.tabs.setCurrentIndex(list(window.flow_tabs).index("cognito"))
        window.show()
        tab.set_pool(pool.describe(name="Test pool (moto)"))  # type: ignore[attr-defined]
        panel = tab.users  # type: ignore[attr-defined]
        panel.toggle.click()
        panel.username_edit.setText("tester2")
        panel.list_button.click()
        wait_until(lambda: panel.listed is not None and not workers.active(), SCREENSHOT_TIMEOUT_MS)
        scroll = tab.findChild(QScrollArea, "cognitoScroll")
        if scroll is not None:
            scroll.ensureWidgetVisible(panel.result_label)
        settle(600)
        ok = window.grab().save(target)
        window.close()
        pool.admin.close()
    app.processEvents()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "cognito-users.png"))
