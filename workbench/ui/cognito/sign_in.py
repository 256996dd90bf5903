"""The sign-in section (API door): the flow, the username and password, and the SECRET_HASH
with its inputs. The tab runs the sign-in and asks the challenges
(:mod:`workbench.ui.cognito.challenge_dialog`)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QComboBox, QGroupBox, QLineEdit, QWidget

from workbench.core.cognito.auth import AuthFlow
from workbench.core.cognito.pool import CognitoPool, SecretHash
from workbench.ui.cognito.parts import KEY, form_group, line, note

#: The sign-in flows, what each one needs, in the order of the combo box.
FLOW_HINTS: dict[str, str] = {
    "USER_PASSWORD_AUTH": (
        "InitiateAuth with the password; the app client needs ALLOW_USER_PASSWORD_AUTH."
    ),
    "ADMIN_USER_PASSWORD_AUTH": (
        "AdminInitiateAuth, signed with AWS credentials (the AWS profile, or the default "
        "chain); the app client needs ALLOW_ADMIN_USER_PASSWORD_AUTH."
    ),
    "USER_SRP_AUTH": (
        "Secure Remote Password: the password never leaves this machine; the app client "
        "needs ALLOW_USER_SRP_AUTH."
    ),
}


class SignInSection(QGroupBox):
    """Flow, username, password and the SECRET_HASH they make with the pool."""

    sig_edited = Signal()
    """The username changed (the SECRET_HASH follows it)."""
    sig_flow_changed = Signal(str)
    """Another sign-in flow was chosen (its name)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sign in (API door)", parent)
        form = form_group(self, "SignInGroup")
        self.flow_combo = QComboBox(self)
        self.flow_combo.setObjectName(f"{KEY}_flow")
        self.flow_combo.setAccessibleName("Authentication flow")
        for flow, hint in FLOW_HINTS.items():
            self.flow_combo.addItem(flow, flow)
            self.flow_combo.setItemData(
                self.flow_combo.count() - 1, hint, Qt.ItemDataRole.ToolTipRole
            )
        self.flow_combo.currentIndexChanged.connect(self._on_flow_changed)
        form.addRow("Flow", self.flow_combo)
        self.flow_hint = note(self, "flowHint")
        form.addRow("", self.flow_hint)
        self.username_edit = line(self, form, "username", "Username")
        self.username_edit.textChanged.connect(self.sig_edited)
        self.password_edit = line(self, form, "password", "Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_hash_label = note(self, "secretHash", secondary=False)
        self.secret_hash_label.setAccessibleName("How the SECRET_HASH is computed")
        self.secret_hash_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.secret_hash_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("SECRET_HASH", self.secret_hash_label)
        self._on_flow_changed(0)

    def focus_chain(self) -> list[QWidget]:
        """The fields in the order Tab moves through them."""
        return [self.flow_combo, self.username_edit, self.password_edit]

    @property
    def flow(self) -> str:
        return str(self.flow_combo.currentData())

    @property
    def auth_flow(self) -> AuthFlow:
        """The chosen flow as the core names it."""
        flow = self.flow
        if flow == "ADMIN_USER_PASSWORD_AUTH":
            return "ADMIN_USER_PASSWORD_AUTH"
        if flow == "USER_SRP_AUTH":
            return "USER_SRP_AUTH"
        return "USER_PASSWORD_AUTH"

    @property
    def username(self) -> str:
        return self.username_edit.text().strip()

    def show_secret_hash(self, pool: CognitoPool | None) -> None:
        """How the SECRET_HASH is computed for ``pool`` and the username (or why none is)."""
        if pool is None or not pool.has_secret:
            self.secret_hash_label.setText("not sent: no client secret is given here")
            return
        if not pool.client_id:
            self.secret_hash_label.setText("needs the app client ID")
            return
        hashed = pool.secret_hash(self.username or "<username>")
        assert hashed is not None
        self.secret_hash_label.setText(hashed.explain())

    def show_sent(self, hashed: SecretHash | None) -> None:
        """The SECRET_HASH a call really sent (nothing when it sent none)."""
        if hashed is not None:
            self.secret_hash_label.setText(f"{hashed.explain()}  (sent)")

    def _on_flow_changed(self, _index: int) -> None:
        self.flow_hint.setText(FLOW_HINTS.get(self.flow, ""))
        self.sig_flow_changed.emit(self.flow)


__all__ = ["FLOW_HINTS", "SignInSection"]
