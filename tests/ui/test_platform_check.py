"""Before the QApplication: the X11 plugin's libraries, our message instead of Qt's abort.

Gap: no machine here lacks an X11 library on demand, so the loader is made to miss one the
way it misses ``libxcb-cursor.so.0`` on a fresh desktop: a copy of Qt's real xcb plugin
whose first needed library is renamed (same length) to one that exists nowhere. The
dynamic loader, the plugin lookup (``QT_QPA_PLATFORM_PLUGIN_PATH``) and the process exit are
real. On a minimal Debian bookworm the unpatched plugin was checked by hand, see README.md.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo

from workbench.ui import platform_check
from workbench.ui.platform_check import (
    HEADLESS_PACKAGES,
    X11_PACKAGES,
    explain_missing,
    wants_xcb,
    xcb_plugin,
    xcb_problem,
)

ROOT = Path(__file__).resolve().parents[2]
REAL_NEEDED = b"libQt6XcbQpa.so.6"
FAKE_NEEDED = b"libQt6XcbQpX.so.6"  # same length: the ELF string table keeps its layout


def broken_plugin_dir(tmp_path: Path) -> Path:
    """``tmp/plugins/platforms/libqxcb.so`` needing a library that does not exist; its
    RUNPATH ($ORIGIN/../../lib) finds Qt's own libraries through ``tmp/lib``."""
    qt = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)).parent
    real = qt / "plugins" / "platforms" / "libqxcb.so"
    data = real.read_bytes()
    assert data.count(REAL_NEEDED) >= 1
    platforms = tmp_path / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    (platforms / "libqxcb.so").write_bytes(data.replace(REAL_NEEDED, FAKE_NEEDED))
    (tmp_path / "lib").symlink_to(qt / "lib")
    return platforms


def test_xcb_is_wanted_only_where_qt_would_use_it() -> None:
    assert wants_xcb({"DISPLAY": ":0"})
    assert wants_xcb({"QT_QPA_PLATFORM": "xcb"})
    assert wants_xcb({"QT_QPA_PLATFORM": "xcb:nograb;wayland"})
    assert not wants_xcb({"QT_QPA_PLATFORM": "offscreen"})
    assert not wants_xcb({"QT_QPA_PLATFORM": "wayland"})
    assert not wants_xcb({"WAYLAND_DISPLAY": "wayland-0"})  # Qt tries Wayland first there


def test_no_display_is_said_in_words() -> None:
    problem = xcb_problem({"QT_QPA_PLATFORM": "xcb"})
    assert problem is not None and "DISPLAY is not set" in problem
    assert xcb_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_the_loaders_complaint_names_library_package_and_the_apt_list() -> None:
    complaint = "libxcb-cursor.so.0: cannot open shared object file: No such file or directory"
    message = explain_missing(complaint)
    assert "libxcb-cursor.so.0 is missing (package libxcb-cursor0)" in message
    command = next(line for line in message.splitlines() if "apt-get install" in line)
    assert command.split("apt-get install ")[1].split() == [*HEADLESS_PACKAGES, *X11_PACKAGES]


def test_a_plugin_that_cannot_load_is_found_by_the_real_loader(tmp_path: Path) -> None:
    platforms = broken_plugin_dir(tmp_path)
    env = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0", "QT_QPA_PLATFORM_PLUGIN_PATH": str(platforms)}
    assert xcb_plugin(env) == platforms / "libqxcb.so"
    complaint = platform_check.missing_library(platforms / "libqxcb.so")
    assert complaint is not None and FAKE_NEEDED.decode() in complaint
    problem = xcb_problem(env)
    assert problem is not None and f"{FAKE_NEEDED.decode()} is missing" in problem


def test_the_app_prints_our_message_and_exits_1_instead_of_aborting(tmp_path: Path) -> None:
    platforms = broken_plugin_dir(tmp_path)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "QT_QPA_PLATFORM_PLUGIN_PATH": str(platforms),
        "DISPLAY": ":0",
        "WORKBENCH_CONFIG_DIR": str(tmp_path / "config"),
    }
    env.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "--demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("workbench: Qt's X11 platform plugin cannot load:")
    assert f"{FAKE_NEEDED.decode()} is missing" in result.stderr
    assert "sudo apt-get install" in result.stderr


def test_readme_and_ci_carry_the_same_lists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"apt-get install --no-install-recommends ((?:[^\n\\]|\\\n)+)", readme)
    lists = [command.replace("\\\n", " ").split() for command in commands]
    assert list(HEADLESS_PACKAGES) in lists and list(X11_PACKAGES) in lists
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_packages = re.search(r"--no-install-recommends \\\n(.+?)>/dev/null", ci, re.S)
    assert ci_packages is not None
    assert set(ci_packages.group(1).split()) == {"chromium", "curl", *HEADLESS_PACKAGES}
