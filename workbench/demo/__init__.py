"""The embedded demo authorization server (Authlib on Flask, no Qt).

An OAuth 2.0 / OpenID Connect provider for trying every flow of the workbench offline:
discovery (RFC 8414, OIDC Discovery), JWKS, authorization code with PKCE, implicit,
password, client credentials, refresh with rotation, device authorization (RFC 8628),
revocation (RFC 7009), introspection (RFC 7662), UserInfo, RFC 9068 JWT access tokens and
RFC 9207 ``iss`` in authorization responses. State is in memory and the signing key is new
each run. See :mod:`workbench.demo.oauth` for the token policy (and the modules it wires) and
:mod:`workbench.demo.accounts` for the demo clients and users (:mod:`workbench.demo.clients`
says what the workbench's faces need of them, without loading the server).

    from workbench.demo import DemoConfig, DemoServer, describe

    with DemoServer(DemoConfig(access_token_ttl=60)) as server:
        print(describe(server))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .accounts import (
        API_SCOPES,
        CLIENTS,
        DEVICE_CODE_GRANT,
        OIDC_SCOPES,
        SCOPES,
        USERS,
        DemoClient,
        DemoUser,
    )
    from .clients import CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, NATIVE_CLIENT_ID
    from .config import DEFAULT_PATHS, DemoConfig
    from .server import THREAD_NAME_PREFIX, DemoServer, describe, exposure_warning
    from .web import create_app

#: The module each name of the package comes from, imported on first use: importing the
#: package (say, for :mod:`workbench.demo.clients`) loads neither Flask nor Authlib.
_HOMES = {
    **dict.fromkeys(
        (
            "API_SCOPES",
            "CLIENTS",
            "DEVICE_CODE_GRANT",
            "OIDC_SCOPES",
            "SCOPES",
            "USERS",
            "DemoClient",
            "DemoUser",
        ),
        ".accounts",
    ),
    **dict.fromkeys(
        ("CONFIDENTIAL_CLIENT_ID", "CONFIDENTIAL_CLIENT_SECRET", "NATIVE_CLIENT_ID"), ".clients"
    ),
    **dict.fromkeys(("DEFAULT_PATHS", "DemoConfig"), ".config"),
    **dict.fromkeys(
        ("THREAD_NAME_PREFIX", "DemoServer", "describe", "exposure_warning"), ".server"
    ),
    "create_app": ".web",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


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
