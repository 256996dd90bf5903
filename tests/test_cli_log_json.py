"""``--log-json FILE`` on every command, against the demo server: each run is one flow of the
file, appended, masked, 0600, in the format the app exports and the report reads."""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.demo_driver import sign_in_and_decide
from workbench.cli import main
from workbench.cli.main import build_parser
from workbench.core.report.logfile import read_log
from workbench.core.report.sequence import build_sequence
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    DemoConfig,
    DemoServer,
)


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoConfig(device_interval=1)) as running:
        yield running


def _leaves(
    parser: argparse.ArgumentParser, path: str = ""
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not nested:
        yield path, parser
        return
    for name, sub in nested[0].choices.items():
        yield from _leaves(sub, f"{path} {name}".strip())


def test_every_command_takes_log_json() -> None:
    leaves = dict(_leaves(build_parser()))
    assert {"token", "call", "discover", "cognito sign-up", "profile save"} <= set(leaves)
    missing = [
        name for name, parser in leaves.items() if "--log-json" not in parser._option_string_actions
    ]
    assert missing == []


def test_runs_append_their_flows_masked_and_private(
    server: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DEMO_SECRET", CONFIDENTIAL_CLIENT_SECRET)
    monkeypatch.setenv("WRONG_PW", "not-alice-password-42")
    path = tmp_path / "run.json"
    provider = [
        "--issuer",
        server.issuer,
        "--client-id",
        CONFIDENTIAL_CLIENT_ID,
        "--client-secret-env",
        "DEMO_SECRET",
    ]
    assert main(["token", "--grant", "client_credentials", *provider, "--log-json", str(path)]) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = read_log(path)
    (ok,) = first.flows
    assert (ok.name, ok.outcome) == ("client_credentials", "ok")
    assert {ex.flow_id for ex in first.exchanges} == {ok.id}
    assert [ex.purpose for ex in first.exchanges][-1] == "token (client_credentials)"
    code = main(
        [
            "token",
            "--grant",
            "password",
            *provider,
            "--username",
            "alice",
            "--password-env",
            "WRONG_PW",
            "--log-json",
            str(path),
        ]
    )
    assert code != 0
    both = read_log(path)
    assert both.flows[0].id == ok.id and len(both.flows) == 2
    failed = both.flows[1]
    assert failed.name == "password" and failed.outcome == "failed"
    assert len(both.exchanges) > len(first.exchanges)
    text = path.read_text(encoding="utf-8")
    assert CONFIDENTIAL_CLIENT_SECRET not in text and "not-alice-password-42" not in text
    document = json.loads(text)
    assert list(document)[:2] == ["exported_at", "exchanges"] and document["versions"]["workbench"]
    model = build_sequence(both.exchanges, both.steps, failed)
    assert model.arrows[-1].failed and model.arrows[-1].label == "400 invalid_grant"
    capsys.readouterr()


def test_a_file_that_is_no_log_is_left_alone(
    server: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.json"
    path.write_text('{"notes": 1}', encoding="utf-8")
    assert main(["discover", "--issuer", server.issuer, "--log-json", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == '{"notes": 1}'
    assert "the log was not written to" in capsys.readouterr().err


def test_a_browser_login_run_as_a_process_logs_its_steps(tmp_path: Path) -> None:
    path = tmp_path / "login.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workbench",
            "token",
            "--grant",
            "authorization_code",
            "--demo",
            "--no-browser",
            "--json",
            "--log-json",
            str(path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stderr is not None
    url = next(line.strip() for line in proc.stderr if line.startswith("http"))
    location = sign_in_and_decide(url)
    requests.get(location, timeout=5).raise_for_status()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    records = read_log(path)
    (flow,) = records.flows
    assert (flow.name, flow.outcome) == ("authorization_code", "ok")
    assert [step.kind for step in records.steps] == ["browser_opened", "redirect_received"]
    assert {step.flow_id for step in records.steps} == {flow.id}
    model = build_sequence(records.exchanges, records.steps, flow)
    assert model.lanes == ("user", "client", "authorization_server")
    code = location.split("code=")[1].split("&")[0]
    tokens = json.loads(out)
    text = path.read_text(encoding="utf-8")
    assert code not in text and tokens["refresh_token"] not in text
    assert tokens["access_token"] not in text
