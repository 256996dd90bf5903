"""The main window inside the screen's available geometry; a saved geometry only if it fits.

Runs on the test process's offscreen screen (800×800 unless configured); the laptop sizes
are in test_screen_sizes.py.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, QSize

from workbench.ui import metrics
from workbench.ui.main_window import MainWindow
from workbench.ui.screen_fit import fits_a_screen, fitted_size


def make_window(qtbot: Any) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    return win


def test_the_preferred_size_shrinks_to_the_screen() -> None:
    frame_w, frame_h = metrics.WINDOW_FRAME_ALLOWANCE
    assert fitted_size((1360, 860), QSize(1366, 768)) == QSize(1366 - frame_w, 768 - frame_h)
    assert fitted_size((1360, 860), QSize(1280, 720)) == QSize(1280 - frame_w, 720 - frame_h)
    assert fitted_size((1360, 860), QSize(2560, 1440)) == QSize(1360, 860)


def test_a_new_window_opens_inside_the_available_geometry(qtbot: Any) -> None:
    win = make_window(qtbot)
    available = win.screen().availableGeometry()
    assert available.width() < metrics.WINDOW_DEFAULT_SIZE[0]  # the test screen is small
    win.show()
    qtbot.waitExposed(win)
    assert available.contains(win.frameGeometry())
    assert win.height() >= available.height() - metrics.WINDOW_FRAME_ALLOWANCE[1] - 1


def test_a_saved_geometry_that_no_longer_fits_is_not_restored(qtbot: Any) -> None:
    big = make_window(qtbot)
    big.setGeometry(QRect(0, 0, 1360, 860))  # saved on a larger monitor
    assert not fits_a_screen(big.geometry())
    big.save_state()
    big.hide()
    win = make_window(qtbot)
    assert win.screen().availableGeometry().contains(win.geometry())
    assert win.size() != QSize(1360, 860)


def test_a_saved_geometry_that_fits_is_restored(qtbot: Any) -> None:
    first = make_window(qtbot)
    first.setGeometry(QRect(10, 60, 770, 580))
    first.save_state()
    first.hide()
    win = make_window(qtbot)
    assert win.geometry() == QRect(10, 60, 770, 580)
