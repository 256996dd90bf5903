"""``workbench token --grant authorization_code --response-type "code id_token …"`` (the OIDC
hybrid flow) against the demo server as a real process: the user's part is played over HTTP by
:mod:`tests.demo_driver`, and the fragment is handed to the listener as its page's script does.
The checks themselves (c_hash, at_hash, nonce failures) run with Chromium in
tests/core/test_hybrid_browser.py."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import requests

from tests.demo_driver import sign_in_and_decide
from tests.peers import canned_server, serve_oidc_configuration
from tests.test_cli import _finish, _read_until, _spawn, run
from workbench.core.tokens.decode import decode_jwt
from workbench.demo import NATIVE_CLIENT_ID, DemoServer


@pytest.mark.parametrize("response_type", ["code id_token", "code token", "code id_token token"])
def test_cli_hybrid_flow(response_type: str) -> None:
    proc = _spawn(
        "token", "--grant", "authorization_code", "--demo", "--no-browser", "--json",
        "--response-type", response_type,
    )  # fmt: skip
    assert proc.stderr is not None
    seen: list[str] = []
    _read_until(proc.stderr, "Open this URL", seen)
    url = _read_until(proc.stderr, "http", seen)
    assert "response_type=code+" in url and "nonce=" in url and "code_challenge=" in url
    location = urlsplit(sign_in_and_decide(url))
    assert location.fragment and not location.query  # fragment by default
    base = location._replace(fragment="").geturl()
    requests.get(f"{base}?{location.fragment}", timeout=5).raise_for_status()  # as the page does
    code, out, err = _finish(proc, seen)
    assert code == 0, err
    tokens = json.loads(out)
    assert tokens["access_token"] and tokens["refresh_token"]
    assert decode_jwt(tokens["id_token"]).claims["nonce"]
    assert f"hybrid ({response_type})" in err
    if "id_token" in response_type:
        assert "c_hash" in err and "before the code was redeemed" in err


@pytest.mark.parametrize(
    ("grant", "response_type", "words"),
    [
        ("authorization_code", "token", "--response-type token is for --grant implicit"),
        ("implicit", "code id_token", "is a hybrid type: use it with --grant authorization_code"),
    ],
)
def test_cli_refuses_a_response_type_of_the_other_grant(
    demo: DemoServer,
    capsys: pytest.CaptureFixture[str],
    grant: str,
    response_type: str,
    words: str,
) -> None:
    argv = ["token", "--grant", grant, "--issuer", demo.issuer, "--client-id", NATIVE_CLIENT_ID,
            "--auth-method", "none", "--no-browser", "--response-type", response_type]  # fmt: skip
    code, _, err = run(argv, capsys)
    assert code == 2 and words in err and "Open this URL" not in err


def test_cli_refuses_a_hybrid_type_the_server_does_not_offer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with canned_server() as server:
        serve_oidc_configuration(server)  # lists code, id_token, id_token token, none
        argv = ["token", "--grant", "authorization_code", "--issuer", server.url,
                "--client-id", "app", "--no-browser",
                "--response-type", "code id_token"]  # fmt: skip
        code, _, err = run(argv, capsys)
    assert code == 2 and "does not offer response_type 'code id_token'" in err
    assert "Open this URL" not in err
