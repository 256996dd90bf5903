"""The grant registry: every grant has its builders, a parser, its command-line arguments and,
for a user flow, a tab; the command line offers exactly the registered grants."""

from __future__ import annotations

import argparse
import inspect

import pytest

import workbench.core.cognito.grants  # noqa: F401  (registers the Cognito door's grants)
from workbench.cli.main import build_parser
from workbench.core.oauth.grants import (
    GRANTS,
    CliArgument,
    Grant,
    grant,
    grant_names,
    register_grant,
)


def _token_parser() -> argparse.ArgumentParser:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    token = sub.choices["token"]
    assert isinstance(token, argparse.ArgumentParser)
    return token


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {flag for action in parser._actions for flag in action.option_strings}


def _grant_choices(parser: argparse.ArgumentParser) -> tuple[str, ...]:
    action = next(a for a in parser._actions if a.dest == "grant")
    assert action.choices is not None
    return tuple(action.choices)


def test_every_grant_of_the_app_is_registered_once_per_door() -> None:
    assert grant_names() == (
        "authorization_code",
        "client_credentials",
        "password",
        "implicit",
        "device_code",
        "refresh_token",
        "token_exchange",
        "jwt_bearer",
        "ciba",
    )
    assert grant_names("cognito") == (
        "cognito-password",
        "cognito-admin-password",
        "cognito-srp",
        "cognito-refresh",
    )
    assert set(GRANTS) == {*grant_names(), *grant_names("cognito")}


@pytest.mark.parametrize("name", sorted(GRANTS))
def test_a_grant_has_builders_a_parser_its_cli_arguments_and_a_tab(name: str) -> None:
    spec = grant(name)
    assert spec.name == name and spec.title
    assert spec.builders, "a grant builds at least one request"
    for step in (*spec.builders, *spec.parsers):
        assert callable(step) and inspect.signature(step).parameters
    assert spec.parser is spec.parsers[-1]
    token = _token_parser()
    assert name in _grant_choices(token)
    options = _options(token)
    missing = [arg.flag for arg in spec.cli_arguments if arg.flag not in options]
    assert not missing, f"--grant {name} reads options the command line lacks: {missing}"
    if spec.user_flow:
        assert spec.tab, f"{name} is a user flow without a tab"
    assert isinstance(spec.default_scope("openid profile api"), str)


def test_the_command_line_offers_exactly_the_registered_grants() -> None:
    assert sorted(_grant_choices(_token_parser())) == sorted(GRANTS)


def test_the_default_scope_is_what_each_grant_asks_for_without_one() -> None:
    # Client credentials has no user: the user scopes are left out (the CLI's and the app's
    # default); every other grant asks for the provider's scope.
    scope = "openid profile email offline_access api.read"
    assert grant("client_credentials").default_scope(scope) == "api.read"
    assert grant("password").default_scope(scope) == scope
    assert [g.name for g in GRANTS.values() if g.refresh_token and g.door == "oauth"] == [
        "authorization_code",
        "password",
        "device_code",
        "refresh_token",
        "ciba",
    ]


def test_a_name_is_registered_once() -> None:
    twin = Grant(
        name="password",
        title="again",
        grant_type="password",
        builders=(print,),
        parsers=(print,),
        public_client=True,
        needs_browser=False,
        refresh_token=False,
        cli_arguments=(CliArgument("--username", "x"),),
    )
    with pytest.raises(ValueError, match="taken"):
        register_grant(twin)
    with pytest.raises(KeyError, match="no grant 'token-exchange'"):
        grant("token-exchange")
