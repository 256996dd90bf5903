"""``workbench keys generate|jwks|dpop-proof|self-signed-cert``: the client's keys
(:mod:`workbench.core.keys`).

``generate`` writes a new private key as PEM, readable by its owner only, and optionally its
public JWKS; ``jwks`` prints the public JWKS of a key file, to register the client with a
server (``private_key_jwt``, a request object's key, a DPoP key); ``dpop-proof`` prints a
fresh DPoP proof of a key for one method and URL (what a logged proof's curl twin asks for,
since a proof is never replayed); ``self-signed-cert`` writes a self-signed certificate for a
key (``self_signed_tls_client_auth``, RFC 8705 §2.2) and prints its ``x5t#S256``. None ever
prints the private key.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from workbench.cli.common import env
from workbench.cli.output import EXIT_OK, Out
from workbench.core.errors import ConfigError
from workbench.core.keys import (
    GENERATED_ALGS,
    generate_key,
    load_key,
    write_jwks_file,
    write_key_file,
)
from workbench.core.oauth.rfc9449_dpop import DpopSigner
from workbench.core.transport.client_cert import (
    MAX_PEM_BYTES,
    load_client_certificate,
    self_signed_certificate,
)


def register(sub: Any) -> argparse.ArgumentParser:
    keys: argparse.ArgumentParser = sub.add_parser(
        "keys", help="make a signing key for the client and show its public JWKS"
    )
    actions = keys.add_subparsers(dest="keys_action", metavar="ACTION", required=True)

    gen = actions.add_parser("generate", help="write a new private key (PEM, mode 0600)")
    gen.add_argument("--alg", choices=GENERATED_ALGS, default="ES256", help="default: ES256")
    gen.add_argument("--out", required=True, metavar="FILE.pem", help="the private key file")
    gen.add_argument("--jwks-out", metavar="FILE.json", help="also write the public JWKS here")
    gen.add_argument("--kid", help="key id (default: the RFC 7638 thumbprint)")
    gen.add_argument("--force", action="store_true", help="write over existing files")
    gen.set_defaults(run=cmd_generate)

    show = actions.add_parser("jwks", help="print the public JWKS of a private key file")
    show.add_argument("--key", required=True, metavar="FILE.pem", help="the private key file")
    show.add_argument("--alg", help="the algorithm it signs with (default: its type's first)")
    show.add_argument("--kid", help="key id (default: the RFC 7638 thumbprint)")
    show.set_defaults(run=cmd_jwks)

    proof = actions.add_parser(
        "dpop-proof", help="print a fresh DPoP proof (RFC 9449) of a key for one method and URL"
    )
    proof.add_argument("--key", required=True, metavar="FILE.pem", help="the DPoP private key")
    proof.add_argument("--method", default="GET", help="the request's method (default GET)")
    proof.add_argument("--url", required=True, help="the request's URL (htu: without the query)")
    proof.add_argument("--nonce", help="the server's DPoP-Nonce, when it asked for one")
    proof.add_argument(
        "--token-env", metavar="VAR", help="the access token it goes with (ath), read from $VAR"
    )
    proof.set_defaults(run=cmd_dpop_proof)
    add_self_signed_cert(actions)
    return keys


def cmd_generate(args: argparse.Namespace, out: Out) -> int:
    key = generate_key(args.alg, args.kid)
    write_key_file(key, args.out, force=args.force)
    out.info(f"Wrote a new {key.kind} private key ({key.alg}) to {args.out} (mode 0600).")
    if args.jwks_out:
        write_jwks_file(key, args.jwks_out, force=args.force)
        out.info(f"Wrote its public JWKS to {args.jwks_out}.")
    out.result(f"kid: {key.kid}")
    return EXIT_OK


def cmd_jwks(args: argparse.Namespace, out: Out) -> int:
    key = load_key(args.key, args.alg, args.kid)
    out.result(json.dumps(key.jwks(), indent=2))
    return EXIT_OK


def cmd_dpop_proof(args: argparse.Namespace, out: Out) -> int:
    """A proof is single-use and short-lived: made now, for the one request named."""
    signer = DpopSigner(load_key(args.key))
    token = out.secret(env(args.token_env, "access token")) if args.token_env else None
    out.result(signer.proof(args.method, args.url, access_token=token, nonce=args.nonce))
    return EXIT_OK


def add_self_signed_cert(actions: Any) -> None:
    """The ``self-signed-cert`` action, on the ``keys`` command's actions."""
    cert = actions.add_parser(
        "self-signed-cert", help="write a self-signed client certificate for a private key"
    )
    cert.add_argument("--key", required=True, metavar="FILE.pem", help="the private key (PEM)")
    cert.add_argument("--out", required=True, metavar="FILE.pem", help="the certificate file")
    cert.add_argument(
        "--subject", required=True, help="the subject, RFC 4514: CN=my-client[,O=Example]"
    )
    cert.add_argument("--days", type=int, default=365, help="validity (default 365 days)")
    cert.add_argument("--force", action="store_true", help="write over an existing file")
    cert.set_defaults(run=cmd_self_signed_cert)


def cmd_self_signed_cert(args: argparse.Namespace, out: Out) -> int:
    key_file = Path(args.key).expanduser()
    try:
        with key_file.open("rb") as handle:
            key_pem = handle.read(MAX_PEM_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"The key file cannot be read: {exc.strerror}.") from None
    target = Path(args.out).expanduser()
    if target.exists() and not args.force:
        raise ConfigError(f"{args.out} exists: pass --force to write over it.")
    pem = self_signed_certificate(key_pem, args.subject, args.days)
    try:
        target.write_bytes(pem)
    except OSError as exc:
        raise ConfigError(f"{args.out} cannot be written: {exc.strerror}.") from None
    made = load_client_certificate(str(target), str(key_file))
    out.info(f"Wrote a self-signed certificate for {made.subject} to {args.out}.")
    out.result(f"x5t#S256: {made.thumbprint}")
    return EXIT_OK
