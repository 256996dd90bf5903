"""The main window: provider bar, one tab per flow, the token inspector, the exchange log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench import __version__
from workbench.ui import metrics, settings, workers
from workbench.ui.flows import tab_shortcut
from workbench.ui.screen_fit import restore_or_fit
from workbench.ui.theme import set_property

if TYPE_CHECKING:
    from workbench.ui.demo_host import DemoHost
    from workbench.ui.diagram.dock import SequenceDock
    from workbench.ui.dialogs.trigger_lab import TriggerLabDialog
    from workbench.ui.flows.base import FlowTab
    from workbench.ui.history_dock import HistoryDock
    from workbench.ui.inspector import TokenInspector
    from workbench.ui.log_dock import ExchangeLogDock
    from workbench.ui.state import AppState


STATUS_MESSAGE_MS = 5000  # how long an inspector status message stays in the status bar
DEMO_EXPOSED_TIP = (
    "The demo provider is reachable from your local network (plain HTTP, public demo "
    "passwords): for testing only; turn it off in View when you are done."
)


class MainWindow(QMainWindow):
    """Everything on one screen; blocking work only ever runs through workbench.ui.workers."""

    sig_closing = Signal()
    """The window is closing: flows are being cancelled."""

    sig_ready = Signal()
    """The window's contents are built (emitted once, by :meth:`build`)."""

    def __init__(
        self,
        state: AppState | None = None,
        parent: QWidget | None = None,
        *,
        deferred: bool = False,
        remember: bool = True,
    ) -> None:
        """With ``deferred`` only the frame is made; :meth:`build` fills it after it is shown.

        The frame needs Qt alone, so the window appears as fast as a bare Qt window; the
        protocol core, the tabs and the inspector are imported and built right after.
        Without ``remember`` the saved window state is neither used nor overwritten
        (screenshots come out the same on every machine).
        """
        super().__init__(parent)
        self._given_state = state
        self.remember = remember
        self.ready = False
        self.setObjectName("mainWindow")
        self.setWindowTitle("Token Workbench")
        self.setAccessibleName("Token Workbench")
        self.setMinimumSize(*metrics.WINDOW_MIN_SIZE)
        # Within the screen's available geometry; a saved geometry only when it still fits.
        restore_or_fit(self, settings.load_bytes("window/geometry") if remember else None)
        loading = QLabel("Loading…", self)
        loading.setObjectName("loadingLabel")
        loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(loading)
        if not deferred:
            self.build()

    def build(self) -> None:
        """Import the core and build the provider bar, tabs, inspector and log (once)."""
        if self.ready:
            return
        from workbench.ui.flows import registered_tabs
        from workbench.ui.inspector import TokenInspector
        from workbench.ui.log_dock import ExchangeLogDock
        from workbench.ui.provider_bar import ProviderBar
        from workbench.ui.state import AppState

        self.state = self._given_state or AppState(parent=self)
        self.provider_bar = ProviderBar(self.state, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("flowTabs")
        self.tabs.setAccessibleName("Flows")
        self.tabs.setDocumentMode(True)
        self.flow_tabs: dict[str, FlowTab] = {}
        for cls in registered_tabs():
            tab = cls(self.state, self.tabs)
            self.flow_tabs[tab.key] = tab
            self.tabs.addTab(tab, tab.title)
        self.tabs.setMinimumWidth(metrics.TAB_MIN_WIDTH)
        self.inspector: TokenInspector = TokenInspector(self.state, self)
        self.inspector.setMinimumWidth(metrics.INSPECTOR_MIN_WIDTH)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.inspector)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes(list(metrics.SPLITTER_DEFAULT))
        self.splitter.setChildrenCollapsible(False)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.provider_bar)
        layout.addWidget(self.provider_bar.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.log_dock: ExchangeLogDock = ExchangeLogDock(self.state, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_dock)
        from workbench.ui.history_dock import HistoryDock

        self.history_dock: HistoryDock = HistoryDock(self.state, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.history_dock)
        self.tabifyDockWidget(self.log_dock, self.history_dock)
        self.history_dock.hide()
        self.history_dock.sig_inspect.connect(self.inspector.show_token)
        from workbench.ui.diagram.dock import SequenceDock

        self.sequence_dock: SequenceDock = SequenceDock.beside(self.log_dock, self.state, self)
        self.sequence_dock.sig_inspect_token.connect(self.inspector.show_token)

        self.status_label = QLabel(self.state.secrets.where(), self)
        self.status_label.setObjectName("statusSecrets")
        self.statusBar().addWidget(self.status_label, 1)
        self.demo_label = QLabel("", self)
        self.demo_label.setObjectName("statusDemo")
        self.statusBar().addPermanentWidget(self.demo_label)

        self._build_menus()
        self.inspector.sig_status.connect(self._on_status)
        _read_from_inspector(self.flow_tabs.get("tokenExchange"), self.inspector)
        self.sequence_dock.sig_status.connect(self._on_status)
        api = self.flow_tabs.get("api")
        if api is not None:
            self.inspector.sig_call_api.connect(self.call_api_with)
            api.sig_next_step.connect(self._on_api_next_step)  # type: ignore[attr-defined]
        self._restore()
        self.ready = True
        if self.isVisible():
            self.showEvent(QShowEvent())
        self.sig_ready.emit()

    # -- the API tab's hand-offs -----------------------------------------------------------
    def call_api_with(self, token: str, label: str) -> None:
        """Open the API tab with ``token`` (the inspector's "Call API")."""
        api = self.flow_tabs["api"]
        api.use_token(token, label)  # type: ignore[attr-defined]
        self.tabs.setCurrentWidget(api)

    def _on_api_next_step(self, step: str, argument: str) -> None:
        """A refused call's next step: refresh in the inspector, or the tab that got the
        current tokens with the scope or the resource (RFC 8707) the API named."""
        if step == "refresh":
            self.inspector.refresh()
            return
        tab = self._tokens_tab()
        if step == "request_scope" and argument:
            words = tab.scope_edit.text().split()
            tab.scope_edit.setText(" ".join(dict.fromkeys([*words, *argument.split()])))
            note = f"Added the scope “{argument}” in {tab.title}: Run gets a token with it."
        elif step == "get_token" and argument:
            resource_edit = getattr(tab, "resource_edit", None)
            if resource_edit is not None:
                resource_edit.setText(argument)
            else:
                tab.extra_params.set_params({**tab.extra_params.params(), "resource": argument})
            note = f"{tab.title} asks for a token for {argument} (RFC 8707): Run it."
        else:
            return
        self.tabs.setCurrentWidget(tab)
        self._on_status(note)

    def _tokens_tab(self) -> FlowTab:
        """The grant tab that got the current tokens, else the one for the provider's client."""
        from workbench.core.oauth.grants import GRANTS

        context, provider = self.state.context, self.state.provider
        grant = GRANTS.get(context.origin) if context is not None else None
        tab = self.flow_tabs.get(grant.tab) if grant is not None and grant.tab else None
        if tab is None or not tab.shared_form:
            confidential = provider is not None and provider.client.method != "none"
            tab = self.flow_tabs["clientCredentials" if confidential else "authCode"]
        return tab

    # -- menus and keys ---------------------------------------------------------------------
    def _action(self, name: str, text: str, shortcut: str | QKeySequence | None = None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(shortcut)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        new_profile = self._action("actionNewProfile", "&New provider profile…", "Ctrl+N")
        new_profile.triggered.connect(self.provider_bar.new_button.click)
        quit_action = self._action("actionQuit", "&Quit", QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addActions([new_profile, quit_action])

        flow_menu = bar.addMenu("F&low")
        run = self._action("actionRun", "&Run current flow", "Ctrl+Return")
        run.triggered.connect(lambda: self.current_tab().start())
        cancel = self._action("actionCancel", "&Cancel current flow", "Esc")
        cancel.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        cancel.triggered.connect(lambda: self.current_tab().cancel())
        flow_menu.addActions([run, cancel])
        flow_menu.addSeparator()
        for index, tab in enumerate(self.flow_tabs.values()):
            go = self._action(f"actionTab_{tab.key}", tab.title, tab_shortcut(index))
            go.triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i))
            flow_menu.addAction(go)

        view = bar.addMenu("&View")
        toggle = self.log_dock.toggleViewAction()
        toggle.setObjectName("actionToggleLog")
        toggle.setShortcut("Ctrl+L")
        view.addAction(toggle)
        focus_picker = self._action("actionFocusProvider", "Choose &provider", "Ctrl+P")
        focus_picker.triggered.connect(self.provider_bar.picker.setFocus)
        view.addAction(focus_picker)
        history = self.history_dock.toggleViewAction()
        history.setObjectName("actionToggleHistory")
        history.setText("Token &history")
        history.setShortcut("Ctrl+H")
        history.setToolTip("Every token set obtained: inspect one again, compare two")
        view.addAction(history)
        self.inspector.token_picker.add_button("inspectorHistory", history)
        view.addAction(self.sequence_dock.menu_action())
        view.addSeparator()
        # Window-wide: F11 works wherever the keyboard focus is (the device tab's own F11
        # would be ambiguous beside it, so it stands down).
        presenter = self._action("actionPresenter", "Pre&senter view (device login)", "F11")
        presenter.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        presenter.triggered.connect(self.show_presenter)
        view.addAction(presenter)
        device = self.flow_tabs.get("device")
        if device is not None:
            device.presenter_shortcut.setEnabled(False)
        lan = self._action("actionDemoLan", "Demo provider reachable from &phones")
        lan.setCheckable(True)
        lan.setEnabled(False)  # until the app runs the demo provider (attach_demo)
        lan.setToolTip(
            "Serve the demo provider on this computer's network address so a phone can open "
            "the device login (testing only: public passwords, plain HTTP)"
        )
        lan.toggled.connect(self._on_lan_toggled)
        view.addAction(lan)
        self.lan_action = lan
        lab = self._action("actionTriggerLab", "Pre-token &trigger lab…")
        lab.setEnabled(False)  # until the app runs the demo provider (attach_demo)
        lab.setToolTip("Run a Cognito pre-token-generation handler in the demo provider")
        lab.triggered.connect(self.open_trigger_lab)
        view.addAction(lab)
        self.trigger_lab_action = lab

        help_menu = bar.addMenu("&Help")
        about = self._action("actionAbout", "&About Token Workbench")
        about.triggered.connect(self._on_about)
        help_menu.addAction(about)

    def current_tab(self) -> FlowTab:
        return list(self.flow_tabs.values())[self.tabs.currentIndex()]

    def select_tab(self, key: str) -> FlowTab:
        """Switch to the tab whose key or title matches ``key`` (case-insensitive)."""
        wanted = key.lower().replace("-", "").replace("_", "").replace(" ", "")
        for index, tab in enumerate(self.flow_tabs.values()):
            names = {tab.key.lower(), tab.title.lower().replace(" ", "")}
            if wanted in names or any(n.startswith(wanted) for n in names):
                self.tabs.setCurrentIndex(index)
                return tab
        known = ", ".join(t.key for t in self.flow_tabs.values())
        raise KeyError(f"no tab {key!r} (tabs: {known})")

    def set_demo_issuer(self, issuer: str, exposed: bool = False) -> None:
        self.build()
        self.state.demo_issuer = issuer
        if exposed:
            self.demo_label.setText(f"Demo provider at {issuer}: reachable from your network")
            self.demo_label.setToolTip(DEMO_EXPOSED_TIP)
        else:
            self.demo_label.setText(f"Demo provider at {issuer}")
            self.demo_label.setToolTip("Only this computer can reach it")
        set_property(self.demo_label, "exposed", "true" if exposed else "false")
        self.provider_bar.set_demo_issuer(issuer)

    # -- the demo provider for a room ----------------------------------------------------------
    def attach_demo(self, host: DemoHost) -> None:
        """Follow ``host``'s demo server (its restarts too) and offer the LAN toggle."""
        self.build()
        self.demo_host = host
        self.lan_action.blockSignals(True)
        self.lan_action.setChecked(host.lan)
        self.lan_action.blockSignals(False)
        self.lan_action.setEnabled(not host.busy)
        host.sig_starting.connect(self._on_demo_starting)
        host.sig_started.connect(self._on_demo_started)
        host.sig_failed.connect(self._on_demo_failed)
        self.trigger_lab_action.setEnabled(True)
        if host.issuer is not None:
            self.set_demo_issuer(host.issuer, host.lan)

    def open_trigger_lab(self) -> TriggerLabDialog:
        """View ▸ Pre-token trigger lab: one non-modal window, kept while the app runs."""
        lab: TriggerLabDialog | None = getattr(self, "trigger_lab", None)
        if lab is None:
            from workbench.ui.dialogs.trigger_lab import TriggerLabDialog

            lab = self.trigger_lab = TriggerLabDialog(self.state, self.demo_host, self)
        lab.show()
        lab.raise_()
        return lab

    def _on_lan_toggled(self, on: bool) -> None:
        host = getattr(self, "demo_host", None)
        if host is None:
            return
        for tab in self.flow_tabs.values():  # their server is about to go away
            tab.cancel()
        host.start(lan=on)

    def _on_demo_starting(self, lan: bool) -> None:
        self.lan_action.setEnabled(False)
        where = "on the network" if lan else "on this computer only"
        self.demo_label.setText(f"Restarting the demo provider {where}…")

    def _on_demo_started(self, issuer: str, exposed: bool) -> None:
        self.lan_action.setEnabled(True)
        self.set_demo_issuer(issuer, exposed)
        if exposed:
            self.statusBar().showMessage(DEMO_EXPOSED_TIP, STATUS_MESSAGE_MS * 2)

    def _on_demo_failed(self, exc: BaseException) -> None:
        self.lan_action.setEnabled(True)
        self.demo_label.setText("The demo provider could not start.")

    def show_presenter(self) -> None:
        """F11 / View ▸ Presenter view, from anywhere: the device login full screen.

        Without a device login under way, switch to the Device Code tab and say what to do.
        """
        device = self.flow_tabs.get("device")
        if device is None:
            return
        if device.busy and device.authorization is not None:
            device.open_presenter()
            return
        self.tabs.setCurrentWidget(device)
        if device.busy:  # asking for a code: nothing to show yet
            message = "Presenter view: waiting for the server's user code; press F11 again."
        else:
            device.run_button.setFocus()
            message = (
                "Presenter view shows a device login to the room: press Get code "
                "(Ctrl+Return), then F11."
            )
        device.sig_step.emit(message)
        self.statusBar().showMessage(message, STATUS_MESSAGE_MS * 2)

    def _on_status(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_MESSAGE_MS)

    def _on_about(self) -> None:
        QMessageBox.about(
            self,
            "About Token Workbench",
            f"<b>Token Workbench {__version__}</b><br>"
            "A workbench for OAuth 2.0 and OpenID Connect tokens.",
        )

    # -- state ------------------------------------------------------------------------------
    def _restore(self) -> None:
        if not self.remember:
            self._dock_height_pending = True
            return
        layout = settings.load_bytes("window/state")
        self._dock_height_pending = layout is None
        if layout is not None:
            self.restoreState(layout)
        split = settings.load_bytes("window/splitter")
        if split is not None:
            self.splitter.restoreState(split)
        index = settings.load_int("window/tab", 0)
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)

    def save_state(self) -> None:
        if not self.ready or not self.remember:
            return
        settings.save(
            **{
                "window/geometry": self.saveGeometry(),
                "window/state": self.saveState(),
                "window/splitter": self.splitter.saveState(),
                "window/tab": self.tabs.currentIndex(),
            }
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.ready and self._dock_height_pending:
            # Dock sizes only apply to a laid-out window: the first time it is shown.
            self._dock_height_pending = False
            height = min(
                metrics.LOG_DOCK_DEFAULT_HEIGHT, int(self.height() * metrics.LOG_DOCK_MAX_SHARE)
            )
            self.resizeDocks([self.log_dock], [height], Qt.Orientation.Vertical)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Cancel every flow (listeners close, polling stops), wait for workers, then close."""
        self.sig_closing.emit()
        self.save_state()
        if self.ready:
            for tab in self.flow_tabs.values():
                tab.cancel()
        workers.cancel_all()
        workers.wait_all(5000)
        if self.ready:
            self.state.close()
        super().closeEvent(event)


def _read_from_inspector(tab: Any, inspector: TokenInspector) -> None:
    """The Token Exchange tab's "Use the inspector's token" reads the token shown there."""
    if tab is not None:
        tab.token_source = lambda: shown.entry if (shown := inspector.shown) else None
