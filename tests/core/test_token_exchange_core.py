"""The core of token exchange (RFC 8693) and the JWT bearer grant (RFC 7523 §2.1): type names,
the request's rules, the response's ``issued_token_type``, the ``act`` chain in words, and a
signed assertion verified independently (PyJWT with the public key)."""

from __future__ import annotations

import json
import time

import jwt
import pytest

from workbench.core.errors import ConfigError, TransportError
from workbench.core.keys import generate_key
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.rfc7523_bearer import (
    GRANT_TYPE as JWT_BEARER,
)
from workbench.core.oauth.rfc7523_bearer import (
    build_jwt_bearer_request,
    sign_assertion,
)
from workbench.core.oauth.rfc8693_exchange import (
    GRANT_TYPE,
    TokenExchange,
    build_token_exchange_request,
    delegation_chain,
    describe_delegation,
    parse_token_exchange_response,
    short_token_type,
    token_type_urn,
)
from workbench.core.transport.exchange import HttpResponse

TYPE = "urn:ietf:params:oauth:token-type:"
CLIENT = ClientConfig("app", "secret")


def _response(body: dict[str, object], status: int = 200) -> HttpResponse:
    return HttpResponse(
        status=status,
        reason="OK",
        headers={"Content-Type": "application/json"},
        body=json.dumps(body).encode(),
    )


@pytest.mark.parametrize("name", ["access_token", "refresh_token", "id_token", "jwt", "saml2"])
def test_short_type_names_expand_and_shrink_back(name: str) -> None:
    assert token_type_urn(name) == TYPE + name
    assert short_token_type(TYPE + name) == name
    assert token_type_urn("urn:example:custom") == "urn:example:custom"


def test_an_unknown_type_name_says_what_is_known() -> None:
    with pytest.raises(ConfigError, match="Unknown token type 'bearer': use access_token"):
        token_type_urn("bearer")


def test_the_request_carries_what_rfc_8693_names_and_nothing_empty() -> None:
    exchange = TokenExchange(
        subject_token="subject.jwt.x",
        subject_token_type=TYPE + "access_token",
        actor_token="actor.jwt.y",
        actor_token_type=TYPE + "jwt",
        audience="https://api.example",
    )
    request = build_token_exchange_request("https://as.example/token", CLIENT, exchange, {"x": ""})
    assert request.form == {
        "grant_type": GRANT_TYPE,
        "subject_token": "subject.jwt.x",
        "subject_token_type": TYPE + "access_token",
        "actor_token": "actor.jwt.y",
        "actor_token_type": TYPE + "jwt",
        "audience": "https://api.example",
    }
    assert request.purpose == "token (token exchange, delegation)"
    assert "subject.jwt.x" not in repr(exchange)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"actor_token": "a"}, "actor_token_type is required"),
        ({"actor_token_type": TYPE + "jwt"}, "forbids sending it"),
        ({"subject_token": ""}, "needs a subject token"),
    ],
)
def test_the_request_rules_of_section_2_1(fields: dict[str, str], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        TokenExchange(**{"subject_token": "s", "subject_token_type": TYPE + "jwt", **fields})


def test_the_response_must_say_what_it_issued() -> None:
    tokens = parse_token_exchange_response(
        _response(
            {"access_token": "x", "token_type": "N_A", "issued_token_type": TYPE + "id_token"}
        )
    )
    assert tokens.issued_token_type == TYPE + "id_token"
    with pytest.raises(TransportError, match="no issued_token_type"):
        parse_token_exchange_response(_response({"access_token": "x", "token_type": "Bearer"}))


def test_the_act_chain_reads_outermost_first_in_words() -> None:
    claims = {
        "sub": "alice",
        "act": {"sub": "api-gateway", "act": {"sub": "frontend", "client_id": "web"}},
        "may_act": {"sub": "bob"},
    }
    chain = delegation_chain(claims)
    assert [a.sub for a in chain] == ["api-gateway", "frontend"]
    assert describe_delegation(claims) == [
        "subject alice: the token is about them",
        "actor 1: api-gateway — acting now",
        "actor 2: frontend (client web) — acted before (1st earlier)",
        "may_act: bob may act on the subject's behalf",
    ]
    assert describe_delegation({"sub": "alice"}) == []


def test_a_hostile_chain_is_bounded() -> None:
    act: dict[str, object] = {"sub": "x"}
    for _ in range(100):
        act = {"sub": "x", "act": act}
    lines = describe_delegation({"sub": "alice", "act": act})
    assert len(delegation_chain({"act": act})) == 16
    assert lines[-1].startswith("(the chain goes deeper than 16 actors")


def test_a_signed_assertion_verifies_with_the_public_key() -> None:
    key = generate_key("RS256")
    assertion = sign_assertion(
        key, issuer="app", subject="alice", audience="https://as.example/token"
    )
    public = jwt.PyJWK.from_dict(key.public_jwk())
    claims = jwt.decode(
        assertion, public.key, algorithms=["RS256"], audience="https://as.example/token"
    )
    assert claims["iss"] == "app" and claims["sub"] == "alice"
    assert claims["exp"] - claims["iat"] == 300 and claims["iat"] <= time.time()
    assert jwt.get_unverified_header(assertion)["kid"] == key.kid
    other = sign_assertion(key, issuer="app", subject="alice", audience="a")
    assert jwt.decode(other, options={"verify_signature": False})["jti"] != claims["jti"]
    request = build_jwt_bearer_request("https://as.example/token", CLIENT, assertion, "api:read")
    assert request.form is not None
    assert request.form["grant_type"] == JWT_BEARER and request.form["assertion"] == assertion
    with pytest.raises(ConfigError, match="needs its subject"):
        sign_assertion(key, issuer="app", subject="", audience="a")


def test_a_grant_the_server_does_not_list_is_noted_not_refused() -> None:
    from workbench.core.oauth.grants import unadvertised

    assert unadvertised(GRANT_TYPE, ()) is None  # nothing listed: nothing to say
    assert unadvertised(GRANT_TYPE, ("client_credentials", GRANT_TYPE)) is None
    note = unadvertised(GRANT_TYPE, ("client_credentials",))
    assert note is not None and "does not list" in note and "unsupported_grant_type" in note
