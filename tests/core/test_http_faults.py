"""Fault matrix: each broken server gives its own clear error, never a traceback."""

from __future__ import annotations

import pytest

from tests.peers import Canned, CannedServer, canned_server, closed_port_url, silent_server
from workbench.cli import main as cli_main
from workbench.core.errors import OAuthError, TransportError
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.session import OAuthSession
from workbench.core.transport.http import HttpClient

CLIENT = ClientConfig("cid", "csecret")


def _session(issuer: str, token_endpoint: str | None = None, **kw: object) -> OAuthSession:
    endpoints = {"token_endpoint": token_endpoint} if token_endpoint else {}
    http = HttpClient(timeout=(1.0, 0.5))
    return OAuthSession(Provider(client=CLIENT, issuer=issuer, endpoints=endpoints), http)


def _metadata(server: CannedServer, **extra: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "issuer": server.url,
        "token_endpoint": server.url + "/token",
        "jwks_uri": server.url + "/jwks",
    }
    doc.update(extra)
    return doc


def test_connection_refused_names_the_host() -> None:
    url = closed_port_url()
    session = _session(url)
    with pytest.raises(TransportError) as info:
        session.client_credentials()
    assert info.value.kind == "refused"
    assert "refused" in str(info.value) and url.removeprefix("http://") in str(info.value)
    assert len(session.log) == 1 and session.log.items()[0].error


def test_read_timeout_is_reported_with_its_limit() -> None:
    with silent_server() as url:
        session = _session(url, token_endpoint=url + "/token")
        with pytest.raises(TransportError) as info:
            session.client_credentials()
    assert info.value.kind == "timeout"
    assert "0.5 s" in str(info.value)


def test_500_with_html_body() -> None:
    with canned_server() as server:
        server.routes["/token"] = Canned(500, b"<html><h1>Oops</h1></html>", "text/html")
        session = _session(server.url, token_endpoint=server.url + "/token")
        with pytest.raises(TransportError) as info:
            session.client_credentials()
        session.close()
    assert info.value.kind == "http" and info.value.status == 500
    assert "HTML page instead of JSON" in str(info.value)


def test_200_with_non_json_body() -> None:
    with canned_server() as server:
        server.routes["/token"] = Canned(200, b"access_token=abc", "text/plain")
        session = _session(server.url, token_endpoint=server.url + "/token")
        with pytest.raises(TransportError) as info:
            session.client_credentials()
        session.close()
    assert info.value.kind == "not_json"
    assert "text/plain instead of JSON" in str(info.value)


def test_error_json_becomes_oauth_error() -> None:
    with canned_server() as server:
        server.json(
            "/token",
            {
                "error": "invalid_client",
                "error_description": "Client authentication failed",
                "error_uri": "https://example.test/help",
            },
            status=401,
        )
        session = _session(server.url, token_endpoint=server.url + "/token")
        with pytest.raises(OAuthError) as info:
            session.client_credentials()
        session.close()
    err = info.value
    assert (err.error, err.description, err.uri, err.status) == (
        "invalid_client",
        "Client authentication failed",
        "https://example.test/help",
        401,
    )


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ([1, 2, 3], "expected a JSON object"),
        ({"token_endpoint": "x"}, "has no issuer"),
        ({"issuer": "https://elsewhere.test", "token_endpoint": "x"}, "declares issuer"),
        ({"issuer": "SELF"}, "neither a token nor an authorization endpoint"),
    ],
)
def test_invalid_discovery_document(doc: object, words: str) -> None:
    with canned_server() as server:
        if isinstance(doc, dict) and doc.get("issuer") == "SELF":
            doc = {"issuer": server.url}
        server.json("/.well-known/openid-configuration", doc)
        session = _session(server.url)
        with pytest.raises(TransportError) as info:
            session.metadata()
        session.close()
    assert info.value.kind == "invalid_document"
    assert words in str(info.value)


def test_discovery_falls_back_to_rfc8414() -> None:
    with canned_server() as server:
        server.json("/.well-known/oauth-authorization-server", _metadata(server))
        session = _session(server.url)
        meta = session.metadata()
        session.close()
    assert meta.token_endpoint == server.url + "/token"
    assert [r[1] for r in server.requests] == [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ]


def test_no_discovery_document_at_all() -> None:
    with canned_server() as server:
        session = _session(server.url)
        with pytest.raises(TransportError) as info:
            session.metadata()
        session.close()
    assert "No discovery document found" in str(info.value)
    assert "404" in str(info.value)


@pytest.mark.parametrize(
    ("argv_tail", "code", "words"),
    [
        (["--grant", "client_credentials"], 3, "error: refused:"),
    ],
)
def test_cli_reports_without_traceback(
    argv_tail: list[str], code: int, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = closed_port_url()
    rc = cli_main(["token", "--issuer", url, "--client-id", "x", *argv_tail])
    err = capsys.readouterr().err
    assert rc == code
    assert words in err
    assert "Traceback" not in err


def test_jwks_without_the_tokens_kid_over_http() -> None:
    """The JWKS lacks the token's kid: one refetch over HTTP, then a clear failing finding."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    signing = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    published = RSAAlgorithm.to_jwk(other.public_key(), as_dict=True)
    published["kid"] = "published-key"
    with canned_server() as server:
        server.json("/.well-known/openid-configuration", _metadata(server))
        server.json("/jwks", {"keys": [published]})
        token = jwt.encode(
            {"iss": server.url, "sub": "x", "exp": 4_000_000_000},
            signing,
            algorithm="RS256",
            headers={"kid": "rotated-away"},
        )
        known = jwt.encode(
            {"iss": server.url, "exp": 4_000_000_000},
            other,
            algorithm="RS256",
            headers={"kid": "published-key"},
        )
        session = _session(server.url)
        warm = session.inspect(known)  # caches the JWKS
        inspection = session.inspect(token)  # unknown kid: refetch once
        again = session.inspect(token)  # still unknown: no new fetch (cool-down)
        session.close()
    assert warm.signature_valid
    signature = inspection.finding("signature")
    assert signature is not None and signature.outcome.value == "fail"
    assert "rotated-away" in signature.reason
    assert [r[1] for r in server.requests].count("/jwks") == 2  # fetched, refetched once
    assert not again.signature_valid
    iss = inspection.finding("iss")
    assert iss is not None and iss.outcome.value == "pass"  # other checks still ran


def test_jwks_endpoint_down_fails_the_signature_closed() -> None:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with canned_server() as server:
        server.json("/.well-known/openid-configuration", _metadata(server))
        server.routes["/jwks"] = Canned(502, b"<html>Bad gateway</html>", "text/html")
        token = jwt.encode({"iss": server.url, "exp": 4_000_000_000}, key, algorithm="RS256")
        session = _session(server.url)
        inspection = session.inspect(token)
        session.close()
    signature = inspection.finding("signature")
    assert signature.outcome.value == "fail"
    assert signature.reason.startswith("not verified: the issuer's keys could not be fetched")
    assert "502" in signature.reason
    assert not inspection.ok
