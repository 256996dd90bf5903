"""The profile editor's client-assertion settings (client_secret_jwt, private_key_jwt).

For ``private_key_jwt``: where the private key is (a PEM file, chosen or generated, or the
keyring), its key id and algorithm, and "Copy public JWKS" to register the client with the
server. For ``client_secret_jwt``: the HMAC algorithm. For both: what the assertion's ``aud``
is. The private key is never shown: the panel says its type and key id only.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.keys import GENERATED_ALGS, SigningKey, generate_key, write_key_file
from workbench.core.oauth.client_auth import (
    ASSERTION_AUDIENCES,
    CLIENT_AUTH_METHODS,
    ClientKey,
)
from workbench.core.profiles import CLIENT_KEY_SECRET, Profile
from workbench.core.secrets import SecretStore
from workbench.ui.safe_text import set_plain

KEY_FILE, KEY_KEYRING = "file", "keyring"
AUDIENCE_WORDS = {
    "endpoint": "the endpoint's URL (token, revocation, …)",
    "issuer": "the issuer",
}
DEFAULT_ALG = "(the key's own)"
#: The form's first rows, shown for private_key_jwt only.
KEY_ROWS = 4


class ClientKeyPanel(QGroupBox):
    """The client assertion's settings; shown for the methods that sign one."""

    def __init__(self, secrets: SecretStore, parent: QWidget | None = None) -> None:
        super().__init__("Client assertion (RFC 7523)", parent)
        self.setObjectName("profileClientAssertion")
        self.secrets = secrets
        self.method: str | None = None
        #: A key generated for the keyring, kept until the profile is saved.
        self._pending_pem: str | None = None
        self._profile_name = ""

        self.source_combo = QComboBox(self)
        self.source_combo.setObjectName("profileKeySource")
        self.source_combo.setAccessibleName("Where the private key is kept")
        self.source_combo.addItem("a PEM file", KEY_FILE)
        self.source_combo.addItem("the system keyring", KEY_KEYRING)
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("profileKeyFile")
        self.file_edit.setAccessibleName("Private key file")
        self.file_edit.setPlaceholderText("/path/to/client-key.pem")
        self.choose_button = QPushButton("Choose…", self)
        self.choose_button.setObjectName("profileKeyChoose")
        self.choose_button.clicked.connect(self._on_choose)
        self.generate_alg = QComboBox(self)
        self.generate_alg.setObjectName("profileKeyGenerateAlg")
        self.generate_alg.setAccessibleName("Algorithm of a generated key")
        for alg in GENERATED_ALGS:
            self.generate_alg.addItem(alg, alg)
        self.generate_button = QPushButton("Generate key…", self)
        self.generate_button.setObjectName("profileKeyGenerate")
        self.generate_button.setToolTip(
            "Make a new private key: written to a file (readable by you only) or kept in the"
            " keyring, as chosen above"
        )
        self.generate_button.clicked.connect(self._on_generate)
        self.kid_edit = QLineEdit(self)
        self.kid_edit.setObjectName("profileKeyId")
        self.kid_edit.setAccessibleName("Key id")
        self.kid_edit.setPlaceholderText("the key's RFC 7638 thumbprint")
        self.alg_combo = QComboBox(self)
        self.alg_combo.setObjectName("profileAssertionAlg")
        self.alg_combo.setAccessibleName("Client assertion algorithm")
        self.audience_combo = QComboBox(self)
        self.audience_combo.setObjectName("profileAssertionAudience")
        self.audience_combo.setAccessibleName("Client assertion audience")
        for audience in ASSERTION_AUDIENCES:
            self.audience_combo.addItem(AUDIENCE_WORDS[audience], audience)
        self.copy_button = QPushButton("Copy public JWKS", self)
        self.copy_button.setObjectName("profileCopyJwks")
        self.copy_button.setToolTip("The public key set to register the client with the server")
        self.copy_button.clicked.connect(self.copy_jwks)
        self.status = QLabel("", self)
        self.status.setObjectName("profileKeyStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        policy = self.status.sizePolicy()  # the row's width, not its narrow hint, to wrap in
        policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
        self.status.setSizePolicy(policy)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)
        generate_row = QHBoxLayout()
        generate_row.addWidget(self.generate_alg)
        generate_row.addWidget(self.generate_button)
        generate_row.addStretch(1)
        generate_row.addWidget(self.copy_button)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.addRow("Private key in", self.source_combo)
        self.form.addRow("Key file", file_row)
        self.form.addRow("New key", generate_row)
        self.form.addRow("Key id (kid)", self.kid_edit)
        self.form.addRow("Algorithm", self.alg_combo)
        self.form.addRow("Audience (aud)", self.audience_combo)
        self.form.addRow("", self.status)
        self.source_combo.currentIndexChanged.connect(self._on_source_changed)
        self.file_edit.editingFinished.connect(self.refresh_status)
        self.kid_edit.editingFinished.connect(self.refresh_status)
        self.alg_combo.currentIndexChanged.connect(self.refresh_status)
        self.set_method(None)

    # -- what is shown ------------------------------------------------------------------
    def set_method(self, method: str | None) -> None:
        """Show the settings of ``method`` (hidden for methods that sign nothing)."""
        self.method = method
        registered = CLIENT_AUTH_METHODS.get(method or "")
        signs = registered is not None and bool(registered.algs)
        self.setVisible(signs)
        needs_key = registered is not None and registered.needs_key
        for row in range(KEY_ROWS):  # where the key is, the file, a new key, the kid
            self.form.setRowVisible(row, needs_key)
        self.copy_button.setVisible(needs_key)
        chosen = self.alg_combo.currentData()
        self.alg_combo.clear()
        if needs_key:
            self.alg_combo.addItem(DEFAULT_ALG, None)
        for alg in registered.algs if registered is not None else ():
            self.alg_combo.addItem(alg, alg)
        self.alg_combo.setCurrentIndex(max(self.alg_combo.findData(chosen), 0))
        self._on_source_changed()

    def _on_source_changed(self) -> None:
        in_file = self.source_combo.currentData() == KEY_FILE
        self.file_edit.setEnabled(in_file)
        self.choose_button.setEnabled(in_file)
        self.refresh_status()

    def _needs_key(self) -> bool:
        registered = CLIENT_AUTH_METHODS.get(self.method or "")
        return registered is not None and registered.needs_key

    # -- the key ------------------------------------------------------------------------
    def client_key(self) -> ClientKey | None:
        """Where the key is, as entered (None: no key given)."""
        kid = self.kid_edit.text().strip() or None
        if self.source_combo.currentData() == KEY_KEYRING:
            pem = self._pending_pem or (
                self.secrets.get(self._profile_name, CLIENT_KEY_SECRET)
                if self._profile_name
                else None
            )
            return ClientKey(pem=pem, kid=kid, in_keyring=True) if pem else None
        path = self.file_edit.text().strip()
        return ClientKey(path=path, kid=kid) if path else None

    def key(self) -> SigningKey:
        """The key as entered, loaded (a ConfigError says what is wrong)."""
        where = self.client_key()
        if where is None:
            return ClientKey().load()  # its words: no client key
        return where.load(self.alg_combo.currentData())

    def refresh_status(self) -> None:
        if not self._needs_key():
            self.status.hide()
            return
        self.status.show()
        if self.client_key() is None:
            set_plain(self.status, "No private key yet: choose a PEM file or generate a key.")
            self.copy_button.setEnabled(False)
            return
        try:
            key = self.key()
        except WorkbenchError as exc:
            set_plain(self.status, exc.message)
            self.status.setProperty("kind", "warning")
            self.copy_button.setEnabled(False)
            return
        self.status.setProperty("kind", "")
        self.copy_button.setEnabled(True)
        set_plain(
            self.status, f"{key.kind} key, signs {key.alg}\nkid {key.kid}", keep_newlines=True
        )

    def copy_jwks(self) -> str:
        """Put the public JWKS on the clipboard (and return it); "" when there is no key."""
        try:
            text = json.dumps(self.key().jwks(), indent=2)
        except WorkbenchError as exc:
            set_plain(self.status, exc.message)
            return ""
        QGuiApplication.clipboard().setText(text)
        set_plain(self.status, "The public JWKS is on the clipboard (no private part).")
        return text

    def _on_choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Private key (PEM)", "", "PEM files (*.pem *.key);;All files (*)"
        )
        if path:
            self.file_edit.setText(path)
            self.refresh_status()

    def _on_generate(self) -> None:
        path = ""
        if self.source_combo.currentData() == KEY_FILE:
            path, _ = QFileDialog.getSaveFileName(
                self, "Save the new private key", "client-key.pem", "PEM files (*.pem)"
            )
            if not path:
                return
        self.generate(self.generate_alg.currentData(), path or None)

    def generate(self, alg: str, path: str | None = None) -> SigningKey:
        """A new key for ``alg``: written to ``path`` (0600, never over a file), else kept
        for the keyring until the profile is saved."""
        key = generate_key(alg)
        if path is not None:
            write_key_file(key, path, force=False)
            self.source_combo.setCurrentIndex(self.source_combo.findData(KEY_FILE))
            self.file_edit.setText(path)
        else:
            self._pending_pem = key.private_pem()
            self.source_combo.setCurrentIndex(self.source_combo.findData(KEY_KEYRING))
        self.kid_edit.clear()
        self.alg_combo.setCurrentIndex(max(self.alg_combo.findData(alg), 0))
        self.refresh_status()
        return key

    # -- the profile --------------------------------------------------------------------
    def load(self, profile: Profile) -> None:
        self._profile_name = profile.name
        self.source_combo.setCurrentIndex(
            self.source_combo.findData(KEY_KEYRING if profile.client_key_in_keyring else KEY_FILE)
        )
        self.file_edit.setText(profile.client_key_file)
        self.kid_edit.setText(profile.client_key_id)
        self.audience_combo.setCurrentIndex(
            max(self.audience_combo.findData(profile.client_assertion_audience), 0)
        )
        index = self.alg_combo.findData(profile.client_assertion_alg or None)
        self.alg_combo.setCurrentIndex(max(index, 0))
        self.refresh_status()

    def fill(self, profile: Profile) -> Profile:
        """``profile`` with the panel's settings."""
        in_keyring = self._needs_key() and self.source_combo.currentData() == KEY_KEYRING
        profile.client_key_in_keyring = in_keyring
        profile.client_key_file = (
            self.file_edit.text().strip() if self._needs_key() and not in_keyring else ""
        )
        profile.client_key_id = self.kid_edit.text().strip() if self._needs_key() else ""
        profile.client_assertion_alg = (
            (self.alg_combo.currentData() or "") if self.isVisible() else ""
        )
        profile.client_assertion_audience = self.audience_combo.currentData() or "endpoint"
        return profile

    def problem(self) -> str | None:
        """Why the key settings cannot be saved, or None."""
        if not self._needs_key():
            return None
        if self.client_key() is None:
            return "private_key_jwt needs the client's private key: choose a file or generate one."
        try:
            self.key()
        except WorkbenchError as exc:
            return exc.message
        return None

    def save(self, name: str, previous: str | None) -> None:
        """Keep the key in the keyring under the profile ``name`` (or forget it there)."""
        profile_key = self.client_key()
        if self._needs_key() and self.source_combo.currentData() == KEY_KEYRING:
            if profile_key is not None and profile_key.pem:
                self.secrets.set(name, profile_key.pem, CLIENT_KEY_SECRET)
        else:
            self.secrets.delete(name, CLIENT_KEY_SECRET)
        if previous and previous != name:
            self.secrets.delete(previous, CLIENT_KEY_SECRET)
        self._pending_pem = None
