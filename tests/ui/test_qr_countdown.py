"""QrCodeView (crisp, dark on white, same modules as qrcode builds) and CountdownBar."""

from __future__ import annotations

import time
from typing import Any, cast

import qrcode
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QWidget

from workbench.ui import metrics
from workbench.ui.widgets.countdown import CountdownBar
from workbench.ui.widgets.qr_code import QrCodeView

URL = "https://login.example.com/device?user_code=WDJB-MJHT"


def reference_matrix(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def colours_in(image: QImage, x: int, y: int, width: int, height: int) -> set[int]:
    """The distinct RGB values of a rectangle of ``image``."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    seen: set[int] = set()
    for row in range(y, y + height):
        line = bytes(cast(memoryview, image.constScanLine(row)))[x * 4 : (x + width) * 4]
        seen.update(int.from_bytes(line[i : i + 3], "little") for i in range(0, len(line), 4))
    return seen


def shown_view(qtbot: Any, width: int, height: int, text: str = URL) -> QrCodeView:
    view = QrCodeView()
    qtbot.addWidget(view)
    view.set_data(text)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_qr_matrix_is_what_qrcode_builds_and_accessible(qtbot: Any) -> None:
    view = shown_view(qtbot, 300, 300)
    assert view.matrix() == reference_matrix(URL)
    assert view.data() == URL
    assert URL in view.accessibleName() and URL in view.accessibleDescription()
    view.set_data("")
    assert view.matrix() == [] and view.accessibleName() == "QR code"


def test_qr_square_minimum_and_integer_modules(qtbot: Any) -> None:
    view = shown_view(qtbot, 415, 300)  # wider than tall: the code follows the height
    assert view.hasHeightForWidth() and view.heightForWidth(250) == 250
    assert view.minimumSize().width() == metrics.QR_MIN_SIZE
    assert view.heightForWidth(10) == metrics.QR_MIN_SIZE
    across = len(reference_matrix(URL)) + 2 * metrics.QR_QUIET_ZONE
    assert view.modules_across() == across
    module = view.module_pixels()
    assert module == 300 // across
    rect = view.code_rect()
    assert rect.width() == rect.height() == across * module
    assert rect.center().x() in range(415 // 2 - 1, 415 // 2 + 1)  # centred


def test_qr_pixels_are_crisp_and_match_modules(qtbot: Any) -> None:
    view = shown_view(qtbot, 333, 333)
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    assert image.width() == 333  # no device pixel ratio in the offscreen tests
    rect, module = view.code_rect(), view.module_pixels()
    # Only pure black and pure white inside the code: no smoothing, no seams.
    assert colours_in(image, rect.x(), rect.y(), rect.width(), rect.height()) == {
        0x000000,
        0xFFFFFF,
    }
    # The quiet zone is white, then every module's centre has the module's colour.
    quiet = metrics.QR_QUIET_ZONE * module
    assert colours_in(image, rect.x(), rect.y(), rect.width(), quiet) == {0xFFFFFF}
    for r, row in enumerate(view.matrix()):
        for c, dark in enumerate(row):
            x = rect.x() + quiet + c * module + module // 2
            y = rect.y() + quiet + r * module + module // 2
            expected = QColor(0, 0, 0) if dark else QColor(255, 255, 255)
            assert image.pixelColor(x, y) == expected, (r, c)


def test_qr_stays_dark_on_white_in_a_dark_palette_and_fades(qtbot: Any) -> None:
    view = shown_view(qtbot, 260, 260)
    dark = QPalette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        dark.setColor(role, QColor(30, 30, 30))
    dark.setColor(QPalette.ColorRole.WindowText, QColor(230, 230, 230))
    view.setPalette(dark)
    rect = view.code_rect()
    image = view.grab().toImage()
    assert colours_in(image, rect.x(), rect.y(), rect.width(), rect.height()) == {
        0x000000,
        0xFFFFFF,
    }
    view.set_faded(True)
    assert view.is_faded() and view.property("faded") is True
    faded = colours_in(view.grab().toImage(), rect.x(), rect.y(), rect.width(), rect.height())
    assert 0x000000 not in faded and 0xFFFFFF in faded and len(faded) == 2


# -- CountdownBar ---------------------------------------------------------------------------
def shown_countdown(qtbot: Any) -> tuple[QWidget, CountdownBar]:
    holder = QWidget()  # returned too: qtbot keeps only a weak reference
    qtbot.addWidget(holder)
    bar = CountdownBar(holder)
    holder.resize(400, 40)
    holder.show()
    qtbot.waitExposed(holder)
    return holder, bar


def test_countdown_expires_by_itself_once(qtbot: Any) -> None:
    _holder, bar = shown_countdown(qtbot)
    seen: list[None] = []
    bar.sig_expired.connect(lambda: seen.append(None))
    with qtbot.waitSignal(bar.sig_expired, timeout=2500):
        bar.set_deadline(time.time() + 1.0, 10.0)
        assert bar.is_running() and bar.text() == "expires in 1 s"
        assert bar.property("expired") is False
    assert bar.is_expired() and bar.property("expired") is True
    assert bar.text().startswith("expired ") and bar.bar.value() == 0
    assert bar.is_running()  # keeps counting "expired 3 s ago" while shown
    bar.refresh()
    bar.refresh(time.time() + 30)
    assert seen == [None]  # once per deadline
    assert bar.text() == "expired 31 s ago" or bar.text() == "expired 30 s ago"


def test_countdown_text_bar_and_states(qtbot: Any) -> None:
    _holder, bar = shown_countdown(qtbot)
    seen: list[None] = []
    bar.sig_expired.connect(lambda: seen.append(None))
    deadline = time.time() + 3600
    bar.set_deadline(deadline, 600)
    bar.refresh(deadline - 252)
    assert bar.text() == "expires in 4 min 12 s"
    assert bar.bar.value() == round(252 / 600 * 1000) and bar.property("urgent") is False
    bar.refresh(deadline - 251.4)  # a started second counts as a whole one
    assert bar.text() == "expires in 4 min 12 s"
    bar.refresh(deadline - 60)
    assert bar.property("urgent") is True  # 10 % left
    bar.refresh(deadline + 0.4)
    assert bar.text() == "expired just now" and seen == [None]
    bar.refresh(deadline + 12.7)
    assert bar.text() == "expired 12 s ago" and bar.property("expired") is True
    # A new deadline starts over: not expired, full bar when no lifetime is given.
    bar.set_deadline(time.time() + 100, None)
    assert bar.property("expired") is False and bar.bar.value() == 1000
    bar.set_deadline(None, None)
    assert bar.text() == "" and not bar.is_running()


def test_countdown_timer_stops_when_hidden_stopped_or_closed(qtbot: Any) -> None:
    _holder, bar = shown_countdown(qtbot)
    bar.set_deadline(time.time() + 60, 60)
    assert bar.is_running()
    bar.hide()
    assert not bar.is_running()
    bar.show()
    assert bar.is_running()
    bar.stop()
    frozen = bar.text()
    assert not bar.is_running()
    bar.hide()
    bar.show()
    assert not bar.is_running() and bar.text() == frozen  # stop() holds across show
    bar.set_deadline(time.time() + 60, 60)
    assert bar.is_running()
    bar.window().close()
    assert not bar.is_running()
