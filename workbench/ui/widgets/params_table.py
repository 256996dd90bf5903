"""An editable name/value table for extra request parameters."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.ui import metrics


class ParamsTable(QWidget):
    """Rows of (name, value); empty names are ignored."""

    sig_changed = Signal()
    """A cell, a row added or a row removed."""

    def __init__(
        self,
        object_name: str = "extraParams",
        parent: QWidget | None = None,
        *,
        name_column: str = "Parameter",
        accessible_name: str = "Extra parameters",
        max_rows: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._table = QTableWidget(0, 2, self)
        self._table.setObjectName(f"{object_name}Table")
        self._table.setAccessibleName(accessible_name)
        self._table.setHorizontalHeaderLabels([name_column, "Value"])
        self._table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self._table.verticalHeader().hide()
        self._table.horizontalHeader().setObjectName(f"{object_name}Header")
        self._table.verticalHeader().setObjectName(f"{object_name}RowHeader")
        # Room for a few rows; more scroll. An empty table should not dominate the tab, nor
        # shrink to a single row in a tight layout.
        self._table.setMaximumHeight(
            max(metrics.line_height(self, metrics.PARAMS_TABLE_LINES), self._rows_height(4))
        )
        self._table.setMinimumHeight(self._rows_height(metrics.PARAMS_TABLE_MIN_ROWS))
        if max_rows is not None:  # a compact table (rows beyond it scroll)
            self._table.setMaximumHeight(self._rows_height(max_rows))
        self._table.itemChanged.connect(lambda _item: self.sig_changed.emit())
        add = QPushButton("Add", self)
        add.setObjectName(f"{object_name}Add")
        add.setAccessibleName(f"Add {name_column.lower()}")
        add.clicked.connect(lambda: self.add_row())
        remove = QPushButton("Remove", self)
        remove.setObjectName(f"{object_name}Remove")
        remove.setAccessibleName(f"Remove selected {name_column.lower()}")
        remove.clicked.connect(self._remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        # Never taller than the capped table and its buttons: no gap opens between them.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._table)
        layout.addLayout(buttons)

    def _rows_height(self, rows: int) -> int:
        """Height of the table showing its header and ``rows`` rows."""
        header = self._table.horizontalHeader().sizeHint().height()
        row = self._table.verticalHeader().defaultSectionSize()
        return header + rows * row + 2 * self._table.frameWidth()

    def visible_rows(self) -> float:
        """How many rows the table has room for at its current height."""
        inner = self._table.viewport().height()
        return inner / self._table.verticalHeader().defaultSectionSize()

    def commit_pending(self) -> None:
        """Commit a cell still being edited (typed, not yet confirmed with Return or Tab)."""
        if self._table.state() != QAbstractItemView.State.EditingState:
            return
        editor = self._table.indexWidget(self._table.currentIndex())
        if editor is not None:
            self._table.commitData(editor)
            self._table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def add_row(self, name: str = "", value: str = "") -> None:
        row = self._table.rowCount()
        self._table.insertRow(row)
        self._table.setItem(row, 0, QTableWidgetItem(name))
        self._table.setItem(row, 1, QTableWidgetItem(value))
        self.sig_changed.emit()

    def _remove_selected(self) -> None:
        rows = sorted({i.row() for i in self._table.selectedIndexes()}, reverse=True)
        for row in rows:
            self._table.removeRow(row)
        self.sig_changed.emit()

    def params(self) -> dict[str, str]:
        """The rows as shown, a cell still being edited included."""
        self.commit_pending()
        out: dict[str, str] = {}
        for row in range(self._table.rowCount()):
            name_item, value_item = self._table.item(row, 0), self._table.item(row, 1)
            name = name_item.text().strip() if name_item else ""
            if name:
                out[name] = value_item.text() if value_item else ""
        return out

    def set_params(self, params: dict[str, str]) -> None:
        self._table.setRowCount(0)
        for name, value in params.items():
            self.add_row(name, value)
