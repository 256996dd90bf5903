"""DPoP (RFC 9449) photographed offscreen: the profile editor's setting and a bound token.

``dpop-profile.png``: a new profile with "DPoP: bind tokens to a key" ticked and its key file
named (nothing is saved: the editor is only grabbed). ``dpop-inspector.png``: the main window
at 1366x768 (the exchange log closed, for the checks' room) against the demo server, with a
profile for its confidential client with DPoP on (a new key for the session) picked in the
provider bar; a client credentials run from its tab, and the inspector's Checks tab scrolled
to the "DPoP binding (cnf.jkt)" row, the card showing the "DPoP-bound" chip. Profiles and
secrets stay in a temporary directory and in memory.
Run from the repository root:

    python3 docs/screenshots/dpop.py docs/screenshots
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["WORKBENCH_CONFIG_DIR"] = tempfile.mkdtemp()  # no profile of yours is read

from PySide6.QtWidgets import QApplication, QScrollArea  # noqa: E402

from workbench.core.history import TokenHistory  # noqa: E402
from workbench.core.profiles import Profile  # noqa: E402
from workbench.core.secrets import SecretStore  # noqa: E402
from workbench.demo.clients import (  # noqa: E402
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
)
from workbench.ui import workers  # noqa: E402
from workbench.ui.demo_host import start_demo_server  # noqa: E402
from workbench.ui.dialogs.profile_editor import ProfileEditorDialog  # noqa: E402
from workbench.ui.main_window import MainWindow  # noqa: E402
from workbench.ui.screenshot import SCREENSHOT_TIMEOUT_MS, settle, wait_until  # noqa: E402
from workbench.ui.state import AppState  # noqa: E402

PROFILE = "Demo with DPoP"


def save(widget: Any, path: Path) -> bool:
    ok = bool(widget.grab().save(str(path)))
    print(f"{'saved' if ok else 'could not save'} {path}")
    return ok


def profile_picture(state: AppState, path: Path) -> bool:
    dialog = ProfileEditorDialog(state)
    dialog.name_edit.setText("bank-sandbox")
    dialog.issuer_edit.setText("https://as.bank.example")
    dialog.client_id_edit.setText("fapi-client")
    dialog.scope_edit.setText("openid accounts")
    dialog.dpop.check.setChecked(True)
    dialog.dpop.key_edit.setText("~/keys/dpop-es256.pem")
    dialog.resize(720, 740)
    dialog.show()
    settle(300)
    ok = save(dialog, path)
    dialog.close()
    return ok


def inspector_picture(state: AppState, issuer: str, path: Path) -> bool:
    window = MainWindow(state, remember=False)
    try:
        window.set_demo_issuer(issuer)
        profile = Profile(
            PROFILE, issuer, client_id=CONFIDENTIAL_CLIENT_ID, scope="api:read", dpop=True
        )
        state.profiles.save(profile)
        state.secrets.set(PROFILE, CONFIDENTIAL_CLIENT_SECRET)
        picker = window.provider_bar.picker
        window.provider_bar.reload()
        picker.setCurrentIndex(picker.findText(PROFILE))
        assert state.provider is not None and state.provider.dpop_key is not None
        window.resize(1366, 768)
        window.show()
        tab: Any = window.select_tab("clientCredentials")
        tab.start()
        wait_until(lambda: not tab.busy and not workers.active(), SCREENSHOT_TIMEOUT_MS)
        inspector = window.inspector
        wait_until(lambda: not inspector.busy and not workers.active(), SCREENSHOT_TIMEOUT_MS)
        details = inspector.tabs
        details.setCurrentIndex(details.tab_checks)
        window.log_dock.hide()  # the room for the checks, down to the DPoP row
        settle(300)
        scroll = details.findings.findChild(QScrollArea)
        assert scroll is not None
        bar = scroll.verticalScrollBar()
        bar.setValue(bar.maximum())  # the DPoP binding row is the last
        settle(300)
        return save(window, path)
    finally:
        for flow in window.flow_tabs.values():
            flow.cancel()
        window.close()


def main(out: str) -> int:
    app = QApplication.instance() or QApplication([])
    server = start_demo_server(False)
    state = AppState(history=TokenHistory(SecretStore(use_keyring=False)))
    state.secrets = SecretStore(use_keyring=False)
    try:
        ok = profile_picture(state, Path(out) / "dpop-profile.png")
        ok = inspector_picture(state, server.issuer, Path(out) / "dpop-inspector.png") and ok
    finally:
        state.close()
        server.stop()
    app.processEvents()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
