"""The embedded demo authorization server (Authlib on Flask, no Qt).

An OAuth 2.0 / OpenID Connect provider for trying every flow of the workbench offline:
discovery (RFC 8414, OIDC Discovery), JWKS, authorization code with PKCE, implicit,
password, client credentials, refresh with rotation, device authorization (RFC 8628),
revocation (RFC 7009), introspection (RFC 7662), UserInfo, RFC 9068 JWT access tokens and
RFC 9207 ``iss`` in authorization responses. State is in memory and the signing key is new
each run. See :mod:`workbench.demo.oauth` for the token policy and
:mod:`workbench.demo.accounts` for the demo clients and users.

    from workbench.demo import DemoConfig, DemoServer, describe

    with DemoServer(DemoConfig(access_token_ttl=60)) as server:
        print(describe(server))
"""

from .accounts import (
    API_SCOPES,
    CLIENTS,
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DEVICE_CODE_GRANT,
    NATIVE_CLIENT_ID,
    OIDC_SCOPES,
    SCOPES,
    USERS,
    DemoClient,
    DemoUser,
)
from .config import DEFAULT_PATHS, DemoConfig
from .server import THREAD_NAME_PREFIX, DemoServer, describe, exposure_warning
from .web import create_app

__all__ = [
    "API_SCOPES",
    "CLIENTS",
    "CONFIDENTIAL_CLIENT_ID",
    "CONFIDENTIAL_CLIENT_SECRET",
    "DEFAULT_PATHS",
    "DEVICE_CODE_GRANT",
    "NATIVE_CLIENT_ID",
    "OIDC_SCOPES",
    "SCOPES",
    "THREAD_NAME_PREFIX",
    "USERS",
    "DemoClient",
    "DemoConfig",
    "DemoServer",
    "DemoUser",
    "create_app",
    "describe",
    "exposure_warning",
]
