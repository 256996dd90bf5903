"""``workbench token --grant jwt_bearer``: the demo run out of the box, an assertion signed with
``--assertion-key`` against a server that has its public key, one given whole from an env var,
the log showing the assertion decoded and masked, and bad usage as exit 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from workbench.cli import main
from workbench.core.keys import SigningKey, generate_key, write_key_file
from workbench.core.oauth.rfc7523_bearer import sign_assertion
from workbench.demo import DemoConfig, DemoServer
from workbench.demo.clients import PRIVATE_KEY_JWT_CLIENT_ID


@pytest.fixture
def key() -> SigningKey:
    return generate_key("ES256")


@pytest.fixture
def server(key: SigningKey) -> Iterator[DemoServer]:
    with DemoServer(DemoConfig(client_jwks=key.jwks())) as running:
        yield running


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def client(server: DemoServer, key_file: Path) -> list[str]:
    return [
        "--issuer",
        server.issuer,
        "--client-id",
        PRIVATE_KEY_JWT_CLIENT_ID,
        "--auth-method",
        "private_key_jwt",
        "--client-key",
        str(key_file),
    ]


def test_demo_run_signs_and_registers_a_key_by_itself(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["token", "--grant", "jwt_bearer", "--demo", "--json", "--log"], capsys)
    assert code == 0, err
    claims = jwt.decode(json.loads(out)["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "u-7f3a9c2e" and claims["client_id"] == PRIVATE_KEY_JWT_CLIENT_ID
    assert f"iss {PRIVATE_KEY_JWT_CLIENT_ID}, sub alice" in err
    decoded = next(
        line for line in err.splitlines() if "assertion decoded" in line and "client_" not in line
    )
    shown = json.loads(decoded.split("(signature left out): ", 1)[1])
    assert shown["claims"]["sub"] == "alice" and shown["header"]["alg"] == "ES256"
    assert '"assertion": "\\u2022' in err  # the assertion itself masked in the form


def test_signed_with_a_key_file_against_a_server_that_has_its_key(
    server: DemoServer, key: SigningKey, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "key.pem"
    write_key_file(key, key_file)
    code, out, err = run(
        [
            "token",
            "--grant",
            "jwt_bearer",
            *client(server, key_file),
            "--assertion-key",
            str(key_file),
            "--assertion-sub",
            "bob",
            "--assertion-aud",
            server.issuer,
            "--scope",
            "api:read",
            "--json",
        ],
        capsys,
    )
    assert code == 0, err
    claims = jwt.decode(json.loads(out)["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "u-4b1d8e06" and claims["scope"] == "api:read"
    assert f"aud {server.issuer}" in err


def test_the_client_key_signs_when_no_assertion_key_is_given(
    server: DemoServer, key: SigningKey, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "key.pem"
    write_key_file(key, key_file)
    argv = ["token", "--grant", "jwt_bearer", *client(server, key_file), "--assertion-sub"]
    code, out, err = run([*argv, "alice", "--json"], capsys)
    assert code == 0, err
    assert f"kid={key.kid!r}" in err and "sub alice" in err
    claims = jwt.decode(json.loads(out)["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "u-7f3a9c2e"


def test_an_assertion_from_the_environment_and_a_refusal(
    server: DemoServer,
    key: SigningKey,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key_file = tmp_path / "key.pem"
    write_key_file(key, key_file)
    token_endpoint = server.issuer + "/token"
    good = sign_assertion(
        key, issuer=PRIVATE_KEY_JWT_CLIENT_ID, subject="alice", audience=token_endpoint
    )
    monkeypatch.setenv("ASSERTION", good)
    argv = ["token", "--grant", "jwt_bearer", *client(server, key_file), "--assertion-env"]
    code, _, err = run([*argv, "ASSERTION", "--json"], capsys)
    assert code == 0, err
    assert good not in err
    wrong = sign_assertion(
        generate_key("ES256", kid=key.kid),
        issuer=PRIVATE_KEY_JWT_CLIENT_ID,
        subject="alice",
        audience=token_endpoint,
    )
    monkeypatch.setenv("ASSERTION", wrong)
    code, _, err = run([*argv, "ASSERTION"], capsys)
    assert code == 1
    assert "error: invalid_grant: The assertion's signature does not verify" in err
    assert wrong not in err


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ([], "--assertion-sub is required"),  # the client's key would sign: for whom?
        (["--assertion", "a.b.c", "--assertion-sub", "alice"], "not both"),
        (["--assertion-key", "/nonexistent/key.pem"], "does not exist"),
        (["--assertion-key", "KEY"], "--assertion-sub is required"),
    ],
)
def test_bad_usage_is_exit_2(
    server: DemoServer,
    key: SigningKey,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    words: str,
) -> None:
    key_file = tmp_path / "key.pem"
    write_key_file(key, key_file)
    extra = [str(key_file) if word == "KEY" else word for word in extra]
    code, _, err = run(
        ["token", "--grant", "jwt_bearer", *client(server, key_file), *extra], capsys
    )
    assert code == 2, err
    assert words in err


def test_without_any_key_or_assertion_says_what_to_give(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["token", "--grant", "jwt_bearer", "--issuer", server.issuer]
    code, _, err = run([*argv, "--client-id", "workbench-confidential"], capsys)
    assert code == 2
    assert "needs --assertion (or --assertion-env), or --assertion-key FILE" in err
