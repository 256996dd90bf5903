"""The pool insight's pre-token-generation trigger: which version is attached, what it reaches,
and what it cannot do for the chosen flow and scopes.

:class:`TriggerInsightView` sits in the pool insight panel. Its button asks for DescribeUserPool
(:attr:`TriggerInsightView.sig_requested`; the Cognito tab runs it in a worker with AWS
credentials) and :meth:`TriggerInsightView.show_trigger` shows the
:class:`~workbench.core.cognito.triggers.PreTokenTriggerConfig` that comes back; the flags follow
the flow and scopes at once (:func:`~workbench.core.cognito.triggers.trigger_problems`, pure).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.core.cognito.admin import Problem
from workbench.core.cognito.triggers import PreTokenTriggerConfig, trigger_problems
from workbench.core.display import printable
from workbench.core.hints import worded
from workbench.ui import metrics
from workbench.ui.theme import set_property

__all__ = ["TriggerInsightView"]


class TriggerInsightView(QWidget):
    """The pool's pre token generation trigger, in words, with its flags."""

    sig_requested = Signal()
    """Read the pool's trigger (DescribeUserPool)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cognitoTriggerInsight")
        self.config: PreTokenTriggerConfig | None = None
        self.flow = ""
        self.scopes: tuple[str, ...] = ()
        self.problems: list[Problem] = []
        self.button = QPushButton("Pre-token &trigger", self)
        self.button.setObjectName("cognitoReadTrigger")
        self.button.setAccessibleName("Read the pre token generation trigger")
        self.button.setToolTip(
            "The pool's pre token generation Lambda trigger and what it can change in which "
            "token: DescribeUserPool (Alt+T)"
        )
        self.button.clicked.connect(self.sig_requested)
        self.summary = QLabel("", self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setObjectName("cognitoTriggerSummary")
        self.summary.setAccessibleName("Pre token generation trigger")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.flags = QLabel("", self)
        self.flags.setObjectName("cognitoTriggerFlags")
        self.flags.setAccessibleName("What the trigger cannot do for this flow")
        self.flags.setWordWrap(True)
        self.flags.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(metrics.SPACING // 2)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.summary)
        layout.addWidget(self.flags)
        self.summary.hide()
        self.flags.hide()

    def set_context(self, flow: str, scopes: Sequence[str]) -> None:
        """The flow being checked and the scopes asked for: the flags follow."""
        self.flow, self.scopes = flow, tuple(scopes)
        self._recheck()

    def show_trigger(self, config: PreTokenTriggerConfig) -> None:
        self.config = config
        if config.attached:
            head = f"{config.version} trigger: {config.function_arn}"
        else:
            head = f"Pool {config.user_pool_id}: no pre token generation trigger."
        lines = [head, *config.reaches()] if config.attached else config.reaches()
        if config.attached:
            lines.append(f"Feature plan: {config.plan_name}.")
        self.summary.setText("\n".join(printable(line) for line in lines))  # ARN: the server's
        self.summary.show()
        self._recheck()

    def keep_only(self, user_pool_id: str | None) -> None:
        """Forget what was read unless it is about the pool ``user_pool_id``."""
        if self.config is not None and self.config.user_pool_id != user_pool_id:
            self.clear()

    def clear(self) -> None:
        self.config = None
        self.summary.hide()
        self._recheck()

    def _recheck(self) -> None:
        config = self.config
        self.problems = trigger_problems(config, self.flow, self.scopes) if config else []
        text = "\n".join(f"{p.severity}: {worded(p.advice)}" for p in self.problems)
        self.flags.setText(text)
        worst = "error" if any(p.severity == "error" for p in self.problems) else "warning"
        set_property(self.flags, "severity", worst if self.problems else "")
        self.flags.setVisible(bool(self.problems))
