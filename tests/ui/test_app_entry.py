"""``workbench --demo`` and ``--screenshot`` as real processes (offscreen)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
        capture_output=True,
        text=True,
        timeout=90,
        stdin=subprocess.DEVNULL,
    )


def test_demo_starts_shows_the_window_and_gets_ready(tmp_path: Path) -> None:
    result = _run("--demo", WORKBENCH_QUIT_WHEN_SHOWN="1", WORKBENCH_CONFIG_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    events = [line.split()[0] for line in result.stderr.splitlines() if " at=" in line]
    assert events == ["shown", "ready"]


def test_screenshot_of_the_device_tab(tmp_path: Path) -> None:
    target = tmp_path / "device.png"
    result = _run(
        "--demo",
        "--screenshot",
        str(target),
        "--tab",
        "device",
        "--size",
        "1200x800",
        WORKBENCH_CONFIG_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1200, 800)


def test_unknown_tab_is_a_usage_error(tmp_path: Path) -> None:
    result = _run(
        "--demo",
        "--screenshot",
        str(tmp_path / "x.png"),
        "--tab",
        "nope",
        WORKBENCH_CONFIG_DIR=str(tmp_path),
    )
    assert result.returncode == 2 and "no tab 'nope'" in result.stderr


def test_screenshot_after_logout_shows_the_logout_reality_check(tmp_path: Path) -> None:
    target = tmp_path / "logout.png"
    result = _run(
        "--demo", "--screenshot", str(target), "--tab", "clientCredentials", "--logout",
        "--size", "1366x768", WORKBENCH_CONFIG_DIR=str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1366, 768)
