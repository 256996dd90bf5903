"""Pool insight: what a Cognito app client allows, what will make the chosen flow fail, and the
pool's resource servers with their custom scopes, and its pre-token-generation trigger
(:class:`~workbench.ui.cognito.trigger_insight.TriggerInsightView`).

:class:`PoolInsightPanel` is a collapsible view. It asks for work through signals (the Cognito
tab runs the AWS calls in workers, signed with AWS credentials) and shows what comes back:
:meth:`PoolInsightPanel.show_client` (an :class:`AppClientInfo`), whose problems for the chosen
flow :func:`~workbench.core.cognito.admin.check_flow` finds (pure, so they follow the flow at
once), and :meth:`PoolInsightPanel.show_servers`. Creating a resource server asks for its
identifier and scopes (:class:`~workbench.ui.cognito.resource_dialog.ResourceServerDialog`),
then shows the plan's exact changes for confirmation (:meth:`PoolInsightPanel.ask_to_apply`)
before anything changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.cognito.admin import (
    FLOW_CHECKS,
    AppClientInfo,
    Problem,
    ResourceServer,
    ScopePlan,
    check_flow,
    effective_auth_flows,
)
from workbench.core.cognito.pool import CognitoPool
from workbench.ui import metrics
from workbench.ui.cognito.calls import ui_words
from workbench.ui.cognito.resource_dialog import ResourceServerDialog, confirm_box
from workbench.ui.cognito.trigger_insight import TriggerInsightView
from workbench.ui.safe_text import html_text
from workbench.ui.theme import insight_stylesheet, set_property
from workbench.ui.widgets.flow_layout import FlowLayout
from workbench.ui.widgets.fold import FoldToggle, fold_layout
from workbench.ui.widgets.note_label import NoteLabel

#: The client settings the panel shows, by the name :class:`Problem` uses for them.
SETTING_ROWS: tuple[tuple[str, str], ...] = (
    ("AppClient", "App client"),
    ("ClientSecret", "Client secret"),
    ("ExplicitAuthFlows", "ExplicitAuthFlows"),
    ("AllowedOAuthFlowsUserPoolClient", "OAuth 2.0"),
    ("AllowedOAuthFlows", "AllowedOAuthFlows"),
    ("AllowedOAuthScopes", "AllowedOAuthScopes"),
    ("CallbackURLs", "Callback URLs"),
    ("SupportedIdentityProviders", "Identity providers"),
    ("TokenValidity", "Token validity"),
    ("EnableTokenRevocation", "EnableTokenRevocation"),
)
#: Problems about a setting shown under another row's name.
_ROW_FOR = {"GenerateSecret": "ClientSecret"}


def _listed(values: Sequence[str], empty: str = "none") -> str:
    return ", ".join(values) if values else empty


def client_settings(info: AppClientInfo) -> dict[str, str]:
    """What the panel shows for each of :data:`SETTING_ROWS`, in words."""
    if info.explicit_auth_flows:
        auth_flows = _listed(info.explicit_auth_flows)
    else:
        auth_flows = f"none set: Cognito's defaults ({_listed(sorted(effective_auth_flows(())))})"
    return {
        "AppClient": f"{info.client_name or '(no name)'} · {info.client_id}",
        "ClientSecret": (
            "yes: calls need a SECRET_HASH or client authentication"
            if info.has_secret
            else "no (public client)"
        ),
        "ExplicitAuthFlows": auth_flows,
        "AllowedOAuthFlowsUserPoolClient": (
            "enabled (AllowedOAuthFlowsUserPoolClient)"
            if info.oauth_enabled
            else "not enabled: the /oauth2 endpoints refuse this client"
        ),
        "AllowedOAuthFlows": _listed(info.allowed_oauth_flows),
        "AllowedOAuthScopes": _listed(info.allowed_oauth_scopes),
        "CallbackURLs": _listed(info.callback_urls),
        "SupportedIdentityProviders": _listed(info.identity_providers),
        "TokenValidity": (
            f"access {info.access_token_validity} · ID {info.id_token_validity} · "
            f"refresh {info.refresh_token_validity}"
        ),
        "EnableTokenRevocation": (
            "on: RevokeToken works"
            if info.enable_token_revocation
            else "off: RevokeToken is refused; only GlobalSignOut ends sessions"
        ),
    }


def _servers_tree(parent: QWidget) -> QTreeWidget:
    """The list of resource servers, each with its scopes below it."""
    tree = QTreeWidget(parent)
    tree.setObjectName("cognitoInsightServers")
    tree.setAccessibleName("Resource servers and scopes")
    tree.setHeaderLabels(["Resource server / scope", "Description"])
    tree.setRootIsDecorated(True)
    tree.setUniformRowHeights(True)
    tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    tree.header().setStretchLastSection(False)
    tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    tree.setFixedHeight(metrics.line_height(tree, metrics.SERVER_LIST_LINES))
    return tree


class PoolInsightPanel(QFrame):
    """Collapsible: the app client's settings, the chosen flow's problems, resource servers."""

    sig_describe_requested = Signal()
    """Describe the app client (DescribeUserPoolClient)."""
    sig_servers_requested = Signal()
    """List the pool's resource servers (ListResourceServers)."""
    sig_plan_requested = Signal(object)
    """Plan this ResourceServerRequest (reads only; the plan comes back to ask_to_apply)."""
    sig_apply_confirmed = Signal(object)
    """The person confirmed this ScopePlan: carry it out."""
    sig_expanded = Signal(bool)
    """The panel was opened (True) or folded (False)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cognitoInsight")
        self.setAccessibleName("Pool insight")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(insight_stylesheet())
        self._info: AppClientInfo | None = None
        self._servers: list[ResourceServer] | None = None
        self._secret_supplied: bool | None = None
        self._has_domain: bool | None = None
        self._scopes: tuple[str, ...] = ()
        self._problems: list[Problem] = []
        self.create_dialog: ResourceServerDialog | None = None
        self.confirm_box: QMessageBox | None = None

        self.toggle = FoldToggle(
            self,
            "cognitoInsightToggle",
            "Show or hide the pool insight",
            "Pool &insight (AWS credentials)",
            "Show or hide the app client's settings and checks (Alt+I)",
        )
        self.toggle.toggled.connect(self._on_toggled)

        self.content = QWidget(self)
        self.content.setObjectName("cognitoInsightContent")
        self._build_content()
        fold_layout(self, self.toggle, self.content)

    # -- building ---------------------------------------------------------------------------
    def _button(self, name: str, text: str, accessible: str, tip: str) -> QPushButton:
        button = QPushButton(text, self.content)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setToolTip(tip)
        return button

    def _value(self, name: str, accessible: str) -> QLabel:
        label = NoteLabel("–", self.content)
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setMargin(metrics.SPACING // 4)  # room inside the highlight of a setting
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _build_content(self) -> None:
        hint = NoteLabel(
            "Reads the app client's settings and the pool's resource servers, signed with AWS "
            "credentials (the AWS profile above, or the default credential chain).",
            self.content,
        )
        hint.setObjectName("cognitoInsightHint")
        hint.setWordWrap(True)
        hint.setProperty("role", "secondary")
        self.describe_button = self._button(
            "cognitoDescribeClient",
            "D&escribe client",
            "Describe the app client",
            "What the app client allows: DescribeUserPoolClient (Alt+E)",
        )
        self.describe_button.clicked.connect(self.sig_describe_requested)
        self.servers_button = self._button(
            "cognitoListResourceServers",
            "Reso&urce servers",
            "List the resource servers",
            "The pool's resource servers and their custom scopes (Alt+U)",
        )
        self.servers_button.clicked.connect(self.sig_servers_requested)
        self.create_button = self._button(
            "cognitoCreateResourceServer",
            "&New resource server…",
            "Create a resource server",
            "Create a resource server with custom scopes and allow them to the app client; "
            "the exact changes are shown for confirmation first (Alt+N)",
        )
        self.create_button.clicked.connect(self.open_create_dialog)
        actions = QWidget(self.content)
        actions.setObjectName("cognitoInsightActions")
        buttons = FlowLayout(actions, metrics.SPACING)  # wraps in a narrow tab
        buttons.addWidget(self.describe_button)
        buttons.addWidget(self.servers_button)
        buttons.addWidget(self.create_button)

        self.flow_combo = QComboBox(self.content)
        self.flow_combo.setObjectName("cognitoInsightFlow")
        self.flow_combo.setAccessibleName("Flow to check")
        self.flow_combo.setToolTip(
            "What would make this flow fail with the app client's settings; it follows the "
            "sign-in flow"
        )
        for flow in FLOW_CHECKS:
            self.flow_combo.addItem(flow, flow)
        self.flow_combo.currentIndexChanged.connect(self._on_flow_changed)

        self.settings_form = QFormLayout()
        self.settings_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.settings_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.settings_form.addRow("Check flow", self.flow_combo)
        self.values: dict[str, QLabel] = {}
        for key, label in SETTING_ROWS:
            value = self._value(f"cognitoInsight_{key}", label)
            self.values[key] = value
            self.settings_form.addRow(label, value)

        self.problems_title = QLabel("", self.content)
        self.problems_title.setObjectName("cognitoInsightProblemsTitle")
        self.problems_title.setAccessibleName("Problems found")
        self.problems_title.setWordWrap(True)
        bold = QFont(self.font())
        bold.setBold(True)
        self.problems_title.setFont(bold)
        self.problems_box = QVBoxLayout()
        self.problems_box.setSpacing(metrics.SPACING // 2)
        self.problem_frames: list[QFrame] = []

        self.servers_title = QLabel("Resource servers", self.content)
        self.servers_title.setObjectName("cognitoInsightServersTitle")
        self.servers_title.setFont(bold)
        self.servers_tree = _servers_tree(self.content)
        self.servers_empty = QLabel("", self.content)
        self.servers_empty.setObjectName("cognitoInsightServersEmpty")
        self.servers_empty.setWordWrap(True)
        for widget in (self.servers_title, self.servers_tree, self.servers_empty):
            widget.hide()
        self.trigger_view = TriggerInsightView(self.content)

        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(metrics.SPACING)
        layout.addWidget(hint)
        layout.addWidget(actions)
        layout.addLayout(self.settings_form)
        layout.addWidget(self.problems_title)
        layout.addLayout(self.problems_box)
        layout.addWidget(self.servers_title)
        layout.addWidget(self.servers_tree)
        layout.addWidget(self.servers_empty)
        layout.addWidget(self.trigger_view)
        self._show_problems()

    # -- state ------------------------------------------------------------------------------
    @property
    def info(self) -> AppClientInfo | None:
        return self._info

    @property
    def servers(self) -> list[ResourceServer] | None:
        return self._servers

    @property
    def problems(self) -> list[Problem]:
        """The problems found for the chosen flow (empty before a description)."""
        return list(self._problems)

    @property
    def check_flow(self) -> str:
        return str(self.flow_combo.currentData())

    def is_expanded(self) -> bool:
        return self.toggle.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        self.toggle.setChecked(expanded)

    def set_busy(self, busy: bool) -> None:
        for button in (self.describe_button, self.servers_button, self.create_button):
            button.setEnabled(not busy)
        self.trigger_view.button.setEnabled(not busy)

    def set_check_flow(self, flow: str) -> None:
        index = self.flow_combo.findData(flow)
        if index >= 0:
            self.flow_combo.setCurrentIndex(index)

    def set_context(
        self,
        *,
        secret_supplied: bool | None,
        has_domain: bool | None,
        scopes: Sequence[str] = (),
    ) -> None:
        """What the checks compare with: a secret given, a domain set, the scopes asked for."""
        context = (secret_supplied, has_domain, tuple(scopes))
        if context == (self._secret_supplied, self._has_domain, self._scopes):
            return
        self._secret_supplied, self._has_domain, self._scopes = context
        self._recheck()

    def clear(self) -> None:
        """Forget what was read (another pool or app client is being edited)."""
        self._info = None
        self._servers = None
        for value in self.values.values():
            value.setText("–")
            set_property(value, "severity", "")
        for widget in (self.servers_title, self.servers_tree, self.servers_empty):
            widget.hide()
        self.servers_tree.clear()
        self.trigger_view.clear()
        self._recheck()

    def keep_only(self, pool: CognitoPool | None) -> None:
        """Forget what was read unless it is about ``pool``'s app client."""
        info = self._info
        if info is not None and (
            pool is None
            or info.client_id != pool.client_id
            or info.user_pool_id != pool.user_pool_id
        ):
            self.clear()

    # -- showing ----------------------------------------------------------------------------
    def show_client(self, info: AppClientInfo) -> None:
        self._info = info
        self.set_expanded(True)
        for key, text in client_settings(info).items():
            self.values[key].setText(text)
        self._recheck()

    def show_servers(self, servers: Sequence[ResourceServer]) -> None:
        self._servers = list(servers)
        self.set_expanded(True)
        self.servers_tree.clear()
        for server in servers:
            top = QTreeWidgetItem([server.identifier, server.name])
            for (_name, description), full in zip(server.scopes, server.scope_names, strict=True):
                top.addChild(QTreeWidgetItem([full, description]))
            self.servers_tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.servers_title.show()
        self.servers_title.setText(f"Resource servers ({len(servers)})")
        self.servers_tree.setVisible(bool(servers))
        self.servers_empty.setVisible(not servers)
        self.servers_empty.setText(
            "No resource servers in this pool: custom scopes need one (New resource server…)."
        )

    def server_scopes(self) -> list[str]:
        """Every listed ``<identifier>/<scope>`` (tests, automation)."""
        return [s for server in self._servers or [] for s in server.scope_names]

    def _recheck(self) -> None:
        info = self._info
        if info is None:
            self._problems = []
        else:
            flow = self.check_flow
            hosted = flow in ("authorization_code", "implicit", "client_credentials")
            self._problems = check_flow(
                info,
                flow,
                secret_supplied=self._secret_supplied,
                scopes=self._scopes if hosted else (),
                has_domain=self._has_domain if hosted else None,
            )
        self.trigger_view.set_context(self.check_flow, self._scopes)
        self._show_problems()

    def _show_problems(self) -> None:
        for frame in self.problem_frames:
            self.problems_box.removeWidget(frame)
            frame.hide()  # out of the layout: never drawn loose until it is deleted
            frame.deleteLater()
        self.problem_frames = []
        info = self._info
        flow = self.check_flow
        worst: dict[str, str] = {}
        for problem in self._problems:
            row = _ROW_FOR.get(problem.setting, problem.setting)
            if worst.get(row) != "error":
                worst[row] = problem.severity
        for key, value in self.values.items():
            set_property(value, "severity", worst.get(key, ""))
        if info is None:
            self.problems_title.setText(
                f"Describe the client to check what would make {flow} fail."
            )
            return
        errors = sum(p.severity == "error" for p in self._problems)
        if not self._problems:
            self.problems_title.setText(f"{flow}: no problem found in the app client's settings.")
            self._add_problem_frame("ok", "✓ No problem found", "", 0)
            return
        count = len(self._problems)
        noun = "problem" if count == 1 else "problems"
        will = " — it will fail" if errors else ""
        self.problems_title.setText(f"{flow}: {count} {noun}{will}")
        for index, problem in enumerate(self._problems):
            self._add_problem_frame(
                problem.severity,
                f"{problem.severity.upper()} · {problem.setting}",
                ui_words(problem.advice),
                index,
            )

    def _add_problem_frame(self, severity: str, head: str, advice: str, index: int) -> None:
        frame = QFrame(self.content)
        frame.setObjectName(f"cognitoInsightProblem{index}")
        frame.setProperty("severity", severity)
        frame.setAccessibleName(head)
        frame.setAccessibleDescription(advice)
        label = QLabel(frame)
        label.setObjectName(f"cognitoInsightProblem{index}Text")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text = f"<b>{html_text(head)}</b>"
        if advice:
            text += f"<br>{html_text(advice)}"
        label.setText(text)
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(
            metrics.BANNER_PADDING,
            metrics.BANNER_PADDING // 2,
            metrics.BANNER_PADDING,
            metrics.BANNER_PADDING // 2,
        )
        inner.addWidget(label)
        self.problems_box.addWidget(frame)
        self.problem_frames.append(frame)

    def problem_texts(self) -> list[str]:
        """``error: ExplicitAuthFlows: …`` for each problem shown (tests, accessibility)."""
        return [str(p) for p in self._problems]

    # -- creating a resource server ---------------------------------------------------------
    def open_create_dialog(self) -> ResourceServerDialog:
        """Ask for the resource server; on OK, :attr:`sig_plan_requested` carries the request."""
        dialog = ResourceServerDialog(self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.create_dialog = dialog
        dialog.accepted.connect(lambda: self.sig_plan_requested.emit(dialog.request()))
        dialog.finished.connect(self._on_create_dialog_finished)
        dialog.open()
        return dialog

    def _on_create_dialog_finished(self, _result: int) -> None:
        self.create_dialog = None

    def ask_to_apply(self, plan: ScopePlan) -> QMessageBox | None:
        """Show the plan's exact changes; Apply emits :attr:`sig_apply_confirmed`.

        Returns the (window-modal) confirmation box, or None when there is nothing to do.
        """
        if plan.nothing_to_do:
            self.servers_empty.setText(
                "Nothing to do: the resource server and the client's scopes are in place."
            )
            self.servers_empty.show()
            return None
        box, apply_button = confirm_box(self.window(), plan)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm_box = box

        def finished(_result: int) -> None:
            self.confirm_box = None
            if box.clickedButton() is apply_button:
                self.sig_apply_confirmed.emit(plan)

        box.finished.connect(finished)
        box.open()
        return box

    # -- slots ------------------------------------------------------------------------------
    def _on_toggled(self, expanded: bool) -> None:
        self.content.setVisible(expanded)
        self.sig_expanded.emit(expanded)

    def _on_flow_changed(self, _index: int) -> None:
        self._recheck()


__all__ = ["PoolInsightPanel"]
