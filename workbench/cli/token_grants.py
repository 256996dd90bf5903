"""``workbench token --grant …``: every OAuth grant of the core from the command line.

The grants a ``--grant`` value can name, and what runs each one, come from the parser
(:data:`workbench.cli.main.GRANT_RUNNERS`): this module runs the OAuth ones and
:mod:`workbench.cli.cognito` the Cognito API door's.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from workbench.cli.common import (
    demo_client_auth,
    demo_server,
    pairs,
    provider_args,
    provider_from_args,
)
from workbench.cli.grants import GRANTS, demo_bearer_setup, grant_options, obtain_tokens
from workbench.cli.output import EXIT_OK, Handler, Out, print_tokens
from workbench.core.errors import ConfigError
from workbench.core.model import Provider
from workbench.demo.clients import grant_provider

__all__ = ["GRANTS", "cmd_token", "register"]


def register(sub: Any, runners: Mapping[str, Handler]) -> argparse.ArgumentParser:
    """Add ``token``; ``runners`` says which grants ``--grant`` takes and what runs each."""
    tok: argparse.ArgumentParser = sub.add_parser("token", help="get tokens with one grant")
    tok.add_argument("--grant", required=True, choices=tuple(runners))
    provider_args(tok)
    grant_options(tok)
    tok.add_argument("--json", action="store_true", help="print the token response as JSON")

    def run(args: argparse.Namespace, out: Out) -> int:
        if args.pkce and args.grant != "device_code":
            raise ConfigError(
                "--pkce is for --grant device_code (the authorization_code grant always sends"
                " PKCE)."
            )
        browser = args.grant in ("authorization_code", "implicit")
        if (args.par or args.response_mode or args.request_object) and not browser:
            raise ConfigError(
                "--par, --response-mode and --request-object are for --grant"
                " authorization_code or implicit."
            )
        return runners[args.grant](args, out)

    tok.set_defaults(run=run)
    return tok


def cmd_token(args: argparse.Namespace, out: Out) -> int:
    """``token --grant`` with one of :data:`GRANTS`."""
    params = pairs(args.param, "--param")
    if args.demo:
        settings, client = demo_bearer_setup(args, out)
        with demo_server(out, args, **settings) as server:
            provider = grant_provider(server.issuer, args.grant, args.scope)
            provider = demo_client_auth(args, provider)
            if client is not None:  # jwt_bearer: the client whose key signs the assertion
                provider = replace(provider, client=client)
            return _run_grant(args, out, provider, {**provider.extra, **params}, demo=True)
    provider = provider_from_args(args, args.scope)
    return _run_grant(args, out, provider, {**provider.extra, **params}, demo=False)


def _run_grant(
    args: argparse.Namespace, out: Out, provider: Provider, extra: dict[str, str], demo: bool
) -> int:
    tokens = obtain_tokens(args, out, provider, extra, demo)
    print_tokens(args, out, tokens)
    return EXIT_OK
