"""DPoP (RFC 9449) end to end against the demo server in a thread: proofs at the token
endpoint (client credentials, password, refresh), UserInfo and the demo API; the nonce round;
proofs refused for the wrong URL or method, replayed, or missing for a bound token."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest

from tests.demo_driver import decide_device_code, sign_in_and_decide
from workbench.core.errors import OAuthError
from workbench.core.keys import SigningKey, generate_key
from workbench.core.oauth.api_call import ApiCall, call_api
from workbench.core.oauth.rfc6749_code import build_authorization_request
from workbench.core.oauth.rfc9449_dpop import (
    UNSIGNED_PURPOSES,
    DpopSigner,
    b64url_sha256,
    htu_of,
    load_or_create_key,
)
from workbench.core.session import OAuthSession, run_to_end
from workbench.core.tokens.findings import Outcome
from workbench.core.transport.exchange import Exchange
from workbench.core.transport.http import HttpClient
from workbench.core.transport.masking import MASK
from workbench.core.transport.signer import OutgoingRequest
from workbench.demo.clients import DEMO_PASSWORD, DEMO_USERNAME, grant_provider
from workbench.demo.server import DemoServer


def dpop_session(issuer: str, grant: str, key: SigningKey | None = None) -> OAuthSession:
    provider = grant_provider(issuer, grant)
    return OAuthSession(dataclasses.replace(provider, dpop_key=key or generate_key("ES256")))


def proof_claims(exchange: Exchange) -> Mapping[str, Any]:
    claims: Mapping[str, Any] = exchange.request_tokens["DPoP"]["claims"]
    return claims


def token_exchanges(session: OAuthSession) -> list[Exchange]:
    return [ex for ex in session.log.items() if ex.url.endswith("/token")]


def test_client_credentials_with_dpop_binds_the_token_to_the_key(demo: DemoServer) -> None:
    session = dpop_session(demo.issuer, "client_credentials")
    assert session.dpop is not None
    tokens = session.client_credentials()
    assert tokens.token_type == "DPoP"
    assert tokens.access_token
    claims = jwt.decode(tokens.access_token, options={"verify_signature": False})
    assert claims["cnf"] == {"jkt": session.dpop.jkt}
    finding = session.inspect(tokens.access_token).finding("dpop")
    assert finding.outcome is Outcome.PASS
    assert finding.reason == f"DPoP-bound to the key in use (cnf.jkt {session.dpop.jkt})"
    # The log: the proof masked, its header and claims shown, the curl twin not replaying it.
    (exchange,) = token_exchanges(session)
    assert exchange.request_headers["DPoP"] == MASK
    assert exchange.request_tokens["DPoP"]["header"]["typ"] == "dpop+jwt"
    assert exchange.request_tokens["DPoP"]["header"]["jwk"]["kty"] == "EC"
    shown = proof_claims(exchange)
    assert shown["htm"] == "POST" and shown["htu"] == demo.issuer + "/token"
    assert "ath" not in shown and "nonce" not in shown
    assert "single-use" in exchange.curl and '"DPoP: ${DPOP}"' in exchange.curl
    assert "workbench keys dpop-proof" in exchange.curl
    # Discovery carried no proof.
    assert all(
        "DPoP" not in ex.request_headers for ex in session.log.items() if "well-known" in ex.url
    )


def test_refresh_userinfo_and_api_call_with_a_bound_token(demo: DemoServer) -> None:
    session = dpop_session(demo.issuer, "password")
    assert session.dpop is not None
    first = session.password(DEMO_USERNAME, DEMO_PASSWORD)
    assert first.token_type == "DPoP" and first.refresh_token and first.access_token
    refreshed = session.refresh(first.refresh_token).tokens
    assert refreshed.token_type == "DPoP"
    assert refreshed.access_token
    token = refreshed.access_token
    assert session.userinfo(token)["preferred_username"] == DEMO_USERNAME
    result = call_api(session.http, ApiCall(demo.issuer + "/api/local/me?x=1", token=token))
    assert result.status == 200, result.body
    api_exchange = session.log.items()[-1]
    assert api_exchange.request_headers["Authorization"] == f"DPoP {MASK}"
    claims = proof_claims(api_exchange)
    assert claims["ath"] == b64url_sha256(token)
    assert claims["htu"] == demo.issuer + "/api/local/me" and claims["htm"] == "GET"
    assert "Authorization: DPoP ${ACCESS_TOKEN}" in api_exchange.curl
    # Introspection tells the binding too (RFC 9449 §6.2).
    data = session.introspect(token)
    assert data["token_type"] == "DPoP" and data["cnf"] == {"jkt": session.dpop.jkt}


def test_a_bearer_presentation_of_a_bound_token_is_refused(demo: DemoServer) -> None:
    session = dpop_session(demo.issuer, "client_credentials")
    token = session.client_credentials().access_token
    assert token
    plain = HttpClient()
    result = call_api(plain, ApiCall(demo.issuer + "/api/local/me", token=token))
    assert result.status == 401
    assert result.challenge is not None and result.challenge.scheme == "DPoP"
    assert result.challenge.error == "invalid_token"
    assert "DPoP-bound" in (result.challenge.get("error_description") or "")
    user_token = dpop_session(demo.issuer, "password").password(DEMO_USERNAME, DEMO_PASSWORD)
    assert user_token.access_token
    with pytest.raises(OAuthError) as refused:
        OAuthSession(grant_provider(demo.issuer, "password"), plain).userinfo(
            user_token.access_token
        )
    assert refused.value.status == 401 and "DPoP-bound" in (refused.value.description or "")


def test_use_dpop_nonce_is_answered_once_with_the_servers_nonce(
    make_demo: Callable[..., DemoServer],
) -> None:
    demo = make_demo(require_dpop_nonce=True)
    key = generate_key("ES256")
    session = dpop_session(demo.issuer, "client_credentials", key)
    tokens = session.client_credentials()
    assert tokens.token_type == "DPoP"
    refused, accepted = token_exchanges(session)
    assert refused.status == 400 and "use_dpop_nonce" in refused.response_body
    nonce = refused.response_headers["DPoP-Nonce"]
    assert "nonce" not in proof_claims(refused)
    assert accepted.status == 200 and proof_claims(accepted)["nonce"] == nonce
    # At a resource: a new client with the same key knows no nonce yet; a 401 DPoP challenge
    # use_dpop_nonce is retried once with the nonce given.
    other = HttpClient(signer=DpopSigner(key, present_as_dpop=True))
    assert tokens.access_token
    result = call_api(other, ApiCall(demo.issuer + "/api/local/me", token=tokens.access_token))
    first, second = other.log.items()
    assert first.status == 401 and "use_dpop_nonce" in first.response_headers["WWW-Authenticate"]
    assert second.status == 200 and result.status == 200
    assert proof_claims(second)["nonce"] == first.response_headers["DPoP-Nonce"]


class _StaleNonce(DpopSigner):
    """Always signs the same wrong nonce: the server asks again; the client must not loop."""

    def sign(self, request: OutgoingRequest) -> Mapping[str, str]:
        return {"DPoP": self.proof(request.method, request.url, nonce="not-the-servers")}


def test_a_server_that_keeps_asking_for_a_nonce_gets_one_retry_only(
    make_demo: Callable[..., DemoServer],
) -> None:
    demo = make_demo(require_dpop_nonce=True)
    provider = grant_provider(demo.issuer, "client_credentials")
    session = OAuthSession(provider, HttpClient(signer=_StaleNonce(generate_key("ES256"))))
    with pytest.raises(OAuthError) as refused:
        session.client_credentials()
    assert refused.value.error == "use_dpop_nonce"
    assert [ex.status for ex in token_exchanges(session)] == [400, 400]


class _WrongTarget(DpopSigner):
    """Signs the proof for another URL or method than the request's."""

    def __init__(self, key: SigningKey, url: str | None = None, method: str | None = None):
        super().__init__(key, present_as_dpop=True)
        self.url, self.method = url, method

    def sign(self, request: OutgoingRequest) -> Mapping[str, str]:
        moved = dataclasses.replace(
            request, url=self.url or request.url, method=self.method or request.method
        )
        return super().sign(moved)


def test_a_proof_for_another_url_or_method_is_refused(demo: DemoServer) -> None:
    key = generate_key("ES256")
    provider = grant_provider(demo.issuer, "client_credentials")
    wrong_url = OAuthSession(
        provider, HttpClient(signer=_WrongTarget(key, url=demo.issuer + "/elsewhere"))
    )
    with pytest.raises(OAuthError) as refused:
        wrong_url.client_credentials()
    assert refused.value.error == "invalid_dpop_proof"
    assert "htu" in (refused.value.description or "")
    # At the API: a good token, a proof for POST sent with GET.
    token = dpop_session(demo.issuer, "client_credentials", key).client_credentials().access_token
    assert token
    http = HttpClient(signer=_WrongTarget(key, method="POST"))
    result = call_api(http, ApiCall(demo.issuer + "/api/local/me", token=token))
    assert result.status == 401 and result.challenge is not None
    assert result.challenge.error == "invalid_dpop_proof"
    assert "htm" in (result.challenge.get("error_description") or "")
    # A proof of another key than the token's.
    stranger = HttpClient(signer=DpopSigner(generate_key("ES256"), present_as_dpop=True))
    result = call_api(stranger, ApiCall(demo.issuer + "/api/local/me", token=token))
    assert result.status == 401 and result.challenge is not None
    assert result.challenge.error == "invalid_dpop_proof"


class _Replayer(DpopSigner):
    """Sends its first proof again on every request, as a replaying attacker would."""

    first: str | None = None

    def sign(self, request: OutgoingRequest) -> Mapping[str, str]:
        if request.purpose.startswith(UNSIGNED_PURPOSES):
            return {}
        if self.first is None:
            self.first = self.proof(request.method, request.url)
        return {"DPoP": self.first}


def test_a_replayed_proof_is_refused(demo: DemoServer) -> None:
    provider = grant_provider(demo.issuer, "client_credentials")
    session = OAuthSession(provider, HttpClient(signer=_Replayer(generate_key("ES256"))))
    assert session.client_credentials().token_type == "DPoP"
    with pytest.raises(OAuthError) as refused:
        session.client_credentials()
    assert refused.value.error == "invalid_dpop_proof"
    assert "single-use" in (refused.value.description or "")


def test_the_inspector_fails_a_token_bound_to_another_key(demo: DemoServer) -> None:
    token = dpop_session(demo.issuer, "client_credentials").client_credentials().access_token
    assert token
    other = dpop_session(demo.issuer, "client_credentials")
    finding = other.inspect(token).finding("dpop")
    assert finding.outcome is Outcome.FAIL and "another key" in finding.reason
    plain = OAuthSession(grant_provider(demo.issuer, "client_credentials"))
    unchecked = plain.inspect(token).finding("dpop")
    assert unchecked.outcome is Outcome.NOT_CHECKED
    assert unchecked.reason.startswith("DPoP-bound (cnf.jkt ")


def test_proof_claims_and_dpop_jkt_at_authorize() -> None:
    signer = DpopSigner(generate_key("ES256"))
    proof = signer.proof("get", "https://rs.example/a/b?q=1#f", access_token="tok")
    header = jwt.get_unverified_header(proof)
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256"
    assert "kid" not in header and "d" not in header["jwk"]
    claims = jwt.decode(
        proof, jwt.PyJWK(header["jwk"]).key, algorithms=["ES256"], options={"verify_aud": False}
    )
    assert claims["htm"] == "GET" and claims["htu"] == "https://rs.example/a/b"
    assert claims["ath"] == b64url_sha256("tok")
    assert htu_of("https://h:8443/p?x#y") == "https://h:8443/p"
    assert signer.proof("GET", "https://rs.example/") != signer.proof("GET", "https://rs.example/")
    request = build_authorization_request(
        "https://as.example/authorize", "cid", "http://127.0.0.1/cb", dpop_jkt=signer.jkt
    )
    assert f"dpop_jkt={signer.jkt}" in request.url


def test_a_missing_key_file_is_made_private_and_then_reused(tmp_path: Any) -> None:
    path = tmp_path / "dpop.pem"
    key, new = load_or_create_key(path)
    assert new and key.alg == "ES256"
    assert path.stat().st_mode & 0o777 == 0o600
    again, new_again = load_or_create_key(path)
    assert not new_again and again.thumbprint() == key.thumbprint()


def _code_redirect(pending: Any) -> Mapping[str, str]:
    location = sign_in_and_decide(pending.url)
    return dict(parse_qsl(urlsplit(location).query))


def test_code_flow_with_dpop_jkt_and_a_bound_public_refresh_token(demo: DemoServer) -> None:
    key = generate_key("ES256")
    session = dpop_session(demo.issuer, "authorization_code", key)
    assert session.provider.client.client_secret is None  # the public native client
    pending = session.begin_authorization()
    try:
        assert f"dpop_jkt={key.thumbprint()}" in pending.url
        tokens = session.complete_authorization(pending, _code_redirect(pending))
    finally:
        pending.close()
    assert tokens.token_type == "DPoP" and tokens.refresh_token
    # A public client's bound refresh token: refused without a proof, or with another key.
    for http in (HttpClient(), HttpClient(signer=DpopSigner(generate_key("ES256")))):
        stranger = OAuthSession(session.provider, http)
        with pytest.raises(OAuthError) as refused:
            stranger.refresh(tokens.refresh_token)
        assert refused.value.error == "invalid_dpop_proof"
    assert session.refresh(tokens.refresh_token).tokens.token_type == "DPoP"


def test_a_code_bound_with_dpop_jkt_is_refused_with_another_key(demo: DemoServer) -> None:
    session = dpop_session(demo.issuer, "authorization_code")
    pending = session.begin_authorization()
    try:
        params = _code_redirect(pending)
        thief = OAuthSession(session.provider, HttpClient(signer=DpopSigner(generate_key("ES256"))))
        with pytest.raises(OAuthError) as refused:
            thief.complete_authorization(pending, params)
    finally:
        pending.close()
    assert refused.value.error == "invalid_grant"
    assert "dpop_jkt" in (refused.value.description or "")


def test_device_flow_polls_carry_proofs_and_the_token_is_bound(demo: DemoServer) -> None:
    session = dpop_session(demo.issuer, "device_code")
    authorization = session.start_device()
    decide_device_code(authorization.verification_uri, authorization.user_code)
    tokens = run_to_end(session.poll_device(authorization))
    assert tokens.token_type == "DPoP"
    assert session.dpop is not None and tokens.access_token
    assert session.inspect(tokens.access_token).finding("dpop").outcome is Outcome.PASS
    polls = [ex for ex in session.log.items() if ex.purpose == "token (device_code poll)"]
    assert polls and all(proof_claims(ex)["htm"] == "POST" for ex in polls)


def test_a_bound_jwt_from_elsewhere_is_presented_with_the_dpop_scheme(demo: DemoServer) -> None:
    key = generate_key("ES256")
    token = dpop_session(demo.issuer, "client_credentials", key).client_credentials().access_token
    assert token
    # A new signer of the same key has seen no token response: the token's cnf.jkt says it.
    http = HttpClient(signer=DpopSigner(key))
    result = call_api(http, ApiCall(demo.issuer + "/api/local/me", token=token))
    assert result.status == 200
    assert http.log.items()[-1].request_headers["Authorization"] == f"DPoP {MASK}"
