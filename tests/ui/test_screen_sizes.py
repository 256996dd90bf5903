"""The main window at laptop screen sizes (1366×768 and 1280×720), through screen_checks.py.

A QApplication keeps the screens it started with, so each size runs the pytest-qt checks of
screen_checks.py in its own pytest process, on Qt's offscreen platform given a screen of that
size by a configfile (PySide6 6.11's offscreen plugin takes ``configfile=``, not ``size=``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKS = Path(__file__).with_name("screen_checks.py")


def offscreen_platform(tmp_path: Path, width: int, height: int) -> str:
    """``QT_QPA_PLATFORM`` for one offscreen screen of ``width`` × ``height`` at 96 dpi."""
    config = tmp_path / f"screen-{width}x{height}.json"
    screen = {
        "name": f"laptop-{width}x{height}",
        "x": 0,
        "y": 0,
        "width": width,
        "height": height,
        "logicalDpi": 96,
        "logicalBaseDpi": 96,
        "dpr": 1,
    }
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    return f"offscreen:configfile={config}"


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1280, 720)])
def test_laptop_screen(tmp_path: Path, width: int, height: int) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": offscreen_platform(tmp_path, width, height),
        "WORKBENCH_TEST_SCREEN": f"{width}x{height}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", str(CHECKS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout
