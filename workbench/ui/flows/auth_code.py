"""Authorization code with PKCE (RFC 6749 §4.1, RFC 7636): the browser signs in over the
loopback redirect of :class:`~workbench.ui.flows.browser.BrowserFlowTab`, the code is redeemed.
The response type may also be one of the OIDC hybrid ones (OIDC Core §3.3): the front-channel
ID token is then verified (signature, iss, aud, exp, nonce, c_hash, at_hash) before the code is
redeemed."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from workbench.core.oauth.hybrid import HYBRID_RESPONSE_TYPES
from workbench.ui.flows.browser import BrowserFlowTab

#: The combo's items: shown text -> response type.
RESPONSE_TYPE_CHOICES: dict[str, str] = {
    "code (with PKCE, S256)": "code",
    **{f"{t} (hybrid, with PKCE)": t for t in HYBRID_RESPONSE_TYPES},
}


class AuthCodeTab(BrowserFlowTab):
    """RFC 6749 §4.1 with PKCE S256 (RFC 7636): the browser signs in, the code is redeemed."""

    title = "Auth Code + PKCE"
    key = "authCode"
    origin = "authorization_code"
    uses_pkce = True
    redirect_step = "Exchanging the code…"

    def build_response_type(self) -> None:
        self.response_combo = QComboBox(self)
        self.response_combo.setObjectName(f"{self.key}_responseType")
        self.response_combo.setAccessibleName("Response type")
        self.response_combo.addItems(list(RESPONSE_TYPE_CHOICES))
        self.response_combo.setToolTip(
            "code: the code flow. The hybrid types (OIDC Core §3.3) bring an ID token and/or an"
            " access token through the browser beside the code, in the fragment: the ID token is"
            " verified — signature, iss, aud, exp, nonce, c_hash against the code, at_hash"
            " against the access token — before the code is redeemed; a failed check stops the"
            " flow naming it. The server must list the type in response_types_supported."
        )
        self.form.addRow("Response type", self.response_combo)

    def response_type(self) -> str:
        return RESPONSE_TYPE_CHOICES[self.response_combo.currentText()]


__all__ = ["RESPONSE_TYPE_CHOICES", "AuthCodeTab"]
