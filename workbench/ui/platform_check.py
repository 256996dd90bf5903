"""Before the QApplication: can Qt's X11 platform plugin load at all?

Without one of its libraries (``libxcb-cursor0`` since Qt 6.5 is the usual one) Qt prints a
message about plugins and aborts the process (exit 134). The workbench checks first, the same
way the dynamic loader will: it loads the xcb plugin's library with ``dlopen``, which fails
naming the first library that is missing. Then it prints which Debian/Ubuntu packages to
install and exits 1.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path

#: What every start needs, offscreen included (README.md, "System packages"; checked on a
#: minimal Debian bookworm). A font comes with libfontconfig1 (fonts-dejavu-core).
HEADLESS_PACKAGES = (
    "libegl1",
    "libgl1",
    "libxkbcommon0",
    "libfontconfig1",
    "libdbus-1-3",
    "libglib2.0-0",
)
#: What an X11 desktop needs on top of them (the rest of the xcb plugin's libraries come with
#: libgl1 and libegl1).
X11_PACKAGES = (
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
)

#: The Debian package of each library the xcb plugin (and libQt6XcbQpa) load.
PACKAGE_OF = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libOpenGL.so.0": "libopengl0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}

_MISSING = re.compile(r"([\w.+-]+\.so[\w.]*): cannot open shared object file")


def wants_xcb(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """True when Qt will use its xcb platform: on Linux, chosen explicitly, or by default
    outside a Wayland session."""
    if not sys.platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen == "xcb"
    return not environ.get("WAYLAND_DISPLAY")


def xcb_plugin(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path | None:
    """The xcb plugin Qt would load: from ``QT_QPA_PLATFORM_PLUGIN_PATH`` first (Qt looks
    there first too), else from the Qt that PySide6 ships."""
    from PySide6.QtCore import QLibraryInfo

    dirs = [Path(p) for p in environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "").split(os.pathsep) if p]
    dirs.append(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms")
    for folder in dirs:
        candidate = folder / "libqxcb.so"
        if candidate.is_file():
            return candidate
    return None


def missing_library(plugin: Path) -> str | None:
    """None when ``plugin`` loads; else the loader's complaint (naming the missing library)."""
    try:
        ctypes.CDLL(str(plugin), mode=os.RTLD_LAZY | os.RTLD_LOCAL)
    except OSError as exc:
        return str(exc)
    return None


def xcb_problem(environ: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """What stops the X11 desktop from starting, in words with the fix; None when nothing does."""
    if not wants_xcb(environ):
        return None
    if not environ.get("DISPLAY"):
        return (
            "no X11 display: DISPLAY is not set. Start the workbench from a desktop session, "
            "or render without a screen: workbench --demo --screenshot FILE."
        )
    plugin = xcb_plugin(environ)
    if plugin is None:
        return None  # not a PySide6 with the xcb plugin: Qt says what it lacks
    complaint = missing_library(plugin)
    return None if complaint is None else explain_missing(complaint)


def explain_missing(complaint: str) -> str:
    """The loader's complaint as a message naming the library, its package and the apt lists."""
    found = _MISSING.search(complaint)
    library = found.group(1) if found else ""
    package = PACKAGE_OF.get(library)
    what = f"{library} is missing" if library else complaint
    hint = f" (package {package})" if package else ""
    return (
        f"Qt's X11 platform plugin cannot load: {what}{hint}.\n"
        "On Debian or Ubuntu, install the libraries an X11 desktop needs:\n"
        f"  sudo apt-get install {' '.join(HEADLESS_PACKAGES + X11_PACKAGES)}\n"
        "Without a screen the workbench still renders offscreen: "
        "workbench --demo --screenshot FILE."
    )
