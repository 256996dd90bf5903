"""A read-only value (URL, PKCE verifier, token) with a Copy button beside it.

The value is shown with control and invisible characters as visible escapes
(:func:`~workbench.core.display.printable`); Copy copies it exactly as it is.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextOption
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from workbench.core.display import printable
from workbench.ui import metrics

COPIED_FEEDBACK_MS = 1500  # how long the button says "Copied" after a click


class CopyField(QWidget):
    """Selectable read-only text in a monospace font, and a button that copies it.

    ``multiline`` wraps long values (authorize URLs) over a few lines instead of one
    line that scrolls sideways.
    """

    sig_copied = Signal(str)
    """The value was put on the clipboard."""

    def __init__(
        self,
        name: str,
        label: str,
        parent: QWidget | None = None,
        *,
        multiline: bool = False,
        lines: int = metrics.COPY_FIELD_MULTILINE_LINES,
        placeholder: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(label)
        self._label = label
        self._text = ""
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._line: QLineEdit | None = None
        self._box: QPlainTextEdit | None = None
        editor: QWidget
        if multiline:
            box = QPlainTextEdit(self)
            box.setReadOnly(True)
            box.setFont(fixed)
            box.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
            box.setPlaceholderText(placeholder)
            chrome = 2 * box.frameWidth() + round(2 * box.document().documentMargin())
            box.setFixedHeight(metrics.line_height(box, lines) + chrome)
            self._box = editor = box
        else:
            line = QLineEdit(self)
            line.setReadOnly(True)
            line.setFont(fixed)
            line.setPlaceholderText(placeholder)
            self._line = editor = line
        editor.setObjectName(f"{name}Value")
        editor.setAccessibleName(label)
        self._button = QPushButton("Copy", self)
        self._button.setObjectName(f"{name}Copy")
        self._button.setAccessibleName(f"Copy {label}")
        self._button.setToolTip(f"Copy the {label.lower()} to the clipboard")
        self._button.setEnabled(False)
        self._button.clicked.connect(self.copy)
        self._reset = QTimer(self)
        self._reset.setSingleShot(True)
        self._reset.setInterval(COPIED_FEEDBACK_MS)
        self._reset.timeout.connect(self._on_feedback_over)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(metrics.SPACING)
        layout.addWidget(editor, 1)
        align = Qt.AlignmentFlag.AlignTop if multiline else Qt.AlignmentFlag.AlignVCenter
        layout.addWidget(self._button, 0, align)

    @property
    def editor(self) -> QLineEdit | QPlainTextEdit:
        """The read-only text widget (tests, selection)."""
        editor = self._line or self._box
        assert editor is not None
        return editor

    @property
    def copy_button(self) -> QPushButton:
        return self._button

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self._text = text
        shown = printable(text)
        if self._line is not None:
            self._line.setText(shown)
            self._line.setCursorPosition(0)
        elif self._box is not None:
            self._box.setPlainText(shown)
        self._button.setEnabled(bool(text))

    def clear(self) -> None:
        self.set_text("")

    def copy(self) -> None:
        """Put the value on the clipboard; the button says "Copied" for a moment."""
        if not self._text:
            return
        QGuiApplication.clipboard().setText(self._text)
        self._button.setText("Copied")
        self._reset.start()
        self.sig_copied.emit(self._text)

    def _on_feedback_over(self) -> None:
        self._button.setText("Copy")
