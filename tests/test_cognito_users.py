"""Test users in a pool (core and command line) against moto's real Cognito server.

What moto 5.2 cannot check, and only a real pool can confirm:

* ConfirmSignUp: moto confirms the user whatever the code (it sends none), so only "the call
  goes through and the user is CONFIRMED" is checked here, not that a wrong code is refused.
* ConfirmForgotPassword: moto checks only codes it made itself (``moto-confirmation-code:...``,
  returned in its own response header); a wrong code of that form is refused (checked), any other
  code is taken as right.
* ResendConfirmationCode is not implemented by moto (HTTP 500): the test checks it fails as a
  Cognito error with the emulator advice, never as a success.
* moto does not verify the SECRET_HASH of the sign-up and password-reset calls (it does for
  InitiateAuth); the tests check it is sent, and computed as the sign-in computes it.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.cognito_peer import MotoPool
from workbench.cli import main
from workbench.cli.cognito_users import USER_ACTIONS
from workbench.cli.main import build_parser
from workbench.core.cognito.auth import CognitoAuth
from workbench.core.cognito.errors import CognitoError
from workbench.core.cognito.users import CognitoUsers
from workbench.core.errors import ConfigError
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.transport.exchange import ExchangeLog
from workbench.core.transport.masking import MASK

BOB_PW = "Bob-Sign-Up-Passw0rd!"
NEW_PW = "Bob-Reset-Passw0rd!"
CAROL_TEMP = "Carol-Temp-Passw0rd!"
CAROL_PW = "Carol-Final-Passw0rd!"
SECRETS = (BOB_PW, NEW_PW, CAROL_TEMP, CAROL_PW)


def logged_text(log: ExchangeLog) -> str:
    return "\n".join(json.dumps(ex.to_dict(), default=str) for ex in log.items())


def assert_no_secret(text: str, *extra: str) -> None:
    for secret in (*SECRETS, *extra):
        assert secret not in text


def sign_in(pool: MotoPool, username: str, password: str) -> TokenSet:
    auth = CognitoAuth(pool.describe())
    try:
        outcome = auth.sign_in(username, password, "USER_PASSWORD_AUTH")
    finally:
        auth.close()
    assert isinstance(outcome, TokenSet), outcome
    return outcome


# -- core --------------------------------------------------------------------------------------
def test_sign_up_confirm_then_sign_in(make_pool: Callable[..., MotoPool]) -> None:
    pool = make_pool(secret=True)
    users = CognitoUsers(pool.describe())
    sent_hashes: list[str] = []
    users.client.meta.events.register(
        "before-parameter-build.cognito-idp.SignUp",
        lambda params, **_: sent_hashes.append(params.get("SecretHash")),
    )
    try:
        result = users.sign_up("bob", BOB_PW, {"email": "bob@example.com"})
        assert result.username == "bob" and not result.confirmed and result.sub
        with pytest.raises(CognitoError) as unconfirmed:
            sign_in(pool, "bob", BOB_PW)
        assert unconfirmed.value.code == "UserNotConfirmedException"
        users.confirm_sign_up("bob", " 123456 ")
        listed = {u.username: u for u in users.list_users().users}
        assert listed["bob"].status == "CONFIRMED" and listed["bob"].email == "bob@example.com"
        assert listed["bob"].sub == result.sub
    finally:
        users.close()
    tokens = sign_in(pool, "bob", BOB_PW)
    assert tokens.access_token
    calls = [ex for ex in users.log.items() if "SignUp" in ex.purpose]
    assert [ex.purpose for ex in calls] == ["cognito-idp SignUp", "cognito-idp ConfirmSignUp"]
    sent = calls[0].request_form or {}
    expected = pool.describe().secret_hash("bob")
    assert expected is not None and sent.get("SecretHash") == MASK
    assert pool.client_secret is not None
    independent = base64.b64encode(
        hmac.new(
            pool.client_secret.encode(), ("bob" + pool.client_id).encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert sent_hashes == [independent]  # moto does not check it on SignUp: we do
    assert expected.value not in logged_text(users.log)
    assert "${SECRET_HASH}" in calls[0].curl and "${PASSWORD}" in calls[0].curl
    assert "printf '%s' bob" in calls[0].curl  # how to compute it, named in the curl twin
    assert (calls[1].request_form or {}).get("ConfirmationCode") == MASK
    assert "123456" not in logged_text(users.log)
    assert_no_secret(logged_text(users.log))


def test_admin_create_set_password_sign_in_list_delete(make_pool: Callable[..., MotoPool]) -> None:
    pool = make_pool(secret=False)
    users = CognitoUsers(pool.describe())
    try:
        created = users.admin_create_user("carol", CAROL_TEMP, {"email": "carol@example.com"})
        assert created.username == "carol" and created.status == "FORCE_CHANGE_PASSWORD"
        create_call = users.log.items()[-1]
        assert (create_call.request_form or {}).get("MessageAction") == "SUPPRESS"
        auth = CognitoAuth(pool.describe())
        try:
            challenged = auth.sign_in("carol", CAROL_TEMP, "USER_PASSWORD_AUTH")
        finally:
            auth.close()
        assert not isinstance(challenged, TokenSet)
        assert challenged.name == "NEW_PASSWORD_REQUIRED"
        users.admin_set_user_password("carol", CAROL_PW, permanent=True)
        assert sign_in(pool, "carol", CAROL_PW).access_token
        users.admin_set_user_password("carol", CAROL_TEMP)
        listed = {u.username: u.status for u in users.list_users().users}
        assert listed == {"alice": "FORCE_CHANGE_PASSWORD", "carol": "FORCE_CHANGE_PASSWORD"}
        users.admin_delete_user("carol")
        assert [u.username for u in users.list_users().users] == ["alice"]
        with pytest.raises(CognitoError) as gone:
            users.admin_delete_user("carol")
        assert gone.value.code == "UserNotFoundException"
        with pytest.raises(CognitoError) as exists:
            users.admin_create_user("alice")
        assert exists.value.code == "UsernameExistsException"
        assert "already in the pool" in str(exists.value.advice)
    finally:
        users.close()
    text = logged_text(users.log)
    assert "AdminSetUserPassword" in text and "AdminDeleteUser" in text
    assert_no_secret(text)


def test_list_users_pages_and_stops_at_the_limit(make_pool: Callable[..., MotoPool]) -> None:
    pool = make_pool(secret=False)
    for n in range(4):
        pool.admin.admin_create_user(UserPoolId=pool.pool_id, Username=f"tester{n}")
    users = CognitoUsers(pool.describe())
    try:
        everyone = users.list_users()
        assert len(everyone.users) == 5 and not everyone.truncated
        few = users.list_users(limit=3)
        assert [u.username for u in few.users] == [u.username for u in everyone.users][:3]
        assert few.truncated
        only = users.list_users(filter_expr='username ^= "tester"')
        assert {u.username for u in only.users} == {f"tester{n}" for n in range(4)}
        with pytest.raises(ConfigError):
            users.list_users(limit=0)
    finally:
        users.close()
    pages = [ex for ex in users.log.items() if ex.purpose == "cognito-idp ListUsers"]
    assert (pages[1].request_form or {}).get("Limit") == "3"


def test_forgot_password_and_its_code(make_pool: Callable[..., MotoPool]) -> None:
    pool = make_pool(secret=True, confirmed=True)
    pool.admin.admin_update_user_attributes(
        UserPoolId=pool.pool_id,
        Username="alice",
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    users = CognitoUsers(pool.describe())
    try:
        delivery = users.forgot_password("alice")
        assert delivery is not None and delivery.medium in ("EMAIL", "SMS")
        reset_call = users.log.items()[-1]
        moto_code = reset_call.response_headers.get("x-moto-forgot-password-confirmation-code")
        assert moto_code == MASK  # moto's own code header is masked like any secret
        with pytest.raises(CognitoError) as wrong:
            users.confirm_forgot_password("alice", "moto-confirmation-code:000000", NEW_PW)
        assert wrong.value.code == "ExpiredCodeException"
        users.confirm_forgot_password("alice", "654321", NEW_PW)  # see the module docstring
        with pytest.raises(CognitoError):
            users.resend_confirmation_code("alice")
    finally:
        users.close()
    assert sign_in(pool, "alice", NEW_PW).access_token
    assert_no_secret(logged_text(users.log), "654321")


def test_resend_code_is_a_failure_on_moto(make_pool: Callable[..., MotoPool]) -> None:
    users = CognitoUsers(make_pool(secret=False).describe())
    try:
        with pytest.raises(CognitoError) as failed:
            users.resend_confirmation_code("alice")
    finally:
        users.close()
    assert failed.value.status == 500 and "emulator" in str(failed.value.advice)


def test_missing_inputs_are_config_errors(make_pool: Callable[..., MotoPool]) -> None:
    users = CognitoUsers(make_pool(secret=False).describe())
    try:
        for call in (
            lambda: users.sign_up("", BOB_PW),
            lambda: users.sign_up("bob", ""),
            lambda: users.confirm_sign_up("bob", "  "),
            lambda: users.admin_set_user_password("bob", ""),
            lambda: users.admin_delete_user(""),
        ):
            with pytest.raises(ConfigError):
                call()
    finally:
        users.close()
    assert users.log.items() == []  # nothing was sent


# -- command line ------------------------------------------------------------------------------
@pytest.fixture
def cli_pool(
    make_pool: Callable[..., MotoPool], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., MotoPool]:
    monkeypatch.setenv("BOB_PW", BOB_PW)
    monkeypatch.setenv("NEW_PW", NEW_PW)
    monkeypatch.setenv("CAROL_TEMP", CAROL_TEMP)
    monkeypatch.setenv("CAROL_PW", CAROL_PW)
    monkeypatch.setenv("THE_CODE", "246810")

    def make(**kwargs: Any) -> MotoPool:
        pool = make_pool(**kwargs)
        if pool.client_secret:
            monkeypatch.setenv("APP_SECRET", pool.client_secret)
        return pool

    return make


def pool_args(pool: MotoPool) -> list[str]:
    args = ["--user-pool-id", pool.pool_id, "--endpoint-url", pool.endpoint]
    args += ["--client-id", pool.client_id]
    if pool.client_secret:
        args += ["--client-secret-env", "APP_SECRET"]
    return args


def run(
    capsys: pytest.CaptureFixture[str], action: str, pool: MotoPool, *extra: str
) -> tuple[int, str, str]:
    code = main(["cognito", action, *pool_args(pool), *extra])
    captured = capsys.readouterr()
    assert_no_secret(captured.out + captured.err, "246810")
    if pool.client_secret:
        assert pool.client_secret not in captured.out + captured.err
    return code, captured.out, captured.err


def test_cli_sign_up_confirm_sign_in(
    cli_pool: Callable[..., MotoPool], capsys: pytest.CaptureFixture[str]
) -> None:
    pool = cli_pool(secret=True)
    code, out, err = run(
        capsys,
        "sign-up",
        pool,
        "--username",
        "bob",
        "--password-env",
        "BOB_PW",
        "--attribute",
        "email=bob@example.com",
        "--json",
        "--log",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["username"] == "bob" and doc["confirmed"] is False and doc["sub"]
    assert "cognito-idp SignUp" in err and "${SECRET_HASH}" in err
    code, out, err = run(
        capsys, "confirm-sign-up", pool, "--username", "bob", "--code-env", "THE_CODE"
    )
    assert (code, out) == (0, "confirmed bob\n"), err
    assert sign_in(pool, "bob", BOB_PW).access_token
    code, out, err = run(capsys, "confirm-sign-up", pool, "--username", "bob")
    assert code == 2 and "--code CODE or --code-env VAR" in err


def test_cli_admin_users(
    cli_pool: Callable[..., MotoPool], capsys: pytest.CaptureFixture[str]
) -> None:
    pool = cli_pool(secret=False)
    code, out, err = run(
        capsys, "admin-create-user", pool, "--username", "carol", "--password-env", "CAROL_TEMP"
    )
    assert (code, out) == (0, "created carol: FORCE_CHANGE_PASSWORD\n"), err
    code, out, err = run(
        capsys,
        "admin-set-password",
        pool,
        "--username",
        "carol",
        "--password-env",
        "CAROL_PW",
        "--permanent",
        "--log",
    )
    assert code == 0 and "permanent (CONFIRMED)" in out, err
    assert "AdminSetUserPassword" in err
    assert sign_in(pool, "carol", CAROL_PW).access_token
    code, out, err = run(capsys, "list-users", pool, "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert {u["username"]: u["status"] for u in listed["users"]} == {
        "alice": "FORCE_CHANGE_PASSWORD",
        "carol": "CONFIRMED",
    }
    assert listed["truncated"] is False
    code, out, err = run(capsys, "list-users", pool, "--limit", "1")
    assert code == 0 and out.count("\n") == 1 and "more users than the 1 read" in err
    code, out, err = run(capsys, "admin-delete-user", pool, "--username", "carol")
    assert (code, out) == (0, "deleted carol\n"), err
    code, out, err = run(capsys, "admin-delete-user", pool, "--username", "carol")
    assert code == 1 and out == "" and "UserNotFoundException" in err


def test_cli_password_reset_and_no_password_argument(
    cli_pool: Callable[..., MotoPool], capsys: pytest.CaptureFixture[str]
) -> None:
    pool = cli_pool(secret=True, confirmed=True)
    code, out, err = run(capsys, "forgot-password", pool, "--username", "alice", "--json")
    assert code == 0, err
    assert json.loads(out)["code_delivery"]["medium"] in ("EMAIL", "SMS")
    code, out, err = run(
        capsys,
        "confirm-forgot-password",
        pool,
        "--username",
        "alice",
        "--code",
        "135790",
        "--password-env",
        "NEW_PW",
    )
    assert (code, out) == (0, "new password set for alice\n"), err
    assert sign_in(pool, "alice", NEW_PW).access_token
    code, out, err = run(capsys, "resend-code", pool, "--username", "alice")
    assert code == 1 and out == "" and "emulator" in err


def test_cli_takes_passwords_only_from_the_environment() -> None:
    cognito = _subparsers(build_parser())["cognito"]
    actions = _subparsers(cognito)
    assert set(USER_ACTIONS) <= set(actions)
    for name in USER_ACTIONS:
        options = [o for a in actions[name]._actions for o in a.option_strings]
        secret = [o for o in options if "password" in o or o.startswith("--code")]
        assert all(o.endswith("-env") or o == "--code" for o in secret), (name, secret)


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)
