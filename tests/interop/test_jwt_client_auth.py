"""client_secret_jwt and private_key_jwt against the independent npm ``oidc-provider``
(tests/interop/provider.mjs): client credentials with either method and every algorithm of
the client's JWKS (keys generated for this run), introspection and revocation authenticated
the same way, and a wrong key or secret refused by the provider."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.oidc_provider_peer import (
    CLIENT_KEY_ALGS,
    PRIVATE_KEY_JWT_CLIENT_ID,
    SECRET_JWT_CLIENT_ID,
    SECRET_JWT_CLIENT_SECRET,
    IndependentProvider,
)
from workbench.core.errors import ConfigError, OAuthError
from workbench.core.keys import generate_key, write_key_file
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig, ClientKey
from workbench.core.session import OAuthSession

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sessions(independent_provider: IndependentProvider) -> Iterator[list[OAuthSession]]:
    made: list[OAuthSession] = []
    yield made
    for session in made:
        session.close()


def session_for(
    provider: IndependentProvider, made: list[OAuthSession], client: ClientConfig
) -> OAuthSession:
    session = OAuthSession(Provider(client=client, issuer=provider.issuer, scope="api:read"))
    made.append(session)
    return session


def key_client(path: Path, audience: str = "endpoint", alg: str | None = None) -> ClientConfig:
    """The private_key_jwt client with the key in ``path``; ``alg`` for an RSA key of the
    JWKS registered for PS256 (a PEM file does not say which algorithm a key is meant for)."""
    return ClientConfig(
        PRIVATE_KEY_JWT_CLIENT_ID,
        None,
        "private_key_jwt",
        client_key=ClientKey(path=str(path)),
        assertion_alg=alg,
        assertion_audience=audience,  # type: ignore[arg-type]
    )


def test_discovery_lists_the_methods_and_algorithms(
    independent_provider: IndependentProvider, sessions: list[OAuthSession]
) -> None:
    meta = session_for(independent_provider, sessions, key_client(Path())).metadata().raw
    assert {"client_secret_jwt", "private_key_jwt"} <= set(
        meta["token_endpoint_auth_methods_supported"]
    )
    assert set(CLIENT_KEY_ALGS) | {"HS256"} <= set(
        meta["token_endpoint_auth_signing_alg_values_supported"]
    )


@pytest.mark.parametrize("alg", CLIENT_KEY_ALGS)
def test_private_key_jwt_client_credentials_with_each_algorithm(
    alg: str, independent_provider: IndependentProvider, sessions: list[OAuthSession]
) -> None:
    client = key_client(independent_provider.client_keys[alg], alg=alg)
    session = session_for(independent_provider, sessions, client)
    tokens = session.client_credentials()
    assert tokens.access_token and tokens.scope == "api:read"
    (sent,) = [e for e in session.log.items() if e.request_tokens]
    assert sent.request_tokens["client_assertion"]["header"]["alg"] == alg


def test_private_key_jwt_with_the_issuer_as_audience_introspects_and_revokes(
    independent_provider: IndependentProvider, sessions: list[OAuthSession]
) -> None:
    client = key_client(independent_provider.client_keys["ES256"], audience="issuer")
    session = session_for(independent_provider, sessions, client)
    access = session.client_credentials().access_token or ""
    assert session.introspect(access)["active"] is True
    session.revoke(access, "access_token")
    assert session.introspect(access)["active"] is False
    audiences = {
        e.request_tokens["client_assertion"]["claims"]["aud"]
        for e in session.log.items()
        if e.request_tokens
    }
    assert audiences == {independent_provider.issuer}


def test_client_secret_jwt_client_credentials(
    independent_provider: IndependentProvider, sessions: list[OAuthSession]
) -> None:
    client = ClientConfig(SECRET_JWT_CLIENT_ID, SECRET_JWT_CLIENT_SECRET, "client_secret_jwt")
    session = session_for(independent_provider, sessions, client)
    access = session.client_credentials().access_token or ""
    assert session.introspect(access)["active"] is True


def test_a_wrong_key_or_secret_is_refused(
    independent_provider: IndependentProvider, sessions: list[OAuthSession], tmp_path: Path
) -> None:
    stranger = tmp_path / "stranger.pem"
    write_key_file(generate_key("ES256"), stranger)
    with pytest.raises(OAuthError) as unknown:
        session_for(independent_provider, sessions, key_client(stranger)).client_credentials()
    assert unknown.value.error == "invalid_client"
    # the PS256 key signing RS256: the registered JWK names PS256, so the provider refuses it
    mismatched = key_client(independent_provider.client_keys["PS256"], alg="RS256")
    with pytest.raises(OAuthError) as pinned:
        session_for(independent_provider, sessions, mismatched).client_credentials()
    assert pinned.value.error == "invalid_client"
    wrong = ClientConfig(
        SECRET_JWT_CLIENT_ID, "not-the-secret-but-as-long-as-it-32b", "client_secret_jwt"
    )
    with pytest.raises(OAuthError) as refused:
        session_for(independent_provider, sessions, wrong).client_credentials()
    assert refused.value.error == "invalid_client"


def test_an_algorithm_it_does_not_list_is_refused_before_sending(
    independent_provider: IndependentProvider, sessions: list[OAuthSession], tmp_path: Path
) -> None:
    path = tmp_path / "rsa.pem"
    write_key_file(generate_key("RS256"), path)
    client = ClientConfig(
        PRIVATE_KEY_JWT_CLIENT_ID,
        None,
        "private_key_jwt",
        client_key=ClientKey(path=str(path)),
        assertion_alg="RS512",
    )
    session = session_for(independent_provider, sessions, client)
    with pytest.raises(ConfigError, match="RS512"):
        session.client_credentials()
    assert not [e for e in session.log.items() if e.request_tokens]


def test_cli_private_key_jwt(independent_provider: IndependentProvider) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "token",
            "--grant",
            "client_credentials",
            "--issuer",
            independent_provider.issuer,
            "--client-id",
            PRIVATE_KEY_JWT_CLIENT_ID,
            "--auth-method",
            "private_key_jwt",
            "--client-key",
            str(independent_provider.client_keys["EdDSA"]),
            "--scope",
            "api:read",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["access_token"]
