"""The token history dock: every token set the app obtained, inspected again or compared.

The list comes from ``state.history`` (:mod:`workbench.core.history`, recorded by
:meth:`AppState.set_tokens`); tokens appear masked past their first characters, never whole.
Select one to inspect it again, two to see their claim diff; clearing asks first and removes
the sets from the keyring too.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.display import printable
from workbench.core.history import HistoryEntry, diff_lines
from workbench.ui import metrics
from workbench.ui.state import AppState

COLUMNS = ("Provider", "Flow", "User", "Obtained", "Expires", "Status", "Token")
ID_ROLE = Qt.ItemDataRole.UserRole


def when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) if stamp else "—"


class HistoryDock(QDockWidget):
    """Lists ``state.history``, newest first; inspect, diff, clear."""

    sig_inspect = Signal(str, str)
    """Inspect this token (the token, a label for the inspector's picker)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__("Token history", parent)
        self.state = state
        self.setObjectName("historyDock")
        self.setAccessibleName("Token history")
        body = QWidget(self)
        body.setObjectName("historyBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(metrics.SPACING, metrics.SPACING, metrics.SPACING, 0)
        layout.setSpacing(metrics.SPACING)

        self.where_label = QLabel(body)
        self.where_label.setObjectName("historyWhere")
        self.where_label.setProperty("role", "secondary")
        self.where_label.setWordWrap(True)
        self.where_label.setTextFormat(Qt.TextFormat.PlainText)

        row = QHBoxLayout()
        row.addWidget(self.where_label, 1)
        self.inspect_button = self._button("historyInspect", "&Inspect again", row)
        self.inspect_button.setToolTip("Show the selected set's access token in the inspector")
        self.inspect_button.clicked.connect(self.inspect_selected)
        self.diff_button = self._button("historyDiff", "&Compare two", row)
        self.diff_button.setToolTip("Select two sets: their claims compared")
        self.diff_button.clicked.connect(self.diff_selected)
        self.clear_button = self._button("historyClear", "C&lear", row)
        self.clear_button.setToolTip("Remove the selected sets (from the keyring too)")
        self.clear_button.clicked.connect(self.clear_selected)
        self.clear_all_button = self._button("historyClearAll", "Clear &all", row)
        self.clear_all_button.setToolTip("Remove every set (from the keyring too)")
        self.clear_all_button.clicked.connect(self.clear_all)
        layout.addLayout(row)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, body)
        self.splitter.setObjectName("historySplitter")
        self.splitter.setChildrenCollapsible(False)
        self.table = QTableWidget(0, len(COLUMNS), self.splitter)
        self.table.setObjectName("historyTable")
        self.table.setAccessibleName("Token sets obtained")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self.inspect_selected())
        self.diff_view = QPlainTextEdit(self.splitter)
        self.diff_view.setObjectName("historyDiffView")
        self.diff_view.setAccessibleName("Claim diff")
        self.diff_view.setReadOnly(True)
        self.diff_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.diff_view.setPlaceholderText("Select two sets and press Compare two.")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.diff_view)
        for index, stretch in enumerate(metrics.LOG_SPLITTER_STRETCH):
            self.splitter.setStretchFactor(index, stretch)
        layout.addWidget(self.splitter, 1)
        self.setWidget(body)

        state.sig_history_changed.connect(self.reload)

    def showEvent(self, event: QShowEvent) -> None:
        """Shown (View ▸ Token history): read the history, in front of the exchange log."""
        super().showEvent(event)
        self._fill()
        self.raise_()

    def _button(self, name: str, text: str, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", ""))
        row.addWidget(button)
        return button

    # -- the list -------------------------------------------------------------------------------
    def reload(self) -> None:
        """Fill the list from the history (read from the keyring the first time)."""
        if self.isVisible():  # else read when the dock is shown
            self._fill()

    def _fill(self) -> None:
        history = self.state.history
        entries = history.entries()
        notes = [history.where(), *history.notes]
        self.where_label.setText(" ".join(printable(n) for n in notes))
        selected = set(self.selected_ids())
        now = time.time()
        self.table.setRowCount(0)
        for entry in reversed(entries):
            self._add_row(entry, now, entry.id in selected)
        self._update_buttons()

    def _add_row(self, entry: HistoryEntry, now: float, selected: bool) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        status = entry.status_at(now)
        if self.state.history.is_session_only(entry.id) and self.state.history.persistent:
            status += " (this session only)"
        values = (
            entry.provider or entry.issuer or "—",
            entry.flow,
            entry.user or "—",
            when(entry.obtained_at),
            when(entry.expires_at),
            status,
            entry.preview(),
        )
        for column, value in enumerate(values):
            item = QTableWidgetItem(printable(value))
            item.setData(ID_ROLE, entry.id)
            if column == 2:
                item.setToolTip(printable(entry.issuer))
            self.table.setItem(row, column, item)
        if selected:
            self.table.selectRow(row)

    def selected_ids(self) -> list[str]:
        """The selected sets' ids, oldest first."""
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        items = [self.table.item(r, 0) for r in rows]
        return [str(item.data(ID_ROLE)) for item in items if item is not None]

    def _selected_entries(self) -> list[HistoryEntry]:
        found = (self.state.history.get(i) for i in self.selected_ids())
        return [e for e in found if e is not None]

    def _update_buttons(self) -> None:
        count = len(self.selected_ids())
        self.inspect_button.setEnabled(count == 1)
        self.diff_button.setEnabled(count == 2)
        self.clear_button.setEnabled(count >= 1)
        self.clear_all_button.setEnabled(self.table.rowCount() > 0)

    # -- actions --------------------------------------------------------------------------------
    def compare_newest(self) -> None:
        """Select the two newest sets and compare them (the screenshot's view)."""
        self._fill()
        self.table.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in range(min(2, self.table.rowCount())):
            self.table.selectionModel().select(self.table.model().index(row, 0), flags)
        self.diff_selected()

    def inspect_selected(self) -> None:
        entries = self._selected_entries()
        if len(entries) != 1:
            return
        entry = entries[0]
        _role, token = entry.tokens()[0]
        self.sig_inspect.emit(token, printable(f"History: {entry.flow} {when(entry.obtained_at)}"))

    def diff_selected(self) -> None:
        entries = self._selected_entries()
        if len(entries) != 2:
            return
        before, after = sorted(entries, key=lambda e: e.obtained_at)
        title = f"{before.flow} {when(before.obtained_at)} → {after.flow} {when(after.obtained_at)}"
        self.diff_view.setPlainText("\n".join([printable(title), *diff_lines(before, after)]))

    def clear_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or not self._confirm(f"Remove {len(ids)} token set(s) from the history?"):
            return
        for entry_id in ids:
            self.state.history.remove(entry_id)
        self.diff_view.clear()

    def clear_all(self) -> None:
        if not self._confirm("Remove every token set from the history?"):
            return
        self.state.history.clear()
        self.diff_view.clear()

    def _confirm(self, question: str) -> bool:
        where = " They are removed from the keyring too." if self.state.history.persistent else ""
        answer = QMessageBox.question(self, "Token history", question + where)
        return answer == QMessageBox.StandardButton.Yes
