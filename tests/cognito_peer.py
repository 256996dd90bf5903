"""moto's real Cognito server as a test peer, shared by the core, CLI and UI tests.

``running_moto`` starts ``ThreadedMotoServer`` on 127.0.0.1 (a free port) and stops it, joining
its thread; ``set_dummy_aws`` points boto3 at dummy credentials and no AWS configuration;
``create_pool`` makes a user pool, an app client and the user alice in it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from workbench.core.cognito.pool import CognitoPool

__all__ = [
    "ALL_FLOWS",
    "AWS_KEY_ID",
    "AWS_SECRET",
    "PASSWORD",
    "REGION",
    "TEMP_PASSWORD",
    "MotoPool",
    "create_pool",
    "running_moto",
    "set_dummy_aws",
]

REGION = "us-east-1"
AWS_KEY_ID = "AKIDWORKBENCHDUMMY"
AWS_SECRET = "workbench-dummy-aws-secret-key"
TEMP_PASSWORD = "Temp-Passw0rd!"
PASSWORD = "Workbench-Passw0rd!"
ALL_FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
]


def set_dummy_aws(setenv: Callable[[str, str], None], tmp: Path) -> None:
    """Dummy credentials (never real ones); no AWS config or instance metadata is read."""
    setenv("AWS_ACCESS_KEY_ID", AWS_KEY_ID)
    setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    setenv("AWS_DEFAULT_REGION", REGION)
    setenv("AWS_CONFIG_FILE", str(tmp / "no-aws-config"))
    setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp / "no-aws-credentials"))
    setenv("AWS_EC2_METADATA_DISABLED", "true")


@contextlib.contextmanager
def running_moto() -> Iterator[str]:
    """moto's real server on 127.0.0.1 and a free port; stopped (and its thread joined) after."""
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    werkzeug.setLevel(logging.ERROR)  # no request lines; a 500's traceback still shows
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        werkzeug.setLevel(level)


@dataclass
class MotoPool:
    """A pool, an app client and a user created in moto."""

    endpoint: str
    pool_id: str
    client_id: str
    client_secret: str | None
    username: str
    admin: Any

    def describe(self, **fields: Any) -> CognitoPool:
        values: dict[str, Any] = {
            "user_pool_id": self.pool_id,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "endpoint_url": self.endpoint,
        }
        values.update(fields)
        return CognitoPool(**values)


def create_pool(
    endpoint: str,
    *,
    secret: bool = True,
    flows: list[str] | None = None,
    confirmed: bool = False,
    mfa: bool = False,
    **client_settings: Any,
) -> MotoPool:
    admin = boto3.session.Session(region_name=REGION).client("cognito-idp", endpoint_url=endpoint)
    pool_id = admin.create_user_pool(PoolName="workbench")["UserPool"]["Id"]
    if mfa:
        admin.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            SoftwareTokenMfaConfiguration={"Enabled": True},
            MfaConfiguration="ON",
        )
    client = admin.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="workbench",
        GenerateSecret=secret,
        ExplicitAuthFlows=ALL_FLOWS if flows is None else flows,
        **client_settings,
    )["UserPoolClient"]
    admin.admin_create_user(UserPoolId=pool_id, Username="alice", TemporaryPassword=TEMP_PASSWORD)
    if confirmed:
        admin.admin_set_user_password(
            UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True
        )
    return MotoPool(
        endpoint, pool_id, client["ClientId"], client.get("ClientSecret"), "alice", admin
    )


# -- fixtures (registered for every test module by tests/conftest.py) -------------------------
@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """moto's server for one test module. Module scope starts its serving thread before each
    test's thread-leak snapshot; its request threads end with each response (moto answers with
    Connection: close)."""
    with running_moto() as url:
        yield url


@pytest.fixture
def make_pool(moto_url: str) -> Iterator[Callable[..., MotoPool]]:
    """Create pools with an app client (and users) in moto; their admin clients closed after."""
    made: list[MotoPool] = []

    def make(**kwargs: Any) -> MotoPool:
        pool = create_pool(moto_url, **kwargs)
        made.append(pool)
        return pool

    yield make
    for pool in made:
        pool.admin.close()
