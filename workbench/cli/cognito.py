"""The command line's Amazon Cognito parts, registered by :mod:`workbench.cli.main` (no Qt here).

* ``token --grant cognito-password|cognito-admin-password|cognito-srp|cognito-refresh``: the API
  door (InitiateAuth / AdminInitiateAuth), challenges asked on the terminal or answered by
  options (``--new-password-env``, ``--mfa-code``, ``--mfa-type``, ``--user-attribute``);
* ``revoke --cognito`` (RevokeToken of a refresh token), ``signout --cognito`` (GlobalSignOut);
* ``inspect TOKEN --user-pool-id P``: the pool's JWKS and issuer, ``token_use``, ``client_id``/
  ``aud``;
* ``cognito describe-client | list-resource-servers | create-resource-server | reality-check``;
* the ``cognito`` actions for test users (``sign-up`` ... ``list-users``) live in
  :mod:`workbench.cli.cognito_users`, added to this command by :mod:`workbench.cli.main`.

Same conventions as every command (:mod:`workbench.cli.output`): results on stdout, progress on
stderr, the same exit codes, errors through ``report_error`` (which also prints a Cognito
error's advice).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from typing import Any, Literal

from workbench.cli.common import (
    add_token_argument,
    env,
    handle,
    positional_token,
    refresh_token_arg,
    unreadable_token,
)
from workbench.cli.output import (
    EXIT_CHECK,
    EXIT_OAUTH,
    EXIT_OK,
    Out,
    cli_findings,
    cli_option,
    cli_words,
    print_exchange,
    print_qr,
    print_tokens,
    report_inspection,
)
from workbench.core.cognito.admin import FLOW_CHECKS, CognitoPoolAdmin, check_flow
from workbench.core.cognito.api import CognitoApi
from workbench.core.cognito.auth import (
    MFA_CODE,
    MFA_TYPE,
    NEW_PASSWORD,
    AuthFlow,
    Challenge,
    CognitoAuth,
    Question,
)
from workbench.core.cognito.door import describe_reality, inspect_cognito_token, reality_check
from workbench.core.cognito.grants import COGNITO_GRANTS
from workbench.core.cognito.pool import CognitoPool
from workbench.core.errors import ConfigError, FlowError
from workbench.core.oauth.refresh import ROTATION_TEXT
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.tokens.decode import decode_jwt
from workbench.core.tokens.jwks import JwksCache
from workbench.core.transport.http import HttpClient

__all__ = ["COGNITO_GRANTS", "POOL_HOOKS", "cmd_token", "register"]

_MAX_CHALLENGES = 6


# -- argument parsing ------------------------------------------------------------------------
def _pool_args(
    p: argparse.ArgumentParser, *, client: bool, profile: bool = True
) -> argparse._ArgumentGroup:
    g = p.add_argument_group("Amazon Cognito user pool")
    g.add_argument("--region", help="AWS region of the pool (implied by --user-pool-id)")
    g.add_argument("--user-pool-id", metavar="ID", help="user pool id, like us-east-1_AbC123")
    g.add_argument(
        "--endpoint-url", metavar="URL", help="cognito-idp endpoint override (moto, emulators)"
    )
    if profile:
        g.add_argument("--aws-profile", metavar="NAME", help="AWS profile for signed calls")
    if client:
        g.add_argument("--client-id", help="app client id")
        g.add_argument(
            "--client-secret-env", metavar="VAR", help="read the app client secret from $VAR"
        )
    return g


def register(
    sub: Any,
    *,
    token: argparse.ArgumentParser,
    inspect: argparse.ArgumentParser,
    revoke: argparse.ArgumentParser,
) -> Any:
    """Add the Cognito options to ``token``, ``inspect`` and ``revoke``, and the ``signout`` and
    ``cognito`` commands to ``sub``; ``inspect --user-pool-id`` and ``revoke --cognito`` run
    here (the ``cognito-*`` grants are routed by the parser's grant table). Returns the
    ``cognito`` command's actions, for the modules that add more (with :data:`POOL_HOOKS`)."""
    g = _pool_args(token, client=False)
    g.add_argument("--new-password-env", metavar="VAR", help="NEW_PASSWORD_REQUIRED answer")
    g.add_argument("--mfa-code", metavar="CODE", help="SOFTWARE_TOKEN_MFA / SMS_MFA / setup code")
    g.add_argument("--mfa-type", metavar="TYPE", help="SELECT_MFA_TYPE answer")
    g.add_argument(
        "--user-attribute",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a required attribute asked with NEW_PASSWORD_REQUIRED",
    )
    g.add_argument(
        "--show-secret-hash", action="store_true", help="print how SECRET_HASH was computed"
    )

    gi = inspect.add_argument_group("Amazon Cognito (instead of --issuer)")
    gi.add_argument("--region", help="AWS region of the pool (implied by --user-pool-id)")
    gi.add_argument("--user-pool-id", metavar="ID", help="verify with this pool's keys and issuer")
    gi.add_argument("--endpoint-url", metavar="URL", help="fetch the JWKS from an emulator")
    handle(inspect, cmd_inspect, when=lambda args: bool(args.user_pool_id))

    gr = _pool_args(revoke, client=False)
    gr.add_argument("--cognito", action="store_true", help="RevokeToken (a refresh token)")
    handle(revoke, cmd_revoke, when=lambda args: bool(args.cognito))

    so = sub.add_parser("signout", help="sign a user out everywhere (Cognito GlobalSignOut)")
    add_token_argument(so, "the access token")
    so.add_argument("--cognito", action="store_true", help="Cognito GlobalSignOut (required)")
    _pool_args(so, client=True)
    so.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    so.add_argument("--log", action="store_true", help="print every exchange (masked) and curl")
    handle(so, cmd_signout)

    cog = sub.add_parser("cognito", help="Cognito user pool insight (needs AWS credentials)")
    handle(cog, cmd_cognito)
    actions = cog.add_subparsers(dest="cognito_command", metavar="ACTION", required=True)
    describe = actions.add_parser("describe-client", help="what the app client allows")
    describe.add_argument(
        "--flow", action="append", default=[], choices=FLOW_CHECKS, help="flag what would fail"
    )
    describe.add_argument("--scope", action="append", default=[], help="scope the flow asks for")
    describe.add_argument("--redirect-uri", help="redirect URI a browser flow would use")
    actions.add_parser("list-resource-servers", help="resource servers and their scopes")
    create = actions.add_parser(
        "create-resource-server", help="create a resource server and allow its scopes"
    )
    create.add_argument("--identifier", required=True, help="e.g. https://api.example.com")
    create.add_argument("--name", default="", help="display name (default: the identifier)")
    create.add_argument(
        "--scope",
        action="append",
        default=[],
        required=True,
        metavar="NAME[=DESCRIPTION]",
        help="a custom scope",
    )
    create.add_argument(
        "--client-credentials",
        action="store_true",
        help="also make the app client a client-credentials client",
    )
    create.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reality = actions.add_parser(
        "reality-check", help="an access token: local verification beside Cognito's GetUser"
    )
    add_token_argument(reality, "the access token")
    for action in (describe, create, reality, actions.choices["list-resource-servers"]):
        _pool_args(action, client=True)
        action.add_argument("--insecure", action="store_true", help="do not verify TLS")
        action.add_argument("--log", action="store_true", help="print every exchange and curl")
        action.add_argument("--json", action="store_true", help="print JSON")
    return actions


# -- helpers ---------------------------------------------------------------------------------
def _pool(args: argparse.Namespace) -> CognitoPool:
    secret = getattr(args, "client_secret", None)
    if getattr(args, "client_secret_env", None):
        secret = env(args.client_secret_env, "client secret")
    return CognitoPool(
        region=args.region or "",
        user_pool_id=args.user_pool_id or "",
        client_id=getattr(args, "client_id", None) or "",
        client_secret=secret or None,
        aws_profile=getattr(args, "aws_profile", None) or "",
        endpoint_url=args.endpoint_url or "",
        verify_tls=not getattr(args, "insecure", False),
    )


def _open(api: CognitoApi, args: argparse.Namespace, out: Out) -> None:
    if not api.pool.verify_tls:
        out.info("warning: TLS certificate verification is OFF for this run (--insecure).")
    out.watch(api.log)
    out.secret(api.pool.client_secret)
    if getattr(args, "log", False):
        api.log.subscribe(lambda ex: print_exchange(out, ex))


def _tty() -> bool:
    return bool(sys.stdin) and sys.stdin.isatty()


def _password(args: argparse.Namespace, out: Out, username: str) -> str:
    if args.password_env:
        return out.secret(env(args.password_env, "password")) or ""
    if not _tty():
        raise ConfigError("No terminal to ask for the password: use --password-env VAR.")
    return getpass.getpass(f"Password for {username}: ", stream=out.stderr)


#: The option that answers each challenge question without a terminal, by ``Question.key``.
ANSWER_OPTIONS: dict[str, str] = {
    NEW_PASSWORD: "--new-password-env VAR",
    MFA_CODE: "--mfa-code CODE",
    MFA_TYPE: "--mfa-type TYPE",
}


def answer_option(question: Question) -> str:
    """The option that supplies ``question``'s answer (a required attribute's is shared)."""
    if question.key.startswith("userAttributes."):
        return "--user-attribute NAME=VALUE"
    return ANSWER_OPTIONS[question.key]


def _preset(args: argparse.Namespace, question: Question) -> str | None:
    if question.key == NEW_PASSWORD and args.new_password_env:
        return env(args.new_password_env, "new password")
    if question.key == MFA_CODE and args.mfa_code:
        return str(args.mfa_code)
    if question.key == MFA_TYPE and args.mfa_type:
        return str(args.mfa_type)
    if question.key.startswith("userAttributes."):
        name = question.key.split(".", 1)[1]
        for item in args.user_attribute:
            key, sep, value = item.partition("=")
            if sep and key.strip() in (name, question.key):
                return str(value)
    return None


def _ask(out: Out, question: Question) -> str:
    label = question.label
    if question.choices:
        label += f" ({' / '.join(question.choices)})"
    if question.secret:
        return getpass.getpass(f"{label}: ", stream=out.stderr)
    print(f"{label}: ", end="", file=out.stderr, flush=True)
    return sys.stdin.readline().strip()


def _answer(args: argparse.Namespace, out: Out, challenge: Challenge) -> dict[str, str]:
    out.info(challenge.prompt)
    if not challenge.answerable:
        raise FlowError(
            f"Cannot answer the {challenge.name} challenge from the command line.",
            kind="unsupported_challenge",
        )
    if challenge.totp_secret and challenge.totp_uri:
        out.info(f"Authenticator key: {challenge.totp_secret}")
        print_qr(out, challenge.totp_uri)
    answers: dict[str, str] = {}
    for question in challenge.questions:
        value = _preset(args, question)
        if value is None:
            if not _tty():
                raise ConfigError(
                    f"Cognito asks for {question.label.lower()} ({challenge.name}) and there is "
                    f"no terminal to ask on: supply it with {answer_option(question)}."
                )
            value = _ask(out, question)
        answers[question.key] = value
    return answers


#: What another module's ``cognito`` actions share with these (:mod:`workbench.cli.cognito_users`):
#: the pool options, the pool they describe, and a client's log wired to the output.
POOL_HOOKS = (_pool_args, _pool, _open)


# -- commands --------------------------------------------------------------------------------
def cmd_token(args: argparse.Namespace, out: Out) -> int:
    """``token --grant cognito-*``: the Cognito API door."""
    flow = COGNITO_GRANTS[args.grant]
    pool = _pool(args)
    pool.require_region()
    pool.require_client()
    auth = CognitoAuth(pool)
    _open(auth, args, out)
    try:
        if flow == "REFRESH_TOKEN_AUTH":
            refresh_token = out.secret(refresh_token_arg(args))
            if not refresh_token:
                raise ConfigError("--refresh-token is required for --grant cognito-refresh.")
            result = auth.refresh(refresh_token, args.username)
            _explain_hash(args, out, auth)
            out.info("refresh token " + ROTATION_TEXT[result.rotation])
            print_tokens(args, out, result.tokens)
            return EXIT_OK
        if not args.username:
            raise ConfigError(f"--username is required for --grant {args.grant}.")
        if flow == "USER_SRP_AUTH":
            out.info("USER_SRP_AUTH: the password never leaves this machine (SRP, pycognito).")
        password = _password(args, out, args.username)
        auth_flow: AuthFlow = "USER_SRP_AUTH"
        if flow == "USER_PASSWORD_AUTH":
            auth_flow = "USER_PASSWORD_AUTH"
        elif flow == "ADMIN_USER_PASSWORD_AUTH":
            auth_flow = "ADMIN_USER_PASSWORD_AUTH"
        result_or_challenge = auth.sign_in(args.username, password, auth_flow)
        _explain_hash(args, out, auth)
        for _ in range(_MAX_CHALLENGES):
            if isinstance(result_or_challenge, TokenSet):
                break
            answers = _answer(args, out, result_or_challenge)
            result_or_challenge = auth.respond(result_or_challenge, answers)
        if not isinstance(result_or_challenge, TokenSet):
            raise FlowError("Cognito kept asking challenges; giving up.", kind="challenge")
        out.info(f"Signed in with {flow}.")
        print_tokens(args, out, result_or_challenge)
        return EXIT_OK
    finally:
        auth.close()


def _explain_hash(args: argparse.Namespace, out: Out, auth: CognitoAuth) -> None:
    hashed = auth.last_secret_hash
    if hashed is not None and args.show_secret_hash:
        out.info(hashed.explain())


def _token_call(
    args: argparse.Namespace, out: Out, call: Callable[[CognitoAuth, str], None], *, client: bool
) -> None:
    """Run one Cognito call on the token argument with a recorded, closed-after client."""
    token = out.secret(positional_token(args)) or ""
    pool = _pool(args)
    pool.require_region()
    if client:
        pool.require_client()
    auth = CognitoAuth(pool)
    _open(auth, args, out)
    try:
        call(auth, token)
    finally:
        auth.close()


def cmd_revoke(args: argparse.Namespace, out: Out) -> int:
    """``revoke --cognito``: RevokeToken of a refresh token."""
    _token_call(args, out, CognitoAuth.revoke, client=True)
    out.result(
        "revoked (RevokeToken: the refresh token and the access/ID tokens issued from it; they "
        "still verify locally until they expire)"
    )
    return EXIT_OK


def cmd_signout(args: argparse.Namespace, out: Out) -> int:
    """``signout --cognito``: GlobalSignOut with an access token."""
    if not args.cognito:
        raise ConfigError("signout supports Amazon Cognito only (GlobalSignOut): add --cognito.")
    _token_call(args, out, CognitoAuth.global_sign_out, client=False)
    out.result(
        "signed out (GlobalSignOut: every refresh token of the user is revoked; access tokens "
        "still verify locally until they expire, GetUser refuses them)"
    )
    return EXIT_OK


def cmd_inspect(args: argparse.Namespace, out: Out) -> int:
    """``inspect TOKEN --user-pool-id P``: the pool's keys and issuer, Cognito's claims."""
    if args.issuer or args.jwks_uri:
        raise ConfigError("Use either --user-pool-id or --issuer/--jwks-uri, not both.")
    token = positional_token(args)
    unreadable = unreadable_token(args, out, token, requested=True)  # the pool's keys
    if unreadable is not None:
        return unreadable
    pool = CognitoPool(
        region=args.region or "",
        user_pool_id=args.user_pool_id,
        client_id=args.client_id or "",
        endpoint_url=args.endpoint_url or "",
        verify_tls=not args.insecure,
    )
    kind: Literal["access", "id"] = (
        "id" if decode_jwt(token).claims.get("token_use") == "id" else "access"
    )
    http = HttpClient(verify_tls=pool.verify_tls)
    out.watch(http.log)
    if args.log:
        http.log.subscribe(lambda ex: print_exchange(out, ex))
    try:
        cache = JwksCache.through(http)
        inspection = inspect_cognito_token(token, pool, cache, kind)
    finally:
        http.close()
    if not args.json:
        out.info(f"Cognito {kind} token; keys from {pool.jwks_url}")
    return report_inspection(args, out, inspection)


def cmd_cognito(args: argparse.Namespace, out: Out) -> int:
    """``cognito ACTION``: pool insight."""
    pool = _pool(args)
    pool.require_pool()
    if args.cognito_command == "reality-check":
        return _reality(args, out, pool)
    admin = CognitoPoolAdmin(pool)
    _open(admin, args, out)
    try:
        if args.cognito_command == "describe-client":
            return _describe(args, out, admin)
        if args.cognito_command == "list-resource-servers":
            servers = admin.list_resource_servers()
            if args.json:
                out.result(json.dumps([s.to_dict() for s in servers], indent=2))
            elif not servers:
                out.result("No resource servers in this pool.")
            for server in [] if args.json else servers:
                out.result(f"{server.identifier}  ({server.name})")
                for (_name, description), full in zip(
                    server.scopes, server.scope_names, strict=True
                ):
                    out.result(f"  {full}  {description}")
            return EXIT_OK
        return _create_resource_server(args, out, admin)
    finally:
        admin.close()


def _describe(args: argparse.Namespace, out: Out, admin: CognitoPoolAdmin) -> int:
    info = admin.describe_client()
    problems = {
        flow: check_flow(
            info,
            flow,
            secret_supplied=admin.pool.has_secret,
            scopes=args.scope,
            redirect_uri=args.redirect_uri,
        )
        for flow in args.flow
    }
    if args.json:
        doc: dict[str, Any] = info.to_dict()
        if problems:
            doc["problems"] = {f: [p.to_dict(cli_option) for p in ps] for f, ps in problems.items()}
        out.result(json.dumps(doc, indent=2))
    else:
        for key, value in info.to_dict().items():
            shown = ", ".join(value) if isinstance(value, list) else value
            out.result(f"{key}: {shown if shown != '' else '-'}")
        for flow, found in problems.items():
            out.result("")
            out.result(f"{flow}: " + ("no problem found" if not found else ""))
            for problem in found:
                advice = cli_words(problem.advice)
                out.result(f"  {problem.severity.upper()}  {problem.setting}: {advice}")
    failing = any(p.severity == "error" for ps in problems.values() for p in ps)
    return EXIT_CHECK if failing else EXIT_OK


def _create_resource_server(args: argparse.Namespace, out: Out, admin: CognitoPoolAdmin) -> int:
    scopes: list[tuple[str, str]] = []
    for item in args.scope:
        name, _, description = item.partition("=")
        scopes.append((name.strip(), description.strip() or name.strip()))
    plan = admin.plan_custom_scopes(
        args.identifier,
        scopes,
        name=args.name,
        enable_client_credentials=args.client_credentials,
    )
    if plan.nothing_to_do:
        out.result("Nothing to do: the resource server and the client's scopes are in place.")
        return EXIT_OK
    out.info("This will:")
    for step in plan.steps():
        out.info(f"  - {step}")
    for note in plan.warnings:
        out.info(f"  note: {note}")
    if not args.yes:
        if not _tty():
            raise ConfigError("Nothing changed: no terminal to confirm on; add --yes to proceed.")
        print("Proceed? [y/N] ", end="", file=out.stderr, flush=True)
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            out.info("Nothing changed.")
            return EXIT_OAUTH
    info = admin.apply(plan, confirm=True)
    if args.json:
        out.result(json.dumps(info.to_dict(), indent=2))
    else:
        out.result(f"AllowedOAuthScopes: {', '.join(info.allowed_oauth_scopes)}")
        out.result(f"AllowedOAuthFlows: {', '.join(info.allowed_oauth_flows) or '-'}")
    return EXIT_OK


def _reality(args: argparse.Namespace, out: Out, pool: CognitoPool) -> int:
    token = out.secret(positional_token(args)) or ""
    auth = CognitoAuth(pool)
    _open(auth, args, out)
    try:
        check = reality_check(auth, token)
    finally:
        auth.close()
    if args.json:
        out.result(
            json.dumps(
                {
                    "locally_valid": check.locally_valid,
                    "server": {
                        "active": check.server.active,
                        "source": check.server.source,
                        "detail": check.server.detail,
                    },
                    "contradiction": check.contradiction,
                    "findings": [f.to_dict() for f in cli_findings(check.local).findings],
                },
                indent=2,
            )
        )
    else:
        out.result(describe_reality(check))
        if check.contradiction:
            out.result(
                "The token still verifies locally but Cognito refuses it: an API that only "
                "checks the JWT would still accept it until it expires."
            )
    return EXIT_OK if check.locally_valid and check.server.active else EXIT_CHECK
