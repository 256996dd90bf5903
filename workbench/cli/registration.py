"""``workbench register``: dynamic client registration (RFC 7591), and with ``--read`` or
``--delete`` the client's registration through RFC 7592.

The response goes to stdout with the client secret and the registration access token masked
unless ``--show-secrets`` is given; ``--save PROFILE`` keeps both in the keyring and the rest in
a profile, so later ``--read``/``--delete`` (and every flow) need only ``--profile PROFILE``.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from workbench.cli.common import demo_server, env
from workbench.cli.output import EXIT_OK, Out, print_exchange
from workbench.core.errors import ConfigError
from workbench.core.oauth.discovery import discover
from workbench.core.oauth.rfc7591_register import (
    ClientMetadata,
    Registration,
    delete_registration,
    load_public_jwks,
    profile_registration,
    read_registration,
    registration_endpoint,
    save_registration,
)
from workbench.core.oauth.rfc7591_register import register as register_client
from workbench.core.profiles import REGISTRATION_TOKEN, ProfileStore
from workbench.core.secrets import SecretStore
from workbench.core.transport.exchange import ExchangeLog
from workbench.core.transport.http import HttpClient


def register(sub: Any) -> argparse.ArgumentParser:
    reg: argparse.ArgumentParser = sub.add_parser(
        "register",
        help="register a client dynamically (RFC 7591); --read / --delete it (RFC 7592)",
        description="Register a new client at the server's registration_endpoint, or read or"
        " delete one registered before with its registration access token.",
    )
    where = reg.add_argument_group(
        "server (pick --issuer or --demo; --profile for --read/--delete)"
    )
    where.add_argument("--issuer", help="issuer URL; its discovery names the registration_endpoint")
    where.add_argument("--demo", action="store_true", help="start the embedded demo server")
    where.add_argument("--profile", help="with --read/--delete: a profile saved by --save")
    where.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    meta = reg.add_argument_group("client metadata (RFC 7591 §2)")
    meta.add_argument("--redirect-uri", action="append", default=[], metavar="URI")
    meta.add_argument(
        "--grant-type", action="append", default=[], metavar="GRANT",
        help="authorization_code, client_credentials, refresh_token, … (repeat)",
    )  # fmt: skip
    meta.add_argument("--response-type", action="append", default=None, metavar="TYPE")
    meta.add_argument(
        "--auth-method", metavar="METHOD",
        help="token_endpoint_auth_method: client_secret_basic, client_secret_post, none, …",
    )  # fmt: skip
    keys = meta.add_mutually_exclusive_group()
    keys.add_argument("--jwks", metavar="FILE", help="the client's public JWKS (a JSON file)")
    keys.add_argument("--jwks-uri", metavar="URL", help="where the client publishes its JWKS")
    meta.add_argument("--client-name")
    meta.add_argument("--scope", default="")
    reg.add_argument(
        "--initial-access-token-env", metavar="VAR",
        help="read the server's initial access token (sent as Bearer) from $VAR",
    )  # fmt: skip
    action = reg.add_mutually_exclusive_group()
    action.add_argument("--read", action="store_true", help="read the registration (RFC 7592)")
    action.add_argument("--delete", action="store_true", help="delete the registration (RFC 7592)")
    reg.add_argument("--registration-client-uri", metavar="URI", help="with --read/--delete")
    reg.add_argument(
        "--registration-access-token-env", metavar="VAR",
        help="with --read/--delete: read the registration access token from $VAR",
    )  # fmt: skip
    reg.add_argument(
        "--save", metavar="PROFILE",
        help="save the new client as a profile (secret and registration token in the keyring)",
    )  # fmt: skip
    reg.add_argument("--json", action="store_true", help="print the server's answer as JSON")
    reg.add_argument(
        "--show-secrets", action="store_true",
        help="print the client secret and registration access token in full",
    )  # fmt: skip
    reg.add_argument("--log", action="store_true", help="print every HTTP exchange (masked)")
    reg.set_defaults(run=cmd_register)
    return reg


def cmd_register(args: argparse.Namespace, out: Out) -> int:
    http = HttpClient(out.watch(ExchangeLog()), verify_tls=not args.insecure)
    if args.log:
        http.log.subscribe(lambda ex: print_exchange(out, ex))
    try:
        if args.read or args.delete:
            return _manage(args, out, http)
        if args.demo:
            if args.issuer:
                raise ConfigError("Give --issuer or --demo, not both.")
            with demo_server(out) as server:
                return _register(args, out, http, server.issuer)
        if not args.issuer:
            raise ConfigError("Say which server: --issuer URL or --demo.")
        return _register(args, out, http, args.issuer)
    finally:
        http.close()


def _metadata(args: argparse.Namespace) -> ClientMetadata:
    return ClientMetadata(
        redirect_uris=tuple(args.redirect_uri),
        grant_types=tuple(args.grant_type),
        response_types=tuple(args.response_type) if args.response_type is not None else None,
        token_endpoint_auth_method=args.auth_method,
        client_name=args.client_name or "",
        scope=args.scope,
        jwks=load_public_jwks(args.jwks) if args.jwks else None,
        jwks_uri=args.jwks_uri or "",
    )


def _register(args: argparse.Namespace, out: Out, http: HttpClient, issuer: str) -> int:
    metadata = _metadata(args)  # a bad JWKS file fails before anything is sent
    if not metadata.to_json():
        raise ConfigError(
            "Say what to register: at least --redirect-uri or --grant-type (a server applies"
            " its defaults to the rest)."
        )
    initial = None
    if args.initial_access_token_env:
        initial = out.secret(env(args.initial_access_token_env, "initial access token"))
    endpoint = registration_endpoint(discover(http, issuer))
    registration = register_client(http, endpoint, metadata, initial)
    for value in registration.secrets():
        out.secret(value)
    _print(args, out, registration)
    if args.save:
        secrets = SecretStore()
        save_registration(
            args.save,
            issuer,
            registration,
            profiles=ProfileStore(),
            secrets=secrets,
            scope=args.scope,
            verify_tls=not args.insecure,
        )
        out.info(f"Saved profile {args.save}. {secrets.where()}")
    elif registration.secrets() and not args.show_secrets:
        out.info(
            "note: the client secret and the registration access token are not shown: keep"
            " them with --save PROFILE (keyring), or print them with --show-secrets."
        )
    return EXIT_OK


def _manage(args: argparse.Namespace, out: Out, http: HttpClient) -> int:
    uri, token = _management_credentials(args, out)
    if args.delete:
        delete_registration(http, uri, token)
        if args.profile:
            SecretStore().delete(args.profile, REGISTRATION_TOKEN)
            out.info(
                f"The profile {args.profile} still names the deleted client: delete it with"
                f" `workbench profile delete {args.profile}`."
            )
        out.result("Deleted the client's registration.")
        return EXIT_OK
    registration = read_registration(http, uri, token)
    for value in registration.secrets():
        out.secret(value)
    if args.profile and registration.registration_access_token not in (None, token):
        SecretStore().set(
            args.profile, registration.registration_access_token or "", REGISTRATION_TOKEN
        )
        out.info("The server issued a new registration access token; the profile keeps it.")
    _print(args, out, registration)
    return EXIT_OK


def _management_credentials(args: argparse.Namespace, out: Out) -> tuple[str, str]:
    if args.profile:
        if args.registration_client_uri or args.registration_access_token_env:
            raise ConfigError(
                "Give --profile or --registration-client-uri with"
                " --registration-access-token-env, not both."
            )
        uri, token = profile_registration(
            args.profile, profiles=ProfileStore(), secrets=SecretStore()
        )
    elif args.registration_client_uri and args.registration_access_token_env:
        uri = args.registration_client_uri
        token = env(args.registration_access_token_env, "registration access token")
    else:
        raise ConfigError(
            "Say which registration: --profile NAME (saved with --save), or"
            " --registration-client-uri URI with --registration-access-token-env VAR."
        )
    out.secret(token)
    return uri, token


def _print(args: argparse.Namespace, out: Out, registration: Registration) -> None:
    doc = registration.to_dict() if args.show_secrets else registration.shown()
    if args.json:
        out.result(json.dumps(doc, indent=2))
        return
    width = max(len(k) for k in doc)
    for key, value in doc.items():
        text = value if isinstance(value, str) else json.dumps(value)
        out.result(f"{key:<{width}}  {text}")
    expires = registration.client_secret_expires_at
    if expires:
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(expires))
        out.result(f"(the client secret expires at {when})")
