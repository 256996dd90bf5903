"""The Sequence dock: pick a flow of the exchange log and see it as a sequence diagram.

The picker lists the log's flows (``state.log.flows()``), newest selected, and follows new
flows live (``state.sig_exchange``, and a flow's end through ``state.sig_busy_changed``). Only
the selected flow is built (:func:`~workbench.core.report.sequence.build_sequence`, from the
log's records of that flow) and drawn, so a long session stays fast: an exchange of another
known flow changes nothing, the picker is rebuilt only when a flow appears or ends, and a
burst of exchanges is one redraw (on the next turn of the event loop). Clicking an arrow asks
for its exchange to be selected in the exchange log (:attr:`SequenceDock.sig_select_exchange`)
and, when that exchange brought tokens the app still holds, for its token in the inspector
(:attr:`SequenceDock.sig_inspect_token`; else the status bar says they are gone). Copy Mermaid,
Save SVG (in the theme's palette), Save PNG and Save report use the core's writers; saved files
are readable by their owner only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QImage, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from workbench.core.display import printable
from workbench.core.private_files import write_private_bytes, write_private_text
from workbench.core.report.html import build_report
from workbench.core.report.logfile import LogRecords
from workbench.core.report.mermaid import to_mermaid
from workbench.core.report.sequence import SequenceModel, build_sequence
from workbench.core.report.svg import DARK, LIGHT, SvgPalette, to_svg
from workbench.core.transport.exchange import Exchange
from workbench.core.transport.flows import Flow
from workbench.ui import metrics
from workbench.ui.diagram.tokens import issued_token
from workbench.ui.diagram.view import SequenceView
from workbench.ui.log_dock import ExchangeLogDock
from workbench.ui.state import AppState
from workbench.ui.theme import is_dark

#: A PNG is drawn at this many times the screen's device-pixel ratio, crisp when zoomed.
PNG_SCALE = 2.0


def flow_title(flow: Flow) -> str:
    """``client_credentials — 09:41:02 (ok)`` for the picker."""
    clock = time.strftime("%H:%M:%S", time.localtime(flow.started_at))
    return printable(f"{flow.name} — {clock} ({flow.outcome})")


class SequenceDock(QDockWidget):
    """The flow picker, the diagram of the selected flow and its export buttons."""

    sig_select_exchange = Signal(int)
    """Select this exchange (by id) in the exchange log."""
    sig_inspect_token = Signal(str, str)
    """Show this token in the inspector (the token, a label for the inspector's picker)."""
    sig_status = Signal(str)
    """A sentence for the status bar."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__("Sequence", parent)
        self.state = state
        self.setObjectName("sequenceDock")
        self.setAccessibleName("Sequence diagram")
        body = QWidget(self)
        body.setObjectName("sequenceBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(metrics.SPACING, metrics.SPACING, metrics.SPACING, 0)
        layout.setSpacing(metrics.SPACING)

        row = QHBoxLayout()
        label = QLabel("&Flow", body)
        label.setObjectName("sequenceFlowLabel")
        row.addWidget(label)
        self.flow_picker = QComboBox(body)
        self.flow_picker.setObjectName("sequenceFlowPicker")
        self.flow_picker.setAccessibleName("Flow shown")
        self.flow_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        label.setBuddy(self.flow_picker)
        row.addWidget(self.flow_picker, 1)
        self.mermaid_button = self._button("sequenceCopyMermaid", "Copy &Mermaid", row)
        self.mermaid_button.setToolTip("Copy the flow as Mermaid sequence text")
        self.mermaid_button.clicked.connect(self.copy_mermaid)
        self.svg_button = self._button("sequenceSaveSvg", "Save S&VG…", row)
        self.svg_button.setToolTip("Save the diagram as an SVG file")
        self.svg_button.clicked.connect(self.save_svg)
        self.png_button = self._button("sequenceSavePng", "Save P&NG…", row)
        self.png_button.setToolTip("Save the diagram as a PNG image")
        self.png_button.clicked.connect(self.save_png)
        self.report_button = self._button("sequenceSaveReport", "Save &report…", row)
        self.report_button.setToolTip(
            "Save one HTML file with the flow's diagram and every exchange, masked"
        )
        self.report_button.clicked.connect(self.save_report)
        layout.addLayout(row)

        self.view = SequenceView(body)
        self.scroll = QScrollArea(body)
        self.scroll.setObjectName("sequenceScroll")
        self.scroll.setAccessibleName("Sequence diagram area")
        self.scroll.setWidget(self.view)
        layout.addWidget(self.scroll, 1)
        self.setWidget(body)

        self._flow_ids: list[str] = []
        self._known: set[str] = set()
        self._outcomes: dict[str, str] = {}  # the outcome each flow's picker entry shows
        # Exchanges mark what they change; one redraw per turn of the event loop does it.
        self._flows_changed = self._model_changed = False
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self._apply)
        self.flow_picker.currentIndexChanged.connect(self._draw)
        self.view.sig_exchange_clicked.connect(self.select_exchange)
        state.sig_exchange.connect(self._on_exchange)
        state.sig_busy_changed.connect(self.refresh)
        self.refresh()

    def _button(self, name: str, text: str, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        row.addWidget(button)
        return button

    @classmethod
    def beside(
        cls, log_dock: ExchangeLogDock, state: AppState, window: QMainWindow
    ) -> SequenceDock:
        """A hidden Sequence dock tabified with ``log_dock`` in ``window``; its arrows select
        their exchange in that log."""
        dock = cls(state, window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        window.tabifyDockWidget(log_dock, dock)
        dock.hide()
        dock.sig_select_exchange.connect(log_dock.show_exchange)
        return dock

    def select_exchange(self, exchange_id: int) -> None:
        """An arrow was clicked: its exchange in the log, and the token it brought in the
        inspector (or, when the app no longer holds it, a word in the status bar)."""
        self.sig_select_exchange.emit(exchange_id)
        issued = issued_token(self.state, exchange_id)
        if issued is None:
            return
        if issued.token is not None:
            self.sig_inspect_token.emit(issued.token, issued.label)
        self.sig_status.emit(issued.message)

    def menu_action(self) -> QAction:
        """The View menu's entry showing and hiding the dock (Ctrl+Shift+S)."""
        action = self.toggleViewAction()
        action.setObjectName("actionToggleSequence")
        action.setText("&Sequence diagram")
        action.setShortcut("Ctrl+Shift+S")
        action.setToolTip("The selected flow drawn as a sequence diagram")
        return action

    # -- public API -------------------------------------------------------------------------
    def selected_flow(self) -> Flow | None:
        if self._pending.isActive():  # exchanges not taken in yet: the picker first
            self._apply()
        return self.state.log.find_flow(self.flow_picker.currentData())

    def sequence(self) -> SequenceModel | None:
        """The selected flow's sequence (None when there is no flow)."""
        flow = self.selected_flow()
        if flow is None:
            return None
        return build_sequence(*self.state.log.flow_records(flow.id), flow)

    def refresh(self, *_args: object) -> None:
        """List the log's flows; a new one is selected, the shown one redrawn."""
        self._pending.stop()
        self._flows_changed = self._model_changed = False
        flows = self.state.log.flows()
        ids = [flow.id for flow in flows]
        newest = len(ids) > len(self._flow_ids)
        current = self.flow_picker.currentData()
        self.flow_picker.blockSignals(True)
        self._list_flows(flows)
        index = 0 if newest else max(self.flow_picker.findData(current), 0)
        self.flow_picker.setCurrentIndex(index if flows else -1)
        self.flow_picker.blockSignals(False)
        self._flow_ids, self._known = ids, set(ids)
        enabled = bool(flows)
        buttons = (self.mermaid_button, self.svg_button, self.png_button, self.report_button)
        for button in buttons:
            button.setEnabled(enabled)
        self._draw()

    def copy_mermaid(self) -> str:
        model = self.sequence()
        text = to_mermaid(model) if model is not None else ""
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def save_svg_to(self, path: str | Path) -> None:
        model = self.sequence()
        if model is not None:
            write_private_text(path, to_svg(model, palette=self.svg_palette(), page=True))

    def svg_palette(self) -> SvgPalette:
        """The SVG palette of the app's theme: dark under a dark palette, else light."""
        return DARK if is_dark(self.palette()) else LIGHT

    def png_image(self) -> QImage:
        """The diagram as drawn, at :data:`PNG_SCALE` times the screen's pixel ratio, on the
        theme's window colour."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        scale = (screen.devicePixelRatio() if screen is not None else 1.0) * PNG_SCALE
        size = self.view.size()
        image = QImage(
            round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_ARGB32
        )
        image.setDevicePixelRatio(scale)
        image.fill(self.view.palette().color(self.view.palette().ColorRole.Window))
        self.view.render(image)
        return image

    def save_png_to(self, path: str | Path) -> None:
        if self.sequence() is None:
            return
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not self.png_image().save(buffer, "PNG"):  # type: ignore[call-overload]
            raise OSError("the image could not be encoded as PNG")
        write_private_bytes(path, bytes(buffer.data().data()))

    def save_report_to(self, path: str | Path) -> None:
        flow = self.selected_flow()
        if flow is None:
            return
        log = self.state.log
        records = LogRecords(tuple(log.items()), tuple(log.steps()), tuple(log.flows()))
        write_private_text(path, build_report(records, [flow.id]))

    def save_svg(self) -> None:
        self._save(
            "Save the diagram as SVG",
            "sequence-%Y%m%d-%H%M%S.svg",
            "SVG files (*.svg)",
            self.save_svg_to,
        )

    def save_png(self) -> None:
        self._save(
            "Save the diagram as PNG",
            "sequence-%Y%m%d-%H%M%S.png",
            "PNG images (*.png)",
            self.save_png_to,
        )

    def save_report(self) -> None:
        self._save(
            "Save the flow's report",
            "report-%Y%m%d-%H%M%S.html",
            "HTML files (*.html)",
            self.save_report_to,
        )

    # -- internals --------------------------------------------------------------------------
    def _save(self, title: str, pattern: str, kinds: str, write: Callable[[str], None]) -> None:
        """Ask where, then ``write`` there (whatever the name ends with: the button chose)."""
        default = str(Path.home() / time.strftime(pattern))
        path, _ = QFileDialog.getSaveFileName(self, title, default, kinds)
        if not path:
            return
        try:
            write(path)
        except OSError as exc:
            QMessageBox.warning(
                self, "Save failed", printable(f"Could not write {path}: {exc.strerror or exc}")
            )

    def _list_flows(self, flows: list[Flow]) -> None:
        """The picker holds ``flows`` newest first: new ones put on top and titles whose
        outcome changed rewritten, or all listed again when the log was cleared."""
        picker, known, shown = self.flow_picker, len(self._flow_ids), self._outcomes
        if [flow.id for flow in flows[:known]] != self._flow_ids:
            picker.clear()
            shown.clear()
            known = 0
        for flow in flows[known:]:
            picker.insertItem(0, flow_title(flow), flow.id)
            shown[flow.id] = flow.outcome
        for row, flow in enumerate(reversed(flows)):
            if shown[flow.id] != flow.outcome:
                picker.setItemText(row, flow_title(flow))
                shown[flow.id] = flow.outcome

    def _on_exchange(self, exchange: Exchange) -> None:
        """Mark what ``exchange`` changes: the flows when its flow is new, the drawing when it
        belongs to the selected flow; nothing for another flow's (or one outside any flow)."""
        if exchange.flow_id is None:
            return
        if exchange.flow_id not in self._known:
            self._flows_changed = True
        elif exchange.flow_id == self.flow_picker.currentData():
            self._model_changed = True
        else:
            return
        self._pending.start()

    def _apply(self) -> None:
        """Take in the exchanges marked since the last turn: one refresh or one redraw."""
        self._pending.stop()
        if self._flows_changed:
            self.refresh()
        elif self._model_changed:
            self._model_changed = False
            self._draw()

    def _draw(self, *_args: object) -> None:
        self.view.set_model(self.sequence())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()


__all__ = ["SequenceDock", "flow_title"]
