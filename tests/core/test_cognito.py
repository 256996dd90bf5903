"""Cognito knowledge without a server: the pool description, SECRET_HASH, persistence, the
curl twin, and the API calls moto cannot answer, through botocore's Stubber."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from workbench.core.cognito.auth import Challenge, CognitoAuth
from workbench.core.cognito.door import server_verdict
from workbench.core.cognito.errors import CognitoError
from workbench.core.cognito.pool import CognitoPool, CognitoPoolStore, compute_secret_hash
from workbench.core.cognito.recorder import curl_for_json_call
from workbench.core.errors import ConfigError, TransportError
from workbench.core.hints import Setting, worded
from workbench.core.secrets import SecretStore
from workbench.core.transport.masking import MASK

POOL_ID = "us-east-1_Ab12Cd34E"
CLIENT_ID = "1example23456789abcdefghij"
SECRET = "demo-client-secret-0123456789"  # RevokeToken wants >= 24 characters


@pytest.fixture(autouse=True)
def dummy_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials only; no AWS config file or instance metadata is ever read."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDWORKBENCHDUMMY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "workbench-dummy-aws-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def pool(**fields: object) -> CognitoPool:
    values: dict[str, object] = {
        "user_pool_id": POOL_ID,
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
    }
    values.update(fields)
    return CognitoPool(**values)  # type: ignore[arg-type]


# -- the description -----------------------------------------------------------------------------
def test_issuer_jwks_and_region_from_the_pool_id() -> None:
    p = pool()
    assert p.region == "us-east-1"
    assert p.issuer == f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
    assert p.jwks_url == p.issuer + "/.well-known/jwks.json"
    assert p.api_endpoint == "https://cognito-idp.us-east-1.amazonaws.com"
    emulated = pool(endpoint_url="http://127.0.0.1:5000/")
    # moto serves <endpoint>/<poolId>/.well-known/jwks.json (moto/cognitoidp/urls.py); the
    # issuer its tokens name stays the AWS one.
    assert emulated.jwks_url == f"http://127.0.0.1:5000/{POOL_ID}/.well-known/jwks.json"
    assert emulated.issuer == p.issuer


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"user_pool_id": "AbC123"}, "not a user pool id"),
        ({"region": "eu-west-1"}, "lives in us-east-1"),
        ({"region": "Frankfurt", "user_pool_id": ""}, "not an AWS region"),
        ({"domain": "http://auth.example.com"}, "plain http"),
        ({"domain": "My_App"}, "not a Cognito domain prefix"),
        ({"endpoint_url": "localhost:5000"}, r"not an http\(s\) URL"),
    ],
)
def test_bad_descriptions_say_why(fields: dict[str, str], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        pool(**fields)


def test_hosted_endpoints_and_the_generic_provider() -> None:
    prefixed = pool(domain="myapp")
    base = "https://myapp.auth.us-east-1.amazoncognito.com"
    assert prefixed.hosted_endpoints() == {
        "authorization_endpoint": base + "/oauth2/authorize",
        "token_endpoint": base + "/oauth2/token",
        "revocation_endpoint": base + "/oauth2/revoke",
        "userinfo_endpoint": base + "/oauth2/userInfo",
        "end_session_endpoint": base + "/logout",
        "jwks_uri": prefixed.jwks_url,
    }
    assert pool(domain="auth.example.com").hosted_base == "https://auth.example.com"
    assert pool(domain="http://127.0.0.1:8080/").hosted_base == "http://127.0.0.1:8080"
    provider = pool(domain="https://auth.example.com").to_provider(scope="api/read")
    assert provider.client.method == "client_secret_basic"
    assert provider.issuer == pool().issuer and provider.scope == "api/read"
    assert "introspection_endpoint" not in provider.endpoints  # Cognito has none
    public = pool(domain="myapp", client_secret=None).to_provider()
    assert public.client.method == "none"
    with pytest.raises(ConfigError, match="only once the pool has a domain"):
        pool().to_provider()


def test_the_secret_never_leaves_in_a_dict_or_repr() -> None:
    p = pool(domain="myapp")
    assert "client_secret" not in p.to_dict() and SECRET not in repr(p)
    assert CognitoPool.from_dict(p.to_dict()) == p.with_secret(None)


def test_store_keeps_the_secret_in_the_keyring_not_the_file(tmp_path: Path) -> None:
    store = CognitoPoolStore(tmp_path, SecretStore())
    store.save(pool(name="work", domain="myapp"))
    text = (tmp_path / "cognito_pools.json").read_text("utf-8")
    assert SECRET not in text and POOL_ID in text
    loaded = store.get("work")
    assert loaded.client_secret == SECRET and loaded.domain == "myapp"
    store.delete("work")
    assert store.load_all() == {}
    assert CognitoPoolStore(tmp_path, SecretStore()).secrets.get("cognito/work") is None


# -- SECRET_HASH ---------------------------------------------------------------------------------
def test_secret_hash_matches_an_independent_computation() -> None:
    """Base64(HMAC-SHA256(client secret, username + client id)), computed here directly.

    moto accepts a wrong SECRET_HASH on USER_PASSWORD_AUTH, so moto cannot be the judge.
    """
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), ("alice" + CLIENT_ID).encode(), hashlib.sha256).digest()
    ).decode()
    hashed = pool().secret_hash("alice")
    assert hashed is not None and hashed.value == expected
    assert hashed.message == "alice" + CLIENT_ID
    assert SECRET not in hashed.explain() and SECRET not in repr(hashed)
    assert hashed.to_dict() == {
        "username": "alice",
        "client_id": CLIENT_ID,
        "formula": hashed.explain(),
    }
    assert pool(client_secret=None).secret_hash("alice") is None


def test_secret_hash_known_vector() -> None:
    """Computed once with openssl, an implementation independent of Python's hmac:
    printf '%s' 'alice1example23456789abcdefghij' \\
        | openssl dgst -sha256 -hmac 'demo-client-secret-0123456789' -binary | base64"""
    vector = "IjsQUKH2ZB2gK0PuCPzNlrTy2uTE8KxEHcRzRbLa5Ak="
    assert compute_secret_hash(SECRET, "alice", CLIENT_ID) == vector


# -- the curl twin -------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_curl_twin_expands_env_secrets_and_keeps_other_text_literal() -> None:
    body = {
        "ClientId": CLIENT_ID,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": 'a"$b`c\\d', "PASSWORD": "x", "SECRET_HASH": "y"},
    }
    command = curl_for_json_call(
        "POST",
        "https://cognito-idp.us-east-1.amazonaws.com/",
        {"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"},
        body,
        signed=False,
        region="us-east-1",
    )
    assert command.startswith("# SECRET_HASH=$(printf")
    assert "${PASSWORD}" in command and "${SECRET_HASH}" in command
    echo_args = 'curl() { for a in "$@"; do printf "%s\\n" "$a"; done; }\n'
    result = subprocess.run(
        ["bash", "-c", echo_args + command],
        env={"PASSWORD": "pa ss", "SECRET_HASH": "h+a/sh=", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    lines = result.stdout.splitlines()
    sent = json.loads(lines[lines.index("--data-raw") + 1])
    assert sent["AuthParameters"] == {
        "USERNAME": 'a"$b`c\\d',
        "PASSWORD": "pa ss",
        "SECRET_HASH": "h+a/sh=",
    }


def test_signed_calls_get_a_sigv4_curl() -> None:
    command = curl_for_json_call(
        "POST",
        "https://cognito-idp.us-east-1.amazonaws.com/",
        {"X-Amz-Target": "AWSCognitoIdentityProviderService.AdminInitiateAuth"},
        {"UserPoolId": POOL_ID},
        signed=True,
        region="us-east-1",
        session_token=True,
    )
    assert "--aws-sigv4 aws:amz:us-east-1:cognito-idp" in command
    assert '"${AWS_ACCESS_KEY_ID}:${AWS_SECRET_ACCESS_KEY}"' in command
    assert "${AWS_SESSION_TOKEN}" in command


# -- through botocore's Stubber: what moto does not implement -----------------------------------
@pytest.fixture
def stubbed() -> Iterator[tuple[CognitoAuth, Stubber]]:
    client = boto3.session.Session(region_name="us-east-1").client("cognito-idp")
    auth = CognitoAuth(pool(), client=client)
    with Stubber(client) as stubber:
        yield auth, stubber
        stubber.assert_no_pending_responses()
    auth.close()


def test_revoke_token_through_the_stubber(stubbed: tuple[CognitoAuth, Stubber]) -> None:
    """RevokeToken through botocore's Stubber: moto 5.2 does not implement RevokeToken (it
    answers HTTP 500), so the request Cognito would get is checked here, not a server's answer."""
    auth, stubber = stubbed
    refresh = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.refresh-token-value"
    stubber.add_response(
        "revoke_token", {}, {"Token": refresh, "ClientId": CLIENT_ID, "ClientSecret": SECRET}
    )
    auth.revoke(refresh)
    exchange = auth.log.items()[-1]
    assert exchange.purpose == "cognito-idp RevokeToken (stubbed, not sent)"
    assert exchange.request_form is not None
    assert exchange.request_form["ClientSecret"] == MASK
    assert exchange.request_form["Token"].endswith(MASK)
    dumped = json.dumps(exchange.to_dict())
    assert SECRET not in dumped and refresh not in dumped
    assert "${CLIENT_SECRET}" in exchange.curl and "${REFRESH_TOKEN}" in exchange.curl


def test_revoked_token_errors_through_the_stubber(stubbed: tuple[CognitoAuth, Stubber]) -> None:
    """Cognito's own words for revoked tokens (moto says "Invalid token" instead)."""
    auth, stubber = stubbed
    stubber.add_client_error(
        "get_user",
        service_error_code="NotAuthorizedException",
        service_message="Access Token has been revoked",
        http_status_code=400,
    )
    verdict = server_verdict(auth, "eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
    assert verdict.active is False and verdict.source == "cognito"
    assert verdict.detail.startswith("revoked (GetUser: NotAuthorizedException")
    stubber.add_client_error(
        "initiate_auth",
        service_error_code="NotAuthorizedException",
        service_message="Refresh Token has been revoked",
        http_status_code=400,
    )
    with pytest.raises(CognitoError) as info:
        auth.refresh("some-refresh-token", "alice")
    error = info.value
    assert error.revoked and error.code == "NotAuthorizedException" and error.status == 400
    assert "RevokeToken or GlobalSignOut" in worded(error.advice)
    assert error.operation == "InitiateAuth"


@pytest.mark.parametrize(
    ("code", "message", "advice"),
    [
        (
            "InvalidParameterException",
            "USER_PASSWORD_AUTH flow not enabled for this client",
            "enable ALLOW_USER_PASSWORD_AUTH in its ExplicitAuthFlows",
        ),
        (
            "NotAuthorizedException",
            f"Unable to verify secret hash for client {CLIENT_ID}",
            "the client secret is wrong",
        ),
        ("NotAuthorizedException", "Incorrect username or password.", "Wrong password"),
        ("NotAuthorizedException", "User is disabled.", "disabled"),
        ("UserNotFoundException", "User does not exist.", "user names are per pool"),
        ("PasswordResetRequiredException", "Password reset required", "ConfirmForgotPassword"),
        ("UserNotConfirmedException", "User is not confirmed.", "ConfirmSignUp"),
        ("ResourceNotFoundException", "User pool client x does not exist.", "check user pool id"),
        ("TooManyRequestsException", "Rate exceeded", "throttled"),
    ],
)
def test_cognito_errors_come_with_advice(
    stubbed: tuple[CognitoAuth, Stubber], code: str, message: str, advice: str
) -> None:
    auth, stubber = stubbed
    stubber.add_client_error("initiate_auth", code, message, http_status_code=400)
    with pytest.raises(CognitoError) as info:
        auth.sign_in("alice", "wrong")
    assert info.value.code == code and info.value.cognito_message == message
    assert advice in worded(info.value.advice)
    assert str(info.value) == f"{code}: {message}"


def test_missing_secret_hash_advice_says_supply_the_secret() -> None:
    client = boto3.session.Session(region_name="us-east-1").client("cognito-idp")
    auth = CognitoAuth(pool(client_secret=None), client=client)
    with Stubber(client) as stubber:
        stubber.add_client_error(
            "initiate_auth",
            "NotAuthorizedException",
            f"Client {CLIENT_ID} is configured for secret but secret was not received",
        )
        with pytest.raises(CognitoError) as info:
            auth.sign_in("alice", "pw")
    auth.close()
    assert "has a client secret, so every call needs a SECRET_HASH" in worded(info.value.advice)


def test_revocation_disabled_names_the_setting(stubbed: tuple[CognitoAuth, Stubber]) -> None:
    auth, stubber = stubbed
    stubber.add_client_error(
        "revoke_token", "UnsupportedOperationException", "Token revocation isn't enabled"
    )
    with pytest.raises(CognitoError, match="UnsupportedOperationException") as info:
        auth.revoke("refresh")
    assert "EnableTokenRevocation" in worded(info.value.advice)


def test_unknown_challenge_is_named_and_not_answered(
    stubbed: tuple[CognitoAuth, Stubber],
) -> None:
    auth, stubber = stubbed
    stubber.add_response(
        "initiate_auth",
        {"ChallengeName": "CUSTOM_CHALLENGE", "Session": "s" * 20, "ChallengeParameters": {}},
    )
    challenge = auth.sign_in("alice", "pw")
    assert isinstance(challenge, Challenge) and not challenge.answerable
    assert "CUSTOM_CHALLENGE" in challenge.prompt


def test_sms_mfa_and_select_mfa_type_answers(stubbed: tuple[CognitoAuth, Stubber]) -> None:
    """The ChallengeResponses Cognito documents for SELECT_MFA_TYPE and SMS_MFA, checked by
    the Stubber's expected parameters (moto only offers SMS_MFA with an SMS configuration)."""
    auth, stubber = stubbed
    session = "session-" + "x" * 30
    stubber.add_response(
        "initiate_auth",
        {
            "ChallengeName": "SELECT_MFA_TYPE",
            "Session": session,
            "ChallengeParameters": {
                "USERNAME": "internal-alice",
                "MFAS_CAN_CHOOSE": '["SMS_MFA","SOFTWARE_TOKEN_MFA"]',
            },
        },
    )
    pick = auth.sign_in("alice", "pw")
    assert isinstance(pick, Challenge) and pick.username == "internal-alice"
    assert pick.questions[0].choices == ("SMS_MFA", "SOFTWARE_TOKEN_MFA")
    hashed = compute_secret_hash(SECRET, "internal-alice", CLIENT_ID)
    stubber.add_response(
        "respond_to_auth_challenge",
        {
            "ChallengeName": "SMS_MFA",
            "Session": session + "2",
            "ChallengeParameters": {"CODE_DELIVERY_DESTINATION": "+*******0199"},
        },
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "SELECT_MFA_TYPE",
            "Session": session,
            "ChallengeResponses": {
                "USERNAME": "internal-alice",
                "ANSWER": "SMS_MFA",
                "SECRET_HASH": hashed,
            },
        },
    )
    sms = auth.respond(pick, {"mfa_type": "SMS_MFA"})
    assert isinstance(sms, Challenge) and "+*******0199" in sms.prompt
    stubber.add_response(
        "respond_to_auth_challenge",
        {"AuthenticationResult": {"AccessToken": "a.b.c", "ExpiresIn": 3600}},
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "SMS_MFA",
            "Session": session + "2",
            "ChallengeResponses": {
                "USERNAME": "internal-alice",
                "SMS_MFA_CODE": "123456",
                "SECRET_HASH": hashed,
            },
        },
    )
    tokens = auth.respond(sms, {"mfa_code": " 123456 "})
    assert not isinstance(tokens, Challenge) and tokens.access_token == "a.b.c"


# -- botocore's own failures ---------------------------------------------------------------------
def test_connection_refused_is_a_transport_error() -> None:
    auth = CognitoAuth(pool(endpoint_url="http://127.0.0.1:9"))
    with pytest.raises(TransportError) as info:
        auth.sign_in("alice", "pw")
    auth.close()
    assert "Could not connect to http://127.0.0.1:9" in str(info.value)
    assert info.value.kind == "refused"
    exchange = auth.log.items()[-1]
    assert exchange.status is None and exchange.error


def test_no_credentials_for_an_admin_call_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    auth = CognitoAuth(pool(endpoint_url="http://127.0.0.1:9"))
    with pytest.raises(ConfigError, match="No AWS credentials found"):
        auth.sign_in("alice", "pw", "ADMIN_USER_PASSWORD_AUTH")
    auth.close()


def test_unknown_aws_profile_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="No AWS profile named 'nope'") as missing:
        CognitoAuth(pool(aws_profile="nope"))
    assert missing.value.fix == (Setting.AWS_PROFILE,) and "--" not in str(missing.value)


@pytest.mark.parametrize(
    "encoded",
    [
        '["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]',  # Cognito: a JSON list in a string
        "['SOFTWARE_TOKEN_MFA', 'EMAIL_OTP']",  # moto 5.2.5 and later: a Python repr
        "SOFTWARE_TOKEN_MFA,EMAIL_OTP",  # a bare comma-separated list
        ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"],  # already a list
    ],
)
def test_mfas_can_setup_is_read_in_every_encoding_seen(encoded: object) -> None:
    from workbench.core.cognito.auth import _string_list

    assert _string_list(encoded) == ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]
