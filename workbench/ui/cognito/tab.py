"""Amazon Cognito user pools: the API door (sign-in with challenges, refresh, revoke, global
sign-out, GetUser), the hosted door through the generic flows, and the pool insight panel.

Everything the command line's Cognito commands do with a pool, with the same core:
:class:`~workbench.core.cognito.auth.CognitoAuth` and
:class:`~workbench.core.cognito.admin.CognitoPoolAdmin`, each made in the worker that uses it
(:mod:`workbench.ui.cognito.calls`), its calls recorded in the window's exchange log. The tab
composes its sections — :class:`~workbench.ui.cognito.pool_form.PoolForm`,
:class:`~workbench.ui.cognito.sign_in.SignInSection`,
:class:`~workbench.ui.cognito.token_panel.TokenPanel`,
:class:`~workbench.ui.cognito.hosted_panel.HostedPanel`,
:class:`~workbench.ui.cognito.insight.PoolInsightPanel` and
:class:`~workbench.ui.cognito.users_panel.UsersPanel` (test users, its calls in
:mod:`workbench.ui.cognito.user_actions`) — which show and edit; the tab runs the
calls and hands the answers back. Challenges come back from the worker as
:class:`~workbench.core.cognito.auth.Challenge` and are asked in
:class:`~workbench.ui.cognito.challenge_dialog.CognitoChallengeDialog`; the answer goes back in
another worker.

Tokens go to the inspector with the pool as the provider (its issuer and keys, nothing
discovered), and Cognito's GetUser as the session's server verdict, so the inspector's
revocation reality check shows "signature valid" beside "Cognito: revoked" after a sign-out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from itertools import pairwise
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from workbench.core.cognito.admin import CognitoPoolAdmin
from workbench.core.cognito.auth import Challenge, CognitoAuth
from workbench.core.cognito.door import CognitoTokenActions, pool_provider
from workbench.core.cognito.errors import CognitoError
from workbench.core.cognito.pool import CognitoPool, CognitoPoolStore, SecretHash
from workbench.core.errors import ConfigError, WorkbenchError
from workbench.core.model import Provider
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.session import OAuthSession
from workbench.ui.cognito.actions import ApiDoorActions, InsightActions, SavedPools
from workbench.ui.cognito.calls import (
    UI_FIELDS,
    AdminFactory,
    AuthFactory,
    SignIn,
    ui_message,
    with_admin,
    with_auth,
)
from workbench.ui.cognito.challenge_dialog import CognitoChallengeDialog
from workbench.ui.cognito.hosted_panel import HostedPanel
from workbench.ui.cognito.insight import PoolInsightPanel
from workbench.ui.cognito.pool_form import PoolForm
from workbench.ui.cognito.sign_in import SignInSection
from workbench.ui.cognito.token_panel import TokenPanel
from workbench.ui.cognito.user_actions import UserActions
from workbench.ui.cognito.users_panel import UsersPanel
from workbench.ui.flows.base import FlowTab
from workbench.ui.state import AppState, TokenContext
from workbench.ui.widgets.banners import describe_error


class CognitoTab(FlowTab):
    """An Amazon Cognito user pool: its API door, its hosted door, its app client's settings.

    ``make_auth`` and ``make_admin`` build the core objects in the workers (tests put a
    botocore Stubber behind them); ``store`` keeps the saved pools (secrets in the keyring).
    """

    title = "Cognito"
    key = "cognito"
    run_label = "Sign in"
    origin = "cognito"
    shared_form = False  # the scope belongs to the hosted door; the API takes no extra params

    sig_challenge_opened = Signal(object)
    """A challenge dialog is open, asking the person (the CognitoChallengeDialog)."""

    def __init__(
        self,
        state: AppState,
        parent: QWidget | None = None,
        *,
        store: CognitoPoolStore | None = None,
    ) -> None:
        super().__init__(state, parent)
        self.make_auth: AuthFactory = CognitoAuth
        self.make_admin: AdminFactory = CognitoPoolAdmin
        self.store = store if store is not None else CognitoPoolStore(secrets=state.secrets)
        self.challenge_dialog: CognitoChallengeDialog | None = None
        self._attempt: SignIn | None = None  # the sign-in its challenges answer
        # (pool, its client secret, username) and the session made for them with their door
        self._installed: tuple[tuple[object, ...], OAuthSession] | None = None
        self._then: Callable[[], object] | None = None  # what follows once the worker is done
        self.run_button.setToolTip("Sign in through the API door (Ctrl+Return)")
        self.saved = SavedPools(self)
        self._connect()
        self.saved.reload()
        self._on_form_edited()
        self._on_tokens_changed(state.tokens, state.context)

    def build_body(self) -> None:
        """The sections, top to bottom; they are wired in :meth:`_connect`, once the tab is
        whole."""
        self.pool_form = PoolForm(self)
        self.sign_in = SignInSection(self)
        self.token_panel = TokenPanel(self)
        self.hosted = HostedPanel(self)
        self.insight = PoolInsightPanel(self)
        self.users = UsersPanel(self)
        for section in (self.pool_form, self.sign_in, self.token_panel, self.hosted):
            self.body_layout.addWidget(section)
        self.body_layout.addWidget(self.insight)
        self.body_layout.addWidget(self.users)
        self._set_tab_order()

    def _connect(self) -> None:
        form, panel, insight = self.pool_form, self.token_panel, self.insight
        for section in (form, self.sign_in, self.hosted):
            section.sig_edited.connect(self._on_form_edited)
        form.saved_combo.activated.connect(self.saved.pick)
        form.save_button.clicked.connect(lambda: self.act(self.saved.save))
        form.delete_button.clicked.connect(self.saved.delete)
        self.sign_in.sig_flow_changed.connect(insight.set_check_flow)
        self.sign_in.password_edit.returnPressed.connect(self.start)
        self.hosted.hosted_button.clicked.connect(lambda: self.act(self._use_hosted))
        door, reads = ApiDoorActions(self), InsightActions(self)
        for button, action in (
            (panel.refresh_button, door.refresh),
            (panel.get_user_button, door.get_user),
            (panel.revoke_button, door.revoke),
            (panel.sign_out_button, door.sign_out),
            (panel.reality_button, door.reality_check),
        ):
            button.clicked.connect(partial(self.act, action))
        insight.sig_describe_requested.connect(lambda: self.act(reads.describe))
        insight.sig_servers_requested.connect(lambda: self.act(reads.list_servers))
        insight.trigger_view.sig_requested.connect(lambda: self.act(reads.read_trigger))
        insight.sig_plan_requested.connect(lambda request: self.act(partial(reads.plan, request)))
        insight.sig_apply_confirmed.connect(lambda plan: self.act(partial(reads.apply, plan)))
        self.user_actions = UserActions(self)
        self.sig_running.connect(self._update_buttons)
        self.state.sig_tokens_changed.connect(self._on_tokens_changed)
        self.state.sig_provider_changed.connect(self._on_state_provider_changed)

    def _set_tab_order(self) -> None:
        """Tab moves through the fields as they appear."""
        chain: list[QWidget] = [
            *self.pool_form.focus_chain(),
            *self.sign_in.focus_chain(),
            *self.token_panel.focus_chain(),
            *self.hosted.focus_chain(),
            self.insight.toggle,
            *self.users.focus_chain(),
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ====================================================================== the pool
    def pool(self, *, domain: str | None = None) -> CognitoPool:
        """The pool as the fields describe it (ConfigError when they cannot); ``domain``
        replaces the Domain field's."""
        return self.pool_form.pool(self.hosted.domain if domain is None else domain)

    def ready_pool(self, *, client: bool = True) -> CognitoPool:
        """The pool for a call: it needs its id (and app client id) first."""
        pool = self.pool()
        if not pool.user_pool_id:
            raise ConfigError("Enter the user pool ID (like eu-west-1_AbC123) first.")
        if client and not pool.client_id:
            raise ConfigError("Enter the app client ID first.")
        return pool

    def set_pool(self, pool: CognitoPool) -> None:
        """Fill the fields from ``pool`` (a saved pool, tests)."""
        self.pool_form.fill(pool)
        self.hosted.domain_edit.setText(pool.domain)

    def _fields_pool(self) -> tuple[CognitoPool | None, CognitoPool | None, ConfigError | None]:
        """The pool the fields make, or None and why not; and the pool to derive the rest from
        (without its domain when only the domain is wrong)."""
        try:
            pool = self.pool()
        except ConfigError as problem:
            base = None
            if self.hosted.domain.strip():
                try:  # a bad domain leaves the rest derivable
                    base = self.pool(domain="")
                except ConfigError:
                    base = None
            return None, base, problem
        return pool, pool, None

    def _on_form_edited(self) -> None:
        """Issuer, JWKS URL, hosted endpoints, SECRET_HASH and the insight's checks follow the
        fields; a problem in them is said next to them."""
        pool, base, problem = self._fields_pool()
        self._show_problem(problem)
        self.pool_form.show_derived(base if base is not None and base.user_pool_id else None)
        self.hosted.show_endpoints(pool)
        self.sign_in.show_secret_hash(base)
        self.insight.set_context(
            secret_supplied=pool.has_secret if pool is not None else None,
            has_domain=bool(pool.domain) if pool is not None else None,
            scopes=self.hosted.scope_edit.text().split(),
        )
        self.insight.keep_only(pool)
        self.insight.trigger_view.keep_only(pool.user_pool_id if pool is not None else None)

    def _show_problem(self, problem: ConfigError | None) -> None:
        """The fields' problem beside them: under the domain, or under the pool fields."""
        self.pool_form.pool_problem.hide()
        self.hosted.domain_problem.hide()
        if problem is None:
            return
        message = ui_message(problem)
        if "domain" in message.lower():
            self.hosted.show_problem(message)
        else:
            self.pool_form.show_problem(message)
        if "endpoint url" in message.lower():
            self.pool_form.reveal_access()  # the field at fault comes into view

    # ====================================================================== running
    def start(self) -> None:
        """Sign in (Run, Ctrl+Return): no provider is needed, the pool is enough."""
        self.act(self.run)

    def act(self, action: Callable[[], None]) -> None:
        """Start the sign-in, a token action or an insight action: one at a time, never while
        a challenge is being asked; a problem with the fields goes to the banner."""
        if self.busy or self.challenge_dialog is not None:
            return
        self.error_banner.hide()
        try:
            action()
        except WorkbenchError as exc:
            self._show_error(exc)

    def run(self) -> None:
        pool = self.ready_pool()
        username = self.sign_in.username
        password = self.sign_in.password_edit.text()
        if not username:
            raise ConfigError("Enter the username to sign in with.")
        if not password:
            raise ConfigError("Enter the password.")
        flow, auth_flow = self.sign_in.flow, self.sign_in.auth_flow
        self._attempt = SignIn(pool, flow, username)
        self.token_panel.clear_result()
        self.run_auth(
            pool,
            lambda auth: auth.sign_in(username, password, auth_flow),
            step=f"Signing in as {username} with {flow}…",
            on_returned=self._on_sign_in_step,
        )

    def run_auth(
        self,
        pool: CognitoPool,
        op: Callable[[CognitoAuth], Any],
        *,
        step: str,
        on_returned: Callable[[Any], None],
    ) -> None:
        """Run ``op`` on a fresh CognitoAuth for ``pool`` in a worker (see :func:`with_auth`)."""
        self.run_in_worker(
            with_auth, self.make_auth, pool, self.state.log, op, step=step, on_returned=on_returned
        )

    def run_admin(
        self,
        pool: CognitoPool,
        op: Callable[[CognitoPoolAdmin], Any],
        *,
        step: str,
        on_returned: Callable[[Any], None],
    ) -> None:
        """Run ``op`` on a fresh CognitoPoolAdmin for ``pool`` in a worker."""
        self.run_in_worker(
            with_admin,
            self.make_admin,
            pool,
            self.state.log,
            op,
            step=step,
            on_returned=on_returned,
        )

    def after_worker(self, then: Callable[[], object]) -> None:
        """Do ``then`` once the running worker is done and the tab is idle again."""
        self._then = then

    def cancelled(self) -> bool:
        if self.worker is not None and self.worker.cancelled:
            self.sig_step.emit("Cancelled.")
            return True
        return False

    def _on_sign_in_step(self, result: tuple[TokenSet | Challenge, SecretHash | None]) -> None:
        outcome, hashed = result
        self.sign_in.show_sent(hashed)
        attempt = self._attempt
        if attempt is None:
            return
        if self.cancelled():
            self._attempt = None
            return
        if isinstance(outcome, TokenSet):
            self._attempt = None
            self.deliver(outcome, attempt.pool, attempt.flow, attempt.username)
            return
        self._then = partial(self._ask, outcome)  # the dialog opens once the tab is idle

    def _ask(self, challenge: Challenge) -> None:
        step = f"Cognito asks: {challenge.name}."
        if not challenge.answerable:
            step = f"Stopped: Cognito asks for {challenge.name}, which is not answered here."
            self._attempt = None
        self.sig_step.emit(step)
        dialog = CognitoChallengeDialog(challenge, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.challenge_dialog = dialog
        dialog.finished.connect(lambda code: self._on_challenge_answered(dialog, code))
        dialog.open()
        self.sig_challenge_opened.emit(dialog)

    def _on_challenge_answered(self, dialog: CognitoChallengeDialog, code: int) -> None:
        self.challenge_dialog = None
        challenge = dialog.challenge
        attempt = self._attempt
        if not challenge.answerable or attempt is None:
            return
        if code != CognitoChallengeDialog.DialogCode.Accepted:
            self._attempt = None
            self.sig_step.emit(f"Cancelled at the {challenge.name} challenge: not signed in.")
            return
        answers = dialog.answers()
        self.run_auth(
            attempt.pool,
            lambda auth: auth.respond(challenge, answers),
            step=f"Answering {challenge.name}…",
            on_returned=self._on_sign_in_step,
        )

    def on_cancelled(self) -> None:
        self._attempt = None
        self._then = None

    def reset_results(self) -> None:
        """Kept: what this tab shows is about its pool, not the provider bar's choice (which
        the tab itself sets when it makes the pool the provider)."""

    def _on_worker_finished(self) -> None:
        """The tab is idle again; then what the result asked for (a dialog, a check) starts,
        so a quick answer never finds the previous worker still in place."""
        super()._on_worker_finished()
        then, self._then = self._then, None
        if then is not None:
            then()

    # ====================================================================== tokens
    def deliver(
        self,
        tokens: TokenSet,
        pool: CognitoPool,
        flow: str,
        username: str,
        rotation: str | None = None,
        refreshed_from: str | None = None,
    ) -> None:
        """Make the pool the inspector's provider (its keys, GetUser as the verdict), then
        hand the tokens over."""
        session = self.install_pool_session(pool)
        extra = {
            "door": "api",
            "flow": flow,
            "user_pool_id": pool.user_pool_id,
            "client_id": pool.client_id,
            "username": username,
        }
        self.deliver_tokens(
            tokens,
            TokenContext(
                origin=self.origin, rotation=rotation, refreshed_from=refreshed_from, extra=extra
            ),
            session,
        )
        self.sig_step.emit(f"Signed in with {flow}: the tokens are in the inspector.")

    def install_pool_session(self, pool: CognitoPool) -> OAuthSession:
        """The state's session verifies against ``pool``, and the inspector's Refresh, Revoke and
        server check go through the API door (REFRESH_TOKEN_AUTH, RevokeToken, GetUser); made
        once per pool and username, kept while it stays the state's session."""
        username = self.sign_in.username or None
        key = (pool, pool.client_secret, username)
        installed = self._installed
        if installed is not None and installed[0] == key and self.state.session is installed[1]:
            return installed[1]
        door = CognitoTokenActions(pool, self.state.log, self.make_auth, username)
        provider = pool_provider(pool, self.hosted.scope)
        session = self.state.set_provider(provider, door=door, by=self.title)
        self._installed = (key, session)
        return session

    # ====================================================================== errors
    def _show_error(self, exc: BaseException) -> None:
        self.show_error(exc)

    def show_error(self, exc: BaseException) -> None:
        """The core's message in this tab's words, and a Cognito error's advice below it
        (:func:`describe_error` adds the advice and words its settings as this tab's fields)."""
        title, body = describe_error(exc, self.state.log.secrets(), places=UI_FIELDS)
        if isinstance(exc, CognitoError):
            title = "Cognito refused"
        self.error_banner.show_message(title, body)
        self.sig_step.emit("Failed.")

    # ====================================================================== slots
    def apply_provider(self, provider: Provider) -> None:
        """Other providers do not change the pool's fields."""

    def _use_hosted(self) -> None:
        pool = self.ready_pool()
        provider = pool.to_provider(self.hosted.scope)
        self.state.set_provider(provider, by=self.title)
        self._installed = None
        self.sig_step.emit(
            f"The hosted endpoints of {pool.hosted_base} are the provider now: use the "
            "Authorization Code, Client Credentials and Refresh tabs."
        )

    def _on_state_provider_changed(self, _provider: Provider | None) -> None:
        installed = self._installed
        if installed is not None and self.state.session is not installed[1]:
            self._installed = None

    def _on_tokens_changed(self, tokens: TokenSet | None, context: TokenContext | None) -> None:
        self.token_panel.show_tokens(tokens, context)
        self._update_buttons()

    def _update_buttons(self, busy: bool | None = None) -> None:
        idle = not (self.busy if busy is None else busy)
        self.token_panel.update_buttons(idle, self.state.tokens)
        self.pool_form.save_button.setEnabled(idle)
        self.insight.set_busy(not idle)
        self.users.set_busy(not idle)


__all__ = ["CognitoTab"]
