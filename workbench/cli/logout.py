"""``workbench logout``: OpenID Connect RP-Initiated Logout 1.0 from the command line.

The end-session URL (``id_token_hint``, ``client_id``, ``post_logout_redirect_uri`` on a
loopback listener, ``state``) is printed on stderr and opened in the system browser; the run
waits for the provider's redirect and checks its state. Exit 0 once the redirect with the
right state came back; 1 on a timeout (a redirect with a wrong or missing state is refused and
the wait goes on) or an error redirect; 2 for usage errors and a provider without an
``end_session_endpoint``; 4 when the redirect came back from a Cognito pool's hosted
``/logout``, which sends no state: a check that cannot be made is not a pass. A Cognito
profile needs ``--port``: Cognito matches the allowed sign-out URL exactly.

The URL carries the ID token: stderr shows it masked, except with ``--no-browser``, where the
person has to open that very URL by hand.
"""

from __future__ import annotations

import argparse
import webbrowser
from typing import Any

from workbench.cli.common import (
    demo_server,
    open_session,
    provider_args,
    provider_from_args,
    token_arg,
)
from workbench.cli.output import EXIT_CHECK, EXIT_OK, Out
from workbench.core.cognito.pool import CognitoPool
from workbench.core.display import printable, require_web_url
from workbench.core.errors import ConfigError
from workbench.core.model import Provider
from workbench.core.oauth.rp_logout import DEFAULT_LOGOUT_TIMEOUT, LOGOUT_PATH, PendingLogout
from workbench.core.session import run_to_end
from workbench.demo.clients import DEMO_PASSWORD, DEMO_USERNAME, demo_provider

LOGGED_OUT = (
    "logged out: the provider ended its browser session and redirected back with the state"
    " sent. Tokens already issued are not revoked by a logout: they stay valid until they"
    " expire (revoke them with `workbench revoke`)."
)

UNCONFIRMED = (
    "not confirmed: Cognito's /logout redirected back to the sign-out URL, but it sends no"
    " state, so the redirect cannot be tied to this logout. Tokens already issued are not"
    " revoked by a logout either (`workbench signout --cognito` signs out everywhere)."
)


def register(sub: Any) -> argparse.ArgumentParser:
    cmd: argparse.ArgumentParser = sub.add_parser(
        "logout", help="log out at the provider (OpenID Connect RP-Initiated Logout 1.0)"
    )
    cmd.add_argument(
        "--id-token",
        help="the ID token of the session (id_token_hint), or - to read it from standard input;"
        " with --demo and none, one is got from the fresh demo server",
    )
    cmd.add_argument("--id-token-env", metavar="VAR", help="read the ID token from $VAR")
    provider_args(cmd)
    cog = cmd.add_argument_group("Amazon Cognito hosted /logout (instead of --issuer)")
    cog.add_argument("--user-pool-id", metavar="ID", help="the pool (eu-west-1_AbC123)")
    cog.add_argument(
        "--domain", help="the pool's domain prefix, host or URL (its hosted /logout is used)"
    )
    cmd.add_argument(
        "--no-browser",
        action="store_true",
        help="do not open a browser; print the whole URL (it contains the ID token) to open"
        " by hand",
    )
    cmd.add_argument(
        "--port",
        type=int,
        default=0,
        help=f"loopback port of the post-logout redirect URI http://127.0.0.1:PORT{LOGOUT_PATH}"
        " (default: any free one; a provider that matches registered URIs exactly needs one)",
    )
    cmd.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_LOGOUT_TIMEOUT,
        help="seconds to wait for the redirect",
    )
    cmd.set_defaults(run=cmd_logout)
    return cmd


def cmd_logout(args: argparse.Namespace, out: Out) -> int:
    id_token = out.secret(token_arg(args.id_token, args.id_token_env, "ID token"))
    if args.demo:
        if id_token is not None:
            out.info(
                "note: --demo starts a fresh demo server; an ID token from another run is"
                " unknown to it, and it will refuse the logout on its page."
            )
        with demo_server(out) as server:
            return _logout(args, out, demo_provider(server.issuer), id_token)
    if id_token is None:
        raise ConfigError("No ID token given: --id-token T, --id-token -, or --id-token-env VAR.")
    if args.user_pool_id or args.domain:
        pool = CognitoPool(
            user_pool_id=args.user_pool_id or "",
            client_id=args.client_id or "",
            domain=args.domain or "",
            verify_tls=not args.insecure,
        )
        return _logout(args, out, pool.to_provider(), id_token)
    return _logout(args, out, provider_from_args(args, None), id_token)


def _logout(args: argparse.Namespace, out: Out, provider: Provider, id_token: str | None) -> int:
    session = open_session(args, out, provider)
    try:
        if id_token is None:  # --demo: the fresh server knows no token of another run
            id_token = session.password(DEMO_USERNAME, DEMO_PASSWORD, "openid").id_token
            out.info("note: --demo got an ID token of the demo user from the fresh server.")
        if not id_token:
            raise ConfigError("The demo server returned no ID token.")
        flow = session.browser_logout(id_token, port=args.port, timeout=args.timeout)
        pending = next(flow)
        assert isinstance(pending, PendingLogout)
        try:
            _open(args, out, pending)
            out.info(f"Waiting for the redirect on {pending.request.post_logout_redirect_uri} …")
            result = run_to_end(flow)
        finally:
            flow.close()
            for stray in pending.rejected:
                out.info(f"note: refused a request to the redirect URI: {printable(stray.reason)}")
    finally:
        session.close()
    out.info(f"end session endpoint: {result.end_session_endpoint}")
    if not result.state_checked:
        out.result(UNCONFIRMED)
        return EXIT_CHECK
    out.result(LOGGED_OUT)
    return EXIT_OK


def _open(args: argparse.Namespace, out: Out, pending: PendingLogout) -> None:
    out.info("Open this URL to log out:")
    if args.no_browser:
        out.info(pending.url)
        return
    out.info(out.mask(pending.url) + "   (the ID token masked)")
    url = require_web_url(pending.url, "end-session URL")
    try:
        opened = webbrowser.open(url)
    except webbrowser.Error:
        opened = False
    if not opened:
        out.info(
            "note: no web browser could be opened here. Run again with --no-browser and open"
            " the URL it prints in a browser on this machine: the redirect comes back to"
            " 127.0.0.1, where the workbench waits for it."
        )
