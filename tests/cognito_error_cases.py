"""Every Cognito error case the core words, built through its own path (``from_boto_exception``).

``cognito_error_words.json`` holds what each face printed for them before the settings in their
advice became data: ``cli`` (``report_error``'s lines) and ``ui`` (the Cognito tab's banner body);
and, under ``admin``, what the command line printed for the pool insight's advice and a resource
server without scopes (:data:`INFO`, :func:`no_scope_error`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from botocore import exceptions as boto_exc

from workbench.core.cognito.admin import AppClientInfo, CognitoPoolAdmin
from workbench.core.cognito.errors import from_boto_exception
from workbench.core.cognito.pool import CognitoPool
from workbench.core.errors import ConfigError, WorkbenchError


def client_error(
    code: str, message: str, status: int = 400, op: str = "InitiateAuth"
) -> boto_exc.ClientError:
    return boto_exc.ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        op,
    )


CASES: list[tuple[str, Exception, dict[str, Any]]] = [
    (
        "secret_hash_missing",
        client_error(
            "NotAuthorizedException",
            "Client xyz is configured for secret but secret was not received",
        ),
        {},
    ),
    (
        "secret_hash_wrong",
        client_error("NotAuthorizedException", "Unable to verify secret hash for client xyz"),
        {"has_secret": True},
    ),
    (
        "admin_flow_via_initiate",
        client_error("InvalidParameterException", "Initiate Auth method not supported."),
        {"auth_flow": "ADMIN_USER_PASSWORD_AUTH"},
    ),
    (
        "flow_not_enabled",
        client_error(
            "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client"
        ),
        {"auth_flow": "USER_PASSWORD_AUTH"},
    ),
    (
        "flow_not_enabled_unknown",
        client_error("InvalidParameterException", "Auth flow not enabled for this client"),
        {},
    ),
    (
        "required_attribute",
        client_error("InvalidParameterException", "Missing required attribute email"),
        {},
    ),
    ("invalid_parameter", client_error("InvalidParameterException", "1 validation error"), {}),
    (
        "wrong_password",
        client_error("NotAuthorizedException", "Incorrect username or password."),
        {},
    ),
    ("access_revoked", client_error("NotAuthorizedException", "Access Token has been revoked"), {}),
    (
        "refresh_revoked",
        client_error("NotAuthorizedException", "Refresh Token has been revoked"),
        {},
    ),
    ("expired", client_error("NotAuthorizedException", "Access Token has expired"), {}),
    ("invalid_refresh", client_error("NotAuthorizedException", "Invalid Refresh Token"), {}),
    ("user_disabled", client_error("NotAuthorizedException", "User is disabled."), {}),
    ("attempts", client_error("NotAuthorizedException", "Password attempts exceeded"), {}),
    (
        "client_disabled",
        client_error("NotAuthorizedException", "Client is disabled for this operation"),
        {},
    ),
    (
        "not_authorized_flow",
        client_error("NotAuthorizedException", "Auth flow not enabled for this client"),
        {"auth_flow": "USER_SRP_AUTH"},
    ),
    ("invalid_token", client_error("NotAuthorizedException", "Invalid access token"), {}),
    ("not_authorized_other", client_error("NotAuthorizedException", "Something else"), {}),
    (
        "invalid_password",
        client_error("InvalidPasswordException", "Password did not conform with policy"),
        {},
    ),
    (
        "pool_config",
        client_error("InvalidUserPoolConfigurationException", "SMS not configured"),
        {},
    ),
    ("server_emulator", client_error("InternalErrorException", "boom", 500), {"emulator": True}),
    ("server_aws", client_error("InternalErrorException", "boom", 500), {}),
    ("server_html", client_error("Whatever", "<html>", 502), {}),
    ("unknown_code", client_error("SomethingNew", "a message"), {}),
    ("no_credentials", boto_exc.NoCredentialsError(), {}),
    ("profile_not_found", boto_exc.ProfileNotFound(profile="nope"), {}),
    ("no_region", boto_exc.NoRegionError(), {}),
    (
        "param_validation",
        boto_exc.ParamValidationError(report="Invalid length for parameter Username"),
        {},
    ),
    (
        "ssl",
        boto_exc.SSLError(endpoint_url="https://x", error="bad cert"),
        {"endpoint": "https://x"},
    ),
    ("connect_timeout", boto_exc.ConnectTimeoutError(endpoint_url="https://x"), {}),
    ("read_timeout", boto_exc.ReadTimeoutError(endpoint_url="https://x"), {}),
    (
        "endpoint_connection",
        boto_exc.EndpointConnectionError(
            endpoint_url="http://127.0.0.1:9", error="Connection refused"
        ),
        {},
    ),
    ("connection_closed", boto_exc.ConnectionClosedError(endpoint_url="https://x"), {}),
    (
        "credential_retrieval",
        boto_exc.CredentialRetrievalError(provider="sso", error_msg="expired"),
        {},
    ),
]
for code in [
    "UserNotFoundException",
    "PasswordResetRequiredException",
    "UserNotConfirmedException",
    "ResourceNotFoundException",
    "TooManyRequestsException",
    "LimitExceededException",
    "CodeMismatchException",
    "EnableSoftwareTokenMFAException",
    "ExpiredCodeException",
    "UnsupportedOperationException",
    "UnsupportedTokenTypeException",
    "UnauthorizedException",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "ExpiredTokenException",
    "InvalidClientTokenId",
]:
    CASES.append((code, client_error(code, "msg"), {}))


def cognito_errors() -> Iterator[tuple[str, WorkbenchError]]:
    """(case name, the core's error) for every case."""
    for name, exc, ctx in CASES:
        error = from_boto_exception(exc, ctx)
        assert error is not None, name
        yield name, error


def recorded_words() -> dict[str, dict[str, str]]:
    """What the command line (``cli``) and the Cognito tab (``ui``) said for each case."""
    path = Path(__file__).with_name("cognito_error_words.json")
    words: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))["errors"]
    return words


def recorded_admin_words() -> dict[str, str]:
    """What the command line printed for the pool insight's cases (``cognito describe-client``
    as text and ``--json``, a resource server without scopes) and, under ``no_terminal``, for
    each challenge question it could not ask."""
    path = Path(__file__).with_name("cognito_error_words.json")
    words: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))["admin"]
    return words


#: An app client whose only callback URL is not the redirect URI a browser flow would use.
INFO = AppClientInfo(
    user_pool_id="us-east-1_AbC",
    client_id="client-1",
    client_name="web",
    has_secret=False,
    explicit_auth_flows=("ALLOW_REFRESH_TOKEN_AUTH",),
    allowed_oauth_flows=("code",),
    allowed_oauth_scopes=("openid",),
    oauth_enabled=True,
    callback_urls=("http://localhost:8765/callback",),
    logout_urls=(),
    identity_providers=("COGNITO",),
    enable_token_revocation=True,
    access_token_validity="default (1 hours)",
    id_token_validity="default (1 hours)",
    refresh_token_validity="default (30 days)",
)
REDIRECT_URI = "http://127.0.0.1:9999/cb"


def no_scope_error() -> ConfigError:
    """Planning a resource server without a scope (no call is made)."""
    admin = CognitoPoolAdmin(CognitoPool(user_pool_id="us-east-1_AbC", client_id="c"))
    try:
        admin.plan_custom_scopes("api", [])
    except ConfigError as exc:
        return exc
    finally:
        admin.close()
    raise AssertionError("a plan without scopes was accepted")
