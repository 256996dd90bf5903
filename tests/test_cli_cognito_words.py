"""The command line words every Cognito error as it did before their settings became data.

``tests/cognito_error_words.json`` was recorded from ``report_error`` while the core still wrote
option names (``--user-pool-id``) into its advice and messages; now the core names a
:class:`~workbench.core.hints.Setting` and the command line words it. Every line must match.
"""

from __future__ import annotations

import io
import re

import pytest

from tests.cognito_error_cases import CASES, cognito_errors, recorded_words
from workbench.cli.output import Out, report_error
from workbench.core.errors import OAuthError
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
