"""The client-authentication registry: one class per method, given the endpoint URL."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping

import pytest

from workbench.core.errors import ConfigError
from workbench.core.hints import Setting
from workbench.core.oauth.client_auth import (
    AUTH_METHODS,
    CLIENT_AUTH_METHODS,
    ClientAuthentication,
    ClientAuthMethod,
    ClientConfig,
    authenticate,
    client_auth_method,
    describe_client_auth,
    register_client_auth,
)
from workbench.core.oauth.rfc6749_grants import build_client_credentials_request
from workbench.core.oauth.rfc7009_revoke import build_revocation_request
from workbench.core.oauth.rfc8628_device import build_device_authorization_request

TOKEN_URL = "https://as.example/token"


def test_every_registered_method_has_a_name_and_a_description() -> None:
    assert AUTH_METHODS == (
        "client_secret_basic",
        "client_secret_post",
        "client_secret_jwt",
        "private_key_jwt",
        "none",
    )
    for name, method in CLIENT_AUTH_METHODS.items():
        assert method.name == name
        assert method.description and describe_client_auth(name) == method.description
    assert not client_auth_method("none").needs_secret
    assert client_auth_method("client_secret_post").needs_secret


def test_the_three_methods_send_what_rfc_6749_says() -> None:
    basic = authenticate(ClientConfig("c id", "s:cret"), {"a": "1"}, TOKEN_URL)
    assert basic == ClientAuthentication({"a": "1"}, basic_auth=("c id", "s:cret"))
    post = authenticate(ClientConfig("cid", "sec", "client_secret_post"), {"a": "1"}, TOKEN_URL)
    assert post.form == {"a": "1", "client_id": "cid", "client_secret": "sec"}
    assert post.basic_auth is None
    public = authenticate(ClientConfig("cid"), {"a": "1"}, TOKEN_URL)
    assert public.form == {"a": "1", "client_id": "cid"} and public.basic_auth is None
    request = build_client_credentials_request(TOKEN_URL, ClientConfig("c id", "s:cret"), "x")
    header = request.all_headers()["Authorization"]
    assert base64.b64decode(header.removeprefix("Basic ")) == b"c%20id:s%3Acret"


def test_a_method_without_its_secret_or_an_unknown_method_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="client_secret_post needs a client secret"):
        authenticate(ClientConfig("cid", None, "client_secret_post"), {}, TOKEN_URL)
    with pytest.raises(ConfigError, match="No client id") as missing:
        authenticate(ClientConfig("", "sec"), {}, TOKEN_URL)
    assert missing.value.fix == (Setting.CLIENT_ID,) and "--" not in str(missing.value)
    with pytest.raises(ConfigError, match=r"Unknown client authentication method 'mtls'.*none"):
        authenticate(ClientConfig("cid", "sec", "mtls"), {}, TOKEN_URL)
    # A face describing a method it does not know says so in words (no KeyError).
    assert "does not know" in describe_client_auth("mtls")


class _AudienceAssertion(ClientAuthMethod):
    """Stands in for private_key_jwt (RFC 7523 §3): its assertion names the endpoint."""

    name = "test_assertion"
    description = "a test assertion naming the endpoint"
    needs_secret = False

    def apply(
        self, client: ClientConfig, form: Mapping[str, str], endpoint: str
    ) -> ClientAuthentication:
        return ClientAuthentication(
            {**form, "client_id": client.client_id, "client_assertion": f"aud={endpoint}"},
            headers={"X-Assertion-For": endpoint},
        )


@pytest.fixture
def assertion_method() -> Iterator[str]:
    register_client_auth(_AudienceAssertion())
    try:
        yield _AudienceAssertion.name
    finally:
        del CLIENT_AUTH_METHODS[_AudienceAssertion.name]


def test_a_registered_method_is_given_each_endpoint_it_authenticates_to(
    assertion_method: str,
) -> None:
    client = ClientConfig("cid", None, assertion_method)
    requests = [
        build_client_credentials_request(TOKEN_URL, client, "api"),
        build_revocation_request("https://as.example/revoke", client, "tok"),
        build_device_authorization_request("https://as.example/device", client, "openid"),
    ]
    for request in requests:
        assert request.form is not None
        assert request.form["client_assertion"] == f"aud={request.url}"
        assert request.headers == {"X-Assertion-For": request.url}
    assert describe_client_auth(assertion_method) == "a test assertion naming the endpoint"
    with pytest.raises(ValueError, match="taken"):
        register_client_auth(_AudienceAssertion())
