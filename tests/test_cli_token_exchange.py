"""``workbench token --grant token_exchange`` against the demo server: impersonation and
delegation, token values from an env var, ``@FILE`` and standard input, short type names
expanded, the ``act`` chain in words, refusals as ``error:`` lines, bad usage as exit 2."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from workbench.cli import main
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DemoConfig,
    DemoServer,
)

TYPE = "urn:ietf:params:oauth:token-type:"


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoConfig()) as running:
        yield running


@pytest.fixture(autouse=True)
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_SECRET", CONFIDENTIAL_CLIENT_SECRET)


def client(server: DemoServer) -> list[str]:
    return [
        "--issuer",
        server.issuer,
        "--client-id",
        CONFIDENTIAL_CLIENT_ID,
        "--client-secret-env",
        "DEMO_SECRET",
    ]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def token_of(server: DemoServer, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(["token", *argv, *client(server), "--json"], capsys)
    assert code == 0, err
    token: str = json.loads(out)["access_token"]
    return token


def alice(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> str:
    return token_of(
        server, capsys, "--grant", "password", "--username", "alice", "--password-env", "ALICE_PW"
    )


def test_demo_impersonation_prints_the_issued_token_type(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["token", "--grant", "token_exchange", "--demo", "--json"], capsys)
    assert code == 0, err
    body = json.loads(out)
    assert body["issued_token_type"] == TYPE + "access_token"
    assert "impersonation" in err
    assert "act" not in jwt.decode(body["access_token"], options={"verify_signature": False})


def test_delegation_from_env_and_file_with_short_type_names_and_the_chain_in_words(
    server: DemoServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("ALICE_PW", "alice-password")
    subject = alice(server, capsys)
    actor = token_of(server, capsys, "--grant", "client_credentials")
    monkeypatch.setenv("SUBJECT", subject)
    actor_file = tmp_path / "actor.jwt"
    actor_file.write_text(actor + "\n", encoding="ascii")
    api = server.issuer + "/api/local"
    code, out, err = run(
        [
            "token",
            "--grant",
            "token_exchange",
            *client(server),
            "--subject-token-env",
            "SUBJECT",
            "--subject-token-type",
            "access_token",
            "--actor-token",
            f"@{actor_file}",
            "--actor-token-type",
            "jwt",
            "--requested-token-type",
            "jwt",
            "--audience",
            api,
            "--log",
        ],
        capsys,
    )
    assert code == 0, err
    assert f"issued_token_type: {TYPE}jwt" in out
    assert f"delegation: actor 1: {CONFIDENTIAL_CLIENT_ID} — acting now" in out
    assert "delegation: subject u-7f3a9c2e" in out
    assert "delegation (an actor token)" in err
    # the log shows the expanded types and masks both tokens
    assert f'"subject_token_type": "{TYPE}access_token"' in err
    assert f'"actor_token_type": "{TYPE}jwt"' in err
    assert subject not in err and actor not in err
    # ... and shows whose tokens went in, decoded (never the signature)
    decoded = [line for line in err.splitlines() if "_token decoded (signature left out)" in line]
    assert len(decoded) == 2
    assert '"sub": "u-7f3a9c2e"' in decoded[0] and decoded[0].lstrip().startswith("subject_token")
    assert f'"sub": "{CONFIDENTIAL_CLIENT_ID}"' in decoded[1]


def test_subject_token_from_standard_input(
    server: DemoServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALICE_PW", "alice-password")
    subject = alice(server, capsys)
    monkeypatch.setattr("sys.stdin", io.StringIO(subject + "\n"))
    code, out, err = run(
        [
            "token",
            "--grant",
            "token_exchange",
            *client(server),
            "--subject-token",
            "-",
            "--subject-token-type",
            "urn:ietf:params:oauth:token-type:access_token",
            "--scope",
            "api:read",
            "--json",
        ],
        capsys,
    )
    assert code == 0, err
    assert json.loads(out)["scope"] == "api:read"


def test_a_refusal_is_an_error_line_exit_1(
    server: DemoServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALICE_PW", "alice-password")
    monkeypatch.setenv("SUBJECT", alice(server, capsys))
    code, out, err = run(
        [
            "token",
            "--grant",
            "token_exchange",
            *client(server),
            "--subject-token-env",
            "SUBJECT",
            "--subject-token-type",
            "access_token",
            "--audience",
            "https://elsewhere.example",
        ],
        capsys,
    )
    assert code == 1
    assert "error: invalid_target: This server issues tokens for its demo APIs only" in err
    assert out == ""


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--subject-token-type", "bearer"], "Unknown --subject-token-type 'bearer'"),
        ([], "--subject-token-type is required"),
        (
            ["--subject-token-type", "jwt", "--actor-token", "abc.def.ghi"],
            "--actor-token needs --actor-token-type",
        ),
        (
            ["--subject-token-type", "jwt", "--actor-token-type", "jwt"],
            "--actor-token-type without --actor-token",
        ),
    ],
)
def test_bad_usage_is_exit_2(
    server: DemoServer, capsys: pytest.CaptureFixture[str], extra: list[str], words: str
) -> None:
    code, _, err = run(
        ["token", "--grant", "token_exchange", *client(server), "--subject-token", "a.b.c", *extra],
        capsys,
    )
    assert code == 2, err
    assert words in err


def test_a_missing_token_file_is_exit_2(
    server: DemoServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nothing.jwt"
    code, _, err = run(
        [
            "token",
            "--grant",
            "token_exchange",
            *client(server),
            "--subject-token",
            f"@{missing}",
            "--subject-token-type",
            "jwt",
        ],
        capsys,
    )
    assert code == 2
    assert f"Cannot read the subject token from {missing}" in err
