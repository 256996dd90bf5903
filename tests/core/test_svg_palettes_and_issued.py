"""The SVG diagram's palettes and the log's record of which exchange issued which token, from
real flows against the demo server."""

from __future__ import annotations

from xml.etree import ElementTree

from tests import report_flows
from workbench.core.report.html import build_report
from workbench.core.report.logfile import parse_log
from workbench.core.report.sequence import build_sequence
from workbench.core.report.svg import DARK, LIGHT, to_svg
from workbench.core.transport.exchange import ExchangeLog
from workbench.demo import DemoServer


def _model(log: ExchangeLog):  # type: ignore[no-untyped-def]
    return build_sequence(log.items(), log.steps(), log.flows()[-1])


def test_svg_palettes_light_by_default_and_dark_on_request(demo: DemoServer) -> None:
    session = report_flows.session_for(demo, scope="openid offline_access")
    report_flows.refresh_reuse(session)
    session.close()
    model = _model(session.log)
    light, dark = to_svg(model, page=True), to_svg(model, palette=DARK, page=True)
    assert to_svg(model, palette=LIGHT, page=True) == light
    # Inline (the report), the page around the diagram shows through: no page of its own.
    assert 'class="page"' not in to_svg(model) and 'class="page"' not in to_svg(model, palette=DARK)
    for svg, palette in ((light, LIGHT), (dark, DARK)):
        root = ElementTree.fromstring(svg)
        ns = {"s": "http://www.w3.org/2000/svg"}
        page = root.find("s:rect[@class='page']", ns)
        assert page is not None and page.get("fill") == palette.page
        group = root.find("s:g", ns)
        assert group is not None and group.get("fill") == palette.ink
        failed = root.find(".//s:g[@class='arrow failed']/s:a/s:line", ns)
        assert failed is not None and failed.get("stroke") == palette.failure
        lifeline = root.find(".//s:g[@class='lane']/s:line", ns)
        assert lifeline is not None and lifeline.get("stroke") == palette.lifeline
        head = root.find(".//s:g[@class='lane']/s:rect", ns)
        assert head is not None and head.get("fill") == palette.head_fill
    assert DARK.page not in light and LIGHT.page not in dark
    # The report is printed and read on a light page whatever the app's theme.
    records = parse_log(
        {
            "exchanges": [e.to_dict() for e in session.log.items()],
            "flows": [f.to_dict() for f in session.log.flows()],
        }
    )
    html = build_report(records)
    assert 'class="page"' not in html and f'fill="{LIGHT.ink}"' in html
    assert f'fill="{DARK.ink}"' not in html.split("<svg", 1)[1]


def test_the_log_knows_which_exchange_issued_a_token_without_keeping_it(
    demo: DemoServer,
) -> None:
    session = report_flows.session_for(demo, scope="openid offline_access")
    secrets = report_flows.refresh_reuse(session)
    session.close()
    log = session.log
    (issuing,) = [e for e in log.items() if e.purpose.startswith("token (password")]
    issued = log.issued_by(issuing.id)
    assert set(issued) >= {"access_token", "refresh_token"}
    assert issued["refresh_token"] == log.token_digest(secrets["refresh_token"])
    assert log.token_digest("not a token") not in issued.values()
    refused = [e for e in log.items() if e.status == 400]
    assert refused and all(log.issued_by(e.id) == {} for e in refused)
    # Only keyed digests are kept: no token in any form the log holds or exports.
    assert all(secrets["refresh_token"].encode() not in d for d in issued.values())
    assert ExchangeLog().token_digest(secrets["refresh_token"]) != issued["refresh_token"]
