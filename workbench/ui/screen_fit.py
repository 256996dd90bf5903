"""The main window on a real screen: it opens inside the screen's available geometry.

The preferred size (``metrics.WINDOW_DEFAULT_SIZE``) is a wish: on a laptop (1366×768,
1280×720) the window takes what the screen offers minus the room the window manager's frame
needs, centred, so the log and the status bar stay on screen. A saved geometry is restored
only when it still fits one of the screens (a window saved on a large monitor does not come
back half off a laptop's screen).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

from workbench.ui import metrics


def screen_of(widget: QWidget) -> QScreen | None:
    """The screen the widget is on (or will open on), else the primary screen."""
    return widget.screen() or QGuiApplication.primaryScreen()


def fitted_size(preferred: tuple[int, int], available: QSize) -> QSize:
    """``preferred`` shrunk to ``available`` minus the room the window frame takes."""
    frame_w, frame_h = metrics.WINDOW_FRAME_ALLOWANCE
    width = min(preferred[0], max(1, available.width() - frame_w))
    height = min(preferred[1], max(1, available.height() - frame_h))
    return QSize(width, height)


def fit_to_screen(
    window: QWidget, preferred: tuple[int, int] = metrics.WINDOW_DEFAULT_SIZE
) -> None:
    """Size the window to ``preferred`` or what its screen offers, and centre it there."""
    screen = screen_of(window)
    if screen is None:  # no screen at all: nothing to fit into
        window.resize(*preferred)
        return
    available = screen.availableGeometry()
    size = fitted_size(preferred, available.size())
    min_w, min_h = metrics.WINDOW_MIN_SIZE
    # A screen smaller than the minimum size still gets the whole window on it.
    window.setMinimumSize(min(min_w, size.width()), min(min_h, size.height()))
    window.resize(size)
    _, frame_h = metrics.WINDOW_FRAME_ALLOWANCE
    x = available.x() + (available.width() - size.width()) // 2
    y = available.y() + max(0, (available.height() - size.height() - frame_h) // 2)
    window.move(x, y)


def fits_a_screen(rect: QRect) -> bool:
    """True when ``rect`` (a window's geometry, frame excluded) lies inside the available
    geometry of one screen."""
    return any(screen.availableGeometry().contains(rect) for screen in QGuiApplication.screens())


def restore_or_fit(window: QWidget, saved: object) -> bool:
    """Restore ``saved`` (``QWidget.saveGeometry`` bytes) when it fits a screen, else fit the
    window to its screen. Returns True when the saved geometry was used."""
    restored = saved is not None and window.restoreGeometry(saved)  # type: ignore[arg-type]
    if restored and (
        window.isMaximized() or window.isFullScreen() or fits_a_screen(window.geometry())
    ):
        return True
    fit_to_screen(window)
    return False
