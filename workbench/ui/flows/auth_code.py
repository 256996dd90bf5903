"""Authorization code with PKCE (RFC 6749 §4.1, RFC 7636): the browser signs in over the
loopback redirect of :class:`~workbench.ui.flows.browser.BrowserFlowTab`, the code is redeemed."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from workbench.ui.flows.browser import BrowserFlowTab


class AuthCodeTab(BrowserFlowTab):
    """RFC 6749 §4.1 with PKCE S256 (RFC 7636): the browser signs in, the code is redeemed."""

    title = "Auth Code + PKCE"
    key = "authCode"
    origin = "authorization_code"
    uses_pkce = True
    redirect_step = "Exchanging the code…"

    def build_response_type(self) -> None:
        fixed = QLabel("code (with PKCE, S256)", self)
        fixed.setObjectName(f"{self.key}_responseType")
        fixed.setAccessibleName("Response type")
        self.form.addRow("Response type", fixed)

    def response_type(self) -> str:
        return "code"


__all__ = ["AuthCodeTab"]
