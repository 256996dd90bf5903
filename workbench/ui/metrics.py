"""Sizes in one place.

Values are in device-independent pixels or in multiples of the font's line height, so the UI
scales with the system font and the screen's DPI.
"""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget

# -- main window
WINDOW_DEFAULT_SIZE = (1360, 860)  # preferred; shrunk to the screen's available geometry
# Room kept for the window manager's frame (borders, title bar) when fitting to a screen.
WINDOW_FRAME_ALLOWANCE = (16, 40)
WINDOW_MIN_SIZE = (760, 540)
INSPECTOR_MIN_WIDTH = 340
TAB_MIN_WIDTH = 400
SPLITTER_DEFAULT = (760, 600)

# -- shared
SPACING = 8
MARGIN = 10
BANNER_PADDING = 8
TOKEN_PREVIEW_CHARS = 24  # how much of a token the combo boxes and labels show
TIMER_INTERVAL_MS = 1000  # live countdowns
PARAMS_TABLE_LINES = 7.5  # height of an extra-parameters table, in text lines
PARAMS_TABLE_MIN_ROWS = 3  # rows an extra-parameters table always shows (more scroll)
URL_CHARS = 72  # a field meant for a URL, in average characters
TRIGGER_LAB_SIZE = (96, 30)  # the pre-token trigger lab: average characters wide, lines high

# -- profile editor
PROFILE_EDITOR_MIN_WIDTH = 640  # endpoint URLs fit without scrolling sideways
PROVIDER_PICKER_MIN_CHARS = 28  # the provider bar's profile picker, in characters

# -- inspector
INSPECTOR_TITLE_SCALE = 1.3  # the token card's title ("Access token"), relative to the body font
INSPECTOR_PASTE_LINES = 4  # height of the paste box, in text lines
INSPECTOR_ROW_HEIGHT_LINES = 1.5  # claims table row height, in text lines
INSPECTOR_CLAIM_COLUMN_MAX_CHARS = 28  # the Claim column never grows wider than this
INSPECTOR_MEANING_COLUMN_SHARE = 0.34  # share of the table's width given to the Meaning column
INSPECTOR_TABS_MIN_LINES = 14  # the claims / checks tabs never shrink below this many text lines
INSPECTOR_PICKER_MIN_CHARS = 16  # the token picker, in characters
INSPECTOR_ACTIONS_GAP_HEIGHT = 1  # the SPACING-wide gap between the action button groups
INSPECTOR_RESULT_JSON_LINES = 9  # height of the result's JSON box, in text lines
INSPECTOR_RESULT_CHIP_SCALE = 1.1  # the result's chip ("HTTP 200"), relative to the body font
INSPECTOR_FINDING_ICON_CHARS = 2  # the ✓ / ✗ column of the checks list, in average characters
# Sizes the style sheets use (ui/theme.py fills them into resources/*.qss).
INSPECTOR_CARD_RADIUS = 6  # rounded corners of the token card, reality-check cards and result view
INSPECTOR_CHIP_RADIUS = 7  # rounded chips ("JWT", "active: false"); at most half the chip height
INSPECTOR_CHIP_PADDING = (2, 8)  # vertical, horizontal padding inside a chip
INSPECTOR_CARD_BORDER = 1

# -- new answers brought into view (ui/reveal.py)
REVEAL_MARGIN = 8  # space kept above (or below) a revealed widget, in pixels
REVEAL_FLASH_MS = 1500  # how long a new answer stays outlined
REVEAL_SETTLE_MS = 120  # the second scroll, once the answer's contents have grown

# -- reality check
REALITY_HEADLINE_SCALE = 1.35  # the verdict lines of the two cards, relative to the body font
REALITY_SIGN_SCALE = 1.8  # the "≠" / "=" between the cards
REALITY_TITLE_SCALE = 1.1  # "Revocation reality check", relative to the body font
REALITY_CAPTION_SCALE = 0.85  # the cards' captions ("LOCAL CHECK"), relative to the body font

# -- log dock
LOG_DOCK_DEFAULT_HEIGHT = 220
LOG_DOCK_MAX_SHARE = 0.25  # on a small screen the log starts at most this share of the window
# Column widths in average characters, by ExchangeTableModel column (COL_ID -> "id"; the URL
# column stretches). Keyed by name so this module imports no model.
LOG_COLUMN_CHARS = {
    "id": 5,
    "time": 10,
    "purpose": 28,
    "method": 8,
    "status": 8,
    "duration": 10,
}
LOG_COLUMN_MIN_CHARS = 4  # no column shrinks below this, in average characters
LOG_DETAIL_MIN_CHARS = 24
LOG_ROW_LINES = 1.5  # table row height in lines of the table's font
LOG_SPLITTER_STRETCH = (3, 2)  # table : detail
LOG_FILTER_MIN_CHARS = 30  # the filter box, in average characters
EXCHANGE_WINDOW_CHARS = 110  # an exchange in its own window (Open, double-click), in characters
EXCHANGE_WINDOW_LINES = 48  # and in text lines
EXCHANGE_WINDOW_SCREEN_SHARE = 0.85  # never more than this share of the screen either way

# -- tabs
FORM_LABEL_CHARS = 24  # the label column of every tab's form, in average characters
USER_CODE_POINT_SIZE = 28  # the device user code in the tab
AUTH_CODE_URL_LINES = 4  # height of the authorize URL box, in text lines
REFRESH_HEADLINE_SCALE = 1.2  # the rotation result's font, relative to the tab's font

# -- presenter (fractions of the window height)
PRESENTER_CODE_SCALE = 0.12  # presenter user code height as a fraction of the screen height
PRESENTER_URL_SCALE = 0.035
PRESENTER_MARGIN_SCALE = 0.05  # outer margin and the gap between QR and text
PRESENTER_QR_SCALE = 0.8  # side of the QR code, quiet zone included
PRESENTER_CAPTION_SCALE = 0.028  # "Scan the QR code, or open", "and enter the code"
PRESENTER_STATUS_SCALE = 0.045  # "Waiting for approval…", "Approved ✓"
PRESENTER_WARNING_SCALE = 0.022  # "… points at this computer: a phone cannot open it"
PRESENTER_CLOSE_SCALE = 0.018  # the Close button's text
PRESENTER_MIN_FIT = 0.5  # a long address or code may shrink to this share of its size

# -- QR code
QR_MIN_SIZE = 180  # the QR code never renders smaller than this many pixels square
QR_QUIET_ZONE = 4  # modules of white border around the QR (ISO/IEC 18004 asks for 4)

# -- copy field
COPY_FIELD_MULTILINE_LINES = 3  # default height of a wrapped field (long URLs), in text lines

# -- countdown
COUNTDOWN_BAR_HEIGHT = 10


def line_height(widget: QWidget, lines: float = 1.0) -> int:
    """Height of ``lines`` lines of the widget's font, in pixels."""
    return int(QFontMetrics(widget.font()).lineSpacing() * lines)


def text_width(widget: QWidget, chars: int) -> int:
    """Width of ``chars`` average characters of the widget's font, in pixels."""
    return int(QFontMetrics(widget.font()).averageCharWidth() * chars)


# -- Cognito tab, challenge dialog, pool insight ------------------------------------------
# The GetUser attribute table shows this many rows at most (then it scrolls).
COGNITO_ATTRIBUTES_TABLE_ROWS = 8
# The saved pools picker never shrinks below this many characters.
COGNITO_SAVED_PICKER_MIN_CHARS = 8
# Height of the hosted endpoints box, in text lines (it scrolls for the rest).
COGNITO_HOSTED_LINES = 4
# The dialog's width, in average characters: room for a prompt of a few lines.
CHALLENGE_DIALOG_MIN_CHARS = 64
# The challenge name above the prompt, relative to the body font.
CHALLENGE_TITLE_SCALE = 1.15
# Height of the scopes box of the resource server dialog, in text lines.
SCOPES_EDIT_LINES = 4
# The resource server dialog's width, in average characters.
RESOURCE_DIALOG_MIN_CHARS = 56
# The confirmation's text, in average characters (QMessageBox alone makes it narrow).
CONFIRM_TEXT_MIN_CHARS = 72
# Height of the resource server list, in text lines.
SERVER_LIST_LINES = 7
