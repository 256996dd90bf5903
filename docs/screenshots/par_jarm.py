"""The Auth Code tab with PAR and a JARM response mode, photographed mid-flow by the app.

``--screenshot --tab authCode`` shows the tab with its defaults; this script ticks "Push the
request first (PAR)" and picks response mode ``jwt`` before the same mid-flow capture, so the
short authorize URL and the pushed request_uri are on show. Run from the repository root:

    python3 docs/screenshots/par_jarm.py docs/screenshots/par-jarm.png
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QScrollArea  # noqa: E402

from workbench.ui.demo_host import start_demo_server  # noqa: E402
from workbench.ui.main_window import MainWindow  # noqa: E402
from workbench.ui.screenshot import take_screenshot  # noqa: E402


def main(target: str) -> int:
    app = QApplication.instance() or QApplication([])
    server = start_demo_server(False)
    window = MainWindow()
    try:
        window.set_demo_issuer(server.issuer, exposed=False)
        window.select_tab("authCode")
        tab = window.flow_tabs["authCode"]
        tab.par_check.setChecked(True)  # type: ignore[attr-defined]
        tab.mode_combo.setCurrentText("jwt")  # type: ignore[attr-defined]
        started = tab.prepare_screenshot

        def prepare() -> Callable[[], bool]:
            ready = started()

            def scrolled() -> bool:  # the request view in sight once the push is done
                if not ready():
                    return False
                scroll = tab.findChild(QScrollArea)
                if scroll is not None:
                    scroll.ensureWidgetVisible(tab.pushed_field)  # type: ignore[attr-defined]
                return True

            return scrolled

        tab.prepare_screenshot = prepare  # type: ignore[method-assign]
        return take_screenshot(window, Path(target), (1366, 768))
    finally:
        window.close()
        server.stop()
        app.processEvents()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "par-jarm.png"))
