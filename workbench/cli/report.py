"""``workbench report --from-log FILE.json --out report.html [--flow ID]...``: the shareable
report (:mod:`workbench.core.report.html`) from a log the app exported or ``--log-json`` wrote."""

from __future__ import annotations

import argparse
from typing import Any

from workbench.cli.output import EXIT_OK, Out
from workbench.core.private_files import write_private_text
from workbench.core.report.html import build_report
from workbench.core.report.logfile import read_log


def register(sub: Any) -> argparse.ArgumentParser:
    rep: argparse.ArgumentParser = sub.add_parser(
        "report", help="write a self-contained HTML report of a saved exchange log"
    )
    rep.add_argument(
        "--from-log", required=True, metavar="FILE.json", help="the log (Export, --log-json)"
    )
    rep.add_argument("--out", required=True, metavar="FILE.html", help="where to write it")
    rep.add_argument(
        "--flow",
        action="append",
        default=[],
        metavar="ID",
        help="a flow to include (repeat for more; default: every flow of the log)",
    )
    rep.set_defaults(run=cmd_report)
    return rep


def cmd_report(args: argparse.Namespace, out: Out) -> int:
    records = read_log(args.from_log)
    html = build_report(records, args.flow)
    write_private_text(args.out, html)
    flows = len(args.flow) or len(records.flows)
    noun = "flow" if flows == 1 else "flows"
    out.result(f"Wrote the report of {flows} {noun} to {args.out}")
    return EXIT_OK
