"""What every flow tab shares: parameters, a step line, inline errors, Run and Cancel.

A tab builds its own parameter widgets in :meth:`FlowTab.build_params`, fills them from the
provider in :meth:`FlowTab.apply_provider`, and starts its work in :meth:`FlowTab.run` through
:meth:`FlowTab.run_in_worker`, which keeps the GUI thread free, shows progress, routes the
core's errors to the banner and anything unexpected to the exception dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from workbench.core.display import printable
from workbench.core.errors import WorkbenchError
from workbench.core.model import Provider
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.session import OAuthSession
from workbench.ui import metrics, workers
from workbench.ui.dialogs.exception_dialog import show_exception
from workbench.ui.state import AppState, TokenContext
from workbench.ui.widgets.banners import LegacyBanner, MessageBanner
from workbench.ui.widgets.params_table import ParamsTable


def style_form(form: QFormLayout) -> None:
    """One label style on every tab: labels (written without colons) left-aligned, in a column
    of one width (:data:`metrics.FORM_LABEL_CHARS`; a longer label widens its own form only)."""
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        label = item.widget() if item is not None else None
        if not isinstance(label, QLabel):
            continue
        text = label.text()
        width = max(
            metrics.text_width(label, metrics.FORM_LABEL_CHARS),
            label.fontMetrics().horizontalAdvance(text.replace("&", "")),
        )
        label.setMinimumWidth(width)


class FlowTab(QWidget):
    """Base of the per-flow tabs. Subclasses set ``title``, ``key`` and implement ``run``."""

    title = "Flow"
    key = "flow"  # objectName prefix and --tab name
    legacy_warning: str | None = None
    run_label = "Run"
    shared_form = True
    """The shared form (scope, :meth:`build_params`' rows, extra parameters) heads the body; a
    tab without it builds all of its sections in :meth:`build_body`."""

    sig_step = Signal(str)
    """The step the flow is on, in words (also shown in the tab)."""
    sig_running = Signal(bool)
    """The flow started (True) or ended (False)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.worker: workers.Worker | None = None
        self.setObjectName(f"{self.key}Tab")
        self.setAccessibleName(f"{self.title} tab")

        outer = QVBoxLayout(self)
        outer.setContentsMargins(metrics.MARGIN, metrics.MARGIN, metrics.MARGIN, metrics.MARGIN)
        outer.setSpacing(metrics.SPACING)
        if self.legacy_warning:
            self.legacy_banner = LegacyBanner(self.legacy_warning, self)
            outer.addWidget(self.legacy_banner)
        self.error_banner = MessageBanner("error", self, self.state.log.secrets)
        self.error_banner.setObjectName(f"{self.key}Error")
        outer.addWidget(self.error_banner)

        self.body_layout = QVBoxLayout()
        if self.shared_form:
            body = QWidget(self)
            self.form = QFormLayout(body)
            self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            self.scope_edit = self.add_line(
                "scope", "Scope", "space-separated, e.g. openid profile"
            )
            self.build_params()
            self.extra_params = ParamsTable(f"{self.key}ExtraParams", body)
            self.form.addRow("Extra parameters", self.extra_params)
            self.body_layout.addWidget(body)
        self.build_body()
        self.body_layout.addStretch(1)
        holder = QWidget(self)
        holder.setLayout(self.body_layout)
        scroll = QScrollArea(self)
        scroll.setObjectName(f"{self.key}Scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(holder)
        outer.addWidget(scroll, 1)

        self.step_label = QLabel("", self)
        self.step_label.setWordWrap(True)
        self.step_label.setTextFormat(Qt.TextFormat.PlainText)
        self.step_label.setObjectName(f"{self.key}Step")
        self.step_label.setAccessibleName("Current step")
        self.step_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.run_button = QPushButton(self.run_label, self)
        self.run_button.setObjectName(f"{self.key}Run")
        self.run_button.setAccessibleName(f"{self.run_label} ({self.title})")
        self.run_button.setToolTip(f"{self.run_label} (Ctrl+Return)")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName(f"{self.key}Cancel")
        self.cancel_button.setAccessibleName(f"Cancel ({self.title})")
        self.cancel_button.setToolTip("Cancel (Esc)")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        bar = QHBoxLayout()
        self.button_bar = bar  # always in view, below the scrolling body
        bar.addWidget(self.step_label, 1)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.run_button)
        outer.addLayout(bar)
        for form in self.findChildren(QFormLayout):
            style_form(form)

        self.sig_step.connect(self._show_step)
        self._stopped_by: WorkbenchError | None = None
        # The session the running flow started on: its tokens belong to that provider even if
        # another one is chosen before they arrive.
        self._flow_session: OAuthSession | None = None
        state.sig_provider_changed.connect(self._on_provider_changed)
        if state.provider is not None:
            self.apply_provider(state.provider)

    # -- for subclasses -------------------------------------------------------------------
    def build_params(self) -> None:
        """Add the tab's own parameter rows to ``self.form``."""

    def build_body(self) -> None:
        """Add widgets below the parameters (flow-specific displays) to ``self.body_layout``."""

    def apply_provider(self, provider: Provider) -> None:
        """Prefill the parameters from the provider (scope, extra parameters)."""
        self.scope_edit.setText(provider.scope)
        self.extra_params.set_params(dict(provider.extra))

    def run(self) -> None:
        """Start the flow (called by the Run button, Ctrl+Return)."""
        raise NotImplementedError

    def request_extra(self) -> dict[str, str]:
        """The extra parameters exactly as the table shows them: what is shown is what is sent."""
        return self.extra_params.params()

    def on_failed(self, exc: BaseException) -> None:
        """After an error or a cancel was shown: by default, reset the displays."""
        self.on_cancelled()

    def on_cancelled(self) -> None:
        """Reset flow-specific displays after a cancel or an error."""

    # -- helpers --------------------------------------------------------------------------
    def add_line(self, name: str, label: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"{self.key}_{name}")
        edit.setAccessibleName(label)
        edit.setPlaceholderText(placeholder)
        self.form.addRow(label, edit)
        return edit

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def start(self) -> None:
        if self.busy:
            return
        self.error_banner.hide()
        self._stopped_by = None
        try:
            self._flow_session = self.state.require_session()
            self.run()
        except WorkbenchError as exc:
            self._show_error(exc)

    def run_in_worker(
        self,
        fn: Callable[..., Any],
        *args: Any,
        step: str,
        on_returned: Callable[[Any], None],
        on_yielded: Callable[[Any], None] | None = None,
        with_cancel: bool = False,
        **kwargs: Any,
    ) -> workers.Worker:
        """Run ``fn`` off the GUI thread; errors go to the banner, the rest to the dialog."""
        self.sig_step.emit(step)
        self._set_running(True)
        worker = workers.start(
            self._in_flow(fn),
            *args,
            on_returned=on_returned,
            on_errored=self._on_worker_error,
            on_yielded=on_yielded,
            on_finished=self._on_worker_finished,
            with_cancel=with_cancel,
            **kwargs,
        )
        self.worker = worker
        return worker

    def _in_flow(self, fn: Callable[..., Any]) -> Callable[..., Generator[Any, None, Any]]:
        """``fn`` run as the flow named by the tab's key in the application's log: entered on
        the worker's thread, so every exchange and step it records belongs to the flow (a
        generator's yields are passed on, its return value returned)."""
        log, name = self.state.log, self.key

        def in_flow(*args: Any, **kwargs: Any) -> Generator[Any, None, Any]:
            with log.flow(name):
                result = fn(*args, **kwargs)
                if isinstance(result, Generator):
                    result = yield from result
                return result

        return in_flow

    def deliver_tokens(
        self, tokens: TokenSet, context: TokenContext, session: OAuthSession | None = None
    ) -> None:
        """Make ``tokens`` the current ones, issued through ``session`` (by default the one
        the flow started on)."""
        self.state.set_tokens(tokens, context, session or self._flow_session)
        self.sig_step.emit("Done: the tokens are in the inspector.")

    def stop_with_error(self, exc: WorkbenchError) -> None:
        """Stop the running flow because of ``exc`` (a refused URL…): shown, never a "Cancelled".

        The worker is cancelled (listeners close, polling stops); when it ends, the tab treats
        the flow as failed with ``exc``.
        """
        self._stopped_by = exc
        self._show_error(exc)
        if self.worker is not None:
            self.worker.cancel()
        else:
            self.on_failed(exc)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.sig_step.emit("Cancelling…")

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.sig_running.emit(running)
        self.state.sig_busy_changed.emit(running)

    def _on_worker_error(self, exc: BaseException) -> None:
        cancelled = self.worker is not None and self.worker.cancelled
        stopped_by = self._stopped_by
        if stopped_by is not None and cancelled:
            self.sig_step.emit("Stopped: see the message above.")
            self.on_failed(stopped_by)
            return
        if isinstance(exc, WorkbenchError):
            if cancelled and getattr(exc, "kind", "") == "cancelled":
                self.sig_step.emit("Cancelled.")
            else:
                self._show_error(exc)
        else:
            self.sig_step.emit("Failed: unexpected error.")
            show_exception(self.window(), exc)
        self.on_failed(exc)

    def _show_error(self, exc: BaseException) -> None:
        self.error_banner.show_error(exc)
        self.sig_step.emit("Failed.")

    def _show_step(self, text: str) -> None:
        # Steps may quote a server (an address, a status): shown as plain, printable text.
        self.step_label.setText(printable(text))

    def _on_worker_finished(self) -> None:
        self.worker = None
        self._set_running(False)

    def reset_results(self) -> None:
        """Forget what the last run showed (its error, its step, its results): another
        provider was chosen, so none of it applies any more. Tabs with result displays extend
        this."""
        self.error_banner.hide()
        self._stopped_by = None
        self.step_label.clear()

    def _on_provider_changed(self, provider: Provider | None) -> None:
        if self.busy:
            return  # the running flow keeps its provider and shows its own outcome
        self.reset_results()
        if provider is not None:
            self.apply_provider(provider)
