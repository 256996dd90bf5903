"""Asks what a Cognito challenge needs: a new password, an MFA code, an MFA type, or the setup of
an authenticator app (its key as text and as a QR code).

The dialog only collects answers; :meth:`CognitoChallengeDialog.answers` hands them to
:meth:`workbench.core.cognito.auth.CognitoAuth.respond`, which the tab runs in a worker. A
challenge the workbench cannot answer (``answerable`` False) is shown plainly with a Close button.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.cognito.auth import Challenge, Question
from workbench.ui import metrics
from workbench.ui.safe_text import printable, set_plain
from workbench.ui.widgets.copy_field import CopyField
from workbench.ui.widgets.qr_code import QrCodeView

NEW_PASSWORD = "new_password"
_NAME_CHARS = re.compile(r"[^0-9A-Za-z]+")


def _object_suffix(key: str) -> str:
    """``userAttributes.email`` → ``userAttributes_email`` (objectNames stay plain words)."""
    return _NAME_CHARS.sub("_", key).strip("_")


class CognitoChallengeDialog(QDialog):
    """One Cognito challenge: the prompt, one field per :class:`Question`, Continue or Cancel.

    ``field(key)`` is the input of a question (a QLineEdit, or a QComboBox for a choice);
    ``confirm_field(key)`` the confirmation of a new password. Continue is enabled once every
    question is answered and the new password matches its confirmation.
    """

    def __init__(self, challenge: Challenge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.challenge = challenge
        self.setObjectName("cognitoChallengeDialog")
        self.setWindowTitle(printable(f"Cognito: {challenge.name}"))
        self.setAccessibleName(printable(f"Cognito challenge {challenge.name}"))
        self.setMinimumWidth(metrics.text_width(self, metrics.CHALLENGE_DIALOG_MIN_CHARS))
        self._fields: dict[str, QLineEdit | QComboBox] = {}
        self._confirm: dict[str, QLineEdit] = {}
        self._secret: list[QLineEdit] = []

        title = QLabel(self)
        set_plain(title, challenge.name)  # the challenge's words come from Cognito
        title.setObjectName("cognitoChallengeName")
        big = QFont(self.font())
        big.setBold(True)
        big.setPointSizeF(big.pointSizeF() * metrics.CHALLENGE_TITLE_SCALE)
        title.setFont(big)
        self.prompt_label = QLabel(self)
        set_plain(self.prompt_label, challenge.prompt, keep_newlines=True)
        self.prompt_label.setObjectName("cognitoChallengePrompt")
        self.prompt_label.setAccessibleName("What Cognito asks")
        self.prompt_label.setWordWrap(True)
        self.prompt_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setSpacing(metrics.SPACING)
        layout.addWidget(title)
        layout.addWidget(self.prompt_label)

        self.qr_view: QrCodeView | None = None
        self.totp_field: CopyField | None = None
        if challenge.totp_secret and challenge.totp_uri:
            layout.addWidget(self._build_totp(challenge.totp_secret, challenge.totp_uri))

        self.show_password: QCheckBox | None = None
        if challenge.questions:
            form = QFormLayout()
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            for question in challenge.questions:
                self._add_question(form, question)
            layout.addLayout(form)
        self.mismatch_label = QLabel("", self)
        self.mismatch_label.setObjectName("cognitoChallengeMismatch")
        self.mismatch_label.setAccessibleName("Password confirmation")
        self.mismatch_label.setProperty("kind", "warning")
        self.mismatch_label.setWordWrap(True)
        self.mismatch_label.hide()
        layout.addWidget(self.mismatch_label)
        layout.addStretch(1)

        self.buttons = QDialogButtonBox(self)
        self.buttons.setObjectName("cognitoChallengeButtons")
        self.ok_button: QPushButton | None = None
        if challenge.answerable:
            self.ok_button = self.buttons.addButton(
                "Continue", QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.ok_button.setObjectName("cognitoChallengeContinue")
            self.ok_button.setAccessibleName("Send the answer to Cognito")
            self.ok_button.setToolTip("Send the answer to Cognito (Enter)")
            self.ok_button.setDefault(True)
            self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
            self.cancel_button.setToolTip("Stop signing in (Esc)")
        else:
            self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
            self.cancel_button.setToolTip("Close (Esc)")
        self.cancel_button.setObjectName("cognitoChallengeCancel")
        self.cancel_button.setAccessibleName(self.cancel_button.text().replace("&", ""))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._on_edited()
        first = next(iter(self._fields.values()), None)
        if first is not None:
            first.setFocus()

    # -- building ---------------------------------------------------------------------------
    def _build_totp(self, secret: str, uri: str) -> QGroupBox:
        box = QGroupBox("Authenticator app", self)
        box.setObjectName("cognitoChallengeTotp")
        self.qr_view = QrCodeView(box, "cognitoChallengeQr")
        self.qr_view.set_data(uri)
        self.qr_view.setAccessibleName("QR code of the authenticator key")
        self.qr_view.setAccessibleDescription(
            "Scan it with an authenticator app to add this account."
        )
        self.totp_field = CopyField("cognitoChallengeTotpKey", "Authenticator key", box)
        self.totp_field.set_text(secret)
        hint = QLabel(
            "Scan the QR code with an authenticator app (or type the key in), then enter the "
            "six-digit code it shows. The key is shown once and is not logged.",
            box,
        )
        hint.setObjectName("cognitoChallengeTotpHint")
        hint.setWordWrap(True)
        side = QVBoxLayout()
        side.setSpacing(metrics.SPACING)
        side.addWidget(hint)
        side.addWidget(QLabel("Key", box))
        side.addWidget(self.totp_field)
        side.addStretch(1)
        row = QHBoxLayout(box)
        row.setSpacing(metrics.MARGIN)
        row.addWidget(self.qr_view, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(side, 1)
        return box

    def _add_question(self, form: QFormLayout, question: Question) -> None:
        suffix = _object_suffix(question.key)
        if question.choices:
            combo = QComboBox(self)
            combo.setObjectName(f"cognitoChallenge_{suffix}")
            combo.setAccessibleName(question.label)
            for choice in question.choices:
                combo.addItem(choice, choice)
            self._fields[question.key] = combo
            form.addRow(f"{question.label}:", combo)
            return
        edit = QLineEdit(self)
        edit.setObjectName(f"cognitoChallenge_{suffix}")
        edit.setAccessibleName(question.label)
        edit.textChanged.connect(self._on_edited)
        self._fields[question.key] = edit
        if question.secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            self._secret.append(edit)
        if question.key == "mfa_code":
            edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
            edit.setPlaceholderText("the six digits, e.g. 123456")
        form.addRow(f"{question.label}:", edit)
        if question.key == NEW_PASSWORD:
            again = QLineEdit(self)
            again.setObjectName(f"cognitoChallenge_{suffix}_confirm")
            again.setAccessibleName(f"{question.label} again")
            again.setEchoMode(QLineEdit.EchoMode.Password)
            again.textChanged.connect(self._on_edited)
            self._confirm[question.key] = again
            self._secret.append(again)
            form.addRow("Again", again)
            edit.setPlaceholderText("the pool's password policy applies")
        if question.secret and self.show_password is None:
            self.show_password = QCheckBox("&Show password", self)
            self.show_password.setObjectName("cognitoChallengeShowPassword")
            self.show_password.setAccessibleName("Show the password")
            self.show_password.setToolTip("Show what you type (Alt+S)")
            self.show_password.toggled.connect(self._on_show_password)
            form.addRow("", self.show_password)

    # -- reading ----------------------------------------------------------------------------
    def field(self, key: str) -> QLineEdit | QComboBox:
        """The input of the question ``key`` (tests, automation)."""
        return self._fields[key]

    def confirm_field(self, key: str) -> QLineEdit | None:
        return self._confirm.get(key)

    def answers(self) -> dict[str, str]:
        """Answers by :attr:`Question.key`, as :meth:`CognitoAuth.respond` takes them."""
        result: dict[str, str] = {}
        for key, widget in self._fields.items():
            if isinstance(widget, QComboBox):
                result[key] = str(widget.currentData() or widget.currentText())
            elif key == NEW_PASSWORD:
                result[key] = widget.text()  # a password is sent exactly as typed
            else:
                result[key] = widget.text().strip()
        return result

    def problem(self) -> str:
        """What is wrong with the answers so far, once there is something to say."""
        for key, again in self._confirm.items():
            first = self._fields[key]
            if isinstance(first, QLineEdit) and again.text() and again.text() != first.text():
                return "The two passwords differ."
        return ""

    def _complete(self) -> bool:
        """Every field answered, every new password confirmed."""
        for key, widget in self._fields.items():
            if not isinstance(widget, QLineEdit):
                continue
            again = self._confirm.get(key)
            if not widget.text().strip() or (again is not None and again.text() != widget.text()):
                return False
        return True

    # -- slots ------------------------------------------------------------------------------
    def _on_edited(self) -> None:
        if self.ok_button is not None:
            self.ok_button.setEnabled(self._complete())
        message = self.problem()
        self.mismatch_label.setText(message)
        self.mismatch_label.setVisible(bool(message))

    def _on_show_password(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for edit in self._secret:
            edit.setEchoMode(mode)

    def accept(self) -> None:
        if self.challenge.answerable and not self._complete():
            return  # Enter in a field with the answers incomplete does nothing
        super().accept()


__all__ = ["CognitoChallengeDialog"]
