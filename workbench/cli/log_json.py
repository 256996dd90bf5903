"""``--log-json FILE`` on every command: the run is one flow of the exchange log, and its
masked exchanges, steps and flow are written to FILE in the JSON the app exports (appended
after the flows already there), readable by the owner only.

:func:`run_as_flow` runs a command's handler inside the flow whether or not the option is
given, so an exchange of any run knows its flow.
"""

from __future__ import annotations

import argparse

from workbench.cli.output import EXIT_OK, Handler, Out
from workbench.core.errors import ConfigError
from workbench.core.report.logfile import append_log
from workbench.core.transport.flows import FlowRun, flow_scope


def add_log_json(parser: argparse.ArgumentParser) -> None:
    """``--log-json FILE`` on every command that runs (a command with actions: on each action,
    where argparse keeps its value)."""
    nested = _subcommands(parser)
    for command in nested.values():
        add_log_json(command)
    if nested:
        return
    parser.add_argument(
        "--log-json",
        metavar="FILE",
        help="write this run's exchanges (masked) and its flow to FILE as JSON, appended "
        "to the flows already there (the app's Export format; the file is 0600)",
    )


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def flow_name(args: argparse.Namespace) -> str:
    """``client_credentials`` for ``token --grant client_credentials``; the command and its
    action otherwise (``cognito sign-up``, ``call``)."""
    if args.command == "token" and getattr(args, "grant", None):
        return str(args.grant)
    words = [args.command]
    for key in ("cognito_command", "profile_command"):
        if getattr(args, key, None):
            words.append(str(getattr(args, key)))
    return " ".join(words)


def run_as_flow(run: Handler, args: argparse.Namespace, out: Out) -> int:
    """Run the handler as one flow; an exit code other than 0 is a failed flow. With
    ``--log-json`` the flow is written (whatever its outcome) before the handler's result or
    error goes on."""
    flow: FlowRun | None = None
    try:
        with flow_scope(flow_name(args), out.mask) as flow:
            code = run(args, out)
            if code != EXIT_OK:
                flow.fail(f"exit code {code}")
        return code
    finally:
        path = getattr(args, "log_json", None)
        if path and flow is not None:
            _write(path, flow, out)


def _write(path: str, flow: FlowRun, out: Out) -> None:
    exchanges, steps = [], []
    for log in out.logs():
        exchanges += [ex for ex in log.items() if ex.flow_id == flow.id]
        steps += [step for step in log.steps() if step.flow_id == flow.id]
    exchanges.sort(key=lambda ex: ex.started_at)
    steps.sort(key=lambda step: step.at)
    try:
        append_log(path, exchanges, [flow.snapshot()], steps)
    except OSError as exc:
        out.info(f"error: could not write the log to {path}: {exc.strerror or exc}")
    except ConfigError as exc:
        out.info(f"error: the log was not written to {path}: {exc}")
