"""Dynamic client registration (RFC 7591) and its management (RFC 7592): the core against the
demo server's Authlib endpoints. A registered client is used at once (client credentials, the
code flow with PKCE on a loopback port), read, deleted, and its secrets stay out of the log."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from joserfc.jwk import ECKey

from tests.demo_driver import sign_in_and_decide
from workbench.core.errors import ConfigError, OAuthError, TransportError
from workbench.core.model import Provider
from workbench.core.oauth.discovery import ServerMetadata, discover
from workbench.core.oauth.rfc7591_register import (
    ClientMetadata,
    Registration,
    delete_registration,
    load_public_jwks,
    read_registration,
    register,
    registration_endpoint,
    registration_of,
)
from workbench.core.session import OAuthSession, PendingAuthorization
from workbench.core.transport.http import HttpClient
from workbench.demo import DemoServer
from workbench.demo.clients import demo_provider

CI_CLIENT = ClientMetadata(
    grant_types=("client_credentials",), client_name="CI job", scope="api:read"
)


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient()
    yield client
    client.close()


@pytest.fixture
def endpoint(http: HttpClient, demo: DemoServer) -> str:
    return registration_endpoint(discover(http, demo.issuer))


@pytest.fixture
def open_session() -> Iterator[Callable[..., OAuthSession]]:
    sessions: list[OAuthSession] = []

    def make(provider: Provider) -> OAuthSession:
        session = OAuthSession(provider)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


def everything_logged(http: HttpClient) -> str:
    """Every recorded exchange as text: what the log dock, Export and --log could show."""
    parts: list[str] = []
    for ex in http.log.items():
        parts += [ex.url, ex.curl, ex.request_body, ex.response_body, ex.error or ""]
        parts += [json.dumps(dict(ex.request_headers)), json.dumps(dict(ex.response_headers))]
        parts.append(json.dumps(dict(ex.request_form or {})))
    return "\n".join(parts)


def test_discovery_advertises_the_registration_endpoint(
    http: HttpClient, demo: DemoServer, endpoint: str
) -> None:
    assert endpoint == demo.issuer + "/register"


def test_a_server_without_registration_is_refused_before_any_request() -> None:
    meta = ServerMetadata.from_document(
        {"issuer": "https://idp.example", "token_endpoint": "https://idp.example/token"}
    )
    with pytest.raises(ConfigError, match="advertises no registration_endpoint"):
        registration_endpoint(meta)


def test_register_use_read_and_delete_a_confidential_client(
    http: HttpClient,
    demo: DemoServer,
    endpoint: str,
    open_session: Callable[..., OAuthSession],
) -> None:
    registration = register(http, endpoint, CI_CLIENT)
    assert registration.client_id and registration.client_secret
    assert registration.client_secret_expires_at == 0  # never expires
    assert registration.metadata["client_name"] == "CI job"
    assert registration.metadata["token_endpoint_auth_method"] == "client_secret_basic"
    assert registration.manageable
    assert registration.registration_client_uri == f"{endpoint}/{registration.client_id}"

    # usable at once
    provider = Provider(client=registration.client_config(), issuer=demo.issuer, scope="api:read")
    session = open_session(provider)
    tokens = session.client_credentials()
    claims = session.inspect(tokens.access_token or "").decoded.claims
    assert claims["client_id"] == registration.client_id and tokens.scope == "api:read"

    uri, token = registration.registration_client_uri, registration.registration_access_token
    assert uri and token
    read = read_registration(http, uri, token)
    assert read.client_id == registration.client_id
    assert read.client_secret == registration.client_secret
    assert read.metadata["grant_types"] == ["client_credentials"]

    delete_registration(http, uri, token)
    with pytest.raises(OAuthError) as refused:
        session.client_credentials()
    assert refused.value.error == "invalid_client"
    with pytest.raises(OAuthError) as gone:
        read_registration(http, uri, token)
    assert gone.value.error == "invalid_token" and gone.value.status == 401
    # the tokens issued to the deleted client died with it (asked by the demo's own client)
    resource_server = open_session(demo_provider(demo.issuer))
    assert resource_server.introspect(tokens.access_token or "")["active"] is False


def test_a_registered_public_client_runs_the_code_flow_on_any_loopback_port(
    http: HttpClient,
    demo: DemoServer,
    endpoint: str,
    open_session: Callable[..., OAuthSession],
) -> None:
    registration = register(
        http,
        endpoint,
        ClientMetadata(
            redirect_uris=("http://127.0.0.1/callback",),
            grant_types=("authorization_code", "refresh_token"),
            token_endpoint_auth_method="none",
            client_name="Native app",
            scope="openid profile offline_access",
        ),
    )
    assert registration.client_secret is None  # a public client gets none
    assert registration.metadata["response_types"] == ["code"]
    provider = Provider(
        client=registration.client_config(), issuer=demo.issuer, scope="openid profile"
    )
    session = open_session(provider)
    pending = session.begin_authorization()
    assert ":" in pending.request.redirect_uri.removeprefix("http://127.0.0.1")  # a port

    def browser(pending: PendingAuthorization) -> None:
        requests.get(sign_in_and_decide(pending.url), timeout=5).raise_for_status()

    worker = threading.Thread(target=browser, args=(pending,))
    worker.start()
    tokens = session.finish_authorization(pending, timeout=10)
    worker.join()
    assert tokens.access_token and tokens.id_token and tokens.refresh_token
    claims = session.inspect(tokens.id_token or "", kind="id").decoded.claims
    assert claims["aud"] == registration.client_id


@pytest.mark.parametrize(
    ("metadata", "error", "words"),
    [
        (
            ClientMetadata(redirect_uris=("http://evil.example/callback",)),
            "invalid_redirect_uri",
            "loopback host only",
        ),
        (
            ClientMetadata(redirect_uris=("https://app.example/cb#frag",)),
            "invalid_redirect_uri",
            "fragment",
        ),
        (
            ClientMetadata(grant_types=("authorization_code",)),
            "invalid_redirect_uri",
            "must register its redirect URIs",
        ),
        (
            ClientMetadata(grant_types=("client_credentials",), scope="admin:everything"),
            "invalid_client_metadata",
            "scope",
        ),
        (
            ClientMetadata(grant_types=("urn:example:unknown-grant",)),
            "invalid_client_metadata",
            "grant_types",
        ),
    ],
)
def test_refusals_come_with_the_servers_words_and_ours(
    http: HttpClient, endpoint: str, metadata: ClientMetadata, error: str, words: str
) -> None:
    with pytest.raises(OAuthError) as refused:
        register(http, endpoint, metadata)
    assert refused.value.error == error and refused.value.status == 400
    assert words in (refused.value.description or "")
    assert refused.value.advice  # what the code means, in our words


def test_the_initial_access_token_is_required_when_the_server_sets_one(
    http: HttpClient, make_demo: Callable[..., DemoServer]
) -> None:
    server = make_demo(initial_access_token="demo-initial-token-7f3a")
    endpoint = registration_endpoint(discover(http, server.issuer))
    with pytest.raises(OAuthError) as refused:
        register(http, endpoint, CI_CLIENT)
    assert refused.value.error == "invalid_token" and refused.value.status == 401
    with pytest.raises(OAuthError):
        register(http, endpoint, CI_CLIENT, "a-wrong-initial-token")
    registration = register(http, endpoint, CI_CLIENT, "demo-initial-token-7f3a")
    assert registration.client_secret


def test_no_secret_of_the_registration_reaches_the_log(
    http: HttpClient, make_demo: Callable[..., DemoServer]
) -> None:
    initial = "demo-initial-token-9b2c"
    server = make_demo(initial_access_token=initial)
    endpoint = registration_endpoint(discover(http, server.issuer))
    registration = register(http, endpoint, CI_CLIENT, initial)
    uri, token = registration.registration_client_uri, registration.registration_access_token
    assert uri and token and registration.client_secret
    read_registration(http, uri, token)
    delete_registration(http, uri, token)
    logged = everything_logged(http)
    assert [ex.status for ex in http.log.items()][-3:] == [201, 200, 204]
    for secret in (initial, registration.client_secret, token):
        assert secret not in logged
    for shown in (json.dumps(registration.shown()), repr(registration)):
        assert registration.client_secret not in shown and token not in shown
        assert registration.client_id in shown


def test_updating_is_not_offered_by_the_demo(http: HttpClient, endpoint: str) -> None:
    registration = register(http, endpoint, CI_CLIENT)
    answer = requests.put(
        registration.registration_client_uri or "",
        json={"client_id": registration.client_id},
        headers={"Authorization": f"Bearer {registration.registration_access_token}"},
        timeout=5,
    )
    assert answer.status_code == 405 and answer.headers["Allow"] == "GET, DELETE"


# -- the client's public keys -----------------------------------------------------------------
def _jwks(tmp_path: Path, private: bool) -> Path:
    key = ECKey.generate_key("P-256", {"use": "sig", "alg": "ES256"}, auto_kid=True)
    path = tmp_path / "client.jwks.json"
    path.write_text(json.dumps({"keys": [key.as_dict(private=private)]}))
    return path


def test_a_public_jwks_is_sent_and_registered(
    http: HttpClient, endpoint: str, tmp_path: Path
) -> None:
    jwks = load_public_jwks(_jwks(tmp_path, private=False))
    registration = register(
        http, endpoint, ClientMetadata(grant_types=("client_credentials",), jwks=jwks)
    )
    assert registration.metadata["jwks"] == jwks


def test_a_jwks_with_a_private_key_is_never_sent(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"private members \(d\)"):
        load_public_jwks(_jwks(tmp_path, private=True))


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "does not exist"),
        ("{not json", "is not JSON"),
        ('{"keys": []}', "non-empty"),
        ('{"keys": [{"x": "1"}]}', 'no "kty"'),
        ('{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}', "private members (k)"),
    ],
)
def test_a_bad_jwks_file_is_a_clear_error(tmp_path: Path, content: str | None, words: str) -> None:
    path = tmp_path / "keys.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError) as bad:
        load_public_jwks(path)
    assert words in str(bad.value)


def test_jwks_and_jwks_uri_together_are_refused() -> None:
    both = ClientMetadata(jwks={"keys": [{"kty": "EC"}]}, jwks_uri="https://app.example/jwks")
    with pytest.raises(ConfigError, match="not both"):
        both.to_json()


# -- reading an answer ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ({"client_secret": "s"}, "no client_id"),
        ({"client_id": "c", "client_secret": "s"}, "client_secret_expires_at"),
        ({"client_id": "c", "client_id_issued_at": "yesterday"}, "not a number"),
        ({"client_id": "c", "registration_access_token": 42}, "not a string"),
    ],
)
def test_a_malformed_answer_is_named(answer: dict[str, Any], words: str) -> None:
    with pytest.raises(TransportError) as bad:
        registration_of(answer)
    assert words in str(bad.value)


def test_the_answer_keeps_what_the_server_registered() -> None:
    registration = registration_of(
        {
            "client_id": "c1",
            "client_secret": "s3cret-value",
            "client_secret_expires_at": 1_900_000_000,
            "token_endpoint_auth_method": "client_secret_post",
            "redirect_uris": ["http://127.0.0.1/cb"],
        }
    )
    assert isinstance(registration, Registration)
    assert registration.client_config().auth_method == "client_secret_post"
    assert registration.metadata["redirect_uris"] == ["http://127.0.0.1/cb"]
    assert not registration.manageable  # no RFC 7592 values given
