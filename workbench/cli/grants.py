"""Running one OAuth grant from the command line: the options a grant may need and the run
itself, shared by ``token`` (which prints the tokens) and ``call --auto`` (which uses them).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import threading
import time
from collections.abc import Generator
from typing import Any

from workbench.cli.common import (
    authorization_details_arg,
    env,
    open_session,
    refresh_token_arg,
    token_arg,
)
from workbench.cli.output import Out, print_authorization_details, print_qr
from workbench.core.display import printable, require_web_url
from workbench.core.errors import ConfigError, FlowError
from workbench.core.keys import SigningKey, generate_key, load_key
from workbench.core.model import Provider
from workbench.core.oauth.ciba import CibaAuthentication, CibaHint, CibaPoll, ciba_login
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.front_channel import AuthorizeOptions
from workbench.core.oauth.grants import GRANTS as REGISTRY
from workbench.core.oauth.grants import grant_names, unadvertised
from workbench.core.oauth.hybrid import HYBRID_RESPONSE_TYPES, hybrid_note, is_hybrid
from workbench.core.oauth.jarm import RESPONSE_MODES
from workbench.core.oauth.loopback import OPEN_BY_HAND
from workbench.core.oauth.refresh import ROTATION_TEXT
from workbench.core.oauth.rfc6749_grants import PASSWORD_WARNING
from workbench.core.oauth.rfc6749_implicit import IMPLICIT_RESPONSE_TYPES, LEGACY_WARNING
from workbench.core.oauth.rfc7523_bearer import ASSERTION_LIFETIME, jwt_bearer_grant, sign_assertion
from workbench.core.oauth.rfc8628_device import DeviceAuthorization, DevicePoll
from workbench.core.oauth.rfc8693_exchange import TokenExchange, exchange_token, token_type_urn
from workbench.core.oauth.rfc9396_rar import (
    AUTHORIZATION_DETAILS,
    unlisted_types,
)
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.session import OAuthSession, PendingAuthorization, run_to_end
from workbench.core.transport.exchange import ExchangeLog
from workbench.demo.clients import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
    PRIVATE_KEY_JWT_CLIENT_ID,
    ciba_approval_url,
)

#: The OAuth grants the command line runs (``--grant`` values).
GRANTS = grant_names()  # the grant registry's (workbench.core.oauth.grants)

#: Said when the system browser could not be opened (no browser, no display, a headless box).
BROWSER_FAILED_HINT = f"note: no web browser could be opened here. {OPEN_BY_HAND}"


def grant_options(parser: argparse.ArgumentParser) -> None:
    """The options a grant may need (``token``, and ``call --auto`` getting its token)."""
    parser.add_argument("--scope", help='space-separated scopes, e.g. "openid profile"')
    parser.add_argument("--audience", help="audience parameter (Auth0 and others)")
    parser.add_argument("--resource", help="resource indicator (RFC 8707)")
    parser.add_argument(
        "--param", action="append", default=[], metavar="K=V", help="extra parameter"
    )
    parser.add_argument("--username", help="user name (password grant)")
    parser.add_argument("--password-env", metavar="VAR", help="read the password from $VAR")
    parser.add_argument(
        "--refresh-token",
        help="refresh token (refresh_token grant), or - to read it from standard input"
        " (visible to other users on the command line: prefer - or -env)",
    )
    parser.add_argument(
        "--refresh-token-env", metavar="VAR", help="read the refresh token from $VAR"
    )
    parser.add_argument(
        "--redirect-uri",
        help="loopback redirect, http://127.0.0.1:PORT/callback (default: any free port)",
    )
    parser.add_argument("--no-browser", action="store_true", help="print the URL, do not open it")
    parser.add_argument(
        "--response-type",
        choices=(*IMPLICIT_RESPONSE_TYPES, "code", *HYBRID_RESPONSE_TYPES),
        help="implicit grant: token or id_token token (default: token if the server lists it,"
        " else id_token token); authorization_code: code (default) or a hybrid type (OIDC"
        ' Core §3.3: "code id_token", "code token", "code id_token token", whose front-channel'
        " ID token is verified with c_hash/at_hash before the code is redeemed); refused"
        " before the browser opens when the server does not offer it",
    )
    parser.add_argument(
        "--par",
        action="store_true",
        help="browser grants: push the authorization request first (RFC 9126); the browser gets"
        " only client_id and request_uri (automatic when the server requires it)",
    )
    parser.add_argument(
        "--response-mode",
        choices=RESPONSE_MODES,
        help="browser grants: response_mode; jwt, query.jwt, fragment.jwt and form_post.jwt ask"
        " for a signed response (JARM), verified before its code is used",
    )
    parser.add_argument(
        "--request-object",
        action="store_true",
        help="browser grants: send the authorization parameters as a request object signed with"
        " --client-key (RFC 9101), alone or inside --par",
    )
    parser.add_argument(
        "--request-object-alg",
        metavar="ALG",
        help="the request object's signing algorithm (default: the key's own, e.g. ES256)",
    )
    parser.add_argument(
        "--authorization-details",
        metavar="JSON",
        help="rich authorization request (RFC 9396): a JSON array of objects each with a"
        " string type, inline, @FILE or - for standard input; sent at authorize (and in"
        " --par / --request-object) or, for client_credentials, to the token endpoint",
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait for a browser or device login"
    )
    parser.add_argument("--login-hint", help="CIBA: the user to authenticate (login_hint)")
    parser.add_argument(
        "--binding-message",
        help="CIBA: a short text shown on the user's device, to match with this run",
    )
    parser.add_argument(
        "--requested-expiry",
        type=int,
        metavar="S",
        help="CIBA: seconds the request may wait for the user (requested_expiry)",
    )
    parser.add_argument(
        "--pkce",
        action="store_true",
        help="device flow: send a PKCE S256 code_challenge with the device authorization request"
        " and the code_verifier with every poll (Keycloak requires it for clients set to PKCE;"
        " a profile can turn it on for good)",
    )
    _exchange_options(parser)
    _bearer_options(parser)


#: The most a token read from ``@FILE`` may be (a JWT with many claims stays far below).
TOKEN_FILE_LIMIT = 64 * 1024


def _exchange_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group(
        "token exchange (RFC 8693); token values also as - (stdin) or @FILE, types as"
        " access_token, refresh_token, id_token, jwt, saml1, saml2 or a URN"
    )
    for who in ("subject", "actor"):
        g.add_argument(f"--{who}-token", metavar="T", help=f"the {who} token")
        g.add_argument(f"--{who}-token-env", metavar="VAR", help=f"read the {who} token from $VAR")
        g.add_argument(f"--{who}-token-type", metavar="TYPE", help=f"the {who} token's type")
    g.add_argument("--requested-token-type", metavar="TYPE", help="the token type wanted back")


def _bearer_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group(
        "JWT bearer grant (RFC 7523 §2.1): an assertion (also - or @FILE), or one signed here"
    )
    g.add_argument("--assertion", metavar="JWT", help="the assertion")
    g.add_argument("--assertion-env", metavar="VAR", help="read the assertion from $VAR")
    g.add_argument(
        "--assertion-key",
        metavar="FILE",
        help="sign an assertion with this private key (PEM; workbench keys generate)",
    )
    g.add_argument("--assertion-alg", metavar="ALG", help="its algorithm (default: the key's)")
    g.add_argument("--assertion-sub", metavar="SUB", help="the signed assertion's sub (the user)")
    g.add_argument(
        "--assertion-aud", metavar="AUD", help="its aud (default: the token endpoint's URL)"
    )
    g.add_argument("--assertion-iss", metavar="ISS", help="its iss (default: the client id)")


#: The options that sign an assertion (none of them goes with --assertion).
_SIGNING_OPTIONS = (
    "assertion_key",
    "assertion_alg",
    "assertion_sub",
    "assertion_aud",
    "assertion_iss",
)


def demo_bearer_setup(
    args: argparse.Namespace, out: Out
) -> tuple[dict[str, object], ClientConfig | None]:
    """For ``--demo --grant jwt_bearer`` without ``--assertion``: the key that signs (the
    ``--assertion-key``, else a new ES256 key), registered with the demo server as the
    private_key_jwt client's public JWKS, and that client signing with it. The demo server's
    settings and the client to use; nothing for any other run."""
    if args.grant != "jwt_bearer" or args.assertion or args.assertion_env:
        return {}, None
    key = load_key(args.assertion_key, args.assertion_alg) if args.assertion_key else None
    key = key or generate_key("ES256")
    args.demo_assertion_key = key
    out.info(
        f"demo: the public key of {key} is registered for the client"
        f" {PRIVATE_KEY_JWT_CLIENT_ID}, which signs the assertion (and its client assertion)."
    )
    client = ClientConfig(PRIVATE_KEY_JWT_CLIENT_ID, None, "private_key_jwt", signing_key=key)
    return {"client_jwks": key.jwks()}, client


def _bearer_assertion(args: argparse.Namespace, out: Out, session: OAuthSession, demo: bool) -> str:
    given = token_input(args.assertion, args.assertion_env, "assertion")
    if given:
        mixed = [f"--{n.replace('_', '-')}" for n in _SIGNING_OPTIONS if getattr(args, n)]
        if mixed:
            raise ConfigError(f"Give --assertion or sign one ({', '.join(mixed)}), not both.")
        return out.secret(given) or given
    key: SigningKey | None = getattr(args, "demo_assertion_key", None)
    client = session.provider.client
    if key is None and args.assertion_key:
        key = load_key(args.assertion_key, args.assertion_alg)
    elif key is None and (client.signing_key or client.client_key):
        key = client.key()  # the client's own key (private_key_jwt) signs the assertion too
    if key is None:
        raise ConfigError(
            "The jwt_bearer grant needs --assertion (or --assertion-env), or --assertion-key"
            " FILE and --assertion-sub to sign one."
        )
    subject = args.assertion_sub or (DEMO_USERNAME if demo else None)
    if not subject:
        raise ConfigError("--assertion-sub is required to sign an assertion: whom it is about.")
    audience = args.assertion_aud or session.metadata().require("token_endpoint")
    issuer = args.assertion_iss or client.client_id
    assertion = sign_assertion(key, issuer=issuer, subject=subject, audience=audience)
    out.secret(assertion)
    out.info(
        f"Signed an assertion with {key}: iss {issuer}, sub {subject}, aud {audience},"
        f" valid {ASSERTION_LIFETIME} s."
    )
    return assertion


def token_input(value: str | None, env_var: str | None, what: str) -> str | None:
    """A token from ``@FILE`` (read, at most :data:`TOKEN_FILE_LIMIT` bytes), ``-``, ``$VAR``
    or as given: so that it need not sit in the shell's history or the process list."""
    if value is None or not value.startswith("@") or env_var:
        return token_arg(value, env_var, what)
    path = value[1:]
    try:
        with open(path, "rb") as handle:
            data = handle.read(TOKEN_FILE_LIMIT + 1)
    except OSError as exc:
        raise ConfigError(f"Cannot read the {what} from {path}: {exc.strerror or exc}.") from exc
    if len(data) > TOKEN_FILE_LIMIT:
        raise ConfigError(f"{path} is too large for a {what} (over {TOKEN_FILE_LIMIT} bytes).")
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} does not hold a {what}: it is not ASCII text.") from exc
    if not text:
        raise ConfigError(f"{path} is empty: no {what} in it.")
    return text


def _exchange_request(
    args: argparse.Namespace, out: Out, session: OAuthSession, demo: bool
) -> TokenExchange:
    subject = token_input(args.subject_token, args.subject_token_env, "subject token")
    subject_type = args.subject_token_type
    if subject is None and demo:
        out.info("Getting a subject token for the demo user alice first (password grant).")
        subject = session.password(DEMO_USERNAME, DEMO_PASSWORD).access_token
        subject_type = subject_type or "access_token"
    if not subject:
        raise ConfigError(
            "--subject-token (or --subject-token-env) is required for the token_exchange grant."
        )
    if not subject_type:
        raise ConfigError("--subject-token-type is required: access_token, id_token, jwt, …")
    actor = token_input(args.actor_token, args.actor_token_env, "actor token")
    if args.actor_token_type and not actor:
        raise ConfigError("--actor-token-type without --actor-token (or --actor-token-env).")
    if actor and not args.actor_token_type:
        raise ConfigError("--actor-token needs --actor-token-type (RFC 8693 §2.1).")
    for value in (subject, actor):
        out.secret(value)
    return TokenExchange(
        subject_token=subject,
        subject_token_type=token_type_urn(subject_type, "--subject-token-type"),
        actor_token=actor,
        actor_token_type=(
            token_type_urn(args.actor_token_type, "--actor-token-type") if actor else None
        ),
        requested_token_type=(
            token_type_urn(args.requested_token_type, "--requested-token-type")
            if args.requested_token_type
            else None
        ),
        audience=args.audience,
        resource=args.resource,
        scope=args.scope or "",
    )


def _password(args: argparse.Namespace, out: Out, demo: bool) -> tuple[str, str]:
    username = args.username
    if args.password_env:
        password = env(args.password_env, "password")
    elif demo and (username in (None, DEMO_USERNAME)):
        username, password = DEMO_USERNAME, DEMO_PASSWORD
        out.info("Using the demo user alice.")
    else:
        if not username:
            raise ConfigError("--username is required for the password grant.")
        if not sys.stdin or not sys.stdin.isatty():
            raise ConfigError("No terminal to ask for the password: use --password-env VAR.")
        password = getpass.getpass(f"Password for {username}: ", stream=out.stderr)
    if not username:
        raise ConfigError("--username is required for the password grant.")
    out.secret(password)
    return username, password


def _redirect_port(uri: str | None) -> int:
    if not uri:
        return 0
    from urllib.parse import urlsplit

    parts = urlsplit(uri)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost"):
        raise ConfigError("--redirect-uri must be a loopback URL: http://127.0.0.1:PORT/callback")
    if parts.path not in ("", "/callback"):
        raise ConfigError("--redirect-uri path must be /callback.")
    return parts.port or 0


def obtain_tokens(
    args: argparse.Namespace,
    out: Out,
    provider: Provider,
    extra: dict[str, str],
    demo: bool,
    log: ExchangeLog | None = None,
) -> TokenSet:
    """Run ``args.grant`` against ``provider``; progress and warnings on stderr. With ``log``,
    the exchanges join that log (see :func:`open_session`)."""
    details = authorization_details_arg(args)
    session = open_session(args, out, provider, log)
    grant = args.grant
    rotation_text: str | None = None
    try:
        if details is not None:
            extra[AUTHORIZATION_DETAILS] = details.text
            warning = unlisted_types(session.metadata(), details)
            if warning:
                out.info("warning: " + warning)
        if grant == "client_credentials":
            tokens = session.client_credentials(
                args.scope, audience=args.audience, resource=args.resource, extra=extra
            )
        elif grant == "password":
            out.info("warning: " + PASSWORD_WARNING)
            username, password = _password(args, out, demo)
            tokens = session.password(
                username, password, audience=args.audience, resource=args.resource, extra=extra
            )
        elif grant in ("authorization_code", "implicit"):
            if grant == "implicit":
                out.info("warning: " + LEGACY_WARNING)
            for key, value in (("audience", args.audience), ("resource", args.resource)):
                if value:
                    extra[key] = value
            tokens = _browser_flow(args, out, session, grant, extra)
        elif grant == "device_code":
            tokens = _device_flow(args, out, session, extra)
        elif grant == "token_exchange":
            _note_unadvertised(out, session, grant)
            exchange = _exchange_request(args, out, session, demo)
            out.info(
                "token exchange: "
                + ("delegation (an actor token)" if exchange.delegation else "impersonation")
            )
            tokens = exchange_token(session, exchange, extra)
        elif grant == "jwt_bearer":
            _note_unadvertised(out, session, grant)
            assertion = _bearer_assertion(args, out, session, demo)
            tokens = jwt_bearer_grant(session, assertion, args.scope, extra)
        elif grant == "ciba":
            tokens = _ciba_flow(args, out, session, extra, demo)
        else:
            refresh_token = out.secret(refresh_token_arg(args))
            if not refresh_token and demo:
                out.info("Getting a refresh token for the demo user alice first (password grant).")
                first = session.password(DEMO_USERNAME, DEMO_PASSWORD)
                refresh_token = first.refresh_token
            if not refresh_token:
                raise ConfigError("--refresh-token is required for the refresh_token grant.")
            result = session.refresh(refresh_token, args.scope, extra)
            tokens = result.tokens
            rotation_text = ROTATION_TEXT[result.rotation]
    finally:
        session.close()
    if rotation_text:
        out.info("refresh token " + rotation_text)
    print_authorization_details(out, tokens)
    return tokens


def _note_unadvertised(out: Out, session: OAuthSession, grant: str) -> None:
    grant_type = REGISTRY[grant].grant_type or grant
    note = unadvertised(grant_type, session.metadata().grant_types_supported)
    if note:
        out.info(f"note: {note}")


def _browser_flow(
    args: argparse.Namespace,
    out: Out,
    session: OAuthSession,
    grant: str,
    extra: dict[str, str],
) -> TokenSet:
    import webbrowser

    if grant == "authorization_code":
        response_type = args.response_type or "code"
        if response_type != "code" and not is_hybrid(response_type):
            raise ConfigError(
                f"--response-type {response_type} is for --grant implicit; the authorization"
                f" code grant takes code or a hybrid type ({', '.join(HYBRID_RESPONSE_TYPES)})."
            )
    elif args.response_type and is_hybrid(args.response_type):
        raise ConfigError(
            f"--response-type {args.response_type} is a hybrid type: use it with --grant"
            " authorization_code."
        )
    else:
        response_type = session.implicit_response_type(args.response_type)
        if not args.response_type:
            listed = session.metadata().response_types_supported
            source = "chosen from" if listed else "the default: nothing in"
            out.info(
                f"response type: {response_type} ({source} the server's response_types_supported)"
            )
    login = session.browser_login(
        response_type=response_type,
        port=_redirect_port(args.redirect_uri),
        extra=extra,
        timeout=args.timeout,
        options=AuthorizeOptions(
            par=args.par,
            response_mode=args.response_mode,
            request_object_key=_request_object_key(args, session),
        ),
    )
    pending = next(login)
    assert isinstance(pending, PendingAuthorization)
    try:
        if pending.request.pushed is not None:
            pushed = pending.request.pushed
            out.info(
                f"Pushed the authorization request (RFC 9126): request_uri {pushed.request_uri},"
                f" valid {pushed.expires_in:g} s."
            )
        out.info("Open this URL to sign in:")
        out.info(pending.url)
        if not args.no_browser:
            url = require_web_url(pending.url, "authorization URL")
            try:
                opened = webbrowser.open(url)
            except webbrowser.Error:
                opened = False
            if not opened:
                out.info(BROWSER_FAILED_HINT)
        out.info(f"Waiting for the redirect on {pending.request.redirect_uri} …")
        tokens = run_to_end(login)
        if is_hybrid(response_type):
            out.info(hybrid_note(response_type))
        return tokens
    finally:
        login.close()  # closes the listener
        for stray in pending.rejected:  # another page or process called the redirect URI
            out.info(f"note: refused a request to the redirect URI: {printable(stray.reason)}")


def _request_object_key(args: argparse.Namespace, session: OAuthSession) -> SigningKey | None:
    """The key that signs the request object (``--request-object``), with its algorithm."""
    if not args.request_object:
        if args.request_object_alg:
            raise ConfigError("--request-object-alg is for --request-object.")
        return None
    client = session.client
    if client.client_key is None and client.signing_key is None:
        raise ConfigError("--request-object needs the client's private key: --client-key FILE.")
    return client.key().with_alg(args.request_object_alg)


def _device_flow(
    args: argparse.Namespace, out: Out, session: OAuthSession, extra: dict[str, str]
) -> TokenSet:
    cancel = threading.Event()
    login = session.device_login(extra=extra, cancel=cancel, pkce=True if args.pkce else None)
    auth = next(login)
    assert isinstance(auth, DeviceAuthorization)
    if auth.pkce is not None:
        out.info("PKCE: S256 code_challenge sent; every poll carries the code_verifier.")
    out.info(f"Go to {auth.verification_uri} and enter the code:  {auth.user_code}")
    if auth.verification_uri_complete:
        out.info(f"or open {auth.verification_uri_complete}")
    print_qr(out, auth.qr_uri)
    out.info(f"The code expires in {auth.expires_in:g} s; polling every {auth.interval:g} s.")
    for note in auth.notes:
        out.info(f"note: {note}")
    return _polled_tokens(login, cancel, out, args.timeout)


def _ciba_flow(
    args: argparse.Namespace,
    out: Out,
    session: OAuthSession,
    extra: dict[str, str],
    demo: bool,
) -> TokenSet:
    """OpenID CIBA in poll mode: the request, then a line per poll, under ``--timeout``."""
    if not args.login_hint:
        raise ConfigError("--login-hint is required for --grant ciba (the user to authenticate).")
    cancel = threading.Event()
    login = ciba_login(
        session,
        CibaHint(login_hint=args.login_hint),
        scope=args.scope,
        binding_message=args.binding_message,
        requested_expiry=args.requested_expiry,
        extra=extra,
        cancel=cancel,
    )
    started = next(login)
    assert isinstance(started, CibaAuthentication)
    out.info(
        f"Authentication request sent for {printable(args.login_hint)}: auth_req_id "
        f"{started.masked_id}"
    )
    if started.binding_message:
        out.info(
            f"Binding message (the user's device shows it too): "
            f"{printable(started.binding_message)}"
        )
    if demo:
        page = ciba_approval_url(session.provider.issuer or "")
        out.info(f"Approve or deny it on the demo's page: {page}")
    out.info(
        f"The request expires in {started.expires_in:g} s; polling every {started.interval:g} s."
    )
    for note in started.notes:
        out.info(f"note: {printable(note)}")
    return _polled_tokens(login, cancel, out, args.timeout)


def _polled_tokens(
    login: Generator[Any, None, TokenSet], cancel: threading.Event, out: Out, timeout: float
) -> TokenSet:
    """Drive a polling flow (device code, CIBA) to its tokens: a line per poll, the whole
    under ``--timeout``; Ctrl+C or the timeout cancels it."""
    deadline = time.monotonic() + timeout
    try:
        while True:
            if time.monotonic() > deadline:
                cancel.set()
                raise FlowError(f"Gave up after --timeout {timeout:g} s.", kind="timeout")
            status = next(login)
            assert isinstance(status, DevicePoll | CibaPoll)
            if status.status == "slow_down":
                out.info(f"  slow_down: the server asks to poll every {status.interval:g} s")
            else:
                out.info(f"  pending ({status.seconds_left:.0f} s left)")
    except StopIteration as done:
        tokens: TokenSet = done.value
        out.info("Approved.")
        return tokens
    except KeyboardInterrupt:
        cancel.set()
        raise
