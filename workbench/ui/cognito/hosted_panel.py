"""The hosted door: the pool's domain, its /oauth2 endpoints, the scope to ask them for, and the
button that makes them the provider of the other tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget

from workbench.core.cognito.pool import CognitoPool
from workbench.ui import metrics
from workbench.ui.cognito.parts import KEY, button, form_group, line, note
from workbench.ui.widgets.copy_field import CopyField

HOSTED_HINT = (
    "Makes the pool's hosted /oauth2 endpoints the app's provider: the Authorization Code, "
    "Client Credentials (scope <resource-server>/<scope>) and Refresh tabs then run the hosted "
    "door."
)


class HostedPanel(QGroupBox):
    """Domain, hosted endpoints, scope and "Use hosted endpoints as the provider"."""

    sig_edited = Signal()
    """The domain or the scope changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Hosted door (OAuth 2.0 endpoints)", parent)
        form = form_group(self, "HostedGroup")
        self.domain_edit = line(
            self, form, "domain", "Domain", "a prefix, a host or an https:// URL (App integration)"
        )
        self.domain_edit.textChanged.connect(self.sig_edited)
        self.hosted_field = CopyField(
            f"{KEY}_hostedEndpoints",
            "Hosted endpoints",
            self,
            multiline=True,
            lines=metrics.COGNITO_HOSTED_LINES,
        )
        self.hosted_none = note(self, "noHostedEndpoints")
        self.hosted_none.setAccessibleName("Hosted endpoints")
        hosted_box = QVBoxLayout()
        hosted_box.setContentsMargins(0, 0, 0, 0)
        hosted_box.addWidget(self.hosted_field)
        hosted_box.addWidget(self.hosted_none)
        form.addRow("Endpoints", hosted_box)
        self.domain_problem = note(self, "domainProblem", secondary=False)
        self.domain_problem.setAccessibleName("What is wrong with the domain")
        self.domain_problem.setProperty("kind", "warning")
        self.domain_problem.hide()
        form.addRow("", self.domain_problem)

        self.scope_edit = line(
            self,
            form,
            "hostedScope",
            "Scope",
            "e.g. openid email, or <resource-server>/<scope>",
        )
        self.scope_edit.setAccessibleName("Scope for the hosted door")
        self.scope_edit.textChanged.connect(self.sig_edited)
        self.hosted_button = button(
            self,
            "UseHosted",
            "Use hosted endpoints as the &provider",
            "Use the hosted endpoints as the provider",
            "Make the pool's hosted /oauth2 endpoints the provider of the other tabs (Alt+P)",
        )
        hosted_hint = note(self, "hostedHint", HOSTED_HINT)
        use_box = QVBoxLayout()
        use_box.setSpacing(metrics.SPACING // 2)
        use_box.addWidget(self.hosted_button, 0, Qt.AlignmentFlag.AlignLeft)
        use_box.addWidget(hosted_hint)
        form.addRow("", use_box)

    def focus_chain(self) -> list[QWidget]:
        """The fields in the order Tab moves through them."""
        return [self.domain_edit, self.scope_edit, self.hosted_button]

    @property
    def domain(self) -> str:
        return self.domain_edit.text()

    @property
    def scope(self) -> str:
        return self.scope_edit.text().strip()

    def show_problem(self, message: str) -> None:
        self.domain_problem.setText(message)
        self.domain_problem.show()

    def show_endpoints(self, pool: CognitoPool | None) -> None:
        """The hosted endpoints of ``pool`` (None: the fields make no pool), or why there are
        none; the button is enabled when there are endpoints and an app client to use them."""
        endpoints = ""
        if pool is not None and pool.domain and (pool.region or "." in pool.domain):
            endpoints = "\n".join(pool.hosted_endpoints().values())
        self.hosted_field.set_text(endpoints)
        self.hosted_field.setVisible(bool(endpoints))
        self.hosted_none.setVisible(not endpoints)
        if not self.domain_edit.text().strip():
            text = "none: the hosted /oauth2 endpoints exist only once the pool has a domain"
        elif pool is not None:
            text = "a domain prefix needs the region (or the user pool ID)"
        else:
            text = "–"
        self.hosted_none.setText(text)
        self.hosted_button.setEnabled(bool(pool is not None and endpoints and pool.client_id))


__all__ = ["HOSTED_HINT", "HostedPanel"]
