"""Test users in a pool: sign-up and its confirmation, forgotten passwords, and the admin calls
that create, set the password of, list and delete users.

:class:`CognitoUsers` is a :class:`~workbench.core.cognito.api.CognitoApi`, so every call goes
through the recorded boto3 client: it lands in the exchange log, masked (passwords, codes and the
SECRET_HASH are secrets of the log before the call is made).

* The public API (no AWS credentials): ``SignUp``, ``ConfirmSignUp``,
  ``ResendConfirmationCode``, ``ForgotPassword``, ``ConfirmForgotPassword``. Each carries
  ``SecretHash`` = Base64(HMAC_SHA256(client secret, username + client id)) when the app client
  has a secret, as the sign-in does (:meth:`CognitoPool.secret_hash`).
* The admin API (signed with AWS credentials): ``AdminCreateUser`` (the invitation message
  suppressed unless asked for: these are throwaway users), ``AdminSetUserPassword`` (temporary,
  or ``permanent`` to skip NEW_PASSWORD_REQUIRED), ``AdminDeleteUser`` and ``ListUsers``,
  paginated and bounded (:data:`MAX_USERS`; the result says when there were more).

Errors come back as :class:`~workbench.core.cognito.errors.CognitoError` with the advice of
:mod:`workbench.core.cognito.errors`. Blocking I/O: call it off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workbench.core.cognito.api import CognitoApi
from workbench.core.errors import ConfigError
from workbench.core.hints import Setting

__all__ = [
    "MAX_USERS",
    "PAGE_SIZE",
    "CodeDelivery",
    "CognitoUsers",
    "PoolUser",
    "SignUpResult",
    "UserList",
]

#: ListUsers' largest page (Cognito's limit).
PAGE_SIZE = 60
#: The most users :meth:`CognitoUsers.list_users` reads by default: a test pool, not a directory.
MAX_USERS = 600


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if value else ""


@dataclass(frozen=True)
class CodeDelivery:
    """Where Cognito sent a code (CodeDeliveryDetails): ``medium`` EMAIL or SMS, the masked
    ``destination`` as Cognito shows it, the ``attribute`` it went to."""

    medium: str
    destination: str
    attribute: str

    @classmethod
    def from_response(cls, response: Mapping[str, Any]) -> CodeDelivery | None:
        details = response.get("CodeDeliveryDetails")
        if not isinstance(details, Mapping):
            return None
        return cls(
            str(details.get("DeliveryMedium") or ""),
            str(details.get("Destination") or ""),
            str(details.get("AttributeName") or ""),
        )

    def describe(self) -> str:
        where = self.destination or "the user"
        return f"Cognito sent a code by {self.medium or 'its usual way'} to {where}."

    def to_dict(self) -> dict[str, str]:
        return {
            "medium": self.medium,
            "destination": self.destination,
            "attribute": self.attribute,
        }


@dataclass(frozen=True)
class SignUpResult:
    """SignUp's answer: whether the user is already confirmed, its ``sub``, where the code went."""

    username: str
    confirmed: bool
    sub: str
    delivery: CodeDelivery | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "confirmed": self.confirmed,
            "sub": self.sub,
            "code_delivery": self.delivery.to_dict() if self.delivery else None,
        }


@dataclass(frozen=True)
class PoolUser:
    """One user of the pool as ListUsers / AdminCreateUser describe it."""

    username: str
    status: str
    enabled: bool
    created: str = ""
    modified: str = ""
    attributes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_description(cls, data: Mapping[str, Any]) -> PoolUser:
        attributes = {
            str(a.get("Name")): str(a.get("Value", ""))
            for a in data.get("Attributes") or []
            if isinstance(a, Mapping) and a.get("Name")
        }
        return cls(
            username=str(data.get("Username") or ""),
            status=str(data.get("UserStatus") or ""),
            enabled=bool(data.get("Enabled", True)),
            created=_when(data.get("UserCreateDate")),
            modified=_when(data.get("UserLastModifiedDate")),
            attributes=attributes,
        )

    @property
    def sub(self) -> str:
        return self.attributes.get("sub", "")

    @property
    def email(self) -> str:
        return self.attributes.get("email", "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "status": self.status,
            "enabled": self.enabled,
            "created": self.created,
            "modified": self.modified,
            "attributes": dict(self.attributes),
        }


@dataclass(frozen=True)
class UserList:
    """The users read, and whether the pool has more than were read (``truncated``)."""

    users: tuple[PoolUser, ...]
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"users": [u.to_dict() for u in self.users], "truncated": self.truncated}


def attribute_list(attributes: Mapping[str, str] | None) -> list[dict[str, str]]:
    """``{"email": "a@b"}`` as Cognito's ``[{"Name": "email", "Value": "a@b"}]``."""
    return [{"Name": name, "Value": value} for name, value in (attributes or {}).items()]


def _need(value: str, what: str, setting: Setting | None = None) -> str:
    if not value:
        fix = (setting,) if setting is not None else ()
        raise ConfigError(f"This needs {what}.", fix=fix)
    return value


class CognitoUsers(CognitoApi):
    """Test users of one pool (public calls need the app client; admin calls AWS credentials)."""

    # -- the public API (the app client, SECRET_HASH when it has a secret) -----------------------
    def _public(
        self, operation: str, username: str, *secrets: str, **params: Any
    ) -> dict[str, Any]:
        _need(username, "a user name", Setting.USERNAME)
        for secret in secrets:
            self.log.add_secret(secret)
        hashed = self.pool.secret_hash(username)
        if hashed is not None:
            self.log.add_secret(hashed.value)
            params["SecretHash"] = hashed.value
        return self.call(
            operation,
            {"operation": operation},
            ClientId=self.pool.require_client(),
            Username=username,
            **params,
        )

    def sign_up(
        self, username: str, password: str, attributes: Mapping[str, str] | None = None
    ) -> SignUpResult:
        """SignUp: a new, unconfirmed user (unless a pre-sign-up trigger confirms it)."""
        _need(password, "a password")
        response = self._public(
            "sign_up",
            username,
            password,
            Password=password,
            UserAttributes=attribute_list(attributes),
        )
        return SignUpResult(
            username,
            bool(response.get("UserConfirmed")),
            str(response.get("UserSub") or ""),
            CodeDelivery.from_response(response),
        )

    def confirm_sign_up(self, username: str, code: str) -> None:
        """ConfirmSignUp with the code Cognito sent."""
        code = _need(code.strip(), "the confirmation code")
        self._public("confirm_sign_up", username, code, ConfirmationCode=code)

    def resend_confirmation_code(self, username: str) -> CodeDelivery | None:
        """ResendConfirmationCode: a new sign-up code."""
        return CodeDelivery.from_response(self._public("resend_confirmation_code", username))

    def forgot_password(self, username: str) -> CodeDelivery | None:
        """ForgotPassword: Cognito sends a code to reset the password with."""
        return CodeDelivery.from_response(self._public("forgot_password", username))

    def confirm_forgot_password(self, username: str, code: str, password: str) -> None:
        """ConfirmForgotPassword: the code and the new password."""
        code = _need(code.strip(), "the confirmation code")
        _need(password, "a new password")
        self._public(
            "confirm_forgot_password",
            username,
            code,
            password,
            ConfirmationCode=code,
            Password=password,
        )

    # -- the admin API (AWS credentials) ---------------------------------------------------------
    def _admin(self, operation: str, **params: Any) -> dict[str, Any]:
        return self.call(
            operation, {"operation": operation}, UserPoolId=self.pool.require_pool(), **params
        )

    def admin_create_user(
        self,
        username: str,
        temporary_password: str = "",
        attributes: Mapping[str, str] | None = None,
        *,
        send_invitation: bool = False,
    ) -> PoolUser:
        """AdminCreateUser: a user in FORCE_CHANGE_PASSWORD. Without ``temporary_password``
        Cognito makes one up (and can only tell the user through the invitation)."""
        _need(username, "a user name", Setting.USERNAME)
        params: dict[str, Any] = {"Username": username}
        if temporary_password:
            self.log.add_secret(temporary_password)
            params["TemporaryPassword"] = temporary_password
        if attributes:
            params["UserAttributes"] = attribute_list(attributes)
        if not send_invitation:
            params["MessageAction"] = "SUPPRESS"
        response = self._admin("admin_create_user", **params)
        return PoolUser.from_description(response.get("User") or {"Username": username})

    def admin_set_user_password(
        self, username: str, password: str, *, permanent: bool = False
    ) -> None:
        """AdminSetUserPassword: ``permanent`` confirms the user (no NEW_PASSWORD_REQUIRED);
        otherwise the password is temporary and the next sign-in asks for a new one."""
        _need(username, "a user name", Setting.USERNAME)
        _need(password, "a password")
        self.log.add_secret(password)
        self._admin(
            "admin_set_user_password", Username=username, Password=password, Permanent=permanent
        )

    def admin_delete_user(self, username: str) -> None:
        """AdminDeleteUser: the user and everything Cognito holds for it."""
        _need(username, "a user name", Setting.USERNAME)
        self._admin("admin_delete_user", Username=username)

    def list_users(self, *, filter_expr: str = "", limit: int = MAX_USERS) -> UserList:
        """ListUsers page by page (at most :data:`PAGE_SIZE` a page) until ``limit`` users;
        ``truncated`` when Cognito had more pages to give. ``filter_expr`` is Cognito's filter
        (``email ^= "test"``)."""
        if limit < 1:
            raise ConfigError("The most users to list must be at least 1.")
        users: list[PoolUser] = []
        token = ""
        while True:
            params: dict[str, Any] = {"Limit": min(PAGE_SIZE, limit - len(users))}
            if filter_expr:
                params["Filter"] = filter_expr
            if token:
                params["PaginationToken"] = token
            response = self._admin("list_users", **params)
            page = response.get("Users") or []
            users.extend(PoolUser.from_description(u) for u in page if isinstance(u, Mapping))
            token = str(response.get("PaginationToken") or "")
            if not token or not page:
                return UserList(tuple(users[:limit]), truncated=False)
            if len(users) >= limit:
                return UserList(tuple(users[:limit]), truncated=True)
