"""Token exchange and the JWT bearer grant against the independent npm ``oidc-provider``,
which offers neither: what is checked is the path of a server without the grant. The command
line notes that the server's ``grant_types_supported`` leaves the grant out, sends the request
all the same (the list is advisory), and the server's own refusal comes through as an
``error:`` line, exit 1, with no token value on the terminal.

Gap: the grants themselves are checked against the demo server only (tests/demo/,
tests/test_cli_token_exchange.py, tests/test_cli_jwt_bearer.py). oidc-provider lets a grant be
registered (``provider.registerGrantType``), but its rules and its answer would be code we wrote
in provider.mjs: our client against our own server code again, not an independent check.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.oidc_provider_peer import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    IndependentProvider,
)
from workbench.cli import main
from workbench.core.keys import generate_key, write_key_file


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _client(provider: IndependentProvider) -> list[str]:
    return [
        "--issuer",
        provider.issuer,
        "--client-id",
        CONFIDENTIAL_CLIENT_ID,
        "--client-secret-env",
        "INTEROP_SECRET",
    ]


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTEROP_SECRET", CONFIDENTIAL_CLIENT_SECRET)


def test_token_exchange_at_a_server_without_it_is_noted_and_refused(
    independent_provider: IndependentProvider,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = _run(
        ["token", "--grant", "client_credentials", *_client(independent_provider), "--json"],
        capsys,
    )
    assert code == 0, err
    subject = json.loads(out)["access_token"]  # a real token of this server
    monkeypatch.setenv("SUBJECT", subject)
    code, out, err = _run(
        [
            "token",
            "--grant",
            "token_exchange",
            *_client(independent_provider),
            "--subject-token-env",
            "SUBJECT",
            "--subject-token-type",
            "access_token",
        ],
        capsys,
    )
    assert code == 1
    assert (
        "note: the server's grant_types_supported does not list"
        " urn:ietf:params:oauth:grant-type:token-exchange"
    ) in err
    assert "error: unsupported_grant_type" in err
    assert out == "" and subject not in err


def test_jwt_bearer_at_a_server_without_it_is_noted_and_refused(
    independent_provider: IndependentProvider, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key_file = tmp_path / "key.pem"
    write_key_file(generate_key("ES256"), key_file)
    code, out, err = _run(
        [
            "token",
            "--grant",
            "jwt_bearer",
            *_client(independent_provider),
            "--assertion-key",
            str(key_file),
            "--assertion-sub",
            "alice",
        ],
        capsys,
    )
    assert code == 1
    assert "does not list urn:ietf:params:oauth:grant-type:jwt-bearer" in err
    assert "error: unsupported_grant_type" in err
    assert out == ""
