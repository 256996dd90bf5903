"""``workbench token --grant ciba`` (OpenID CIBA, poll mode) against the demo server in a
thread; the user approves or denies on the demo's page from another thread, as a phone would."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import jwt
import pytest

from tests.demo_driver import DemoDriverError, decide_ciba_request
from workbench.cli import main
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    USERS,
    DemoConfig,
    DemoServer,
)
from workbench.demo.clients import NATIVE_CLIENT_ID, ciba_approval_url


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoConfig(ciba_interval=1)) as running:
        yield running


@pytest.fixture(autouse=True)
def demo_secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_SECRET", CONFIDENTIAL_CLIENT_SECRET)


def ciba(server: DemoServer, *more: str) -> list[str]:
    return [
        "token",
        "--grant",
        "ciba",
        "--issuer",
        server.issuer,
        "--client-id",
        CONFIDENTIAL_CLIENT_ID,
        "--client-secret-env",
        "DEMO_SECRET",
        "--scope",
        "openid profile",
        *more,
    ]


def decide_when_listed(
    server: DemoServer, approve: bool, username: str = "alice"
) -> threading.Thread:
    """Approve (or deny) the request once it is on the page, in a thread."""

    def decide() -> None:
        for _ in range(100):
            try:
                decide_ciba_request(
                    ciba_approval_url(server.issuer), username=username, approve=approve
                )
                return
            except DemoDriverError:
                time.sleep(0.1)

    thread = threading.Thread(target=decide)
    thread.start()
    return thread


def test_approved_prints_the_masked_id_the_message_each_poll_and_the_tokens(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    approver = decide_when_listed(server, approve=True)
    code = main(ciba(server, "--login-hint", "alice", "--binding-message", "PLUM-42", "--json"))
    approver.join()
    captured = capsys.readouterr()
    assert code == 0, captured.err
    tokens = json.loads(captured.out)
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert claims["sub"] == USERS["alice"].subject
    lines = captured.err.splitlines()
    sent = next(line for line in lines if line.startswith("Authentication request sent"))
    assert sent.startswith("Authentication request sent for alice: auth_req_id ")
    assert sent.endswith("…••••••")  # masked: its first characters only
    assert "Binding message (the user's device shows it too): PLUM-42" in lines
    assert "The request expires in 300 s; polling every 1 s." in lines
    assert lines[-1] == "Approved."


def test_denied_exits_1_with_access_denied(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    denier = decide_when_listed(server, approve=False)
    code = main(ciba(server, "--login-hint", "alice"))
    denier.join()
    err = capsys.readouterr().err
    assert code == 1 and "access_denied" in err
    assert "  pending (" in err or "Authentication request sent" in err


def test_expired_exits_1_with_expired_token(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(ciba(server, "--login-hint", "alice", "--requested-expiry", "2"))
    err = capsys.readouterr().err
    assert code == 1 and "expired_token" in err
    assert "  pending (" in err  # a progress line per poll


@pytest.mark.parametrize(
    ("more", "words"),
    [
        ((), "--login-hint is required"),
        (("--login-hint", "alice", "--requested-expiry", "0"), "requested expiry"),
        (("--login-hint", "alice", "--binding-message", "a\nb"), "binding message"),
    ],
)
def test_bad_usage_exits_2(
    server: DemoServer, capsys: pytest.CaptureFixture[str], more: tuple[str, ...], words: str
) -> None:
    code = main(ciba(server, *more))
    assert code == 2 and words in capsys.readouterr().err


def test_a_public_client_is_refused_before_sending(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["token", "--grant", "ciba", "--issuer", server.issuer, "--client-id",
            NATIVE_CLIENT_ID, "--login-hint", "alice"]  # fmt: skip
    code = main(argv)
    assert code == 2 and "public client" in capsys.readouterr().err


def test_an_unknown_user_is_the_servers_unknown_user_id(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(ciba(server, "--login-hint", "mallory"))
    assert code == 1 and "unknown_user_id" in capsys.readouterr().err
