"""What the commands share: provider and token arguments, the demo server, the session.

Token arguments also come from ``-`` (standard input) or ``--…-env VAR``, so they need not
appear in the process list (:func:`workbench.cli.main.dash_tokens` makes sure a token that
begins with ``-`` is still read as a token).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from workbench.cli.output import EXIT_OK, Handler, Out, print_exchange
from workbench.core.display import printable
from workbench.core.errors import ConfigError, TokenError
from workbench.core.keys import SigningKey
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import (
    ASSERTION_AUDIENCES,
    AUTH_METHODS,
    ClientConfig,
    ClientKey,
    client_auth_method,
)
from workbench.core.oauth.discovery import ENDPOINT_NAMES
from workbench.core.oauth.rfc9396_rar import AuthorizationDetails, parse_authorization_details
from workbench.core.oauth.rfc9449_dpop import DpopSigner, load_or_create_key
from workbench.core.profiles import ProfileStore
from workbench.core.secrets import SecretStore
from workbench.core.session import OAuthSession
from workbench.core.tokens.checks import verification_requested
from workbench.core.tokens.decode import decode_jwt, token_kind
from workbench.core.transport.client_cert import ClientCertificate, load_client_certificate
from workbench.core.transport.exchange import ExchangeLog
from workbench.core.transport.http import HttpClient
from workbench.demo.clients import (
    PRIVATE_KEY_JWT_CLIENT_ID,
    SECRET_JWT_CLIENT_ID,
    SECRET_JWT_CLIENT_SECRET,
)


# -- dispatch --------------------------------------------------------------------------------
def handle(
    parser: argparse.ArgumentParser,
    run: Handler,
    *,
    when: Callable[[argparse.Namespace], bool] | None = None,
) -> None:
    """Make ``run`` the handler of the command ``parser`` parses.

    With ``when``, ``run`` takes the arguments it claims and the handler set before keeps the
    rest: a module that adds options to another module's command (``inspect --user-pool-id``)
    routes its own cases without that command knowing of them.
    """
    if when is None:
        parser.set_defaults(run=run)
        return
    before: Handler = parser.get_default("run")
    claims = when

    def chosen(args: argparse.Namespace, out: Out) -> int:
        return (run if claims(args) else before)(args, out)

    parser.set_defaults(run=chosen)


# -- arguments -------------------------------------------------------------------------------
def provider_args(p: argparse.ArgumentParser, *, demo: bool = True) -> None:
    g = p.add_argument_group("provider (pick --issuer, --profile or --demo)")
    g.add_argument("--issuer", help="issuer URL; endpoints come from its discovery document")
    g.add_argument("--client-id", help="OAuth client id")
    g.add_argument("--client-secret", help="client secret (visible to other users: prefer -env)")
    g.add_argument("--client-secret-env", metavar="VAR", help="read the client secret from $VAR")
    g.add_argument("--auth-method", choices=AUTH_METHODS, help="client authentication method")
    g.add_argument(
        "--client-key",
        metavar="FILE",
        help="the client's private key (PEM) for private_key_jwt (workbench keys generate)",
    )
    g.add_argument(
        "--client-key-id", metavar="KID", help="its key id (default: the RFC 7638 thumbprint)"
    )
    g.add_argument(
        "--client-assertion-alg",
        metavar="ALG",
        help="client assertion algorithm: HS256/HS384/HS512 for client_secret_jwt;"
        " for private_key_jwt one the key signs (RS256, PS256, ES256, EdDSA…; default: the"
        " key's own)",
    )
    g.add_argument(
        "--client-assertion-aud",
        choices=ASSERTION_AUDIENCES,
        help="the client assertion's aud: the endpoint's URL (default) or the issuer",
    )
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
    g.add_argument(
        "--dpop",
        action="store_true",
        help="DPoP (RFC 9449): a proof of possession on every request; tokens bound to the key",
    )
    g.add_argument(
        "--dpop-key",
        metavar="FILE",
        help="the DPoP private key (PEM); a new ES256 key is written there (0600) when missing"
        " (default: a key for this run only)",
    )
    tls_client_args(g)
    p.add_argument("--log", action="store_true", help="print every HTTP exchange (masked) and curl")


def tls_client_args(g: Any) -> None:
    """Mutual TLS (RFC 8705) and the CAs trusted for this provider."""
    g.add_argument(
        "--client-cert",
        metavar="FILE",
        help="PEM client certificate for mutual TLS (tls_client_auth, certificate-bound tokens)",
    )
    g.add_argument(
        "--client-cert-key", metavar="FILE", help="the client certificate's PEM private key"
    )
    g.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="PEM file of the CAs trusted for this provider, in place of the system's",
    )


def client_certificate(args: argparse.Namespace) -> ClientCertificate | None:
    """``--client-cert`` with ``--client-cert-key``, read and checked (None: neither given)."""
    cert, key = getattr(args, "client_cert", None), getattr(args, "client_cert_key", None)
    if not cert and not key:
        return None
    if not cert or not key:
        missing = "--client-cert-key" if cert else "--client-cert"
        raise ConfigError(f"{missing} is needed too: a client certificate goes with its key.")
    return load_client_certificate(cert, key)


def ca_bundle(args: argparse.Namespace) -> str | None:
    """``--ca-bundle``, checked to be a readable file."""
    path: str | None = getattr(args, "ca_bundle", None)
    if not path:
        return None
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        raise ConfigError(f"The CA bundle {path} is not a readable file.")
    return path


def add_token_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """The positional token of a command, with ``-`` for stdin and ``--token-env VAR``."""
    parser.add_argument(
        "token",
        nargs="?",
        help=f"{what}, or - to read it from standard input (a token on the command line is"
        " visible to other local users: prefer - or --token-env)",
    )
    parser.add_argument("--token-env", metavar="VAR", help="read the token from $VAR")


def pairs(items: Sequence[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"{what} must look like NAME=VALUE, got {item!r}.")
        out[key.strip()] = value
    return out


def env(var: str, what: str) -> str:
    value = os.environ.get(var)
    if value is None:
        raise ConfigError(f"The environment variable {var} (for the {what}) is not set.")
    return value


def token_arg(value: str | None, env_var: str | None = None, what: str = "token") -> str | None:
    """A token from ``--…-env VAR``, from stdin (``-``), or as given; ``None`` if none."""
    if env_var:
        if value is not None:
            raise ConfigError(f"Give the {what} either directly or with its -env option, not both.")
        value = env(env_var, what)
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
    token = token_arg(args.token, args.token_env)
    if token is None:
        raise ConfigError("No token given: pass it, - to read standard input, or --token-env VAR.")
    return token


def refresh_token_arg(args: argparse.Namespace) -> str | None:
    """``--refresh-token`` (``-`` for stdin) or ``--refresh-token-env``."""
    return token_arg(args.refresh_token, args.refresh_token_env, "refresh token")


# -- inspection ------------------------------------------------------------------------------
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
        getattr(args, "code", None),
        args.expect_typ,
        getattr(args, "dpop_key", None),
    )


def unreadable_token(
    args: argparse.Namespace, out: Out, token: str, *, requested: bool = False
) -> int | None:
    """Handle a token that is not a readable JWT (opaque, encrypted, malformed).

    With nothing asked for, an opaque token is neutral (exit 0). Once verification was asked
    for (by ``inspect``'s options, or ``requested`` by a command that always verifies), a token
    that cannot be verified fails (exit 4): ``inspect … && deploy`` must not pass.
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
    requested = requested or inspect_requested(args)
    if args.json:
        out.result(json.dumps({"kind": kind, "ok": not requested, "message": problem}))
    elif not requested:
        out.result(problem)
    if requested:
        raise TokenError(f"not verified: {problem}")
    return EXIT_OK


# -- providers, the demo server and the session ----------------------------------------------
@contextlib.contextmanager
def demo_server(out: Out, args: argparse.Namespace | None = None, **settings: Any) -> Iterator[Any]:
    """The demo server, for the run of ``args``: with ``--client-key``, the public JWKS of
    that key is the private_key_jwt demo client's; ``settings`` (DemoConfig fields) win."""
    from workbench.demo.server import DemoConfig, DemoServer

    jwks = None
    if args is not None and getattr(args, "client_key", None):
        key = ClientKey(path=args.client_key, kid=args.client_key_id)
        jwks = key.load(args.client_assertion_alg).jwks()
    server = DemoServer(DemoConfig(**{"client_jwks": jwks, **settings}))
    server.start()
    out.info(f"Demo authorization server running at {server.issuer}")
    try:
        yield server
    finally:
        server.stop()


def demo_client_auth(args: argparse.Namespace, provider: Provider) -> Provider:
    """``provider`` (a demo one) with the demo client of ``--auth-method`` when that is a
    JWT method (client_secret_jwt, private_key_jwt), else as it is."""
    if args.auth_method == "client_secret_jwt":
        client = ClientConfig(SECRET_JWT_CLIENT_ID, SECRET_JWT_CLIENT_SECRET, args.auth_method)
    elif args.auth_method == "private_key_jwt":
        client = ClientConfig(PRIVATE_KEY_JWT_CLIENT_ID, None, args.auth_method)
    else:
        return provider
    return dataclasses.replace(provider, client=_client_options(args, client))


def provider_from_args(args: argparse.Namespace, scope: str | None) -> Provider:
    endpoints = pairs(args.endpoint, "--endpoint")
    unknown = sorted(set(endpoints) - set(ENDPOINT_NAMES))
    if unknown:
        raise ConfigError(f"Unknown endpoint name(s) {', '.join(unknown)}.")
    secret = args.client_secret
    if args.client_secret_env:
        secret = env(args.client_secret_env, "client secret")
    if args.profile:
        store = SecretStore()
        profile = ProfileStore().get(args.profile)
        base = profile.to_provider(store)
        client = _client_options(
            args,
            ClientConfig(
                args.client_id or base.client.client_id,
                secret or base.client.client_secret,
                args.auth_method or base.client.auth_method,
                certificate=client_certificate(args) or base.client.certificate,
            ),
            base.client,
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
            dpop_key=base.dpop_key,
            ca_bundle=ca_bundle(args) or base.ca_bundle,
        )
    if not args.issuer and not endpoints:
        raise ConfigError("Say which server: --issuer URL, --profile NAME or --demo.")
    if not args.client_id and args.command != "userinfo":  # UserInfo needs only the token
        raise ConfigError("--client-id is required with --issuer.")
    return Provider(
        client=_client_options(
            args,
            ClientConfig(
                args.client_id or "",
                secret,
                args.auth_method,
                certificate=client_certificate(args),
            ),
        ),
        issuer=args.issuer,
        endpoints=endpoints,
        scope=scope or "",
        verify_tls=not args.insecure,
        ca_bundle=ca_bundle(args),
    )


def _client_options(
    args: argparse.Namespace, client: ClientConfig, base: ClientConfig | None = None
) -> ClientConfig:
    """``client`` with the key and assertion options (over a profile's ``base``), its key
    loaded now: a missing, unreadable or wrong key is a usage error before any request."""
    key = base.client_key if base is not None else None
    if args.client_key:
        key = ClientKey(path=args.client_key, kid=args.client_key_id)
    elif args.client_key_id and key is not None:
        key = dataclasses.replace(key, kid=args.client_key_id)
    elif args.client_key_id:
        raise ConfigError("--client-key-id names the key of --client-key, and none is given.")
    client = dataclasses.replace(
        client,
        client_key=key,
        assertion_alg=args.client_assertion_alg or (base.assertion_alg if base else None),
        assertion_audience=args.client_assertion_aud
        or (base.assertion_audience if base else "endpoint"),
    )
    method = client_auth_method(client.method)
    if method.needs_key:
        if client.client_key is None:
            raise ConfigError(f"--auth-method {method.name} needs --client-key FILE.")
        return dataclasses.replace(client, signing_key=client.key())
    if args.client_key and getattr(args, "request_object", False):
        # The key signs request objects (RFC 9101) only: loaded now, like an assertion key.
        client = dataclasses.replace(client, signing_key=client.key())
    elif args.client_key:
        raise ConfigError(f"--client-key is for --auth-method private_key_jwt, not {method.name}.")
    if client.assertion_alg and not method.algs:
        raise ConfigError(
            f"--client-assertion-alg is for client_secret_jwt and private_key_jwt, not"
            f" {method.name}."
        )
    if client.assertion_alg and client.assertion_alg not in method.algs:
        raise ConfigError(
            f"{method.name} signs with {', '.join(method.algs)}, not {client.assertion_alg}."
        )
    return client


def dpop_key_from_args(args: argparse.Namespace, out: Out) -> SigningKey | None:
    """The DPoP key of ``--dpop [--dpop-key FILE]`` (made when the file is missing), or None."""
    if not hasattr(args, "dpop"):  # a command without --dpop (inspect's --dpop-key only checks)
        return None
    if args.dpop_key and not args.dpop:
        raise ConfigError("--dpop-key is the key of --dpop, which is not given.")
    if not args.dpop:
        return None
    loaded: SigningKey | None = getattr(args, "dpop_loaded_key", None)
    if loaded is not None:  # one key per run, however many sessions it opens (call --auto)
        return loaded
    key, new = load_or_create_key(args.dpop_key)
    args.dpop_loaded_key = key
    if not args.dpop_key:
        out.info(f"DPoP: a new {key.kind} key for this run only (jkt {key.thumbprint()}).")
    elif new:
        out.info(f"DPoP: wrote a new {key.kind} key to {args.dpop_key} (mode 0600).")
    else:
        out.info(f"DPoP: the {key.kind} key of {args.dpop_key} (jkt {key.thumbprint()}).")
    return key


def open_session(
    args: argparse.Namespace, out: Out, provider: Provider, log: ExchangeLog | None = None
) -> OAuthSession:
    """A session for ``provider``; with ``log``, its exchanges join that (already watched and
    printed) log, so one run numbers all its exchanges in one sequence. With ``--dpop`` (or a
    profile's DPoP key) every request carries a DPoP proof."""
    if not provider.verify_tls:
        out.info("warning: TLS certificate verification is OFF for this run (--insecure).")
    key = dpop_key_from_args(args, out) or provider.dpop_key
    if key is None:
        opened = OAuthSession(provider, log=log)
    else:  # a token given to the command is presented with the DPoP scheme (RFC 9449 §7.1)
        signer = DpopSigner(key, present_as_dpop=True)
        http = HttpClient(log, verify_tls=provider.verify_tls, signer=signer)
        opened = OAuthSession(dataclasses.replace(provider, dpop_key=key), http)
    out.watch(opened.log)
    out.secret(provider.client.client_secret)
    if log is None and getattr(args, "log", False):
        opened.log.subscribe(lambda ex: print_exchange(out, ex))
    return opened


#: The grants that take ``--authorization-details`` (RFC 9396 §3 at authorize, §6 at token).
_DETAIL_GRANTS = ("authorization_code", "implicit", "client_credentials")


def authorization_details_arg(args: argparse.Namespace) -> AuthorizationDetails | None:
    """``--authorization-details`` read (inline, ``@FILE`` or ``-``) and checked (exit 2)."""
    value = getattr(args, "authorization_details", None)
    if value is None:
        return None
    if args.grant not in _DETAIL_GRANTS:
        raise ConfigError(f"--authorization-details is for --grant {', '.join(_DETAIL_GRANTS)}.")
    if value == "-":
        value = sys.stdin.read(1024 * 1024) if sys.stdin else ""
    elif value.startswith("@"):
        try:
            with open(value[1:], encoding="utf-8") as handle:
                value = handle.read(1024 * 1024)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"--authorization-details: cannot read {printable(value[1:])}: {exc}"
            ) from None
    try:
        return parse_authorization_details(value)
    except ConfigError as exc:
        raise ConfigError(f"--authorization-details: {exc}") from None
