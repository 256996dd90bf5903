"""The shareable report: one self-contained HTML file (inline CSS, the diagrams as inline SVG,
no script, nothing fetched) with the chosen flows of a log — each flow's diagram, every exchange
masked with its curl twin, the Mermaid text — and the app's and libraries' versions and the
time. Every value is HTML-escaped; everything comes from the masked log, so the report holds
no more than the log does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from workbench.core.report.checks import (
    ProviderRecord,
    RecordedChecks,
    providers_in,
    recorded_checks,
)
from workbench.core.report.logfile import LogRecords, versions
from workbench.core.report.mermaid import to_mermaid
from workbench.core.report.sections import (
    flow_client,
    provider_section,
    recorded_section,
    token_checks,
)
from workbench.core.report.sequence import SequenceModel, build_sequence
from workbench.core.report.svg import to_svg
from workbench.core.transport.exchange import Exchange
from workbench.core.transport.flows import Flow

STYLE = """
:root { color-scheme: light dark; }
body { font-family: sans-serif; margin: 2em; color: #24292f; background: #fff; }
h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .2em; }
.meta td { padding: 0 1em 0 0; } .diagram { overflow-x: auto; margin: 1em 0; }
.exchange { border: 1px solid #d0d7de; border-radius: 6px; padding: .5em 1em; margin: 1em 0; }
.exchange.failed { border-color: #c62828; } .status.failed { color: #c62828; font-weight: bold; }
pre { background: #f6f8fa; padding: .5em; overflow-x: auto; white-space: pre-wrap;
      word-break: break-all; }
.outcome-failed, .outcome-cancelled { color: #c62828; } .outcome-ok { color: #1a7f37; }
table.checks, table.keys, table.endpoints { border-collapse: collapse; margin: .5em 0; }
table.checks td, table.keys td, table.keys th, table.endpoints td {
  border: 1px solid #d0d7de; padding: .15em .5em; vertical-align: top; }
caption { text-align: left; font-weight: bold; padding: .3em 0; }
td.outcome { white-space: nowrap; }
tr.fail .outcome { color: #c62828; font-weight: bold; } tr.pass .outcome { color: #1a7f37; }
tr.not_checked .outcome { color: #9a6700; font-style: italic; }
tr.used td { font-weight: bold; }
@media (prefers-color-scheme: dark) {
  body { color: #e6edf3; background: #0d1117; }
  h2 { border-bottom-color: #30363d; }
  .exchange, table.checks td, table.keys td, table.keys th, table.endpoints td {
    border-color: #30363d; }
  pre { background: #161b22; }
  .exchange.failed { border-color: #ff7b72; }
  .status.failed, .outcome-failed, .outcome-cancelled, tr.fail .outcome { color: #ff7b72; }
  .outcome-ok, tr.pass .outcome { color: #3fb950; } tr.not_checked .outcome { color: #d29922; }
  a { color: #58a6ff; }
  /* the diagram: the page's rules win over the SVG's presentation attributes */
  svg.sequence > g { fill: #e6edf3; }
  svg.sequence .lane rect { fill: #21262d; stroke: #6e7681; }
  svg.sequence .lane line { stroke: #6e7681; }
  svg.sequence .arrow line, svg.sequence .arrow path { stroke: #e6edf3; }
  svg.sequence .arrow text { fill: #e6edf3; stroke: #0d1117; }
  svg.sequence marker path { fill: #e6edf3; }
  svg.sequence .arrow.failed line, svg.sequence .arrow.failed path { stroke: #ff7b72; }
  svg.sequence .arrow.failed text { fill: #ff7b72; }
  svg.sequence marker[id^="head-failed"] path { fill: #ff7b72; }
}
"""


def build_report(records: LogRecords, flow_ids: Sequence[str] = ()) -> str:
    """The report's HTML for the flows ``flow_ids`` of ``records`` (every flow when empty; the
    whole log as one section when it has no flows)."""
    flows = [records.flow(flow_id) for flow_id in flow_ids] or list(records.flows)
    wanted = {flow.id for flow in flows}
    shown_exchanges = [ex for ex in records.exchanges if not flows or ex.flow_id in wanted]
    context = _Context(providers_in(shown_exchanges), recorded_checks(records.steps))
    sections = [_flow_section(records, flow, context) for flow in flows]
    if not flows:
        sections = [_flow_section(records, None, context)]
    shown = dict(records.versions) or versions()
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{escape(value)}</td></tr>" for name, value in shown.items()
    )
    made = time.strftime("%Y-%m-%d %H:%M:%S %z")
    logged = f"<tr><td>log exported</td><td>{escape(records.exported_at)}</td></tr>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        "<title>Token Workbench report</title>"
        f"<style>{STYLE}</style></head><body>"
        "<h1>Token Workbench report</h1>"
        f'<table class="meta"><tr><td>report made</td><td>{escape(made)}</td></tr>'
        f"{logged if records.exported_at else ''}{rows}</table>"
        "<p>Secrets are masked as in the exchange log: tokens show their first characters only,"
        " and every curl command takes secrets from environment variables. A token's checks"
        " made from the log need no signature; the signature itself is never in the log.</p>"
        + provider_section(context.providers, shown_exchanges)
        + "".join(sections)
        + "</body></html>\n"
    )


@dataclass(frozen=True)
class _Context:
    """What every section reads beside its own records: the providers the log shows and the
    token checks it recorded."""

    providers: Mapping[str, ProviderRecord]
    recorded: Sequence[RecordedChecks]


def _flow_section(records: LogRecords, flow: Flow | None, context: _Context) -> str:
    wanted = None if flow is None else flow.id
    exchanges = [ex for ex in records.exchanges if wanted is None or ex.flow_id == wanted]
    model = build_sequence(exchanges, records.steps, flow)
    anchor = f"exchange-{wanted or 'log'}"
    client_id = flow_client(exchanges)
    own = [r for r in context.recorded if wanted is None or r.step.flow_id == wanted]
    return (
        f'<section class="flow" id="flow-{escape(wanted or "log")}">'
        f"<h2>{escape(model.title)}</h2>{_flow_times(flow)}"
        f'<div class="diagram">{to_svg(model, anchor)}</div>'
        f"{_mermaid(model)}"
        + "".join(_exchange(ex, anchor, context, client_id) for ex in exchanges)
        + recorded_section(own)
        + "</section>"
    )


def _flow_times(flow: Flow | None) -> str:
    if flow is None:
        return ""
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(flow.started_at))
    took = "" if flow.ended_at is None else f", {flow.ended_at - flow.started_at:.1f} s"
    return (
        f"<p>Flow {escape(flow.id)}: started {escape(started)}{escape(took)}; outcome "
        f'<span class="outcome-{escape(flow.outcome)}">{escape(flow.outcome)}</span>'
        f"{escape(': ' + flow.reason if flow.reason else '')}</p>"
    )


def _mermaid(model: SequenceModel) -> str:
    return (
        "<details><summary>Mermaid text (pastes into GitHub issues and docs)</summary>"
        f'<pre class="mermaid-text">{escape(to_mermaid(model))}</pre></details>'
    )


def _exchange(ex: Exchange, anchor: str, context: _Context, client_id: str | None) -> str:
    failed = ex.status is None or ex.status >= 400
    status = f"{ex.status} {ex.reason}" if ex.status is not None else f"failed: {ex.error}"
    request = {"headers": dict(ex.request_headers)}
    if ex.request_form is not None:
        request["form"] = dict(ex.request_form)
    parts = [
        f'<div class="exchange{" failed" if failed else ""}" id="{escape(anchor)}-{ex.id}">',
        f"<h3>#{ex.id} {escape(ex.purpose or ex.method)}</h3>",
        f"<p>{escape(ex.method)} {escape(ex.url)} → "
        f'<span class="status{" failed" if failed else ""}">{escape(status)}</span> '
        f"({ex.duration_ms:.0f} ms)</p>",
        f"<h4>Request</h4><pre>{escape(json.dumps(request, indent=2, ensure_ascii=False))}</pre>",
    ]
    if ex.request_body:
        parts.append(f"<pre>{escape(ex.request_body)}</pre>")
    for member, decoded in ex.request_tokens.items():
        shown = json.dumps(decoded, indent=2, ensure_ascii=False)
        parts.append(
            f"<h4>{escape(member)} sent: header and claims (decoded, signature left out)</h4>"
            f'<pre class="claims">{escape(shown)}</pre>'
        )
    parts.append(
        "<h4>Response</h4>"
        f"<pre>{escape(json.dumps(dict(ex.response_headers), indent=2, ensure_ascii=False))}</pre>"
        f"<pre>{escape(ex.response_body)}</pre>"
        f'<h4>curl</h4><pre class="curl">{escape(ex.curl)}</pre>'
    )
    for member, decoded in ex.tokens.items():
        shown = json.dumps(decoded, indent=2, ensure_ascii=False)
        parts.append(
            f"<h4>{escape(member)}: header and claims (decoded, signature left out)</h4>"
            f'<pre class="claims">{escape(shown)}</pre>'
        )
        if isinstance(decoded, Mapping):
            parts.append(
                token_checks(ex, member, decoded, context.providers, context.recorded, client_id)
            )
    parts.append("</div>")
    return "".join(parts)
