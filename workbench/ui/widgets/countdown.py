"""A thin bar and a label counting down to a deadline: "expires in 4 min 12 s".

It turns expired by itself (dynamic property ``expired=true`` for the style sheet, text
"expired 12 s ago") and emits :attr:`CountdownBar.sig_expired` once per deadline. Ticks are
aligned on whole :data:`metrics.TIMER_INTERVAL_MS` steps of the time left, so the seconds shown
change exactly when they should and the expiry is seen within milliseconds. The timer runs
only while the widget is visible.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QHideEvent, QShowEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QProgressBar, QSizePolicy, QWidget

from workbench.core.tokens.claims import format_relative
from workbench.ui import metrics
from workbench.ui.theme import repolish

_BAR_STEPS = 1000  # resolution of the bar
_TICK_MARGIN_S = 0.01  # tick just after a boundary, never just before it
URGENT_FRACTION = 0.2  # below this share of the lifetime the bar is marked urgent (QSS)


class CountdownBar(QWidget):
    """Counts down to ``expires_at`` (epoch seconds) over ``lifetime`` seconds."""

    sig_expired = Signal()
    """The deadline passed (once per deadline)."""

    def __init__(
        self,
        parent: QWidget | None = None,
        object_name: str = "countdown",
        *,
        running_text: str = "expires {when}",
        expired_text: str = "expired {when}",
        idle_text: str = "",
        vertical: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName("Time left")
        self.setProperty("expired", False)
        self.setProperty("urgent", False)
        self._running_text = running_text
        self._expired_text = expired_text
        self._idle_text = idle_text
        self._expires_at: float | None = None
        self._lifetime: float | None = None
        self._expired = False
        self._emitted = False
        self._stopped = True
        self._vertical = vertical

        self.bar = QProgressBar(self)
        self.bar.setObjectName(f"{object_name}Bar")
        self.bar.setAccessibleName("Share of the lifetime left")
        self.bar.setRange(0, _BAR_STEPS)
        self.bar.setValue(0)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(metrics.COUNTDOWN_BAR_HEIGHT)
        self.bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.label = QLabel(idle_text, self)
        self.label.setObjectName(f"{object_name}Text")
        self.label.setAccessibleName("Time left")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        direction = (
            QBoxLayout.Direction.TopToBottom if vertical else QBoxLayout.Direction.LeftToRight
        )
        layout = QBoxLayout(direction, self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(metrics.SPACING)
        if vertical:
            layout.addWidget(self.label)
            layout.addWidget(self.bar)
        else:
            layout.addWidget(self.bar, 1, Qt.AlignmentFlag.AlignVCenter)
            layout.addWidget(self.label, 0, Qt.AlignmentFlag.AlignVCenter)

        self._timer = QTimer(self)
        self._timer.setObjectName(f"{object_name}Timer")
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_tick)
        self._reserve_label_width()

    # -- public -----------------------------------------------------------------------------
    def set_deadline(self, expires_at: float | None, lifetime: float | None = None) -> None:
        """Count down to ``expires_at``; ``lifetime`` is the full span the bar stands for
        (default: the time left now, so the bar starts full). ``None`` clears the display."""
        self._expires_at = expires_at
        if expires_at is not None and (lifetime is None or lifetime <= 0):
            lifetime = max(expires_at - time.time(), 0.0)
        self._lifetime = lifetime
        self._emitted = False
        self._stopped = expires_at is None
        self._set_expired(False)
        self.refresh()
        self._schedule()

    def clear(self) -> None:
        self.set_deadline(None, None)

    def stop(self) -> None:
        """Freeze the display where it is; no more ticks until the next :meth:`set_deadline`."""
        self._stopped = True
        self._timer.stop()

    def is_running(self) -> bool:
        """True while the timer is ticking."""
        return self._timer.isActive()

    def is_expired(self) -> bool:
        return self._expired

    def text(self) -> str:
        return self.label.text()

    def expires_at(self) -> float | None:
        return self._expires_at

    def seconds_left(self, now: float | None = None) -> float | None:
        if self._expires_at is None:
            return None
        return self._expires_at - (time.time() if now is None else now)

    def set_bar_height(self, pixels: int) -> None:
        self.bar.setFixedHeight(pixels)

    def refresh(self, now: float | None = None) -> None:
        """Recompute text, bar and state for ``now`` (default: the current time)."""
        left = self.seconds_left(now)
        if left is None:
            self.label.setText(self._idle_text)
            self.bar.setValue(0)
            self._set_urgent(False)
            return
        if left > 0:
            when = format_relative(math.ceil(left))
            self.label.setText(self._running_text.format(when=when))
            lifetime = self._lifetime or 0.0
            fraction = min(left / lifetime, 1.0) if lifetime > 0 else 0.0
            self.bar.setValue(round(fraction * _BAR_STEPS))
            self._set_urgent(fraction <= URGENT_FRACTION)
            return
        elapsed = math.floor(-left)
        when = format_relative(-elapsed) if elapsed >= 1 else "just now"
        self.label.setText(self._expired_text.format(when=when))
        self.bar.setValue(0)
        self._set_urgent(False)
        if not self._expired:
            self._set_expired(True)
            if not self._emitted:
                self._emitted = True
                self.sig_expired.emit()

    # -- Qt events --------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._stopped:
            self.refresh()
            self._schedule()

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._reserve_label_width()

    # -- internals --------------------------------------------------------------------------
    def _on_tick(self) -> None:
        if self._stopped:
            return
        self.refresh()
        self._schedule()

    def _schedule(self) -> None:
        left = self.seconds_left()
        if self._stopped or left is None or not self.isVisible():
            self._timer.stop()
            return
        step = metrics.TIMER_INTERVAL_MS / 1000.0
        # Wait until the time left crosses the next whole step (or, once expired, until the
        # time since expiry does), then a hair more.
        delay = left % step if left > 0 else step - (-left % step)
        self._timer.start(max(1, math.ceil((delay + _TICK_MARGIN_S) * 1000)))

    def _reserve_label_width(self) -> None:
        """Side by side, keep the label as wide as its longest usual text, so the bar does
        not change length every second."""
        if self._vertical:
            return
        samples = (
            self._running_text.format(when="in 00 min 00 s"),
            self._expired_text.format(when="00 min 00 s ago"),
            self._idle_text,
        )
        metrics_ = QFontMetrics(self.label.font())
        self.label.setMinimumWidth(max(metrics_.horizontalAdvance(text) for text in samples))

    def _set_expired(self, expired: bool) -> None:
        self._expired = expired
        if self.property("expired") != expired:
            self.setProperty("expired", expired)
            self._repolish()

    def _set_urgent(self, urgent: bool) -> None:
        if self.property("urgent") != urgent:
            self.setProperty("urgent", urgent)
            self._repolish()

    def _repolish(self) -> None:
        repolish(self, self.bar, self.label)
