"""The report's parts about tokens and providers: each logged token's checks (those recorded
when it was inspected, and those the log itself allows) and each provider's metadata.

Every value is HTML-escaped and comes from the masked log. A check that was not made says so in
its own words and its own colour, never as passed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from workbench.core.report.checks import (
    ProviderRecord,
    RecordedChecks,
    checks_from_log,
    client_of,
    same_token,
)
from workbench.core.tokens.findings import Finding, Outcome
from workbench.core.transport.exchange import Exchange

#: The public members of a JWK the report shows (never key material, public or not).
KEY_MEMBERS = ("kid", "kty", "alg", "use")
#: The words of an outcome, as the inspector shows them.
OUTCOME_WORDS = {Outcome.PASS: "pass", Outcome.FAIL: "FAIL", Outcome.NOT_CHECKED: "not checked"}
#: The endpoints a flow's exchanges may have used, by metadata member.
ENDPOINTS = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "device_authorization_endpoint",
    "userinfo_endpoint",
    "introspection_endpoint",
    "revocation_endpoint",
    "end_session_endpoint",
    "jwks_uri",
)


def findings_table(findings: Iterable[Finding], caption: str) -> str:
    rows = "".join(
        f'<tr class="finding {escape(f.outcome.value)}"><td>{escape(f.check)}</td>'
        f'<td class="outcome">{escape(OUTCOME_WORDS[f.outcome])}</td>'
        f"<td>{escape(f.reason)}</td></tr>"
        for f in findings
    )
    return f'<table class="checks"><caption>{escape(caption)}</caption>{rows}</table>'


def token_checks(
    ex: Exchange,
    member: str,
    decoded: Mapping[str, Any],
    providers: Mapping[str, ProviderRecord],
    recorded: Sequence[RecordedChecks],
    client_id: str | None,
) -> str:
    """The checks of the token ``member`` of ``ex``: those recorded when it was inspected (tied
    to it by its identity claims), then those made from the log."""
    claims = decoded.get("claims") if isinstance(decoded.get("claims"), Mapping) else {}
    issuer = claims.get("iss") if isinstance(claims, Mapping) else None
    provider = providers.get(issuer) if isinstance(issuer, str) else None
    parts = [
        findings_table(
            record.findings,
            f"Checks made when the {record.token} was inspected (its signature checked then)",
        )
        for record in recorded
        if same_token(record, decoded)
    ]
    findings = checks_from_log(member, decoded, ex.started_at, provider, client_id)
    parts.append(
        findings_table(
            findings,
            "Checked from the log (signature not in the report), at the time the exchange "
            "received the token",
        )
    )
    return "".join(parts)


def flow_client(exchanges: Iterable[Exchange]) -> str | None:
    """The client a flow's requests named (the first that names one)."""
    for ex in exchanges:
        found = client_of(ex)
        if found:
            return found
    return None


def recorded_section(recorded: Sequence[RecordedChecks]) -> str:
    """A flow's recorded checks (``inspect`` runs, the inspector), each with its token's
    identity: the report ties them to a logged token where it can, and lists them here too."""
    if not recorded:
        return ""
    parts = ["<h3>Token checks recorded in this flow</h3>"]
    for record in recorded:
        who = ", ".join(f"{k} {v}" for k, v in record.identity.items()) or "no identity claims"
        verdict = "no check failed" if record.ok else "a check failed"
        parts.append(
            f'<div class="recorded {"ok" if record.ok else "failed"}">'
            f"<p>The {escape(record.token)} ({escape(who)}): {escape(verdict)}</p>"
            + findings_table(record.findings, f"Checks made when the {record.token} was inspected")
            + "</div>"
        )
    return "".join(parts)


def provider_section(providers: Mapping[str, ProviderRecord], exchanges: Sequence[Exchange]) -> str:
    """Each provider's discovery document (as logged: masked, escaped) and its JWKS's public
    key names, in a ``<details>`` per issuer; the endpoints the flows used listed first."""
    if not providers:
        return ""
    used = {ex.url.split("?")[0] for ex in exchanges}
    parts = ['<section class="providers"><h2>Provider metadata</h2>']
    for issuer, record in providers.items():
        rows: list[tuple[bool, str]] = []
        for member in ENDPOINTS:
            value = record.metadata.get(member)
            if isinstance(value, str):
                mark = ' class="used"' if value in used else ""
                note = " (used)" if value in used else ""
                row = f"<tr{mark}><td>{escape(member)}</td><td>{escape(value)}{note}</td></tr>"
                rows.append((value not in used, row))
        rows.sort(key=lambda item: item[0])  # the endpoints used first
        keys = "".join(
            "<tr>"
            + "".join(f"<td>{escape(str(key.get(m, '')))}</td>" for m in KEY_MEMBERS)
            + "</tr>"
            for key in record.keys
        )
        head = "".join(f"<th>{m}</th>" for m in KEY_MEMBERS)
        jwks = (
            f'<table class="keys"><caption>JWKS public keys</caption><tr>{head}</tr>{keys}</table>'
            if record.jwks_logged
            else "<p>No JWKS of this issuer in the log.</p>"
        )
        document = json.dumps(dict(record.metadata), indent=2, ensure_ascii=False)
        parts.append(
            f'<details class="provider" open><summary>{escape(issuer)}</summary>'
            f'<table class="endpoints">{"".join(r for _, r in rows)}</table>{jwks}'
            "<details><summary>Discovery document (as logged)</summary>"
            f'<pre class="discovery">{escape(document)}</pre></details></details>'
        )
    parts.append("</section>")
    return "".join(parts)
