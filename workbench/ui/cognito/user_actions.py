"""What the test users panel's buttons do: each checks the fields, runs its call in the Cognito
tab's worker through a fresh :class:`~workbench.core.cognito.users.CognitoUsers` (its calls in
the window's exchange log, masked) and hands the answer to
:class:`~workbench.ui.cognito.users_panel.UsersPanel`. Errors go to the tab's banner with
Cognito's advice, as every Cognito call's do; the tab starts them one at a time
(:meth:`~workbench.ui.cognito.tab.CognitoTab.act`).

The admin calls list the users again after a change, so the list shows what the pool holds.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from workbench.core.cognito.pool import CognitoPool
from workbench.core.cognito.users import CognitoUsers, SignUpResult, UserList
from workbench.core.errors import ConfigError
from workbench.core.transport.exchange import ExchangeLog
from workbench.ui.cognito.calls import with_admin

if TYPE_CHECKING:
    from workbench.ui.cognito.tab import CognitoTab

UsersFactory = Callable[[CognitoPool, ExchangeLog], CognitoUsers]


class UserActions:
    """The users panel's calls, wired to its signals. ``make_users`` builds the core object in
    the worker."""

    def __init__(self, tab: CognitoTab) -> None:
        self.tab = tab
        self.panel = tab.users
        self.make_users: UsersFactory = CognitoUsers
        panel = self.panel
        for signal, action in (
            (panel.sig_list_requested, self.list_users),
            (panel.sig_create_requested, self.create),
            (panel.sig_set_password_requested, self.set_password),
            (panel.sig_sign_up_requested, self.sign_up),
            (panel.sig_confirm_requested, self.confirm),
        ):
            signal.connect(partial(tab.act, action))
        panel.sig_delete_confirmed.connect(lambda name: tab.act(partial(self.delete, name)))

    # -- running ------------------------------------------------------------------------------
    def _run(
        self,
        op: Callable[[CognitoUsers], Any],
        *,
        step: str,
        done: Callable[[Any], None],
        client: bool = False,
    ) -> None:
        pool = self.tab.ready_pool(client=client)
        self.tab.run_in_worker(
            with_admin,
            self.make_users,
            pool,
            self.tab.state.log,
            op,
            step=step,
            on_returned=done,
        )

    def _changed(self, said: str) -> Callable[[UserList], None]:
        """After an admin change: the fresh list, and what changed."""

        def done(listed: UserList) -> None:
            self.panel.clear_secrets()
            self.panel.show_users(listed)
            self.panel.show_result(said)
            self.tab.sig_step.emit(said)

        return done

    def _username(self) -> str:
        username = self.panel.username
        if not username:
            raise ConfigError("Enter the user's name (the User name field of Test users).")
        return username

    def _password(self, what: str) -> str:
        password = self.panel.password
        if not password:
            raise ConfigError(f"Enter the {what} (the Password field of Test users).")
        return password

    # -- the admin calls ----------------------------------------------------------------------
    def list_users(self) -> None:
        def done(listed: UserList) -> None:
            self.panel.show_users(listed)
            self.tab.sig_step.emit(f"Listed {len(listed.users)} user(s).")

        self._run(lambda users: users.list_users(), step="Listing the pool's users…", done=done)

    def create(self) -> None:
        username, password = self._username(), self._password("temporary password")
        attributes = self.panel.attributes

        def op(users: CognitoUsers) -> UserList:
            users.admin_create_user(username, password, attributes)
            return users.list_users()

        said = f"Created {username} (FORCE_CHANGE_PASSWORD: the password is temporary)."
        self._run(op, step=f"Creating {username}…", done=self._changed(said))

    def set_password(self) -> None:
        username, password = self._username(), self._password("password")
        permanent = self.panel.permanent_check.isChecked()

        def op(users: CognitoUsers) -> UserList:
            users.admin_set_user_password(username, password, permanent=permanent)
            return users.list_users()

        kind = "permanent: the user is CONFIRMED" if permanent else "temporary"
        said = f"Set the password of {username} ({kind})."
        self._run(op, step=f"Setting the password of {username}…", done=self._changed(said))

    def delete(self, username: str) -> None:
        def op(users: CognitoUsers) -> UserList:
            users.admin_delete_user(username)
            return users.list_users()

        self._run(op, step=f"Deleting {username}…", done=self._changed(f"Deleted {username}."))

    # -- the public calls (the app client) ----------------------------------------------------
    def sign_up(self) -> None:
        username, password = self._username(), self._password("password")
        attributes = self.panel.attributes

        def done(result: SignUpResult) -> None:
            self.panel.clear_secrets()
            state = (
                "confirmed"
                if result.confirmed
                else "not confirmed yet: enter the code Cognito sent and Confirm sign-up"
            )
            sent = f" {result.delivery.describe()}" if result.delivery else ""
            said = f"Signed up {username}: {state}.{sent}"
            self.panel.show_result(said)
            self.tab.sig_step.emit(f"Signed up {username}.")

        self._run(
            lambda users: users.sign_up(username, password, attributes),
            step=f"Signing {username} up…",
            done=done,
            client=True,
        )

    def confirm(self) -> None:
        username, code = self._username(), self.panel.code
        if not code:
            raise ConfigError("Enter the code Cognito sent (the Code field of Test users).")

        def done(_result: None) -> None:
            self.panel.clear_secrets()
            self.panel.show_result(f"Confirmed {username}: the user can sign in.")
            self.tab.sig_step.emit(f"Confirmed {username}.")

        self._run(
            lambda users: users.confirm_sign_up(username, code),
            step=f"Confirming {username}…",
            done=done,
            client=True,
        )


__all__ = ["UserActions", "UsersFactory"]
