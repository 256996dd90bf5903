"""Resource owner password credentials (RFC 6749 §4.3) — legacy, for testing old systems."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLineEdit

from workbench.core.oauth.rfc6749_grants import PASSWORD_WARNING
from workbench.ui.flows.direct import DirectGrantTab


class PasswordTab(DirectGrantTab):
    """The client sends the user's name and password; ``invalid_grant`` means wrong ones."""

    title = "Password (legacy)"
    key = "password"
    legacy_warning = PASSWORD_WARNING
    origin = "password"

    def build_params(self) -> None:
        self.username_edit = self.add_line("username", "Username", "e.g. alice")
        self.password_edit = self.add_line("password", "Password", "")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_password = QCheckBox("Show password", self)
        self.show_password.setObjectName(f"{self.key}_showPassword")
        self.show_password.setAccessibleName("Show password")
        self.show_password.toggled.connect(self._on_show_password)
        self.form.addRow("", self.show_password)
        super().build_params()

    def run(self) -> None:
        session = self.state.require_session()
        username = self.username_edit.text().strip()
        who = username or "(no username)"
        self.run_in_worker(
            session.password,
            username,
            self.password_edit.text(),
            step=f"Requesting a token with {who}'s password…",
            on_returned=self._on_tokens,
            **self.request_args(),
        )

    def _on_show_password(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.password_edit.setEchoMode(mode)


__all__ = ["PasswordTab"]
