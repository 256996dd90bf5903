"""Signed request objects (RFC 9101) against the demo server: the core signs the parameters
with the client's key, alone or inside a pushed request; the demo server verifies them with
the client's registered JWKS and refuses a bad signature."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from tests.demo_driver import DemoDriverError, sign_in_and_decide
from workbench.core.errors import ConfigError
from workbench.core.keys import SigningKey, generate_key
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.front_channel import AuthorizeOptions
from workbench.core.session import OAuthSession
from workbench.core.tokens.decode import decode_jwt
from workbench.demo import DemoServer
from workbench.demo.clients import PRIVATE_KEY_JWT_CLIENT_ID


@pytest.fixture
def key() -> SigningKey:
    return generate_key("ES256")


@pytest.fixture
def session(make_demo, key: SigningKey) -> Iterator[OAuthSession]:  # type: ignore[no-untyped-def]
    server: DemoServer = make_demo(client_jwks=key.jwks())
    client = ClientConfig(PRIVATE_KEY_JWT_CLIENT_ID, auth_method="private_key_jwt", signing_key=key)
    s = OAuthSession(Provider(client=client, issuer=server.issuer, scope="openid profile"))
    yield s
    s.close()


def _finish(session: OAuthSession, options: AuthorizeOptions) -> tuple[str, dict[str, str]]:
    pending = session.begin_authorization(options=options)
    try:
        sent = dict(parse_qsl(urlsplit(pending.url).query))
        requests.get(sign_in_and_decide(pending.url), timeout=10)
        tokens = session.finish_authorization(pending, timeout=10)
    finally:
        pending.close()
    assert tokens.access_token and tokens.id_token
    return pending.request.request_object or "", sent


def test_request_object_alone_in_the_url(session: OAuthSession, key: SigningKey) -> None:
    signed, sent = _finish(session, AuthorizeOptions(request_object_key=key))
    assert set(sent) == {"client_id", "response_type", "scope", "request"}
    decoded = decode_jwt(signed)
    assert decoded.header["typ"] == "oauth-authz-req+jwt" and decoded.header["alg"] == "ES256"
    claims = decoded.claims
    assert claims["iss"] == PRIVATE_KEY_JWT_CLIENT_ID == claims["client_id"]
    assert claims["aud"] == session.metadata().issuer
    assert claims["code_challenge_method"] == "S256" and claims["exp"] > claims["iat"]


def test_request_object_inside_a_pushed_request(session: OAuthSession, key: SigningKey) -> None:
    _, sent = _finish(session, AuthorizeOptions(par=True, request_object_key=key))
    assert set(sent) == {"client_id", "request_uri"}
    push = next(e for e in session.log.items() if e.purpose == "pushed authorization request")
    assert set(push.request_form or {}) >= {"request", "client_assertion"}
    # Shown decoded in the log (header and claims, never the signature).
    assert push.request_tokens["request"]["claims"]["aud"] == session.metadata().issuer


@pytest.mark.parametrize("par", [False, True])
def test_a_request_object_signed_by_another_key_is_refused(
    session: OAuthSession, key: SigningKey, par: bool
) -> None:
    stranger = generate_key("ES256", kid=key.kid)  # same kid, other key: a bad signature
    if par:
        with pytest.raises(Exception, match="invalid_request_object"):
            session.begin_authorization(
                options=AuthorizeOptions(par=True, request_object_key=stranger)
            )
        return
    pending = session.begin_authorization(options=AuthorizeOptions(request_object_key=stranger))
    try:
        with pytest.raises(DemoDriverError, match="invalid_request_object"):
            sign_in_and_decide(pending.url)
    finally:
        pending.close()


def test_an_algorithm_the_server_does_not_list_is_a_preflight_error(
    session: OAuthSession,
) -> None:
    rsa = generate_key("RS256").with_alg("RS384")
    with pytest.raises(ConfigError, match="does not take"):
        session.begin_authorization(options=AuthorizeOptions(request_object_key=rsa))


def test_a_server_without_request_object_metadata_is_a_preflight_error(
    session: OAuthSession, key: SigningKey
) -> None:
    issuer = session.metadata().issuer
    hand = Provider(
        client=session.client,
        issuer=issuer,
        discover=False,  # endpoints by hand: no metadata says request objects are taken
        endpoints={
            "authorization_endpoint": issuer + "/authorize",
            "token_endpoint": issuer + "/token",
        },
    )
    other = OAuthSession(hand)
    try:
        with pytest.raises(ConfigError, match="advertises no request_object_signing_alg"):
            other.begin_authorization(options=AuthorizeOptions(request_object_key=key))
    finally:
        other.close()
