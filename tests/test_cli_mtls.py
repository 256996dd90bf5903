"""The command line with mutual TLS (RFC 8705) against the demo server's TLS port:
--client-cert/--client-cert-key/--ca-bundle on token, introspect, revoke and call; the bound
token refused by the demo API without its certificate; the files' errors (exit 2); and
``keys self-signed-cert``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.test_cli import run
from workbench.demo.clients import MTLS_CLIENT_ID, MTLS_SELF_SIGNED_CLIENT_ID
from workbench.demo.mtls import DemoMtls
from workbench.demo.server import DemoServer


@pytest.fixture
def server(make_demo: Callable[..., DemoServer]) -> DemoServer:
    return make_demo(mtls=True)


def _m(server: DemoServer) -> DemoMtls:
    assert server.mtls is not None
    return server.mtls


def _tls_args(server: DemoServer, *, self_signed: bool = False) -> list[str]:
    m = _m(server)
    if self_signed:
        client, method = MTLS_SELF_SIGNED_CLIENT_ID, "self_signed_tls_client_auth"
        cert, key = m.self_signed_cert_file, m.self_signed_key_file
    else:
        client, method = MTLS_CLIENT_ID, "tls_client_auth"
        cert, key = m.client_cert_file, m.client_key_file
    return [
        "--issuer", server.issuer, "--client-id", client, "--auth-method", method,
        "--client-cert", str(cert), "--client-cert-key", str(key), "--ca-bundle", str(m.ca_file),
    ]  # fmt: skip


def _token(server: DemoServer, capsys: pytest.CaptureFixture[str], **kw: bool) -> str:
    code, out, err = run(
        ["token", "--grant", "client_credentials", *_tls_args(server, **kw), "--json"], capsys
    )
    assert code == 0, err
    value: str = json.loads(out)["access_token"]
    return value


def test_token_with_tls_client_auth_logs_the_certificate_not_the_key(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["token", "--grant", "client_credentials", *_tls_args(server), "--log"]
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert f"POST {_m(server).base_url}/token -> 200" in err
    assert "client certificate: CN=workbench-mtls-client,O=Token Workbench demo" in err
    assert "SHA-256 thumbprint" in err
    assert str(_m(server).client_key_file) not in out + err
    assert '"x5t#S256"' in out  # the token's cnf, in the claims shown


def test_self_signed_token_then_introspect_and_revoke_over_mtls(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    token = _token(server, capsys, self_signed=True)
    tls = _tls_args(server, self_signed=True)
    code, out, err = run(["introspect", token, *tls, "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["active"] is True
    code, out, err = run(["revoke", token, *tls], capsys)
    assert code == 0, err
    code, out, err = run(["introspect", token, *tls, "--json"], capsys)
    assert json.loads(out)["active"] is False


def test_call_the_api_with_a_bound_token_needs_the_certificate(
    server: DemoServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOUND", _token(server, capsys))
    api = _m(server).base_url + "/api/local/me"
    ca = ["--ca-bundle", str(_m(server).ca_file)]
    code, out, err = run(["call", api, "--token-env", "BOUND", *ca], capsys)
    assert code == 1
    assert "invalid_token" in out + err and "presented none" in out + err
    code, out, err = run(["call", api, "--token-env", "BOUND", *_tls_args(server)], capsys)
    assert code == 0, err
    assert "workbench-mtls" in out


def test_without_the_ca_bundle_the_demo_port_is_not_trusted(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _tls_args(server)
    cut = args.index("--ca-bundle")
    code, _out, err = run(["token", "--grant", "client_credentials", *args[:cut]], capsys)
    assert code != 0
    assert "certificate verify failed" in err


def test_certificate_file_problems_exit_2_with_words(
    server: DemoServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = ["token", "--grant", "client_credentials", "--issuer", server.issuer]
    base += ["--client-id", MTLS_CLIENT_ID, "--auth-method", "tls_client_auth"]
    key = str(_m(server).client_key_file)
    code, _, err = run(
        [*base, "--client-cert", str(tmp_path / "nope.pem"), "--client-cert-key", key], capsys
    )
    assert code == 2 and "does not exist" in err
    garbled = tmp_path / "garbled.pem"
    garbled.write_text("this is no certificate\n")
    code, _, err = run([*base, "--client-cert", str(garbled), "--client-cert-key", key], capsys)
    assert code == 2 and "holds no PEM certificate" in err
    code, _, err = run([*base, "--client-cert", str(_m(server).client_cert_file)], capsys)
    assert code == 2 and "--client-cert-key is needed too" in err
    code, _, err = run(base, capsys)  # the method without any certificate
    assert code == 2 and "needs a client certificate" in err
    assert key not in err


def test_keys_self_signed_cert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    out_file = tmp_path / "cert.pem"
    args = ["keys", "self-signed-cert", "--key", str(key_file), "--out", str(out_file)]
    code, out, err = run([*args, "--subject", "CN=tester,O=Example"], capsys)
    assert code == 0, err
    assert out.startswith("x5t#S256: ") and "CN=tester,O=Example" in err
    assert b"BEGIN CERTIFICATE" in out_file.read_bytes()
    code, out, err = run([*args, "--subject", "CN=again"], capsys)
    assert code == 2 and "--force" in err
    code, out, err = run([*args, "--subject", "nonsense", "--force"], capsys)
    assert code == 2 and "RFC 4514" in err
