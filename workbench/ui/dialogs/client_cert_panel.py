"""The profile editor's mutual-TLS settings (RFC 8705): the client certificate, its private
key and the CA bundle trusted for the provider, each a file with a chooser.

Below them a line says what the certificate is (subject and ``x5t#S256``) or what is wrong with
the files, checked as soon as a field is left. Only paths are kept: the key stays in its file.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from workbench.core.errors import ConfigError
from workbench.core.profiles import Profile
from workbench.core.transport.client_cert import load_client_certificate
from workbench.ui.safe_text import set_plain
from workbench.ui.theme import set_property

PEM_FILTER = "PEM files (*.pem *.crt *.cer *.key);;All files (*)"


class ClientCertPanel(QWidget):
    """Three file fields (certificate, key, CA bundle) and the verdict on them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileClientCertPanel")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.cert_edit = self._file_row(
            grid, 0, "profileClientCert", "Client certificate", "PEM certificate (optional)"
        )
        self.key_edit = self._file_row(
            grid, 1, "profileClientCertKey", "Certificate key", "its PEM private key, unencrypted"
        )
        self.ca_edit = self._file_row(
            grid, 2, "profileCaBundle", "CA bundle", "PEM CAs trusted for this provider only"
        )
        self.status = QLabel(self)
        self.status.setObjectName("profileClientCertStatus")
        self.status.setWordWrap(True)
        policy = self.status.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
        self.status.setSizePolicy(policy)
        self.status.hide()
        grid.addWidget(self.status, 3, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        for edit in (self.cert_edit, self.key_edit, self.ca_edit):
            edit.editingFinished.connect(self.refresh)

    def _file_row(
        self, grid: QGridLayout, row: int, name: str, label: str, placeholder: str
    ) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(label)
        edit.setPlaceholderText(placeholder)
        browse = QPushButton("Browse…", self)
        browse.setObjectName(name + "Browse")
        browse.setAccessibleName(f"Choose the {label.lower()} file")
        browse.clicked.connect(lambda: self._choose(edit, label))
        grid.addWidget(QLabel(label, self), row, 0)
        grid.addWidget(edit, row, 1)
        grid.addWidget(browse, row, 2)
        return edit

    def _choose(self, edit: QLineEdit, label: str) -> None:
        start = os.path.dirname(edit.text()) if edit.text() else ""
        path, _ = QFileDialog.getOpenFileName(
            self, f"Choose the {label.lower()}", start, PEM_FILTER
        )
        if path:
            edit.setText(path)
            self.refresh()

    # -- values ----------------------------------------------------------------------------
    def load(self, profile: Profile) -> None:
        self.cert_edit.setText(profile.client_cert)
        self.key_edit.setText(profile.client_cert_key)
        self.ca_edit.setText(profile.ca_bundle)
        self.refresh()

    def values(self) -> tuple[str, str, str]:
        """(certificate, key, CA bundle) paths as entered."""
        return (
            self.cert_edit.text().strip(),
            self.key_edit.text().strip(),
            self.ca_edit.text().strip(),
        )

    def ca_bundle(self) -> str | None:
        return self.values()[2] or None

    def problem(self) -> str | None:
        """Why these files cannot be used, or None (also None when none is given)."""
        cert, key, ca = self.values()
        if ca and not (os.path.isfile(ca) and os.access(ca, os.R_OK)):
            return f"The CA bundle {ca} is not a readable file."
        if not cert and not key:
            return None
        if not cert or not key:
            return "A client certificate needs its private key, and a key its certificate."
        try:
            load_client_certificate(cert, key)
        except ConfigError as exc:
            return str(exc)
        return None

    def problems(self) -> list[tuple[QWidget, str]]:
        """The profile editor's form of :meth:`problem`: (the field to fix, why)."""
        problem = self.problem()
        return [(self.cert_edit, problem)] if problem else []

    def refresh(self) -> None:
        """Say what the certificate is, or what is wrong with the files."""
        cert, key, _ = self.values()
        problem = self.problem()
        set_property(self.status, "kind", "warning" if problem else "")
        if problem:
            set_plain(self.status, problem)
        elif cert and key:
            made = load_client_certificate(cert, key)
            expires = made.not_after.strftime("%Y-%m-%d")
            set_plain(
                self.status,
                f"{made.subject} · x5t#S256 {made.thumbprint} · valid until {expires}."
                " Offered in every TLS handshake with this provider; tls_client_auth and"
                " self_signed_tls_client_auth authenticate with it.",
            )
        else:
            self.status.clear()
        self.status.setVisible(bool(self.status.text()))
