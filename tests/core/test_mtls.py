"""Mutual TLS (RFC 8705) through the core against the demo server's TLS port: tls_client_auth
and self_signed_tls_client_auth, mtls_endpoint_aliases, certificate-bound tokens checked by the
inspector and refused by the demo API without their certificate, the per-provider CA bundle,
and the client certificate files' errors."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.tls_server import tls_server
from workbench.core.errors import ConfigError, OAuthError, TransportError
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.discovery import MTLS_ALIAS_SOURCE, describe_sources
from workbench.core.session import OAuthSession
from workbench.core.transport.client_cert import (
    ClientCertificate,
    load_client_certificate,
    self_signed_certificate,
)
from workbench.core.transport.exchange import HttpRequest
from workbench.core.transport.http import HttpClient
from workbench.demo.clients import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    MTLS_CLIENT_ID,
    MTLS_CLIENT_SUBJECT,
    MTLS_SELF_SIGNED_CLIENT_ID,
)
from workbench.demo.mtls import DemoMtls
from workbench.demo.server import DemoServer
from workbench.demo.tls import ThrowawayCa, self_signed_pair


@pytest.fixture
def server(make_demo: Callable[..., DemoServer]) -> DemoServer:
    return make_demo(mtls=True)


def _mtls(server: DemoServer) -> DemoMtls:
    assert server.mtls is not None
    return server.mtls


def _tls_client(server: DemoServer) -> ClientCertificate:
    m = _mtls(server)
    return load_client_certificate(str(m.client_cert_file), str(m.client_key_file))


def _self_signed(server: DemoServer) -> ClientCertificate:
    m = _mtls(server)
    return load_client_certificate(str(m.self_signed_cert_file), str(m.self_signed_key_file))


def _session(server: DemoServer, client: ClientConfig, *, ca_bundle: bool = True) -> OAuthSession:
    provider = Provider(
        client=client,
        issuer=server.issuer,
        scope="api:read",
        name="Demo mTLS",
        ca_bundle=str(_mtls(server).ca_file) if ca_bundle else None,
    )
    return OAuthSession(provider)


@pytest.fixture
def sessions() -> Iterator[list[OAuthSession]]:
    made: list[OAuthSession] = []
    yield made
    for session in made:
        session.close()


def _finding(session: OAuthSession, token: str) -> tuple[str, str]:
    inspection = session.inspect(token, kind="access")
    found = next(f for f in inspection.findings if f.check == "x5t#S256")
    return found.outcome.value, found.reason


def test_tls_client_auth_gets_a_token_bound_to_its_certificate(
    server: DemoServer, sessions: list[OAuthSession]
) -> None:
    cert = _tls_client(server)
    assert cert.subject == MTLS_CLIENT_SUBJECT
    session = _session(
        server, ClientConfig(MTLS_CLIENT_ID, None, "tls_client_auth", certificate=cert)
    )
    sessions.append(session)
    tokens = session.client_credentials()
    meta = session.metadata()
    # The token endpoint is the discovery's mTLS alias, and says so.
    assert meta.token_endpoint == _mtls(server).base_url + "/token"
    assert meta.sources["token_endpoint"] == MTLS_ALIAS_SOURCE
    assert any("mtls_endpoint_aliases" in line for line in describe_sources(meta))
    assert meta.authorization_endpoint == server.url("authorize")  # the browser's: not aliased
    outcome, reason = _finding(session, tokens.access_token)
    assert outcome == "pass" and "certificate-bound to this client certificate" in reason
    # The log says which certificate was offered, per exchange, and never where the key is.
    token_exchange = next(e for e in session.log.items() if e.url.endswith("/token"))
    assert token_exchange.client_certificate == cert.describe()
    assert cert.thumbprint in token_exchange.client_certificate
    dumped = json.dumps([e.to_dict() for e in session.log.items()])
    assert _mtls(server).client_key_file.name not in dumped
    assert "PRIVATE KEY" not in dumped
    assert '--key "$CLIENT_CERT_KEY"' in token_exchange.curl
    assert "client_secret" not in (token_exchange.request_form or {})
    assert "Authorization" not in token_exchange.request_headers


def test_self_signed_tls_client_auth(server: DemoServer, sessions: list[OAuthSession]) -> None:
    cert = _self_signed(server)
    client = ClientConfig(
        MTLS_SELF_SIGNED_CLIENT_ID, None, "self_signed_tls_client_auth", certificate=cert
    )
    session = _session(server, client)
    sessions.append(session)
    tokens = session.client_credentials()
    assert _finding(session, tokens.access_token)[0] == "pass"
    # Introspection and revocation go to their aliases with the certificate too.
    introspected = session.introspect(tokens.access_token)
    assert introspected["active"] is True
    assert introspected["cnf"] == {"x5t#S256": cert.thumbprint}  # RFC 8705 §3.2
    session.revoke(tokens.access_token)
    assert session.introspect(tokens.access_token)["active"] is False
    urls = [e.url for e in session.log.items() if e.client_certificate]
    assert _mtls(server).base_url + "/introspect" in urls
    assert _mtls(server).base_url + "/revoke" in urls


def test_the_inspector_fails_another_certificate_and_never_passes_without_one(
    server: DemoServer, sessions: list[OAuthSession]
) -> None:
    tls_client = ClientConfig(
        MTLS_CLIENT_ID, None, "tls_client_auth", certificate=_tls_client(server)
    )
    session = _session(server, tls_client)
    sessions.append(session)
    token = session.client_credentials().access_token
    other = _session(
        server,
        ClientConfig(
            MTLS_SELF_SIGNED_CLIENT_ID,
            None,
            "self_signed_tls_client_auth",
            certificate=_self_signed(server),
        ),
    )
    sessions.append(other)
    outcome, reason = _finding(other, token)
    assert outcome == "fail" and "another certificate" in reason
    plain = _session(server, ClientConfig(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET))
    sessions.append(plain)
    outcome, reason = _finding(plain, token)
    assert outcome == "not_checked" and "no client certificate is at hand" in reason
    # A token issued without a certificate is not bound, and says so.
    unbound = plain.client_credentials().access_token
    assert "not certificate-bound" in _finding(plain, unbound)[1]


def test_a_certificate_from_another_ca_is_refused_in_the_handshake(
    server: DemoServer, tmp_path: Path, sessions: list[OAuthSession]
) -> None:
    stranger = ThrowawayCa("Not the demo CA").issue_client(
        x509.Name.from_rfc4514_string(MTLS_CLIENT_SUBJECT)
    )
    cert_file, key_file = stranger.write(tmp_path, "stranger")
    cert = load_client_certificate(str(cert_file), str(key_file))
    session = _session(
        server, ClientConfig(MTLS_CLIENT_ID, None, "tls_client_auth", certificate=cert)
    )
    sessions.append(session)
    with pytest.raises(TransportError) as caught:
        session.client_credentials()
    assert caught.value.kind == "tls"
    assert "refused the client certificate" in str(caught.value)


def test_a_demo_certificate_of_another_client_is_invalid_client(
    server: DemoServer, sessions: list[OAuthSession]
) -> None:
    # The self-signed client's certificate is trusted in the handshake, but its subject is
    # not the one workbench-mtls registered.
    client = ClientConfig(MTLS_CLIENT_ID, None, "tls_client_auth", certificate=_self_signed(server))
    session = _session(server, client)
    sessions.append(session)
    with pytest.raises(OAuthError) as caught:
        session.client_credentials()
    assert caught.value.error == "invalid_client"


def test_the_demo_api_refuses_a_bound_token_without_its_certificate(
    server: DemoServer, sessions: list[OAuthSession]
) -> None:
    cert = _tls_client(server)
    session = _session(
        server, ClientConfig(MTLS_CLIENT_ID, None, "tls_client_auth", certificate=cert)
    )
    sessions.append(session)
    token = session.client_credentials().access_token
    api = _mtls(server).base_url + "/api/local/me"
    ca = str(_mtls(server).ca_file)
    headers = {"Authorization": f"Bearer {token}"}
    without = HttpClient(ca_bundle=ca)
    with_cert = HttpClient(ca_bundle=ca, client_cert=cert)
    try:
        refused = without.send(HttpRequest("GET", api, headers=headers))
        assert refused.status == 401
        challenge = refused.headers["WWW-Authenticate"]
        assert 'error="invalid_token"' in challenge and "presented none" in challenge
        accepted = with_cert.send(HttpRequest("GET", api, headers=headers))
        assert accepted.status == 200
        assert accepted.json()["claims"]["cnf"]["x5t#S256"] == cert.thumbprint
    finally:
        without.close()
        with_cert.close()


def test_the_demo_ca_is_trusted_only_through_the_ca_bundle(
    server: DemoServer, sessions: list[OAuthSession]
) -> None:
    cert = _tls_client(server)
    session = _session(
        server,
        ClientConfig(MTLS_CLIENT_ID, None, "tls_client_auth", certificate=cert),
        ca_bundle=False,
    )
    sessions.append(session)
    with pytest.raises(TransportError) as caught:
        session.client_credentials()
    assert caught.value.kind == "tls"
    assert "certificate verify failed" in str(caught.value)


def test_a_ca_bundle_serves_any_tls_server_of_its_ca(tmp_path: Path) -> None:
    with tls_server(tmp_path) as local:
        trusting = HttpClient(ca_bundle=str(local.ca_file))
        plain = HttpClient()
        try:
            assert trusting.get_json(local.url + "/x")["path"] == "/x"
            with pytest.raises(TransportError) as caught:
                plain.get_json(local.url + "/x")
            assert caught.value.kind == "tls"
        finally:
            trusting.close()
            plain.close()


def test_tls_client_auth_needs_a_certificate_and_https() -> None:
    from workbench.core.oauth.client_auth import authenticate

    with pytest.raises(ConfigError, match="needs a client certificate"):
        authenticate(ClientConfig("c", None, "tls_client_auth"), {}, "https://as/token")


# -- the certificate files -------------------------------------------------------------------
def _key_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_certificate_file_errors_are_worded(tmp_path: Path) -> None:
    pair = self_signed_pair(x509.Name.from_rfc4514_string("CN=files"))
    cert_file, key_file = pair.write(tmp_path, "ok")
    assert load_client_certificate(str(cert_file), str(key_file)).subject == "CN=files"
    with pytest.raises(ConfigError, match="does not exist"):
        load_client_certificate(str(tmp_path / "missing.pem"), str(key_file))
    with pytest.raises(ConfigError, match="is not a file"):
        load_client_certificate(str(tmp_path), str(key_file))
    garbled = tmp_path / "garbled.pem"
    garbled.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    with pytest.raises(ConfigError, match="holds no PEM certificate"):
        load_client_certificate(str(garbled), str(key_file))
    with pytest.raises(ConfigError, match="holds no PEM private key"):
        load_client_certificate(str(cert_file), str(cert_file))
    other_key = tmp_path / "other.key.pem"
    other_key.write_bytes(_key_pem())
    with pytest.raises(ConfigError, match="does not belong to the client certificate") as caught:
        load_client_certificate(str(cert_file), str(other_key))
    assert str(other_key) not in str(caught.value)  # the key's path is never shown
    encrypted = tmp_path / "encrypted.key.pem"
    key = serialization.load_pem_private_key(pair.key, None)
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"passphrase"),
        )
    )
    with pytest.raises(ConfigError, match="encrypted with a passphrase"):
        load_client_certificate(str(cert_file), str(encrypted))
    if os.geteuid() != 0:  # root reads any file: the mode proves nothing then
        unreadable = tmp_path / "unreadable.pem"
        unreadable.write_bytes(pair.cert)
        unreadable.chmod(0)
        with pytest.raises(ConfigError, match="cannot be read"):
            load_client_certificate(str(unreadable), str(key_file))


def test_self_signed_certificate_for_a_key(tmp_path: Path) -> None:
    key_pem = _key_pem()
    pem = self_signed_certificate(key_pem, "CN=my-client,O=Example")
    (tmp_path / "k.pem").write_bytes(key_pem)
    (tmp_path / "c.pem").write_bytes(pem)
    made = load_client_certificate(str(tmp_path / "c.pem"), str(tmp_path / "k.pem"))
    assert made.subject == "CN=my-client,O=Example"
    certificate = x509.load_pem_x509_certificate(pem)
    assert certificate.issuer == certificate.subject
    with pytest.raises(ConfigError, match="RFC 4514"):
        self_signed_certificate(key_pem, "no equals sign")


def test_a_key_file_gone_since_it_was_read_is_a_worded_failure(
    server: DemoServer, tmp_path: Path
) -> None:
    m = _mtls(server)
    key_copy = tmp_path / "key.pem"
    key_copy.write_bytes(m.client_key_file.read_bytes())
    cert = load_client_certificate(str(m.client_cert_file), str(key_copy))
    key_copy.unlink()
    http = HttpClient(ca_bundle=str(m.ca_file), client_cert=cert)
    try:
        with pytest.raises(TransportError) as caught:
            http.send(HttpRequest("GET", m.base_url + "/jwks.json"))
        assert "can no longer be read" in str(caught.value)
        assert str(key_copy) not in str(caught.value)
    finally:
        http.close()


def test_a_server_without_mutual_tls_is_refused_before_any_request(
    make_demo: Callable[..., DemoServer], server: DemoServer, sessions: list[OAuthSession]
) -> None:
    plain = make_demo()  # no --mtls: its discovery lists no tls_client_auth
    provider = Provider(
        client=ClientConfig(
            MTLS_CLIENT_ID, None, "tls_client_auth", certificate=_tls_client(server)
        ),
        issuer=plain.issuer,
    )
    session = OAuthSession(provider)
    sessions.append(session)
    with pytest.raises(ConfigError, match="does not offer tls_client_auth"):
        session.client_credentials()
    assert not [e for e in session.log.items() if "token" in e.url]
