"""The command-line twin, in process and as a real process, against the demo server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest
import requests

from tests.demo_driver import decide_device_code, sign_in_and_decide
from workbench.cli import main
from workbench.cli.output import LOG_MAX_KEYS, collapse_body
from workbench.demo import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    NATIVE_CLIENT_ID,
    DemoConfig,
    DemoServer,
)


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoConfig(device_interval=1)) as running:
        yield running


def confidential(server: DemoServer) -> list[str]:
    return [
        "--issuer",
        server.issuer,
        "--client-id",
        CONFIDENTIAL_CLIENT_ID,
        "--client-secret-env",
        "DEMO_SECRET",
    ]


@pytest.fixture(autouse=True)
def demo_secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_SECRET", CONFIDENTIAL_CLIENT_SECRET)
    monkeypatch.setenv("ALICE_PW", "alice-password")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_demo_client_credentials_json_is_only_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["token", "--grant", "client_credentials", "--demo", "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["token_type"].lower() == "bearer" and doc["access_token"].count(".") == 2
    assert "Demo authorization server running" in err


def test_demo_password_summary_shows_claims(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["token", "--grant", "password", "--demo"], capsys)
    assert code == 0
    assert "RFC 9700" in err  # the legacy warning
    assert ("access_token:" in out and "preferred_username" in out) or "sub" in out
    assert "expires" in out


def test_demo_refresh_reports_rotation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["token", "--grant", "refresh_token", "--demo", "--json"], capsys)
    assert code == 0
    assert "refresh token rotated" in err
    assert "whether the old one still works is the server's policy" in err  # we cannot know
    assert json.loads(out)["refresh_token"]


def test_wrong_password_is_exit_1_with_error_line(
    server: DemoServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALICE_PW", "nope")
    code, out, err = run(
        [
            "token",
            "--grant",
            "password",
            *confidential(server),
            "--username",
            "alice",
            "--password-env",
            "ALICE_PW",
        ],
        capsys,
    )
    assert code == 1 and out == ""
    assert err.strip().splitlines()[-1].startswith("error: invalid_grant:")


def test_password_never_prompted_without_a_terminal(
    server: DemoServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with open(os.devnull) as devnull:
        monkeypatch.setattr(sys, "stdin", devnull)
        code, _, err = run(
            ["token", "--grant", "password", *confidential(server), "--username", "alice"], capsys
        )
    assert code == 2 and "--password-env" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["token", "--grant", "client_credentials"], capsys)
    assert code == 2 and "--issuer URL, --profile NAME or --demo" in err
    with pytest.raises(SystemExit) as info:
        main(["token", "--grant", "nonsense"])
    assert info.value.code == 2


def test_inspect_revoke_introspect_userinfo(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        [
            "token",
            "--grant",
            "password",
            *confidential(server),
            "--username",
            "alice",
            "--password-env",
            "ALICE_PW",
            "--scope",
            "openid profile",
            "--json",
        ],
        capsys,
    )
    access = json.loads(out)["access_token"]

    code, out, _ = run(
        [
            "inspect",
            access,
            "--issuer",
            server.issuer,
            "--client-id",
            CONFIDENTIAL_CLIENT_ID,
            "--expect-typ",
            "at+jwt",
            "--json",
        ],
        capsys,
    )
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"header", "claims", "ok", "verification_requested", "findings"}
    assert doc["ok"] is True and doc["verification_requested"] is True
    by_check = {f["check"]: f["outcome"] for f in doc["findings"]}
    assert by_check["signature"] == by_check["iss"] == by_check["typ"] == "pass"

    code, out, _ = run(["userinfo", access, *confidential(server), "--json"], capsys)
    assert code == 0 and json.loads(out)["sub"]
    code, out, _ = run(["revoke", access, *confidential(server)], capsys)
    assert code == 0 and "revoked" in out
    code, out, _ = run(["introspect", access, *confidential(server), "--json"], capsys)
    assert code == 0 and json.loads(out) == {"active": False}
    code, _, err = run(["userinfo", access, *confidential(server)], capsys)
    assert code == 1 and "error: invalid_token" in err

    # Still valid locally: the reality check in two commands.
    code, out, _ = run(["inspect", access, "--issuer", server.issuer], capsys)
    assert code == 0 and "PASS  signature" in out


def test_inspect_tampered_and_opaque(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["token", "--grant", "client_credentials", *confidential(server), "--json"], capsys
    )
    header, claims, sig = json.loads(out)["access_token"].split(".")
    tampered = f"{header}.{claims}.{sig[:-4]}AAAA"
    code, out, _ = run(["inspect", tampered, "--issuer", server.issuer], capsys)
    assert code == 4 and "FAIL  signature" in out
    code, out, _ = run(["inspect", "2YotnFZFEjr1zCsicMWpAA"], capsys)
    assert code == 0 and "opaque" in out
    code, _, err = run(["inspect", "eyJhbGciOi.broken"], capsys)
    assert code == 4 and "error: token:" in err


def test_transport_error_is_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["discover", "--issuer", "http://127.0.0.1:9"], capsys)
    assert code == 3 and "error: refused:" in err and "Traceback" not in err


def test_discover_prints_metadata(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["discover", "--issuer", server.issuer], capsys)
    assert code == 0 and json.loads(out)["issuer"] == server.issuer


def test_profile_save_and_use(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [
            "profile",
            "save",
            "demo",
            "--issuer",
            server.issuer,
            "--client-id",
            CONFIDENTIAL_CLIENT_ID,
            "--client-secret-env",
            "DEMO_SECRET",
            "--scope",
            "api:read",
        ],
        capsys,
    )
    assert code == 0 and "keyring" in err
    code, out, _ = run(
        ["token", "--grant", "client_credentials", "--profile", "demo", "--json"], capsys
    )
    assert code == 0 and json.loads(out)["scope"] == "api:read"
    code, out, _ = run(["profile", "list"], capsys)
    assert "demo:" in out


# -- as a real process: browser and device flows read what the CLI prints on stderr ----------
def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def _read_until(stream: IO[str], prefix: str, seen: list[str]) -> str:
    for line in stream:
        seen.append(line)
        if line.startswith(prefix):
            return line.strip()
    raise AssertionError(f"no line starting {prefix!r} in: {''.join(seen)}")


def _finish(proc: subprocess.Popen[str], seen: list[str]) -> tuple[int, str, str]:
    """Wait for the process and read the rest of its output through the same buffered
    readers :func:`_read_until` used (``communicate`` reads the raw pipes and would lose what
    those readers had already buffered, such as the QR code's lines)."""
    assert proc.stdout is not None and proc.stderr is not None
    texts: dict[str, str] = {}
    readers = [
        threading.Thread(target=lambda: texts.__setitem__("out", proc.stdout.read())),  # type: ignore[union-attr]
        threading.Thread(target=lambda: texts.__setitem__("err", proc.stderr.read())),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    proc.wait(timeout=60)
    for reader in readers:
        reader.join(timeout=10)
    proc.stdout.close()
    proc.stderr.close()
    return proc.returncode, texts.get("out", ""), "".join(seen) + texts.get("err", "")


def test_cli_authorization_code_no_browser() -> None:
    proc = _spawn("token", "--grant", "authorization_code", "--demo", "--no-browser", "--json")
    assert proc.stderr is not None
    seen: list[str] = []
    _read_until(proc.stderr, "Open this URL", seen)
    url = _read_until(proc.stderr, "http", seen)
    location = sign_in_and_decide(url)
    requests.get(location, timeout=5).raise_for_status()
    code, out, err = _finish(proc, seen)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["id_token"] and doc["refresh_token"]


def test_cli_device_code_shows_code_and_qr() -> None:
    proc = _spawn("token", "--grant", "device_code", "--demo", "--json")
    assert proc.stderr is not None
    seen: list[str] = []
    line = _read_until(proc.stderr, "Go to ", seen)
    verification_uri = line.split()[2]
    user_code = line.rsplit(" ", 1)[1]
    approver = threading.Thread(target=decide_device_code, args=(verification_uri, user_code))
    approver.start()
    code, out, err = _finish(proc, seen)
    approver.join()
    assert code == 0, err
    assert "█" in err or "▀" in err  # the terminal QR code
    assert json.loads(out)["access_token"]


def test_malformed_urls_are_errors_not_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["discover", "--issuer", "http://ex..com"], capsys)
    assert code in (2, 3) and err.startswith("error:") and "Traceback" not in err
    code, _, err = run(
        ["token", "--grant", "client_credentials", "--issuer", "http://[::1", "--client-id", "x"],
        capsys,
    )
    assert code == 2 and "not a valid URL" in err


def test_userinfo_needs_only_the_token_and_the_issuer(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["token", "--grant", "password", *confidential(server), "--username", "alice",
         "--password-env", "ALICE_PW", "--scope", "openid profile", "--json"],
        capsys,
    )  # fmt: skip
    access = json.loads(out)["access_token"]
    code, out, err = run(["userinfo", access, "--issuer", server.issuer, "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["sub"]


def test_a_missing_endpoint_says_how_to_give_it_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.peers import canned_server

    with canned_server() as peer:
        peer.json(
            "/.well-known/openid-configuration",
            {"issuer": peer.url, "token_endpoint": peer.url + "/token"},
        )
        code, _, err = run(["revoke", "tok", "--issuer", peer.url, "--client-id", "c"], capsys)
    assert code == 2
    assert "no revocation endpoint" in err and "  see --endpoint revocation_endpoint=URL" in err


# -- PKCE on device requests ------------------------------------------------------------------
@pytest.fixture
def pkce_server() -> Iterator[DemoServer]:
    """A demo server that requires PKCE on device requests, as Keycloak does for PKCE clients."""
    with DemoServer(DemoConfig(device_interval=1, require_device_pkce=True)) as running:
        yield running


def native(server: DemoServer) -> list[str]:
    return ["--issuer", server.issuer, "--client-id", NATIVE_CLIENT_ID, "--scope", "openid"]


def test_device_without_pkce_gets_keycloaks_error(
    pkce_server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["token", "--grant", "device_code", *native(pkce_server)], capsys)
    assert code == 1 and out == ""
    assert "error: invalid_request: Missing parameter: code_challenge_method" in err


def test_cli_device_code_with_pkce_gets_tokens(pkce_server: DemoServer) -> None:
    proc = _spawn("token", "--grant", "device_code", *native(pkce_server), "--pkce", "--json")
    assert proc.stderr is not None
    seen: list[str] = []
    _read_until(proc.stderr, "PKCE: S256 code_challenge sent", seen)
    line = _read_until(proc.stderr, "Go to ", seen)
    approver = threading.Thread(
        target=decide_device_code, args=(line.split()[2], line.rsplit(" ", 1)[1])
    )
    approver.start()
    code, out, err = _finish(proc, seen)
    approver.join()
    assert code == 0, err
    assert json.loads(out)["access_token"]


def test_pkce_elsewhere_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["token", "--grant", "client_credentials", "--demo", "--pkce"], capsys)
    assert code == 2 and "--pkce is for --grant device_code" in err


def test_a_profile_with_device_pkce_sends_it_without_the_flag(
    pkce_server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(
        ["profile", "save", "kc", "--issuer", pkce_server.issuer, "--client-id",
         NATIVE_CLIENT_ID, "--scope", "openid", "--device-pkce"],
        capsys,
    )  # fmt: skip
    assert code == 0
    # Nobody approves: the server accepted the PKCE request and the polls, then we give up.
    code, _, err = run(
        ["token", "--grant", "device_code", "--profile", "kc", "--timeout", "1.5", "--log"],
        capsys,
    )
    assert code == 1 and "Gave up after --timeout" in err
    assert "PKCE: S256 code_challenge sent" in err
    assert '"code_challenge_method": "S256"' in err and "code_verifier=${CODE_VERIFIER}" in err


def test_demo_server_command_requires_device_pkce_when_asked() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "demo-server", "--require-device-pkce"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        seen: list[str] = []
        issuer = _read_until(proc.stdout, "  issuer:", seen).split()[1]
        _read_until(proc.stdout, "  device:     PKCE required", seen)
        endpoint = requests.get(issuer + "/.well-known/openid-configuration", timeout=5).json()[
            "device_authorization_endpoint"
        ]
        refused = requests.post(endpoint, data={"client_id": NATIVE_CLIENT_ID}, timeout=5)
        assert refused.status_code == 400
        assert refused.json()["error_description"] == "Missing parameter: code_challenge_method"
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


# -- --demo on inspect and discover -----------------------------------------------------------
def test_inspect_demo_without_a_token_inspects_one_of_its_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["inspect", "--demo"], capsys)
    assert code == 0, err
    assert "Demo authorization server running" in err and "alice" in err
    assert "PASS  signature" in out and "PASS  iss" in out


def test_inspect_demo_with_a_foreign_token_fails_its_signature(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["token", "--grant", "client_credentials", *confidential(server), "--json"], capsys
    )
    access = json.loads(out)["access_token"]
    code, out, err = run(["inspect", access, "--demo"], capsys)
    assert code == 4 and "FAIL  signature" in out
    assert "a token from another run fails its signature check" in err
    code, _, err = run(["inspect", access, "--demo", "--issuer", server.issuer], capsys)
    assert code == 2 and "leave out --issuer" in err


def test_discover_demo(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["discover", "--demo"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["issuer"].startswith("http://127.0.0.1:") and doc["device_authorization_endpoint"]
    code, _, err = run(["discover"], capsys)
    assert code == 2 and "--issuer URL or --demo" in err


# -- introspect in human times ----------------------------------------------------------------
def test_introspect_shows_times_in_words_beside_the_epoch(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["token", "--grant", "client_credentials", *confidential(server), "--json"], capsys
    )
    access = json.loads(out)["access_token"]
    code, out, _ = run(["introspect", access, *confidential(server), "--json"], capsys)
    raw = json.loads(out)
    assert isinstance(raw["exp"], int) and isinstance(raw["iat"], int)  # --json stays raw
    code, out, _ = run(["introspect", access, *confidential(server)], capsys)
    assert code == 0 and out.startswith("active: yes")
    lines = {line.split(":", 1)[0].strip(): line for line in out.splitlines()}
    exp = datetime.fromtimestamp(raw["exp"], tz=UTC).astimezone()
    when = rf"{exp:%Y-%m-%d %H:%M:%S} UTC[+-]\d\d:\d\d"
    assert re.fullmatch(
        rf"  exp: {raw['exp']}  \(in \d+ min( \d+ s)? \({when}\)\)", lines["exp"]
    ), lines["exp"]
    assert re.fullmatch(rf"  iat: {raw['iat']}  \((now|\d+ s ago) \(.*\)\)", lines["iat"])


# -- --log collapses long documents -----------------------------------------------------------
def _logged_body(err: str, url: str) -> str:
    """The ``--log`` lines of the exchange with ``url``, up to the next exchange."""
    block = err.split(f"GET {url} -> ", 1)[1]
    return block.split("\n--- #", 1)[0]


def test_log_collapses_the_discovery_document_unless_log_full(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    document = requests.get(server.discovery_url, timeout=5).json()
    assert len(document) > LOG_MAX_KEYS
    code, _, err = run(["discover", "--issuer", server.issuer, "--log"], capsys)
    assert code == 0
    shown = _logged_body(err, server.discovery_url)
    hidden = [key for key in document if f'"{key}":' not in shown]
    left = re.search(r"… left out: (\d+) more keys of (\d+) \(([\d,]+) bytes\)", shown)
    assert left is not None, shown
    assert int(left[1]) == len(hidden) > 0 and int(left[2]) == len(document)
    assert "--log-full shows it all" in shown

    code, _, err = run(["discover", "--issuer", server.issuer, "--log-full"], capsys)
    assert code == 0
    shown = _logged_body(err, server.discovery_url)
    assert all(f'"{key}":' in shown for key in document) and "left out" not in shown


def test_collapse_body_says_what_it_left_out() -> None:
    assert collapse_body('{"a": 1}') == '{"a": 1}'  # short: as it is
    text = "x" * 5000
    short = collapse_body(text)
    assert short.startswith("x" * 1200) and "3,800 more bytes left out" in short
    keys = json.dumps({"keys": [{"n": "A" * 3000}]})
    short = collapse_body(keys)
    assert '"keys": [{"n": "AAAA' in short and "bytes of long values" in short
    assert len(short) < 400


# -- a browser that does not open -------------------------------------------------------------
def test_a_browser_that_cannot_open_prints_the_url_to_open_by_hand(tmp_path: Path) -> None:
    """The system browser fails for real: $BROWSER names a command that exits 1, there is no
    display and PATH has no other browser, so webbrowser.open returns False."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONUNBUFFERED="1", BROWSER="/bin/false", PATH=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "token", "--grant", "authorization_code", "--demo",
         "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env=env,
    )  # fmt: skip
    assert proc.stderr is not None
    seen: list[str] = []
    _read_until(proc.stderr, "Open this URL", seen)
    url = _read_until(proc.stderr, "http", seen)
    hint = _read_until(proc.stderr, "note: no web browser could be opened", seen)
    assert "Open the authorize URL by hand in a browser on this machine" in hint
    requests.get(sign_in_and_decide(url), timeout=5).raise_for_status()
    code, out, err = _finish(proc, seen)
    assert code == 0, err
    assert json.loads(out)["access_token"]
