"""The inspector's server actions: Refresh, Revoke, Introspect, UserInfo and the reality check
(with, for a token of the demo server, the call of both demo APIs).

Each runs in a worker; its answer is shown in the result view (the reality check in its own
panel) and a failure in the error banner, with what a provider wrote masked and printable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from workbench.core.errors import OAuthError, WorkbenchError
from workbench.core.model import RealityCheck, RefreshResult
from workbench.core.oauth.refresh import ROTATION_TEXT
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.session import OAuthSession
from workbench.core.tokens.claims import format_relative
from workbench.core.transport.masking import mask_text
from workbench.ui.dialogs.exception_dialog import show_exception
from workbench.ui.inspector.actions import userinfo_token
from workbench.ui.inspector.checks import StartWorker, resolve
from workbench.ui.inspector.demo_apis import DemoApiAnswer, call_demo_apis
from workbench.ui.inspector.entries import (
    ROLE_LABELS,
    TYPE_HINTS,
    Role,
    ShownToken,
    TokenEntry,
    token_kind_safe,
)
from workbench.ui.inspector.reality import RealityCheckPanel
from workbench.ui.inspector.results import ActionResultView
from workbench.ui.reveal import reveal
from workbench.ui.state import AppState, TokenContext
from workbench.ui.widgets.banners import MessageBanner

#: Actions whose answer goes to the reality-check panel, not to the result view.
_PANEL_ACTIONS = ("reality", "demo_apis")


def _userinfo(session: OAuthSession, token: str) -> tuple[int, dict[str, Any] | OAuthError]:
    """UserInfo's claims, or the 401 (which is an answer here, not a failure)."""
    try:
        return 200, session.userinfo(token)
    except OAuthError as exc:
        if exc.status == 401:
            return 401, exc
        raise


class ServerActions(QObject):
    """Asks the server about the shown token; one action at a time."""

    sig_status = Signal(str)
    """A short message for the status bar."""
    sig_started = Signal()
    """An action begins: earlier messages go."""
    sig_running_changed = Signal()
    """An action began or ended: what can run now changed."""
    sig_action_finished = Signal(str)
    """A server action ended (refresh, revoke, introspect, userinfo, reality, demo_apis)."""
    sig_revoked = Signal(str)
    """The server accepted the revocation of this token."""
    sig_reality_changed = Signal()
    """The reality check started or answered (its countdown ticks while shown)."""

    def __init__(
        self,
        state: AppState,
        shown: Callable[[], ShownToken | None],
        views: tuple[ActionResultView, MessageBanner, RealityCheckPanel],
        start_worker: StartWorker,
        host: QWidget,
    ) -> None:
        super().__init__(host)
        self._state = state
        self._shown = shown
        self.result_view, self.error_banner, self.reality = views
        self._start_worker = start_worker
        self._host = host
        self.revoked: set[str] = set()
        self._running = 0
        self._reality_label = ROLE_LABELS["access"]
        self.reality.sig_recheck.connect(self._on_recheck)
        self.reality.demo_apis.sig_call.connect(self.call_demo_apis)
        self.sig_running_changed.connect(
            lambda: self.reality.demo_apis.button.setEnabled(self.idle)
        )

    @property
    def idle(self) -> bool:
        return self._running == 0

    def session(self, token: str) -> OAuthSession | None:
        """The session that answers for ``token`` (see :func:`resolve`), or the banner says
        a provider is needed."""
        session = resolve(self._state, token)[0]
        if session is not None:
            return session
        try:
            return self._state.require_session()
        except WorkbenchError as exc:
            self.error_banner.show_error(exc)
            return None

    def own_tokens(self) -> TokenSet | None:
        """The current tokens when the shown token is one of them; None for a pasted token,
        which brings no access or refresh token of its own."""
        shown = self._shown()
        if shown is not None and shown.entry.role == "pasted":
            return None
        return self._state.tokens

    def _run(
        self,
        name: str,
        title: str,
        busy_text: str,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        **worker_options: Any,
    ) -> Any:
        self.error_banner.hide()
        self.sig_started.emit()
        if name not in _PANEL_ACTIONS:
            self.result_view.show_busy(title, busy_text)
        self._running += 1
        self.sig_running_changed.emit()
        self.sig_status.emit(busy_text)

        def errored(exc: BaseException) -> None:
            if name not in _PANEL_ACTIONS:
                self.result_view.hide()
            if on_error is not None:
                on_error(exc)
            if isinstance(exc, WorkbenchError):
                self.error_banner.show_error(exc)
                reveal(self.error_banner, flash=False)
                self.sig_status.emit(f"{title} failed.")
            else:
                self.sig_status.emit(f"{title}: unexpected error.")
                show_exception(self._host.window(), exc)

        def finished() -> None:
            self._running -= 1
            self.sig_running_changed.emit()
            self.sig_action_finished.emit(name)

        return self._start_worker(
            fn, *args, on_returned=on_done, on_errored=errored, on_finished=finished,
            **worker_options,
        )  # fmt: skip

    #: For the inspector's logout: ``worker_options`` (``on_yielded``, ``with_cancel``) go to
    #: the worker, which is returned; one action at a time, the same banner.
    run_action = _run

    # -- refresh
    def refresh(self) -> None:
        """Redeem the shown tokens' own refresh token at the provider that issued it; the new
        tokens replace the state's. A pasted token has none: nothing happens."""
        tokens = self.own_tokens()
        if self._running or tokens is None or not tokens.refresh_token:
            return
        sent = tokens.refresh_token
        session = self.session(sent)
        if session is None:
            return
        self._run(
            "refresh",
            "Refresh",
            "Refreshing the tokens…",
            session.refresh,
            sent,
            on_done=lambda result: self._on_refreshed(result, sent, session),
        )

    def _on_refreshed(self, result: RefreshResult, sent: str, session: OAuthSession) -> None:
        tokens: TokenSet = result.tokens
        context = TokenContext(
            origin="refresh_token", rotation=result.rotation, refreshed_from=sent
        )
        self._state.set_tokens(tokens, context, session)
        chip, outcome = {
            "rotated": ("rotated", "pass"),
            "unchanged": ("not rotated", "warn"),
            "not_returned": ("no refresh token returned", "not_checked"),
        }[result.rotation]
        text = ROTATION_TEXT[result.rotation]
        lines = [text[:1].upper() + text[1:] + "."]  # capitalize() would write "rfc"
        if result.rotation == "rotated":
            lines.append("“Try the previous one” in the Refresh tab sends it once.")
        if tokens.expires_in is not None:
            lines.append(f"The new access token expires in {int(tokens.expires_in)} s.")
        self.result_view.show_result("Refreshed", chip, outcome, " ".join(lines))
        self.sig_status.emit(f"Refreshed: {ROTATION_TEXT[result.rotation]}")

    # -- revoke
    def revoke(self, role: Role | None = None) -> None:
        """Revoke a token (RFC 7009): ``access`` / ``refresh``, or the shown one (``None``).

        After the access token is revoked, the reality check runs on it by itself.
        """
        if self._running:
            return
        token, hint, label = self._revoke_target(role)
        if token is None:
            self.error_banner.show_message(
                "Nothing to revoke", f"There is no {label.lower()} to revoke."
            )
            return
        session = self.session(token)
        if session is None:
            return
        self._run(
            "revoke",
            f"Revoke {label.lower()}",
            f"Revoking the {label.lower()}…",
            session.revoke,
            token,
            hint,
            on_done=lambda _none: self._on_revoked(token, hint, label),
        )

    def _revoke_target(self, role: Role | None) -> tuple[str | None, Any, str]:
        tokens = self.own_tokens()
        if role is None:
            shown = self._shown()
            if shown is None or shown.entry.role == "id":
                role = "access"  # ID tokens are not revocable (RFC 7009 covers the other two)
            else:
                return shown.entry.token, TYPE_HINTS[shown.entry.role], shown.entry.label
        if role == "access":
            token = tokens.access_token if tokens is not None else None
        elif role == "refresh":
            token = tokens.refresh_token if tokens is not None else None
        else:
            token = None
        return token, TYPE_HINTS[role], ROLE_LABELS[role]

    def _on_revoked(self, token: str, hint: str | None, label: str) -> None:
        self.revoked.add(token)
        self._state.mark_tokens(token, "revoked")
        self.sig_revoked.emit(token)
        when = time.strftime("%H:%M:%S")
        self.sig_status.emit(f"Revoked the {label.lower()}.")
        if hint != "refresh_token" and token_kind_safe(token) == "jwt":
            # The reality check is the answer that matters: it replaces the plain result.
            self.result_view.hide()
            self._start_reality(token, label, "access_token", note=f"revoked at {when}")
            return
        hint_text = f"token_type_hint={hint}" if hint else "no token_type_hint"
        self.result_view.show_result(
            f"Revoked the {label.lower()}",
            "HTTP 200",
            "pass",
            f"The server accepted the revocation ({hint_text}). RFC 7009 servers answer 200"
            " even for a token they do not know: introspect it to ask the server again.",
        )

    # -- reality check
    def reality_check(self) -> None:
        """Verify the shown JWT locally and ask the server, side by side."""
        shown = self._shown()
        if self._running or shown is None or shown.decoded is None:
            return
        hint = "refresh_token" if shown.entry.role == "refresh" else "access_token"
        self._start_reality(shown.entry.token, shown.entry.label, hint)

    def _on_recheck(self) -> None:
        check = self.reality.check
        if check is None or self._running:
            return
        mode = self.reality.mode  # checked again after a logout: still the logout check
        note = self.reality.note if mode == "logout" else ""
        self._start_reality(
            check.local.decoded.raw, self._reality_label, "access_token", note, mode
        )

    def reality_after_logout(self, token: str, label: str, when: str) -> None:
        """The logout reality check on ``token`` (the access token of the session ended)."""
        self._start_reality(token, label, "access_token", f"logged out at {when}", "logout")

    def _start_reality(
        self, token: str, label: str, hint: str, note: str = "", mode: str | None = None
    ) -> None:
        session = self.session(token)
        if session is None:
            return
        self._reality_label = label
        if not note and token in self.revoked:
            note = "revoked"
        self.reality.show_checking(label, token, note, mode=mode or "revocation")
        self.sig_reality_changed.emit()

        def failed(exc: BaseException) -> None:
            message = mask_text(str(exc), self._state.log.secrets())
            self.reality.show_failed(message if isinstance(exc, WorkbenchError) else "error")

        self._run(
            "reality",
            "Reality check",
            "Checking locally and asking the server…",
            session.reality_check,
            token,
            hint,
            on_done=lambda check: self._on_reality(check, label, token),
            on_error=failed,
        )

    def _on_reality(self, check: RealityCheck, label: str, token: str) -> None:
        self.reality.show_result(check, label, token)
        demo = self._state.demo_issuer
        from_demo = demo is not None and check.local.decoded.claims.get("iss") == demo
        logged_out = self.reality.mode == "logout"
        demo_token = token if from_demo else None
        self.reality.demo_apis.offer(
            demo_token, check.server.active is False, logged_out=logged_out
        )
        self.sig_reality_changed.emit()
        server = "inactive" if check.server.active is False else "active"
        if check.server.active is None:
            server = "unknown"
        self.sig_status.emit(
            f"Reality check: local {'accepts' if check.locally_valid else 'rejects'},"
            f" server says {server}."
        )

    def call_demo_apis(self) -> None:
        """Send the reality check's token to both demo APIs; the answers go beside each other."""
        row = self.reality.demo_apis
        token, issuer = row.token, self._state.demo_issuer
        if self._running or token is None or issuer is None:
            return
        session = self.session(token)
        if session is None:
            return
        row.show_calling()
        self._run(
            "demo_apis",
            "Demo APIs",
            "Calling both demo APIs with the token…",
            call_demo_apis,
            session.http,
            issuer,
            token,
            on_done=lambda answers: self._on_demo_apis(token, answers),
            on_error=lambda _exc: row.show_failed(token, "the calls could not be made"),
        )

    def _on_demo_apis(self, token: str, answers: tuple[DemoApiAnswer, ...]) -> None:
        self.reality.demo_apis.show_answers(token, answers)
        statuses = [str(a.result.status) if a.result else "no answer" for a in answers]
        self.sig_status.emit(f"Demo APIs: {' and '.join(statuses)}.")

    # -- introspect
    def introspect(self) -> None:
        """Ask the server about the shown token; ``active`` is shown prominently."""
        shown = self._shown()
        if self._running or shown is None:
            return
        session = self.session(shown.entry.token)
        if session is None:
            return
        self._run(
            "introspect",
            f"Introspection of the {shown.entry.label.lower()}",
            "Asking the server (introspection)…",
            session.introspect,
            shown.entry.token,
            TYPE_HINTS[shown.entry.role],
            on_done=lambda data: self._on_introspected(data, shown.entry),
        )

    def _on_introspected(self, data: dict[str, Any], entry: TokenEntry) -> None:
        active = data.get("active") is True
        shown = self._shown()
        if shown is None or shown.entry.token != entry.token:
            # Another token is shown now: this answer is not about it.
            self.sig_status.emit(
                f"Introspection of an earlier token: active={str(active).lower()}."
            )
            return
        if active:
            message = "The server says the token is active."
            exp = data.get("exp")
            if isinstance(exp, int | float) and not isinstance(exp, bool):
                message += f" It expires {format_relative(exp - time.time())}."
        else:
            message = (
                "The server says the token is not active: revoked, expired, or never issued"
                " by it (RFC 7662 §2.2 says no more)."
            )
        self.result_view.show_result(
            f"Introspection of the {entry.label.lower()}",
            f"active: {'true' if active else 'false'}",
            "pass" if active else "fail",
            message,
            data,
        )
        self.sig_status.emit(f"Introspection: active={'true' if active else 'false'}.")

    # -- userinfo
    def userinfo(self) -> None:
        """Call UserInfo with the access token; a 401 is shown as the answer."""
        shown = self._shown()
        token = userinfo_token(shown, self.own_tokens())
        if self._running or token is None:
            return
        session = self.session(token)
        if session is None:
            return
        asked_for = shown.entry.token if shown is not None else None
        self._run(
            "userinfo",
            "UserInfo",
            "Calling UserInfo with the access token…",
            _userinfo,
            session,
            token,
            on_done=lambda result: self._on_userinfo(result, asked_for),
        )

    def _on_userinfo(self, result: tuple[int, Any], asked_for: str | None = None) -> None:
        status, answer = result
        shown = self._shown()
        if asked_for is not None and (shown is None or shown.entry.token != asked_for):
            self.sig_status.emit(f"UserInfo for an earlier token: {status}.")
            return
        if status == 200:
            self.result_view.show_result(
                "UserInfo", "200 OK", "pass", "The server accepts the access token.", answer
            )
            self.sig_status.emit("UserInfo: 200 OK.")
            return
        assert isinstance(answer, OAuthError)
        data = {"error": answer.error}
        if answer.description:
            data["error_description"] = answer.description
        self.result_view.show_result(
            "UserInfo",
            "401 Unauthorized",
            "fail",
            "The server refuses this access token: it was revoked, it expired, or it is not"
            " one of the server's.",
            data,
        )
        self.sig_status.emit("UserInfo: 401 Unauthorized.")
