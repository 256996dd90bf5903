"""A token's checks in the log and in the report, against the demo server: the session's
inspection (what the app's inspector runs) records its findings in the flow it ran in, tied to
the token by its fingerprint; the checks made from the log say what they could not check."""

from __future__ import annotations

import dataclasses
import json

from tests import report_flows
from workbench.core.report.checks import (
    checks_from_log,
    providers_in,
    recorded_checks,
    same_token,
)
from workbench.core.report.html import build_report
from workbench.core.report.logfile import log_document, parse_log
from workbench.demo import DemoServer


def test_session_inspection_is_recorded_in_its_flow_and_read_back(demo: DemoServer) -> None:
    session = report_flows.session_for(demo)
    try:
        with session.log.flow("client_credentials") as run:
            tokens = session.client_credentials()
            session.inspect(tokens.access_token)
        log = session.log
        document = json.loads(json.dumps(log_document(log.items(), log.flows(), log.steps())))
    finally:
        session.close()
    records = parse_log(document)
    (recorded,) = recorded_checks(records.steps)
    assert recorded.step.flow_id == run.id and recorded.token == "access token" and recorded.ok
    assert {f.check: f.outcome.value for f in recorded.findings}["signature"] == "pass"
    assert tokens.access_token not in json.dumps(document)
    carried = next(ex for ex in records.exchanges if ex.tokens)
    assert same_token(recorded, carried.tokens["access_token"])
    other = {**carried.tokens["access_token"], "fingerprint": "another-token"}
    assert not same_token(recorded, other)  # same claims, another signature: not this record
    html = build_report(records)
    assert "Checks made when the access token was inspected" in html
    assert "Checked from the log (signature not in the report)" in html


def test_checks_from_log_fail_or_say_not_checked(demo: DemoServer) -> None:
    session = report_flows.session_for(demo)
    try:
        with session.log.flow("client_credentials"):
            session.client_credentials()
            session.inspect(session.client_credentials().access_token)  # fetches the JWKS
        exchanges = session.log.items()
    finally:
        session.close()
    provider = providers_in(exchanges)[demo.issuer]
    assert provider.jwks_logged and provider.keys
    carried = next(ex for ex in exchanges if ex.tokens)
    decoded = carried.tokens["access_token"]
    found = {f.check: f for f in checks_from_log("access_token", decoded, 0.0, provider, None)}
    assert found["signature"].outcome.value == "not_checked"
    assert found["aud"].outcome.value == "not_checked"  # no client named
    assert found["iat"].outcome.value == "fail"  # issued long after the moment given
    unsigned = {**decoded, "header": {**decoded["header"], "alg": "none", "kid": "gone"}}
    found = {f.check: f for f in checks_from_log("access_token", unsigned, 0.0, provider, "x")}
    assert found["alg"].outcome.value == "fail" and found["kid"].outcome.value == "fail"
    alone = {f.check: f for f in checks_from_log("access_token", decoded, 0.0, None, None)}
    assert {alone[c].outcome.value for c in ("iss", "kid")} == {"not_checked"}
    assert "no discovery document" in alone["iss"].reason
    expired = dataclasses.replace(carried, started_at=carried.started_at + 3600)
    later = checks_from_log("access_token", decoded, expired.started_at, provider, None)
    assert [f.outcome.value for f in later if f.check == "exp"] == ["fail"]
