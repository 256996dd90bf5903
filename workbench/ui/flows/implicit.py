"""Implicit grant (RFC 6749 §4.2) — legacy: the tokens come back in the URL fragment.

The loopback listener serves a small page whose script posts the fragment back to it; the rest
(browser, cancel, request view) is the authorization code tab's :class:`BrowserFlowTab`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from workbench.core.model import Provider
from workbench.core.oauth.rfc6749_code import AuthorizationRequest
from workbench.core.oauth.rfc6749_implicit import IMPLICIT_RESPONSE_TYPES, LEGACY_WARNING
from workbench.ui.flows.browser import BrowserFlowTab

AUTOMATIC = "automatic"
RESPONSE_TYPES = (AUTOMATIC, *IMPLICIT_RESPONSE_TYPES)


class ImplicitTab(BrowserFlowTab):
    """``response_type=token`` or ``id_token token`` (OIDC Core §3.2), nonce checked.

    "automatic" picks from the server's ``response_types_supported``: ``token`` if listed, else
    ``id_token token``; a type the server does not list is refused before the browser opens.
    """

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
        # Room for "automatic (id_token token)", the longest text it shows.
        self.response_combo.setMinimumContentsLength(len(f"{AUTOMATIC} ({RESPONSE_TYPES[-1]})"))
        self.response_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.response_combo.view().setObjectName(f"{self.key}_responseTypeList")
        self.response_combo.view().setAccessibleName("Response types")
        self.response_combo.setToolTip(
            "automatic: token if the server lists it in response_types_supported, else id_token "
            "token. token: an access token only. id_token token: an ID token too (the openid "
            "scope is added; a nonce is sent, and the ID token's signature, issuer, audience, "
            "nonce and at_hash are checked before it is used)."
        )
        self.form.addRow("Response type", self.response_combo)

    def response_type(self) -> str | None:
        text = self.response_combo.currentText()
        return None if text.startswith(AUTOMATIC) else text

    def apply_provider(self, provider: Provider) -> None:
        """Another provider may list other response types: "automatic" chooses afresh."""
        super().apply_provider(provider)
        self.response_combo.setItemText(0, AUTOMATIC)

    def show_request(self, request: AuthorizationRequest) -> None:
        """Also say which response type "automatic" chose."""
        super().show_request(request)
        if self.response_combo.currentIndex() == 0:
            self.response_combo.setItemText(0, f"{AUTOMATIC} ({request.response_type})")


__all__ = ["AUTOMATIC", "RESPONSE_TYPES", "ImplicitTab"]
