"""Discovery reads both well-known documents and merges them, saying where each value came from.

Peers: the demo server (both documents, identical) and a small local server laid out like
django-oauth-toolkit, whose OpenID configuration omits the revocation and introspection
endpoints that only its RFC 8414 document (``/.well-known/oauth-authorization-server``) names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.peers import Canned, CannedServer, canned_server
from workbench.cli import main as cli_main
from workbench.core.errors import ConfigError, TransportError
from workbench.core.hints import Endpoint
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.discovery import MANUAL_SOURCE, ServerMetadata, describe_sources, discover
from workbench.core.session import OAuthSession
from workbench.core.transport.http import HttpClient
from workbench.demo import DemoServer
from workbench.demo.clients import confidential_client

OIDC = "/.well-known/openid-configuration"
RFC8414 = "/.well-known/oauth-authorization-server"


def dot_documents(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """django-oauth-toolkit's layout: the OpenID configuration lacks revocation and
    introspection; the RFC 8414 document names them (and less of the OpenID part)."""
    oidc = {
        "issuer": url,
        "authorization_endpoint": url + "/o/authorize/",
        "token_endpoint": url + "/o/token/",
        "userinfo_endpoint": url + "/o/userinfo/",
        "jwks_uri": url + "/o/.well-known/jwks.json",
        "response_types_supported": ["code", "token"],
    }
    rfc8414 = {
        "issuer": url,
        "authorization_endpoint": url + "/o/authorize/",
        "token_endpoint": url + "/o/token/",
        "revocation_endpoint": url + "/o/revoke_token/",
        "introspection_endpoint": url + "/o/introspect/",
        "response_types_supported": ["code"],
    }
    return oidc, rfc8414


@pytest.fixture
def dot() -> Iterator[CannedServer]:
    """A local stand-in for django-oauth-toolkit: both documents, its revoke and introspect."""
    with canned_server() as server:
        oidc, rfc8414 = dot_documents(server.url)
        server.json(OIDC, oidc)
        server.json(RFC8414, rfc8414)
        server.routes["/o/revoke_token/"] = Canned(200, b"")
        server.json("/o/introspect/", {"active": True, "client_id": "cid", "scope": "read"})
        yield server


def test_demo_server_both_documents_read_and_the_openid_one_wins(demo: DemoServer) -> None:
    http = HttpClient()
    meta = discover(http, demo.issuer)
    http.close()
    assert [(e.purpose, e.url, e.status) for e in http.log.items()] == [
        ("discovery", demo.issuer + OIDC, 200),
        ("discovery (RFC 8414)", demo.issuer + RFC8414, 200),
    ]
    assert meta.revocation_endpoint == demo.issuer + "/revoke"
    assert meta.introspection_endpoint and meta.device_authorization_endpoint
    assert [d.status for d in meta.documents] == ["used", "used"]
    # The documents are the same: every value is credited to the OpenID configuration.
    assert set(meta.sources.values()) == {demo.issuer + OIDC}
    assert set(meta.sources) == set(meta.raw)
    lines = describe_sources(meta)
    assert lines == [
        f"OpenID configuration ({demo.issuer}{OIDC}): {len(meta.raw)} values",
        f"RFC 8414 metadata ({demo.issuer}{RFC8414}): read; it adds nothing the OpenID "
        "configuration lacks",
    ]


def test_demo_server_session_merges_and_manual_endpoints_are_marked(demo: DemoServer) -> None:
    manual = demo.issuer + "/custom-userinfo"
    provider = Provider(
        client=confidential_client(),
        issuer=demo.issuer,
        endpoints={"userinfo_endpoint": manual},
    )
    session = OAuthSession(provider)
    meta = session.metadata()
    session.close()
    assert meta.userinfo_endpoint == manual and meta.sources["userinfo_endpoint"] == MANUAL_SOURCE
    assert describe_sources(meta)[-1] == "entered by hand (taking precedence): userinfo_endpoint"


def test_what_the_openid_document_lacks_comes_from_rfc8414(dot: CannedServer) -> None:
    session = OAuthSession(Provider(client=ClientConfig("cid", "csecret"), issuer=dot.url))
    meta = session.metadata()
    assert meta.revocation_endpoint == dot.url + "/o/revoke_token/"
    assert meta.introspection_endpoint == dot.url + "/o/introspect/"
    assert meta.jwks_uri == dot.url + "/o/.well-known/jwks.json"  # only in the OpenID one
    # Where both name a value, the OpenID configuration's stands.
    assert meta.raw["response_types_supported"] == ["code", "token"]
    assert meta.sources["revocation_endpoint"] == dot.url + RFC8414
    assert meta.sources["introspection_endpoint"] == dot.url + RFC8414
    assert meta.sources["token_endpoint"] == dot.url + OIDC
    assert meta.sources["response_types_supported"] == dot.url + OIDC
    assert describe_sources(meta)[1] == (
        f"RFC 8414 metadata ({dot.url}{RFC8414}): introspection_endpoint, revocation_endpoint"
        " (missing from the OpenID configuration)"
    )
    # Revoke and introspect now reach the endpoints only the RFC 8414 document names.
    session.revoke("some-token")
    assert session.introspect("some-token")["active"] is True
    session.close()
    assert [path for _, path, _ in dot.requests] == [
        OIDC,
        RFC8414,
        "/o/revoke_token/",
        "/o/introspect/",
    ]


def test_only_an_rfc8414_document(dot: CannedServer) -> None:
    dot.routes.pop(OIDC)
    http = HttpClient()
    meta = discover(http, dot.url)
    http.close()
    assert meta.revocation_endpoint == dot.url + "/o/revoke_token/"
    assert [d.status for d in meta.documents] == ["absent", "used"]
    oidc_line, rfc_line = describe_sources(meta)
    assert oidc_line.startswith(f"OpenID configuration ({dot.url}{OIDC}): not used: GET ")
    assert "404" in oidc_line
    assert rfc_line == f"RFC 8414 metadata ({dot.url}{RFC8414}): {len(meta.raw)} values"


def test_a_document_claiming_another_issuer_is_refused_for_the_merge(dot: CannedServer) -> None:
    _, rfc8414 = dot_documents(dot.url)
    dot.json(RFC8414, {**rfc8414, "issuer": "https://evil.example"})
    http = HttpClient()
    meta = discover(http, dot.url)
    http.close()
    assert meta.issuer == dot.url
    assert meta.revocation_endpoint is None and meta.introspection_endpoint is None
    assert "evil" not in json.dumps(dict(meta.sources))
    assert [d.status for d in meta.documents] == ["used", "refused"]
    refused = describe_sources(meta)[1]
    assert refused.startswith(f"RFC 8414 metadata ({dot.url}{RFC8414}): refused for the merge: ")
    assert f"declares issuer 'https://evil.example', not '{dot.url}'" in refused
    # The missing endpoint then says how to give it by hand.
    session = OAuthSession(Provider(client=ClientConfig("cid", "csecret"), issuer=dot.url))
    with pytest.raises(ConfigError, match=r"no revocation endpoint.*by hand") as missing:
        session.revoke("tok")
    assert missing.value.fix == (Endpoint("revocation_endpoint"),)
    session.close()


def test_an_openid_document_of_another_issuer_leaves_the_rfc8414_one(dot: CannedServer) -> None:
    oidc, _ = dot_documents(dot.url)
    dot.json(OIDC, {**oidc, "issuer": dot.url + "/"})
    http = HttpClient()
    meta = discover(http, dot.url)
    http.close()
    assert meta.issuer == dot.url and meta.userinfo_endpoint is None
    assert [d.status for d in meta.documents] == ["refused", "used"]
    assert "trailing '/'" in describe_sources(meta)[0]


def test_neither_document_usable_names_both(dot: CannedServer) -> None:
    dot.json(OIDC, {"issuer": "https://a.example", "token_endpoint": "https://a.example/t"})
    dot.routes[RFC8414] = Canned(200, b"<html>login</html>", "text/html")
    http = HttpClient()
    with pytest.raises(TransportError) as info:
        discover(http, dot.url)
    http.close()
    assert info.value.kind == "invalid_document"
    assert "declares issuer 'https://a.example'" in str(info.value)
    assert "HTML page instead of JSON" in str(info.value)
    assert len(http.log) == 2


def test_cli_discover_prints_the_merge_and_its_sources(
    dot: CannedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli_main(["discover", "--issuer", dot.url])
    out, err = capsys.readouterr()
    assert code == 0
    doc = json.loads(out)  # stdout is the merged document alone
    assert doc["revocation_endpoint"] == dot.url + "/o/revoke_token/"
    assert doc["userinfo_endpoint"] == dot.url + "/o/userinfo/"
    assert "sources:" in err
    assert f"  OpenID configuration ({dot.url}{OIDC}): " in err
    assert (
        f"  RFC 8414 metadata ({dot.url}{RFC8414}): introspection_endpoint, "
        "revocation_endpoint (missing from the OpenID configuration)"
    ) in err


def test_cli_revoke_and_introspect_work_with_the_dot_layout(
    dot: CannedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--issuer", dot.url, "--client-id", "cid"]
    assert cli_main(["revoke", "tok", *base]) == 0
    assert cli_main(["introspect", "tok", *base, "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{") :])["active"] is True


def test_a_document_cannot_write_the_record_of_where_values_came_from(dot: CannedServer) -> None:
    oidc, _ = dot_documents(dot.url)
    dot.json(OIDC, {**oidc, "sources": "https://evil.example", "documents": "forged"})
    http = HttpClient()
    meta = discover(http, dot.url)
    http.close()
    assert meta.sources["sources"] == dot.url + OIDC  # a key of the document like any other
    assert [d.label for d in meta.documents] == ["OpenID configuration", "RFC 8414 metadata"]
    assert meta.raw["documents"] == "forged"
    read = ServerMetadata.from_document({"issuer": dot.url, "sources": "x", "documents": "y"})
    assert read.sources == {} and read.documents == ()
