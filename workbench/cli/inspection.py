"""``workbench inspect``: decode a JWT and verify it (against an issuer, a JWKS or the demo)."""

from __future__ import annotations

import argparse
from typing import Any

from workbench.cli.common import (
    add_token_argument,
    demo_server,
    inspect_requested,
    open_session,
    positional_token,
    token_arg,
    unreadable_token,
)
from workbench.cli.output import Out, print_exchange, report_inspection
from workbench.core.errors import ConfigError, TransportError
from workbench.core.keys import load_key
from workbench.core.oauth.discovery import discover
from workbench.core.reality import guess_kind
from workbench.core.report.checks import record_inspection
from workbench.core.tokens.checks import inspect_token
from workbench.core.tokens.jwks import JwksCache
from workbench.core.transport.http import HttpClient
from workbench.demo.clients import DEMO_PASSWORD, DEMO_USERNAME, grant_provider


def register(sub: Any) -> argparse.ArgumentParser:
    ins: argparse.ArgumentParser = sub.add_parser(
        "inspect",
        help="decode a JWT and verify it",
        description="Decode a JWT and verify it. With any of --issuer, --jwks-uri, --audience,"
        " --client-id, --nonce, --access-token, --expect-typ or --dpop-key, every check that"
        " cannot be made (the issuer's keys unreachable, the token not a JWT) fails with exit"
        " code 4.",
    )
    add_token_argument(ins, "the token")
    ins.add_argument("--issuer", help="expected issuer; its JWKS verifies the signature")
    ins.add_argument(
        "--demo",
        action="store_true",
        help="verify against a fresh demo server (its key is new each run); without a token,"
        " inspect an access token it issues to the demo user alice",
    )
    ins.add_argument("--jwks-uri", help="verify against this JWKS instead of the issuer's")
    ins.add_argument("--audience", help="expected audience (aud)")
    ins.add_argument("--client-id", help="expected client_id claim (access tokens)")
    ins.add_argument("--nonce", help="expected nonce (ID tokens)")
    ins.add_argument(
        "--access-token", help="access token issued with this ID token (at_hash), or - for stdin"
    )
    ins.add_argument("--access-token-env", metavar="VAR", help="read --access-token from $VAR")
    ins.add_argument(
        "--code",
        help="authorization code issued with this ID token (c_hash, hybrid flow), or - for stdin",
    )
    ins.add_argument("--expect-typ", help='expected header typ, e.g. "at+jwt"')
    ins.add_argument(
        "--dpop-key",
        metavar="FILE",
        help="the DPoP private key in use: the token's cnf.jkt must be its thumbprint (RFC 9449)",
    )
    ins.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    ins.add_argument("--log", action="store_true", help="print every HTTP exchange")
    ins.add_argument("--json", action="store_true", help="print header, claims and findings")
    ins.set_defaults(run=cmd_inspect)
    return ins


def cmd_inspect(args: argparse.Namespace, out: Out) -> int:
    if args.demo:
        return _inspect_demo(args, out)
    return _inspect(args, out)


def _inspect_demo(args: argparse.Namespace, out: Out) -> int:
    """``inspect --demo``: verify against a fresh demo server; with no token, one of its own."""
    if args.issuer or args.jwks_uri:
        raise ConfigError("--demo is the issuer: leave out --issuer and --jwks-uri.")
    given = args.token is not None or args.token_env is not None
    with demo_server(out) as server:
        args.issuer = server.issuer
        if given:
            out.info(
                "note: --demo starts a fresh demo server with a new key; a token from another"
                " run fails its signature check."
            )
        else:
            out.info("Inspecting an access token the demo server issues to the demo user alice.")
            session = open_session(args, out, grant_provider(server.issuer, "password"))
            try:
                tokens = session.password(DEMO_USERNAME, DEMO_PASSWORD)
            finally:
                session.close()
            args.token, args.token_env = tokens.access_token, None
        return _inspect(args, out)


def _inspect(args: argparse.Namespace, out: Out) -> int:
    token = positional_token(args)
    access_token = token_arg(args.access_token, args.access_token_env, "access token")
    code = token_arg(args.code, None, "authorization code")
    unreadable = unreadable_token(args, out, token)
    if unreadable is not None:
        return unreadable
    http = HttpClient(verify_tls=not args.insecure)
    out.watch(http.log)
    if args.log:
        http.log.subscribe(lambda ex: print_exchange(out, ex))
    jwks_uri = args.jwks_uri
    unavailable: str | None = None
    if args.issuer and not jwks_uri:
        try:
            jwks_uri = discover(http, args.issuer).jwks_uri
        except TransportError as exc:
            unavailable = f"discovery failed: {exc}"
        else:
            if not jwks_uri:
                unavailable = f"the discovery document of {args.issuer} names no jwks_uri"
    cache = JwksCache.through(http)
    try:
        inspection = inspect_token(
            token,
            jwks=cache if jwks_uri else None,
            jwks_uri=jwks_uri,
            keys_unavailable=unavailable,
            verify=inspect_requested(args),
            issuer=args.issuer,
            audience=args.audience,
            client_id=args.client_id,
            nonce=args.nonce,
            access_token=access_token,
            code=code,
            expected_typ=args.expect_typ,
            dpop_jkt=load_key(args.dpop_key).thumbprint() if args.dpop_key else None,
        )
    finally:
        http.close()
    what = "ID token" if guess_kind(token) == "id" else "access token"
    record_inspection(http.log, inspection, what)
    return report_inspection(args, out, inspection)
