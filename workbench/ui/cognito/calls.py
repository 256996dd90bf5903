"""What the Cognito tab runs in its workers (no widget is touched here), and the words of its
fields for the settings an error names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from workbench.core.cognito.admin import CognitoPoolAdmin
from workbench.core.cognito.api import CognitoApi
from workbench.core.cognito.auth import CognitoAuth
from workbench.core.cognito.pool import CognitoPool, SecretHash
from workbench.core.errors import WorkbenchError
from workbench.core.hints import Phrase, Setting, worded
from workbench.core.transport.exchange import ExchangeLog
from workbench.ui.widgets.banners import app_fix, app_place

AuthFactory = Callable[[CognitoPool, ExchangeLog], CognitoAuth]
AdminFactory = Callable[[CognitoPool, ExchangeLog], CognitoPoolAdmin]
Api = TypeVar("Api", bound=CognitoApi)


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
    make_admin: Callable[[CognitoPool, ExchangeLog], Api],
    pool: CognitoPool,
    log: ExchangeLog,
    op: Callable[[Api], Any],
) -> Any:
    """``op(admin)`` with a fresh CognitoPoolAdmin (or another CognitoApi: the test users'
    CognitoUsers), closed after."""
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


#: This tab's field for each setting an error names (:mod:`workbench.core.hints`): in its message,
#: a Cognito error's advice, and the fields that would fix it (``describe_error(places=...)``).
UI_FIELDS: dict[Setting, str] = {
    Setting.CLIENT_ID: "the App client ID",
    Setting.REGION: "the Region",
    Setting.USER_POOL_ID: "the User pool ID",
    Setting.USERNAME: "the Username",
    Setting.AWS_PROFILE: "the AWS profile",
    Setting.CLIENT_SECRET: "the Client secret field",
    Setting.ENDPOINT_URL: "the Endpoint URL",
}


def ui_words(text: Phrase) -> str:
    """A core phrase (a message, an advice) with the settings it names as this tab's fields."""
    return worded(text, partial(app_place, places=UI_FIELDS))


def ui_message(error: WorkbenchError) -> str:
    """A core error's message in this tab's words, with the fields to fill
    (`` See the Region or the User pool ID.``)."""
    return ui_words(error.phrase) + app_fix(error.fix, UI_FIELDS)


__all__ = [
    "UI_FIELDS",
    "SignIn",
    "ui_message",
    "ui_words",
    "with_admin",
    "with_auth",
]
