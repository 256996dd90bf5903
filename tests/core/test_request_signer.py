"""The request-signer seam of HttpClient: called at send time with the request as it goes out,
able to add headers, and shown the response. Against a real local server (tests/peers.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from urllib.parse import parse_qs

import pytest

from tests.peers import Canned, canned_server
from workbench.core.errors import OAuthError
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.session import OAuthSession, Provider
from workbench.core.transport.exchange import HttpRequest, HttpResponse
from workbench.core.transport.http import HttpClient
from workbench.core.transport.masking import MASK
from workbench.core.transport.signer import NO_SIGNER, OutgoingRequest, RequestSigner

TOKEN = {"access_token": "at-123456789", "token_type": "Bearer", "expires_in": 60}


class ProofSigner(RequestSigner):
    """Signs the method and final URL into a header, as a DPoP proof would (RFC 9449 §4.2),
    and keeps the nonce a server sends back (§8)."""

    def __init__(self, header: str = "X-Proof", secret: bool = False) -> None:
        self.header = header
        self.secret_headers = frozenset({header}) if secret else frozenset()
        self.signed: list[OutgoingRequest] = []
        self.seen: list[tuple[OutgoingRequest, HttpResponse]] = []
        self.nonce: str | None = None
        self._lock = threading.Lock()

    def sign(self, request: OutgoingRequest) -> Mapping[str, str]:
        with self._lock:
            self.signed.append(request)
            n = len(self.signed)
        nonce = f";nonce={self.nonce}" if self.nonce else ""
        return {self.header: f"proof-{n}:{request.method}:{request.url}{nonce}"}

    def observe(self, request: OutgoingRequest, response: HttpResponse) -> None:
        self.seen.append((request, response))
        nonce = response.headers.get("DPoP-Nonce")
        if nonce:
            self.nonce = nonce


def test_signer_sees_the_final_request_and_its_header_reaches_the_server() -> None:
    signer = ProofSigner()
    with canned_server() as server:
        server.routes["/token"] = Canned(200, json.dumps(TOKEN).encode(), headers={})
        provider = Provider(
            client=ClientConfig("cid", "csecret"),
            issuer=server.url,
            endpoints={"token_endpoint": server.url + "/token"},
            discover=False,
        )
        session = OAuthSession(provider, HttpClient(signer=signer))
        tokens = session.client_credentials("api")
        session.close()
    assert tokens.access_token == "at-123456789"
    [out] = signer.signed
    # The final method, URL, headers (client authentication applied) and body.
    assert (out.method, out.url) == ("POST", server.url + "/token")
    assert out.headers["Authorization"].startswith("Basic ")
    assert out.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert out.body is not None
    assert parse_qs(out.body.decode()) == {"grant_type": ["client_credentials"], "scope": ["api"]}
    assert out.purpose == "token (client_credentials)"
    expected = f"proof-1:POST:{server.url}/token"
    [received] = server.headers
    assert received["X-Proof"] == expected
    [exchange] = session.log.items()
    assert exchange.request_headers["X-Proof"] == expected  # not secret: recorded as sent
    assert f"X-Proof: {expected}" in exchange.curl
    [(seen_request, seen_response)] = signer.seen
    assert seen_request is out and seen_response.status == 200


def test_signer_sees_an_error_response_and_signs_the_next_request_with_its_nonce() -> None:
    signer = ProofSigner(header="DPoP")
    error = {"error": "use_dpop_nonce", "error_description": "nonce required"}
    with canned_server() as server:
        server.routes["/token"] = Canned(
            400, json.dumps(error).encode(), headers={"DPoP-Nonce": "n-42"}
        )
        http = HttpClient(signer=signer)
        session = OAuthSession(
            Provider(
                client=ClientConfig("cid", "csecret"),
                issuer=server.url,
                endpoints={"token_endpoint": server.url + "/token"},
                discover=False,
            ),
            http,
        )
        with pytest.raises(OAuthError):
            session.client_credentials()
        server.routes["/token"] = Canned(200, json.dumps(TOKEN).encode())
        session.client_credentials()
        session.close()
    assert [r.status for _, r in signer.seen] == [400, 200]
    first, second = (h["DPoP"] for h in server.headers)
    assert "nonce" not in first
    assert second == f"proof-2:POST:{server.url}/token;nonce=n-42"


def test_a_secret_header_is_masked_in_the_log_and_a_variable_in_curl() -> None:
    signer = ProofSigner(header="X-Client-Proof", secret=True)
    with canned_server() as server:
        server.json("/doc", {"ok": True})
        http = HttpClient(signer=signer)
        assert http.get_json(server.url + "/doc?x=1", "document") == {"ok": True}
        http.close()
    value = f"proof-1:GET:{server.url}/doc?x=1"
    assert server.headers[0]["X-Client-Proof"] == value
    [exchange] = http.log.items()
    assert exchange.request_headers["X-Client-Proof"] == MASK
    assert value not in exchange.curl
    assert '-H "X-Client-Proof: ${X_CLIENT_PROOF}"' in exchange.curl
    assert value in http.log.secrets()  # masked in every later record and message too


def test_a_signed_header_replaces_one_of_the_same_name_in_any_case() -> None:
    class AcceptSigner(RequestSigner):
        def sign(self, request: OutgoingRequest) -> Mapping[str, str]:
            return {"accept": "application/dpop+json"}

    with canned_server() as server:
        server.json("/doc", {})
        http = HttpClient(signer=AcceptSigner())
        http.send(HttpRequest("GET", server.url + "/doc"))
        http.close()
    accepts = [v for k, v in server.headers[0].items() if k.lower() == "accept"]
    assert accepts == ["application/dpop+json"]


def test_the_default_signer_adds_nothing() -> None:
    assert HttpClient().signer is NO_SIGNER
    request = OutgoingRequest("GET", "https://example.test/", {}, None, "")
    assert NO_SIGNER.sign(request) == {}
    with canned_server() as server:
        server.json("/doc", {})
        http = HttpClient()
        http.send(HttpRequest("GET", server.url + "/doc", purpose="p"))
        http.close()
    [exchange] = http.log.items()
    assert set(exchange.request_headers) == {"Accept"}
    assert exchange.curl == f"curl {server.url}/doc"
