"""``workbench logout`` against the demo server: exit codes, the URL on stderr, the state check.

The browser is played by ``requests``: ``webbrowser.open`` is replaced by a function that
loads the URL and follows the redirect to the loopback listener (what the system browser
does), or, for the forged case, calls the listener with another state; the ``--no-browser``
run is a real ``python -m workbench`` process whose printed URL is loaded."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import webbrowser
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from workbench.cli import main
from workbench.core.session import OAuthSession
from workbench.demo import DemoServer
from workbench.demo.clients import CONFIDENTIAL_CLIENT_ID, demo_provider


def _id_token(demo: DemoServer) -> str:
    session = OAuthSession(demo_provider(demo.issuer))
    try:
        token = session.password("alice", "alice-password", "openid").id_token
    finally:
        session.close()
    assert token
    return token


def _browser(monkeypatch: pytest.MonkeyPatch, visit: Callable[[str], None]) -> list[str]:
    opened: list[str] = []

    def fake_open(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        visit(url)
        return True

    monkeypatch.setattr(webbrowser, "open", fake_open)
    return opened


def _follow(url: str) -> None:
    requests.get(url, timeout=10).raise_for_status()  # end-session → 302 → listener


def _forge(url: str) -> None:
    target = dict(parse_qsl(urlsplit(url).query))["post_logout_redirect_uri"]
    assert requests.get(target + "?state=forged", timeout=10).status_code == 400
    assert requests.get(target + "?x=1", timeout=10).status_code == 400  # no state at all


def _argv(demo: DemoServer, *more: str) -> list[str]:
    return ["logout", "--issuer", demo.issuer, "--client-id", CONFIDENTIAL_CLIENT_ID, *more]


def test_logout_exits_0_once_the_redirect_with_the_state_is_back(
    demo: DemoServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = _id_token(demo)
    monkeypatch.setenv("ID_TOKEN", token)
    opened = _browser(monkeypatch, _follow)
    code = main(_argv(demo, "--id-token-env", "ID_TOKEN", "--timeout", "10"))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("logged out:") and "not revoked" in out
    assert len(opened) == 1 and opened[0].startswith(demo.url("end_session") + "?")
    assert "Open this URL to log out:" in err and "id_token_hint=" in err
    assert token not in err + out  # the URL on stderr has the ID token masked


def test_a_forged_or_missing_state_fails(
    demo: DemoServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _browser(monkeypatch, _forge)
    code = main(_argv(demo, "--id-token", _id_token(demo), "--timeout", "1.5"))
    out, err = capsys.readouterr()
    assert code == 1 and not out
    assert "error: timeout:" in err and "not confirmed" in err
    assert err.count("note: refused a request to the redirect URI") == 2
    assert "state is not the one" in err and "carries no state" in err


def test_usage_errors_exit_2(
    demo: DemoServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _browser(monkeypatch, _follow)
    assert main(_argv(demo)) == 2
    assert "No ID token given" in capsys.readouterr().err
    # A provider whose endpoints are given by hand, none of them an end-session endpoint.
    argv = [
        "logout", "--client-id", "c", "--id-token", "a.b.c",
        "--endpoint", f"token_endpoint={demo.url('token')}",
    ]  # fmt: skip
    assert main(argv) == 2
    assert "end_session_endpoint" in capsys.readouterr().err


def test_no_browser_prints_the_whole_url_and_waits(demo: DemoServer) -> None:
    """The real command in a process of its own (``python -m workbench logout``)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "ID_TOKEN": _id_token(demo)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", *_argv(demo, "--id-token-env", "ID_TOKEN"),
         "--no-browser", "--timeout", "20"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env=env,
    )  # fmt: skip
    assert proc.stderr is not None
    try:
        seen = []
        for line in proc.stderr:
            seen.append(line)
            if line.startswith(demo.url("end_session") + "?"):
                _follow(line.strip())
                break
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, "".join(seen) + err
    assert out.startswith("logged out:")


def test_demo_gets_its_own_id_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _browser(monkeypatch, _follow)
    code = main(["logout", "--demo", "--timeout", "10"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "got an ID token of the demo user" in err and out.startswith("logged out:")


def test_a_cognito_pool_uses_its_hosted_logout_and_exit_4_for_the_unchecked_state(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cognito's hosted UI is not emulated (moto has none): the "browser" checks the URL is
    Cognito's (client_id + logout_uri) and makes the bare redirect Cognito sends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def cognito(url: str) -> None:
        query = dict(parse_qsl(urlsplit(url).query))
        assert url.startswith("http://127.0.0.1:9/logout?")
        assert query == {
            "client_id": "app-client",
            "logout_uri": f"http://127.0.0.1:{port}/logged-out",
        }
        requests.get(query["logout_uri"], timeout=10).raise_for_status()

    _browser(monkeypatch, cognito)
    argv = [
        "logout", "--user-pool-id", "eu-west-1_AbC123", "--client-id", "app-client",
        "--domain", "http://127.0.0.1:9", "--id-token", "a.b.c", "--timeout", "10",
    ]  # fmt: skip
    assert main(argv) == 2  # no --port: Cognito matches the sign-out URL exactly
    assert "allowed sign-out URL" in capsys.readouterr().err
    assert main([*argv, "--port", str(port)]) == 4
    out = capsys.readouterr().out
    assert out.startswith("not confirmed: Cognito's /logout") and "no state" in out
