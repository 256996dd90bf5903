"""``workbench demo-server``: run the embedded demo authorization server alone."""

from __future__ import annotations

import argparse
import json
import threading
from typing import Any

from workbench.cli.output import EXIT_OK, EXIT_USAGE, Out
from workbench.core.errors import ConfigError


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
        "--require-par",
        action="store_true",
        help="say require_pushed_authorization_requests and refuse authorization requests that"
        " were not pushed (RFC 9126)",
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
    demo.add_argument(
        "--client-jwks",
        metavar="FILE.json",
        help="the public JWKS of the private_key_jwt demo client (workbench keys generate"
        " --jwks-out); without it that client's assertions are all refused",
    )
    demo.add_argument(
        "--initial-access-token",
        metavar="TOKEN",
        help="dynamic client registration (RFC 7591) needs this Bearer token (a demo value,"
        " printed at start); without it registration is open",
    )
    demo.set_defaults(run=cmd_demo_server)
    return demo


def _client_jwks(path: str) -> dict[str, Any]:
    """The JWKS in ``path``, or a ConfigError saying why it is none."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.loads(handle.read(1024 * 1024))
    except OSError as exc:
        raise ConfigError(f"The JWKS file {path} cannot be read: {exc.strerror or exc}.") from None
    except ValueError:
        raise ConfigError(f"The JWKS file {path} is not JSON.") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ConfigError(f'The JWKS file {path} holds no JWK Set (an object with "keys").')
    if any(isinstance(k, dict) and "d" in k for k in document["keys"]):
        raise ConfigError(
            f"The JWKS file {path} holds a private key: give the server the public JWKS only."
        )
    return document


def cmd_demo_server(args: argparse.Namespace, out: Out) -> int:
    from workbench.demo.server import DemoConfig, DemoServer, describe

    jwks = _client_jwks(args.client_jwks) if args.client_jwks else None
    try:
        server = DemoServer(
            DemoConfig(
                host=args.host,
                port=args.port,
                access_token_ttl=args.access_token_ttl,
                require_device_pkce=args.require_device_pkce,
                require_dpop_nonce=args.require_dpop_nonce,
                require_par=args.require_par,
                pre_token_trigger=args.pre_token_trigger,
                pre_token_trigger_version=args.pre_token_trigger_version,
                client_jwks=jwks,
                initial_access_token=args.initial_access_token,
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
