"""``workbench profile list | save | delete``: saved providers (secrets in the keyring)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from workbench.cli.common import env, pairs
from workbench.cli.output import EXIT_OK, Out
from workbench.core.errors import ConfigError
from workbench.core.keys import load_key
from workbench.core.oauth.client_auth import ASSERTION_AUDIENCES, AUTH_METHODS
from workbench.core.profiles import CLIENT_KEY_SECRET, Profile, ProfileStore
from workbench.core.secrets import SecretStore


def register(sub: Any) -> argparse.ArgumentParser:
    prof: argparse.ArgumentParser = sub.add_parser(
        "profile", help="save, list or delete provider profiles"
    )
    prof_sub = prof.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    prof_sub.add_parser("list", help="list saved profiles")
    save = prof_sub.add_parser("save", help="save a profile (secret goes to the keyring)")
    save.add_argument("name")
    save.add_argument("--issuer", default="")
    save.add_argument("--client-id", default="")
    save.add_argument("--client-secret-env", metavar="VAR")
    save.add_argument("--auth-method", choices=AUTH_METHODS)
    save.add_argument(
        "--client-key",
        metavar="FILE",
        help="private_key_jwt: the private key file the profile refers to (it stays there)",
    )
    save.add_argument(
        "--client-key-keyring",
        metavar="FILE",
        help="private_key_jwt: copy this private key into the keyring (the file may go then)",
    )
    save.add_argument("--client-key-id", metavar="KID", default="")
    save.add_argument("--client-assertion-alg", metavar="ALG", default="")
    save.add_argument("--client-assertion-aud", choices=ASSERTION_AUDIENCES, default="endpoint")
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
    prof.set_defaults(run=cmd_profile)
    return prof


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
        secrets.delete(args.name, CLIENT_KEY_SECRET)
        out.result(f"Deleted profile {args.name}.")
        return EXIT_OK
    profile = Profile(
        name=args.name,
        issuer=args.issuer,
        endpoints=pairs(args.endpoint, "--endpoint"),
        client_id=args.client_id,
        auth_method=args.auth_method,
        scope=args.scope,
        extra_params=pairs(args.param, "--param"),
        redirect_port=args.redirect_port,
        verify_tls=not args.insecure,
        device_pkce=args.device_pkce,
        client_key_file=str(Path(args.client_key).resolve()) if args.client_key else "",
        client_key_in_keyring=bool(args.client_key_keyring),
        client_key_id=args.client_key_id,
        client_assertion_alg=args.client_assertion_alg,
        client_assertion_audience=args.client_assertion_aud,
    )
    pem = _checked_key(args, profile)
    store.save(profile)
    if pem is not None:
        secrets.set(args.name, pem, CLIENT_KEY_SECRET)
        out.info(secrets.where())
    if args.client_secret_env:
        secrets.set(args.name, env(args.client_secret_env, "client secret"))
        out.info(secrets.where())
    out.result(f"Saved profile {args.name} in {store.path}.")
    return EXIT_OK


def _checked_key(args: argparse.Namespace, profile: Profile) -> str | None:
    """The key options checked (the key loaded, as a run would): the PEM to keep in the
    keyring for ``--client-key-keyring``, else None."""
    if args.client_key and args.client_key_keyring:
        raise ConfigError("Give --client-key or --client-key-keyring, not both.")
    given = args.client_key or args.client_key_keyring
    if profile.auth_method != "private_key_jwt":
        if given:
            raise ConfigError("A client key is for --auth-method private_key_jwt.")
        return None
    if not given:
        raise ConfigError(
            "--auth-method private_key_jwt needs --client-key FILE or --client-key-keyring FILE."
        )
    key = load_key(given, args.client_assertion_alg or None, args.client_key_id or None)
    return key.private_pem() if args.client_key_keyring else None
