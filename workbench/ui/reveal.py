"""Bring a new answer into view: scroll its scroll area to it and flash it briefly.

A result that appears below the fold looks like a click that did nothing. :func:`reveal`
scrolls the nearest enclosing :class:`QScrollArea` so the widget (its top first, when it is
taller than the view) is visible once the layout has placed it, and sets the dynamic property
``flash`` for ``metrics.REVEAL_FLASH_MS`` so the style sheet can outline it.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QScrollArea, QWidget

from workbench.ui import metrics
from workbench.ui.theme import set_property

FLASH_PROPERTY = "flash"


def scroll_area_of(widget: QWidget) -> QScrollArea | None:
    """The nearest QScrollArea whose contents hold ``widget``."""
    parent = widget.parentWidget()
    while parent is not None:
        contents = parent.widget() if isinstance(parent, QScrollArea) else None
        if contents is not None and contents.isAncestorOf(widget):
            return parent  # type: ignore[return-value]
        parent = parent.parentWidget()
    return None


def scroll_into_view(widget: QWidget) -> bool:
    """Scroll the enclosing area now so ``widget`` shows (its top when it does not fit)."""
    area = scroll_area_of(widget)
    if area is None or not widget.isVisible():
        return False
    contents = area.widget()
    if contents is None:
        return False
    top = widget.mapTo(contents, widget.rect().topLeft()).y()
    bar = area.verticalScrollBar()
    view = area.viewport().height()
    margin = metrics.REVEAL_MARGIN
    bottom = top + widget.height()
    if top - margin < bar.value():
        bar.setValue(max(0, top - margin))
    elif bottom + margin > bar.value() + view:
        # As much of it as fits, never pushing its top out of view.
        bar.setValue(min(top - margin, bottom + margin - view))
    return True


def set_flash(widget: QWidget, on: bool) -> None:
    set_property(widget, FLASH_PROPERTY, "true" if on else "false")


def is_flashing(widget: QWidget) -> bool:
    return bool(widget.property(FLASH_PROPERTY) == "true")


def reveal(widget: QWidget, flash: bool = True) -> None:
    """Scroll ``widget`` into view after the pending layout pass; flash it briefly."""
    if flash:
        set_flash(widget, True)
        timer = widget.findChild(QTimer, "revealFlashTimer")
        if timer is None:
            timer = QTimer(widget)
            timer.setObjectName("revealFlashTimer")
            timer.setSingleShot(True)
            timer.timeout.connect(lambda: set_flash(widget, False))
        timer.start(metrics.REVEAL_FLASH_MS)
    # Twice: once the layout has given the widget its place, again after the contents grew.
    QTimer.singleShot(0, widget, lambda: scroll_into_view(widget))
    QTimer.singleShot(metrics.REVEAL_SETTLE_MS, widget, lambda: scroll_into_view(widget))
