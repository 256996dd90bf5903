"""The exchange log dock: every request and response of every flow, as it happens.

A filterable table (one row per :class:`~workbench.core.transport.exchange.Exchange`, newest at the
bottom, following new rows unless the user scrolled up) beside a read-only detail pane showing the
selected exchange's request, response or error. Everything shown is masked by the core;
"Copy as curl" copies a runnable command whose secrets are environment-variable references.
What servers sent is shown through :func:`~workbench.core.display.printable` (see
:mod:`workbench.ui.models.exchange_model`); Export writes a file only its owner can read.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QFontDatabase,
    QGuiApplication,
    QKeySequence,
    QPalette,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.display import printable
from workbench.core.model import Provider
from workbench.core.transport.exchange import Exchange
from workbench.ui import metrics
from workbench.ui.dialogs.exchange_window import ExchangeWindow
from workbench.ui.files import write_private_text
from workbench.ui.models.exchange_model import (
    EXCHANGE_ROLE,
    ExchangeFilterProxyModel,
    ExchangeTableModel,
    format_duration,
    format_exchange,
    provider_hosts,
    status_class,
    status_text,
)
from workbench.ui.state import AppState
from workbench.ui.theme import repolish, status_colour

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

PLACEHOLDER = (
    "Select an exchange to see its request and response (secrets masked); double-click it"
    " to open it in a window of its own."
)


class ExchangeLogDock(QDockWidget):
    """Lists every Exchange recorded in ``state.log``; detail, copy as curl, export."""

    sig_exchange_selected = Signal(object)
    """The selected Exchange, or None when nothing is selected."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__("Exchange log", parent)
        self.state = state
        self.setObjectName("exchangeLogDock")
        self.setAccessibleName("Exchange log")

        self.window_view: ExchangeWindow | None = None  # Open in a window
        self.model = ExchangeTableModel(self)
        self.model.set_palette(self.palette())
        self.proxy = ExchangeFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self._follow = True

        self._build_actions()
        body = QWidget(self)
        body.setObjectName("exchangeLogBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(metrics.SPACING, metrics.SPACING, metrics.SPACING, 0)
        layout.setSpacing(metrics.SPACING)
        layout.addLayout(self._build_toolbar(body))
        self.splitter = QSplitter(Qt.Orientation.Horizontal, body)
        self.splitter.setObjectName("exchangeLogSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._build_table(self.splitter))
        self.splitter.addWidget(self._build_detail(self.splitter))
        for index, stretch in enumerate(metrics.LOG_SPLITTER_STRETCH):
            self.splitter.setStretchFactor(index, stretch)
        layout.addWidget(self.splitter, 1)
        self.setWidget(body)

        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(LOG_NOTICE_MS)
        self._notice_timer.timeout.connect(self._update_count)

        self.model.rowsInserted.connect(self._on_rows_inserted)
        self.model.modelReset.connect(self._on_model_reset)
        self.dockLocationChanged.connect(self._on_location_changed)
        state.sig_exchange.connect(self._on_exchange)
        state.sig_provider_changed.connect(self._on_provider_changed)
        if state.provider is not None:
            self._on_provider_changed(state.provider)
        self.model.extend(state.log.items())
        self._on_model_reset()

    # -- construction -----------------------------------------------------------------------
    def _action(self, name: str, text: str, tip: str, shortcut: QKeySequence | None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            tip = f"{tip} ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.copy_curl_action = self._action(
            "exchangeLogCopyCurl",
            "Copy as curl",
            "Copy the selected request as a runnable curl command; secrets become "
            "environment variables such as ${CLIENT_SECRET}",
            QKeySequence("Ctrl+Shift+C"),
        )
        self.copy_curl_action.triggered.connect(self.copy_curl)
        self.copy_body_action = self._action(
            "exchangeLogCopyBody",
            "Copy response body",
            "Copy the selected exchange's response body (as shown: masked)",
            None,
        )
        self.copy_body_action.triggered.connect(self.copy_response_body)
        self.export_action = self._action(
            "exchangeLogExport",
            "Export…",
            "Save every exchange as a JSON file (secrets stay masked)",
            None,
        )
        self.export_action.triggered.connect(self.export)
        self.clear_action = self._action(
            "exchangeLogClear", "Clear", "Remove every exchange from the log", None
        )
        self.clear_action.triggered.connect(self.clear)
        self.open_action = self._action(
            "exchangeLogOpen",
            "Open in a window",
            "Show the selected exchange in a window of its own, at full height (double-click,"
            " Return)",
            None,
        )
        self.open_action.triggered.connect(self.open_selected)
        self.find_action = self._action(
            "exchangeLogFind", "Filter", "Filter the exchanges", QKeySequence("Ctrl+F")
        )
        self.find_action.triggered.connect(self._on_find)

    def _tool_button(self, action: QAction, parent: QWidget) -> QToolButton:
        button = QToolButton(parent)
        button.setObjectName(action.objectName() + "Button")
        button.setAccessibleName(action.text().rstrip("…"))
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return button

    def _build_toolbar(self, parent: QWidget) -> QHBoxLayout:
        self.filter_edit = QLineEdit(parent)
        self.filter_edit.setObjectName("exchangeLogFilter")
        self.filter_edit.setAccessibleName("Filter exchanges")
        self.filter_edit.setPlaceholderText("Filter: purpose, URL, status (e.g. token 4xx)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip(
            "Show only exchanges whose purpose, method, URL, status or error contain every "
            f"word typed ({self.find_action.shortcut().toString()}; Esc clears)"
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
        for action in (
            self.open_action,
            self.copy_curl_action,
            self.copy_body_action,
            self.export_action,
            self.clear_action,
        ):
            row.addWidget(self._tool_button(action, parent))
        return row

    def _build_table(self, parent: QWidget) -> QTableView:
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
        table.addActions(
            [
                self.open_action,
                self.copy_curl_action,
                self.copy_body_action,
                separator,
                self.export_action,
                self.clear_action,
            ]
        )
        table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        table.activated.connect(lambda _index: self.open_selected())  # double-click, Return
        bar = table.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_scroll_range)
        self.table = table
        return table

    def _build_detail(self, parent: QWidget) -> QWidget:
        pane = QWidget(parent)
        pane.setObjectName("exchangeLogDetailPane")
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(metrics.SPACING // 2)
        self.detail_title = QLabel(pane)
        self.detail_title.setObjectName("exchangeLogDetailTitle")
        self.detail_title.setAccessibleName("Selected exchange")
        self.detail_title.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title_font = self.detail_title.font()
        title_font.setBold(True)
        self.detail_title.setFont(title_font)
        self.detail = QPlainTextEdit(pane)
        self.detail.setObjectName("exchangeLogDetail")
        self.detail.setAccessibleName("Exchange detail")
        self.detail.setReadOnly(True)
        self.detail.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.detail.setPlaceholderText(PLACEHOLDER)
        self.detail.setMinimumWidth(metrics.text_width(self.detail, metrics.LOG_DETAIL_MIN_CHARS))
        layout.addWidget(self.detail_title)
        layout.addWidget(self.detail, 1)
        return pane

    # -- public API -------------------------------------------------------------------------
    def selected_exchange(self) -> Exchange | None:
        """The exchange shown in the detail pane, if any."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        exchange = rows[0].data(EXCHANGE_ROLE)
        return exchange if isinstance(exchange, Exchange) else None

    def detail_text(self) -> str:
        """Everything the detail pane shows (title and body) as plain text."""
        return f"{self.detail_title.text()}\n{self.detail.toPlainText()}"

    def open_selected(self) -> ExchangeWindow | None:
        """Show the selected exchange in its own window (one window, reused)."""
        exchange = self.selected_exchange()
        if exchange is None:
            return None
        if self.window_view is None:
            self.window_view = ExchangeWindow(self.window())
        self.window_view.show_exchange(exchange)
        return self.window_view

    def copy_curl(self) -> bool:
        """Put the selected exchange's curl command on the clipboard."""
        exchange = self.selected_exchange()
        if exchange is None:
            return False
        QGuiApplication.clipboard().setText(exchange.curl)
        self._notice(f"Copied curl for #{exchange.id}; set ${{CLIENT_SECRET}} etc. first")
        return True

    def copy_response_body(self) -> bool:
        """Put the selected exchange's (masked) response body on the clipboard."""
        exchange = self.selected_exchange()
        if exchange is None or exchange.status is None:
            return False
        QGuiApplication.clipboard().setText(exchange.response_body)
        self._notice(f"Copied the response body of #{exchange.id}")
        return True

    def clear(self) -> None:
        """Forget every exchange (the application's log and this table)."""
        self.state.log.clear()
        self.model.clear()
        self._follow = True

    def export_to(self, path: str | Path) -> int:
        """Write every exchange (masked, as Exchange.to_dict()) to ``path`` as JSON, mode 0600.

        Masked is not harmless (token prefixes, user names, codes): like the profile file, the
        export is readable by its owner only.
        """
        exchanges = self.model.exchanges()
        document = {
            "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "exchanges": [exchange.to_dict() for exchange in exchanges],
        }
        text = json.dumps(document, indent=2, ensure_ascii=False)
        write_private_text(path, text + "\n")
        noun = "exchange" if len(exchanges) == 1 else "exchanges"
        self._notice(printable(f"Exported {len(exchanges)} {noun} to {Path(path).name}"))
        return len(exchanges)

    def export(self) -> None:
        """Ask where to save, then :meth:`export_to`."""
        default = time.strftime("exchanges-%Y%m%d-%H%M%S.json")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export exchange log", str(Path.home() / default), "JSON files (*.json)"
        )
        if not path:
            return
        try:
            self.export_to(path)
        except OSError as exc:
            QMessageBox.warning(
                self,
                "Export failed",
                printable(f"Could not write {path}: {exc.strerror or exc}"),
            )

    # -- slots ------------------------------------------------------------------------------
    def _on_exchange(self, exchange: Exchange) -> None:
        self.model.append(exchange)

    def _on_provider_changed(self, provider: Provider | None) -> None:
        # None: the active profile was deleted and no provider is chosen; every host is foreign.
        hosts = provider_hosts(provider.issuer, provider.endpoints) if provider else frozenset()
        self.model.set_home_hosts(hosts)

    def _on_filter_changed(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._update_count()

    def _on_find(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _on_rows_inserted(self, *_args: object) -> None:
        # Runs once per exchange: touch only what changed (thousands of rows stay cheap).
        if not self.clear_action.isEnabled():
            self._enable_log_actions(True)
        if not self._notice_timer.isActive():
            self._update_count()

    def _on_model_reset(self) -> None:
        self._enable_log_actions(self.model.rowCount() > 0)
        self._update_count()
        self._show_detail(self.selected_exchange())

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        exchange = self.selected_exchange()
        self._show_detail(exchange)
        self.sig_exchange_selected.emit(exchange)

    def _on_scrolled(self, value: int) -> None:
        # Following the newest row stops when the user scrolls up, resumes at the bottom.
        self._follow = value >= self.table.verticalScrollBar().maximum()

    def _on_scroll_range(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self.table.verticalScrollBar().setValue(maximum)

    def _on_location_changed(self, area: Qt.DockWidgetArea) -> None:
        side = area in (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitter.setOrientation(Qt.Orientation.Vertical if side else Qt.Orientation.Horizontal)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "detail"):
            self.model.set_palette(self.palette())
            self._show_detail(self.selected_exchange())
        super().changeEvent(event)

    # -- helpers ----------------------------------------------------------------------------
    def _show_detail(self, exchange: Exchange | None) -> None:
        self.open_action.setEnabled(exchange is not None)
        self.copy_curl_action.setEnabled(exchange is not None)
        self.copy_body_action.setEnabled(exchange is not None and exchange.status is not None)
        if exchange is None:
            self.detail_title.setText("No exchange selected")
            self._set_status_class("")
            self.detail.setPlainText("")
            return
        kind = status_class(exchange)
        self.detail_title.setText(
            printable(
                f"#{exchange.id} {exchange.purpose or 'request'} — {exchange.method} "
                f"— {status_text(exchange)} — {format_duration(exchange.duration_ms)}"
            )
        )
        self._set_status_class(kind)
        self.detail.setPlainText(format_exchange(exchange))

    def _set_status_class(self, kind: str) -> None:
        """Colour the detail title by status class: palette-derived, QSS may override."""
        label = self.detail_title
        label.setProperty("statusClass", kind)
        palette = QPalette()  # nothing resolved: inherits the dock's palette
        colour = status_colour(kind, self.palette())
        if colour is not None:
            palette.setColor(QPalette.ColorRole.WindowText, colour)
        label.setPalette(palette)
        repolish(label)

    def _enable_log_actions(self, enabled: bool) -> None:
        self.export_action.setEnabled(enabled)
        self.clear_action.setEnabled(enabled)

    def _update_count(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        noun = "exchange" if total == 1 else "exchanges"
        if self.proxy.filter_text().strip():
            self.count_label.setText(f"{shown} of {total} {noun} shown")
        else:
            self.count_label.setText(f"{total} {noun}")

    def _notice(self, text: str) -> None:
        self.count_label.setText(text)
        self._notice_timer.start()
