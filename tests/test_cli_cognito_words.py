"""The command line words every Cognito error as it did before their settings became data.

``tests/cognito_error_words.json`` was recorded from ``report_error`` while the core still wrote
option names (``--user-pool-id``) into its advice and messages; now the core names a
:class:`~workbench.core.hints.Setting` and the command line words it. Every line must match.
"""

from __future__ import annotations

import argparse
import io
import re
from dataclasses import replace
from types import SimpleNamespace

import pytest

from tests.cognito_error_cases import (
    CASES,
    INFO,
    REDIRECT_URI,
    cognito_errors,
    no_scope_error,
    recorded_admin_words,
    recorded_words,
)
from workbench.cli import cognito as cli_cognito
from workbench.cli.cognito import _describe as describe_client
from workbench.cli.output import EXIT_CHECK, Out, report_error
from workbench.core.cognito.admin import check_flow
from workbench.core.cognito.auth import CognitoAuth
from workbench.core.cognito.pool import CognitoPool
from workbench.core.errors import ConfigError, OAuthError
from workbench.core.hints import Setting, worded


def _printed(error: Exception) -> str:
    err = io.StringIO()
    assert isinstance(error, Exception)
    report_error(Out(io.StringIO(), err), error)  # type: ignore[arg-type]
    return err.getvalue()


def test_every_case_is_recorded() -> None:
    assert sorted(recorded_words()) == sorted(name for name, _, _ in CASES)


@pytest.mark.parametrize(("name", "error"), list(cognito_errors()), ids=lambda v: str(v)[:40])
def test_the_command_line_prints_what_it_printed_before(name: str, error: Exception) -> None:
    assert _printed(error) == recorded_words()[name]["cli"]


def test_the_core_names_settings_not_options() -> None:
    """Where the command line names an option, the core holds the setting as data."""
    errors = dict(cognito_errors())
    named = {
        name: tuple(
            part
            for part in error.phrase + (error.advice if isinstance(error, OAuthError) else ())
            if isinstance(part, Setting)
        )
        for name, error in errors.items()
    }
    assert named["secret_hash_missing"] == (Setting.CLIENT_SECRET,)
    assert named["UserNotFoundException"] == (Setting.USER_POOL_ID,)
    assert named["ResourceNotFoundException"] == (Setting.USER_POOL_ID, Setting.CLIENT_ID)
    assert named["AccessDeniedException"] == (Setting.AWS_PROFILE,)
    assert named["no_credentials"] == (Setting.AWS_PROFILE,)
    assert named["endpoint_connection"] == (Setting.ENDPOINT_URL,)
    for name, error in errors.items():
        advice = error.advice if isinstance(error, OAuthError) else ()
        assert "--" not in worded(error.phrase) + worded(advice), name
    # Every option the command line printed in these cases comes from a setting now.
    with_options = {
        n for n, words in recorded_words().items() if re.search("--[a-z]", words["cli"])
    }
    assert with_options == {name for name, settings in named.items() if settings} | {
        "profile_not_found",
        "no_region",
    }


def _describe(as_json: bool) -> str:
    """``cognito describe-client --flow authorization_code --redirect-uri ...`` as printed."""
    admin = SimpleNamespace(describe_client=lambda: INFO, pool=SimpleNamespace(has_secret=False))
    args = argparse.Namespace(
        scope=["openid"], redirect_uri=REDIRECT_URI, flow=["authorization_code"], json=as_json
    )
    out = io.StringIO()
    code = describe_client(args, Out(out, io.StringIO()), admin)  # type: ignore[arg-type]
    assert code == EXIT_CHECK
    return out.getvalue()


def test_the_pool_insight_prints_what_it_printed_before() -> None:
    """The redirect URI and a resource server's scopes are settings in the core's advice now;
    the command line still names ``--redirect-uri`` and ``--scope NAME[=description]``."""
    recorded = recorded_admin_words()
    assert _describe(False) == recorded["describe"]
    assert "use it (--redirect-uri)." in recorded["describe"]
    assert _describe(True) == recorded["describe_json"]
    assert _printed(no_scope_error()) == recorded["no_scope"]
    assert recorded["no_scope"] == "error: Name at least one scope (--scope NAME[=description]).\n"


def test_the_pool_insight_names_settings_not_options() -> None:
    (problem,) = check_flow(INFO, "authorization_code", redirect_uri=REDIRECT_URI)
    assert Setting.REDIRECT_URI in problem.advice
    assert "--" not in worded(problem.advice) and "--" not in str(problem)
    error = no_scope_error()
    assert error.phrase == ("Name at least one scope (", Setting.RESOURCE_SCOPE, ").")
    assert str(error) == "Name at least one scope (resource scope)."


def test_a_challenge_without_a_terminal_names_the_option_that_answers_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Which option answers a question is the command line's to say (``answer_option``), not
    the core's: the message is the one it printed when the core carried the option."""
    monkeypatch.setattr(cli_cognito, "_tty", lambda: False)
    auth = CognitoAuth(CognitoPool(user_pool_id="us-east-1_AbC", client_id="c"))
    try:
        challenges = [
            auth._challenge(
                "NEW_PASSWORD_REQUIRED",
                "s",
                {"requiredAttributes": '["userAttributes.email"]'},
                "alice",
                "USER_PASSWORD_AUTH",
                False,
            ),
            auth._challenge("SOFTWARE_TOKEN_MFA", "s", {}, "alice", "USER_PASSWORD_AUTH", False),
            auth._challenge(
                "SELECT_MFA_TYPE",
                "s",
                {"MFAS_CAN_CHOOSE": '["SMS_MFA"]'},
                "alice",
                "USER_PASSWORD_AUTH",
                False,
            ),
        ]
    finally:
        auth.close()
    args = argparse.Namespace(
        new_password_env=None, mfa_code=None, mfa_type=None, user_attribute=[]
    )
    messages = []
    for challenge in challenges:
        for question in challenge.questions:
            one = replace(challenge, questions=(question,))
            with pytest.raises(ConfigError) as info:
                cli_cognito._answer(args, Out(io.StringIO(), io.StringIO()), one)
            messages.append(str(info.value))
    assert messages == recorded_admin_words()["no_terminal"]
