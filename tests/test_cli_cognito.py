"""The command line's Cognito commands, in process, against moto's real server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.cognito_peer import (
    ALL_FLOWS,
    AWS_SECRET,
    PASSWORD,
    TEMP_PASSWORD,
    MotoPool,
)
from workbench.cli import main


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALICE_PW", PASSWORD)
    monkeypatch.setenv("ALICE_TEMP_PW", TEMP_PASSWORD)


@pytest.fixture
def make_app_pool(
    make_pool: Callable[..., MotoPool], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., MotoPool]:
    """A pool whose client secret the CLI reads from $APP_SECRET."""

    def make(**kwargs: Any) -> MotoPool:
        pool = make_pool(**kwargs)
        if pool.client_secret:
            monkeypatch.setenv("APP_SECRET", pool.client_secret)
        return pool

    return make


def pool_args(pool: MotoPool, *, client: bool = True) -> list[str]:
    args = ["--user-pool-id", pool.pool_id, "--endpoint-url", pool.endpoint]
    if client:
        args += ["--client-id", pool.client_id]
        if pool.client_secret:
            args += ["--client-secret-env", "APP_SECRET"]
    return args


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def sign_in(pool: MotoPool, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code, out, err = run(
        [
            "token",
            "--grant",
            "cognito-password",
            *pool_args(pool),
            "--username",
            "alice",
            "--password-env",
            "ALICE_PW",
            "--json",
            *extra,
        ],
        capsys,
    )
    assert code == 0, err
    doc: dict[str, Any] = json.loads(out)
    return doc


def test_new_password_challenge_answered_from_an_option(
    make_app_pool: Callable[..., MotoPool], capsys: pytest.CaptureFixture[str]
) -> None:
    pool = make_app_pool()
    base = ["token", "--grant", "cognito-password", *pool_args(pool), "--username", "alice"]
    code, out, err = run([*base, "--password-env", "ALICE_TEMP_PW"], capsys)
    assert code == 2 and out == ""
    assert "NEW_PASSWORD_REQUIRED" in err and "--new-password-env VAR" in err
    code, out, err = run(
        [
            *base,
            "--password-env",
            "ALICE_TEMP_PW",
            "--new-password-env",
            "ALICE_PW",
            "--json",
            "--show-secret-hash",
        ],
        capsys,
    )
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"access_token", "id_token", "refresh_token", "expires_in", "token_type"}
    assert f"msg='alice' + {pool.client_id!r}" in err and "<client secret>" in err


def test_admin_srp_and_refresh_grants(
    make_app_pool: Callable[..., MotoPool], capsys: pytest.CaptureFixture[str]
) -> None:
    pool = make_app_pool(confirmed=True)
    for grant in ("cognito-admin-password", "cognito-srp"):
        code, out, err = run(
            [
                "token",
                "--grant",
                grant,
                *pool_args(pool),
                "--username",
                "alice",
                "--password-env",
                "ALICE_PW",
                "--json",
            ],
            capsys,
        )
        assert code == 0, err
        assert json.loads(out)["refresh_token"]
    refresh = json.loads(out)["refresh_token"]
    code, out, err = run(
        [
            "token",
            "--grant",
            "cognito-refresh",
            *pool_args(pool),
            "--refresh-token",
            refresh,
            "--username",
            "alice",
        ],
        capsys,
    )
    assert code == 0, err
    assert "access_token:" in out and "token_use" in out
    assert "no refresh token returned" in err
    assert f"refresh_token: {refresh}" in out.splitlines()  # the one in use stays


def test_wrong_password_exit_1_with_advice(
    make_app_pool: Callable[..., MotoPool],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool = make_app_pool(confirmed=True)
    monkeypatch.setenv("ALICE_PW", "not-it")
    code, out, err = run(
        [
            "token",
            "--grant",
            "cognito-password",
            *pool_args(pool),
            "--username",
            "alice",
            "--password-env",
            "ALICE_PW",
            "--log",
        ],
        capsys,
    )
    assert code == 1 and out == ""
    assert "error: NotAuthorizedException: Incorrect username or password." in err
    assert "  advice: Wrong password" in err
    assert "cognito-idp InitiateAuth" in err  # --log
    assert "not-it" not in err and (pool.client_secret or "") not in err


def test_inspect_signout_reality_check_and_revoke(
    make_app_pool: Callable[..., MotoPool], capsys: pytest.CaptureFixture[str]
) -> None:
    pool = make_app_pool(confirmed=True)
    tokens = sign_in(pool, capsys)
    access = tokens["access_token"]
    code, out, err = run(
        [
            "inspect",
            access,
            "--user-pool-id",
            pool.pool_id,
            "--client-id",
            pool.client_id,
            "--endpoint-url",
            pool.endpoint,
            "--json",
        ],
        capsys,
    )
    assert code == 0, err
    found = {f["check"]: f["outcome"] for f in json.loads(out)["findings"]}
    assert found["signature"] == found["iss"] == found["aud"] == found["token_use"] == "pass"
    code, out, _ = run(
        ["inspect", tokens["id_token"], *pool_args(pool, client=False), "--client-id", "x"],
        capsys,
    )
    assert code == 4 and "FAIL  aud" in out and "PASS  token_use" in out

    code, out, err = run(["signout", "--cognito", access, *pool_args(pool)], capsys)
    assert code == 0 and "signed out" in out, err
    code, out, _ = run(["cognito", "reality-check", access, *pool_args(pool)], capsys)
    assert code == 4
    assert out.startswith("signature valid locally") and "Cognito: revoked" in out

    code, _, err = run(["revoke", "--cognito", tokens["refresh_token"], *pool_args(pool)], capsys)
    # moto does not implement RevokeToken (see test_cognito.py for the Stubber version).
    assert code == 1 and "The emulator failed on this call" in err


def test_describe_client_flags_a_flow_the_client_does_not_allow(
    make_app_pool: Callable[..., MotoPool], capsys: pytest.CaptureFixture[str]
) -> None:
    pool = make_app_pool(flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    code, out, err = run(
        ["cognito", "describe-client", *pool_args(pool), "--flow", "USER_PASSWORD_AUTH"],
        capsys,
    )
    assert code == 4, err
    assert "has_secret: True" in out
    assert "ERROR  ExplicitAuthFlows: USER_PASSWORD_AUTH needs ALLOW_USER_PASSWORD_AUTH" in out
    code, out, _ = run(
        ["cognito", "describe-client", *pool_args(pool), "--flow", "USER_SRP_AUTH", "--json"],
        capsys,
    )
    assert code == 0 and json.loads(out)["problems"] == {"USER_SRP_AUTH": []}


def test_create_resource_server_asks_first(
    make_app_pool: Callable[..., MotoPool], capsys: pytest.CaptureFixture[str]
) -> None:
    pool = make_app_pool()
    create = [
        "cognito",
        "create-resource-server",
        *pool_args(pool),
        "--identifier",
        "api",
        "--scope",
        "read=Read the API",
        "--client-credentials",
    ]
    code, _, err = run(create, capsys)  # no terminal to confirm on
    assert code == 2 and "Nothing changed" in err and "--yes" in err
    assert "create the resource server 'api'" in err
    code, out, _ = run(["cognito", "list-resource-servers", *pool_args(pool), "--json"], capsys)
    assert code == 0 and json.loads(out) == []
    code, out, err = run([*create, "--yes"], capsys)
    assert code == 0, err
    assert "AllowedOAuthScopes: api/read" in out
    code, out, _ = run(["cognito", "list-resource-servers", *pool_args(pool)], capsys)
    assert code == 0 and "api/read  Read the API" in out
    code, out, _ = run([*create, "--yes"], capsys)
    assert code == 0 and "Nothing to do" in out
    described = run(["cognito", "describe-client", *pool_args(pool), "--json"], capsys)[1]
    assert json.loads(described)["explicit_auth_flows"] == ALL_FLOWS
    assert AWS_SECRET not in described
