"""The token picker: which token the inspector shows, and the box to paste one by hand."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
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
from workbench.ui.inspector.entries import TokenEntry, describe_kind, preview
from workbench.ui.safe_text import tooltip

PASTE_DEBOUNCE_MS = 250  # decode the pasted text this long after the last keystroke
KIND_CACHE_SIZE = 64  # picker descriptions remembered per token string


class TokenPicker(QWidget):
    """The picker row (label, choices, Paste) and the paste box under it."""

    sig_chosen = Signal(int)
    """The user picked the entry at this index."""
    sig_pasted = Signal(str)
    """Text was pasted (or typed) into the paste box and settled."""

    def __init__(self, paste_action: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorPicker")
        self._kind_words: dict[str, str] = {}
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        label = QLabel("&Token", self)
        self.combo = QComboBox(self)
        self.combo.setObjectName("inspectorTokenPicker")
        self.combo.setAccessibleName("Token to inspect")
        self.combo.setToolTip("Which token to inspect: the current tokens, or one pasted by hand")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(metrics.INSPECTOR_PICKER_MIN_CHARS)
        self.combo.setPlaceholderText("No token yet: run a flow, or paste one")
        self.combo.currentIndexChanged.connect(self.sig_chosen)
        label.setBuddy(self.combo)
        self.paste_button = QToolButton(self)
        self.paste_button.setObjectName("inspectorPaste")
        self.paste_button.setDefaultAction(paste_action)
        self.paste_button.setAccessibleName(paste_action.text())
        self.paste_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.paste_button.setAutoRaise(False)

        self.paste_frame = QFrame(self)
        self.paste_frame.setObjectName("inspectorPasteFrame")
        self.paste_edit = QPlainTextEdit(self.paste_frame)
        self.paste_edit.setObjectName("inspectorPasteBox")
        self.paste_edit.setAccessibleName("Pasted token")
        self.paste_edit.setPlaceholderText(
            "Paste a JWT (or any token) here: it is decoded as you type. A leading “Bearer ” and"
            " line breaks are ignored."
        )
        self.paste_edit.setFont(fixed)
        self.paste_edit.setTabChangesFocus(True)
        self.paste_edit.setFixedHeight(
            metrics.line_height(self.paste_edit, metrics.INSPECTOR_PASTE_LINES)
        )
        self.paste_edit.textChanged.connect(self._on_paste_edited)
        paste_close = QToolButton(self.paste_frame)
        paste_close.setObjectName("inspectorPasteClose")
        paste_close.setAccessibleName("Close the paste box")
        paste_close.setToolTip("Close the paste box")
        paste_close.setText("✕")
        paste_close.setAutoRaise(True)
        paste_close.clicked.connect(self.paste_frame.hide)
        paste_row = QHBoxLayout(self.paste_frame)
        paste_row.setContentsMargins(0, 0, 0, 0)
        paste_row.addWidget(self.paste_edit, 1)
        paste_row.addWidget(paste_close, 0, Qt.AlignmentFlag.AlignTop)
        self.paste_frame.hide()

        self._paste_timer = QTimer(self)
        self._paste_timer.setObjectName("inspectorPasteDebounce")
        self._paste_timer.setSingleShot(True)
        self._paste_timer.setInterval(PASTE_DEBOUNCE_MS)
        self._paste_timer.timeout.connect(self._on_paste_settled)

        self.top = top = QHBoxLayout()
        top.setSpacing(metrics.SPACING)
        top.addWidget(label)
        top.addWidget(self.combo, 1)
        top.addWidget(self.paste_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(metrics.SPACING)
        layout.addLayout(top)
        layout.addWidget(self.paste_frame)

    def add_button(self, name: str, action: QAction) -> QToolButton:
        """One more button on the picker row, for ``action`` (the window's token history)."""
        button = QToolButton(self)
        button.setObjectName(name)
        button.setDefaultAction(action)
        button.setAccessibleName(action.text().replace("&", ""))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.top.addWidget(button)
        return button

    def set_entries(self, entries: list[TokenEntry], revoked: set[str]) -> None:
        """List ``entries`` (revoked ones say so), keeping the current index where it can."""
        combo = self.combo
        combo.blockSignals(True)
        current = combo.currentIndex()
        combo.clear()
        for entry in entries:
            combo.addItem(self._entry_text(entry, entry.token in revoked))
            combo.setItemData(
                combo.count() - 1, tooltip(preview(entry.token)), Qt.ItemDataRole.ToolTipRole
            )
        combo.setEnabled(bool(entries))
        combo.setCurrentIndex(min(max(current, 0), combo.count() - 1))
        combo.blockSignals(False)

    def set_current(self, index: int) -> None:
        """Select ``index`` without telling :attr:`sig_chosen` (the caller shows it)."""
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)

    def start_paste(self) -> None:
        """Open the paste box; a token on the clipboard is pasted at once."""
        self.paste_frame.show()
        clip = QGuiApplication.clipboard().text().strip()
        if clip and len(clip.split()) <= 2 and clip != self.paste_edit.toPlainText().strip():
            self.paste_edit.setPlainText(clip)
            self._paste_timer.stop()
            self.sig_pasted.emit(clip)
        self.paste_edit.setFocus()
        self.paste_edit.selectAll()

    def _entry_text(self, entry: TokenEntry, revoked: bool) -> str:
        words = self._kind_words.get(entry.token)
        if words is None:
            words = describe_kind(entry.token)
            if len(self._kind_words) > KIND_CACHE_SIZE:
                self._kind_words.clear()
            self._kind_words[entry.token] = words
        text = f"{entry.label} — {words}"
        if revoked:
            text += " · revoked"
        return printable(text)

    def _on_paste_edited(self) -> None:
        self._paste_timer.start()

    def _on_paste_settled(self) -> None:
        text = self.paste_edit.toPlainText().strip()
        if text:
            self.sig_pasted.emit(text)
