"""The pool form: saved pools, the user pool and app client ids, the region, the client secret,
the AWS access settings (folded to a summary line) and what follows from them (issuer, JWKS URL,
what is wrong with the fields).

The form only shows and edits; the tab reads it (:meth:`PoolForm.pool`), saves and loads pools
through its store, and tells the form what the fields amount to.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QWidget,
)

from workbench.core.cognito.pool import CognitoPool
from workbench.ui import metrics
from workbench.ui.cognito.parts import KEY, button, form_group, line, note
from workbench.ui.widgets.copy_field import CopyField


class PoolForm(QGroupBox):
    """User pool and app client: the fields a :class:`CognitoPool` is made of (but the domain)."""

    sig_edited = Signal()
    """A field that makes up the pool changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("User pool and app client", parent)
        form = form_group(self, "PoolGroup")
        self.form = form
        self.saved_combo = QComboBox(self)
        self.saved_combo.setObjectName(f"{KEY}_savedPools")
        self.saved_combo.setAccessibleName("Saved pools")
        self.saved_combo.setToolTip("A saved pool fills the fields below")
        self.saved_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.saved_combo.setMinimumContentsLength(metrics.COGNITO_SAVED_PICKER_MIN_CHARS)
        self.save_button = button(
            self,
            "SavePool",
            "&Save",
            "Save this pool",
            "Save the pool under its name; the client secret goes to the keyring (Alt+S)",
        )
        self.delete_button = button(
            self, "DeletePool", "&Delete", "Delete the saved pool", "Delete the saved pool (Alt+D)"
        )
        saved_row = QHBoxLayout()
        saved_row.setSpacing(metrics.SPACING)
        saved_row.addWidget(self.saved_combo, 1)
        saved_row.addWidget(self.save_button)
        saved_row.addWidget(self.delete_button)
        form.addRow("Saved pools", saved_row)

        self.name_edit = line(self, form, "name", "Name", "to save the pool, e.g. Staging users")
        self.pool_id_edit = line(
            self, form, "userPoolId", "User pool ID", "e.g. eu-west-1_AbC123 (it names the region)"
        )
        self.region_edit = line(self, form, "region", "Region", "optional: from the pool ID")
        self.client_id_edit = line(self, form, "clientId", "App client ID")
        self.secret_edit = line(
            self,
            form,
            "clientSecret",
            "Client secret",
            "only for an app client with a secret",
            "Kept in the keyring when the pool is saved, never in the file",
        )
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self._build_access()

        for edit in (
            self.name_edit,
            self.pool_id_edit,
            self.region_edit,
            self.client_id_edit,
            self.secret_edit,
            self.profile_edit,
            self.endpoint_edit,
        ):
            edit.textChanged.connect(self.sig_edited)
        self.verify_tls_check.toggled.connect(self.sig_edited)
        self.sig_edited.connect(self._update_access_summary)

        self.pool_problem = note(self, "poolProblem", secondary=False)
        self.pool_problem.setAccessibleName("What is wrong with the pool fields")
        self.pool_problem.setProperty("kind", "warning")
        self.pool_problem.hide()
        form.addRow("", self.pool_problem)
        self.issuer_field = CopyField(f"{KEY}_issuer", "Issuer", self)
        self.jwks_field = CopyField(f"{KEY}_jwksUrl", "JWKS URL", self)
        form.addRow("Issuer", self.issuer_field)
        form.addRow("JWKS URL", self.jwks_field)
        self._update_access_summary()

    def _build_access(self) -> None:
        """AWS access: folded to a summary line, since the defaults fit most pools."""
        form = self.form
        self.access_toggle = QToolButton(self)
        self.access_toggle.setObjectName(f"{KEY}_accessToggle")
        self.access_toggle.setAccessibleName("Show the AWS access settings")
        self.access_toggle.setToolTip("AWS profile, endpoint URL, TLS verification")
        self.access_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.access_toggle.setCheckable(True)
        self.access_toggle.setAutoRaise(True)
        self.access_toggle.toggled.connect(self._on_access_toggled)
        self.access_summary = note(self, "accessSummary")
        self.access_summary.setAccessibleName("AWS access settings")
        access_row = QHBoxLayout()
        access_row.setSpacing(metrics.SPACING // 2)
        access_row.addWidget(self.access_toggle, 0, Qt.AlignmentFlag.AlignTop)
        access_row.addWidget(self.access_summary, 1)
        form.addRow("AWS access", access_row)
        self.profile_edit = line(
            self,
            form,
            "awsProfile",
            "AWS profile",
            "optional: the default credential chain",
            "Signs the admin calls: ADMIN_USER_PASSWORD_AUTH and the pool insight",
        )
        self.endpoint_edit = line(
            self,
            form,
            "endpointUrl",
            "Endpoint URL",
            "optional: an emulator, e.g. http://127.0.0.1:5000",
            "Where cognito-idp API calls go instead of AWS (moto, LocalStack)",
        )
        self.verify_tls_check = QCheckBox("Verify TLS certificates", self)
        self.verify_tls_check.setObjectName(f"{KEY}_verifyTls")
        self.verify_tls_check.setAccessibleName("Verify TLS certificates")
        self.verify_tls_check.setChecked(True)
        form.addRow("", self.verify_tls_check)
        self._access_rows = (self.profile_edit, self.endpoint_edit, self.verify_tls_check)
        for widget in self._access_rows:
            form.setRowVisible(widget, False)

    def focus_chain(self) -> list[QWidget]:
        """The fields in the order Tab moves through them."""
        return [
            self.saved_combo,
            self.save_button,
            self.delete_button,
            self.name_edit,
            self.pool_id_edit,
            self.region_edit,
            self.client_id_edit,
            self.secret_edit,
            self.access_toggle,
            self.profile_edit,
            self.endpoint_edit,
            self.verify_tls_check,
        ]

    # -- reading and filling ----------------------------------------------------------------
    def pool(self, domain: str) -> CognitoPool:
        """The pool as the fields describe it, with ``domain`` (ConfigError when they cannot)."""
        secret = self.secret_edit.text().strip()
        return CognitoPool(
            region=self.region_edit.text(),
            user_pool_id=self.pool_id_edit.text(),
            client_id=self.client_id_edit.text(),
            client_secret=secret or None,
            domain=domain,
            aws_profile=self.profile_edit.text().strip(),
            endpoint_url=self.endpoint_edit.text(),
            name=self.name_edit.text().strip(),
            verify_tls=self.verify_tls_check.isChecked(),
        )

    def fill(self, pool: CognitoPool) -> None:
        """The fields from ``pool`` (all but its domain, which the hosted panel shows)."""
        self.name_edit.setText(pool.name)
        self.pool_id_edit.setText(pool.user_pool_id)
        self.region_edit.setText(pool.region)
        self.client_id_edit.setText(pool.client_id)
        self.secret_edit.setText(pool.client_secret or "")
        self.profile_edit.setText(pool.aws_profile)
        self.endpoint_edit.setText(pool.endpoint_url)
        self.verify_tls_check.setChecked(pool.verify_tls)

    def list_saved(self, names: list[str], current: str | None) -> None:
        """The saved pools' names in the picker, ``current`` chosen (else "(not saved)")."""
        self.saved_combo.clear()
        self.saved_combo.addItem("(not saved)", None)
        for name in names:
            self.saved_combo.addItem(name, name)
        index = self.saved_combo.findData(current) if current else 0
        self.saved_combo.setCurrentIndex(max(index, 0))
        self.delete_button.setEnabled(self.saved_combo.currentData() is not None)

    # -- showing ----------------------------------------------------------------------------
    def show_derived(self, pool: CognitoPool | None) -> None:
        """The issuer and JWKS URL of ``pool`` (None: the fields name no pool yet)."""
        self.issuer_field.set_text(pool.issuer if pool is not None else "")
        self.jwks_field.set_text(pool.jwks_url if pool is not None else "")

    def show_problem(self, message: str) -> None:
        """What is wrong with the fields, under them."""
        self.pool_problem.setText(message)
        self.pool_problem.show()

    def reveal_access(self) -> None:
        """Unfold the AWS access rows (one of their fields is at fault)."""
        self.access_toggle.setChecked(True)

    def _on_access_toggled(self, shown: bool) -> None:
        self.access_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        for widget in self._access_rows:
            self.form.setRowVisible(widget, shown)

    def _update_access_summary(self) -> None:
        profile = self.profile_edit.text().strip()
        endpoint = self.endpoint_edit.text().strip()
        parts = [
            f"AWS profile {profile}" if profile else "default AWS credentials",
            f"endpoint {endpoint}" if endpoint else "AWS endpoint",
            "TLS verified" if self.verify_tls_check.isChecked() else "TLS NOT verified",
        ]
        self.access_summary.setText(" · ".join(parts))


__all__ = ["PoolForm"]
