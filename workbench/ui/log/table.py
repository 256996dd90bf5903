"""The exchange log's list: a filter, a count and the table of exchanges.

One row per :class:`~workbench.core.transport.exchange.Exchange`, newest at the bottom; the table
follows new rows unless the user scrolled up. The filter keeps the rows matching every word
typed; the count says how many are shown, or for a moment what a command just did.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QWidget,
)

from workbench.core.transport.exchange import Exchange
from workbench.ui import metrics
from workbench.ui.log.actions import ExchangeActions
from workbench.ui.models.exchange_model import (
    EXCHANGE_ROLE,
    ExchangeFilterProxyModel,
    ExchangeTableModel,
)

# The columns sized by metrics.LOG_COLUMN_CHARS, by the name it uses.
LOG_COLUMNS = {
    "id": ExchangeTableModel.COL_ID,
    "time": ExchangeTableModel.COL_TIME,
    "purpose": ExchangeTableModel.COL_PURPOSE,
    "method": ExchangeTableModel.COL_METHOD,
    "status": ExchangeTableModel.COL_STATUS,
    "duration": ExchangeTableModel.COL_DURATION,
}
LOG_NOTICE_MS = 2500  # how long a "copied" notice stays


class ExchangeList(QObject):
    """The filter line, the count label and the table over ``model`` (through ``proxy``);
    ``actions`` fill the toolbar and the context menu, Open runs on double-click and Return."""

    sig_selection_changed = Signal(object)
    """The selected Exchange, or None when nothing is selected."""

    def __init__(
        self,
        model: ExchangeTableModel,
        proxy: ExchangeFilterProxyModel,
        actions: ExchangeActions,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = proxy
        self.actions = actions
        self._follow = True
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(LOG_NOTICE_MS)
        self._notice_timer.timeout.connect(self.update_count)
        actions.find_action.triggered.connect(self.focus_filter)
        actions.sig_notice.connect(self.notice)

    # -- construction -----------------------------------------------------------------------
    def build_toolbar(self, parent: QWidget) -> QHBoxLayout:
        """The filter, the count and a button per command, in a row."""
        self.filter_edit = QLineEdit(parent)
        self.filter_edit.setObjectName("exchangeLogFilter")
        self.filter_edit.setAccessibleName("Filter exchanges")
        self.filter_edit.setPlaceholderText("Filter: purpose, URL, status (e.g. token 4xx)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip(
            "Show only exchanges whose purpose, method, URL, status or error contain every "
            f"word typed ({self.actions.find_action.shortcut().toString()}; Esc clears)"
        )
        self.filter_edit.setMinimumWidth(
            metrics.text_width(self.filter_edit, metrics.LOG_FILTER_MIN_CHARS)
        )
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.filter_edit)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self.filter_edit.clear)

        self.count_label = QLabel(parent)
        self.count_label.setObjectName("exchangeLogCount")
        self.count_label.setAccessibleName("Exchange count")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

        row = QHBoxLayout()
        row.setSpacing(metrics.SPACING)
        row.addWidget(self.filter_edit, 2)
        row.addWidget(self.count_label, 1)
        actions = self.actions
        for action in (
            actions.open_action,
            actions.copy_curl_action,
            actions.copy_body_action,
            actions.export_action,
            actions.clear_action,
        ):
            row.addWidget(_tool_button(action, parent))
        return row

    def build_table(self, parent: QWidget) -> QTableView:
        """The table of exchanges, its columns sized by ``metrics.LOG_COLUMN_CHARS``."""
        table = QTableView(parent)
        table.setObjectName("exchangeLogTable")
        table.setAccessibleName("Exchanges")
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.setTabKeyNavigation(False)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(metrics.line_height(table, metrics.LOG_ROW_LINES))
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        for name, chars in metrics.LOG_COLUMN_CHARS.items():
            column = LOG_COLUMNS[name]
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.text_width(table, chars))
        header.setSectionResizeMode(ExchangeTableModel.COL_URL, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(metrics.text_width(table, metrics.LOG_COLUMN_MIN_CHARS))
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        separator = QAction(table)
        separator.setSeparator(True)
        actions = self.actions
        table.addActions(
            [
                actions.open_action,
                actions.copy_curl_action,
                actions.copy_body_action,
                separator,
                actions.export_action,
                actions.clear_action,
            ]
        )
        table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        table.activated.connect(lambda _index: actions.open_selected())  # double-click, Return
        bar = table.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_scroll_range)
        self.table = table
        return table

    # -- state ------------------------------------------------------------------------------
    def selected_exchange(self) -> Exchange | None:
        """The selected exchange, if any."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        exchange = rows[0].data(EXCHANGE_ROLE)
        return exchange if isinstance(exchange, Exchange) else None

    def select_exchange(self, exchange_id: int) -> bool:
        """Select the exchange ``exchange_id`` (clearing a filter that hides it); False when
        the log no longer holds it."""
        for row in range(self.model.rowCount()):
            source = self.model.index(row, 0)
            exchange = source.data(EXCHANGE_ROLE)
            if isinstance(exchange, Exchange) and exchange.id == exchange_id:
                if not self.proxy.mapFromSource(source).isValid():
                    self.filter_edit.clear()
                index = self.proxy.mapFromSource(source)
                self.table.selectRow(index.row())
                self.table.scrollTo(index)
                return True
        return False

    def follow_newest(self) -> None:
        """Follow new rows again (after the log was cleared)."""
        self._follow = True

    def update_count(self) -> None:
        """Say how many exchanges there are, and how many the filter shows."""
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        noun = "exchange" if total == 1 else "exchanges"
        if self.proxy.filter_text().strip():
            self.count_label.setText(f"{shown} of {total} {noun} shown")
        else:
            self.count_label.setText(f"{total} {noun}")

    def notice(self, text: str) -> None:
        """Show ``text`` in place of the count for a moment."""
        self.count_label.setText(text)
        self._notice_timer.start()

    def notice_shown(self) -> bool:
        return self._notice_timer.isActive()

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    # -- slots ------------------------------------------------------------------------------
    def _on_filter_changed(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self.update_count()

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.sig_selection_changed.emit(self.selected_exchange())

    def _on_scrolled(self, value: int) -> None:
        # Following the newest row stops when the user scrolls up, resumes at the bottom.
        self._follow = value >= self.table.verticalScrollBar().maximum()

    def _on_scroll_range(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self.table.verticalScrollBar().setValue(maximum)


def _tool_button(action: QAction, parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setObjectName(action.objectName() + "Button")
    button.setAccessibleName(action.text().rstrip("…"))
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button
