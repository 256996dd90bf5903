"""``workbench keys self-signed-cert``: a self-signed client certificate for mutual TLS.

``self_signed_tls_client_auth`` (RFC 8705 §2.2) authenticates a client by a self-signed
certificate registered with it (in its JWKS's ``x5c``). This makes one for an existing private
key (PEM, unencrypted): the certificate file is written, and its subject and ``x5t#S256``
printed. The key is read, never printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from workbench.cli.output import EXIT_OK, Out
from workbench.core.errors import ConfigError
from workbench.core.transport.client_cert import (
    MAX_PEM_BYTES,
    load_client_certificate,
    self_signed_certificate,
)


def register(sub: Any) -> argparse.ArgumentParser:
    """The ``keys`` command with the ``self-signed-cert`` action (the key actions join it)."""
    keys: argparse.ArgumentParser = sub.add_parser(
        "keys", help="make a self-signed client certificate for mutual TLS"
    )
    actions = keys.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    add_self_signed_cert(actions)
    return keys


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
