"""Pure builders and parsers: exact requests, PKCE vectors, callback checks, masking, curl."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from workbench.core.errors import ConfigError, FlowError, OAuthError
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.pkce import Pkce, s256_challenge
from workbench.core.oauth.rfc6749_code import (
    build_authorization_request,
    build_code_token_request,
    parse_authorization_response,
)
from workbench.core.oauth.rfc6749_grants import build_client_credentials_request
from workbench.core.transport.curl import to_curl
from workbench.core.transport.exchange import HttpRequest
from workbench.core.transport.masking import MASK, mask_body, mask_header, mask_mapping


def test_pkce_s256_matches_rfc7636_appendix_b() -> None:
    assert (
        s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
    pkce = Pkce.generate()
    assert len(pkce.verifier) == 43 and pkce.challenge == s256_challenge(pkce.verifier)


def test_authorization_url_carries_state_nonce_and_challenge() -> None:
    req = build_authorization_request(
        "https://idp.example/authorize?tenant=x",
        "app",
        "http://127.0.0.1:5555/callback",
        "openid profile",
        issuer="https://idp.example",
    )
    parts = urlsplit(req.url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q["tenant"] == "x" and q["response_type"] == "code" and q["client_id"] == "app"
    assert q["state"] == req.state and q["nonce"] == req.nonce
    assert req.pkce is not None
    assert q["code_challenge"] == req.pkce.challenge and q["code_challenge_method"] == "S256"
    assert "code_verifier" not in q


def test_callback_checks_state_then_iss() -> None:
    req = build_authorization_request(
        "https://idp.example/authorize",
        "app",
        "http://127.0.0.1:1/callback",
        issuer="https://idp.example",
    )
    ok = {"code": "c1", "state": req.state, "iss": "https://idp.example"}
    assert parse_authorization_response(ok, req) == "c1"
    with pytest.raises(FlowError) as info:
        parse_authorization_response({**ok, "state": "forged"}, req)
    assert info.value.kind == "state_mismatch"
    with pytest.raises(FlowError) as info:
        parse_authorization_response({**ok, "iss": "https://evil.example"}, req)
    assert info.value.kind == "issuer_mismatch"
    with pytest.raises(OAuthError) as err:
        parse_authorization_response(
            {"error": "access_denied", "error_description": "no", "state": req.state}, req
        )
    assert err.value.error == "access_denied"


def test_code_exchange_sends_verifier_and_public_client_id() -> None:
    req = build_authorization_request(
        "https://idp.example/authorize", "app", "http://127.0.0.1:1/callback"
    )
    http_req = build_code_token_request(
        "https://idp.example/token", ClientConfig("app"), "the-code", req
    )
    assert req.pkce is not None
    assert http_req.form == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": "http://127.0.0.1:1/callback",
        "code_verifier": req.pkce.verifier,
        "client_id": "app",
    }
    assert http_req.basic_auth is None


def test_client_auth_methods() -> None:
    basic = build_client_credentials_request("https://t", ClientConfig("id", "s"), "a b")
    assert basic.basic_auth == ("id", "s") and "client_secret" not in (basic.form or {})
    header = basic.all_headers()["Authorization"]
    assert base64.b64decode(header.split()[1]) == b"id:s"
    post = build_client_credentials_request(
        "https://t", ClientConfig("id", "s", "client_secret_post"), ""
    )
    assert post.form == {
        "grant_type": "client_credentials",
        "client_id": "id",
        "client_secret": "s",
    }
    with pytest.raises(ConfigError, match="needs a client secret"):
        build_client_credentials_request(
            "https://t", ClientConfig("id", None, "client_secret_basic")
        )


def test_basic_credentials_are_form_encoded_first() -> None:
    """RFC 6749 §2.3.1: id and secret are application/x-www-form-urlencoded before Base64."""
    req = HttpRequest("POST", "https://t", form={}, basic_auth=("a:b", "p@ss word"))
    raw = base64.b64decode(req.all_headers()["Authorization"].split()[1])
    assert raw == b"a%3Ab:p%40ss%20word"


def test_masking_of_fields_headers_and_bodies() -> None:
    masked = mask_mapping(
        {
            "client_secret": "abc",
            "password": "pw",
            "refresh_token": "rt-0123456789",
            "scope": "openid",
        }
    )
    assert masked == {
        "client_secret": MASK,
        "password": MASK,
        "refresh_token": "rt-01234…" + MASK,
        "scope": "openid",
    }
    assert mask_header("Authorization", "Basic aWQ6cw==") == "Basic " + MASK
    assert mask_header("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.x.y").startswith(
        "Bearer eyJhbGci…"
    )
    body = mask_body(
        b'{"access_token": "eyJhbGciOiJSUzI1NiJ9.a.b", "note": "pw=hunter22"}',
        "application/json",
        {"hunter22"},
    )
    assert "eyJhbGciOiJSUzI1NiJ9.a.b" not in body and "hunter22" not in body


def test_curl_uses_env_references_for_secrets() -> None:
    req = HttpRequest(
        "POST",
        "https://idp.example/token",
        form={"grant_type": "refresh_token", "refresh_token": "RT", "client_secret": "S"},
        basic_auth=("app", "S"),
    )
    cmd = to_curl(req)
    assert "RT" not in cmd.replace("REFRESH_TOKEN", "") and ":S" not in cmd
    assert '--user "app:${CLIENT_SECRET}"' in cmd
    assert '"refresh_token=${REFRESH_TOKEN}"' in cmd
    assert "--data-urlencode grant_type=refresh_token" in cmd


def test_curl_never_spells_out_a_field_the_log_masks() -> None:
    form = {
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": "SUBJECT-TOKEN-VALUE",
        "actor_token": "ACTOR-TOKEN-VALUE",
        "assertion": "ASSERTION-VALUE",
        "new_password": "NEW-PASSWORD-VALUE",
    }
    cmd = to_curl(HttpRequest("POST", "https://idp.example/token", form=form))
    for value in list(form.values())[1:]:
        assert value not in cmd
    assert '"subject_token=${SUBJECT_TOKEN}"' in cmd


def test_error_redirect_with_a_forged_state_is_not_believed() -> None:
    req = build_authorization_request(
        "https://idp.example/authorize", "app", "http://127.0.0.1:1/callback"
    )
    with pytest.raises(FlowError) as info:
        parse_authorization_response({"error": "access_denied", "state": "forged"}, req)
    assert info.value.kind == "state_mismatch"


def test_device_requests_carry_pkce_only_when_asked() -> None:
    from workbench.core.oauth.rfc8628_device import (
        GRANT_TYPE,
        build_device_authorization_request,
        build_device_token_request,
    )

    public = ClientConfig("app", None, "none")
    plain = build_device_authorization_request("https://idp.example/device", public, "openid")
    assert plain.form == {"scope": "openid", "client_id": "app"}
    pkce = Pkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", s256_challenge("x" * 43))
    sent = build_device_authorization_request(
        "https://idp.example/device", public, "openid", pkce=pkce
    )
    assert sent.form is not None
    assert sent.form["code_challenge"] == pkce.challenge
    assert sent.form["code_challenge_method"] == "S256"
    assert "code_verifier" not in sent.form  # the verifier never goes with the challenge

    poll = build_device_token_request("https://idp.example/token", public, "dc", pkce.verifier)
    assert poll.form == {
        "grant_type": GRANT_TYPE,
        "device_code": "dc",
        "code_verifier": pkce.verifier,
        "client_id": "app",
    }
    assert "CODE_VERIFIER" in to_curl(poll) and pkce.verifier not in to_curl(poll)
    without = build_device_token_request("https://idp.example/token", public, "dc")
    assert without.form is not None and "code_verifier" not in without.form
