"""The command line's JWT client authentication against the demo server: --auth-method
client_secret_jwt | private_key_jwt with --client-key, on token, introspect and revoke; the
decoded assertion in --log with nothing secret; key problems exit 2 before any request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.core.keys import SigningKey, generate_key, write_jwks_file, write_key_file
from workbench.demo import DemoConfig, DemoServer
from workbench.demo.clients import (
    PRIVATE_KEY_JWT_CLIENT_ID,
    SECRET_JWT_CLIENT_ID,
    SECRET_JWT_CLIENT_SECRET,
)


@pytest.fixture(scope="module")
def client_key() -> SigningKey:
    return generate_key("EdDSA")


@pytest.fixture
def key_file(client_key: SigningKey, tmp_path: Path) -> str:
    path = tmp_path / "client.pem"
    write_key_file(client_key, path)
    return str(path)


@pytest.fixture
def server(client_key: SigningKey) -> Iterator[DemoServer]:
    with DemoServer(DemoConfig(client_jwks=client_key.jwks())) as running:
        yield running


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def key_args(server: DemoServer, key_file: str) -> list[str]:
    return [
        "--issuer",
        server.issuer,
        "--client-id",
        PRIVATE_KEY_JWT_CLIENT_ID,
        "--auth-method",
        "private_key_jwt",
        "--client-key",
        key_file,
    ]


def test_private_key_jwt_token_introspect_revoke(
    server: DemoServer, key_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["token", "--grant", "client_credentials", *key_args(server, key_file), "--json"], capsys
    )
    assert code == 0, err
    access = json.loads(out)["access_token"]
    code, out, err = run(["introspect", *key_args(server, key_file), access, "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["active"] is True
    code, _out, err = run(["revoke", *key_args(server, key_file), access], capsys)
    assert code == 0, err
    code, out, err = run(["introspect", *key_args(server, key_file), access, "--json"], capsys)
    assert code == 0 and json.loads(out)["active"] is False


def test_log_shows_the_decoded_assertion_and_no_secret(
    server: DemoServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JWT_SECRET", SECRET_JWT_CLIENT_SECRET)
    code, _out, err = run(
        [
            "token",
            "--grant",
            "client_credentials",
            "--issuer",
            server.issuer,
            "--client-id",
            SECRET_JWT_CLIENT_ID,
            "--client-secret-env",
            "JWT_SECRET",
            "--auth-method",
            "client_secret_jwt",
            "--client-assertion-aud",
            "issuer",
            "--log",
        ],
        capsys,
    )
    assert code == 0, err
    assert SECRET_JWT_CLIENT_SECRET not in err
    line = next(x for x in err.splitlines() if "client_assertion decoded" in x)
    decoded = json.loads(line.split("(signature left out): ", 1)[1])
    assert decoded["header"]["alg"] == "HS256"
    assert decoded["claims"]["aud"] == server.issuer
    assert decoded["claims"]["iss"] == decoded["claims"]["sub"] == SECRET_JWT_CLIENT_ID
    assert '"client_assertion=${CLIENT_ASSERTION}"' in err


def test_demo_runs_private_key_jwt_with_the_given_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rsa.pem"
    write_key_file(generate_key("RS256"), path)
    argv = ["token", "--demo", "--grant", "client_credentials", "--json"]
    code, out, err = run(
        [
            *argv,
            "--auth-method",
            "private_key_jwt",
            "--client-key",
            str(path),
            "--client-assertion-alg",
            "PS256",
        ],
        capsys,
    )
    assert code == 0, err
    assert json.loads(out)["access_token"]
    code, out, err = run([*argv, "--auth-method", "client_secret_jwt"], capsys)
    assert code == 0, err


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--client-key", "missing.pem"], "does not exist"),
        (["--client-key", "KEY", "--client-assertion-alg", "ES256"], "cannot sign ES256"),
        (["--client-key", "JWKS"], "is not a PEM file"),
        ([], "needs --client-key FILE"),
    ],
)
def test_key_problems_exit_2_before_any_request(
    extra: list[str],
    words: str,
    tmp_path: Path,
    key_file: str,
    client_key: SigningKey,
    capsys: pytest.CaptureFixture[str],
) -> None:
    jwks = tmp_path / "public.json"
    write_jwks_file(client_key, jwks)
    extra = [
        {"KEY": key_file, "JWKS": str(jwks), "missing.pem": str(tmp_path / "missing.pem")}.get(
            word, word
        )
        for word in extra
    ]
    argv = ["token", "--grant", "client_credentials", "--issuer", "http://127.0.0.1:9"]
    argv += ["--client-id", "c", "--auth-method", "private_key_jwt", *extra, "--log"]
    code, _out, err = run(argv, capsys)
    assert code == 2, err
    assert words in err and "--- #" not in err  # no exchange was printed: nothing was sent


def test_wrong_pairings_exit_2(key_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["token", "--grant", "client_credentials", "--issuer", "http://127.0.0.1:9"]
    code, _out, err = run(
        [*base, "--client-id", "c", "--client-secret", "s", "--client-key", key_file], capsys
    )
    assert code == 2 and "--client-key is for --auth-method private_key_jwt" in err
    code, _out, err = run(
        [*base, "--client-id", "c", "--client-secret", "s", "--client-assertion-alg", "HS256"],
        capsys,
    )
    assert code == 2 and "--client-assertion-alg is for client_secret_jwt" in err


def test_a_wrong_key_is_refused_by_the_server(
    server: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.pem"
    write_key_file(generate_key("EdDSA"), other)
    code, _out, err = run(
        ["token", "--grant", "client_credentials", *key_args(server, str(other))], capsys
    )
    assert code == 1
    assert "invalid_client" in err and "private_key_jwt with the key" in err


def test_a_saved_profile_runs_private_key_jwt_from_the_keyring(
    server: DemoServer, key_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(
        [
            "profile",
            "save",
            "jwt",
            "--issuer",
            server.issuer,
            "--client-id",
            PRIVATE_KEY_JWT_CLIENT_ID,
            "--auth-method",
            "private_key_jwt",
            "--client-key-keyring",
            key_file,
        ],
        capsys,
    )
    assert code == 0, err
    Path(key_file).unlink()  # the keyring holds it now
    code, out, err = run(
        ["token", "--grant", "client_credentials", "--profile", "jwt", "--scope", "api:read"],
        capsys,
    )
    assert code == 0, err
    assert "access_token" in out
    stored = (tmp_path / "config" / "profiles.json").read_text()
    assert "PRIVATE KEY" not in stored and '"client_key_in_keyring": true' in stored
    code, _out, err = run(
        ["profile", "save", "bad", "--issuer", server.issuer, "--auth-method", "private_key_jwt"],
        capsys,
    )
    assert code == 2 and "needs --client-key FILE or --client-key-keyring FILE" in err


def test_demo_server_takes_a_public_jwks_only(
    tmp_path: Path, client_key: SigningKey, capsys: pytest.CaptureFixture[str]
) -> None:
    private = tmp_path / "private.json"
    private.write_text(json.dumps({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "A", "d": "B"}]}))
    code, _out, err = run(["demo-server", "--client-jwks", str(private)], capsys)
    assert code == 2 and "holds a private key" in err
    not_a_set = tmp_path / "key.json"
    not_a_set.write_text(json.dumps(client_key.public_jwk()))
    code, _out, err = run(["demo-server", "--client-jwks", str(not_a_set)], capsys)
    assert code == 2 and "holds no JWK Set" in err


def test_introspect_with_demo_and_a_jwt_method(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        ["introspect", "--demo", "--auth-method", "client_secret_jwt", "unknown-token", "--json"],
        capsys,
    )
    assert code == 0, err
    assert json.loads(out) == {"active": False}


def test_an_alg_the_server_does_not_list_exits_2(
    server: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rsa.pem"
    write_key_file(generate_key("RS256"), path)
    argv = ["token", "--grant", "client_credentials", *key_args(server, str(path))]
    code, _out, err = run([*argv, "--client-assertion-alg", "RS384", "--log"], capsys)
    assert code == 2
    assert "does not accept client assertions signed with RS384" in err
    assert "POST" not in err  # discovery only: no token request was sent
