"""``workbench token --grant authorization_code --par --response-mode …`` against the demo
server, as a real process (the user's part played over HTTP by :mod:`tests.demo_driver`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from tests.demo_driver import DemoDriverError, sign_in_and_decide
from tests.test_cli import _finish, _read_until, _spawn, run
from workbench.core.keys import generate_key, write_key_file
from workbench.demo import NATIVE_CLIENT_ID, DemoServer
from workbench.demo.clients import PRIVATE_KEY_JWT_CLIENT_ID


def test_cli_par_with_a_jarm_response(tmp_path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "log.json"
    proc = _spawn(
        "token", "--grant", "authorization_code", "--demo", "--no-browser", "--json",
        "--par", "--response-mode", "jwt", "--log-json", str(log),
    )  # fmt: skip
    assert proc.stderr is not None
    seen: list[str] = []
    pushed = _read_until(proc.stderr, "Pushed the authorization request", seen)
    _read_until(proc.stderr, "Open this URL", seen)
    url = _read_until(proc.stderr, "http", seen)
    assert set(dict(parse_qsl(urlsplit(url).query))) == {"client_id", "request_uri"}
    assert "urn:ietf:params:oauth:request_uri:" in pushed and "valid 60 s" in pushed
    location = sign_in_and_decide(url)
    assert set(dict(parse_qsl(urlsplit(location).query))) == {"response"}
    requests.get(location, timeout=5).raise_for_status()
    code, out, err = _finish(proc, seen)
    assert code == 0, err
    assert json.loads(out)["access_token"]
    doc = json.loads(log.read_text())
    purposes = [e["purpose"] for e in doc["exchanges"]]
    assert purposes.index("pushed authorization request") < purposes.index(
        "token (authorization_code)"
    )
    kinds = [s["kind"] for s in doc["steps"]]
    assert kinds == ["browser_opened", "redirect_received", "jarm_verified"]


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (
            ["--grant", "client_credentials", "--par"],
            "--par, --response-mode and --request-object are for",
        ),
        (["--grant", "authorization_code", "--response-mode", "form_post"], "form_post"),
    ],
)
def test_cli_refuses_what_cannot_be_done_before_any_browser(
    demo: DemoServer, capsys: pytest.CaptureFixture[str], extra: list[str], words: str
) -> None:
    argv = ["token", *extra, "--issuer", demo.issuer, "--client-id", NATIVE_CLIENT_ID,
            "--auth-method", "none", "--no-browser"]  # fmt: skip
    code, _, err = run(argv, capsys)
    assert code == 2 and words in err and "Open this URL" not in err


def test_cli_par_without_the_endpoint_is_a_preflight_error(
    demo: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["token", "--grant", "authorization_code", "--par", "--no-browser",
            "--client-id", NATIVE_CLIENT_ID, "--auth-method", "none",
            "--endpoint", f"authorization_endpoint={demo.issuer}/authorize",
            "--endpoint", f"token_endpoint={demo.issuer}/token"]  # fmt: skip
    code, _, err = run(argv, capsys)
    assert code == 2, err
    assert "advertises no pushed_authorization_request_endpoint" in err


def test_cli_request_object_inside_par(make_demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``--request-object --client-key`` with the private_key_jwt demo client: the signed
    request object travels inside the pushed request; the demo verifies it with the JWKS it
    was started with."""
    key = generate_key("ES256")
    key_file = tmp_path / "client.pem"
    write_key_file(key, key_file)
    server = make_demo(client_jwks=key.jwks())
    proc = _spawn(
        "token", "--grant", "authorization_code", "--issuer", server.issuer,
        "--client-id", PRIVATE_KEY_JWT_CLIENT_ID, "--auth-method", "private_key_jwt",
        "--client-key", str(key_file), "--scope", "openid", "--no-browser", "--json",
        "--request-object", "--par",
    )  # fmt: skip
    assert proc.stderr is not None
    seen: list[str] = []
    _read_until(proc.stderr, "Open this URL", seen)
    url = _read_until(proc.stderr, "http", seen)
    assert set(dict(parse_qsl(urlsplit(url).query))) == {"client_id", "request_uri"}
    requests.get(sign_in_and_decide(url), timeout=5).raise_for_status()
    code, out, err = _finish(proc, seen)
    assert code == 0, err
    assert json.loads(out)["id_token"]
    assert "BEGIN" not in err  # the private key never reaches the terminal


def test_cli_request_object_needs_a_key(
    demo: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["token", "--grant", "authorization_code", "--issuer", demo.issuer,
            "--client-id", NATIVE_CLIENT_ID, "--auth-method", "none", "--no-browser",
            "--request-object"]  # fmt: skip
    code, _, err = run(argv, capsys)
    assert code == 2 and "--request-object needs the client's private key" in err


def test_demo_server_requiring_par_gets_a_pushed_request_unasked() -> None:
    """``demo-server --require-par`` says so in discovery; ``token`` then pushes without
    ``--par``, and a plain authorization request is refused there."""
    server = subprocess.Popen(
        [sys.executable, "-m", "workbench", "demo-server", "--require-par"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert server.stdout is not None
        issuer = _read_until(server.stdout, "  issuer:", []).split()[1]
        meta = requests.get(issuer + "/.well-known/openid-configuration", timeout=5).json()
        assert meta["require_pushed_authorization_requests"] is True
        proc = _spawn(
            "token", "--grant", "authorization_code", "--issuer", issuer,
            "--client-id", NATIVE_CLIENT_ID, "--auth-method", "none", "--no-browser",
        )  # fmt: skip
        assert proc.stderr is not None
        seen: list[str] = []
        _read_until(proc.stderr, "Pushed the authorization request", seen)
        _read_until(proc.stderr, "Open this URL", seen)
        url = _read_until(proc.stderr, "http", seen)
        plain = url.split("?")[0] + "?response_type=code&client_id=" + NATIVE_CLIENT_ID
        with pytest.raises(DemoDriverError, match="requires pushed authorization requests"):
            sign_in_and_decide(plain)
        requests.get(sign_in_and_decide(url), timeout=5).raise_for_status()
        code, _, err = _finish(proc, seen)
        assert code == 0, err
    finally:
        server.terminate()
        server.communicate(timeout=30)
