"""The main window: provider bar, one tab per flow, the token inspector, the exchange log."""

from __future__ import annotations

from typing import TYPE_CHECKING

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

from workbench import __version__, workers
from workbench.ui import metrics, settings

if TYPE_CHECKING:
    from workbench.ui.inspector import TokenInspector
    from workbench.ui.log_dock import ExchangeLogDock
    from workbench.ui.state import AppState
    from workbench.ui.tabs.base import FlowTab


STATUS_MESSAGE_MS = 5000  # how long an inspector status message stays in the status bar


def tab_classes() -> tuple[type[FlowTab], ...]:
    """The flow tabs, in their order on screen."""
    from workbench.ui.tabs.auth_code import AuthCodeTab
    from workbench.ui.tabs.client_credentials import ClientCredentialsTab
    from workbench.ui.tabs.cognito import CognitoTab
    from workbench.ui.tabs.device import DeviceFlowTab
    from workbench.ui.tabs.implicit import ImplicitTab
    from workbench.ui.tabs.password import PasswordTab
    from workbench.ui.tabs.refresh import RefreshTab

    return (
        AuthCodeTab,
        ClientCredentialsTab,
        DeviceFlowTab,
        RefreshTab,
        PasswordTab,
        ImplicitTab,
        CognitoTab,
    )


class MainWindow(QMainWindow):
    """Everything on one screen; blocking work only ever runs through workbench.workers."""

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
        self.resize(*metrics.WINDOW_DEFAULT_SIZE)
        self.setMinimumSize(*metrics.WINDOW_MIN_SIZE)
        geometry = settings.load_bytes("window/geometry") if remember else None
        if geometry is not None:
            self.restoreGeometry(geometry)
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
        for cls in tab_classes():
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

        self.status_label = QLabel(self.state.secrets.where(), self)
        self.status_label.setObjectName("statusSecrets")
        self.statusBar().addWidget(self.status_label, 1)
        self.demo_label = QLabel("", self)
        self.demo_label.setObjectName("statusDemo")
        self.statusBar().addPermanentWidget(self.demo_label)

        self._build_menus()
        self.inspector.sig_status.connect(self._on_status)
        self._restore()
        self.ready = True
        if self.isVisible():
            self.showEvent(QShowEvent())
        self.sig_ready.emit()

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
            go = self._action(f"actionTab_{tab.key}", tab.title, f"Ctrl+{index + 1}")
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

    def set_demo_issuer(self, issuer: str) -> None:
        self.build()
        self.state.demo_issuer = issuer
        self.demo_label.setText(f"Demo provider at {issuer}")
        self.provider_bar.set_demo_issuer(issuer)

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
            self.resizeDocks(
                [self.log_dock], [metrics.LOG_DOCK_DEFAULT_HEIGHT], Qt.Orientation.Vertical
            )

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
