"""The profile editor's DPoP setting (RFC 9449): the switch and the key file."""

from __future__ import annotations

from typing import TypedDict

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QWidget

from workbench.core.profiles import Profile


class DpopFields(TypedDict):
    """The profile's DPoP fields."""

    dpop: bool
    dpop_key_file: str


class DpopSetting:
    """ "DPoP: bind tokens to a key" and its key file: added to the editor's ``form``, showing
    ``profile``'s setting when there is one."""

    def __init__(self, parent: QWidget, form: QFormLayout, profile: Profile | None) -> None:
        self.check = QCheckBox("DPoP: bind tokens to a key (RFC 9449)", parent)
        self.check.setObjectName("profileDpop")
        self.check.setAccessibleName("DPoP: bind tokens to a key")
        self.check.setToolTip(
            "Every request carries a DPoP proof signed with the key below (token endpoint, every"
            " grant and refresh, UserInfo, revocation, introspection, API calls); tokens come"
            " back bound to it (token_type DPoP, cnf.jkt)"
        )
        self.key_edit = QLineEdit(parent)
        self.key_edit.setObjectName("profileDpopKey")
        self.key_edit.setAccessibleName("DPoP key file")
        self.key_edit.setPlaceholderText("none: a new key for each session (not kept)")
        self.key_edit.setToolTip(
            "A PEM private key file; when it does not exist, a new ES256 key is written there"
            " (readable by you only) and used from then on"
        )
        self.key_edit.setEnabled(False)
        self.check.toggled.connect(self.key_edit.setEnabled)
        form.addRow("", self.check)
        form.addRow("DPoP key file", self.key_edit)
        if profile is not None:
            self.check.setChecked(profile.dpop)
            self.key_edit.setText(profile.dpop_key_file)

    def fields(self) -> DpopFields:
        return {"dpop": self.check.isChecked(), "dpop_key_file": self.key_edit.text().strip()}
