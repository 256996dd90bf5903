"""A refresh that returns no refresh token keeps the one sent (RFC 6749 §6), in every face.

The peer is a real HTTP server on 127.0.0.1 (tests/peers.py) whose token endpoint answers a
refresh with an access token only, as many providers do when they do not rotate. The demo
server always rotates, so it cannot play this part.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest

from tests.peers import CannedServer, canned_server
from workbench.cli import main
from workbench.core.model import Provider, RefreshResult
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.tokenset import TokenSet
from workbench.core.session import OAuthSession

SENT = "rt-kept-4f1d2c-family-7"


@pytest.fixture
def issuer() -> Iterator[CannedServer]:
    with canned_server() as server:
        server.json(
            "/.well-known/openid-configuration",
            {
                "issuer": server.url,
                "token_endpoint": server.url + "/token",
                "jwks_uri": server.url + "/jwks",
            },
        )
        server.json(
            "/token", {"access_token": "at-new-1", "token_type": "Bearer", "expires_in": 300}
        )
        yield server


def test_the_session_carries_the_sent_refresh_token_over(issuer: CannedServer) -> None:
    session = OAuthSession(Provider(ClientConfig("app"), issuer=issuer.url))
    try:
        result = session.refresh(SENT)
    finally:
        session.close()
    assert result.rotation == "not_returned"
    assert result.tokens.access_token == "at-new-1"
    assert result.tokens.refresh_token == SENT
    forms = [parse_qs(body.decode()) for method, path, body in issuer.requests if path == "/token"]
    assert [(f["grant_type"], f["refresh_token"]) for f in forms] == [(["refresh_token"], [SENT])]


def test_the_cli_prints_the_kept_refresh_token(
    issuer: CannedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line used to print the tokens without a refresh token, dropping the one
    still in use. ``--json`` stays the server's answer as received."""
    monkeypatch.setenv("RT", SENT)
    argv = ["token", "--grant", "refresh_token", "--issuer", issuer.url, "--client-id", "app"]
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--refresh-token-env", "RT"], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    assert "no refresh token returned: keep using the previous one" in err.getvalue()
    lines = out.getvalue().splitlines()
    assert "access_token: at-new-1" in lines and f"refresh_token: {SENT}" in lines
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--refresh-token-env", "RT", "--json"], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    assert json.loads(out.getvalue()) == {
        "access_token": "at-new-1",
        "token_type": "Bearer",
        "expires_in": 300,
    }


@pytest.mark.parametrize(
    ("answer", "rotation"),
    [(None, "not_returned"), (SENT, "unchanged"), ("rt-rotated-2", "rotated")],
)
def test_refresh_result_of(answer: str | None, rotation: str) -> None:
    result = RefreshResult.of(SENT, TokenSet(access_token="at", refresh_token=answer))
    assert result.rotation == rotation
    assert result.tokens.refresh_token == (answer or SENT)
