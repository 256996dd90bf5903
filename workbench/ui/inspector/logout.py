"""The inspector's "Log out": OpenID Connect RP-Initiated Logout, then the logout reality check.

The logout runs in a worker (:meth:`OAuthSession.browser_logout`, the generator the command
line runs too); its end-session URL is opened in the system browser on the GUI thread once the
worker yields it, and the action turns into "Cancel logout" until the provider's redirect
came back (state checked) or the wait ended. Then the access token of the logged-out tokens
goes through the reality check in its logout mode: the browser session is gone, but the token
still verifies locally, the demo API that verifies locally still answers 200, and the server
says what it says.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QDesktopServices

from workbench.core.errors import ConfigError
from workbench.core.oauth.rp_logout import LogoutResult, PendingLogout
from workbench.ui.inspector.actions import InspectorActions
from workbench.ui.inspector.server import ServerActions
from workbench.ui.safe_text import UrlOpener, open_web_url
from workbench.ui.state import AppState

END_SESSION_URL = "end-session URL"


class InspectorLogout(QObject):
    """Runs the logout for the inspector's "Log out" action (one at a time; cancellable)."""

    sig_status = Signal(str)

    def __init__(
        self,
        state: AppState,
        actions: InspectorActions,
        server: ServerActions,
        open_url: UrlOpener | None = None,
    ) -> None:
        super().__init__(server)
        self._state = state
        self._actions = actions
        self._server = server
        self.open_url: UrlOpener = open_url or QDesktopServices.openUrl
        self._worker: Any = None
        self.pending: PendingLogout | None = None
        self.result: LogoutResult | None = None
        actions.sig_logout.connect(self.log_out)

    @property
    def waiting(self) -> bool:
        return self._worker is not None

    def log_out(self) -> None:
        """Start the logout with the current tokens' ID token, or cancel the one that waits."""
        if self._worker is not None:
            self._worker.cancel()
            return
        tokens = self._state.tokens
        if tokens is None or not tokens.id_token or not self._server.idle:
            return
        session = self._server.session(tokens.id_token)
        if session is None:
            return
        access_token, id_token = tokens.access_token, tokens.id_token
        self.pending = self.result = None
        self._worker = self._server.run_action(
            "logout",
            "Log out",
            "Logging out at the provider: finish it in the browser…",
            session.browser_logout,
            tokens.id_token,
            on_done=lambda result: self._on_logged_out(result, access_token, id_token),
            on_error=lambda _exc: self._end(),
            on_yielded=self._on_pending,
            with_cancel=True,
        )
        self._actions.logging_out(True)
        self._actions.logout.setEnabled(True)

    def _on_pending(self, value: object) -> None:
        if not isinstance(value, PendingLogout) or self._worker is None:
            return
        self.pending = value
        try:
            opened = open_web_url(value.url, END_SESSION_URL, self.open_url)
        except ConfigError as exc:  # not an http(s) URL: never opened, the logout stops
            self._worker.cancel()
            self._server.error_banner.show_error(exc)
            return
        uri = value.request.post_logout_redirect_uri
        if opened:
            self.sig_status.emit(f"Log out in the browser; waiting for the redirect on {uri}…")
        else:
            self.sig_status.emit(
                f"No browser opened: the logout waits on {uri} (Cancel logout to stop)."
            )

    def _on_logged_out(self, result: LogoutResult, access_token: str | None, id_token: str) -> None:
        self._end()
        self.result = result
        self._state.mark_tokens(id_token, "logged out")  # the token history
        when = time.strftime("%H:%M:%S")
        if result.state_checked:
            self.sig_status.emit(
                "Logged out at the provider (the redirect came back, state checked)."
            )
        else:
            when += "; the redirect carried no state (Cognito), so it is not tied to this logout"
            self.sig_status.emit(
                "The provider redirected back after the logout, without a state (Cognito):"
                " not tied to this logout."
            )
        if access_token:
            self._server.result_view.hide()
            self._server.reality_after_logout(access_token, "Access token", when)
        else:
            self._server.result_view.show_result(
                "Logged out",
                "session ended",
                "pass",
                "The provider ended its browser session. No access token to check.",
            )

    def _end(self) -> None:
        self._worker = None
        self._actions.logging_out(False)
