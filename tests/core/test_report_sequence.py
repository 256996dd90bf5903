"""The sequence model and its Mermaid text, built from real flows against the demo server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import pytest

from tests import report_flows
from tests.cognito_peer import PASSWORD as COGNITO_PASSWORD
from tests.cognito_peer import MotoPool
from tests.demo_driver import decide_device_code
from workbench.core.cognito.auth import CognitoAuth
from workbench.core.errors import OAuthError
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.report.html import build_report
from workbench.core.report.logfile import parse_log
from workbench.core.report.mermaid import escape, to_mermaid
from workbench.core.report.sequence import build_sequence
from workbench.core.report.svg import to_svg
from workbench.core.session import run_to_end
from workbench.core.transport.exchange import Exchange, ExchangeLog
from workbench.demo import DemoServer


def _model(log: ExchangeLog, index: int = -1):  # type: ignore[no-untyped-def]
    return build_sequence(log.items(), log.steps(), log.flows()[index])


def test_client_credentials(demo: DemoServer) -> None:
    session = report_flows.session_for(demo)
    session.metadata()  # before the flow: not in its diagram
    report_flows.client_credentials(session)
    session.close()
    model = _model(session.log)
    assert model.lanes == ("client", "authorization_server")
    assert [(a.source, a.target, a.label) for a in model.arrows] == [
        ("client", "authorization_server", "token request (client_credentials)"),
        ("authorization_server", "client", "200 OK"),
    ]
    token_exchange = session.log.items()[-1]
    assert model.arrows[1].exchange_id == token_exchange.id and not model.arrows[1].failed
    assert model.title == "client_credentials (ok)"
    text = to_mermaid(model)
    assert text.startswith("sequenceDiagram\n    title client_credentials (ok)\n")
    assert "    participant W as Token Workbench\n" in text
    assert "    W->>AS: token request (client_credentials)\n" in text
    assert "    AS-->>W: 200 OK\n" in text


def test_authorization_code_has_the_browser_steps(demo: DemoServer) -> None:
    session = report_flows.session_for(demo, native=True, scope="openid offline_access")
    secrets = report_flows.authorization_code(session)
    session.close()
    model = _model(session.log)
    labels = [a.label for a in model.arrows]
    port = session.log.steps()[1].text.split("127.0.0.1:")[1].split("/")[0]
    assert model.lanes == ("user", "client", "authorization_server")
    opened = labels.index("authorization request (browser opened with the authorize URL)")
    assert labels[opened + 1] == "sign-in and consent in the browser"
    redirect = next(a for a in model.arrows if a.label.startswith("302 to"))
    assert redirect.label.startswith(f"302 to 127.0.0.1:{port}/callback with code")
    assert (redirect.source, redirect.target) == ("user", "client")
    assert labels.index(redirect.label) < labels.index("token request (authorization_code)")
    text = to_mermaid(model)
    assert f"U->>W: 302 to 127.0.0.1#58;{port}/callback with code" in text
    assert secrets["code"] not in text and secrets["verifier"] not in text


def test_device_polls_then_the_approval_then_the_token_reply(demo: DemoServer) -> None:
    session = report_flows.session_for(demo, native=True, scope="openid")
    report_flows.device(session, approve_after=2)
    session.close()
    model = _model(session.log)
    polls = [ex.id for ex in session.log.items() if ex.purpose == "token (device_code poll)"]
    assert len(polls) >= 3
    # The pending polls are one arrow; the approval sits between them and the poll that got
    # the tokens, which stays an arrow of its own so the approval is not hidden inside a run.
    labels = [a.label for a in model.arrows]
    start = labels.index("device authorization")  # after discovery
    arrows = model.arrows[start:]
    assert [(a.source, a.target, a.label) for a in arrows] == [
        ("client", "authorization_server", "device authorization"),
        ("authorization_server", "client", "200 OK"),
        ("client", "user", "device code shown: the user is sent to the verification page"),
        (
            "client",
            "authorization_server",
            f"token request (device_code), polled {len(polls) - 1} times",
        ),
        ("authorization_server", "client", "400 authorization_pending"),
        ("user", "authorization_server", "user approved on the verification page"),
        ("client", "authorization_server", "token request (device_code)"),
        ("authorization_server", "client", "200 OK"),
    ]
    assert arrows[3].exchange_ids == tuple(polls[:-1])
    assert not arrows[4].failed  # pending: the expected answer while the user decides
    assert arrows[6].exchange_ids == (polls[-1],) and not arrows[7].failed
    approved = next(s for s in session.log.steps() if s.kind == "user_approved")
    final = next(ex for ex in session.log.items() if ex.id == polls[-1])
    before = next(ex for ex in session.log.items() if ex.id == polls[-2])
    assert before.started_at < approved.at <= final.started_at
    assert "U->>AS: user approved on the verification page" in to_mermaid(model)


def test_device_denial_is_a_step_before_the_refusal(demo: DemoServer) -> None:
    session = report_flows.session_for(demo, native=True, scope="openid")
    with pytest.raises(OAuthError, match="access_denied"), session.log.flow("device_code"):
        flow = session.device_login()
        auth: Any = next(flow)
        next(flow)  # one pending poll
        decide_device_code(auth.verification_uri, auth.user_code, approve=False)
        run_to_end(flow)
    session.close()
    model = _model(session.log)
    labels = [a.label for a in model.arrows]
    assert labels[-3:] == [
        "user denied on the verification page",
        "token request (device_code)",
        "400 access_denied",
    ]
    assert model.arrows[-1].failed and model.flow is not None
    assert model.flow.outcome == "failed"
    assert [s.kind for s in session.log.steps()] == ["device_code_shown", "user_denied"]


def test_tokens_at_the_first_poll_make_no_approval_step(demo: DemoServer) -> None:
    session = report_flows.session_for(demo, native=True, scope="openid")
    with session.log.flow("device_code"):
        flow = session.device_login()
        auth: Any = next(flow)
        decide_device_code(auth.verification_uri, auth.user_code)
        assert run_to_end(flow).access_token
    session.close()
    assert [s.kind for s in session.log.steps()] == ["device_code_shown"]


def test_refresh_reuse_failure_is_flagged(demo: DemoServer) -> None:
    session = report_flows.session_for(demo, scope="openid offline_access")
    report_flows.refresh_reuse(session)
    session.close()
    model = _model(session.log)
    assert model.flow is not None and model.flow.outcome == "failed"
    last = model.arrows[-1]
    assert (last.label, last.failed, last.reply) == ("400 invalid_grant", True, True)
    assert [a.failed for a in model.arrows].count(True) == 1
    assert "AS--xW: 400 invalid_grant" in to_mermaid(model)
    assert model.title.startswith("refresh_reuse (failed: invalid_grant")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a; b", "a#59; b"),
        ("#1 <b>", "#35;1 #60;b#62;"),
        ("two\nlines %% here", "two lines #37;#37; here"),
        ("end", "end"),
    ],
)
def test_mermaid_escapes_what_it_treats_specially(text: str, escaped: str) -> None:
    assert escape(text) == escaped


def test_hostile_words_are_escaped_in_svg_and_html(demo: DemoServer) -> None:
    session = report_flows.session_for(demo)
    report_flows.client_credentials(session)
    session.close()
    (flow,) = session.log.flows()
    hostile = '<script>alert("x")</script> & ]]>'
    exchange = session.log.items()[-1]
    body = '{"error": "' + hostile.replace('"', '\\"') + '"}'
    bad = Exchange.from_dict(
        {**exchange.to_dict(), "purpose": hostile, "response": {"status": 400, "body": body}}
    )
    model = build_sequence([bad], (), flow)
    svg = to_svg(model)
    ElementTree.fromstring(svg)  # well-formed: every word escaped
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert model.arrows[1].failed and model.arrows[1].label.startswith("400 <script>")
    html = build_report(parse_log({"exchanges": [bad.to_dict()], "flows": [flow.to_dict()]}))
    assert "<script>" not in html and html.count("&lt;script&gt;") >= 3


def test_a_cognito_sign_in_draws_the_cognito_lane(make_pool: Callable[..., MotoPool]) -> None:
    moto = make_pool(confirmed=True)
    auth = CognitoAuth(moto.describe())
    try:
        with auth.log.flow("cognito USER_PASSWORD_AUTH"):
            tokens = auth.sign_in("alice", COGNITO_PASSWORD, "USER_PASSWORD_AUTH")
    finally:
        auth.close()
    assert isinstance(tokens, TokenSet)
    model = _model(auth.log)
    assert "cognito" in model.lanes
    sign_in = next(a for a in model.arrows if a.label.startswith("cognito-idp InitiateAuth"))
    assert (sign_in.source, sign_in.target) == ("client", "cognito")
    assert model.arrows[model.arrows.index(sign_in) + 1].label == "200 OK"
    text = to_mermaid(model)
    assert "participant CG as Cognito API" in text and COGNITO_PASSWORD not in text
    exchange = next(ex for ex in auth.log.items() if ex.id == sign_in.exchange_id)
    assert exchange.flow_id == model.flow.id  # type: ignore[union-attr]
    assert exchange.tokens["AccessToken"]["claims"]["token_use"] == "access"
    assert set(exchange.tokens["IdToken"]) == {"header", "claims", "fingerprint"}
