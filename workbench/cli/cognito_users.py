"""``workbench cognito`` actions for test users (no Qt here), added by :mod:`workbench.cli.main`
beside the pool insight actions of :mod:`workbench.cli.cognito` (whose pool options, pool and
log wiring it is handed, :data:`~workbench.cli.cognito.POOL_HOOKS`):

``sign-up``, ``confirm-sign-up``, ``resend-code``, ``forgot-password``,
``confirm-forgot-password`` (the public API: the app client, SECRET_HASH when it has a secret)
and ``admin-create-user``, ``admin-set-password [--permanent]``, ``admin-delete-user``,
``list-users`` (AWS credentials), all through :class:`~workbench.core.cognito.users.CognitoUsers`.

Passwords come only from ``--password-env VAR`` (never an argument: it would be visible to other
users in the process list); codes from ``--code`` or ``--code-env``. Results on stdout (``--json``
where there is something to print), progress on stderr, errors through ``report_error``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from workbench.cli.common import env, handle
from workbench.cli.output import EXIT_OK, Out
from workbench.core.cognito.api import CognitoApi
from workbench.core.cognito.pool import CognitoPool
from workbench.core.cognito.users import MAX_USERS, CodeDelivery, CognitoUsers
from workbench.core.errors import ConfigError

__all__ = ["USER_ACTIONS", "cmd_users", "register"]

PoolArgs = Callable[..., Any]
Handler = Callable[[argparse.Namespace, Out], int]

#: The user actions and their help: (needs the app client, help).
USER_ACTIONS: dict[str, tuple[bool, str]] = {
    "sign-up": (True, "sign a user up (SignUp; the user is unconfirmed until confirmed)"),
    "confirm-sign-up": (True, "confirm a sign-up with the code Cognito sent (ConfirmSignUp)"),
    "resend-code": (True, "send the sign-up code again (ResendConfirmationCode)"),
    "forgot-password": (True, "send a password-reset code (ForgotPassword)"),
    "confirm-forgot-password": (True, "set a new password with the code (ConfirmForgotPassword)"),
    "admin-create-user": (False, "create a user with a temporary password (AdminCreateUser)"),
    "admin-set-password": (False, "set a user's password (AdminSetUserPassword)"),
    "admin-delete-user": (False, "delete a user (AdminDeleteUser)"),
    "list-users": (False, "list the pool's users (ListUsers, paginated)"),
}
_NEEDS_PASSWORD = {"sign-up", "confirm-forgot-password", "admin-set-password"}
_NEEDS_CODE = {"confirm-sign-up", "confirm-forgot-password"}
_JSON = {"sign-up", "resend-code", "forgot-password", "admin-create-user", "list-users"}


def _attribute(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def register(
    actions: Any,
    pool_args: PoolArgs,
    make_pool: Callable[[argparse.Namespace], CognitoPool],
    open_api: Callable[[CognitoApi, argparse.Namespace, Out], None],
) -> None:
    """Add the user actions to the ``cognito`` command's ``actions``: ``pool_args`` adds the
    pool options every Cognito command takes, ``make_pool`` reads them, ``open_api`` wires a
    client's log to the output (``--log``, masking) as every Cognito command does."""

    def run(args: argparse.Namespace, out: Out) -> int:
        return cmd_users(args, out, make_pool(args), open_api)

    for name, (_needs_client, text) in USER_ACTIONS.items():
        p = actions.add_parser(name, help=text, description=text)
        pool_args(p, client=True)
        if name != "list-users":
            p.add_argument("--username", required=True, help="the user's name in the pool")
        if name in _NEEDS_PASSWORD or name == "admin-create-user":
            what = "password"
            if name == "admin-create-user":
                what = "temporary password (without it Cognito makes one up and tells no one "
                what += "unless --send-invitation; admin-set-password sets one later)"
            p.add_argument(
                "--password-env",
                metavar="VAR",
                required=name in _NEEDS_PASSWORD,
                help=f"read the {what} from $VAR (never given as an argument)",
            )
        if name in _NEEDS_CODE:
            p.add_argument("--code", help="the code Cognito sent")
            p.add_argument("--code-env", metavar="VAR", help="read the code from $VAR")
        if name in ("sign-up", "admin-create-user"):
            p.add_argument(
                "--attribute",
                action="append",
                default=[],
                type=_attribute,
                metavar="NAME=VALUE",
                help="a user attribute (email=..., phone_number=...)",
            )
        _extra_options(p, name)
        p.add_argument("--insecure", action="store_true", help="do not verify TLS")
        p.add_argument("--log", action="store_true", help="print every exchange and curl")
        if name in _JSON:
            p.add_argument("--json", action="store_true", help="print JSON")
        handle(p, run)


def _extra_options(p: argparse.ArgumentParser, name: str) -> None:
    if name == "admin-create-user":
        p.add_argument(
            "--send-invitation",
            action="store_true",
            help="let Cognito send its invitation message (suppressed by default)",
        )
    elif name == "admin-set-password":
        p.add_argument(
            "--permanent",
            action="store_true",
            help="a permanent password (the user is confirmed; no NEW_PASSWORD_REQUIRED)",
        )
    elif name == "list-users":
        p.add_argument("--filter", default="", help='Cognito\'s filter, like email ^= "test"')
        p.add_argument(
            "--limit", type=int, default=MAX_USERS, help=f"most users to read ({MAX_USERS})"
        )


def _password(args: argparse.Namespace, out: Out) -> str:
    var = getattr(args, "password_env", None)
    if not var:
        return ""
    return out.secret(env(var, "password")) or ""


def _code(args: argparse.Namespace, out: Out) -> str:
    if args.code and args.code_env:
        raise ConfigError("Give the code either with --code or with --code-env, not both.")
    code = env(args.code_env, "code") if args.code_env else args.code
    if not code:
        raise ConfigError("The code Cognito sent is needed: --code CODE or --code-env VAR.")
    return out.secret(code) or ""


def _delivery(args: argparse.Namespace, out: Out, delivery: CodeDelivery | None) -> None:
    if args.json:
        out.result(json.dumps({"code_delivery": delivery.to_dict() if delivery else None}))
    else:
        out.result(delivery.describe() if delivery else "Cognito did not say where the code went.")


def cmd_users(
    args: argparse.Namespace,
    out: Out,
    pool: CognitoPool,
    open_api: Callable[[CognitoApi, argparse.Namespace, Out], None],
) -> int:
    """``cognito sign-up | ... | list-users`` on ``pool``."""
    action = args.cognito_command
    pool.require_region()
    if USER_ACTIONS[action][0]:
        pool.require_client()
    else:
        pool.require_pool()
    users = CognitoUsers(pool)
    open_api(users, args, out)
    try:
        return _RUN[action](args, out, users)
    finally:
        users.close()


def _sign_up(args: argparse.Namespace, out: Out, users: CognitoUsers) -> int:
    result = users.sign_up(args.username, _password(args, out), dict(args.attribute))
    if args.json:
        out.result(json.dumps(result.to_dict(), indent=2))
        return EXIT_OK
    state = "confirmed" if result.confirmed else "not confirmed yet (confirm-sign-up --code)"
    out.result(f"signed up {result.username} (sub {result.sub or '-'}): {state}")
    if result.delivery:
        out.result(result.delivery.describe())
    return EXIT_OK


def _confirm_sign_up(args: argparse.Namespace, out: Out, users: CognitoUsers) -> int:
    users.confirm_sign_up(args.username, _code(args, out))
    out.result(f"confirmed {args.username}")
    return EXIT_OK


def _resend(args: argparse.Namespace, out: Out, users: CognitoUsers) -> int:
    _delivery(args, out, users.resend_confirmation_code(args.username))
    return EXIT_OK


def _forgot(args: argparse.Namespace, out: Out, users: CognitoUsers) -> int:
    _delivery(args, out, users.forgot_password(args.username))
    return EXIT_OK


def _confirm_forgot(args: argparse.Namespace, out: Out, users: CognitoUsers) -> int:
    users.confirm_forgot_password(args.username, _code(args, out), _password(args, out))
    out.result(f"new password set for {args.username}")
    return EXIT_OK


def _create(args: argparse.Namespace, out: Out, users: CognitoUsers) -> int:
    user = users.admin_create_user(
        args.username,
        _password(args, out),
        dict(args.attribute),
        send_invitation=args.send_invitation,
    )
    if args.json:
        out.result(json.dumps(user.to_dict(), indent=2))
    else:
        out.result(f"created {user.username}: {user.status}")
    return EXIT_OK


def _set_password(args: argparse.Namespace, out: Out, users: CognitoUsers) -> int:
    users.admin_set_user_password(args.username, _password(args, out), permanent=args.permanent)
    kind = "permanent (CONFIRMED)" if args.permanent else "temporary (FORCE_CHANGE_PASSWORD)"
    out.result(f"password of {args.username} set: {kind}")
    return EXIT_OK


def _delete(args: argparse.Namespace, out: Out, users: CognitoUsers) -> int:
    users.admin_delete_user(args.username)
    out.result(f"deleted {args.username}")
    return EXIT_OK


def _list(args: argparse.Namespace, out: Out, users: CognitoUsers) -> int:
    listed = users.list_users(filter_expr=args.filter, limit=args.limit)
    if args.json:
        out.result(json.dumps(listed.to_dict(), indent=2))
        return EXIT_OK
    if not listed.users:
        out.result("No users in this pool.")
    for user in listed.users:
        enabled = "" if user.enabled else "  (disabled)"
        email = f"  {user.email}" if user.email else ""
        out.result(f"{user.username}  {user.status}{email}{enabled}")
    if listed.truncated:
        out.info(f"warning: the pool has more users than the {args.limit} read (--limit).")
    return EXIT_OK


_RUN: dict[str, Callable[[argparse.Namespace, Out, CognitoUsers], int]] = {
    "sign-up": _sign_up,
    "confirm-sign-up": _confirm_sign_up,
    "resend-code": _resend,
    "forgot-password": _forgot,
    "confirm-forgot-password": _confirm_forgot,
    "admin-create-user": _create,
    "admin-set-password": _set_password,
    "admin-delete-user": _delete,
    "list-users": _list,
}
