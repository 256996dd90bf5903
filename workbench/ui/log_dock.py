"""The exchange log dock: every request and response of every flow, as it happens.

A filterable table (one row per :class:`~workbench.core.transport.exchange.Exchange`, newest at the
bottom, following new rows unless the user scrolled up) beside a read-only detail pane showing the
selected exchange's request, response or error. Everything shown is masked by the core;
"Copy as curl" copies a runnable command whose secrets are environment-variable references.
What servers sent is shown through :func:`~workbench.core.display.printable` (see
:mod:`workbench.ui.models.exchange_model`); Export writes a file only its owner can read.

The dock composes the parts in :mod:`workbench.ui.log`: the list (filter, count, table), the
detail pane and the commands; it feeds them the application's log and provider.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QSplitter, QVBoxLayout, QWidget

from workbench.core.model import Provider
from workbench.core.transport.exchange import Exchange
from workbench.ui import metrics
from workbench.ui.dialogs.exchange_window import ExchangeWindow
from workbench.ui.log.actions import ExchangeActions
from workbench.ui.log.detail import ExchangeDetailPane
from workbench.ui.log.table import ExchangeList
from workbench.ui.models.exchange_model import (
    ExchangeFilterProxyModel,
    ExchangeTableModel,
    provider_hosts,
)
from workbench.ui.state import AppState


class ExchangeLogDock(QDockWidget):
    """Lists every Exchange recorded in ``state.log``; detail, copy as curl, export."""

    sig_exchange_selected = Signal(object)
    """The selected Exchange, or None when nothing is selected."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__("Exchange log", parent)
        self.state = state
        self.setObjectName("exchangeLogDock")
        self.setAccessibleName("Exchange log")

        self.model = ExchangeTableModel(self)
        self.model.set_palette(self.palette())
        self.proxy = ExchangeFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)

        self.commands = ExchangeActions(self, self.model, self.selected_exchange, state.log)
        self.exchange_list = ExchangeList(self.model, self.proxy, self.commands, self)
        body = QWidget(self)
        body.setObjectName("exchangeLogBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(metrics.SPACING, metrics.SPACING, metrics.SPACING, 0)
        layout.setSpacing(metrics.SPACING)
        layout.addLayout(self.exchange_list.build_toolbar(body))
        self.splitter = QSplitter(Qt.Orientation.Horizontal, body)
        self.splitter.setObjectName("exchangeLogSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.exchange_list.build_table(self.splitter))
        self.detail_pane = ExchangeDetailPane(self.splitter)
        self.splitter.addWidget(self.detail_pane)
        for index, stretch in enumerate(metrics.LOG_SPLITTER_STRETCH):
            self.splitter.setStretchFactor(index, stretch)
        layout.addWidget(self.splitter, 1)
        self.setWidget(body)

        # The parts' widgets and actions, by the names the dock has always offered.
        self.table = self.exchange_list.table
        self.filter_edit = self.exchange_list.filter_edit
        self.count_label = self.exchange_list.count_label
        self.detail_title = self.detail_pane.title
        self.detail = self.detail_pane.detail
        self.open_action = self.commands.open_action
        self.copy_curl_action = self.commands.copy_curl_action
        self.copy_body_action = self.commands.copy_body_action
        self.export_action = self.commands.export_action
        self.clear_action = self.commands.clear_action
        self.find_action = self.commands.find_action

        self.clear_action.triggered.connect(self.clear)
        self.exchange_list.sig_selection_changed.connect(self._on_selection_changed)
        self.model.rowsInserted.connect(self._on_rows_inserted)
        self.model.modelReset.connect(self._on_model_reset)
        self.dockLocationChanged.connect(self._on_location_changed)
        state.sig_exchange.connect(self._on_exchange)
        state.sig_provider_changed.connect(self._on_provider_changed)
        if state.provider is not None:
            self._on_provider_changed(state.provider)
        self.model.extend(state.log.items())
        self._on_model_reset()

    # -- public API -------------------------------------------------------------------------
    @property
    def window_view(self) -> ExchangeWindow | None:
        """The window "Open in a window" shows exchanges in, once opened."""
        return self.commands.window_view

    def selected_exchange(self) -> Exchange | None:
        """The exchange shown in the detail pane, if any."""
        return self.exchange_list.selected_exchange()

    def select_exchange(self, exchange_id: int) -> bool:
        """Select the exchange ``exchange_id`` in the table (see
        :meth:`ExchangeList.select_exchange`)."""
        return self.exchange_list.select_exchange(exchange_id)

    def show_exchange(self, exchange_id: int) -> bool:
        """Bring the dock forward with the exchange ``exchange_id`` selected."""
        self.show()
        self.raise_()
        return self.select_exchange(exchange_id)

    def detail_text(self) -> str:
        """Everything the detail pane shows (title and body) as plain text."""
        return self.detail_pane.text()

    def open_selected(self) -> ExchangeWindow | None:
        """Show the selected exchange in its own window (one window, reused)."""
        return self.commands.open_selected()

    def copy_curl(self) -> bool:
        """Put the selected exchange's curl command on the clipboard."""
        return self.commands.copy_curl()

    def copy_response_body(self) -> bool:
        """Put the selected exchange's (masked) response body on the clipboard."""
        return self.commands.copy_response_body()

    def clear(self) -> None:
        """Forget every exchange (the application's log and this table)."""
        self.state.log.clear()
        self.model.clear()
        self.exchange_list.follow_newest()

    def export_to(self, path: str | Path) -> int:
        """Write every exchange to ``path`` as JSON, mode 0600 (see
        :meth:`ExchangeActions.export_to`)."""
        return self.commands.export_to(path)

    def export(self) -> None:
        """Ask where to save, then :meth:`export_to`."""
        self.commands.export()

    # -- slots ------------------------------------------------------------------------------
    def _on_exchange(self, exchange: Exchange) -> None:
        self.model.append(exchange)

    def _on_provider_changed(self, provider: Provider | None) -> None:
        # None: the active profile was deleted and no provider is chosen; every host is foreign.
        hosts = provider_hosts(provider.issuer, provider.endpoints) if provider else frozenset()
        self.model.set_home_hosts(hosts)

    def _on_rows_inserted(self, *_args: object) -> None:
        # Runs once per exchange: touch only what changed (thousands of rows stay cheap).
        if not self.commands.log_enabled():
            self.commands.set_log_enabled(True)
        if not self.exchange_list.notice_shown():
            self.exchange_list.update_count()

    def _on_model_reset(self) -> None:
        self.commands.set_log_enabled(self.model.rowCount() > 0)
        self.exchange_list.update_count()
        self._show_detail(self.selected_exchange())

    def _on_selection_changed(self, exchange: Exchange | None) -> None:
        self._show_detail(exchange)
        self.sig_exchange_selected.emit(exchange)

    def _on_location_changed(self, area: Qt.DockWidgetArea) -> None:
        side = area in (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitter.setOrientation(Qt.Orientation.Vertical if side else Qt.Orientation.Horizontal)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "detail_pane"):
            self.model.set_palette(self.palette())
            self._show_detail(self.selected_exchange())
        super().changeEvent(event)

    def _show_detail(self, exchange: Exchange | None) -> None:
        self.commands.set_selection(exchange)
        self.detail_pane.show_exchange(exchange, self.palette())
