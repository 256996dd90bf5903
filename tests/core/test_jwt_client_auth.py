"""client_secret_jwt and private_key_jwt through the core's OAuthSession against the demo
server: every endpoint that authenticates the client, the decoded assertion in the log and
no secret in it, a wrong key refused, the server's algorithm list checked before sending."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import jwt
import pytest

from tests.demo_driver import decide_device_code
from workbench.core.errors import ConfigError, OAuthError
from workbench.core.keys import SigningKey, generate_key, write_key_file
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import (
    ASSERTION_LIFETIME,
    JWT_ASSERTION_TYPE,
    ClientConfig,
    ClientKey,
    authenticate,
)
from workbench.core.profiles import CLIENT_KEY_SECRET, Profile
from workbench.core.secrets import SecretStore
from workbench.core.session import OAuthSession
from workbench.core.transport.exchange import Exchange
from workbench.core.transport.masking import MASK
from workbench.demo import DemoServer
from workbench.demo.clients import (
    PRIVATE_KEY_JWT_CLIENT_ID,
    SECRET_JWT_CLIENT_ID,
    SECRET_JWT_CLIENT_SECRET,
)

SECRET_JWT = ClientConfig(SECRET_JWT_CLIENT_ID, SECRET_JWT_CLIENT_SECRET, "client_secret_jwt")


@pytest.fixture(scope="module")
def client_key() -> SigningKey:
    return generate_key("ES256")


@pytest.fixture
def key_file(client_key: SigningKey, tmp_path: Path) -> Path:
    path = tmp_path / "client.pem"
    write_key_file(client_key, path)
    return path


@pytest.fixture
def server(make_demo: Callable[..., DemoServer], client_key: SigningKey) -> DemoServer:
    return make_demo(client_jwks=client_key.jwks())


@pytest.fixture
def open_session(server: DemoServer) -> Iterator[Callable[..., OAuthSession]]:
    sessions: list[OAuthSession] = []

    def make(client: ClientConfig, scope: str = "api:read") -> OAuthSession:
        session = OAuthSession(Provider(client=client, issuer=server.issuer, scope=scope))
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


def key_client(path: Path, **changes: object) -> ClientConfig:
    client = ClientConfig(
        PRIVATE_KEY_JWT_CLIENT_ID, None, "private_key_jwt", client_key=ClientKey(path=str(path))
    )
    return replace(client, **changes)  # type: ignore[arg-type]


def sent_assertions(exchanges: list[Exchange]) -> list[Exchange]:
    return [e for e in exchanges if e.request_form and "client_assertion" in e.request_form]


def test_both_methods_authenticate_at_every_endpoint(
    open_session: Callable[..., OAuthSession], key_file: Path, server: DemoServer
) -> None:
    for client in (SECRET_JWT, key_client(key_file)):
        session = open_session(client, scope="openid offline_access")
        tokens = session.password("alice", "alice-password")
        assert tokens.access_token and tokens.refresh_token
        refreshed = session.refresh(tokens.refresh_token).tokens
        assert session.introspect(refreshed.access_token or "")["active"] is True
        session.revoke(refreshed.access_token or "", "access_token")
        assert session.introspect(refreshed.access_token or "")["active"] is False
        device = session.device_login()
        authorization = next(device)
        decide_device_code(authorization.verification_uri, authorization.user_code)
        device_tokens = None
        while device_tokens is None:
            try:
                next(device)
            except StopIteration as done:
                device_tokens = done.value
        assert device_tokens.access_token
        claims = jwt.decode(device_tokens.access_token, options={"verify_signature": False})
        assert claims["client_id"] == client.client_id
        sent = sent_assertions(session.log.items())
        # token ×3 (password, refresh, device poll…), introspection ×2, revocation, device
        purposes = {e.purpose.split(" (")[0] for e in sent}
        assert {"token", "introspection", "revocation", "device authorization"} <= purposes
        jtis = set()
        for exchange in sent:
            decoded = exchange.request_tokens["client_assertion"]
            claims = decoded["claims"]
            assert claims["iss"] == claims["sub"] == client.client_id
            assert claims["aud"] == exchange.url  # the endpoint the assertion went to
            assert claims["exp"] - claims["iat"] == ASSERTION_LIFETIME
            assert "signature" not in decoded
            jtis.add(claims["jti"])
            form = exchange.request_form or {}
            assert form["client_assertion_type"] == JWT_ASSERTION_TYPE
            assert form["client_assertion"].endswith(MASK)
            assert "${CLIENT_ASSERTION}" in exchange.curl
        assert len(jtis) == len(sent)  # a fresh jti for each request
        header = sent[0].request_tokens["client_assertion"]["header"]
        assert header["alg"] == ("HS256" if client is SECRET_JWT else "ES256")


def test_the_log_shows_the_assertion_decoded_and_no_secret(
    open_session: Callable[..., OAuthSession], key_file: Path, client_key: SigningKey
) -> None:
    secret_session = open_session(SECRET_JWT)
    secret_session.client_credentials()
    key_session = open_session(key_client(key_file))
    key_session.client_credentials()
    items = secret_session.log.items() + key_session.log.items()
    dumped = json.dumps([e.to_dict() for e in items])
    assert SECRET_JWT_CLIENT_SECRET not in dumped
    private = "".join(client_key.private_pem().splitlines()[1:-1])
    assert private[:32] not in dumped
    for exchange in sent_assertions(items):
        assert exchange.request_form is not None
        assert "client_secret" not in exchange.request_form
        assert "Authorization" not in exchange.request_headers
        shown = exchange.request_form["client_assertion"]
        assert shown.startswith("eyJ") and shown.endswith(MASK) and shown.count(".") == 0
        # read back from an export, the decoded assertion is still there
        again = Exchange.from_dict(json.loads(json.dumps(exchange.to_dict())))
        assert again.request_tokens == exchange.request_tokens


def test_the_issuer_as_audience(
    open_session: Callable[..., OAuthSession], key_file: Path, server: DemoServer
) -> None:
    session = open_session(key_client(key_file, assertion_audience="issuer"))
    session.client_credentials()
    (sent,) = sent_assertions(session.log.items())
    assert sent.request_tokens["client_assertion"]["claims"]["aud"] == server.issuer


def test_a_wrong_key_or_secret_is_refused(
    open_session: Callable[..., OAuthSession], tmp_path: Path
) -> None:
    other = tmp_path / "other.pem"
    write_key_file(generate_key("ES256"), other)
    with pytest.raises(OAuthError) as unknown:
        open_session(key_client(other)).client_credentials()
    assert unknown.value.error == "invalid_client"
    with pytest.raises(OAuthError) as wrong_secret:
        open_session(
            replace(SECRET_JWT, client_secret="not-the-demo-secret-but-32-bytes-long")
        ).client_credentials()
    assert wrong_secret.value.error == "invalid_client"
    assert "signature" in (wrong_secret.value.description or "")


def test_a_forged_signature_under_the_registered_kid_is_refused(
    open_session: Callable[..., OAuthSession], client_key: SigningKey, tmp_path: Path
) -> None:
    forger = tmp_path / "forger.pem"
    write_key_file(generate_key("ES256"), forger)
    client = key_client(forger, client_key=ClientKey(path=str(forger), kid=client_key.kid))
    with pytest.raises(OAuthError) as refused:
        open_session(client).client_credentials()
    assert refused.value.error == "invalid_client"
    assert "signature" in (refused.value.description or "")


def test_an_alg_the_server_does_not_list_is_a_config_error_before_any_token_request(
    make_demo: Callable[..., DemoServer], tmp_path: Path, client_key: SigningKey
) -> None:
    server = make_demo(client_jwks=client_key.jwks())
    path = tmp_path / "rsa.pem"
    write_key_file(generate_key("RS256"), path)
    session = OAuthSession(Provider(key_client(path, assertion_alg="RS512"), issuer=server.issuer))
    try:
        with pytest.raises(ConfigError, match=r"RS512: its token_endpoint_auth_signing_alg"):
            session.client_credentials("api:read")
        assert not sent_assertions(session.log.items())
        assert next(e.purpose for e in session.log.items()).startswith("discovery")
    finally:
        session.close()


def test_key_problems_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        authenticate(key_client(tmp_path / "missing.pem"), {}, "https://as.example/token")
    with pytest.raises(ConfigError, match="needs the client's private key"):
        authenticate(ClientConfig("c", None, "private_key_jwt"), {}, "https://as.example/token")
    with pytest.raises(ConfigError, match="not RS256"):
        authenticate(replace(SECRET_JWT, assertion_alg="RS256"), {}, "https://as.example/token")
    with pytest.raises(ConfigError, match="no issuer is known"):
        authenticate(
            replace(SECRET_JWT, assertion_audience="issuer"), {}, "https://as.example/token"
        )


def test_a_profile_keeps_the_key_in_the_keyring(
    open_session: Callable[..., OAuthSession], client_key: SigningKey
) -> None:
    store = SecretStore()
    profile = Profile(
        name="jwt",
        issuer="https://as.example",
        client_id=PRIVATE_KEY_JWT_CLIENT_ID,
        auth_method="private_key_jwt",
        client_key_in_keyring=True,
    )
    missing = profile.to_provider(store).client
    with pytest.raises(ConfigError, match="keyring holds none"):
        missing.key()
    store.set("jwt", client_key.private_pem(), CLIENT_KEY_SECRET)
    client = profile.to_provider(store).client
    assert "PRIVATE" not in repr(client) and "keyring" in repr(client)
    assert client.key().kid == client_key.kid
    tokens = open_session(client).client_credentials()
    assert tokens.access_token


def test_assertions_expire_after_a_minute() -> None:
    before = int(time.time())
    auth = authenticate(SECRET_JWT, {"grant_type": "x"}, "https://as.example/token")
    claims = jwt.decode(
        auth.form["client_assertion"],
        SECRET_JWT_CLIENT_SECRET,
        algorithms=["HS256"],
        audience="https://as.example/token",
    )
    assert before <= claims["iat"] <= before + 2
    assert claims["exp"] == claims["iat"] + 60
    assert auth.form["client_id"] == SECRET_JWT_CLIENT_ID and auth.basic_auth is None
