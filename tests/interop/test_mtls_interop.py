"""Mutual TLS (RFC 8705) against the independent npm oidc-provider: its features.mTLS
(tlsClientAuth, selfSignedTlsClientAuth, certificateBoundAccessTokens) behind node's own HTTPS
server (tests/interop/mtls.mjs), which hands oidc-provider the client certificate from the TLS
socket. The CA, the server certificate and both client certificates are made per run with the
throwaway CA of workbench.demo.tls; the HTTPS port is trusted only through the CA bundle."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509

from tests.oidc_provider_peer import _free_port, running_provider
from workbench.core.errors import OAuthError, TransportError
from workbench.core.model import Provider
from workbench.core.oauth.client_auth import ClientConfig
from workbench.core.oauth.discovery import MTLS_ALIAS_SOURCE
from workbench.core.session import OAuthSession
from workbench.core.tokens.decode import decode_jwt
from workbench.core.transport.client_cert import ClientCertificate, load_client_certificate
from workbench.demo.tls import PemPair, ThrowawayCa, self_signed_pair

TLS_CLIENT_SUBJECT = "CN=interop-mtls-client,O=Token Workbench interop"  # as mtls.mjs says


@dataclass(frozen=True)
class MtlsPeer:
    issuer: str
    tls_base: str
    directory: Path
    ca: ThrowawayCa

    @property
    def ca_file(self) -> str:
        return str(self.directory / "ca.pem")

    def certificate(self, stem: str) -> ClientCertificate:
        return load_client_certificate(
            str(self.directory / f"{stem}.pem"), str(self.directory / f"{stem}.key.pem")
        )


@pytest.fixture(scope="module")
def peer() -> Iterator[MtlsPeer]:
    with tempfile.TemporaryDirectory(prefix="wb-oidc-mtls-") as tmp:
        directory = Path(tmp)
        ca = ThrowawayCa("Interop throwaway CA")
        (directory / "ca.pem").write_bytes(ca.cert_pem)
        ca.issue_server().write(directory, "server")
        ca.issue_client(x509.Name.from_rfc4514_string(TLS_CLIENT_SUBJECT)).write(
            directory, "tls-client"
        )
        self_signed: PemPair = self_signed_pair(x509.Name.from_rfc4514_string("CN=interop-self"))
        self_signed.write(directory, "self-signed")
        port, tls_port = _free_port(), _free_port()
        mtls_env = {"INTEROP_MTLS_DIR": str(directory), "INTEROP_MTLS_PORT": str(tls_port)}
        with running_provider(directory, port, **mtls_env) as (issuer, _process):
            yield MtlsPeer(issuer, f"https://127.0.0.1:{tls_port}", directory, ca)


def _session(peer: MtlsPeer, client: ClientConfig, *, ca_bundle: bool = True) -> OAuthSession:
    provider = Provider(
        client=client,
        issuer=peer.issuer,
        scope="api:read",
        ca_bundle=peer.ca_file if ca_bundle else None,
    )
    return OAuthSession(provider)


def _binding(session: OAuthSession, token: str) -> tuple[str, str]:
    found = next(f for f in session.inspect(token, kind="access").findings if f.check == "x5t#S256")
    return found.outcome.value, found.reason


def test_tls_client_auth_at_the_alias_with_a_bound_token(peer: MtlsPeer) -> None:
    cert = peer.certificate("tls-client")
    session = _session(
        peer, ClientConfig("workbench-mtls", None, "tls_client_auth", certificate=cert)
    )
    try:
        tokens = session.client_credentials()
        meta = session.metadata()
        assert meta.token_endpoint == peer.tls_base + "/token"
        assert meta.sources["token_endpoint"] == MTLS_ALIAS_SOURCE
        outcome, reason = _binding(session, tokens.access_token)
        assert outcome == "pass", reason
        # oidc-provider computed the same thumbprint of the certificate it was shown.
        claims = decode_jwt(tokens.access_token).claims
        assert claims["cnf"] == {"x5t#S256": cert.thumbprint}
        token_exchange = next(e for e in session.log.items() if e.url.endswith("/token"))
        assert token_exchange.client_certificate == cert.describe()
    finally:
        session.close()


def test_self_signed_tls_client_auth(peer: MtlsPeer) -> None:
    cert = peer.certificate("self-signed")
    client = ClientConfig(
        "workbench-mtls-self-signed", None, "self_signed_tls_client_auth", certificate=cert
    )
    session = _session(peer, client)
    try:
        tokens = session.client_credentials()
        assert _binding(session, tokens.access_token)[0] == "pass"
    finally:
        session.close()


def test_a_certificate_of_another_ca_is_refused(peer: MtlsPeer, tmp_path: Path) -> None:
    stranger = ThrowawayCa("A stranger CA").issue_client(
        x509.Name.from_rfc4514_string(TLS_CLIENT_SUBJECT)
    )
    cert_file, key_file = stranger.write(tmp_path, "stranger")
    cert = load_client_certificate(str(cert_file), str(key_file))
    session = _session(
        peer, ClientConfig("workbench-mtls", None, "tls_client_auth", certificate=cert)
    )
    try:
        with pytest.raises(OAuthError) as caught:
            session.client_credentials()
        assert caught.value.error == "invalid_client"
    finally:
        session.close()


def test_the_https_port_is_trusted_only_through_the_ca_bundle(peer: MtlsPeer) -> None:
    cert = peer.certificate("tls-client")
    session = _session(
        peer,
        ClientConfig("workbench-mtls", None, "tls_client_auth", certificate=cert),
        ca_bundle=False,
    )
    try:
        with pytest.raises(TransportError) as caught:
            session.client_credentials()
        assert caught.value.kind == "tls"
    finally:
        session.close()
