"""What the command line says and asks for: the invalid_client hint, the default scope of the
client-credentials grant (the same as the app's), against the demo server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from workbench.cli import main
from workbench.core.errors import OAUTH_ADVICE
from workbench.core.oauth.rfc6749_grants import client_credentials_scope
from workbench.demo import CONFIDENTIAL_CLIENT_ID, DemoConfig, DemoServer
from workbench.demo.clients import CONFIDENTIAL_DEMO_SCOPE


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoConfig()) as running:
        yield running


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_wrong_client_secret_says_to_check_the_secret(
    server: DemoServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WRONG_SECRET", "not-the-demo-secret")
    argv = ["token", "--grant", "client_credentials", "--issuer", server.issuer]
    argv += ["--client-id", CONFIDENTIAL_CLIENT_ID, "--client-secret-env", "WRONG_SECRET"]
    code, out, err = run(argv, capsys)
    assert code == 1 and out == ""
    lines = err.splitlines()
    refused = next(i for i, line in enumerate(lines) if line.startswith("error: invalid_client"))
    advice = lines[refused + 1]
    assert advice == f"  advice: {OAUTH_ADVICE['invalid_client']}"
    assert "check the client ID and the client secret" in advice
    assert "client_secret_basic or client_secret_post" in advice
    assert "not-the-demo-secret" not in err  # the secret itself is never echoed


def test_demo_client_credentials_asks_for_the_one_default_scope(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["token", "--grant", "client_credentials", "--demo", "--log"], capsys)
    assert code == 0
    expected = client_credentials_scope(CONFIDENTIAL_DEMO_SCOPE)
    assert expected == "api:read"
    assert "scope=api:read" in err and "scope=openid" not in err
    assert f"scope: {expected}" in out


def test_an_explicit_scope_is_sent_as_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["token", "--grant", "client_credentials", "--demo", "--json"]
    code, out, _ = run([*argv, "--scope", "api:read api:write"], capsys)
    assert code == 0 and json.loads(out)["scope"] == "api:read api:write"
