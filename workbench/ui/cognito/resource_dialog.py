"""The dialog that asks for a resource server to create (or add scopes to): its identifier, name
and scopes, and whether the app client becomes a client-credentials client; and the box that
shows the resulting plan's exact changes for confirmation.

:class:`~workbench.ui.cognito.insight.PoolInsightPanel` opens it; its
:class:`ResourceServerRequest` goes to the tab, which plans the change in a worker
(:meth:`workbench.core.cognito.admin.CognitoPoolAdmin.plan_custom_scopes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.cognito.admin import ScopePlan
from workbench.ui import metrics
from workbench.ui.safe_text import html_text

_SCOPE_SPLIT = re.compile(r"[\n,]+")


def parse_scopes(text: str) -> tuple[tuple[str, str], ...]:
    """``read = Read the API`` lines (or commas) as (name, description); no description: the
    name."""
    scopes: list[tuple[str, str]] = []
    for item in _SCOPE_SPLIT.split(text):
        name, _, description = item.partition("=")
        name = name.strip()
        if name:
            scopes.append((name, description.strip() or name))
    return tuple(scopes)


@dataclass(frozen=True)
class ResourceServerRequest:
    """What the person asked for: a resource server and its scopes."""

    identifier: str
    name: str
    scopes: tuple[tuple[str, str], ...]
    client_credentials: bool = False


class ResourceServerDialog(QDialog):
    """Identifier, name and scopes of a resource server to create (or add scopes to)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cognitoResourceServerDialog")
        self.setWindowTitle("New resource server")
        self.setAccessibleName("New resource server")
        self.setMinimumWidth(metrics.text_width(self, metrics.RESOURCE_DIALOG_MIN_CHARS))
        intro = QLabel(
            "Custom scopes belong to a resource server of the pool; tokens carry them as "
            "<code>&lt;identifier&gt;/&lt;scope&gt;</code>. The next step shows exactly what "
            "would change, and nothing changes until you confirm.",
            self,
        )
        intro.setObjectName("cognitoResourceServerIntro")
        intro.setWordWrap(True)
        self.identifier_edit = QLineEdit(self)
        self.identifier_edit.setObjectName("cognitoResourceServerIdentifier")
        self.identifier_edit.setAccessibleName("Resource server identifier")
        self.identifier_edit.setPlaceholderText("e.g. https://api.example.com or api")
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("cognitoResourceServerName")
        self.name_edit.setAccessibleName("Resource server name")
        self.name_edit.setPlaceholderText("optional: the identifier")
        self.scopes_edit = QPlainTextEdit(self)
        self.scopes_edit.setObjectName("cognitoResourceServerScopes")
        self.scopes_edit.setAccessibleName("Scopes")
        self.scopes_edit.setPlaceholderText("one per line: name = description\nread = Read the API")
        self.scopes_edit.setTabChangesFocus(True)
        margin = round(2 * self.scopes_edit.document().documentMargin())
        chrome = 2 * self.scopes_edit.frameWidth() + margin
        self.scopes_edit.setFixedHeight(
            metrics.line_height(self.scopes_edit, metrics.SCOPES_EDIT_LINES) + chrome
        )
        self.client_credentials_check = QCheckBox(
            "Also make the app client a client-credentials client", self
        )
        self.client_credentials_check.setObjectName("cognitoResourceServerClientCredentials")
        self.client_credentials_check.setAccessibleName(
            "Also make the app client a client-credentials client"
        )
        self.client_credentials_check.setToolTip(
            "AllowedOAuthFlows becomes client_credentials only: Cognito does not combine it "
            "with the code or implicit grant on one app client."
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Identifier", self.identifier_edit)
        form.addRow("Name", self.name_edit)
        form.addRow("Scopes", self.scopes_edit)
        form.addRow("", self.client_credentials_check)
        self.buttons = QDialogButtonBox(self)
        self.buttons.setObjectName("cognitoResourceServerButtons")
        self.plan_button = self.buttons.addButton(
            "Show the changes…", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.plan_button.setObjectName("cognitoResourceServerPlan")
        self.plan_button.setAccessibleName("Show the changes before making them")
        self.plan_button.setDefault(True)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("cognitoResourceServerCancel")
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(metrics.SPACING)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.identifier_edit.textChanged.connect(self._on_edited)
        self.scopes_edit.textChanged.connect(self._on_edited)
        self._on_edited()

    def request(self) -> ResourceServerRequest:
        return ResourceServerRequest(
            self.identifier_edit.text().strip(),
            self.name_edit.text().strip(),
            parse_scopes(self.scopes_edit.toPlainText()),
            self.client_credentials_check.isChecked(),
        )

    def _on_edited(self) -> None:
        request = self.request()
        self.plan_button.setEnabled(bool(request.identifier and request.scopes))

    def accept(self) -> None:
        if self.plan_button.isEnabled():
            super().accept()


def confirm_box(parent: QWidget, plan: ScopePlan) -> tuple[QMessageBox, QPushButton]:
    """The (not yet opened) box that shows ``plan``'s exact changes, Cancel by default; and
    its Apply button."""
    box = QMessageBox(parent)
    box.setObjectName("cognitoConfirmPlan")
    box.setAccessibleName("Confirm the changes to the user pool")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Change the user pool?")
    box.setTextFormat(Qt.TextFormat.RichText)
    steps = "".join(f"<li>{html_text(step)}</li>" for step in plan.steps())
    notes = "".join(f"<li>{html_text(note)}</li>" for note in plan.warnings)
    text = f"<b>This will change {html_text(plan.user_pool_id)}:</b><ul>{steps}</ul>"
    if notes:
        text += f"<b>Note:</b><ul>{notes}</ul>"
    box.setText(text)
    box.setInformativeText("Nothing has changed yet.")
    label = box.findChild(QLabel, "qt_msgbox_label")  # QMessageBox's own text label
    if label is not None:  # wide enough for the steps to read as sentences
        label.setMinimumWidth(metrics.text_width(label, metrics.CONFIRM_TEXT_MIN_CHARS))
    apply_button = box.addButton("Apply changes", QMessageBox.ButtonRole.AcceptRole)
    apply_button.setObjectName("cognitoConfirmApply")
    apply_button.setAccessibleName("Apply the changes")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setObjectName("cognitoConfirmCancel")
    cancel.setAccessibleName("Cancel: change nothing")
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box, apply_button


__all__ = ["ResourceServerDialog", "ResourceServerRequest", "confirm_box", "parse_scopes"]
