"""Sizes in one place (architecture.md: no pixel literals scattered in widgets).

Values are in device-independent pixels or in multiples of the font's line height, so the UI
scales with the system font and the screen's DPI.
"""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget

WINDOW_DEFAULT_SIZE = (1360, 860)
WINDOW_MIN_SIZE = (760, 540)
INSPECTOR_MIN_WIDTH = 340
TAB_MIN_WIDTH = 400
SPLITTER_DEFAULT = (700, 660)
LOG_DOCK_DEFAULT_HEIGHT = 220

SPACING = 8
MARGIN = 10

USER_CODE_POINT_SIZE = 28  # the device user code in the tab
PRESENTER_CODE_SCALE = 0.12  # presenter user code height as a fraction of the screen height
PRESENTER_URL_SCALE = 0.035
QR_MIN_SIZE = 180  # the QR code never renders smaller than this many pixels square
QR_QUIET_ZONE = 4  # modules of white border around the QR (ISO/IEC 18004 asks for 4)

COUNTDOWN_BAR_HEIGHT = 10
BANNER_PADDING = 8
TOKEN_PREVIEW_CHARS = 24  # how much of a token the combo boxes and labels show
TIMER_INTERVAL_MS = 1000  # live countdowns
PARAMS_TABLE_LINES = 7.5  # height of an extra-parameters table, in text lines


def line_height(widget: QWidget, lines: float = 1.0) -> int:
    """Height of ``lines`` lines of the widget's font, in pixels."""
    return int(QFontMetrics(widget.font()).lineSpacing() * lines)


def text_width(widget: QWidget, chars: int) -> int:
    """Width of ``chars`` average characters of the widget's font, in pixels."""
    return int(QFontMetrics(widget.font()).averageCharWidth() * chars)
