"""Errors and findings carry the settings that would fix them; each face words them.

The core names a :class:`~workbench.core.hints.Setting`; the command line names its option
(``--issuer``), the app its own choice or field ("choose a provider", "the App client ID").
Here both faces word the same core result, for the issuer keys, the audience, the client id,
the region, the user pool id and the user name.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re

import pytest
from pytestqt.qtbot import QtBot

from tests.cognito_error_cases import (
    INFO,
    REDIRECT_URI,
    cognito_errors,
    no_scope_error,
    recorded_words,
)
from workbench.cli.main import main
from workbench.cli.output import CLI_OPTIONS, Out, report_error
from workbench.core.cognito.admin import check_flow
from workbench.core.cognito.auth import CognitoAuth
from workbench.core.cognito.pool import CognitoPool
from workbench.core.errors import ConfigError, WorkbenchError
from workbench.core.hints import Endpoint, Setting
from workbench.core.oauth.client_auth import ClientConfig, authenticate
from workbench.core.oauth.discovery import ServerMetadata
from workbench.core.tokens.checks import inspect_token
from workbench.ui.cognito.calls import UI_FIELDS, ui_message, ui_words
from workbench.ui.cognito.tab import CognitoTab
from workbench.ui.inspector.checks import ui_reason
from workbench.ui.state import AppState
from workbench.ui.widgets.banners import APP_PLACES, describe_error


def _part(value: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


# A readable token whose signature nobody can check here: no issuer, no audience given.
TOKEN = ".".join(
    [
        _part({"alg": "RS256", "kid": "k1"}),
        _part({"iss": "https://idp.example", "aud": "client-1", "sub": "u", "exp": 4102444800}),
        "c2ln",
    ]
)


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _cli_error(exc: ConfigError) -> str:
    err = io.StringIO()
    report_error(Out(io.StringIO(), err), exc)
    return err.getvalue()


def test_a_check_without_issuer_keys_or_audience_in_each_face_words() -> None:
    inspection = inspect_token(TOKEN)
    signature, aud = inspection.finding("signature"), inspection.finding("aud")
    # The core: the reason names no face's control, the fix is data.
    assert (signature.reason, signature.fix) == (
        "no issuer keys",
        (Setting.ISSUER, Setting.JWKS_URI),
    )
    assert (aud.reason, aud.fix) == ("no expected audience", (Setting.AUDIENCE, Setting.CLIENT_ID))
    # The command line, as it printed before the settings became data (text and --json).
    code, out, _ = _cli(["inspect", TOKEN])
    assert code == 0
    assert "----  signature  no issuer keys: pass --issuer or --jwks-uri" in out
    assert "----  keys       no issuer keys: pass --issuer or --jwks-uri" in out
    assert "----  aud        no expected audience: pass --audience or --client-id" in out
    _, out, _ = _cli(["inspect", TOKEN, "--json"])
    reasons = {f["check"]: f["reason"] for f in json.loads(out)["findings"]}
    assert reasons["signature"] == "no issuer keys: pass --issuer or --jwks-uri"
    assert reasons["aud"] == "no expected audience: pass --audience or --client-id"
    # The inspector: its own choice, never an option name.
    assert ui_reason(signature) == (
        "no issuer keys: choose a provider, whose JWKS verifies the signature"
    )
    assert ui_reason(aud) == "no expected audience: choose a provider to compare with its client"
    assert ui_reason(inspection.finding("exp")) == inspection.finding("exp").reason


def _raised(call: object) -> ConfigError:
    assert callable(call)
    with pytest.raises(ConfigError) as info:
        call()
    return info.value


@pytest.mark.parametrize(
    ("make", "fix", "cli", "ui"),
    [
        (
            lambda: CognitoPool(region="us-east-1").require_client,
            (Setting.CLIENT_ID,),
            "  see --client-id",
            "This needs the app client id. See the App client ID.",
        ),
        (
            lambda: CognitoPool().require_region,
            (Setting.REGION, Setting.USER_POOL_ID),
            "  see --region or --user-pool-id",
            "Say which AWS region the pool is in. See the Region or the User pool ID.",
        ),
        (
            lambda: CognitoPool(region="us-east-1").require_pool,
            (Setting.USER_POOL_ID,),
            "  see --user-pool-id",
            "This needs the user pool id (like us-east-1_AbC). See the User pool ID.",
        ),
        (
            lambda: lambda: CognitoAuth(CognitoPool(region="us-east-1")).sign_in("", "pw"),
            (Setting.USERNAME,),
            "  see --username",
            "A user name is needed to sign in. See the Username.",
        ),
        (
            lambda: lambda: CognitoAuth(CognitoPool(region="us-east-1", aws_profile="nope")),
            (Setting.AWS_PROFILE,),
            "  see --aws-profile",
            "No AWS profile named 'nope'. See the AWS profile.",
        ),
    ],
)
def test_a_missing_setting_in_each_face_words(make, fix, cli, ui) -> None:  # type: ignore[no-untyped-def]
    error = _raised(make())
    assert error.fix == fix and "--" not in str(error)
    printed = _cli_error(error).splitlines()
    assert printed == [f"error: {error}", cli]
    assert ui_message(error) == ui


def test_a_missing_endpoint_or_client_id_in_the_app_banner_and_on_the_command_line() -> None:
    """The app's error banner (every tab but Cognito's) says where in the app to give it."""
    endpoint = _raised(
        lambda: ServerMetadata(issuer="https://idp.example").require("revocation_endpoint")
    )
    assert endpoint.fix == (Endpoint("revocation_endpoint"),) and "--" not in str(endpoint)
    assert _cli_error(endpoint).splitlines()[1] == "  see --endpoint revocation_endpoint=URL"
    title, body = describe_error(endpoint)
    assert title == "Missing configuration"
    assert body.endswith("Give it by hand. See the endpoint fields of the provider profile.")

    client = _raised(lambda: authenticate(ClientConfig("", "sec"), {}, "https://idp.example/t"))
    assert _cli_error(client).splitlines() == [
        "error: No client id: set one in the provider profile.",
        "  see --client-id",
    ]
    assert describe_error(client)[1].endswith("See the client ID of the provider profile.")


def test_the_cognito_tab_words_an_error_in_its_own_fields_once(qtbot: QtBot) -> None:
    """The tab's banner and the pool fields' problem line name the tab's fields."""
    state = AppState()
    tab = CognitoTab(state)
    qtbot.addWidget(tab)
    tab.show_error(_raised(CognitoPool(region="us-east-1").require_client))
    body = tab.error_banner.text()
    assert body.endswith("This needs the app client id. See the App client ID.")
    assert "provider profile" not in body and "--client-id" not in body
    tab.pool_form.pool_id_edit.setText("eu-west-1_AbC123")
    tab.pool_form.region_edit.setText("us-east-1")
    assert tab.pool_form.pool_problem.text().endswith("leave it out. See the Region.")
    state.close()


#: The Cognito cases whose advice or message names a setting, and the fields of the Cognito tab
#: that give them (tests/cognito_error_cases.py builds each through the core's own path).
COGNITO_FIELDS_NAMED = {
    "secret_hash_missing": ("the Client secret field",),
    "UserNotFoundException": ("the User pool ID",),
    "ResourceNotFoundException": ("check the User pool ID, the App client ID and the region",),
    "AccessDeniedException": ("check the AWS profile, the credential chain",),
    "no_credentials": ("Use the AWS profile NAME",),
    "endpoint_connection": ("(region, the Endpoint URL, network)",),
    "profile_not_found": ("See the AWS profile.",),
    "no_region": ("See the Region or the User pool ID.",),
}


def _has_cli_option(text: str) -> bool:
    return re.search(r"--[a-z]", text) is not None or any(
        option.split()[0] in text for option in CLI_OPTIONS.values()
    )


@pytest.mark.parametrize(("name", "error"), list(cognito_errors()), ids=lambda v: str(v)[:40])
def test_the_cognito_tab_words_every_cognito_error_in_its_fields(
    name: str, error: WorkbenchError
) -> None:
    """The tab's banner body: the fields of the tab where the CLI names options, as before
    the settings became data (recorded in tests/cognito_error_words.json), never an option."""
    _, body = describe_error(error, places=UI_FIELDS)
    assert body == recorded_words()[name]["ui"]
    assert not _has_cli_option(body), body
    for words in COGNITO_FIELDS_NAMED.get(name, ()):
        assert words in html.unescape(body), (name, body)
    # The command line words the same error with its options, never the tab's fields.
    printed = io.StringIO()
    report_error(Out(io.StringIO(), printed), error)
    assert not any(field in printed.getvalue() for field in UI_FIELDS.values())


def test_the_cognito_tab_banner_names_its_fields_for_a_refusal(qtbot: QtBot) -> None:
    """A refusal whose advice names settings, shown by the tab itself."""
    errors = dict(cognito_errors())
    state = AppState()
    tab = CognitoTab(state)
    qtbot.addWidget(tab)
    tab.show_error(errors["ResourceNotFoundException"])
    body = tab.error_banner.text()
    assert "What to do:" in body
    assert "check the User pool ID, the App client ID and the region" in body
    assert not _has_cli_option(body)
    tab.show_error(errors["secret_hash_missing"])
    assert "supply the secret (the Client secret field, or the profile's secret)" in (
        tab.error_banner.text()
    )
    tab.show_error(errors["endpoint_connection"])
    assert "(region, the Endpoint URL, network)" in tab.error_banner.text()
    assert not _has_cli_option(tab.error_banner.text())
    state.close()


def test_other_tabs_word_a_cognito_setting_with_its_place_in_the_app() -> None:
    """Without the tab's own fields, the app's banner says where the setting lives."""
    _, body = describe_error(dict(cognito_errors())["UserNotFoundException"])
    assert "check the user name and the User pool ID on the Cognito tab." in body
    assert not _has_cli_option(body)


def test_the_pool_insight_words_its_settings_in_the_app() -> None:
    """The insight's advice and a resource server without scopes: the app's places, no option."""
    (problem,) = check_flow(INFO, "authorization_code", redirect_uri=REDIRECT_URI)
    advice = ui_words(problem.advice)
    assert advice.endswith("use it (the Redirect URI of the Authorization Code tab).")
    assert not _has_cli_option(advice)
    message = ui_message(no_scope_error())
    assert message == "Name at least one scope (the Scopes of the new resource server)."
    _, body = describe_error(no_scope_error(), places=UI_FIELDS)
    assert "the Scopes of the new resource server" in body and not _has_cli_option(body)


def test_every_setting_has_words_in_each_face() -> None:
    """A new Setting needs its option on the command line and its place in the app."""
    assert set(CLI_OPTIONS) == set(Setting) == set(APP_PLACES)
    assert set(UI_FIELDS) <= set(Setting)
