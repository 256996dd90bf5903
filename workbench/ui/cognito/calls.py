"""What the Cognito tab runs in its workers (no widget is touched here), and the words of its
fields for the settings an error names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workbench.core.cognito.admin import CognitoPoolAdmin
from workbench.core.cognito.auth import CognitoAuth
from workbench.core.cognito.pool import CognitoPool, SecretHash
from workbench.core.hints import Fix, Setting
from workbench.core.transport.http import ExchangeLog
from workbench.ui.widgets.banners import app_fix

AuthFactory = Callable[[CognitoPool, ExchangeLog], CognitoAuth]
AdminFactory = Callable[[CognitoPool, ExchangeLog], CognitoPoolAdmin]


def with_auth(
    make_auth: AuthFactory,
    pool: CognitoPool,
    log: ExchangeLog,
    op: Callable[[CognitoAuth], Any],
) -> tuple[Any, SecretHash | None]:
    """``op(auth)`` with a fresh CognitoAuth, closed after; and the SECRET_HASH it sent."""
    auth = make_auth(pool, log)
    try:
        return op(auth), auth.last_secret_hash
    finally:
        auth.close()


def with_admin(
    make_admin: AdminFactory,
    pool: CognitoPool,
    log: ExchangeLog,
    op: Callable[[CognitoPoolAdmin], Any],
) -> Any:
    """``op(admin)`` with a fresh CognitoPoolAdmin, closed after."""
    admin = make_admin(pool, log)
    try:
        return op(admin)
    finally:
        admin.close()


@dataclass(frozen=True)
class SignIn:
    """A sign-in in progress: what the answers of its challenges go back with."""

    pool: CognitoPool
    flow: str
    username: str


#: CLI option names left in the advice of Cognito's refusals, in the words of this tab
#: (the core's own errors carry their settings as data instead: :func:`ui_fix`).
_UI_WORDS = {
    "--client-secret-env VAR": "the Client secret field",
    "--user-pool-id": "the User pool ID",
    "--client-id": "the App client ID",
    "--aws-profile": "the AWS profile",
    "--endpoint-url": "the Endpoint URL",
    "--region": "the Region",
}


def ui_words(text: str) -> str:
    """A core message with its CLI option names replaced by this tab's field names."""
    for cli, ui in _UI_WORDS.items():
        text = text.replace(cli, ui)
    return text


#: This tab's field for each setting an error says would fix it (:mod:`workbench.core.hints`).
UI_FIELDS: dict[Setting, str] = {
    Setting.CLIENT_ID: "the App client ID",
    Setting.REGION: "the Region",
    Setting.USER_POOL_ID: "the User pool ID",
    Setting.USERNAME: "the Username",
    Setting.AWS_PROFILE: "the AWS profile",
}


def ui_fix(fix: Fix) -> str:
    """`` See the Region or the User pool ID.``: the fields that would fix an error."""
    return app_fix(fix, UI_FIELDS)


def ui_message(text: str, fix: Fix) -> str:
    """A core message (or its rich-text body) in this tab's words, with the fields to fill."""
    return ui_words(text) + ui_fix(fix)


__all__ = [
    "UI_FIELDS",
    "SignIn",
    "ui_fix",
    "ui_message",
    "ui_words",
    "with_admin",
    "with_auth",
]
