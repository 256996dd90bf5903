"""The client's signing keys: every algorithm round-trips, bad key files say what is wrong."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

from workbench.core.errors import ConfigError
from workbench.core.keys import (
    GENERATED_ALGS,
    generate_key,
    jwk_thumbprint,
    key_from_pem,
    load_key,
    sign_with_secret,
    write_jwks_file,
    write_key_file,
)


@pytest.mark.parametrize("alg", GENERATED_ALGS)
def test_every_generated_alg_signs_a_jwt_its_public_jwk_verifies(alg: str, tmp_path: Path) -> None:
    key = generate_key(alg)
    token = key.sign_jwt({"sub": "c1", "n": 1}, typ="client-authentication+jwt")
    header = jwt.get_unverified_header(token)
    assert header == {"alg": alg, "typ": "client-authentication+jwt", "kid": key.kid}
    (public,) = key.jwks()["keys"]
    assert public["alg"] == alg and public["use"] == "sig" and public["kid"] == key.kid
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(public)
    verifier = jwt.PyJWK(public).key
    assert jwt.decode(token, verifier, algorithms=[alg]) == {"sub": "c1", "n": 1}
    # through a 0600 file and back: the same key, the same thumbprint kid
    path = tmp_path / "key.pem"
    write_key_file(key, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_key(path, alg)
    assert again.kid == key.kid == key.thumbprint() == jwk_thumbprint(public)
    assert jwt.decode(again.sign_jwt({"a": 2}), verifier, algorithms=[alg]) == {"a": 2}


def test_rfc_7638_thumbprint_of_the_rfcs_own_example() -> None:
    jwk = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
        "tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65"
        "YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt"
        "-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_repr_and_str_hide_the_private_key() -> None:
    key = generate_key("ES256")
    pem_body = "".join(key.private_pem().splitlines()[1:-1])
    for shown in (repr(key), str(key), f"{key}", repr([key])):
        assert "private key hidden" in shown
        assert pem_body[:20] not in shown and "PRIVATE" not in shown


def test_dpop_style_header_carries_the_public_jwk_and_no_kid() -> None:
    key = generate_key("ES256")
    proof = key.sign_jwt({"htm": "POST"}, typ="dpop+jwt", kid=False, embed_jwk=True)
    header = jwt.get_unverified_header(proof)
    assert header["typ"] == "dpop+jwt" and "kid" not in header
    assert set(header["jwk"]) == {"kty", "crv", "x", "y"}
    assert jwk_thumbprint(header["jwk"]) == key.thumbprint()


def test_a_key_names_the_algs_it_signs_and_refuses_others() -> None:
    rsa_key = generate_key("RS256")
    assert {"RS256", "PS256", "RS512"} <= set(rsa_key.algs)
    assert rsa_key.with_alg("PS256").alg == "PS256"
    assert rsa_key.with_alg("PS256").kid == rsa_key.kid
    assert generate_key("ES256").algs == ("ES256",)
    assert generate_key("EdDSA").algs == ("EdDSA",)
    with pytest.raises(ConfigError, match=r"EC P-256 key: it cannot sign RS256 \(it signs ES256\)"):
        key_from_pem(generate_key("ES256").private_pem(), "RS256")
    with pytest.raises(ConfigError, match="No key is generated for 'HS256'"):
        generate_key("HS256")


def test_client_secret_signature_is_hmac_only() -> None:
    token = sign_with_secret("s3cret-of-the-client-32-bytes!!!", {"iss": "c"})
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert jwt.decode(token, "s3cret-of-the-client-32-bytes!!!", algorithms=["HS256"]) == {
        "iss": "c"
    }
    with pytest.raises(ConfigError, match="not RS256"):
        sign_with_secret("x", {}, "RS256")
    with pytest.raises(ConfigError, match="needs a client secret"):
        sign_with_secret("", {})


def _pem(key: object, fmt: serialization.PrivateFormat, password: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption)  # type: ignore[attr-defined, no-any-return]


def test_bad_key_files_say_what_is_wrong(tmp_path: Path) -> None:
    def fails(name: str, content: bytes | None, pattern: str, alg: str | None = None) -> None:
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(ConfigError, match=pattern) as caught:
            load_key(path, alg)
        assert str(path) in str(caught.value)

    ec_key = ec.generate_private_key(ec.SECP256R1())
    fails("missing.pem", None, "does not exist")
    (tmp_path / "dir.pem").mkdir()
    fails("dir.pem", None, "is a directory")
    fails("text.pem", b"hello", "is not a PEM file")
    fails("public.pem", generate_key("ES256").public_pem().encode(), "holds a public key")
    fails(
        "encrypted.pem",
        _pem(ec_key, serialization.PrivateFormat.PKCS8, b"passphrase"),
        "encrypted with a passphrase",
    )
    fails(
        "broken.pem",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "holds no private key that can be read",
    )
    fails(
        "wrong-type.pem",
        _pem(ec_key, serialization.PrivateFormat.PKCS8),
        "cannot sign PS256",
        "PS256",
    )
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    fails("small.pem", _pem(small, serialization.PrivateFormat.TraditionalOpenSSL), "2048 bits")
    dsa_key = dsa.generate_private_key(2048)
    fails("dsa.pem", _pem(dsa_key, serialization.PrivateFormat.PKCS8), "signs no JWS")
    fails("huge.pem", b"x" * (65 * 1024), "larger than 64 KiB")
    if os.geteuid() != 0:  # root reads any file, so only another user sees this refusal
        unreadable = tmp_path / "unreadable.pem"
        unreadable.write_bytes(_pem(ec_key, serialization.PrivateFormat.PKCS8))
        unreadable.chmod(0)
        fails("unreadable.pem", None, "cannot be read")


def test_traditional_pem_formats_load(tmp_path: Path) -> None:
    ec_key = ec.generate_private_key(ec.SECP384R1())
    key = key_from_pem(_pem(ec_key, serialization.PrivateFormat.TraditionalOpenSSL))
    assert key.alg == "ES384" and key.kind == "EC P-384"


def test_key_files_are_not_written_over_without_force(tmp_path: Path) -> None:
    key = generate_key("ES256")
    path, jwks = tmp_path / "k.pem", tmp_path / "k.jwks.json"
    path.write_text("keep me")
    jwks.write_text("keep me too")
    with pytest.raises(ConfigError, match="exists already: the private key was not written"):
        write_key_file(key, path)
    with pytest.raises(ConfigError, match="exists already: the public JWKS was not written"):
        write_jwks_file(key, jwks)
    assert path.read_text() == "keep me" and jwks.read_text() == "keep me too"
    path.chmod(0o644)
    write_key_file(key, path, force=True)
    write_jwks_file(key, jwks, force=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key(path).kid == key.kid
    assert json.loads(jwks.read_text()) == key.jwks()


def test_cli_generates_a_key_and_prints_only_its_public_jwks(tmp_path: Path) -> None:
    """``workbench keys`` as a real process: the files, the exit codes, nothing private shown."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "workbench", "keys", *argv],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=60,
        )

    made = cli("generate", "--alg", "ES256", "--out", "k.pem", "--jwks-out", "pub.json")
    assert made.returncode == 0, made.stderr
    key = load_key(tmp_path / "k.pem")
    assert made.stdout.strip() == f"kid: {key.kid}"
    assert stat.S_IMODE((tmp_path / "k.pem").stat().st_mode) == 0o600
    assert json.loads((tmp_path / "pub.json").read_text()) == key.jwks()
    shown = cli("jwks", "--key", "k.pem")
    assert shown.returncode == 0 and json.loads(shown.stdout) == key.jwks()
    private = "".join(key.private_pem().splitlines()[1:-1])
    for run in (made, shown):
        assert private[:24] not in run.stdout + run.stderr
    again = cli("generate", "--out", "k.pem")
    assert again.returncode == 2 and "exists already" in again.stderr
    wrong = cli("jwks", "--key", "k.pem", "--alg", "RS256")
    assert wrong.returncode == 2 and "cannot sign RS256" in wrong.stderr
    missing = cli("jwks", "--key", "nope.pem")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
