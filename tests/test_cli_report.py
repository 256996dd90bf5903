"""``workbench report``: real flows against the demo server, logged, turned into one HTML file
that opens in headless Chromium with no network, shows the diagrams and the exchanges, and holds
none of the session's secrets in full."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from tests import report_flows
from tests.browser import chromium_page, require_chromium
from workbench.cli import main
from workbench.core.report.logfile import log_document
from workbench.core.session import OAuthSession
from workbench.demo import CONFIDENTIAL_CLIENT_SECRET, DemoServer

pytestmark = pytest.mark.browser


def _write_log(path: Path, *sessions: OAuthSession) -> None:
    exchanges, flows, steps = [], [], []
    for session in sessions:
        exchanges += session.log.items()
        flows += session.log.flows()
        steps += session.log.steps()
    path.write_text(json.dumps(log_document(exchanges, flows, steps)), encoding="utf-8")


@pytest.fixture
def logged(demo: DemoServer, tmp_path: Path) -> tuple[Path, dict[str, Any], list[str]]:
    """A log of four flows and every secret they involved."""
    require_chromium()
    confidential = report_flows.session_for(demo, scope="openid offline_access")
    native = report_flows.session_for(demo, native=True, scope="openid offline_access")
    try:
        report_flows.client_credentials(confidential)
        reuse = report_flows.refresh_reuse(confidential)
        code = report_flows.authorization_code(native)
        report_flows.device(native, approve_after=2)
    finally:
        confidential.close()
        native.close()
    path = tmp_path / "log.json"
    _write_log(path, confidential, native)
    secrets = {
        "client secret": CONFIDENTIAL_CLIENT_SECRET,
        "password": reuse["password"],
        "refresh token (reused)": reuse["refresh_token"],
        "refresh token": code["refresh_token"],
        "access token": code["access_token"],
        "code verifier": code["verifier"],
        "authorization code": code["code"],
    }
    ids = [flow.id for flow in (*confidential.log.flows(), *native.log.flows())]
    return path, secrets, ids


def test_report_opens_offline_with_diagrams_and_exchanges_and_no_secret(
    logged: tuple[Path, dict[str, Any], list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, secrets, ids = logged
    out = tmp_path / "report.html"
    assert main(["report", "--from-log", str(path), "--out", str(out)]) == 0
    assert f"Wrote the report of 4 flows to {out}" in capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    html = out.read_text(encoding="utf-8")
    leaked = [name for name, value in secrets.items() if value and value in html]
    assert leaked == []
    requested: list[str] = []
    with chromium_page() as page:
        page.route("**/*", lambda route: (requested.append(route.request.url), route.continue_()))
        page.goto(out.as_uri())
        assert requested == [out.as_uri()]  # the file only: nothing else fetched
        assert page.locator("svg.sequence").count() == 4
        titles = page.locator("section.flow h2").all_inner_texts()
        assert titles[0] == "client_credentials (ok)"
        assert titles[1].startswith("refresh_reuse (failed")
        assert page.locator("svg.sequence g.arrow.failed").count() >= 1
        assert page.locator("svg.sequence text", has_text="302 to 127.0.0.1").count() == 1
        assert page.locator("svg g.arrow", has_text="polled").count() == 1
        exchanges = page.locator("div.exchange")
        assert exchanges.count() == len(json.loads(path.read_text())["exchanges"])
        assert "curl" in page.locator("pre.curl").first.inner_text()
        claims = page.locator("pre.claims").all_inner_texts()
        assert any('"client_id": "workbench-confidential"' in text for text in claims)
        assert any('"nonce"' in text for text in claims)  # the ID token of the code flow
        page.locator("svg.sequence").first.locator("g.arrow.reply a").first.click()
        assert page.evaluate("location.hash").startswith(f"#exchange-{ids[0]}-")
        text = page.locator("body").inner_text()
    assert [name for name, value in secrets.items() if value and value in text] == []


def test_report_of_chosen_flows_and_of_an_app_export(
    logged: tuple[Path, dict[str, Any], list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _secrets, ids = logged
    out = tmp_path / "one.html"
    assert main(["report", "--from-log", str(path), "--out", str(out), "--flow", ids[1]]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.count('<section class="flow"') == 1 and "refresh_reuse" in html
    assert main(["report", "--from-log", str(path), "--out", str(out), "--flow", "nope"]) != 0
    assert "has no flow nope" in capsys.readouterr().err
    document = json.loads(path.read_text())
    export = tmp_path / "app-export.json"  # what the app wrote before flows existed
    export.write_text(
        json.dumps({"exported_at": "x", "exchanges": document["exchanges"]}), encoding="utf-8"
    )
    assert main(["report", "--from-log", str(export), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.count('<section class="flow"') == 1 and html.count('class="exchange') > 4
