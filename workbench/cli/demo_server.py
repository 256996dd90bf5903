"""``workbench demo-server``: run the embedded demo authorization server alone."""

from __future__ import annotations

import argparse
import threading
from typing import Any

from workbench.cli.output import EXIT_OK, EXIT_USAGE, Out


def register(sub: Any) -> argparse.ArgumentParser:
    demo: argparse.ArgumentParser = sub.add_parser(
        "demo-server", help="run the embedded demo authorization server"
    )
    demo.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    demo.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    demo.add_argument("--access-token-ttl", type=int, default=300, metavar="S")
    demo.add_argument(
        "--require-device-pkce",
        action="store_true",
        help="refuse device authorization requests without a PKCE S256 code_challenge (as"
        " Keycloak does for clients set to PKCE) and check the code_verifier of every poll",
    )
    demo.add_argument(
        "--require-dpop-nonce",
        action="store_true",
        help="every DPoP proof must carry a nonce the server gave (RFC 9449 §8, §9): a proof"
        " without one is answered use_dpop_nonce with a DPoP-Nonce to retry with",
    )
    demo.add_argument(
        "--pre-token-trigger",
        metavar="FILE.py",
        help="run lambda_handler(event, context) of FILE.py as Cognito's pre-token-generation"
        " trigger for every token issued (the trigger lab)",
    )
    demo.add_argument(
        "--pre-token-trigger-version",
        choices=("V1_0", "V2_0", "V3_0"),
        default="V3_0",
        help="the trigger's LambdaVersion: V1_0 changes ID tokens only, V2_0 also access"
        " tokens and scopes, V3_0 also client-credentials tokens (default V3_0)",
    )
    demo.set_defaults(run=cmd_demo_server)
    return demo


def cmd_demo_server(args: argparse.Namespace, out: Out) -> int:
    from workbench.demo.server import DemoConfig, DemoServer, describe

    try:
        server = DemoServer(
            DemoConfig(
                host=args.host,
                port=args.port,
                access_token_ttl=args.access_token_ttl,
                require_device_pkce=args.require_device_pkce,
                require_dpop_nonce=args.require_dpop_nonce,
                pre_token_trigger=args.pre_token_trigger,
                pre_token_trigger_version=args.pre_token_trigger_version,
            )
        )
        server.start()
    except ValueError as exc:
        out.info(f"error: {exc}")
        return EXIT_USAGE
    out.result(describe(server))
    out.result("Press Ctrl+C to stop.")
    try:
        threading.Event().wait()
    finally:
        server.stop()
    return EXIT_OK
