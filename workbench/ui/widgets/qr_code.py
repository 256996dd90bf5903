"""A QR code painted module by module, crisp at any size.

The matrix is built once per text with the ``qrcode`` library; :meth:`QrCodeView.paintEvent`
draws it with an integer number of device pixels per module, so no scaling ever blurs it. The
code is always dark on white whatever the palette: phone scanners need the contrast and the
quiet zone (ISO/IEC 18004 §7.3.7 asks for 4 modules).
"""

from __future__ import annotations

import qrcode
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from workbench.core.display import printable
from workbench.ui import metrics
from workbench.ui.safe_text import tooltip

# The QR area is not themed on purpose: a scanner wants the darkest modules on the lightest
# background, in a dark palette too.
QR_DARK = QColor(0, 0, 0)
QR_LIGHT = QColor(255, 255, 255)
# A used, denied or expired code is painted faint so nobody scans it any more.
QR_FADED = QColor(215, 215, 215)


def build_matrix(text: str) -> list[list[bool]]:
    """The QR modules of ``text`` (True = dark), error correction M, no border."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return [list(map(bool, row)) for row in code.get_matrix()]


class QrCodeView(QWidget):
    """Shows one text as a QR code: square, centred, dark on white, integer module size."""

    def __init__(self, parent: QWidget | None = None, object_name: str = "qrCode") -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName("QR code")
        self._text = ""
        self._matrix: list[list[bool]] = []
        self._faded = False
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMinimumSize(metrics.QR_MIN_SIZE, metrics.QR_MIN_SIZE)

    # -- content ----------------------------------------------------------------------------
    def set_data(self, text: str) -> None:
        """Encode ``text`` (built once here, painted on every repaint)."""
        if text == self._text and self._matrix:
            return
        self._text = text
        self._matrix = build_matrix(text) if text else []
        self._faded = False
        if text:
            self.setAccessibleName(printable(f"QR code for {text}"))
            self.setAccessibleDescription(printable(f"A QR code that opens {text} when scanned."))
            self.setToolTip(tooltip(text))
        else:
            self.setAccessibleName("QR code")
            self.setAccessibleDescription("")
            self.setToolTip("")
        self.update()

    def clear(self) -> None:
        self.set_data("")

    def data(self) -> str:
        """The encoded text ("" when empty)."""
        return self._text

    def matrix(self) -> list[list[bool]]:
        """A copy of the modules (True = dark), without the quiet zone."""
        return [list(row) for row in self._matrix]

    def set_faded(self, faded: bool) -> None:
        """Paint the code faint (used, denied, expired) so that nobody scans it."""
        if faded != self._faded:
            self._faded = faded
            self.setProperty("faded", faded)
            self.update()

    def is_faded(self) -> bool:
        return self._faded

    # -- geometry ---------------------------------------------------------------------------
    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(width, metrics.QR_MIN_SIZE)

    def sizeHint(self) -> QSize:
        side = max(metrics.QR_MIN_SIZE, self.minimumWidth())
        return QSize(side, side)

    def modules_across(self) -> int:
        """Modules per side including the quiet zone on both sides (0 when empty)."""
        if not self._matrix:
            return 0
        return len(self._matrix) + 2 * metrics.QR_QUIET_ZONE

    def module_pixels(self) -> int:
        """Device pixels per module at the current size (at least 1)."""
        across = self.modules_across()
        if not across:
            return 0
        ratio = self.devicePixelRatioF()
        side = int(min(self.width(), self.height()) * ratio)
        return max(1, side // across)

    def code_rect(self) -> QRect:
        """Where the code (with its quiet zone) is painted, in device pixels."""
        across = self.modules_across()
        size = across * self.module_pixels()
        ratio = self.devicePixelRatioF()
        width, height = int(self.width() * ratio), int(self.height() * ratio)
        return QRect((width - size) // 2, (height - size) // 2, size, size)

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._matrix:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        ratio = self.devicePixelRatioF()
        # Work in device pixels so each module covers a whole number of them.
        painter.scale(1.0 / ratio, 1.0 / ratio)
        area = self.code_rect()
        painter.fillRect(area, QR_LIGHT)
        module = self.module_pixels()
        origin_x = area.x() + metrics.QR_QUIET_ZONE * module
        origin_y = area.y() + metrics.QR_QUIET_ZONE * module
        dark = QR_FADED if self._faded else QR_DARK
        for row_index, row in enumerate(self._matrix):
            y = origin_y + row_index * module
            column = 0
            count = len(row)
            while column < count:
                if not row[column]:
                    column += 1
                    continue
                run_start = column
                while column < count and row[column]:
                    column += 1
                # One rectangle per horizontal run of dark modules: fewer calls, no seams.
                painter.fillRect(
                    origin_x + run_start * module, y, (column - run_start) * module, module, dark
                )
        painter.end()
