"""Cognito and botocore errors in words a person can act on.

A Cognito error response (``NotAuthorizedException``, ``InvalidParameterException`` ...) is the
server's verdict, so it becomes :class:`CognitoError`, an :class:`OAuthError` carrying the Cognito
code, its message and an ``advice`` sentence. botocore's own failures become the core's usual
:class:`TransportError` (no answer) or :class:`ConfigError` (no credentials, no region, a bad
parameter caught before sending).

Advice and messages that name a setting ("check the user pool id") carry it as data, in a
:data:`~workbench.core.hints.Phrase`: the command line words it as its option
(``--user-pool-id``), the Cognito tab as its field ("the User pool ID").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from botocore import exceptions as boto_exc

from workbench.core.errors import ConfigError, OAuthError, TransportError, WorkbenchError
from workbench.core.hints import Phrase, Setting, as_phrase
from workbench.core.transport.masking import mask_text

__all__ = [
    "FLOW_SETTINGS",
    "CognitoError",
    "advice_for",
    "from_boto_exception",
]

#: The ExplicitAuthFlows value an app client needs for each auth flow.
FLOW_SETTINGS: dict[str, str] = {
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    "USER_AUTH": "ALLOW_USER_AUTH",
}

_SECRET_HASH_MISSING = re.compile(
    r"unable to verify secret hash|configured for secret but secret was not received"
    r"|missing required parameter secret_hash",
    re.IGNORECASE,
)
_FLOW_NOT_ENABLED = re.compile(
    r"flow not enabled|auth(entication)? method not supported|initiate auth method not supported",
    re.IGNORECASE,
)


class CognitoError(OAuthError):
    """A Cognito error response: ``code`` (``NotAuthorizedException``), ``message`` as Cognito
    wrote it, ``advice`` saying what to do (a phrase each face words), the ``operation`` that
    failed and the HTTP status."""

    def __init__(
        self,
        code: str,
        message: str,
        advice: str | Phrase = "",
        *,
        status: int | None = None,
        operation: str = "",
    ) -> None:
        super().__init__(code, message or None, None, status)
        self.code = code
        self.cognito_message = message
        self.advice = as_phrase(advice)
        self.operation = operation

    @property
    def revoked(self) -> bool:
        """True for Cognito's "Access/Refresh Token has been revoked"."""
        return self.code == "NotAuthorizedException" and "revoked" in self.cognito_message.lower()

    @property
    def expired(self) -> bool:
        return self.code == "NotAuthorizedException" and "expired" in self.cognito_message.lower()


def _flow_setting(context: Mapping[str, Any]) -> str | None:
    flow = context.get("auth_flow")
    return FLOW_SETTINGS.get(str(flow)) if flow else None


def _secret_hash_advice(ctx: Mapping[str, Any]) -> str | Phrase:
    if ctx.get("has_secret"):
        return (
            "The SECRET_HASH did not verify: the client secret is wrong, or the user name in "
            "the hash is not the one Cognito expects (for REFRESH_TOKEN_AUTH it is the user's "
            "Cognito username, which is the sub in pools that sign in with email)."
        )
    return (
        "The app client has a client secret, so every call needs a SECRET_HASH: supply the "
        "secret (",
        Setting.CLIENT_SECRET,
        ", or the profile's secret) and the workbench computes "
        "Base64(HMAC_SHA256(secret, username + client_id)).",
    )


def _flow_not_enabled_advice(message: str, ctx: Mapping[str, Any]) -> str:
    flow = ctx.get("auth_flow")
    setting = _flow_setting(ctx)
    if flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH") and "initiate" in message.lower():
        return (
            f"{flow} is an admin flow: it goes through AdminInitiateAuth with AWS "
            "credentials (grant cognito-admin-password), not InitiateAuth."
        )
    if setting:
        return (
            f"The app client does not allow {flow}: enable {setting} in its "
            "ExplicitAuthFlows (console: App client, Authentication flows; API: "
            "UpdateUserPoolClient)."
        )
    return (
        "The app client does not allow this authentication flow: check its "
        "ExplicitAuthFlows (ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ...)."
    )


def _invalid_parameter_advice(message: str, ctx: Mapping[str, Any]) -> str:
    text = message.lower()
    if _FLOW_NOT_ENABLED.search(message):
        return _flow_not_enabled_advice(message, ctx)
    if "required attribute" in text or "userattributes" in text:
        return (
            "The pool requires attributes the user does not have yet: answer them with the "
            "new password (userAttributes.<name>)."
        )
    return f"Cognito rejected a parameter of {ctx.get('operation') or 'the call'}: {message}"


#: NotAuthorizedException messages, in the order they are tried: (words all in the message,
#: advice). The first row whose words all occur in the lower-cased message gives the advice.
_NOT_AUTHORIZED_ADVICE: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("incorrect username or password",),
        "Wrong password, or no such user (pools that prevent user-existence errors give "
        "this answer for both).",
    ),
    (
        ("access token has been revoked",),
        "The access token was revoked (GlobalSignOut, or RevokeToken of its refresh "
        "token). It still verifies locally until it expires; only Cognito knows.",
    ),
    (
        ("refresh token has been revoked",),
        "The refresh token was revoked (RevokeToken or GlobalSignOut): sign in again.",
    ),
    (("expired",), "The token has expired: refresh it, or sign in again."),
    (
        ("invalid refresh token",),
        "The refresh token is not valid for this app client (expired, from another "
        "client or pool, or mangled when copied).",
    ),
    (
        ("user is disabled",),
        "The user is disabled in the pool: an administrator must enable it.",
    ),
    (
        ("password attempts exceeded",),
        "Too many wrong passwords: Cognito locks the user out for a while. Wait.",
    ),
    (
        ("disabled", "client"),
        "The app client is disabled for this operation: check its settings.",
    ),
)


def _not_authorized_advice(message: str, ctx: Mapping[str, Any]) -> str:
    text = message.lower()
    for words, advice in _NOT_AUTHORIZED_ADVICE:
        if all(word in text for word in words):
            return advice
    setting = _flow_setting(ctx)
    if _FLOW_NOT_ENABLED.search(message) and setting:
        return f"Enable {setting} in the app client's ExplicitAuthFlows."
    if "invalid" in text and "token" in text:
        return (
            "Cognito does not accept this token: revoked, signed out, expired, or issued by "
            "another pool."
        )
    return f"Cognito refused: {message}"


_AWS_CREDENTIALS_REFUSED: Phrase = (
    "The AWS credentials were refused (admin calls are signed with them): check ",
    Setting.AWS_PROFILE,
    ", the credential chain, and the IAM permissions for cognito-idp.",
)
_THROTTLED = (
    "Cognito throttled the call (per-account quotas per operation category). Wait and "
    "try again; the workbench does not retry on its own, so nothing is hidden."
)
_WRONG_CODE = "The code is wrong: use the current code of the authenticator app or the SMS."

#: Cognito codes whose advice is one fixed sentence.
_FIXED_ADVICE: dict[str, str | Phrase] = {
    "UserNotFoundException": (
        "No user with this name in the pool: user names are per pool, so check the user name and ",
        Setting.USER_POOL_ID,
        ".",
    ),
    "PasswordResetRequiredException": (
        "An administrator reset this user's password: the user must choose a new one with "
        "the code Cognito sent (ForgotPassword / ConfirmForgotPassword) before signing in."
    ),
    "UserNotConfirmedException": (
        "The user signed up but has not confirmed: confirm with the code Cognito sent "
        "(ConfirmSignUp) or have an administrator confirm (AdminConfirmSignUp)."
    ),
    "ResourceNotFoundException": (
        "Cognito does not know this user pool or app client here: check ",
        Setting.USER_POOL_ID,
        ", ",
        Setting.CLIENT_ID,
        " and the region (a pool id starts with its region). A challenge "
        "session that expired (3 minutes by default) gives this answer too.",
    ),
    "UsernameExistsException": (
        "A user with this name is already in the pool: pick another name, or delete that user "
        "first (AdminDeleteUser)."
    ),
    "CodeDeliveryFailureException": (
        "Cognito could not send the code (email or SMS): check the user's email or phone "
        "number and the pool's message settings (SES, SNS)."
    ),
    "TooManyRequestsException": _THROTTLED,
    "LimitExceededException": _THROTTLED,
    "CodeMismatchException": _WRONG_CODE,
    "EnableSoftwareTokenMFAException": _WRONG_CODE,
    "ExpiredCodeException": "The code has expired: start again to get a new one.",
    "UnsupportedOperationException": (
        "Token revocation is not enabled for this app client: set EnableTokenRevocation "
        "(UpdateUserPoolClient) or RevokeToken cannot be used."
    ),
    "UnsupportedTokenTypeException": (
        "RevokeToken takes a refresh token, not an access or ID token."
    ),
    "UnauthorizedException": (
        "Cognito refused: the client secret is wrong, or the token belongs to another client."
    ),
    "AccessDeniedException": _AWS_CREDENTIALS_REFUSED,
    "UnrecognizedClientException": _AWS_CREDENTIALS_REFUSED,
    "InvalidSignatureException": _AWS_CREDENTIALS_REFUSED,
    "SignatureDoesNotMatch": _AWS_CREDENTIALS_REFUSED,
    "ExpiredTokenException": _AWS_CREDENTIALS_REFUSED,
    "InvalidClientTokenId": _AWS_CREDENTIALS_REFUSED,
}

#: Cognito codes whose advice depends on the message and the context.
_ADVICE_BY_CODE: dict[str, Callable[[str, Mapping[str, Any]], str]] = {
    "InvalidParameterException": _invalid_parameter_advice,
    "NotAuthorizedException": _not_authorized_advice,
    "InvalidPasswordException": lambda message, _ctx: (
        f"The password does not meet the pool's password policy: {message}"
    ),
    "InvalidUserPoolConfigurationException": lambda message, _ctx: (
        f"The user pool is not configured for this: {message}"
    ),
}


def _server_failure_advice(ctx: Mapping[str, Any]) -> str:
    if ctx.get("emulator"):
        return (
            "The emulator failed on this call: it may not implement it (moto has no "
            "RevokeToken, for example)."
        )
    return "Cognito failed internally: try again later."


def advice_for(code: str, message: str, context: Mapping[str, Any] | None = None) -> Phrase:
    """What a person should do about a Cognito error (``context``: ``auth_flow``, ``operation``,
    ``has_secret``, ``emulator``), as a phrase each face words."""
    return as_phrase(_advice(code, message, context or {}))


def _advice(code: str, message: str, ctx: Mapping[str, Any]) -> str | Phrase:
    if _SECRET_HASH_MISSING.search(message) and code in (
        "NotAuthorizedException",
        "InvalidParameterException",
    ):
        return _secret_hash_advice(ctx)
    if code in _ADVICE_BY_CODE:
        return _ADVICE_BY_CODE[code](message, ctx)
    if code in _FIXED_ADVICE:
        return _FIXED_ADVICE[code]
    if code in ("InternalErrorException", "NotImplemented") or (ctx.get("status") or 0) >= 500:
        return _server_failure_advice(ctx)
    return message or code


def _client_error(exc: boto_exc.ClientError, context: Mapping[str, Any]) -> CognitoError:
    response: Mapping[str, Any] = exc.response or {}
    error = response.get("Error") or {}
    code = str(error.get("Code") or "UnknownError")
    # moto echoes a wrong SECRET_HASH as the message: mask every known secret in it.
    message = mask_text(str(error.get("Message") or ""), context.get("secrets") or ())
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    operation = str(getattr(exc, "operation_name", "") or context.get("operation") or "")
    if isinstance(status, int) and status >= 500 and (not message or message.lstrip()[:1] == "<"):
        what = "an HTML page" if message else "no message"
        message = f"HTTP {status} from the server, with {what} instead of a Cognito error"
    advice = advice_for(code, message, {**context, "operation": operation, "status": status})
    return CognitoError(
        code,
        message,
        advice,
        status=int(status) if isinstance(status, int) else None,
        operation=operation,
    )


def from_boto_exception(
    exc: Exception, context: Mapping[str, Any] | None = None
) -> WorkbenchError | None:
    """The core error for a botocore exception, or None if it is not one we know."""
    ctx = context or {}
    where = ctx.get("endpoint") or "Cognito"
    if isinstance(exc, boto_exc.StubResponseError):
        return None  # a test's Stubber saying the test is wrong: let it through as it is
    if isinstance(exc, boto_exc.ClientError):
        return _client_error(exc, ctx)
    if isinstance(exc, boto_exc.NoCredentialsError | boto_exc.PartialCredentialsError):
        return ConfigError(
            (
                "No AWS credentials found: admin calls (AdminInitiateAuth, describing the app "
                "client, resource servers) are signed with them. Use ",
                Setting.AWS_PROFILE,
                " NAME, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or another source "
                "of the standard boto3 credential chain.",
            )
        )
    if isinstance(exc, boto_exc.ProfileNotFound):
        return ConfigError(
            f"No AWS profile named {exc.kwargs.get('profile')!r}.", fix=(Setting.AWS_PROFILE,)
        )
    if isinstance(exc, boto_exc.NoRegionError):
        return ConfigError(
            "No AWS region: give one, or a user pool id (it starts with one).",
            fix=(Setting.REGION, Setting.USER_POOL_ID),
        )
    if isinstance(exc, boto_exc.ParamValidationError):
        report = str(exc.kwargs.get("report", exc)).strip()
        return ConfigError(f"Invalid parameters for Cognito: {report}")
    if isinstance(exc, boto_exc.SSLError):
        return TransportError(f"TLS verification failed for {where}: {exc}", kind="tls")
    if isinstance(exc, boto_exc.ConnectTimeoutError):
        return TransportError(f"Could not connect to {where} in time (connect timeout).", "timeout")
    if isinstance(exc, boto_exc.ReadTimeoutError):
        return TransportError(f"{where} did not answer in time (read timeout).", kind="timeout")
    if isinstance(exc, boto_exc.EndpointConnectionError):
        cause = str(exc)
        underlying = str(exc.kwargs.get("error") or exc.__context__ or "")
        kind = "refused" if "refused" in underlying.lower() else "network"
        return TransportError(
            (
                f"Could not connect to {exc.kwargs.get('endpoint_url') or where}: is the "
                "endpoint right and reachable (region, ",
                Setting.ENDPOINT_URL,
                f", network)? ({cause})",
            ),
            kind=kind,
        )
    if isinstance(exc, boto_exc.ConnectionClosedError | boto_exc.HTTPClientError):
        return TransportError(f"The connection to {where} failed: {exc}", kind="network")
    if isinstance(exc, boto_exc.CredentialRetrievalError | boto_exc.TokenRetrievalError):
        return ConfigError(f"Could not get AWS credentials: {exc}")
    if isinstance(exc, boto_exc.BotoCoreError):
        return TransportError(f"The Cognito call failed: {exc}", kind="network")
    return None
