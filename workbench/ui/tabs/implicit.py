"""Implicit grant (RFC 6749 §4.2) — legacy: the tokens come back in the URL fragment.

The loopback listener serves a small page whose script posts the fragment back to it; the rest
(browser, cancel, request view) is the authorization code tab's :class:`BrowserFlowTab`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from workbench.core.flows.rfc6749_implicit import LEGACY_WARNING
from workbench.ui.tabs.auth_code import BrowserFlowTab

RESPONSE_TYPES = ("token", "id_token token")


class ImplicitTab(BrowserFlowTab):
    """``response_type=token`` or ``id_token token`` (OIDC Core §3.2), nonce checked."""

    title = "Implicit (legacy)"
    key = "implicit"
    origin = "implicit"
    legacy_warning = LEGACY_WARNING
    redirect_step = "Checking the tokens from the redirect fragment…"

    def build_response_type(self) -> None:
        self.response_combo = QComboBox(self)
        self.response_combo.setObjectName(f"{self.key}_responseType")
        self.response_combo.setAccessibleName("Response type")
        self.response_combo.addItems(list(RESPONSE_TYPES))
        self.response_combo.view().setObjectName(f"{self.key}_responseTypeList")
        self.response_combo.view().setAccessibleName("Response types")
        self.response_combo.setToolTip(
            "token: an access token only. id_token token: an ID token too (needs the openid "
            "scope; a nonce is sent and checked)."
        )
        self.form.addRow("Response type", self.response_combo)

    def response_type(self) -> str:
        return self.response_combo.currentText()


__all__ = ["RESPONSE_TYPES", "ImplicitTab"]
