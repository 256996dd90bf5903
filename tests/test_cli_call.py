"""``workbench call``: an API called with a token, its exit codes and JSON, and the RFC 9728
``--auto`` path end to end against the demo server's APIs (a real server in a thread)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
import requests

from tests.test_cli import confidential, run
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DemoConfig,
    DemoServer,
)
from workbench.demo.api import api_urls


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoConfig(device_interval=1)) as running:
        yield running


@pytest.fixture(autouse=True)
def demo_secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_SECRET", CONFIDENTIAL_CLIENT_SECRET)


def token(server: DemoServer, scope: str = "api:read") -> str:
    value: str = requests.post(
        server.url("token"),
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET),
        timeout=5,
    ).json()["access_token"]
    return value


def test_2xx_exits_0_and_json_is_only_json(
    server: DemoServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    access = token(server)
    monkeypatch.setenv("API_TOKEN", access)
    url = api_urls(server.issuer)["local"] + "/me"
    code, out, err = run(["call", url, "--token-env", "API_TOKEN", "--json"], capsys)
    assert code == 0, err
    answer = json.loads(out)
    assert set(answer) == {"status", "headers", "body", "challenge"}
    assert answer["status"] == 200 and answer["challenge"] is None
    assert answer["body"]["claims"]["client_id"] == CONFIDENTIAL_CLIENT_ID
    assert access not in out and access not in err


def test_challenge_exits_1_with_the_error_on_stderr(
    server: DemoServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", "forged.token.value")
    url = api_urls(server.issuer)["introspected"] + "/me"
    code, out, err = run(["call", url, "--token-env", "API_TOKEN", "--json"], capsys)
    assert code == 1
    answer = json.loads(out)
    assert answer["status"] == 401
    assert answer["challenge"]["scheme"] == "Bearer"
    assert answer["challenge"]["params"]["error"] == "invalid_token"
    assert "error: invalid_token: The authorization server does not know this token." in err


def test_insufficient_scope_is_explained(
    server: DemoServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", token(server, "api:read"))
    url = api_urls(server.issuer)["local"] + "/items/write"
    code, _out, err = run(["call", url, "--token-env", "API_TOKEN", "-d", '{"a": 1}'], capsys)
    assert code == 1
    assert "403" in err and "“api:write”" in err
    assert "error: insufficient_scope:" in err


def test_no_answer_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    code, out, err = run(["call", f"http://127.0.0.1:{port}/api"], capsys)
    assert code == 3 and out == ""
    assert "error: refused" in err


def test_auto_follows_the_401_to_a_token_and_retries(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = api_urls(server.issuer)["introspected"] + "/items/write"
    argv = ["call", url, "-X", "POST", "--auto", "--grant", "client_credentials", "--log"]
    code, out, err = run(argv + confidential(server), capsys)
    assert code == 0, err
    assert json.loads(out)["written"] is True
    # every step shown: the 401, the metadata, the server, the token for the resource, the retry
    assert "401" in err and "step 1" in err and "step 4" in err
    assert f"{server.issuer}/.well-known/oauth-protected-resource/api/introspected" in err
    assert "resource " + api_urls(server.issuer)["introspected"] in err
    assert "asking for every scope it lists" in err and "“api:read api:write”" in err
    assert CONFIDENTIAL_CLIENT_SECRET not in err and CONFIDENTIAL_CLIENT_SECRET not in out


def test_auto_with_the_demo_flag_and_a_relative_url(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["call", "/api/local/me", "--demo", "--auto", "--grant", "client_credentials"]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    assert json.loads(out)["claims"]["client_id"] == CONFIDENTIAL_CLIENT_ID


def test_auto_refuses_to_send_a_secret_to_a_server_nobody_named(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = api_urls(server.issuer)["local"] + "/me"
    argv = ["call", url, "--auto", "--grant", "client_credentials"]
    argv += ["--client-id", CONFIDENTIAL_CLIENT_ID, "--client-secret-env", "DEMO_SECRET"]
    code, _out, err = run(argv, capsys)
    assert code == 2
    assert "only sent to a server you name" in err
    other = [
        "--issuer",
        "https://as.example",
        "--client-id",
        "c",
        "--client-secret-env",
        "DEMO_SECRET",
    ]
    code, _out, err = run(["call", url, "--auto", "--grant", "client_credentials", *other], capsys)
    assert code == 2
    assert f"names authorization server(s) {server.issuer}, not https://as.example" in err


def test_auto_steps_up_once_to_the_scope_the_api_names(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = api_urls(server.issuer)["local"] + "/items/write"
    argv = ["call", url, "-X", "POST", "--auto", "--grant", "client_credentials"]
    code, out, err = run([*argv, "--scope", "api:read", *confidential(server)], capsys)
    assert code == 0, err
    assert json.loads(out)["written"] is True
    assert "step 3:" in err and "“api:read”" in err
    assert "step 5:" in err and "“api:read api:write”" in err
