"""``workbench call URL``: call an API with a token, the resource server's side.

stdout carries the API's answer (with ``--json``: ``{"status", "headers", "body",
"challenge"}`` alone); stderr the status line, the challenge in words and, with ``--auto``,
every step of RFC 9728: the 401, the resource's metadata, the authorization server it names,
the token got there for that resource (RFC 8707 ``resource``) and the retried call. Exit 0 for a
2xx answer, 1 for 4xx/5xx (``error: <code>: <description>`` on stderr when challenged), 3 when
no answer came.

``--auto`` sends the client's credentials only to an authorization server the person named
(``--issuer``, the profile's issuer, or the demo server): a resource names its server itself,
and a hostile one could name a server that collects client secrets. A public client (no
secret) may follow a server the resource names; the run says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from workbench.cli.common import (
    demo_server,
    dpop_key_from_args,
    pairs,
    provider_args,
    provider_from_args,
    token_arg,
)
from workbench.cli.grants import GRANTS, grant_options, obtain_tokens
from workbench.cli.output import EXIT_OAUTH, EXIT_OK, Out, print_exchange
from workbench.core.display import printable
from workbench.core.errors import ConfigError
from workbench.core.model import Provider
from workbench.core.oauth.api_call import (
    API_MAX_BYTES,
    ApiCall,
    ApiResult,
    call_api,
    parse_header_line,
)
from workbench.core.oauth.rfc6750_bearer import NextStep
from workbench.core.oauth.rfc9449_dpop import DpopSigner
from workbench.core.oauth.rfc9728_resource import ResourceDiscovery, discover_resource
from workbench.core.transport.exchange import ExchangeLog
from workbench.core.transport.http import HttpClient
from workbench.core.transport.masking import mask_value
from workbench.core.transport.signer import NO_SIGNER
from workbench.demo.clients import grant_provider

#: Refusals ``--auto`` answers by getting a token: none accepted, or not this one.
_AUTO_STEPS = (NextStep.GET_TOKEN, NextStep.REFRESH, NextStep.REQUEST_SCOPE)


def register(sub: Any) -> argparse.ArgumentParser:
    cmd: argparse.ArgumentParser = sub.add_parser(
        "call",
        help="call an API with a token (RFC 6750); --auto follows a 401 to a token (RFC 9728)",
    )
    cmd.add_argument(
        "url", help="the API URL (with --demo, a path such as /api/local/me on the demo server)"
    )
    cmd.add_argument("--method", "-X", help="HTTP method (default GET, or POST with --data)")
    cmd.add_argument(
        "--header", "-H", action="append", default=[], metavar="'K: V'", help="a request header"
    )
    cmd.add_argument("--data", "-d", help="request body; @FILE reads a file, - standard input")
    cmd.add_argument(
        "--token",
        help="access token, or - to read it from standard input (a token on the command line"
        " is visible to other local users: prefer - or --token-env)",
    )
    cmd.add_argument("--token-env", metavar="VAR", help="read the token from $VAR")
    cmd.add_argument(
        "--auto",
        action="store_true",
        help="on a 401/403 challenge, follow the API's metadata (RFC 9728) to its authorization"
        " server, get a token for the API with --grant, and call again",
    )
    cmd.add_argument("--grant", choices=GRANTS, help="the grant --auto gets its token with")
    cmd.add_argument(
        "--json", action="store_true", help='print {"status", "headers", "body", "challenge"}'
    )
    provider_args(cmd)
    grant_options(cmd)
    cmd.set_defaults(run=cmd_call)
    return cmd


def cmd_call(args: argparse.Namespace, out: Out) -> int:
    if args.auto and not args.grant:
        raise ConfigError("--auto needs --grant: the grant to get the API's token with.")
    if args.demo:
        with demo_server(out) as server:
            args.url = urljoin(server.issuer + "/", args.url)
            return _run(args, out, server.issuer)
    return _run(args, out, None)


def _run(args: argparse.Namespace, out: Out, demo_issuer: str | None) -> int:
    token = out.secret(token_arg(args.token, args.token_env))
    log = out.watch(ExchangeLog())
    if args.log:
        log.subscribe(lambda ex: print_exchange(out, ex))
    key = dpop_key_from_args(args, out)
    signer = DpopSigner(key, present_as_dpop=True) if key is not None else NO_SIGNER
    http = HttpClient(log, verify_tls=not args.insecure, signer=signer)
    call = ApiCall(
        url=args.url,
        method=args.method or ("POST" if args.data is not None else "GET"),
        headers=[parse_header_line(h) for h in args.header],
        body=_body(args.data),
        token=token,
    )
    try:
        result = call_api(http, call)
        _say_result(out, result, "")
        if args.auto and not result.ok and result.step in _AUTO_STEPS:
            result = _follow(args, out, http, call, result, demo_issuer)
    finally:
        http.close()
    return _print(args, out, result)


def _body(data: str | None) -> bytes | None:
    if data is None:
        return None
    if data == "-":
        return sys.stdin.buffer.read(API_MAX_BYTES + 1)[:API_MAX_BYTES] if sys.stdin else b""
    if data.startswith("@"):
        path = Path(data[1:])
        try:
            if path.stat().st_size > API_MAX_BYTES:
                raise ConfigError(f"{path} is larger than {API_MAX_BYTES // (1024 * 1024)} MiB.")
            return path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"Cannot read the body from {path}: {exc.strerror}.") from exc
    return data.encode()


def _say_result(out: Out, result: ApiResult, prefix: str) -> None:
    out.info(f"{prefix}{result.status} {result.reason} ({result.elapsed_ms:.0f} ms)")
    if result.explanation:
        out.info(f"{prefix}  " + out.mask(result.explanation))


def _follow(
    args: argparse.Namespace,
    out: Out,
    http: HttpClient,
    call: ApiCall,
    first: ApiResult,
    demo_issuer: str | None,
) -> ApiResult:
    """RFC 9728 from a refusal to a retried call, every step on stderr; when the retried call
    is refused for want of a scope the API names, one more token with that scope."""
    challenge = first.challenge
    out.info("step 1: the API refused the call; looking for its metadata (RFC 9728)")
    found = discover_resource(http, call.url, challenge.resource_metadata if challenge else None)
    _say_discovery(out, found)
    server = _trusted_server(args, out, found, demo_issuer)
    scope = args.scope or (challenge.scope if challenge else None)
    if not scope and found.metadata.scopes_supported:
        scope = " ".join(found.metadata.scopes_supported)
        out.info("  no scope asked or named by the API: asking for every scope it lists")
    result = _token_and_retry(args, out, http, call, found, server, scope, demo_issuer, 3)
    wanted = result.challenge.scope if result.challenge else None
    if (
        result.step is NextStep.REQUEST_SCOPE
        and wanted
        and not set(wanted.split()) <= set((scope or "").split())
    ):
        more = " ".join(dict.fromkeys([*(scope or "").split(), *wanted.split()]))
        result = _token_and_retry(args, out, http, call, found, server, more, demo_issuer, 5)
    return result


def _token_and_retry(
    args: argparse.Namespace,
    out: Out,
    http: HttpClient,
    call: ApiCall,
    found: ResourceDiscovery,
    server: str,
    scope: str | None,
    demo_issuer: str | None,
    step: int,
) -> ApiResult:
    resource = found.metadata.resource
    provider = _provider(args, server, scope, demo_issuer is not None)
    extra = {**provider.extra, **pairs(args.param, "--param"), "resource": resource}
    args.resource, args.scope = resource, scope
    out.info(
        f"step {step}: a token from {server} with --grant {args.grant} for resource {resource}"
        + (f" and scope “{scope}”" if scope else "")
    )
    tokens = obtain_tokens(args, out, provider, extra, demo_issuer is not None, http.log)
    out.secret(tokens.access_token)
    out.info(f"step {step + 1}: calling the API again with the new token")
    retry = ApiCall(call.url, call.method, call.headers, call.body, tokens.access_token)
    again = call_api(http, retry)
    _say_result(out, again, "  ")
    return again


def _say_discovery(out: Out, found: ResourceDiscovery) -> None:
    for attempt in found.attempts:
        out.info(f"  {printable(attempt.candidate.url)}: {out.mask(attempt.outcome)}")
    meta = found.metadata
    servers = ", ".join(printable(s) for s in meta.authorization_servers)
    out.info(f"step 2: resource {printable(meta.resource)} names authorization server(s) {servers}")
    if meta.scopes_supported:
        out.info("  scopes it knows: " + printable(" ".join(meta.scopes_supported)))


def _trusted_server(
    args: argparse.Namespace, out: Out, found: ResourceDiscovery, demo_issuer: str | None
) -> str:
    """The authorization server to get the token from: one the person named, or (for a public
    client only) the first the resource names."""
    named = demo_issuer or args.issuer or _profile_issuer(args)
    servers = found.metadata.authorization_servers
    if named:
        if named.rstrip("/") in {s.rstrip("/") for s in servers}:
            return named
        raise ConfigError(
            f"The API names authorization server(s) {', '.join(servers)}, not {named}; its "
            "tokens come from there. Run again with --issuer set to one of them to trust it."
        )
    if args.client_secret or args.client_secret_env:
        raise ConfigError(
            f"The API names authorization server {servers[0]}. A client secret is only sent to "
            "a server you name: run again with --issuer " + servers[0] + "."
        )
    out.info(f"  note: following {servers[0]}, the server the API names (a public client)")
    return servers[0]


def _profile_issuer(args: argparse.Namespace) -> str | None:
    if not args.profile:
        return None
    return provider_from_args(args, None).issuer or None


def _provider(args: argparse.Namespace, issuer: str, scope: str | None, demo: bool) -> Provider:
    if demo:
        return grant_provider(issuer, args.grant, scope)
    saved_issuer = args.issuer
    args.issuer = issuer
    try:
        return provider_from_args(args, scope)
    finally:
        args.issuer = saved_issuer


def _print(args: argparse.Namespace, out: Out, result: ApiResult) -> int:
    if args.json:
        out.result(json.dumps(mask_value(result.to_dict(), out.secrets()), indent=2))
    else:
        body = mask_value(result.body_value(), out.secrets())
        out.result(
            body if isinstance(body, str) else json.dumps(body, indent=2, ensure_ascii=False)
        )
    if result.ok:
        return EXIT_OK
    if result.challenge is not None and result.challenge.error:
        description = result.challenge.get("error_description") or ""
        out.info(out.mask(f"error: {result.challenge.error}: {description}".rstrip(": ")))
    else:
        out.info(f"error: http: the API answered {result.status} {result.reason}")
    return EXIT_OAUTH
