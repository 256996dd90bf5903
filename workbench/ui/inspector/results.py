"""The inline answer of the last server action: title, a verdict chip, a message, the JSON.

The JSON is the server's answer: shown through :func:`~workbench.core.display.printable` (line
breaks of the pretty-printing kept), and every label is plain text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QTextOption
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.display import printable
from workbench.ui import metrics
from workbench.ui.reveal import reveal
from workbench.ui.theme import set_outcome


def pretty_json(data: Any) -> str:
    try:
        return json.dumps(data, indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(data)


class ActionResultView(QFrame):
    """A card below the actions: what Refresh / Revoke / Introspect / UserInfo answered."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorResult")
        self.setAccessibleName("Result of the last action")
        self.setProperty("role", "card")
        self.title = QLabel(self)
        self.title.setObjectName("inspectorResultTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        bold = QFont(self.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.chip = QLabel(self)
        self.chip.setObjectName("inspectorResultChip")
        self.chip.setTextFormat(Qt.TextFormat.PlainText)
        self.chip.setProperty("role", "chip")
        chip_font = QFont(bold)
        chip_font.setPointSizeF(bold.pointSizeF() * metrics.INSPECTOR_RESULT_CHIP_SCALE)
        self.chip.setFont(chip_font)
        self.when = QLabel(self)
        self.when.setObjectName("inspectorResultTime")
        self.when.setProperty("role", "muted")
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("inspectorResultClose")
        self.close_button.setAccessibleName("Dismiss result")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        self.message = QLabel(self)
        self.message.setObjectName("inspectorResultMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.json = QPlainTextEdit(self)
        self.json.setObjectName("inspectorResultJson")
        self.json.setAccessibleName("Response JSON")
        self.json.setReadOnly(True)
        self.json.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.json.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)

        top = QHBoxLayout()
        top.setSpacing(metrics.SPACING)
        top.addWidget(self.title)
        top.addWidget(self.chip)
        top.addStretch(1)
        top.addWidget(self.when)
        top.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(metrics.MARGIN, metrics.SPACING, metrics.SPACING, metrics.MARGIN)
        layout.setSpacing(metrics.SPACING // 2)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.json)
        self.hide()

    def show_busy(self, title: str, message: str = "") -> None:
        """An action is running: its name, a ``working…`` chip, no JSON yet."""
        self._fill(title, "working…", "checking", message, None)
        reveal(self, flash=False)

    def show_result(
        self,
        title: str,
        chip: str,
        outcome: str,
        message: str = "",
        data: Mapping[str, Any] | None = None,
    ) -> None:
        """The answer: ``outcome`` (pass / fail / not_checked / warn) colours the chip; it is
        scrolled into view and outlined for a moment."""
        self._fill(title, chip, outcome, message, data)
        reveal(self)

    def _fill(
        self, title: str, chip: str, outcome: str, message: str, data: Mapping[str, Any] | None
    ) -> None:
        title, chip, message = printable(title), printable(chip), printable(message)
        self.title.setText(title)
        self.chip.setText(chip)
        self.chip.setVisible(bool(chip))
        set_outcome(self.chip, outcome)
        self.when.setText(time.strftime("%H:%M:%S"))
        self.message.setText(message)
        self.message.setVisible(bool(message))
        text = printable(pretty_json(data), keep_newlines=True) if data is not None else ""
        self.json.setPlainText(text)
        self.json.setVisible(data is not None)
        if data is not None:
            self._fit_json(text)
        self.setAccessibleDescription(f"{title}: {chip}. {message}")
        self.show()

    def _fit_json(self, text: str) -> None:
        """As tall as the JSON (wrapped lines counted roughly), at most
        ``metrics.INSPECTOR_RESULT_JSON_LINES``."""
        box = self.json
        per_line = max(1, box.viewport().width() // max(1, box.fontMetrics().averageCharWidth()))
        lines = sum(max(1, -(-len(line) // per_line)) for line in text.splitlines()) or 1
        shown = min(
            lines + 0.5, metrics.INSPECTOR_RESULT_JSON_LINES
        )  # half a line of slack for the estimate
        margins = int(box.document().documentMargin() * 2) + box.frameWidth() * 2
        box.setFixedHeight(metrics.line_height(box, shown) + margins)

    def text(self) -> str:
        """Everything shown, as plain text (tests, accessibility)."""
        parts = [self.title.text(), self.chip.text(), self.message.text()]
        if self.json.isVisibleTo(self):
            parts.append(self.json.toPlainText())
        return "\n".join(p for p in parts if p)

    def chip_outcome(self) -> str:
        return str(self.chip.property("outcome") or "")
