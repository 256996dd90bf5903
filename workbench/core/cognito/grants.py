"""The Cognito API door's grants (InitiateAuth and AdminInitiateAuth), in the grant registry.

They run on the Cognito tab in the app and as ``token --grant cognito-…`` on the command line;
the tokens come back in an ``AuthenticationResult`` (:func:`tokens_from_result`).
"""

from __future__ import annotations

from workbench.core.cognito.auth import CognitoAuth, tokens_from_result
from workbench.core.oauth.grants import GRANTS, CliArgument, Grant, grant_names, register_grant

_USERNAME = CliArgument("--username", "user name (the pool's username or an alias)")
_PASSWORD_ENV = CliArgument("--password-env", "read the password from $VAR")
_POOL = (
    CliArgument("--user-pool-id", "user pool id, like us-east-1_AbC123"),
    CliArgument("--region", "AWS region of the pool"),
)
_CHALLENGES = (
    CliArgument("--new-password-env", "NEW_PASSWORD_REQUIRED answer"),
    CliArgument("--mfa-code", "SOFTWARE_TOKEN_MFA / SMS_MFA / setup code"),
    CliArgument("--mfa-type", "SELECT_MFA_TYPE answer"),
)

for _name, _flow, _title in (
    ("cognito-password", "USER_PASSWORD_AUTH", "Cognito user password (InitiateAuth)"),
    (
        "cognito-admin-password",
        "ADMIN_USER_PASSWORD_AUTH",
        "Cognito admin user password (AdminInitiateAuth)",
    ),
    ("cognito-srp", "USER_SRP_AUTH", "Cognito Secure Remote Password (InitiateAuth)"),
):
    register_grant(
        Grant(
            name=_name,
            title=_title,
            grant_type=_flow,
            builders=(CognitoAuth.sign_in, CognitoAuth.respond),
            parsers=(tokens_from_result,),
            public_client=True,  # an app client without a secret; with one, a secret hash
            needs_browser=False,
            refresh_token=True,
            cli_arguments=(*_POOL, _USERNAME, _PASSWORD_ENV, *_CHALLENGES),
            tab="cognito",
            door="cognito",
        )
    )

register_grant(
    Grant(
        name="cognito-refresh",
        title="Cognito refresh (REFRESH_TOKEN_AUTH)",
        grant_type="REFRESH_TOKEN_AUTH",
        builders=(CognitoAuth.refresh,),
        parsers=(tokens_from_result,),
        public_client=True,
        needs_browser=False,
        refresh_token=True,
        cli_arguments=(
            *_POOL,
            CliArgument("--refresh-token", "refresh token, or - to read it from standard input"),
            CliArgument("--refresh-token-env", "read the refresh token from $VAR"),
            CliArgument("--username", "the user's Cognito username (pools with a client secret)"),
        ),
        tab="cognito",
        door="cognito",
    )
)

#: ``token --grant`` values of the Cognito door, and the auth flow each one runs.
COGNITO_GRANTS: dict[str, str] = {
    name: str(GRANTS[name].grant_type) for name in grant_names("cognito")
}
