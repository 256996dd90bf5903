"""The headless twin: every flow of the core from the command line (no Qt here, ever).

This module is the entry point and the argument parser; each command group lives in a module
of its own that adds its sub-parser and its handler (:func:`build_parser` asks them in turn),
and :mod:`workbench.cli.output` says how results and errors are printed and which exit code a
run ends with.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from workbench import __version__
from workbench.cli import (
    api_calls,
    cognito,
    cognito_users,
    demo_server,
    discover,
    inspection,
    keys,
    log_json,
    logout,
    profiles,
    registration,
    report,
    server_calls,
    token_grants,
)
from workbench.cli.output import EXIT_INTERRUPTED, EXIT_USAGE, Handler, Out, report_error
from workbench.core.errors import WorkbenchError

#: Every ``token --grant`` value and what runs it, in the order ``--help`` lists them.
GRANT_RUNNERS: dict[str, Handler] = {
    **{grant: token_grants.cmd_token for grant in token_grants.GRANTS},
    **{grant: cognito.cmd_token for grant in cognito.COGNITO_GRANTS},
}


def _add_log_full(parser: argparse.ArgumentParser) -> None:
    """``--log-full`` beside every ``--log`` (of this command and of its sub-commands)."""
    if "--log" in parser._option_string_actions:
        parser.add_argument(
            "--log-full",
            action="store_true",
            help="like --log, with long response bodies printed whole instead of collapsed",
        )
    for sub in _subcommands(parser).values():
        _add_log_full(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Token Workbench: OAuth 2.0 and OpenID Connect tokens, from the command line.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    tok = token_grants.register(sub, GRANT_RUNNERS)
    ins = inspection.register(sub)
    calls = server_calls.register(sub)
    api_calls.register(sub)
    discover.register(sub)
    profiles.register(sub)
    demo_server.register(sub)
    logout.register(sub)
    report.register(sub)
    keys.register(sub)
    registration.register(sub)
    cognito_actions = cognito.register(sub, token=tok, inspect=ins, revoke=calls["revoke"])
    cognito_users.register(cognito_actions, *cognito.POOL_HOOKS)
    _add_log_full(parser)
    log_json.add_log_json(parser)
    return parser


def dash_tokens(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``argv`` rewritten so that a token beginning with ``-`` is read as a token.

    base64url has ``-`` in its alphabet, so about one opaque token in 64 begins with it, and
    argparse would take ``-Abc…`` for an unknown option. Within a command, a word that starts
    with ``-`` but is none of the command's options is a value: after an option that takes one
    it becomes ``--option=value``; otherwise it is a positional token and moves behind ``--``.
    """
    commands = _subcommands(parser)
    position = next((i for i, word in enumerate(argv) if word in commands), None)
    if position is None:
        return argv
    command = commands[argv[position]]
    if _subcommands(command):
        return argv  # a command with actions of its own takes no token before them
    options = command._option_string_actions
    head, rest = argv[: position + 1], argv[position + 1 :]
    kept: list[str] = []
    tokens: list[str] = []
    index = 0
    while index < len(rest):
        word = rest[index]
        if word == "--":
            kept.extend(rest[index:])
            break
        action = options.get(word)
        following = rest[index + 1] if index + 1 < len(rest) else None
        if (
            action is not None
            and action.nargs != 0
            and following is not None
            and following.startswith("-")
            and following != "-"
            and following.split("=", 1)[0] not in options
        ):
            kept.append(f"{word}={following}")
            index += 2
            continue
        if word.startswith("-") and word != "-" and word.split("=", 1)[0] not in options:
            tokens.append(word)
        else:
            kept.append(word)
        index += 1
    if not tokens:
        return [*head, *kept]
    if "--" in kept:
        at = kept.index("--")
        return [*head, *kept[:at], "--", *tokens, *kept[at + 1 :]]
    return [*head, *kept, "--", *tokens]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out = Out(stdout or sys.stdout, stderr or sys.stderr)
    parser = build_parser()
    args = parser.parse_args(dash_tokens(parser, sys.argv[1:] if argv is None else list(argv)))
    if not args.command:
        parser.print_help(out.stderr)
        return EXIT_USAGE
    if getattr(args, "log_full", False):
        out.log_full = args.log = True
    run: Handler = args.run
    try:
        return log_json.run_as_flow(run, args, out)
    except WorkbenchError as exc:
        return report_error(out, exc)
    except KeyboardInterrupt:
        out.info("cancelled")
        return EXIT_INTERRUPTED
