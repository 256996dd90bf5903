"""The device login for a room: a big QR code, the address and the user code in large type.

Meant for a projector: shown full screen, sized from the window's height (which is the
screen's height once full screen), following the palette except for the QR area, which stays
dark on white for the scanners. Esc, F11 or the Close button close it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workbench.core.cognito.pool import is_loopback_url
from workbench.core.display import printable
from workbench.core.oauth.rfc8628_device import DeviceAuthorization, DevicePoll
from workbench.ui import metrics
from workbench.ui.theme import set_property, set_type
from workbench.ui.widgets.countdown import CountdownBar
from workbench.ui.widgets.qr_code import QrCodeView

STATUS_TEXT = {
    "waiting": "Waiting for approval…",
    "approved": "Approved ✓",
    "denied": "Denied",
    "expired": "Expired",
    "cancelled": "Cancelled",
    "failed": "Stopped",
}


def loopback_warning(address: str) -> str | None:
    """Words for an address (and its QR code) that only this computer can open, else None."""
    if not is_loopback_url(address):
        return None
    host = urlsplit(address).hostname or address
    return (
        f"{printable(host)} is this computer: a phone cannot open this address or its QR code. "
        "Demo provider: View ▸ Demo provider reachable from phones (workbench --demo --lan)."
    )


class PresenterView(QDialog):
    """Full-screen device login display; feed it with the tab's signals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("devicePresenter")
        self.setAccessibleName("Device login presenter view")
        self.setWindowTitle("Device login — presenter view")
        self.setModal(False)
        self._outcome: str | None = None
        self._code = ""
        self._address = ""

        self.qr_view = QrCodeView(self, "presenterQr")
        self.qr_view.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

        self.close_button = QPushButton("Close (Esc)", self)
        self.close_button.setObjectName("presenterClose")
        self.close_button.setAccessibleName("Close presenter view")
        self.close_button.setToolTip("Close the presenter view (Esc or F11)")
        self.close_button.setAutoDefault(False)
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.close)
        # Not in a layout: it sits in the top-right corner, out of the way of the content.

        self.open_caption = self._label("presenterOpenCaption", "Scan the QR code, or open")
        self.url_label = self._label("presenterUrl", "")
        self.url_label.setAccessibleName("Verification address")
        self.code_caption = self._label("presenterCodeCaption", "and enter the code")
        self.code_label = self._label("presenterUserCode", "")
        self.code_label.setAccessibleName("User code")
        self.countdown = CountdownBar(
            self,
            "presenterCountdown",
            running_text="Code expires {when}",
            expired_text="Code expired {when}",
            vertical=True,
        )
        self.countdown.sig_expired.connect(self._on_code_expired)
        self.loopback_label = self._label("presenterLoopbackWarning", "")
        self.loopback_label.setAccessibleName("Address warning")
        self.loopback_label.setProperty("kind", "warning")
        self.loopback_label.setWordWrap(True)
        self.loopback_label.hide()
        self.status_label = self._label("presenterStatus", STATUS_TEXT["waiting"])
        self.status_label.setAccessibleName("Approval status")
        self.status_label.setProperty("status", "waiting")

        self.text_column = QVBoxLayout()
        self.text_column.addStretch(1)
        self.text_column.addWidget(self.open_caption)
        self.text_column.addWidget(self.url_label)
        self.text_column.addWidget(self.loopback_label)
        self.text_column.addSpacing(metrics.SPACING)
        self.text_column.addWidget(self.code_caption)
        self.text_column.addWidget(self.code_label)
        self.text_column.addStretch(1)
        self.text_column.addWidget(self.countdown)
        self.text_column.addSpacing(metrics.SPACING)
        self.text_column.addWidget(self.status_label)
        self.text_column.addStretch(1)
        # QR and text side by side, the pair centred on the screen.
        self.outer = QHBoxLayout(self)
        self.outer.addStretch(1)
        self.outer.addWidget(self.qr_view, 0, Qt.AlignmentFlag.AlignVCenter)
        self.outer.addLayout(self.text_column, 0)
        self.outer.addStretch(1)

        shortcut = QShortcut(QKeySequence(Qt.Key.Key_F11), self)
        shortcut.setObjectName("presenterF11")
        shortcut.activated.connect(self.close)
        self._apply_sizes()

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setAccessibleName(text or name)
        label.setTextFormat(Qt.TextFormat.PlainText)  # the code and address come from a server
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # -- state (connect the tab's signals here) --------------------------------------------
    @Slot(object)
    def set_authorization(self, auth: DeviceAuthorization) -> None:
        """A new user code: show it, its QR and its countdown; waiting for approval."""
        self._outcome = None
        self._code = auth.user_code
        self._address = auth.verification_uri
        self.code_label.setText(printable(auth.user_code))
        self.code_label.setEnabled(True)
        self.url_label.setText(printable(auth.verification_uri))
        self.qr_view.set_data(auth.qr_uri)
        self.qr_view.set_faded(False)
        warning = loopback_warning(auth.qr_uri)
        self.loopback_label.setText(warning or "")
        self.loopback_label.setVisible(warning is not None)
        self.countdown.set_deadline(auth.expires_at, auth.expires_in)
        self.countdown.show()
        self._set_status("waiting")
        self._fit_texts()

    @Slot(object)
    def set_poll(self, poll: DevicePoll) -> None:
        """Still waiting (the room does not need the polling details)."""
        if self._outcome is None and not self.countdown.is_expired():
            self._set_status("waiting")

    @Slot(str)
    def set_outcome(self, outcome: str) -> None:
        """approved, denied, expired, cancelled or failed: fade the code, say so."""
        self._outcome = outcome
        self.countdown.stop()
        self.countdown.hide()
        self.qr_view.set_faded(True)
        self.code_label.setEnabled(False)
        self._set_status(outcome if outcome in STATUS_TEXT else "failed")

    def user_code(self) -> str:
        return self.code_label.text()

    def status_text(self) -> str:
        return self.status_label.text()

    def present(self, full_screen: bool = True) -> None:
        """Show, full screen by default (a window of the current size otherwise)."""
        if full_screen:
            self.showFullScreen()
        else:
            self.show()
        self.raise_()
        self.activateWindow()

    # -- internals --------------------------------------------------------------------------
    def _on_code_expired(self) -> None:
        if self._outcome is None:
            self.qr_view.set_faded(True)
            self.code_label.setEnabled(False)
            self._set_status("expired")

    def _set_status(self, status: str) -> None:
        self.status_label.setText(STATUS_TEXT[status])
        set_property(self.status_label, "status", status)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_sizes()

    def _apply_sizes(self) -> None:
        height = max(self.height(), metrics.QR_MIN_SIZE)
        margin = round(height * metrics.PRESENTER_MARGIN_SCALE)
        self.outer.setContentsMargins(margin, margin, margin, margin)
        self.outer.setSpacing(margin)
        side = round(height * metrics.PRESENTER_QR_SCALE)
        side = max(metrics.QR_MIN_SIZE, min(side, (self.width() - 3 * margin) // 2))
        self.qr_view.setFixedSize(side, side)
        caption = round(height * metrics.PRESENTER_CAPTION_SCALE)
        set_type(self.open_caption, caption)
        set_type(self.code_caption, caption)
        set_type(self.status_label, round(height * metrics.PRESENTER_STATUS_SCALE), bold=True)
        set_type(self.countdown.label, caption)
        set_type(self.loopback_label, round(height * metrics.PRESENTER_WARNING_SCALE))
        self.countdown.set_bar_height(max(metrics.COUNTDOWN_BAR_HEIGHT, caption // 2))
        set_type(self.close_button, round(height * metrics.PRESENTER_CLOSE_SCALE))
        self.close_button.adjustSize()
        corner = margin // 2
        self.close_button.move(self.width() - self.close_button.width() - corner, corner)
        self._fit_texts()

    def _fit_texts(self) -> None:
        """The code and the address at their scale, shrunk only if they would not fit."""
        height = max(self.height(), metrics.QR_MIN_SIZE)
        margin = self.outer.contentsMargins().left()
        width = max(1, self.width() - self.qr_view.width() - 3 * margin)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
        code_px = fit_pixels(self._code, mono, height * metrics.PRESENTER_CODE_SCALE, width)
        set_type(self.code_label, code_px, bold=True, family=mono)
        family = self.font().family()
        url_px = fit_pixels(self._address, family, height * metrics.PRESENTER_URL_SCALE, width)
        set_type(self.url_label, url_px, bold=True)
        # The countdown bar spans the text block, not the whole column.
        block = max(
            text_advance(self._code, mono, code_px), text_advance(self._address, family, url_px)
        )
        self.countdown.setMaximumWidth(max(block, metrics.QR_MIN_SIZE))
        self.loopback_label.setMaximumWidth(max(block, metrics.QR_MIN_SIZE))


def _font(family: str, pixels: int) -> QFont:
    font = QFont(family)
    font.setPixelSize(max(1, pixels))
    font.setBold(True)
    return font


def text_advance(text: str, family: str, pixels: int) -> int:
    """Width of ``text`` in bold ``family`` at ``pixels``."""
    return QFontMetrics(_font(family, pixels)).horizontalAdvance(text)


def fit_pixels(text: str, family: str, pixels: float, width: int) -> int:
    """The pixel size for ``text`` to fit ``width``: ``pixels``, or smaller down to
    ``metrics.PRESENTER_MIN_FIT`` of it."""
    size = max(1, round(pixels))
    floor = max(1, round(pixels * metrics.PRESENTER_MIN_FIT))
    while text and size > floor and text_advance(text, family, size) > width:
        size -= 1
    return size
