"""The command line fails closed against hostile tokens and servers (real sockets, no mocks).

Each test plays an attacker: a forged token while the issuer's keys are unreachable, a server
that echoes secrets or writes terminal escapes into its answers, a discovery document that names
a ``file:`` URL, a token that looks like an option.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.peers import Canned, CannedServer, canned_server, closed_port_url
from workbench.cli import main

ISSUER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ATTACKER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ESC = "\x1b"


def run(argv: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        code = main(argv, stdout=out, stderr=err)
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


def jwk(private: Any, kid: str) -> dict[str, Any]:
    data: dict[str, Any] = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    data["kid"] = kid
    return data


def token(issuer: str, key: Any = ATTACKER_KEY, **claims: Any) -> str:
    body = {"iss": issuer, "sub": "mallory", "aud": "api", "exp": int(time.time()) + 600}
    body.update(claims)
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": "k1"})


def metadata(server: CannedServer, **extra: Any) -> dict[str, Any]:
    doc = {
        "issuer": server.url,
        "token_endpoint": server.url + "/token",
        "jwks_uri": server.url + "/jwks",
    }
    doc.update(extra)
    return doc


@pytest.fixture
def issuer() -> Iterator[CannedServer]:
    with canned_server() as server:
        server.json("/.well-known/openid-configuration", metadata(server))
        yield server


# --------------------------------------------------------------------------- verification


@pytest.mark.parametrize(
    ("jwks", "words"),
    [
        (None, "404"),
        (Canned(200, b"<html>login</html>", "text/html"), "HTML page"),
        (Canned(200, b'{"issuer": "x"}'), "not a JWKS"),
        (Canned(200, b'{"keys": "nope"}'), "'keys' is not a list"),
    ],
    ids=["404", "html", "not-a-jwks", "keys-not-a-list"],
)
def test_a_forged_token_fails_when_the_keys_cannot_be_fetched(
    issuer: CannedServer, jwks: Canned | None, words: str
) -> None:
    if jwks is not None:
        issuer.routes["/jwks"] = jwks
    forged = token(issuer.url)
    code, out, _ = run(["inspect", forged, "--issuer", issuer.url])
    assert code == 4
    assert "FAIL  signature  not verified: the issuer's keys could not be fetched" in out
    assert words in out
    code, out, _ = run(["inspect", forged, "--issuer", issuer.url, "--json"])
    doc = json.loads(out)
    assert code == 4 and doc["ok"] is False and doc["verification_requested"] is True
    assert doc["findings"][0]["outcome"] == "fail"


def test_a_forged_token_fails_when_the_jwks_uri_refuses_connections() -> None:
    forged = token("https://idp.example")
    code, out, _ = run(["inspect", forged, "--jwks-uri", closed_port_url() + "/jwks"])
    assert code == 4
    assert "not verified" in out and "refused" in out


def test_a_forged_token_fails_when_discovery_fails() -> None:
    url = closed_port_url()
    code, out, err = run(["inspect", token(url), "--issuer", url])
    assert code == 4, err
    assert "not verified: the issuer's keys could not be fetched (discovery failed:" in out


def test_a_forged_token_fails_with_only_an_audience_asked_for() -> None:
    code, out, _ = run(["inspect", token("https://idp.example"), "--audience", "api"])
    assert code == 4
    assert "PASS  aud" in out
    assert "FAIL  signature  not verified: no issuer keys" in out


def test_the_genuine_token_still_passes(issuer: CannedServer) -> None:
    issuer.json("/jwks", {"keys": [jwk(ISSUER_KEY, "k1")]})
    genuine = token(issuer.url, ISSUER_KEY)
    assert run(["inspect", genuine, "--issuer", issuer.url, "--audience", "api"])[0] == 0
    assert run(["inspect", token(issuer.url), "--issuer", issuer.url])[0] == 4


@pytest.mark.parametrize(
    "not_a_jwt",
    ["hello", "a.b.c.d", "WzFd.eyJhIjoxfQ.c2ln", "eyJhbGciOiJSUzI1NiJ9.e30.x.y.z"],
    ids=["opaque", "four-dots", "array-header", "jwe-shaped"],
)
def test_a_token_that_cannot_be_verified_fails_once_verification_is_asked_for(
    not_a_jwt: str,
) -> None:
    code, _, err = run(["inspect", not_a_jwt, "--jwks-uri", "https://idp.example/jwks"])
    assert code == 4, err
    assert err.startswith("error: token:")
    code, _, err = run(["inspect", not_a_jwt, "--issuer", "https://idp.example"])
    assert code == 4, err


def test_an_opaque_token_with_nothing_asked_for_is_neutral() -> None:
    code, out, _ = run(["inspect", "2YotnFZFEjr1zCsicMWpAA"])
    assert code == 0 and "opaque" in out
    code, out, _ = run(["inspect", "2YotnFZFEjr1zCsicMWpAA", "--json"])
    assert code == 0 and json.loads(out)["kind"] == "opaque"


def test_discovery_must_name_exactly_the_issuer_asked_for(issuer: CannedServer) -> None:
    issuer.json("/.well-known/openid-configuration", metadata(issuer, issuer=issuer.url + "/"))
    code, _, err = run(["discover", "--issuer", issuer.url])
    assert code == 3
    assert "differ only by a trailing '/'" in err


# --------------------------------------------------------------------------- echoed secrets


SECRET = "s3cr3t-client-value-42"


def test_a_secret_echoed_in_a_500_body_is_masked_in_the_error_line(
    issuer: CannedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    issuer.json(
        "/token",
        {"error": "server_error", "error_description": f"client_secret={SECRET} rejected"},
        status=500,
    )
    monkeypatch.setenv("APP_SECRET", SECRET)
    argv = ["token", "--grant", "client_credentials", "--issuer", issuer.url, "--client-id", "app"]
    code, out, err = run([*argv, "--client-secret-env", "APP_SECRET"])
    assert code == 1
    assert SECRET not in err + out
    assert "error: server_error: client_secret=•••••• rejected" in err
    # The discovery path quotes a non-200 JSON body in its message: masked there too.
    issuer.json("/.well-known/openid-configuration", {"echo": SECRET}, status=500)
    code, _, err = run([*argv, "--client-secret-env", "APP_SECRET"])
    assert code == 3 and SECRET not in err


def test_a_password_echoed_in_error_description_is_masked(
    issuer: CannedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "hunter2-correct-horse"
    issuer.json(
        "/token",
        {"error": "invalid_grant", "error_description": f"wrong password {password} for alice"},
        status=400,
    )
    monkeypatch.setenv("PW", password)
    argv = ["token", "--grant", "password", "--issuer", issuer.url, "--client-id", "app"]
    code, _, err = run([*argv, "--username", "alice", "--password-env", "PW"])
    assert code == 1
    assert "error: invalid_grant: wrong password ••••••" in err
    assert password not in err


def test_a_refresh_token_echoed_back_is_masked(
    issuer: CannedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    refresh = "rt-9f8e7d6c5b4a-family-1"
    issuer.json(
        "/token", {"error": "invalid_grant", "error_description": f"unknown {refresh}"}, 400
    )
    monkeypatch.setenv("RT", refresh)
    argv = ["token", "--grant", "refresh_token", "--issuer", issuer.url, "--client-id", "app"]
    code, _, err = run([*argv, "--refresh-token-env", "RT"])
    assert code == 1 and refresh not in err
    code, _, err = run([*argv, "--refresh-token", "-"], stdin=refresh + "\n")
    assert code == 1 and refresh not in err
    # The form the server received carried the refresh token read from stdin.
    assert any(refresh.encode() in body for _, _, body in issuer.requests)


# --------------------------------------------------------------------------- hostile text


def test_claims_cannot_write_terminal_escapes_or_fake_lines() -> None:
    hostile = token(
        "https://idp.example",
        name=f"{ESC}[2J{ESC}[1A  PASS  signature  valid\r",
        **{f"x{ESC}]0;title{ESC}\\": "v", "bidi": "abc\u202edef"},
    )
    code, out, err = run(["inspect", hostile])
    assert code == 0
    assert ESC not in out + err and "\r" not in out + err and "\u202e" not in out
    assert "\\e[2J" in out and "\\u202e" in out
    # The fake line stays inside the claim's line: no line of output starts with it.
    assert not any(line.lstrip().startswith("PASS  signature") for line in out.splitlines())
    code, out, _ = run(["inspect", hostile, "--json"])
    assert json.loads(out)["claims"]["name"].startswith(ESC)  # JSON stays exact


def test_error_descriptions_and_uris_cannot_write_terminal_escapes(issuer: CannedServer) -> None:
    issuer.json(
        "/token",
        {
            "error": f"invalid_client{ESC}[2K",
            "error_description": f"nope\r{ESC}[32mPASS",
            "error_uri": "javascript:alert(1)",
        },
        status=401,
    )
    argv = ["token", "--grant", "client_credentials", "--issuer", issuer.url, "--client-id", "a"]
    code, _, err = run(argv)
    assert code == 1
    assert ESC not in err and "\r" not in err
    assert "\\e[32mPASS" in err
    assert "not an http(s) URL" in err
    assert "see javascript" not in err


def test_a_discovery_document_naming_a_file_url_is_refused(issuer: CannedServer) -> None:
    issuer.json(
        "/.well-known/openid-configuration",
        metadata(issuer, authorization_endpoint="file:///etc/passwd"),
    )
    argv = ["token", "--grant", "authorization_code", "--issuer", issuer.url, "--client-id", "a"]
    code, _, err = run([*argv, "--timeout", "2"])
    assert code == 2
    assert "Refusing to open the authorization endpoint 'file:///etc/passwd'" in err


@pytest.mark.parametrize("uri", ["javascript:alert(1)", "file:///etc/passwd", "ms-settings:x"])
def test_a_device_verification_uri_that_is_not_a_web_url_is_refused(
    issuer: CannedServer, uri: str
) -> None:
    issuer.json(
        "/.well-known/openid-configuration",
        metadata(issuer, device_authorization_endpoint=issuer.url + "/device"),
    )
    issuer.json(
        "/device",
        {
            "device_code": "dc",
            "user_code": f"AB{ESC}[2J",
            "verification_uri": uri,
            "expires_in": 60,
        },
    )
    argv = ["token", "--grant", "device_code", "--issuer", issuer.url, "--client-id", "a"]
    code, _, err = run(argv)
    assert code == 2
    assert "Refusing to open the verification URI" in err
    assert ESC not in err


# --------------------------------------------------------------------------- token arguments


@pytest.mark.parametrize("opaque", ["-Abc123_xyz", "--x_y-z", "-"])
def test_a_token_that_begins_with_a_dash_is_a_token(issuer: CannedServer, opaque: str) -> None:
    issuer.json(
        "/.well-known/openid-configuration",
        metadata(issuer, introspection_endpoint=issuer.url + "/introspect"),
    )
    issuer.json("/introspect", {"active": False})
    argv = ["--issuer", issuer.url, "--client-id", "rs", "--json"]
    if opaque == "-":  # '-' alone still means standard input
        code, out, err = run(["introspect", "-", *argv], stdin="-Zz9\n")
        sent = b"token=-Zz9"
    else:
        code, out, err = run(["introspect", opaque, *argv])
        sent = b"token=" + opaque.encode()
    assert code == 0, err
    assert json.loads(out) == {"active": False}
    assert any(body.startswith(sent) for _, _, body in issuer.requests)


def test_a_refresh_token_option_value_that_begins_with_a_dash(issuer: CannedServer) -> None:
    issuer.json("/token", {"access_token": "at", "token_type": "Bearer"})
    argv = ["token", "--grant", "refresh_token", "--issuer", issuer.url, "--client-id", "a"]
    code, _, err = run([*argv, "--refresh-token", "-Rt_1", "--json"])
    assert code == 0, err
    assert any(b"refresh_token=-Rt_1" in body for _, _, body in issuer.requests)


def test_token_env_keeps_the_token_off_the_command_line(
    issuer: CannedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    issuer.json(
        "/.well-known/openid-configuration",
        metadata(issuer, introspection_endpoint=issuer.url + "/introspect"),
    )
    issuer.json("/introspect", {"active": True, "sub": "alice"})
    monkeypatch.setenv("TOK", "opaque-token-from-env")
    code, out, err = run(
        ["introspect", "--token-env", "TOK", "--issuer", issuer.url, "--client-id", "rs"]
    )
    assert code == 0, err
    assert "active: yes" in out
    assert any(b"token=opaque-token-from-env" in body for _, _, body in issuer.requests)
    code, _, err = run(["introspect", "--issuer", issuer.url, "--client-id", "rs"])
    assert code == 2 and "No token given" in err


def test_help_says_how_to_keep_tokens_out_of_the_process_list() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "token", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert "--refresh-token-env VAR" in result.stdout
    assert "standard input" in result.stdout


# --------------------------------------------------------------------------- profiles


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--param", "client_secret=abc"], "holds a secret"),
        (["--param", "password=abc"], "holds a secret"),
        (["--endpoint", "token_endpoint=https://u:pw@idp.example/token"], "user:password@host"),
        (["--issuer", "https://u:pw@idp.example"], "user:password@host"),
    ],
)
def test_profile_save_refuses_to_write_secrets_in_plain_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str], words: str
) -> None:
    monkeypatch.setenv("WORKBENCH_CONFIG_DIR", str(tmp_path))
    argv = ["profile", "save", "p", "--client-id", "c"]
    if "--issuer" not in extra:
        argv += ["--issuer", "https://idp.example"]
    code, _, err = run([*argv, *extra])
    assert code == 2
    assert words in err
    assert "abc" not in err and "pw@" not in err
    assert not (tmp_path / "profiles.json").exists()


def test_url_credentials_are_masked_in_the_log_and_in_curl(issuer: CannedServer) -> None:
    from workbench.core.transport.exchange import HttpRequest
    from workbench.core.transport.http import HttpClient

    host = issuer.url.removeprefix("http://")
    client = HttpClient()
    client.send(HttpRequest("GET", f"http://bob:pa55word@{host}/.well-known/openid-configuration"))
    exchange = client.log.items()[-1]
    client.close()
    assert "pa55word" not in exchange.url and "pa55word" not in exchange.curl
    assert exchange.url.startswith("http://bob:••••••@")
    assert '--user "bob:${URL_PASSWORD}"' in exchange.curl


def test_a_device_interval_sent_as_text_is_used_and_noted(issuer: CannedServer) -> None:
    issuer.json(
        "/.well-known/openid-configuration",
        metadata(issuer, device_authorization_endpoint=issuer.url + "/device"),
    )
    issuer.json(
        "/device",
        {
            "device_code": "dc",
            "user_code": "WDJB-MJHT",
            "verification_uri": issuer.url + "/activate",
            "interval": "1",
            "expires_in": 60,
        },
    )
    issuer.json("/token", {"error": "access_denied"}, status=400)
    argv = ["token", "--grant", "device_code", "--issuer", issuer.url, "--client-id", "a"]
    code, _, err = run(argv)
    assert code == 1 and "error: access_denied" in err
    assert "note: The server sent the polling interval as text ('1')" in err
