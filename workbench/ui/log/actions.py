"""The exchange log's commands: open in a window, copy as curl, copy the body, export, clear.

Each is a :class:`QAction` of the dock (its shortcut works wherever the focus is inside the
dock), shown on the toolbar and in the table's context menu. "Copy as curl" copies a runnable
command whose secrets are environment-variable references; Export writes a file only its owner
can read. What a command reports ("Copied curl for #3…") goes out as :attr:`sig_notice`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from workbench.core.display import printable
from workbench.core.private_files import write_private_text
from workbench.core.report.logfile import log_document
from workbench.core.transport.exchange import Exchange, ExchangeLog
from workbench.ui.dialogs.exchange_window import ExchangeWindow
from workbench.ui.models.exchange_model import ExchangeTableModel


class ExchangeActions(QObject):
    """The actions on the selected exchange and on the whole log, added to ``host``.

    ``selected`` gives the selected exchange; ``model`` holds every exchange (what Export
    writes). Clear and Filter are only actions here: the dock decides what they do.
    """

    sig_notice = Signal(str)
    """A short report of what a command did, for the count label."""

    def __init__(
        self,
        host: QWidget,
        model: ExchangeTableModel,
        selected: Callable[[], Exchange | None],
        log: ExchangeLog | None = None,
    ) -> None:
        super().__init__(host)
        self._host = host
        self._model = model
        self._selected = selected
        self._log = log  # its flows and steps go into the export with the exchanges
        self.window_view: ExchangeWindow | None = None  # Open in a window
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

    def _action(self, name: str, text: str, tip: str, shortcut: QKeySequence | None) -> QAction:
        action = QAction(text, self._host)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            tip = f"{tip} ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        self._host.addAction(action)
        return action

    # -- state ------------------------------------------------------------------------------
    def set_selection(self, exchange: Exchange | None) -> None:
        """Enable what applies to ``exchange`` (the body only when a response came)."""
        self.open_action.setEnabled(exchange is not None)
        self.copy_curl_action.setEnabled(exchange is not None)
        self.copy_body_action.setEnabled(exchange is not None and exchange.status is not None)

    def set_log_enabled(self, enabled: bool) -> None:
        """Enable what needs at least one exchange in the log."""
        self.export_action.setEnabled(enabled)
        self.clear_action.setEnabled(enabled)

    def log_enabled(self) -> bool:
        return self.clear_action.isEnabled()

    # -- commands ---------------------------------------------------------------------------
    def open_selected(self) -> ExchangeWindow | None:
        """Show the selected exchange in its own window (one window, reused)."""
        exchange = self._selected()
        if exchange is None:
            return None
        if self.window_view is None:
            self.window_view = ExchangeWindow(self._host.window())
        self.window_view.show_exchange(exchange)
        return self.window_view

    def copy_curl(self) -> bool:
        """Put the selected exchange's curl command on the clipboard."""
        exchange = self._selected()
        if exchange is None:
            return False
        QGuiApplication.clipboard().setText(exchange.curl)
        self.sig_notice.emit(f"Copied curl for #{exchange.id}; set ${{CLIENT_SECRET}} etc. first")
        return True

    def copy_response_body(self) -> bool:
        """Put the selected exchange's (masked) response body on the clipboard."""
        exchange = self._selected()
        if exchange is None or exchange.status is None:
            return False
        QGuiApplication.clipboard().setText(exchange.response_body)
        self.sig_notice.emit(f"Copied the response body of #{exchange.id}")
        return True

    def export_to(self, path: str | Path) -> int:
        """Write every exchange (masked, as Exchange.to_dict()) and the log's flows and steps
        to ``path`` as JSON, mode 0600.

        Masked is not harmless (token prefixes, user names, codes): like the profile file, the
        export is readable by its owner only.
        """
        exchanges = self._model.exchanges()
        flows = self._log.flows() if self._log is not None else []
        steps = self._log.steps() if self._log is not None else []
        document = log_document(exchanges, flows, steps)
        text = json.dumps(document, indent=2, ensure_ascii=False)
        write_private_text(path, text + "\n")
        noun = "exchange" if len(exchanges) == 1 else "exchanges"
        self.sig_notice.emit(printable(f"Exported {len(exchanges)} {noun} to {Path(path).name}"))
        return len(exchanges)

    def export(self) -> None:
        """Ask where to save, then :meth:`export_to`."""
        default = time.strftime("exchanges-%Y%m%d-%H%M%S.json")
        path, _ = QFileDialog.getSaveFileName(
            self._host, "Export exchange log", str(Path.home() / default), "JSON files (*.json)"
        )
        if not path:
            return
        try:
            self.export_to(path)
        except OSError as exc:
            QMessageBox.warning(
                self._host,
                "Export failed",
                printable(f"Could not write {path}: {exc.strerror or exc}"),
            )
