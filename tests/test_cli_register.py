"""``workbench register``: register a client at the demo server, save it as a profile, get a
token with that profile, read and delete the registration; refusals and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from joserfc.jwk import ECKey

from tests.conftest import MemoryKeyring
from workbench.cli import main
from workbench.core.profiles import REGISTRATION_TOKEN, ProfileStore
from workbench.core.secrets import SERVICE
from workbench.demo import DemoServer


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ci_client(demo: DemoServer) -> list[str]:
    return [
        "register",
        "--issuer",
        demo.issuer,
        "--grant-type",
        "client_credentials",
        "--scope",
        "api:read",
        "--client-name",
        "CI job",
    ]


def test_save_then_a_token_with_that_profile_then_read_and_delete(
    demo: DemoServer, capsys: pytest.CaptureFixture[str], isolated_paths: MemoryKeyring
) -> None:
    code, out, err = run([*ci_client(demo), "--save", "ci", "--json"], capsys)
    assert code == 0, err
    answer = json.loads(out)
    client_id = answer["client_id"]
    assert answer["client_secret"] == "••••••"  # not shown without --show-secrets
    assert answer["registration_access_token"].endswith("••••••")
    assert "Saved profile ci" in err

    profile = ProfileStore().get("ci")
    assert profile.client_id == client_id and profile.issuer == demo.issuer
    assert profile.registration_client_uri == f"{demo.issuer}/register/{client_id}"
    secret = isolated_paths.store[(SERVICE, "ci:client_secret")]
    token = isolated_paths.store[(SERVICE, f"ci:{REGISTRATION_TOKEN}")]
    profile_file = ProfileStore().path.read_text()
    assert secret not in profile_file and token not in profile_file

    code, out, err = run(["token", "--grant", "client_credentials", "--profile", "ci"], capsys)
    assert code == 0, err
    assert "scope: api:read" in out

    code, out, err = run(["register", "--read", "--profile", "ci", "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["client_name"] == "CI job"
    assert secret not in out + err and token not in out + err

    code, out, err = run(["register", "--delete", "--profile", "ci"], capsys)
    assert code == 0, err
    assert "Deleted" in out and "still names the deleted client" in err

    code, out, err = run(["token", "--grant", "client_credentials", "--profile", "ci"], capsys)
    assert code == 1 and "invalid_client" in err
    code, out, err = run(["register", "--read", "--profile", "ci"], capsys)
    assert code == 2 and "keeps no registration access token" in err


def test_show_secrets_prints_them_in_full(
    demo: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*ci_client(demo), "--json", "--show-secrets"], capsys)
    assert code == 0, err
    answer = json.loads(out)
    assert len(answer["client_secret"]) >= 32 and "•" not in answer["client_secret"]
    assert "•" not in answer["registration_access_token"]
    assert "not shown" not in err


def test_text_output_without_save_says_how_to_keep_the_secrets(
    demo: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*ci_client(demo), "--log"], capsys)
    assert code == 0, err
    assert "client_secret" in out and "••••••" in out
    assert "--save PROFILE" in err and "--show-secrets" in err
    assert "registration: POST" in err  # the exchange, masked, on stderr


def test_read_and_delete_with_the_uri_and_a_token_from_the_environment(
    demo: DemoServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run([*ci_client(demo), "--json", "--show-secrets"], capsys)
    answer = json.loads(out)
    monkeypatch.setenv("RAT", answer["registration_access_token"])
    manage = [
        "--registration-client-uri",
        answer["registration_client_uri"],
        "--registration-access-token-env",
        "RAT",
    ]
    code, out, err = run(["register", "--read", *manage], capsys)
    assert code == 0, err
    assert answer["client_id"] in out
    code, out, err = run(["register", "--delete", *manage], capsys)
    assert code == 0, err
    code, out, err = run(["register", "--read", *manage], capsys)
    assert code == 1 and "invalid_token" in err
    assert answer["registration_access_token"] not in err


def test_an_invalid_redirect_uri_is_refused_in_words(
    demo: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["register", "--issuer", demo.issuer, "--redirect-uri", "http://evil.example/cb"]
    code, out, err = run(argv, capsys)
    assert code == 1 and not out
    assert "error: invalid_redirect_uri:" in err and "advice: the server refused" in err


def test_the_initial_access_token_comes_from_the_environment(
    make_demo: Callable[..., DemoServer],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = make_demo(initial_access_token="demo-iat-5d1e")
    code, _, err = run(ci_client(server), capsys)
    assert code == 1 and "invalid_token" in err
    monkeypatch.setenv("IAT", "demo-iat-5d1e")
    code, out, err = run([*ci_client(server), "--initial-access-token-env", "IAT", "--log"], capsys)
    assert code == 0, err
    assert "demo-iat-5d1e" not in out + err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["register", "--grant-type", "client_credentials"], "--issuer URL or --demo"),
        (["register", "--read"], "Say which registration"),
        (["register", "--read", "--profile", "nope"], "nope"),
        (
            ["register", "--demo", "--grant-type", "client_credentials", "--jwks", "missing.json"],
            "does not exist",
        ),
    ],
)
def test_bad_usage_exits_2(argv: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and not out
    assert words in err


def test_a_private_jwks_is_refused_before_anything_is_sent(
    demo: DemoServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key = ECKey.generate_key("P-256", auto_kid=True)
    path = tmp_path / "key.jwks.json"
    path.write_text(json.dumps({"keys": [key.as_dict(private=True)]}))
    code, out, err = run([*ci_client(demo), "--jwks", str(path), "--log"], capsys)
    assert code == 2 and "private members" in err
    assert "registration: POST" not in err
    public = tmp_path / "public.jwks.json"
    public.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    code, out, err = run([*ci_client(demo), "--jwks", str(public), "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["jwks"]["keys"][0]["kid"] == key.kid


def test_log_json_writes_the_flow_with_the_secrets_masked(
    demo: DemoServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = tmp_path / "register.json"
    argv = [*ci_client(demo), "--json", "--show-secrets", "--log-json", str(log)]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    answer = json.loads(out)
    written = log.read_text()
    document = json.loads(written)
    assert [flow["name"] for flow in document["flows"]] == ["register"]
    assert [ex["purpose"] for ex in document["exchanges"]][-1] == "registration"
    assert answer["client_secret"] not in written
    assert answer["registration_access_token"] not in written
