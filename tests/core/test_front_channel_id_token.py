"""An ID token from the authorization endpoint is validated before anything is used.

RFC 9207 §2.4 lets a response that carries an ID token omit ``iss``; OIDC Core §3.2.2.11 and
§3.3.2.12 then require the ID token's signature, ``iss``, ``aud``, ``nonce`` and (beside an
access token or a code) ``at_hash`` / ``c_hash`` to be checked. The provider here is a real
HTTP server on 127.0.0.1 (tests/peers.py) serving a discovery document and a JWKS; the
redirect's parameters are crafted, as a hostile or broken provider (or an attacker in the
browser) would send them — no real provider signs a wrong token on request, which is the gap
the crafted responses fill. The happy path against an independent provider is in
tests/interop/.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.peers import CannedServer, canned_server, serve_oidc_configuration
from workbench.core.errors import ConfigError, FlowError
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.rfc6749_code import build_authorization_request
from workbench.core.oauth.rfc6749_implicit import (
    choose_implicit_response_type,
    front_channel_id_token_problems,
    same_response_type,
)
from workbench.core.session import OAuthSession, PendingAuthorization
from workbench.core.tokens.checks import inspect_token
from workbench.core.tokens.signature import c_hash

CLIENT_ID = "native-app"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ACCESS_TOKEN = "opaque-access-token-0123456789"


def _left_hash(value: str) -> str:
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def _jwks() -> dict[str, Any]:
    jwk = RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True)
    return {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}


@pytest.fixture
def idp() -> Iterator[CannedServer]:
    """Discovery (RFC 9207 advertised, no ``token`` response type) and JWKS on a real socket."""
    with canned_server() as server:
        serve_oidc_configuration(server, authorization_response_iss_parameter_supported=True)
        server.json("/jwks", _jwks())
        yield server


@pytest.fixture
def session(idp: CannedServer) -> Iterator[OAuthSession]:
    provider = Provider(client=ClientConfig(CLIENT_ID, None, "none"), issuer=idp.url)
    session = OAuthSession(provider)
    yield session
    session.close()


@pytest.fixture
def pending(session: OAuthSession) -> Iterator[PendingAuthorization]:
    pending = session.begin_authorization(response_type="id_token token")
    yield pending
    pending.close()


def id_token(
    idp: CannedServer, pending: PendingAuthorization, *, key: Any = KEY, **changes: Any
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": idp.url,
        "sub": "alice",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": pending.request.nonce,
        "at_hash": _left_hash(ACCESS_TOKEN),
    }
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


def fragment(pending: PendingAuthorization, token: str, **extra: str) -> dict[str, str]:
    """What the listener's page posts back: no ``iss``, as oidc-provider sends it."""
    return {
        "access_token": ACCESS_TOKEN,
        "token_type": "Bearer",
        "expires_in": "3600",
        "id_token": token,
        "state": pending.request.state,
        **extra,
    }


def refused(session: OAuthSession, pending: PendingAuthorization, params: dict[str, str]) -> str:
    with pytest.raises(FlowError) as info:
        session.complete_authorization(pending, params)
    assert info.value.kind == "id_token_invalid"
    return str(info.value)


# -- RFC 9207: iss may be missing beside an ID token, which is then validated ----------------
def test_missing_iss_is_accepted_when_the_id_token_passes(
    session: OAuthSession, pending: PendingAuthorization, idp: CannedServer
) -> None:
    token = id_token(idp, pending)
    tokens = session.complete_authorization(pending, fragment(pending, token))
    assert tokens.id_token == token and tokens.access_token == ACCESS_TOKEN
    assert ("GET", "/jwks", b"") in idp.requests  # the signature was checked with its keys


def test_a_present_iss_must_still_match(
    session: OAuthSession, pending: PendingAuthorization, idp: CannedServer
) -> None:
    params = fragment(pending, id_token(idp, pending), iss="https://attacker.example")
    with pytest.raises(FlowError) as info:
        session.complete_authorization(pending, params)
    assert info.value.kind == "issuer_mismatch"


def test_missing_iss_without_an_id_token_is_still_refused(idp: CannedServer) -> None:
    doc = {
        "issuer": idp.url,
        "authorization_endpoint": idp.url + "/auth",
        "jwks_uri": idp.url + "/jwks",
        "response_types_supported": ["code", "token"],
        "authorization_response_iss_parameter_supported": True,
    }
    idp.json("/.well-known/openid-configuration", doc)
    session = OAuthSession(Provider(client=ClientConfig(CLIENT_ID, None, "none"), issuer=idp.url))
    pending = session.begin_authorization(response_type="token")
    try:
        params = {"access_token": ACCESS_TOKEN, "token_type": "Bearer"}
        with pytest.raises(FlowError) as info:
            session.complete_authorization(pending, {**params, "state": pending.request.state})
        assert info.value.kind == "issuer_missing"
    finally:
        pending.close()
        session.close()


def test_a_stray_id_token_does_not_excuse_a_code_response(
    session: OAuthSession, idp: CannedServer
) -> None:
    """A code was asked for: an ``id_token`` added to the redirect (by an attacker) must not
    switch off the RFC 9207 check (mix-up, RFC 9207 §2.4)."""
    pending = session.begin_authorization()
    try:
        params = {"code": "c", "state": pending.request.state, "id_token": "x.y.z"}
        with pytest.raises(FlowError) as info:
            session.complete_authorization(pending, params)
        assert info.value.kind == "issuer_missing"
    finally:
        pending.close()


# -- every failing check stops the flow ------------------------------------------------------
def test_wrong_iss_claim(
    session: OAuthSession, pending: PendingAuthorization, idp: CannedServer
) -> None:
    message = refused(
        session, pending, fragment(pending, id_token(idp, pending, iss="https://evil"))
    )
    assert "iss: iss is 'https://evil'" in message


def test_wrong_aud(session: OAuthSession, pending: PendingAuthorization, idp: CannedServer) -> None:
    message = refused(session, pending, fragment(pending, id_token(idp, pending, aud="other-app")))
    assert "aud:" in message and "other-app" in message


def test_wrong_nonce(
    session: OAuthSession, pending: PendingAuthorization, idp: CannedServer
) -> None:
    message = refused(session, pending, fragment(pending, id_token(idp, pending, nonce="replayed")))
    assert "nonce:" in message and "replay" in message


def test_missing_nonce(
    session: OAuthSession, pending: PendingAuthorization, idp: CannedServer
) -> None:
    message = refused(session, pending, fragment(pending, id_token(idp, pending, nonce=None)))
    assert "no nonce claim" in message


def test_bad_at_hash(
    session: OAuthSession, pending: PendingAuthorization, idp: CannedServer
) -> None:
    token = id_token(idp, pending, at_hash=_left_hash("another-access-token"))
    message = refused(session, pending, fragment(pending, token))
    assert "at_hash:" in message and "not issued together" in message


def test_missing_at_hash_beside_an_access_token(
    session: OAuthSession, pending: PendingAuthorization, idp: CannedServer
) -> None:
    message = refused(session, pending, fragment(pending, id_token(idp, pending, at_hash=None)))
    assert "no at_hash" in message


def test_bad_signature(
    session: OAuthSession, pending: PendingAuthorization, idp: CannedServer
) -> None:
    message = refused(session, pending, fragment(pending, id_token(idp, pending, key=OTHER_KEY)))
    assert "signature:" in message and "does not match" in message


def test_unsigned_id_token(
    session: OAuthSession, pending: PendingAuthorization, idp: CannedServer
) -> None:
    claims = jwt.decode(id_token(idp, pending), options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none")
    message = refused(session, pending, fragment(pending, unsigned))
    assert "alg none" in message


def test_expired_id_token(
    session: OAuthSession, pending: PendingAuthorization, idp: CannedServer
) -> None:
    past = int(time.time()) - 3600
    token = id_token(idp, pending, iat=past - 60, exp=past)
    assert "exp: expired" in refused(session, pending, fragment(pending, token))


def test_issued_in_the_future(
    session: OAuthSession, pending: PendingAuthorization, idp: CannedServer
) -> None:
    """Not one of the required checks, but a failing check stops the flow all the same."""
    token = id_token(idp, pending, iat=int(time.time()) + 3600)
    assert "iat: issued in the future" in refused(session, pending, fragment(pending, token))


def test_keys_out_of_reach_fail_closed(
    session: OAuthSession, pending: PendingAuthorization, idp: CannedServer
) -> None:
    idp.json("/jwks", {"error": "down"}, status=503)
    message = refused(session, pending, fragment(pending, id_token(idp, pending)))
    assert "signature: not verified:" in message


def test_undecodable_id_token(session: OAuthSession, pending: PendingAuthorization) -> None:
    refused(session, pending, fragment(pending, "not-a-jwt"))


# -- c_hash (hybrid responses) on the pure check ---------------------------------------------
@pytest.mark.parametrize(
    ("claim", "problem"),
    [
        ("good", None),
        ("bad", "c_hash: the code does not match"),
        (None, "c_hash: the ID token has no c_hash"),
    ],
)
def test_c_hash_beside_a_code(claim: str | None, problem: str | None) -> None:
    request = build_authorization_request(
        "https://idp.example/auth",
        CLIENT_ID,
        "http://127.0.0.1:1/callback",
        "openid",
        response_type="code id_token",
        issuer="https://idp.example",
    )
    code = "SplxlOBeZQQYbYS6WxSbIA"
    claims: dict[str, Any] = {
        "iss": "https://idp.example",
        "aud": CLIENT_ID,
        "exp": int(time.time()) + 60,
        "nonce": request.nonce,
    }
    if claim == "good":
        claims["c_hash"] = c_hash(code, "RS256")
        assert claims["c_hash"] == _left_hash(code)
    elif claim == "bad":
        claims["c_hash"] = _left_hash("another-code")
    token = jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "k1"})
    inspection = inspect_token(
        token, jwks=_jwks(), issuer="https://idp.example", audience=CLIENT_ID, nonce=request.nonce
    )
    problems = front_channel_id_token_problems(inspection, {"code": code}, request)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith(problem)


# -- response type choice --------------------------------------------------------------------
def test_choice_prefers_token_then_id_token_token() -> None:
    assert choose_implicit_response_type(["code", "token", "id_token token"]) == "token"
    assert choose_implicit_response_type(["code", "id_token", "token id_token", "none"]) == (
        "id_token token"
    )
    assert choose_implicit_response_type([]) == "token"  # the server says nothing


def test_an_explicit_choice_wins_when_offered() -> None:
    assert choose_implicit_response_type(["token", "id_token token"], "id_token token") == (
        "id_token token"
    )
    assert choose_implicit_response_type([], "id_token token") == "id_token token"
    assert same_response_type("token id_token", "id_token token")


def test_nothing_fits_names_what_the_server_offers() -> None:
    with pytest.raises(ConfigError) as info:
        choose_implicit_response_type(["code", "none"])
    assert "'code', 'none'" in str(info.value) and "authorization code flow" in str(info.value)
    with pytest.raises(ConfigError) as info:
        choose_implicit_response_type(["code", "id_token", "id_token token", "none"], "token")
    assert "does not offer response_type 'token'" in str(info.value)
    assert "'id_token token'" in str(info.value)


def test_refused_before_any_listener_starts(session: OAuthSession) -> None:
    session.metadata()  # discovery first, so only the refusal remains to be watched
    with pytest.raises(ConfigError, match="does not offer response_type 'token'"):
        session.begin_authorization(response_type="token")
    assert not [t for t in threading.enumerate() if t.name.startswith("loopback-")]
    assert session.implicit_response_type() == "id_token token"


def test_id_token_asks_for_openid(session: OAuthSession) -> None:
    pending = session.begin_authorization("profile", response_type="id_token token")
    try:
        assert "scope=openid+profile" in pending.url and pending.request.nonce
    finally:
        pending.close()
