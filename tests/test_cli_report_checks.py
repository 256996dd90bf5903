"""The report's token checks and provider metadata, from command-line runs against demo servers
logged with ``--log-json``: ``token`` then ``inspect`` (which records its findings in the log),
then ``report``. The report opens in headless Chromium with no network, in the light and the
dark colour scheme; a tampered token and an expired one show their failed checks, and none of
the run's secrets is in it in full."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.browser import chromium_page, require_chromium
from workbench.cli import main
from workbench.core.report.checks import recorded_checks
from workbench.core.report.logfile import read_log
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DemoConfig,
    DemoServer,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoConfig()) as running:
        yield running


def _token(server: DemoServer, log: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    args = ["token", "--grant", "client_credentials", "--issuer", server.issuer]
    args += ["--client-id", CONFIDENTIAL_CLIENT_ID, "--client-secret-env", "DEMO_SECRET"]
    assert main([*args, "--json", "--log-json", str(log)]) == 0
    return str(json.loads(capsys.readouterr().out)["access_token"])


def _an_hour_ago() -> float:
    return time.time() - 3600


def _inspect(token: str, server: DemoServer, log: Path) -> int:
    return main(["inspect", token, "--issuer", server.issuer, "--log-json", str(log)])


@pytest.fixture
def report(
    server: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[Path, Path, dict[str, str]]:
    require_chromium()
    monkeypatch.setenv("DEMO_SECRET", CONFIDENTIAL_CLIENT_SECRET)
    log = tmp_path / "log.json"
    good = _token(server, log, capsys)
    assert _inspect(good, server, log) == 0
    header, claims, signature = good.split(".")
    tampered = f"{header}.{claims}.{signature[:-6]}AAAAAA"
    assert _inspect(tampered, server, log) == 4
    # The gap: the demo server cannot issue a token that is already expired (its lifetimes are
    # positive), so its clock is set an hour back for this one request.
    with monkeypatch.context() as clock:
        clock.setattr("authlib.oauth2.rfc9068.token.time", SimpleNamespace(time=_an_hour_ago))
        expired = _token(server, log, capsys)
    assert _inspect(expired, server, log) == 4
    capsys.readouterr()
    out = tmp_path / "report.html"
    assert main(["report", "--from-log", str(log), "--out", str(out)]) == 0
    secrets = {
        "client secret": CONFIDENTIAL_CLIENT_SECRET,
        "access token": good,
        "tampered token": tampered,
        "expired token": expired,
        "signature": signature,
    }
    return log, out, secrets


def test_inspect_records_its_findings_in_the_log(
    report: tuple[Path, Path, dict[str, str]],
) -> None:
    log, _out, secrets = report
    records = read_log(log)
    checked = recorded_checks(records.steps)
    assert [(r.token, r.ok) for r in checked] == [
        ("access token", True),
        ("access token", False),
        ("access token", False),
    ]
    good, tampered, expired = (
        {f.check: f.outcome.value for f in record.findings} for record in checked
    )
    assert good["signature"] == "pass" and good["iss"] == "pass" and good["exp"] == "pass"
    assert tampered["signature"] == "fail" and tampered["exp"] == "pass"
    assert expired["exp"] == "fail" and expired["signature"] == "pass"
    # each record is bound to the flow of its inspect run, and to no token by its signature
    inspect_flows = [f.id for f in records.flows if f.name == "inspect"]
    assert [r.step.flow_id for r in checked] == [
        inspect_flows[0],
        inspect_flows[1],
        inspect_flows[2],
    ]
    text = log.read_text(encoding="utf-8")
    assert [name for name, value in secrets.items() if value in text] == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_report_shows_checks_and_provider_metadata_offline(
    report: tuple[Path, Path, dict[str, str]],
    server: DemoServer,
    scheme: str,
) -> None:
    _log, out, secrets = report
    html = out.read_text(encoding="utf-8")
    assert [name for name, value in secrets.items() if value in html] == []
    requested: list[str] = []
    with chromium_page() as page:
        page.emulate_media(color_scheme=scheme)
        page.route("**/*", lambda route: (requested.append(route.request.url), route.continue_()))
        page.goto(out.as_uri())
        assert requested == [out.as_uri()]
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        ink = page.evaluate("getComputedStyle(document.querySelector('svg.sequence text')).fill")
        if scheme == "dark":
            assert background == "rgb(13, 17, 23)" and ink == "rgb(230, 237, 243)"
        else:
            assert background == "rgb(255, 255, 255)" and ink == "rgb(36, 41, 47)"
        # provider metadata: one block per issuer, the endpoints used first, public key names
        providers = page.locator("details.provider")
        assert providers.count() == 1
        assert providers.locator("> summary").all_inner_texts() == [server.issuer]
        first = providers.first
        assert "(used)" in first.locator("table.endpoints tr").first.inner_text()
        assert first.locator("table.keys tr").count() >= 2
        assert "RS256" in first.locator("table.keys").inner_text()
        first.locator("summary", has_text="Discovery document").click()
        assert '"token_endpoint"' in first.locator("pre.discovery").inner_text()
        assert '"n"' not in first.locator("table.keys").inner_text()
        # the token checks recorded at inspection, tied to the exchange that carried the token
        sections = page.locator("section.flow")
        assert sections.count() == 5
        fresh_token = sections.nth(0).locator("div.exchange", has_text="client_credentials")
        made_then = fresh_token.locator("table.checks", has_text="was inspected")
        assert made_then.count() == 1  # the good token's; the tampered one is another token
        assert made_then.locator("tr.finding.pass", has_text="signature").count() == 1
        from_log = fresh_token.locator("table.checks", has_text="Checked from the log")
        assert from_log.locator("tr.finding.not_checked", has_text="signature").count() == 1
        for check in ("iss", "aud", "exp", "alg", "kid"):
            assert from_log.locator("tr.finding.pass td", has_text=check).count() >= 1, check
        # the tampered token's inspection: its own flow, signature failed
        tampered = sections.nth(2).locator("div.recorded")
        assert tampered.locator("tr.finding.fail", has_text="signature").count() == 1
        assert "a check failed" in tampered.inner_text()
        # the expired token: failed when inspected, and failed from the log
        expired = sections.nth(3).locator("div.exchange", has_text="client_credentials")
        rows = expired.locator("tr.finding.fail", has_text="exp")
        assert rows.count() == 2
        assert "expired" in rows.first.inner_text()
        assert sections.nth(4).locator("tr.finding.fail", has_text="exp").count() == 1
        assert page.locator("tr.finding.fail .outcome").first.inner_text() == "FAIL"
        text = page.locator("body").inner_text()
    assert [name for name, value in secrets.items() if value in text] == []
