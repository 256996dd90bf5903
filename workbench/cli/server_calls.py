"""``workbench revoke | introspect | userinfo``: ask the server about a token."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from workbench.cli.common import (
    add_token_argument,
    demo_client_auth,
    demo_server,
    open_session,
    positional_token,
    provider_args,
    provider_from_args,
)
from workbench.cli.output import EXIT_OK, Out
from workbench.core.display import printable
from workbench.core.model import Provider
from workbench.core.tokens.claims import TIME_CLAIMS, describe_time
from workbench.demo.clients import grant_provider


def register(sub: Any) -> dict[str, argparse.ArgumentParser]:
    """Add ``revoke``, ``introspect`` and ``userinfo``; their parsers by name."""
    parsers: dict[str, argparse.ArgumentParser] = {}
    for name, text in (
        ("revoke", "revoke a token (RFC 7009)"),
        ("introspect", "ask the server about a token (RFC 7662)"),
        ("userinfo", "call UserInfo with an access token"),
    ):
        cmd: argparse.ArgumentParser = sub.add_parser(name, help=text)
        add_token_argument(cmd, "the token")
        provider_args(cmd)
        if name != "userinfo":
            cmd.add_argument(
                "--token-type-hint", choices=("access_token", "refresh_token"), default=None
            )
        cmd.add_argument("--json", action="store_true", help="print the server's JSON")
        cmd.set_defaults(run=cmd_server_call)
        parsers[name] = cmd
    return parsers


def cmd_server_call(args: argparse.Namespace, out: Out) -> int:
    token = out.secret(positional_token(args))
    assert token is not None
    if args.demo:
        out.info(
            "note: --demo starts a fresh demo server; tokens from another run are unknown to it."
        )
        with demo_server(out, args) as server:
            provider = grant_provider(server.issuer, "client_credentials")
            return _server_call(args, out, demo_client_auth(args, provider), token)
    return _server_call(args, out, provider_from_args(args, None), token)


def _server_call(args: argparse.Namespace, out: Out, provider: Provider, token: str) -> int:
    session = open_session(args, out, provider)
    try:
        if args.command == "revoke":
            session.revoke(token, args.token_type_hint)
            out.result(
                "revoked (the server answered 200; RFC 7009 says the same for an unknown token)"
            )
            return EXIT_OK
        if args.command == "introspect":
            data = session.introspect(token, args.token_type_hint)
        else:
            data = session.userinfo(token)
    finally:
        session.close()
    if args.json:
        out.result(json.dumps(data, indent=2))
    elif args.command == "introspect":
        out.result("active: " + ("yes" if data.get("active") else "NO (the server's verdict)"))
        now = time.time()
        for key, value in data.items():
            if key == "active":
                continue
            line = f"  {printable(key)}: {printable(value)}"
            if key in TIME_CLAIMS:  # exp, iat, nbf (RFC 7662 §2.2): the epoch, then in words
                line += f"  ({describe_time(value, now)[0]})"
            out.result(line)
    else:
        for key, value in data.items():
            out.result(f"{printable(key)}: {printable(value)}")
    return EXIT_OK
