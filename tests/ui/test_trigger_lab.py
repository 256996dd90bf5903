"""The pre-token trigger lab in the app, end to end with pytest-qt: the demo provider runs in a
thread (DemoHost, as the app runs it), the handler is a real file, tokens come over HTTP.

Gap: Edit opens the system's editor (QDesktopServices), which is not driven here; the test
edits the file itself, as a person would in that editor.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from workbench.ui.demo_host import DemoHost
from workbench.ui.dialogs.trigger_lab import PURPOSE, TriggerLabDialog
from workbench.ui.main_window import MainWindow

SIGNAL_MS = 10_000
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbench" / "resources" / "pre_token_trigger_example.py"


@pytest.fixture
def host(qtbot: Any) -> Iterator[DemoHost]:
    demo_host = DemoHost(lan=False)
    with qtbot.waitSignal(demo_host.sig_started, timeout=SIGNAL_MS):
        demo_host.start()
    yield demo_host
    demo_host.stop()


@pytest.fixture
def lab(qtbot: Any, host: DemoHost) -> Iterator[tuple[MainWindow, TriggerLabDialog]]:
    win = MainWindow(remember=False)
    qtbot.addWidget(win)
    assert not win.trigger_lab_action.isEnabled()  # no demo provider yet
    win.attach_demo(host)
    assert win.trigger_lab_action.isEnabled()
    win.trigger_lab_action.trigger()
    dialog = win.trigger_lab
    assert isinstance(dialog, TriggerLabDialog) and dialog.isVisible()
    yield win, dialog
    dialog.timer.stop()
    dialog.close()


def idle(qtbot: Any, dialog: TriggerLabDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=SIGNAL_MS)


def test_example_then_edit_reload_and_the_claim_diff(
    qtbot: Any, lab: tuple[MainWindow, TriggerLabDialog], tmp_path: Path
) -> None:
    win, dialog = lab
    path = dialog.copy_example(str(tmp_path / "handler.py"))
    assert "def lambda_handler" in path.read_text(encoding="utf-8")
    assert dialog.path_edit.text() == str(path)

    dialog.load_button.click()
    idle(qtbot, dialog)
    assert dialog.status.text().startswith("Loaded handler.py:lambda_handler (V3_0)")

    dialog.token_button.click()
    idle(qtbot, dialog)
    first = dialog.diff_view.toPlainText()
    assert "Access token: the first one, nothing to compare yet" in first
    assert win.state.tokens is not None  # the inspector's current token
    access = win.state.tokens.access_token or ""

    # Edit the handler (another department, no scope added, family_name back), reload.
    text = path.read_text(encoding="utf-8")
    text = text.replace('"department": "research"', '"department": "sales"')
    text = text.replace('"scopesToAdd": ["api:read"]', '"scopesToAdd": []')
    text = text.replace('"claimsToSuppress": ["family_name"]', '"claimsToSuppress": ["iss"]')
    path.write_text(text, encoding="utf-8")
    dialog.load_button.click()
    idle(qtbot, dialog)
    dialog.token_button.click()
    idle(qtbot, dialog)
    diff = dialog.diff_view.toPlainText()
    assert '  ~ department: "research" → "sales"' in diff
    assert "  scopes removed: api:read" in diff
    assert '  + family_name: "Example"' in diff
    assert "in every token)" in diff
    assert diff.endswith(
        "The trigger's notes:\n  idTokenGeneration: suppressing 'iss' refused: the issuer "
        "identifies the user pool; Cognito sets it when it issues the token"
    )
    assert win.state.tokens.access_token != access

    # Each invocation is an exchange of the log: the event as request, the answer as response.
    trigger_entries = [e for e in win.state.log.items() if e.purpose == PURPOSE]
    assert len(trigger_entries) == 2
    event = json.loads(trigger_entries[-1].request_body)
    assert event["triggerSource"] == "TokenGeneration_Authentication"
    answer = json.loads(trigger_entries[-1].response_body)
    details = answer["returned"]["response"]["claimsAndScopeOverrideDetails"]
    assert details["idTokenGeneration"]["claimsToAddOrOverride"]["department"] == "sales"
    assert trigger_entries[-1].status == 200


def test_a_raising_handler_is_named_and_logged(
    qtbot: Any, lab: tuple[MainWindow, TriggerLabDialog], tmp_path: Path
) -> None:
    win, dialog = lab
    path = tmp_path / "oops.py"
    path.write_text("def lambda_handler(event, context):\n    1 / 0\n", encoding="utf-8")
    dialog.path_edit.setText(str(path))
    dialog.version_combo.setCurrentIndex(dialog.version_combo.findData("V2_0"))
    dialog.load_button.click()
    idle(qtbot, dialog)
    assert "(V2_0)" in dialog.status.text()
    dialog.token_button.click()
    idle(qtbot, dialog)
    status = dialog.status.text()
    assert status.startswith("No token: ")
    assert "oops.py:lambda_handler raised ZeroDivisionError" in status
    (entry,) = [e for e in win.state.log.items() if e.purpose == PURPOSE]
    assert entry.status == 500
    assert "ZeroDivisionError" in json.loads(entry.response_body)["error"]


def test_a_file_without_handler_is_refused_in_words(
    qtbot: Any, lab: tuple[MainWindow, TriggerLabDialog], tmp_path: Path
) -> None:
    _win, dialog = lab
    path = tmp_path / "nothing.py"
    path.write_text("x = 1\n", encoding="utf-8")
    dialog.path_edit.setText(str(path))
    dialog.load_button.click()
    idle(qtbot, dialog)
    assert (
        dialog.status.text()
        == "pre-token trigger nothing.py defines no lambda_handler(event, context)"
    )
    assert dialog.status.property("severity") == "error"


def _app(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "WORKBENCH_CONFIG_DIR": str(config)},
        capture_output=True,
        text=True,
        timeout=90,
        stdin=subprocess.DEVNULL,
    )


def test_the_app_renders_the_lab_with_a_token_before_and_after_the_handler(
    tmp_path: Path,
) -> None:
    target = tmp_path / "lab.png"
    result = _app(
        "--demo",
        "--pre-token-trigger",
        str(EXAMPLE),
        "--screenshot",
        str(target),
        "--size",
        "1200x800",
        config=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(target))
    assert (image.width(), image.height()) == (800, 600)  # the lab, 2/3 by 3/4 of the size


def test_the_trigger_needs_the_demo_provider(tmp_path: Path) -> None:
    result = _app("--pre-token-trigger", str(EXAMPLE), config=tmp_path)
    assert result.returncode == 2
    assert "--pre-token-trigger runs in the demo provider: use it with --demo" in result.stderr
