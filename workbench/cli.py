"""The headless twin: every flow of the core from the command line (no Qt here, ever).

stdout carries only the result (with ``--json``, only the server's JSON); progress, the authorize
URL, the device user code and its QR code go to stderr. Exit codes: 0 success, 1 the flow failed
(OAuth error or a failed client-side check), 2 usage or configuration, 3 transport, 4 ``inspect``
found a failing check, a check it was asked for and could not make, or an undecodable token,
130 interrupted.

Everything human-readable is passed through :func:`printable` (a claim or an error description
cannot move the cursor or fake a line), and error lines are masked with every secret the run
knew or sent. ``--json`` output is exact JSON (``json.dumps`` escapes control characters).
Token arguments also come from ``-`` (standard input) or ``--…-env VAR``, so they need not
appear in the process list, and a token that begins with ``-`` is still read as a token.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from workbench import __version__
from workbench.core import bounded_json
from workbench.core.claims import TIME_CLAIMS, claim_rows, describe_time
from workbench.core.client_auth import AUTH_METHODS, ClientConfig
from workbench.core.discovery import ENDPOINT_NAMES, describe_sources, discover
from workbench.core.display import is_web_url, printable, require_web_url
from workbench.core.errors import (
    ConfigError,
    FlowError,
    OAuthError,
    TokenError,
    TransportError,
    WorkbenchError,
)
from workbench.core.flows.refresh import ROTATION_TEXT
from workbench.core.flows.rfc6749_grants import PASSWORD_WARNING
from workbench.core.flows.rfc6749_implicit import IMPLICIT_RESPONSE_TYPES, LEGACY_WARNING
from workbench.core.flows.rfc8628_device import DeviceAuthorization, DevicePoll
from workbench.core.http import Exchange, ExchangeLog, HttpClient
from workbench.core.jwks import JwksCache
from workbench.core.loopback import OPEN_BY_HAND
from workbench.core.masking import mask_text
from workbench.core.model import Provider
from workbench.core.profiles import Profile, ProfileStore
from workbench.core.secrets import SecretStore
from workbench.core.session import OAuthSession, PendingAuthorization, run_to_end
from workbench.core.tokens import (
    Inspection,
    decode_jwt,
    expiry,
    inspect_token,
    token_kind,
    verification_requested,
)
from workbench.core.tokenset import TokenSet

EXIT_OK, EXIT_OAUTH, EXIT_USAGE, EXIT_TRANSPORT, EXIT_CHECK, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130

GRANTS = (
    "authorization_code",
    "client_credentials",
    "password",
    "implicit",
    "device_code",
    "refresh_token",
)
#: Grants the public demo client runs; the others use the confidential demo client.
PUBLIC_DEMO_GRANTS = ("authorization_code", "implicit", "device_code")


class Out:
    """Where text goes: ``result`` is stdout, ``info`` is stderr.

    Both show control characters as visible escapes (line breaks stay). ``mask`` hides every
    secret this run was given or sent, for the lines that echo what a server said.
    """

    def __init__(self, stdout: TextIO, stderr: TextIO) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self._secrets: set[str] = set()
        self._logs: list[ExchangeLog] = []
        #: ``--log-full``: print response bodies whole instead of collapsing long ones.
        self.log_full = False

    def result(self, text: str = "") -> None:
        print(printable(text, keep_newlines=True), file=self.stdout, flush=True)

    def info(self, text: str = "") -> None:
        print(printable(text, keep_newlines=True), file=self.stderr, flush=True)

    def secret(self, value: str | None) -> str | None:
        """Remember ``value`` as a secret of this run (returned unchanged)."""
        if value:
            self._secrets.add(value)
        return value

    def watch(self, log: ExchangeLog) -> ExchangeLog:
        """Mask, in error lines, every secret that requests through ``log`` carried."""
        self._logs.append(log)
        return log

    def mask(self, text: str) -> str:
        secrets = set(self._secrets)
        for log in self._logs:
            secrets |= log.secrets()
        return mask_text(text, secrets)


# -- argument parsing ------------------------------------------------------------------------
def _provider_args(p: argparse.ArgumentParser, *, demo: bool = True) -> None:
    g = p.add_argument_group("provider (pick --issuer, --profile or --demo)")
    g.add_argument("--issuer", help="issuer URL; endpoints come from its discovery document")
    g.add_argument("--client-id", help="OAuth client id")
    g.add_argument("--client-secret", help="client secret (visible to other users: prefer -env)")
    g.add_argument("--client-secret-env", metavar="VAR", help="read the client secret from $VAR")
    g.add_argument("--auth-method", choices=AUTH_METHODS, help="client authentication method")
    g.add_argument(
        "--endpoint",
        action="append",
        default=[],
        metavar="NAME=URL",
        help=f"set or override an endpoint ({', '.join(ENDPOINT_NAMES)})",
    )
    g.add_argument("--profile", help="a saved provider profile")
    if demo:
        g.add_argument(
            "--demo", action="store_true", help="start the embedded demo server and use it"
        )
    g.add_argument(
        "--insecure", action="store_true", help="do not verify TLS certificates (test servers)"
    )
    p.add_argument("--log", action="store_true", help="print every HTTP exchange (masked) and curl")


def _add_log_full(parser: argparse.ArgumentParser) -> None:
    """``--log-full`` beside every ``--log`` (of this command and of its sub-commands)."""
    if "--log" in parser._option_string_actions:
        parser.add_argument(
            "--log-full",
            action="store_true",
            help="like --log, with long response bodies printed whole instead of collapsed",
        )
    for sub in _subcommands(parser).values():
        _add_log_full(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Token Workbench: OAuth 2.0 and OpenID Connect tokens, from the command line.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from workbench import cli_cognito  # registered here, imported late (it imports this module)

    tok = sub.add_parser("token", help="get tokens with one grant")
    tok.add_argument("--grant", required=True, choices=(*GRANTS, *cli_cognito.COGNITO_GRANTS))
    _provider_args(tok)
    tok.add_argument("--scope", help='space-separated scopes, e.g. "openid profile"')
    tok.add_argument("--audience", help="audience parameter (Auth0 and others)")
    tok.add_argument("--resource", help="resource indicator (RFC 8707)")
    tok.add_argument("--param", action="append", default=[], metavar="K=V", help="extra parameter")
    tok.add_argument("--username", help="user name (password grant)")
    tok.add_argument("--password-env", metavar="VAR", help="read the password from $VAR")
    tok.add_argument(
        "--refresh-token",
        help="refresh token (refresh_token grant), or - to read it from standard input"
        " (visible to other users on the command line: prefer - or -env)",
    )
    tok.add_argument("--refresh-token-env", metavar="VAR", help="read the refresh token from $VAR")
    tok.add_argument(
        "--redirect-uri",
        help="loopback redirect, http://127.0.0.1:PORT/callback (default: any free port)",
    )
    tok.add_argument("--no-browser", action="store_true", help="print the URL, do not open it")
    tok.add_argument(
        "--response-type",
        choices=IMPLICIT_RESPONSE_TYPES,
        help="implicit grant response type (default: token if the server lists it, else"
        " id_token token; refused before the browser opens when the server does not offer it)",
    )
    tok.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait for a browser or device login"
    )
    tok.add_argument(
        "--pkce",
        action="store_true",
        help="device flow: send a PKCE S256 code_challenge with the device authorization request"
        " and the code_verifier with every poll (Keycloak requires it for clients set to PKCE;"
        " a profile can turn it on for good)",
    )
    tok.add_argument("--json", action="store_true", help="print the token response as JSON")

    ins = sub.add_parser(
        "inspect",
        help="decode a JWT and verify it",
        description="Decode a JWT and verify it. With any of --issuer, --jwks-uri, --audience,"
        " --client-id, --nonce, --access-token or --expect-typ, every check that cannot be made"
        " (the issuer's keys unreachable, the token not a JWT) fails with exit code 4.",
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
    ins.add_argument("--expect-typ", help='expected header typ, e.g. "at+jwt"')
    ins.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    ins.add_argument("--log", action="store_true", help="print every HTTP exchange")
    ins.add_argument("--json", action="store_true", help="print header, claims and findings")

    server_calls: dict[str, argparse.ArgumentParser] = {}
    for name, text in (
        ("revoke", "revoke a token (RFC 7009)"),
        ("introspect", "ask the server about a token (RFC 7662)"),
        ("userinfo", "call UserInfo with an access token"),
    ):
        cmd = sub.add_parser(name, help=text)
        add_token_argument(cmd, "the token")
        _provider_args(cmd)
        if name != "userinfo":
            cmd.add_argument(
                "--token-type-hint", choices=("access_token", "refresh_token"), default=None
            )
        cmd.add_argument("--json", action="store_true", help="print the server's JSON")
        server_calls[name] = cmd

    disc = sub.add_parser("discover", help="fetch and check an issuer's metadata")
    disc.add_argument("--issuer", help="the issuer URL (or --demo)")
    disc.add_argument(
        "--demo", action="store_true", help="start the embedded demo server and discover it"
    )
    disc.add_argument("--insecure", action="store_true")
    disc.add_argument("--log", action="store_true", help="print every HTTP exchange")

    prof = sub.add_parser("profile", help="save, list or delete provider profiles")
    prof_sub = prof.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    prof_sub.add_parser("list", help="list saved profiles")
    save = prof_sub.add_parser("save", help="save a profile (secret goes to the keyring)")
    save.add_argument("name")
    save.add_argument("--issuer", default="")
    save.add_argument("--client-id", default="")
    save.add_argument("--client-secret-env", metavar="VAR")
    save.add_argument("--auth-method", choices=AUTH_METHODS)
    save.add_argument("--scope", default="")
    save.add_argument("--endpoint", action="append", default=[], metavar="NAME=URL")
    save.add_argument("--param", action="append", default=[], metavar="K=V")
    save.add_argument("--redirect-port", type=int, default=0)
    save.add_argument("--insecure", action="store_true")
    save.add_argument(
        "--device-pkce",
        action="store_true",
        help="PKCE on device requests: the device flow always sends it (as --pkce does)",
    )
    delete = prof_sub.add_parser("delete", help="delete a profile and its secret")
    delete.add_argument("name")

    demo = sub.add_parser("demo-server", help="run the embedded demo authorization server")
    demo.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    demo.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    demo.add_argument("--access-token-ttl", type=int, default=300, metavar="S")
    demo.add_argument(
        "--require-device-pkce",
        action="store_true",
        help="refuse device authorization requests without a PKCE S256 code_challenge (as"
        " Keycloak does for clients set to PKCE) and check the code_verifier of every poll",
    )
    cli_cognito.register(sub, token=tok, inspect=ins, revoke=server_calls["revoke"])
    _add_log_full(parser)
    return parser


def add_token_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """The positional token of a command, with ``-`` for stdin and ``--token-env VAR``."""
    parser.add_argument(
        "token",
        nargs="?",
        help=f"{what}, or - to read it from standard input (a token on the command line is"
        " visible to other local users: prefer - or --token-env)",
    )
    parser.add_argument("--token-env", metavar="VAR", help="read the token from $VAR")


def _pairs(items: Sequence[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"{what} must look like NAME=VALUE, got {item!r}.")
        out[key.strip()] = value
    return out


def _env(var: str, what: str) -> str:
    value = os.environ.get(var)
    if value is None:
        raise ConfigError(f"The environment variable {var} (for the {what}) is not set.")
    return value


# -- providers and the demo server -----------------------------------------------------------
@contextlib.contextmanager
def _demo_server(out: Out) -> Iterator[Any]:
    from workbench.demo.server import DemoConfig, DemoServer

    server = DemoServer(DemoConfig())
    server.start()
    out.info(f"Demo authorization server running at {server.issuer}")
    try:
        yield server
    finally:
        server.stop()


def _demo_provider(issuer: str, grant: str, scope: str | None) -> Provider:
    from workbench.demo import accounts

    if grant in PUBLIC_DEMO_GRANTS:
        client = ClientConfig(accounts.NATIVE_CLIENT_ID, None, "none")
    else:
        client = ClientConfig(accounts.CONFIDENTIAL_CLIENT_ID, accounts.CONFIDENTIAL_CLIENT_SECRET)
    default_scope = "openid profile email"
    if grant == "client_credentials":  # the app's demo scope; the session keeps its API part
        default_scope = accounts.CONFIDENTIAL_DEMO_SCOPE
    elif grant in ("password", "refresh_token", "authorization_code", "device_code"):
        default_scope += " offline_access"
    return Provider(client=client, issuer=issuer, scope=scope or default_scope, name="Demo")


def _provider_from_args(args: argparse.Namespace, scope: str | None) -> Provider:
    endpoints = _pairs(args.endpoint, "--endpoint")
    unknown = sorted(set(endpoints) - set(ENDPOINT_NAMES))
    if unknown:
        raise ConfigError(f"Unknown endpoint name(s) {', '.join(unknown)}.")
    secret = args.client_secret
    if args.client_secret_env:
        secret = _env(args.client_secret_env, "client secret")
    if args.profile:
        store = SecretStore()
        profile = ProfileStore().get(args.profile)
        base = profile.to_provider(store)
        client = ClientConfig(
            args.client_id or base.client.client_id,
            secret or base.client.client_secret,
            args.auth_method or base.client.auth_method,
        )
        return Provider(
            client=client,
            issuer=args.issuer or base.issuer,
            endpoints={**base.endpoints, **endpoints},
            scope=scope if scope is not None else base.scope,
            extra=base.extra,
            verify_tls=base.verify_tls and not args.insecure,
            name=base.name,
            device_pkce=base.device_pkce,
        )
    if not args.issuer and not endpoints:
        raise ConfigError("Say which server: --issuer URL, --profile NAME or --demo.")
    if not args.client_id and args.command != "userinfo":  # UserInfo needs only the token
        raise ConfigError("--client-id is required with --issuer.")
    return Provider(
        client=ClientConfig(args.client_id or "", secret, args.auth_method),
        issuer=args.issuer,
        endpoints=endpoints,
        scope=scope or "",
        verify_tls=not args.insecure,
    )


def _session(args: argparse.Namespace, out: Out, provider: Provider) -> OAuthSession:
    if not provider.verify_tls:
        out.info("warning: TLS certificate verification is OFF for this run (--insecure).")
    session = OAuthSession(provider)
    out.watch(session.log)
    out.secret(provider.client.client_secret)
    if getattr(args, "log", False):
        session.log.subscribe(lambda ex: _print_exchange(out, ex))
    return session


def _print_exchange(out: Out, ex: Exchange) -> None:
    status = f"{ex.status} {ex.reason}" if ex.status is not None else f"failed: {ex.error}"
    out.info(
        f"--- #{ex.id} {ex.purpose or ex.method}: {ex.method} {ex.url} -> {status} "
        f"({ex.duration_ms:.0f} ms)"
    )
    if ex.request_form:
        out.info("    form: " + json.dumps(dict(ex.request_form)))
    if ex.response_body:
        body = ex.response_body if out.log_full else collapse_body(ex.response_body)
        out.info("    " + printable(body, keep_newlines=True).replace("\n", "\n    "))
    out.info("    " + ex.curl)


#: ``--log`` shows a response body whole up to this many characters; past it, a JSON object
#: shows its first keys (each value cut to :data:`LOG_VALUE_CHARS`) and any other body its
#: start, with a line saying how much was left out. ``--log-full`` shows everything.
LOG_BODY_CHARS = 1200
LOG_MAX_KEYS = 10
LOG_VALUE_CHARS = 100
_LOG_FULL_HINT = "--log-full shows it all"


def _size(text: str) -> int:
    return len(text.encode("utf-8", "replace"))


def collapse_body(body: str) -> str:
    """A long response body made short for ``--log``, saying how many keys or bytes it left
    out; a body of at most :data:`LOG_BODY_CHARS` characters comes back unchanged."""
    if len(body) <= LOG_BODY_CHARS:
        return body
    try:
        doc = bounded_json.loads(body)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        head = body[:LOG_BODY_CHARS]
        return f"{head}\n… {_size(body) - _size(head):,} more bytes left out ({_LOG_FULL_HINT})"
    lines = ["{"]
    used = 0
    shown = 0
    cut = 0
    for key, value in doc.items():
        if shown >= LOG_MAX_KEYS or used >= LOG_BODY_CHARS:
            break
        text = json.dumps(value, ensure_ascii=False)
        if len(text) > LOG_VALUE_CHARS:
            kept = text[:LOG_VALUE_CHARS]
            cut += _size(text) - _size(kept)
            text = f"{kept}… [{_size(text) - _size(kept):,} more bytes]"
        line = f"  {json.dumps(key, ensure_ascii=False)}: {text},"
        lines.append(line)
        used += len(line)
        shown += 1
    rest = {k: doc[k] for k in list(doc)[shown:]}
    left: list[str] = []
    if rest:
        noun = "key" if len(rest) == 1 else "keys"
        size = _size(json.dumps(rest, ensure_ascii=False)) - 2
        left.append(f"{len(rest)} more {noun} of {len(doc)} ({size:,} bytes)")
    if cut:
        left.append(f"{cut:,} bytes of long values")
    if left:
        lines.append(f"  … left out: {' and '.join(left)} ({_LOG_FULL_HINT})")
    else:
        lines[-1] = lines[-1].removesuffix(",")
    lines.append("}")
    return "\n".join(lines)


# -- output ----------------------------------------------------------------------------------
def _print_token_summary(out: Out, tokens: TokenSet) -> None:
    scope = f", scope: {tokens.scope}" if tokens.scope else ""
    lifetime = f", expires in {tokens.expires_in:g} s" if tokens.expires_in is not None else ""
    out.result(f"token_type: {tokens.token_type or '?'}{lifetime}{scope}")
    for name in ("access_token", "id_token", "refresh_token"):
        value = getattr(tokens, name)
        if not value:
            continue
        out.result("")
        out.result(f"{name}: {value}")
        if token_kind(value) == "jwt":
            _print_claims(out, value)
        else:
            out.result("  (opaque: not a JWT; ask the server with `workbench introspect`)")


def _print_claims(out: Out, token: str) -> None:
    try:
        decoded = decode_jwt(token)
    except TokenError as exc:
        out.result(f"  (cannot decode: {exc})")
        return
    out.result("  header: " + json.dumps(decoded.header))
    now = time.time()
    rows = claim_rows(decoded.claims, now)
    width = max((len(r.name) for r in rows), default=0)
    for row in rows:
        out.result(f"  {printable(row.name):<{width}}  {printable(row.display)}")
    ex = expiry(decoded.claims, now)
    if ex.expires_at is not None:
        out.result(f"  -> {ex.describe()}")


def _print_inspection(out: Out, inspection: Inspection) -> None:
    _print_claims(out, inspection.decoded.raw)
    out.result("")
    out.result("checks:")
    for f in inspection.findings:
        mark = {"pass": "PASS", "fail": "FAIL", "not_checked": "----"}[f.outcome.value]
        out.result(f"  {mark}  {f.check:<10} {printable(f.reason)}")


# -- commands --------------------------------------------------------------------------------
def cmd_token(args: argparse.Namespace, out: Out) -> int:
    if args.pkce and args.grant != "device_code":
        raise ConfigError(
            "--pkce is for --grant device_code (the authorization_code grant always sends PKCE)."
        )
    if args.grant.startswith("cognito-"):
        from workbench import cli_cognito

        return cli_cognito.cmd_token(args, out)
    params = _pairs(args.param, "--param")
    if args.demo:
        with _demo_server(out) as server:
            provider = _demo_provider(server.issuer, args.grant, args.scope)
            return _run_grant(args, out, provider, {**provider.extra, **params}, demo=True)
    provider = _provider_from_args(args, args.scope)
    return _run_grant(args, out, provider, {**provider.extra, **params}, demo=False)


def _password(args: argparse.Namespace, out: Out, demo: bool) -> tuple[str, str]:
    username = args.username
    if args.password_env:
        password = _env(args.password_env, "password")
    elif demo and (username in (None, "alice")):
        from workbench.demo import accounts

        username = "alice"
        password = accounts.USERS["alice"].password
        out.info("Using the demo user alice.")
    else:
        if not username:
            raise ConfigError("--username is required for the password grant.")
        if not sys.stdin or not sys.stdin.isatty():
            raise ConfigError("No terminal to ask for the password: use --password-env VAR.")
        password = getpass.getpass(f"Password for {username}: ", stream=out.stderr)
    if not username:
        raise ConfigError("--username is required for the password grant.")
    out.secret(password)
    return username, password


def _redirect_port(uri: str | None) -> int:
    if not uri:
        return 0
    from urllib.parse import urlsplit

    parts = urlsplit(uri)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost"):
        raise ConfigError("--redirect-uri must be a loopback URL: http://127.0.0.1:PORT/callback")
    if parts.path not in ("", "/callback"):
        raise ConfigError("--redirect-uri path must be /callback.")
    return parts.port or 0


def _run_grant(
    args: argparse.Namespace, out: Out, provider: Provider, extra: dict[str, str], demo: bool
) -> int:
    session = _session(args, out, provider)
    grant = args.grant
    rotation_text: str | None = None
    try:
        if grant == "client_credentials":
            tokens = session.client_credentials(
                args.scope, audience=args.audience, resource=args.resource, extra=extra
            )
        elif grant == "password":
            out.info("warning: " + PASSWORD_WARNING)
            username, password = _password(args, out, demo)
            tokens = session.password(
                username, password, audience=args.audience, resource=args.resource, extra=extra
            )
        elif grant in ("authorization_code", "implicit"):
            if grant == "implicit":
                out.info("warning: " + LEGACY_WARNING)
            for key, value in (("audience", args.audience), ("resource", args.resource)):
                if value:
                    extra[key] = value
            tokens = _browser_flow(args, out, session, grant, extra)
        elif grant == "device_code":
            tokens = _device_flow(args, out, session, extra)
        else:
            refresh_token = out.secret(refresh_token_arg(args))
            if not refresh_token and demo:
                out.info("Getting a refresh token for the demo user alice first (password grant).")
                from workbench.demo import accounts

                first = session.password("alice", accounts.USERS["alice"].password)
                refresh_token = first.refresh_token
            if not refresh_token:
                raise ConfigError("--refresh-token is required for the refresh_token grant.")
            result = session.refresh(refresh_token, args.scope, extra)
            tokens = result.tokens
            rotation_text = ROTATION_TEXT[result.rotation]
    finally:
        session.close()
    if rotation_text:
        out.info("refresh token " + rotation_text)
    if args.json:
        out.result(json.dumps(tokens.to_dict(), indent=2))
    else:
        _print_token_summary(out, tokens)
    return EXIT_OK


def _browser_flow(
    args: argparse.Namespace,
    out: Out,
    session: OAuthSession,
    grant: str,
    extra: dict[str, str],
) -> TokenSet:
    import webbrowser

    if grant == "authorization_code":
        response_type = "code"
    else:
        response_type = session.implicit_response_type(args.response_type)
        if not args.response_type:
            listed = session.metadata().response_types_supported
            source = "chosen from" if listed else "the default: nothing in"
            out.info(
                f"response type: {response_type} ({source} the server's response_types_supported)"
            )
    login = session.browser_login(
        response_type=response_type,
        port=_redirect_port(args.redirect_uri),
        extra=extra,
        timeout=args.timeout,
    )
    pending = next(login)
    assert isinstance(pending, PendingAuthorization)
    try:
        out.info("Open this URL to sign in:")
        out.info(pending.url)
        if not args.no_browser:
            url = require_web_url(pending.url, "authorization URL")
            try:
                opened = webbrowser.open(url)
            except webbrowser.Error:
                opened = False
            if not opened:
                out.info(BROWSER_FAILED_HINT)
        out.info(f"Waiting for the redirect on {pending.request.redirect_uri} …")
        return run_to_end(login)
    finally:
        login.close()  # closes the listener
        for stray in pending.rejected:  # another page or process called the redirect URI
            out.info(f"note: refused a request to the redirect URI: {printable(stray.reason)}")


#: Said when the system browser could not be opened (no browser, no display, a headless box).
BROWSER_FAILED_HINT = f"note: no web browser could be opened here. {OPEN_BY_HAND}"


def _print_qr(out: Out, data: str) -> None:
    import qrcode

    qr = qrcode.QRCode(border=1)
    qr.add_data(data)
    qr.make(fit=True)
    qr.print_ascii(out=out.stderr, invert=True)


def _device_flow(
    args: argparse.Namespace, out: Out, session: OAuthSession, extra: dict[str, str]
) -> TokenSet:
    cancel = threading.Event()
    login = session.device_login(extra=extra, cancel=cancel, pkce=True if args.pkce else None)
    auth = next(login)
    assert isinstance(auth, DeviceAuthorization)
    if auth.pkce is not None:
        out.info("PKCE: S256 code_challenge sent; every poll carries the code_verifier.")
    out.info(f"Go to {auth.verification_uri} and enter the code:  {auth.user_code}")
    if auth.verification_uri_complete:
        out.info(f"or open {auth.verification_uri_complete}")
    _print_qr(out, auth.qr_uri)
    out.info(f"The code expires in {auth.expires_in:g} s; polling every {auth.interval:g} s.")
    for note in auth.notes:
        out.info(f"note: {note}")
    deadline = time.monotonic() + args.timeout
    try:
        while True:
            if time.monotonic() > deadline:
                cancel.set()
                raise FlowError(f"Gave up after --timeout {args.timeout:g} s.", kind="timeout")
            status = next(login)
            assert isinstance(status, DevicePoll)
            if status.status == "slow_down":
                out.info(f"  slow_down: the server asks to poll every {status.interval:g} s")
            else:
                out.info(f"  pending ({status.seconds_left:.0f} s left)")
    except StopIteration as done:
        tokens: TokenSet = done.value
        out.info("Approved.")
        return tokens
    except KeyboardInterrupt:
        cancel.set()
        raise


def _token_arg(value: str | None, env: str | None = None, what: str = "token") -> str | None:
    """A token from ``--…-env VAR``, from stdin (``-``), or as given; ``None`` if none."""
    if env:
        if value is not None:
            raise ConfigError(f"Give the {what} either directly or with its -env option, not both.")
        value = _env(env, what)
    elif value == "-":
        value = sys.stdin.read() if sys.stdin is not None else ""
    if value is None:
        return None
    token = value.strip()
    if not token:
        raise ConfigError(f"The {what} is empty.")
    return token


def positional_token(args: argparse.Namespace) -> str:
    """The command's token: the positional argument, ``-`` for stdin, or ``--token-env``."""
    token = _token_arg(args.token, args.token_env)
    if token is None:
        raise ConfigError("No token given: pass it, - to read standard input, or --token-env VAR.")
    return token


def refresh_token_arg(args: argparse.Namespace) -> str | None:
    """``--refresh-token`` (``-`` for stdin) or ``--refresh-token-env``."""
    return _token_arg(args.refresh_token, args.refresh_token_env, "refresh token")


def inspect_requested(args: argparse.Namespace) -> bool:
    """Whether ``inspect`` was asked to verify anything (then nothing unverifiable passes)."""
    return verification_requested(
        args.issuer,
        args.jwks_uri,
        args.audience,
        args.client_id,
        args.nonce,
        args.access_token,
        args.access_token_env,
        args.expect_typ,
        getattr(args, "user_pool_id", None),
    )


def unreadable_token(args: argparse.Namespace, out: Out, token: str) -> int | None:
    """Handle a token that is not a readable JWT (opaque, encrypted, malformed).

    With nothing asked for, an opaque token is neutral (exit 0). Once verification was asked
    for, a token that cannot be verified fails (exit 4): ``inspect … && deploy`` must not pass.
    ``None`` when the token is a readable JWT and the checks should run.
    """
    kind = token_kind(token)
    if kind == "jwt":
        decode_jwt(token)  # a damaged JWT: TokenError, reported as "error: token: …", exit 4
        return None
    problem = (
        "opaque token: not a JWT, so it cannot be decoded; use `workbench introspect`"
        if kind == "opaque"
        else "encrypted token (JWE): it cannot be read without the recipient's private key"
    )
    requested = inspect_requested(args)
    if args.json:
        out.result(json.dumps({"kind": kind, "ok": not requested, "message": problem}))
    elif not requested:
        out.result(problem)
    if requested:
        raise TokenError(f"not verified: {problem}")
    return EXIT_OK


def cmd_inspect(args: argparse.Namespace, out: Out) -> int:
    if getattr(args, "user_pool_id", None):
        from workbench import cli_cognito

        return cli_cognito.cmd_inspect(args, out)
    if args.demo:
        return _inspect_demo(args, out)
    return _inspect(args, out)


def _inspect_demo(args: argparse.Namespace, out: Out) -> int:
    """``inspect --demo``: verify against a fresh demo server; with no token, one of its own."""
    if args.issuer or args.jwks_uri:
        raise ConfigError("--demo is the issuer: leave out --issuer and --jwks-uri.")
    given = args.token is not None or args.token_env is not None
    with _demo_server(out) as server:
        args.issuer = server.issuer
        if given:
            out.info(
                "note: --demo starts a fresh demo server with a new key; a token from another"
                " run fails its signature check."
            )
        else:
            from workbench.demo import accounts

            out.info("Inspecting an access token the demo server issues to the demo user alice.")
            session = _session(args, out, _demo_provider(server.issuer, "password", None))
            try:
                tokens = session.password("alice", accounts.USERS["alice"].password)
            finally:
                session.close()
            args.token, args.token_env = tokens.access_token, None
        return _inspect(args, out)


def _inspect(args: argparse.Namespace, out: Out) -> int:
    token = positional_token(args)
    access_token = _token_arg(args.access_token, args.access_token_env, "access token")
    unreadable = unreadable_token(args, out, token)
    if unreadable is not None:
        return unreadable
    http = HttpClient(verify_tls=not args.insecure)
    out.watch(http.log)
    if args.log:
        http.log.subscribe(lambda ex: _print_exchange(out, ex))
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
            expected_typ=args.expect_typ,
        )
    finally:
        http.close()
    return report_inspection(args, out, inspection)


def report_inspection(args: argparse.Namespace, out: Out, inspection: Inspection) -> int:
    """Print an inspection (JSON or text) and return its exit code."""
    if args.json:
        doc = inspection.to_dict()
        keys = ("header", "claims", "ok", "verification_requested", "findings")
        out.result(json.dumps({k: doc[k] for k in keys}, indent=2))
    else:
        _print_inspection(out, inspection)
    return EXIT_OK if inspection.ok else EXIT_CHECK


def cmd_server_call(args: argparse.Namespace, out: Out) -> int:
    if getattr(args, "cognito", False):
        from workbench import cli_cognito

        return cli_cognito.cmd_revoke(args, out)
    token = out.secret(positional_token(args))
    assert token is not None
    if args.demo:
        out.info(
            "note: --demo starts a fresh demo server; tokens from another run are unknown to it."
        )
        with _demo_server(out) as server:
            provider = _demo_provider(server.issuer, "client_credentials", None)
            return _server_call(args, out, provider, token)
    return _server_call(args, out, _provider_from_args(args, None), token)


def _server_call(args: argparse.Namespace, out: Out, provider: Provider, token: str) -> int:
    session = _session(args, out, provider)
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


def cmd_discover(args: argparse.Namespace, out: Out) -> int:
    if args.demo:
        if args.issuer:
            raise ConfigError("Give --issuer or --demo, not both.")
        with _demo_server(out) as server:
            return _discover(args, out, server.issuer)
    if not args.issuer:
        raise ConfigError("Say which server: --issuer URL or --demo.")
    return _discover(args, out, args.issuer)


def _discover(args: argparse.Namespace, out: Out, issuer: str) -> int:
    http = HttpClient(verify_tls=not args.insecure)
    if args.log:
        http.log.subscribe(lambda ex: _print_exchange(out, ex))
    try:
        meta = discover(http, issuer)
    finally:
        http.close()
    out.result(json.dumps(dict(meta.raw), indent=2))
    # Where each value came from, on stderr: stdout stays the (merged) document alone.
    out.info("sources:")
    for line in describe_sources(meta):
        out.info(f"  {line}")
    return EXIT_OK


def cmd_profile(args: argparse.Namespace, out: Out) -> int:
    store = ProfileStore()
    secrets = SecretStore()
    if args.profile_command == "list":
        profiles = store.load_all()
        if not profiles:
            out.result(f"No profiles saved yet ({store.path}).")
        for p in profiles.values():
            where = p.issuer or p.endpoints.get("token_endpoint", "")
            out.result(f"{p.name}: {where} client {p.client_id or '-'}")
        return EXIT_OK
    if args.profile_command == "delete":
        store.delete(args.name)
        secrets.delete(args.name)
        out.result(f"Deleted profile {args.name}.")
        return EXIT_OK
    profile = Profile(
        name=args.name,
        issuer=args.issuer,
        endpoints=_pairs(args.endpoint, "--endpoint"),
        client_id=args.client_id,
        auth_method=args.auth_method,
        scope=args.scope,
        extra_params=_pairs(args.param, "--param"),
        redirect_port=args.redirect_port,
        verify_tls=not args.insecure,
        device_pkce=args.device_pkce,
    )
    store.save(profile)
    if args.client_secret_env:
        secrets.set(args.name, _env(args.client_secret_env, "client secret"))
        out.info(secrets.where())
    out.result(f"Saved profile {args.name} in {store.path}.")
    return EXIT_OK


def cmd_demo_server(args: argparse.Namespace, out: Out) -> int:
    from workbench.demo.server import DemoConfig, DemoServer, describe

    server = DemoServer(
        DemoConfig(
            host=args.host,
            port=args.port,
            access_token_ttl=args.access_token_ttl,
            require_device_pkce=args.require_device_pkce,
        )
    )
    server.start()
    out.result(describe(server))
    out.result("Press Ctrl+C to stop.")
    try:
        threading.Event().wait()
    finally:
        server.stop()
    return EXIT_OK


def cmd_cognito_command(args: argparse.Namespace, out: Out) -> int:
    """``signout`` and ``cognito``: the commands :mod:`workbench.cli_cognito` adds."""
    from workbench import cli_cognito

    return cli_cognito.COMMANDS[args.command](args, out)


COMMANDS = {
    "token": cmd_token,
    "inspect": cmd_inspect,
    "revoke": cmd_server_call,
    "introspect": cmd_server_call,
    "userinfo": cmd_server_call,
    "discover": cmd_discover,
    "profile": cmd_profile,
    "demo-server": cmd_demo_server,
    "signout": cmd_cognito_command,
    "cognito": cmd_cognito_command,
}


def dash_tokens(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``argv`` rewritten so that a token beginning with ``-`` is read as a token.

    base64url has ``-`` in its alphabet, so about one opaque token in 64 begins with it, and
    argparse would take ``-Abc…`` for an unknown option. Within a command, a word that starts
    with ``-`` but is none of the command's options is a value: after an option that takes one
    it becomes ``--option=value``; otherwise it is a positional token and moves behind ``--``.
    """
    commands = _subcommands(parser)
    position = next((i for i, word in enumerate(argv) if word in commands), None)
    if position is None:
        return argv
    command = commands[argv[position]]
    if _subcommands(command):
        return argv  # a command with actions of its own takes no token before them
    options = command._option_string_actions
    head, rest = argv[: position + 1], argv[position + 1 :]
    kept: list[str] = []
    tokens: list[str] = []
    index = 0
    while index < len(rest):
        word = rest[index]
        if word == "--":
            kept.extend(rest[index:])
            break
        action = options.get(word)
        following = rest[index + 1] if index + 1 < len(rest) else None
        if (
            action is not None
            and action.nargs != 0
            and following is not None
            and following.startswith("-")
            and following != "-"
            and following.split("=", 1)[0] not in options
        ):
            kept.append(f"{word}={following}")
            index += 2
            continue
        if word.startswith("-") and word != "-" and word.split("=", 1)[0] not in options:
            tokens.append(word)
        else:
            kept.append(word)
        index += 1
    if not tokens:
        return [*head, *kept]
    if "--" in kept:
        at = kept.index("--")
        return [*head, *kept[:at], "--", *tokens, *kept[at + 1 :]]
    return [*head, *kept, "--", *tokens]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def report_error(out: Out, exc: WorkbenchError) -> int:
    """Print ``error: <code>: <description>`` and return the exit code for the error.

    What a server said is echoed, so it is masked with every secret of the run (a server that
    echoes the client secret or a refresh token in its error must not print it) and shown
    with control characters escaped.
    """

    def say(text: str) -> None:
        out.info(printable(out.mask(text)))

    if isinstance(exc, OAuthError):
        say(f"error: {exc.error}: {exc.description}" if exc.description else f"error: {exc}")
        if exc.uri:
            if is_web_url(exc.uri):
                say(f"  see {exc.uri}")
            else:
                say(f"  error_uri (not an http(s) URL, not shown as a link): {exc.uri!r}")
        if exc.advice:  # what to do: the error code's (invalid_client) or a CognitoError's
            say(f"  advice: {exc.advice}")
        return EXIT_OAUTH
    if isinstance(exc, TransportError):
        say(f"error: {exc.kind}: {exc}")
        return EXIT_TRANSPORT
    if isinstance(exc, FlowError):
        say(f"error: {exc.kind}: {exc}")
        return EXIT_OAUTH
    if isinstance(exc, TokenError):
        say(f"error: token: {exc}")
        return EXIT_CHECK
    say(f"error: {exc}")
    return EXIT_USAGE


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out = Out(stdout or sys.stdout, stderr or sys.stderr)
    parser = build_parser()
    args = parser.parse_args(dash_tokens(parser, sys.argv[1:] if argv is None else list(argv)))
    if not args.command:
        parser.print_help(out.stderr)
        return EXIT_USAGE
    if getattr(args, "log_full", False):
        out.log_full = args.log = True
    try:
        return COMMANDS[args.command](args, out)
    except WorkbenchError as exc:
        return report_error(out, exc)
    except KeyboardInterrupt:
        out.info("cancelled")
        return EXIT_INTERRUPTED
