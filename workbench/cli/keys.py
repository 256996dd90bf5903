"""``workbench keys generate|jwks|dpop-proof``: the client's signing keys
(:mod:`workbench.core.keys`).

``generate`` writes a new private key as PEM, readable by its owner only, and optionally its
public JWKS; ``jwks`` prints the public JWKS of a key file, to register the client with a
server (``private_key_jwt``, a request object's key, a DPoP key); ``dpop-proof`` prints a
fresh DPoP proof of a key for one method and URL (what a logged proof's curl twin asks for,
since a proof is never replayed). None ever prints the private key.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from workbench.cli.common import env
from workbench.cli.output import EXIT_OK, Out
from workbench.core.keys import (
    GENERATED_ALGS,
    generate_key,
    load_key,
    write_jwks_file,
    write_key_file,
)
from workbench.core.oauth.rfc9449_dpop import DpopSigner


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
