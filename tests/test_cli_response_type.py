"""``--grant implicit`` picks its response type from the server's ``response_types_supported``
and refuses one the server does not offer before any browser opens. The provider is a real HTTP
server on 127.0.0.1 serving a discovery document like npm oidc-provider's (tests/peers.py); the
flow against oidc-provider itself, signed in with Chromium, is in tests/interop/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.peers import CannedServer, canned_server, serve_oidc_configuration
from workbench.cli import main


@pytest.fixture
def oidc_only() -> Iterator[CannedServer]:
    with canned_server() as server:
        serve_oidc_configuration(server)
        yield server


def implicit(server: CannedServer, *extra: str) -> list[str]:
    return ["token", "--grant", "implicit", "--issuer", server.url, "--client-id", "app", *extra]


def test_a_response_type_the_server_does_not_offer_is_refused_first(
    oidc_only: CannedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(implicit(oidc_only, "--response-type", "token"))
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "does not offer response_type 'token'" in err
    assert "'code', 'id_token', 'id_token token', 'none'" in err
    assert "Open this URL" not in err and "/auth?" not in err
    assert [path for _, path, _ in oidc_only.requests] == [  # discovery only: both documents
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ]


def test_nothing_implicit_on_offer(capsys: pytest.CaptureFixture[str]) -> None:
    with canned_server() as server:
        server.json(
            "/.well-known/openid-configuration",
            {
                "issuer": server.url,
                "authorization_endpoint": server.url + "/auth",
                "token_endpoint": server.url + "/token",
                "response_types_supported": ["code"],
            },
        )
        code = main(implicit(server))
    _, err = capsys.readouterr()
    assert code == 2
    assert "offers no implicit response type ('token' or 'id_token token')" in err
    assert "lists 'code'" in err and "Open this URL" not in err


def test_hostile_response_types_are_shown_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    with canned_server() as server:
        server.json(
            "/.well-known/openid-configuration",
            {
                "issuer": server.url,
                "authorization_endpoint": server.url + "/auth",
                "token_endpoint": server.url + "/token",
                "response_types_supported": ["code\x1b[2J"],
            },
        )
        code = main(implicit(server))
    _, err = capsys.readouterr()
    assert code == 2 and "\x1b" not in err
    assert "lists 'code\\x1b[2J'" in err  # the escape is shown, not obeyed
