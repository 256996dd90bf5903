"""The Cognito API door against moto's real server (``ThreadedMotoServer`` on 127.0.0.1).

moto 5.2 serves the cognito-idp API and each pool's JWKS, signs tokens naming the real AWS
issuer, and has known gaps: no RevokeToken, no hosted /oauth2 endpoints, no
ExplicitAuthFlows enforcement, a wrong SECRET_HASH accepted on USER_PASSWORD_AUTH, SRP maths and
TOTP codes not checked. Those are covered in test_cognito.py (Stubber, independent SECRET_HASH)
and test_cognito_hosted.py (the generic flows against a server laid out like Cognito's).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cognito_peer import (
    ALL_FLOWS,
    AWS_KEY_ID,
    AWS_SECRET,
    PASSWORD,
    REGION,
    TEMP_PASSWORD,
    MotoPool,
)
from workbench.core.cognito.admin import CognitoPoolAdmin, check_flow
from workbench.core.cognito.auth import (
    Challenge,
    CognitoAuth,
    cognito_username,
)
from workbench.core.cognito.door import describe_reality, inspect, reality_check
from workbench.core.cognito.errors import CognitoError
from workbench.core.cognito.pool import CognitoPool, CognitoPoolStore
from workbench.core.errors import ConfigError
from workbench.core.hints import Setting, worded
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.secrets import SecretStore


@pytest.fixture
def open_auth() -> Iterator[Callable[..., CognitoAuth]]:
    opened: list[CognitoAuth] = []

    def make(pool: CognitoPool, **kwargs: Any) -> CognitoAuth:
        auth = CognitoAuth(pool, **kwargs)
        opened.append(auth)
        return auth

    yield make
    for auth in opened:
        auth.close()


def outcomes(inspection: Any) -> dict[str, str]:
    return {f.check: f.outcome.value for f in inspection.findings}


def signed_in(auth: CognitoAuth, flow: Any = "USER_PASSWORD_AUTH") -> TokenSet:
    result = auth.sign_in("alice", PASSWORD, flow)
    assert isinstance(result, TokenSet), result
    return result


# -- sign-in and challenges ----------------------------------------------------------------------
@pytest.mark.parametrize("flow", ["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH"])
def test_new_password_required_then_tokens(
    make_pool: Callable[..., MotoPool], open_auth: Callable[..., CognitoAuth], flow: Any
) -> None:
    moto = make_pool()
    auth = open_auth(moto.describe())
    challenge = auth.sign_in("alice", TEMP_PASSWORD, flow)
    assert isinstance(challenge, Challenge) and challenge.name == "NEW_PASSWORD_REQUIRED"
    assert challenge.admin == (flow == "ADMIN_USER_PASSWORD_AUTH")
    assert challenge.answerable and challenge.username == "alice" and challenge.session
    (question,) = challenge.questions
    assert question.key == "new_password" and question.secret
    assert "NEW_PASSWORD_REQUIRED" in challenge.prompt
    hashed = auth.last_secret_hash
    assert hashed is not None and hashed.to_dict()["username"] == "alice"
    with pytest.raises(ConfigError, match="new_password"):
        auth.respond(challenge, {})
    tokens = auth.respond(challenge, {"new_password": PASSWORD})
    assert isinstance(tokens, TokenSet)
    assert set(tokens.to_dict()) == {
        "access_token",
        "id_token",
        "refresh_token",
        "expires_in",
        "token_type",
    }
    assert tokens.token_type == "Bearer" and tokens.expires_in
    answered = auth.log.items()[-1].purpose
    target = "AdminRespondToAuthChallenge" if challenge.admin else "RespondToAuthChallenge"
    assert answered == f"cognito-idp {target} (NEW_PASSWORD_REQUIRED)"
    # The new password works from now on.
    assert signed_in(auth, flow).access_token


def test_user_password_auth_tokens_verify_against_the_pool(
    make_pool: Callable[..., MotoPool], open_auth: Callable[..., CognitoAuth]
) -> None:
    moto = make_pool(confirmed=True)
    pool = moto.describe()
    auth = open_auth(pool)
    tokens = signed_in(auth)
    access = inspect(auth, tokens.access_token or "")
    found = outcomes(access)
    assert found["signature"] == found["iss"] == found["aud"] == found["token_use"] == "pass"
    assert found["exp"] == "pass" and access.ok
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{moto.pool_id}"
    assert access.decoded.claims["iss"] == issuer == pool.issuer
    assert access.finding("aud").reason == f"client_id is {moto.client_id!r}"
    assert pool.jwks_url in access.finding("signature").reason  # moto's layout
    identity = inspect(auth, tokens.id_token or "")
    found = outcomes(identity)
    assert found["signature"] == found["iss"] == found["aud"] == found["token_use"] == "pass"
    assert identity.finding("aud").reason == f"aud contains {moto.client_id!r}"
    # An ID token presented as an access token fails token_use: the Cognito-specific check.
    wrong = inspect(auth, tokens.id_token or "", "access")
    assert outcomes(wrong)["token_use"] == "fail"
    other_client = open_auth(moto.describe(client_id="another-client"))
    assert outcomes(inspect(other_client, tokens.access_token or ""))["aud"] == "fail"


def test_admin_user_password_auth_is_signed_and_masked(
    make_pool: Callable[..., MotoPool], open_auth: Callable[..., CognitoAuth]
) -> None:
    moto = make_pool(confirmed=True)
    auth = open_auth(moto.describe())
    tokens = signed_in(auth, "ADMIN_USER_PASSWORD_AUTH")
    assert tokens.access_token and tokens.refresh_token
    exchange = auth.log.items()[-1]
    assert exchange.purpose == ("cognito-idp AdminInitiateAuth (ADMIN_USER_PASSWORD_AUTH)")
    assert exchange.request_headers["Authorization"] == "AWS4-HMAC-SHA256 ••••••"
    assert "--aws-sigv4" in exchange.curl and AWS_KEY_ID not in json.dumps(exchange.to_dict())


def test_refresh_token_auth_hashes_the_cognito_username(
    make_pool: Callable[..., MotoPool], open_auth: Callable[..., CognitoAuth]
) -> None:
    """moto checks REFRESH_TOKEN_AUTH's SECRET_HASH against the username it stored with the
    refresh token, which is what the access token's ``username`` claim says."""
    moto = make_pool(confirmed=True)
    auth = open_auth(moto.describe())
    tokens = signed_in(auth)
    username = cognito_username(tokens.access_token or "")
    assert username == "alice"
    result = auth.refresh(tokens.refresh_token or "", username)
    assert result.tokens.access_token and result.rotation == "not_returned"
    with pytest.raises(ConfigError, match="needs the user's Cognito username"):
        auth.refresh(tokens.refresh_token or "")
    with pytest.raises(CognitoError) as info:
        auth.refresh(tokens.refresh_token or "", "somebody-else")
    assert info.value.code == "NotAuthorizedException"
    # moto answers with the wrong hash as its message: masked in the error and in the log.
    wrong = moto.describe().secret_hash("somebody-else")
    assert wrong is not None
    assert wrong.value not in str(info.value) + worded(info.value.advice)
    assert wrong.value not in json.dumps(auth.log.items()[-1].to_dict())


def test_srp_round_trip(
    make_pool: Callable[..., MotoPool], open_auth: Callable[..., CognitoAuth]
) -> None:
    """USER_SRP_AUTH as far as moto goes: InitiateAuth with SRP_A, the PASSWORD_VERIFIER
    challenge answered by pycognito's AWSSRP, tokens, and NEW_PASSWORD_REQUIRED on the way for
    a new user. moto does not check SRP maths (its SRP_B and SALT are random), so what this
    shows is the protocol round trip; the maths are the library's."""
    moto = make_pool()
    auth = open_auth(moto.describe())
    challenge = auth.sign_in("alice", TEMP_PASSWORD, "USER_SRP_AUTH")
    assert isinstance(challenge, Challenge) and challenge.name == "NEW_PASSWORD_REQUIRED"
    tokens = auth.respond(challenge, {"new_password": PASSWORD})
    assert isinstance(tokens, TokenSet) and tokens.access_token
    assert signed_in(auth, "USER_SRP_AUTH").id_token
    purposes = [e.purpose for e in auth.log.items()]
    assert "cognito-idp InitiateAuth (USER_SRP_AUTH)" in purposes
    assert "cognito-idp RespondToAuthChallenge (PASSWORD_VERIFIER)" in purposes
    srp = next(e for e in auth.log.items() if e.purpose.endswith("(USER_SRP_AUTH)"))
    params = json.loads((srp.request_form or {})["AuthParameters"])
    assert params["SRP_A"].endswith("••••••") and params["SECRET_HASH"] == "••••••"
    verifier = next(e for e in auth.log.items() if e.purpose.endswith("(PASSWORD_VERIFIER)"))
    answers = json.loads((verifier.request_form or {})["ChallengeResponses"])
    assert answers["PASSWORD_CLAIM_SIGNATURE"] == "••••••" and answers["TIMESTAMP"]


def test_mfa_setup_then_software_token_mfa(
    make_pool: Callable[..., MotoPool], open_auth: Callable[..., CognitoAuth]
) -> None:
    """A pool that requires MFA: NEW_PASSWORD_REQUIRED, then MFA_SETUP (the authenticator key
    from AssociateSoftwareToken), then SOFTWARE_TOKEN_MFA on the next sign-in. moto does not
    check TOTP codes by default, so any six digits pass; moto does check each SECRET_HASH."""
    moto = make_pool(mfa=True)
    auth = open_auth(moto.describe(name="Work pool"))
    first = auth.sign_in("alice", TEMP_PASSWORD)
    assert isinstance(first, Challenge)
    setup = auth.respond(first, {"new_password": PASSWORD})
    assert isinstance(setup, Challenge) and setup.name == "MFA_SETUP" and setup.answerable
    assert setup.totp_secret and setup.totp_uri
    assert setup.totp_uri.startswith("otpauth://totp/Work%20pool:alice?secret=")
    assert [q.key for q in setup.questions] == ["mfa_code"]
    tokens = auth.respond(setup, {"mfa_code": "123456"})
    assert isinstance(tokens, TokenSet)
    mfa = auth.sign_in("alice", PASSWORD)
    assert isinstance(mfa, Challenge) and mfa.name == "SOFTWARE_TOKEN_MFA"
    assert [q.key for q in mfa.questions] == ["mfa_code"]
    assert isinstance(auth.respond(mfa, {"mfa_code": "654321"}), TokenSet)
    dumped = json.dumps([e.to_dict() for e in auth.log.items()])
    assert setup.totp_secret not in dumped


def test_wrong_password_unknown_user_and_unknown_client(
    make_pool: Callable[..., MotoPool], open_auth: Callable[..., CognitoAuth]
) -> None:
    moto = make_pool(confirmed=True)
    auth = open_auth(moto.describe())
    with pytest.raises(CognitoError) as info:
        auth.sign_in("alice", "not-the-password")
    assert info.value.code == "NotAuthorizedException" and "Wrong password" in worded(
        info.value.advice
    )
    with pytest.raises(CognitoError) as info:
        auth.sign_in("bob", PASSWORD)
    assert info.value.code == "UserNotFoundException"
    stranger = open_auth(moto.describe(client_id="no-such-client"))
    with pytest.raises(CognitoError) as info:
        stranger.sign_in("alice", PASSWORD)
    assert info.value.code == "ResourceNotFoundException"
    assert Setting.CLIENT_ID in info.value.advice  # named as data; each face words it


# -- GetUser and the revocation reality check ----------------------------------------------------
def test_global_sign_out_then_reality_check(
    make_pool: Callable[..., MotoPool], open_auth: Callable[..., CognitoAuth]
) -> None:
    moto = make_pool(confirmed=True)
    auth = open_auth(moto.describe())
    tokens = signed_in(auth)
    access = tokens.access_token or ""
    before = reality_check(auth, access)
    assert before.server.active is True and before.server.source == "cognito"
    assert before.server.data["Username"] == "alice" and not before.contradiction
    auth.global_sign_out(access)
    with pytest.raises(CognitoError) as info:
        auth.get_user(access)
    assert info.value.code == "NotAuthorizedException"
    after = reality_check(auth, access)
    assert after.locally_valid, "a signed-out token still verifies locally"
    assert after.server.active is False and after.contradiction
    line = describe_reality(after)
    assert line.startswith("signature valid locally") and ", Cognito: revoked" in line
    with pytest.raises(CognitoError):  # its refresh token is gone too
        auth.refresh(tokens.refresh_token or "", "alice")


# -- pool insight --------------------------------------------------------------------------------
def test_misconfigured_flows_are_flagged_with_advice(
    make_pool: Callable[..., MotoPool],
) -> None:
    """moto does not enforce ExplicitAuthFlows; the app client's description does tell."""
    moto = make_pool(flows=["ALLOW_USER_SRP_AUTH"], EnableTokenRevocation=False)
    admin = CognitoPoolAdmin(moto.describe())
    try:
        info = admin.describe_client()
        problems = admin.check("USER_PASSWORD_AUTH")
        cc = admin.check("client_credentials", scopes=["api/read"])
    finally:
        admin.close()
    assert info.has_secret and info.explicit_auth_flows == ("ALLOW_USER_SRP_AUTH",)
    assert "ClientSecret" not in info.raw
    (problem,) = problems
    assert problem.severity == "error" and problem.setting == "ExplicitAuthFlows"
    assert "needs ALLOW_USER_PASSWORD_AUTH" in worded(problem.advice)
    assert check_flow(info, "USER_SRP_AUTH", secret_supplied=True) == []
    revoke = check_flow(info, "REVOKE_TOKEN")
    assert [p.setting for p in revoke] == ["EnableTokenRevocation"]
    assert {p.setting for p in cc} >= {
        "Domain",
        "AllowedOAuthFlowsUserPoolClient",
        "AllowedOAuthFlows",
        "AllowedOAuthScopes",
    }
    no_secret = check_flow(info, "USER_SRP_AUTH", secret_supplied=False)
    assert [p.setting for p in no_secret] == ["ClientSecret"]


def test_resource_server_plan_apply_and_listing(make_pool: Callable[..., MotoPool]) -> None:
    moto = make_pool(AccessTokenValidity=2, TokenValidityUnits={"AccessToken": "hours"})
    admin = CognitoPoolAdmin(moto.describe())
    try:
        plan = admin.plan_custom_scopes(
            "api", [("read", "Read the API"), "write"], enable_client_credentials=True
        )
        assert plan.create_server and plan.add_to_client == ("api/read", "api/write")
        assert len(plan.steps()) == 2 and "UpdateUserPoolClient" in plan.steps()[1]
        with pytest.raises(ConfigError, match="Nothing was changed"):
            admin.apply(plan)
        assert admin.list_resource_servers() == []  # planning changed nothing
        info = admin.apply(plan, confirm=True)
        servers = admin.list_resource_servers()
        again = admin.plan_custom_scopes("api", ["read"], enable_client_credentials=True)
    finally:
        admin.close()
    assert info.allowed_oauth_scopes == ("api/read", "api/write")
    assert info.allowed_oauth_flows == ("client_credentials",) and info.oauth_enabled
    # Every other setting was sent back, as Cognito's reset-on-omit behaviour requires.
    assert info.explicit_auth_flows == tuple(ALL_FLOWS)
    assert info.access_token_validity == "2 hours" and info.client_name == "workbench"
    update = next(e for e in admin.log.items() if "UpdateUserPoolClient" in e.purpose)
    assert json.loads((update.request_form or {})["ExplicitAuthFlows"]) == ALL_FLOWS
    (server,) = servers
    assert server.identifier == "api" and server.scope_names == ("api/read", "api/write")
    assert again.nothing_to_do
    assert check_flow(info, "client_credentials", scopes=["api/read"], has_domain=True) == []


# -- nothing secret in the log, its export or files ----------------------------------------------
def test_no_secret_in_the_exchange_log_or_files(
    make_pool: Callable[..., MotoPool],
    open_auth: Callable[..., CognitoAuth],
    tmp_path: Path,
) -> None:
    moto = make_pool(mfa=True)
    pool = moto.describe(name="secretive")
    auth = open_auth(pool)
    first = auth.sign_in("alice", TEMP_PASSWORD)
    assert isinstance(first, Challenge)
    setup = auth.respond(first, {"new_password": PASSWORD})
    assert isinstance(setup, Challenge)
    tokens = auth.respond(setup, {"mfa_code": "123456"})
    assert isinstance(tokens, TokenSet)
    srp = auth.sign_in("alice", PASSWORD, "USER_SRP_AUTH")
    assert isinstance(srp, Challenge) and srp.name == "SOFTWARE_TOKEN_MFA"
    srp_tokens = auth.respond(srp, {"mfa_code": "111111"})
    assert isinstance(srp_tokens, TokenSet)
    admin_tokens = auth.sign_in("alice", PASSWORD, "ADMIN_USER_PASSWORD_AUTH")
    assert isinstance(admin_tokens, TokenSet)  # moto skips MFA on the admin flow
    refreshed = auth.refresh(tokens.refresh_token or "", "alice")
    reality_check(auth, tokens.access_token or "")
    auth.global_sign_out(tokens.access_token or "")
    admin = CognitoPoolAdmin(pool, auth.log)
    admin.describe_client()
    admin.close()
    store = CognitoPoolStore(tmp_path / "store", SecretStore())
    store.save(pool)

    hashed = pool.secret_hash("alice")
    assert hashed is not None
    secrets = {
        "client secret": moto.client_secret or "",
        "temporary password": TEMP_PASSWORD,
        "password": PASSWORD,
        "AWS secret key": AWS_SECRET,
        "AWS key id": AWS_KEY_ID,
        "SECRET_HASH": hashed.value,
        "TOTP key": setup.totp_secret or "",
        "challenge session": first.session,
        "access token": tokens.access_token or "",
        "id token": tokens.id_token or "",
        "refresh token": tokens.refresh_token or "",
        "SRP access token": srp_tokens.access_token or "",
        "refreshed access token": refreshed.tokens.access_token or "",
        "admin refresh token": admin_tokens.refresh_token or "",
    }
    exported = json.dumps([e.to_dict() for e in auth.log.items()], ensure_ascii=False)
    files = "".join(p.read_text("utf-8") for p in tmp_path.rglob("*") if p.is_file())
    assert len(auth.log) >= 12
    for what, value in secrets.items():
        assert value, what
        assert value not in exported, f"{what} appears in the exchange log export"
        assert value not in files, f"{what} was written to a file"
    curls = "\n".join(e.curl for e in auth.log.items())
    assert '-hmac "$CLIENT_SECRET"' in curls and "${PASSWORD}" in curls
