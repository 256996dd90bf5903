"""Dynamic client registration against the independent provider (npm ``oidc-provider`` with
``features.registration`` and ``features.registrationManagement``, tests/interop/provider.mjs):
register, get a token with the new client, read and delete it through RFC 7592, a refusal;
and the CLI's ``register --save`` followed by a token run with that profile."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.oidc_provider_peer import API_AUDIENCE, IndependentProvider
from workbench.cli import main
from workbench.core.errors import OAuthError
from workbench.core.model import Provider
from workbench.core.oauth.discovery import discover
from workbench.core.oauth.rfc7591_register import (
    ClientMetadata,
    delete_registration,
    read_registration,
    register,
    registration_endpoint,
)
from workbench.core.session import OAuthSession
from workbench.core.transport.http import HttpClient

CI_CLIENT = ClientMetadata(
    grant_types=("client_credentials",), client_name="Workbench interop", scope="api:read"
)


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient()
    yield client
    client.close()


@pytest.fixture
def endpoint(http: HttpClient, independent_provider: IndependentProvider) -> str:
    return registration_endpoint(discover(http, independent_provider.issuer))


def test_register_get_a_token_read_and_delete(
    http: HttpClient, endpoint: str, independent_provider: IndependentProvider
) -> None:
    assert endpoint == independent_provider.issuer + "/reg"
    registration = register(http, endpoint, CI_CLIENT)
    assert registration.client_secret and registration.client_secret_expires_at == 0
    assert registration.metadata["client_name"] == "Workbench interop"
    uri, token = registration.registration_client_uri, registration.registration_access_token
    assert uri and token and uri.startswith(endpoint + "/")

    provider = Provider(
        client=registration.client_config(),
        issuer=independent_provider.issuer,
        scope="api:read",
    )
    session = OAuthSession(provider)
    try:
        tokens = session.client_credentials(extra={"resource": API_AUDIENCE})
        inspection = session.inspect(tokens.access_token or "")
        found = {f.check: f.outcome.value for f in inspection.findings}
        assert found["signature"] == "pass"  # against the provider's JWKS
        assert inspection.decoded.claims["client_id"] == registration.client_id

        read = read_registration(http, uri, token)
        assert read.client_id == registration.client_id
        assert read.metadata["grant_types"] == ["client_credentials"]

        delete_registration(http, uri, token)
        with pytest.raises(OAuthError) as refused:
            session.client_credentials()
        assert refused.value.error == "invalid_client"
        with pytest.raises(OAuthError) as gone:
            read_registration(http, uri, token)
        assert gone.value.error == "invalid_token"
    finally:
        session.close()
    logged = "\n".join(
        f"{ex.curl}\n{ex.request_body}\n{ex.response_body}\n{json.dumps(dict(ex.request_headers))}"
        for ex in http.log.items()
    )
    assert registration.client_secret not in logged and token not in logged


def test_a_redirect_uri_with_a_fragment_is_refused(http: HttpClient, endpoint: str) -> None:
    metadata = ClientMetadata(
        redirect_uris=("https://app.example/cb#fragment",), grant_types=("authorization_code",)
    )
    with pytest.raises(OAuthError) as refused:
        register(http, endpoint, metadata)
    assert refused.value.error == "invalid_redirect_uri" and refused.value.status == 400
    assert refused.value.advice


def test_cli_register_save_then_token_with_the_profile(
    independent_provider: IndependentProvider, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "register",
        "--issuer",
        independent_provider.issuer,
        "--grant-type",
        "client_credentials",
        "--scope",
        "api:read",
        "--save",
        "interop-registered",
        "--json",
    ]
    assert main(argv) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["client_secret"] == "••••••"
    token = ["token", "--grant", "client_credentials", "--profile", "interop-registered"]
    assert main([*token, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scope"] == "api:read"
    assert main(["register", "--delete", "--profile", "interop-registered"]) == 0
    assert main(token) == 1
    assert "invalid_client" in capsys.readouterr().err
