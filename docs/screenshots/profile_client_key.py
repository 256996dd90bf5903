"""The profile editor set up for private_key_jwt, photographed offscreen.

A new profile for the demo server's private_key_jwt client with a new ES256 key generated
into the keyring (here an in-memory one: nothing is kept) and the key's type and kid shown;
the dialog's own grab is saved. Run from the repository root:

    python3 docs/screenshots/profile_client_key.py docs/screenshots/profile-client-key.png
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["WORKBENCH_CONFIG_DIR"] = tempfile.mkdtemp()  # no profile of yours is read

from PySide6.QtWidgets import QApplication  # noqa: E402

from workbench.core.secrets import SecretStore  # noqa: E402
from workbench.demo.clients import PRIVATE_KEY_JWT_CLIENT_ID  # noqa: E402
from workbench.ui.dialogs.profile_editor import ProfileEditorDialog  # noqa: E402
from workbench.ui.screenshot import settle  # noqa: E402
from workbench.ui.state import AppState  # noqa: E402


def main(target: str) -> int:
    app = QApplication.instance() or QApplication([])
    state = AppState()
    state.secrets = SecretStore(use_keyring=False)  # the generated key stays in this process
    try:
        dialog = ProfileEditorDialog(state)
        dialog.name_edit.setText("Bank sandbox (FAPI)")
        dialog.issuer_edit.setText("https://as.bank.example")
        dialog.client_id_edit.setText(PRIVATE_KEY_JWT_CLIENT_ID)
        dialog.method_combo.setCurrentIndex(dialog.method_combo.findData("private_key_jwt"))
        dialog.key_panel.generate("ES256")
        dialog.show()
        settle(300)
        ok = dialog.grab().save(target)
        dialog.close()
    finally:
        state.close()
    app.processEvents()
    print(f"{'saved' if ok else 'could not save'} {target}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "profile-client-key.png"))
