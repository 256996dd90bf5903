"""``--authorization-details`` (RFC 9396) on ``workbench token``: bad input is refused with
words and exit 2 before any request; good details reach the demo server, which grants them
(printed per detail) or refuses an unknown type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import run
from workbench.core.tokens.decode import decode_jwt

DETAILS = [
    {
        "type": "payment_initiation",
        "actions": ["initiate"],
        "instructedAmount": {"currency": "EUR", "amount": "12.50"},
        "creditorName": "Merchant A",
    }
]


def _cc(*extra: str) -> list[str]:
    return ["token", "--grant", "client_credentials", "--demo", "--json", *extra]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("[{'type': 'x'}]", "are not JSON: Expecting property name enclosed in double quotes"),
        ('{"type": "x"}', "must be a JSON array of objects"),
        ("[]", "array is empty"),
        ('["payment"]', "item 1 is not a JSON object"),
        ('[{"actions": ["read"]}]', "item 1 has no type"),
        ('[{"type": "x", "actions": "read"}]', "actions must be an array of strings"),
        ("@/nonexistent/details.json", "cannot read /nonexistent/details.json"),
    ],
)
def test_bad_details_exit_2_with_words(
    capsys: pytest.CaptureFixture[str], value: str, words: str
) -> None:
    code, out, err = run(_cc("--authorization-details", value), capsys)
    assert code == 2 and out == ""
    assert "--authorization-details" in err and words in err, err


def test_details_for_a_grant_that_does_not_take_them(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["token", "--grant", "password", "--demo", "--authorization-details", "[]"]
    code, _, err = run(argv, capsys)
    assert code == 2 and "--authorization-details is for --grant" in err


def test_granted_details_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "details.json"
    path.write_text(json.dumps(DETAILS, indent=2), encoding="utf-8")
    code, out, err = run(_cc("--authorization-details", f"@{path}"), capsys)
    assert code == 0, err
    tokens = json.loads(out)
    assert tokens["authorization_details"] == DETAILS
    assert decode_jwt(tokens["access_token"]).claims["authorization_details"] == DETAILS
    assert "Authorization details granted (token response, RFC 9396):" in err
    assert "  type: payment_initiation" in err and "    creditorName: Merchant A" in err
    assert "warning" not in err  # the demo lists the type


def test_an_unknown_type_warned_then_refused_by_the_server(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(_cc("--authorization-details", '[{"type": "mystery"}]'), capsys)
    assert code != 0 and out == ""
    assert "does not list the authorization details type(s) mystery" in err
    assert "invalid_authorization_details" in err and "unknown type 'mystery'" in err
