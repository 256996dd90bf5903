"""Discovery (RFC 8414, OpenID Connect Discovery 1.0) and the JWK Set."""

from __future__ import annotations

from typing import Any

import requests
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oauth2.rfc9207 import AuthorizationServerMetadata as IssMetadata
from authlib.oidc.discovery import OpenIDProviderMetadata

from workbench.demo import SCOPES, DemoServer


def test_both_well_known_urls_serve_the_same_document(demo_server: DemoServer) -> None:
    oidc = requests.get(demo_server.url("openid_configuration"), timeout=5)
    oauth = requests.get(demo_server.url("oauth_authorization_server"), timeout=5)
    assert oidc.status_code == oauth.status_code == 200
    assert oidc.headers["Content-Type"].startswith("application/json")
    assert oidc.json() == oauth.json()
    assert oidc.url.endswith("/.well-known/openid-configuration")
    assert oauth.url.endswith("/.well-known/oauth-authorization-server")


def test_metadata_content(demo_server: DemoServer, metadata: dict[str, Any]) -> None:
    issuer = demo_server.issuer
    assert metadata["issuer"] == issuer
    assert issuer.startswith("http://127.0.0.1:")
    for name in (
        "authorization_endpoint",
        "token_endpoint",
        "device_authorization_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
    ):
        assert metadata[name].startswith(issuer + "/"), name
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert set(metadata["grant_types_supported"]) == {
        "authorization_code",
        "implicit",
        "password",
        "client_credentials",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:token-exchange",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:openid:params:grant-type:ciba",
    }
    assert {"code", "token", "id_token token"} <= set(metadata["response_types_supported"])
    assert {
        "client_secret_basic",
        "client_secret_post",
        "client_secret_jwt",
        "private_key_jwt",
        "none",
    } == set(metadata["token_endpoint_auth_methods_supported"])
    assert metadata["token_endpoint_auth_signing_alg_values_supported"] == [
        "RS256",
        "PS256",
        "ES256",
        "EdDSA",
        "HS256",
        "HS384",
        "HS512",
    ]
    assert metadata["scopes_supported"] == list(SCOPES)
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert metadata["subject_types_supported"] == ["public"]
    assert {"sub", "iss", "auth_time", "nonce", "email", "name"} <= set(
        metadata["claims_supported"]
    )


def test_metadata_passes_authlib_validation(metadata: dict[str, Any]) -> None:
    AuthorizationServerMetadata(metadata).validate(metadata_classes=[IssMetadata])
    OpenIDProviderMetadata(metadata).validate()


def test_jwks_publishes_the_public_signing_key(metadata: dict[str, Any]) -> None:
    jwks = requests.get(metadata["jwks_uri"], timeout=5).json()
    [key] = jwks["keys"]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert key["kid"]
    assert "d" not in key and "p" not in key  # no private parts
    assert len(key["n"]) >= 342  # 2048-bit modulus, base64url


def test_each_server_has_its_own_key(make_demo_server: Any) -> None:
    first, second = make_demo_server(), make_demo_server()
    assert first.issuer != second.issuer
    assert first.authority.kid != second.authority.kid
