"""``--dpop [--dpop-key FILE]`` on the command line against the demo server (a real server in a
thread): tokens bound to a key kept in a 0600 file, the API and UserInfo called with the DPoP
scheme, refresh with proofs, a fresh proof from ``keys dpop-proof``, and bad usage (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from tests.test_cli import confidential, run
from workbench.core.keys import load_key
from workbench.core.oauth.rfc9449_dpop import b64url_sha256
from workbench.demo import CONFIDENTIAL_CLIENT_SECRET, DemoConfig, DemoServer
from workbench.demo.api import api_urls
from workbench.demo.clients import DEMO_PASSWORD


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoConfig(require_dpop_nonce=True)) as running:
        yield running


@pytest.fixture(autouse=True)
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_SECRET", CONFIDENTIAL_CLIENT_SECRET)
    monkeypatch.setenv("ALICE_PW", DEMO_PASSWORD)


def test_token_with_a_new_key_file_then_the_api_with_the_same_key(
    server: DemoServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key_file = tmp_path / "dpop.pem"
    dpop = ["--dpop", "--dpop-key", str(key_file)]
    argv = ["token", "--grant", "client_credentials", *confidential(server), *dpop, "--json"]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    assert f"wrote a new EC P-256 key to {key_file} (mode 0600)" in err
    assert key_file.stat().st_mode & 0o777 == 0o600
    tokens = json.loads(out)
    assert tokens["token_type"] == "DPoP"
    jkt = load_key(key_file).thumbprint()
    assert jwt.decode(tokens["access_token"], options={"verify_signature": False})["cnf"] == {
        "jkt": jkt
    }
    monkeypatch.setenv("API_TOKEN", tokens["access_token"])
    url = api_urls(server.issuer)["local"] + "/me"
    code, out, err = run(["call", url, "--token-env", "API_TOKEN", *dpop, "--log"], capsys)
    assert code == 0, err
    assert f"the EC P-256 key of {key_file} (jkt {jkt})" in err
    assert json.loads(out)["api"] == "local"
    # The nonce round at the resource is in the log; the token and the proofs are masked.
    assert "use_dpop_nonce" in err and "single-use" in err
    assert tokens["access_token"] not in err + out
    # The same token as a bearer token: refused with a DPoP challenge.
    code, out, err = run(["call", url, "--token-env", "API_TOKEN"], capsys)
    assert code == 1 and "DPoP-bound" in err


def test_password_refresh_and_userinfo_with_dpop(
    server: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "k.pem"
    dpop = ["--dpop", "--dpop-key", str(key_file)]
    login = ["--username", "alice", "--password-env", "ALICE_PW", "--scope", "openid profile"]
    argv = ["token", "--grant", "password", *confidential(server), *login, *dpop, "--json"]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    first = json.loads(out)
    assert first["token_type"] == "DPoP"
    refresh = ["--grant", "refresh_token", "--refresh-token", first["refresh_token"]]
    code, out, err = run(["token", *refresh, *confidential(server), *dpop, "--json"], capsys)
    assert code == 0, err
    refreshed = json.loads(out)
    assert refreshed["token_type"] == "DPoP"
    user = ["userinfo", refreshed["access_token"], "--issuer", server.issuer, *dpop, "--json"]
    code, out, err = run(user, capsys)
    assert code == 0, err
    assert json.loads(out)["preferred_username"] == "alice"


def test_keys_dpop_proof_prints_a_fresh_proof(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "k.pem"
    code, _out, err = run(["keys", "generate", "--out", str(key_file)], capsys)
    assert code == 0, err
    monkeypatch.setenv("AT", "the-access-token")
    argv = ["keys", "dpop-proof", "--key", str(key_file), "--method", "post"]
    argv += ["--url", "https://api.example/x?y=1", "--token-env", "AT", "--nonce", "n-1"]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    proof = out.strip()
    header = jwt.get_unverified_header(proof)
    assert header["typ"] == "dpop+jwt" and header["jwk"]["kty"] == "EC"
    claims = jwt.decode(proof, jwt.PyJWK(header["jwk"]).key, algorithms=["ES256"])
    assert claims["htm"] == "POST" and claims["htu"] == "https://api.example/x"
    assert claims["ath"] == b64url_sha256("the-access-token") and claims["nonce"] == "n-1"
    assert "the-access-token" not in out + err


def test_bad_dpop_usage_exits_2(
    server: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["token", "--grant", "client_credentials", *confidential(server)]
    code, _out, err = run([*base, "--dpop-key", str(tmp_path / "k.pem")], capsys)
    assert code == 2 and "--dpop-key is the key of --dpop" in err
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key\n")
    code, _out, err = run([*base, "--dpop", "--dpop-key", str(bad)], capsys)
    assert code == 2 and "is not a PEM file" in err


def test_inspect_checks_cnf_jkt_against_a_dpop_key(
    server: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file, other = tmp_path / "k.pem", tmp_path / "other.pem"
    dpop = ["--dpop", "--dpop-key", str(key_file)]
    argv = ["token", "--grant", "client_credentials", *confidential(server), *dpop, "--json"]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    token = json.loads(out)["access_token"]
    check = ["inspect", token, "--issuer", server.issuer, "--json"]
    code, out, err = run([*check, "--dpop-key", str(key_file)], capsys)
    assert code == 0, err
    findings = {f["check"]: f for f in json.loads(out)["findings"]}
    assert findings["dpop"]["outcome"] == "pass"
    run(["keys", "generate", "--out", str(other)], capsys)
    code, out, err = run([*check, "--dpop-key", str(other)], capsys)
    assert code == 4
    findings = {f["check"]: f for f in json.loads(out)["findings"]}
    assert findings["dpop"]["outcome"] == "fail" and "another key" in findings["dpop"]["reason"]
    code, out, err = run(check, capsys)
    findings = {f["check"]: f for f in json.loads(out)["findings"]}
    assert findings["dpop"]["outcome"] == "not_checked"
