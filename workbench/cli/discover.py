"""``workbench discover``: fetch an issuer's metadata (both documents, merged)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from workbench.cli.common import demo_server
from workbench.cli.output import EXIT_OK, Out, print_exchange
from workbench.core.errors import ConfigError
from workbench.core.oauth.discovery import describe_sources, discover
from workbench.core.transport.http import HttpClient


def register(sub: Any) -> argparse.ArgumentParser:
    disc: argparse.ArgumentParser = sub.add_parser(
        "discover", help="fetch and check an issuer's metadata"
    )
    disc.add_argument("--issuer", help="the issuer URL (or --demo)")
    disc.add_argument(
        "--demo", action="store_true", help="start the embedded demo server and discover it"
    )
    disc.add_argument("--insecure", action="store_true")
    disc.add_argument("--log", action="store_true", help="print every HTTP exchange")
    disc.set_defaults(run=cmd_discover)
    return disc


def cmd_discover(args: argparse.Namespace, out: Out) -> int:
    if args.demo:
        if args.issuer:
            raise ConfigError("Give --issuer or --demo, not both.")
        with demo_server(out) as server:
            return _discover(args, out, server.issuer)
    if not args.issuer:
        raise ConfigError("Say which server: --issuer URL or --demo.")
    return _discover(args, out, args.issuer)


def _discover(args: argparse.Namespace, out: Out, issuer: str) -> int:
    http = HttpClient(verify_tls=not args.insecure)
    if args.log:
        http.log.subscribe(lambda ex: print_exchange(out, ex))
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
