"""What the Cognito tab's buttons do beyond the sign-in: the API door's token actions
(REFRESH_TOKEN_AUTH, GetUser, RevokeToken, GlobalSignOut, the reality check) and the pool
insight's reads and changes (DescribeUserPoolClient, ListResourceServers, the custom-scope plan);
and the saved pools.

Each action checks the fields, runs its call in the tab's worker
(:meth:`~workbench.ui.cognito.tab.CognitoTab.run_auth`,
:meth:`~workbench.ui.cognito.tab.CognitoTab.run_admin`) and hands the answer to the section
that shows it. The tab starts them one at a time (:meth:`~workbench.ui.cognito.tab.CognitoTab.act`).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox

from workbench.core.cognito.admin import AppClientInfo, CognitoPoolAdmin, ResourceServer, ScopePlan
from workbench.core.cognito.auth import cognito_username
from workbench.core.cognito.pool import CognitoPool, SecretHash
from workbench.core.cognito.triggers import PreTokenTriggerConfig, read_pre_token_trigger
from workbench.core.errors import ConfigError, WorkbenchError
from workbench.core.model import RefreshResult
from workbench.core.oauth.tokenset import TokenSet
from workbench.ui.cognito.resource_dialog import ResourceServerRequest

if TYPE_CHECKING:
    from workbench.ui.cognito.tab import CognitoTab


class ApiDoorActions:
    """The API door's actions on the current tokens."""

    def __init__(self, tab: CognitoTab) -> None:
        self.tab = tab

    def _current_tokens(self, need: str) -> TokenSet:
        tokens = self.tab.state.tokens
        value = None
        if tokens is not None:
            value = tokens.refresh_token if need == "refresh" else tokens.access_token
        if tokens is None or not value:
            what = "refresh token" if need == "refresh" else "access token"
            raise ConfigError(f"No {what}: sign in first.")
        return tokens

    def refresh(self) -> None:
        pool = self.tab.ready_pool()
        tokens = self._current_tokens("refresh")
        sent = tokens.refresh_token or ""
        username = (
            cognito_username(tokens.access_token or "")
            or cognito_username(tokens.id_token or "")
            or self.tab.sign_in.username
        )

        def done(result: tuple[RefreshResult, SecretHash | None]) -> None:
            if self.tab.cancelled():
                return
            refreshed, hashed = result
            self.tab.sign_in.show_sent(hashed)
            new = refreshed.tokens
            self.tab.token_panel.show_refreshed(refreshed.rotation)
            self.tab.deliver(
                new, pool, "REFRESH_TOKEN_AUTH", username or "", refreshed.rotation, sent
            )
            self.tab.sig_step.emit("Refreshed: the new tokens are in the inspector.")

        self.tab.run_auth(
            pool,
            lambda auth: auth.refresh(sent, username or None),
            step="Refreshing (REFRESH_TOKEN_AUTH)…",
            on_returned=done,
        )

    def get_user(self) -> None:
        pool = self.tab.ready_pool(client=False)
        access = self._current_tokens("access").access_token or ""

        def done(result: tuple[dict[str, Any], SecretHash | None]) -> None:
            if not self.tab.cancelled():
                self.tab.token_panel.show_user(result[0])
                self.tab.sig_step.emit("GetUser answered.")

        self.tab.run_auth(
            pool,
            lambda auth: auth.get_user(access),
            step="Asking Cognito (GetUser)…",
            on_returned=done,
        )

    def revoke(self) -> None:
        pool = self.tab.ready_pool()
        tokens = self._current_tokens("refresh")
        refresh = tokens.refresh_token or ""
        access = tokens.access_token

        def done(_result: object) -> None:
            if self.tab.cancelled():
                return
            self.tab.token_panel.show_revoked()
            self.tab.state.mark_tokens(refresh, "revoked")
            self.tab.sig_step.emit("Revoked: the reality check runs in the inspector.")
            if access:
                self.tab.after_worker(partial(self.request_reality_check, pool, access))

        self.tab.run_auth(
            pool,
            lambda auth: auth.revoke(refresh),
            step="Revoking the refresh token (RevokeToken)…",
            on_returned=done,
        )

    def sign_out(self) -> None:
        pool = self.tab.ready_pool(client=False)
        access = self._current_tokens("access").access_token or ""

        def done(_result: object) -> None:
            if self.tab.cancelled():
                return
            self.tab.token_panel.show_signed_out()
            self.tab.state.mark_tokens(access, "logged out")
            self.tab.sig_step.emit("Signed out: the reality check runs in the inspector.")
            self.tab.after_worker(partial(self.request_reality_check, pool, access))

        self.tab.run_auth(
            pool,
            lambda auth: auth.global_sign_out(access),
            step="Signing out everywhere (GlobalSignOut)…",
            on_returned=done,
        )

    def reality_check(self) -> None:
        pool = self.tab.ready_pool(client=False)
        access = self._current_tokens("access").access_token or ""
        self.request_reality_check(pool, access)
        self.tab.sig_step.emit("The reality check runs in the inspector.")

    def request_reality_check(self, pool: CognitoPool, token: str) -> None:
        """The inspector verifies ``token`` locally and asks Cognito (GetUser), side by side."""
        self.tab.install_pool_session(pool)
        self.tab.state.sig_reality_check.emit(token)


class InsightActions:
    """The pool insight's reads and changes, signed with AWS credentials."""

    def __init__(self, tab: CognitoTab) -> None:
        self.tab = tab

    def describe(self) -> None:
        def done(info: AppClientInfo) -> None:
            if not self.tab.cancelled():
                self.tab.insight.show_client(info)
                self.tab.sig_step.emit(f"Described the app client {info.client_id}.")

        self.tab.run_admin(
            self.tab.ready_pool(),
            lambda admin: admin.describe_client(),
            step="Describing the app client (DescribeUserPoolClient)…",
            on_returned=done,
        )

    def list_servers(self) -> None:
        pool = self.tab.ready_pool(client=False)

        def done(servers: list[ResourceServer]) -> None:
            if not self.tab.cancelled():
                self.tab.insight.show_servers(servers)
                self.tab.sig_step.emit(f"{len(servers)} resource server(s) in {pool.user_pool_id}.")

        self.tab.run_admin(
            pool,
            lambda admin: admin.list_resource_servers(),
            step="Listing the resource servers (ListResourceServers)…",
            on_returned=done,
        )

    def read_trigger(self) -> None:
        pool = self.tab.ready_pool(client=False)

        def done(config: PreTokenTriggerConfig) -> None:
            if not self.tab.cancelled():
                self.tab.insight.set_expanded(True)
                self.tab.insight.trigger_view.show_trigger(config)
                self.tab.sig_step.emit(
                    f"Read the pre token generation trigger of {pool.user_pool_id}."
                )

        self.tab.run_admin(
            pool,
            read_pre_token_trigger,
            step="Reading the pool's pre token generation trigger (DescribeUserPool)…",
            on_returned=done,
        )

    def plan(self, request: ResourceServerRequest) -> None:
        def done(plan: ScopePlan) -> None:
            if self.tab.cancelled():
                return
            if plan.nothing_to_do:
                self.tab.sig_step.emit("Nothing to do: the scopes are in place.")
            else:
                self.tab.sig_step.emit("Confirm the changes: nothing has changed yet.")
            self.tab.after_worker(partial(self.tab.insight.ask_to_apply, plan))

        self.tab.run_admin(
            self.tab.ready_pool(),
            lambda admin: admin.plan_custom_scopes(
                request.identifier,
                request.scopes,
                name=request.name,
                enable_client_credentials=request.client_credentials,
            ),
            step="Planning the changes (reads only)…",
            on_returned=done,
        )

    def apply(self, plan: ScopePlan) -> None:
        def apply(admin: CognitoPoolAdmin) -> tuple[AppClientInfo, list[ResourceServer]]:
            info = admin.apply(plan, confirm=True)
            return info, admin.list_resource_servers()

        def done(result: tuple[AppClientInfo, list[ResourceServer]]) -> None:
            info, servers = result
            self.tab.insight.show_client(info)
            self.tab.insight.show_servers(servers)
            self.tab.sig_step.emit(f"Changed: {len(plan.steps())} change(s) applied.")

        self.tab.run_admin(
            self.tab.ready_pool(), apply, step="Changing the user pool…", on_returned=done
        )


class SavedPools:
    """The saved pools: pick one to fill the fields, save the fields under their name, delete
    one (its client secret in the keyring too)."""

    def __init__(self, tab: CognitoTab) -> None:
        self.tab = tab

    def reload(self, select: str | None = None) -> None:
        current = select if select is not None else self.tab.pool_form.saved_combo.currentData()
        try:
            names = sorted(self.tab.store.load_all(), key=str.lower)
        except WorkbenchError as exc:
            names = []
            self.tab.show_error(exc)
        self.tab.pool_form.list_saved(names, current)

    def pick(self, index: int) -> None:
        name = self.tab.pool_form.saved_combo.itemData(index)
        self.tab.pool_form.delete_button.setEnabled(name is not None)
        if name is None:
            return
        self.tab.error_banner.hide()
        try:
            self.tab.set_pool(self.tab.store.get(str(name)))
        except WorkbenchError as exc:
            self.tab.show_error(exc)
            return
        self.tab.sig_step.emit(f"Loaded the saved pool “{name}”.")

    def save(self) -> None:
        pool = self.tab.pool()
        if not pool.name:
            raise ConfigError("Name the pool to save it (the Name field).")
        self.tab.store.save(pool)
        self.reload(select=pool.name)
        where = self.tab.state.secrets.where()
        secret = f"; its client secret: {where}" if pool.has_secret else ""
        self.tab.sig_step.emit(f"Saved “{pool.name}”{secret}.")

    def delete(self) -> None:
        name = self.tab.pool_form.saved_combo.currentData()
        if name is None:
            return
        answer = QMessageBox.question(
            self.tab,
            "Delete saved pool",
            f"Delete the saved pool “{name}” and its stored client secret?",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.tab.store.delete(str(name))
        except WorkbenchError as exc:
            self.tab.show_error(exc)
            return
        self.reload(select="")
        self.tab.sig_step.emit(f"Deleted the saved pool “{name}”.")


__all__ = ["ApiDoorActions", "InsightActions", "SavedPools"]
