"""A throwaway certificate authority and the TLS material made with it, for local servers.

:class:`ThrowawayCa` is a CA made in memory for one run (an EC P-256 key, valid for a day):
it issues a server certificate for loopback names and addresses, and client certificates for
mutual TLS. :func:`self_signed_pair` makes a self-signed client certificate.
:func:`server_context` builds the server's ``ssl.SSLContext``: its certificate, and, when asked,
a request for a client certificate verified against the trust anchors given (a CA, or
self-signed certificates trusted one by one). :func:`write_pem` writes a file readable by its
owner only.

The demo server's mTLS port uses it (:mod:`workbench.demo.mtls`); the tests use it for any
local TLS server whose CA must be trusted through a setting and nothing else.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "LOOPBACK_NAMES",
    "PemPair",
    "ThrowawayCa",
    "self_signed_pair",
    "server_context",
    "write_pem",
]

#: What a loopback server certificate is valid for.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_LIFETIME = datetime.timedelta(days=1)


@dataclass(frozen=True)
class PemPair:
    """A certificate and its unencrypted private key, PEM."""

    cert: bytes
    key: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert)

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def write(self, directory: Path, stem: str) -> tuple[Path, Path]:
        """``stem``.pem and ``stem``.key.pem in ``directory`` (mode 0600)."""
        cert_file, key_file = directory / f"{stem}.pem", directory / f"{stem}.key.pem"
        write_pem(cert_file, self.cert)
        write_pem(key_file, self.key)
        return cert_file, key_file


def write_pem(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(common_name: str, organisation: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    return x509.Name(attributes)


def _builder(
    subject: x509.Name, issuer: x509.Name, public: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + _LIFETIME)
    )


class ThrowawayCa:
    """A certificate authority that lives for one run: nothing it signs is trusted anywhere
    but where its certificate (:attr:`cert_pem`) is given as the trust anchor."""

    def __init__(self, common_name: str = "Token Workbench throwaway CA") -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.name = _name(common_name)
        certificate = (
            _builder(self.name, self.name, self._key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        self.cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
        self._certificate = certificate

    def _issue(self, subject: x509.Name, extensions: Iterable[x509.ExtensionType]) -> PemPair:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = _builder(subject, self.name, key.public_key()).add_extension(
            x509.BasicConstraints(ca=False, path_length=None), critical=True
        )
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
            critical=False,
        )
        for extension in extensions:
            builder = builder.add_extension(extension, critical=False)
        certificate = builder.sign(self._key, hashes.SHA256())
        return PemPair(certificate.public_bytes(serialization.Encoding.PEM), _key_pem(key))

    def issue_server(self, names: Iterable[str] = LOOPBACK_NAMES) -> PemPair:
        """A server certificate for ``names`` (host names and IP addresses)."""
        alternatives: list[x509.GeneralName] = []
        for name in names:
            try:
                alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alternatives.append(x509.DNSName(name))
        first = next(iter(names), "localhost")
        return self._issue(
            _name(first),
            (
                x509.SubjectAlternativeName(alternatives),
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
            ),
        )

    def issue_client(self, subject: x509.Name) -> PemPair:
        """A client certificate (extended key usage clientAuth) for ``subject``."""
        return self._issue(subject, (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),))


def self_signed_pair(subject: x509.Name) -> PemPair:
    """A self-signed client certificate and its key (RFC 8705 §2.2)."""
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        _builder(subject, subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return PemPair(certificate.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def server_context(server: PemPair, client_trust: Iterable[bytes] | None = None) -> ssl.SSLContext:
    """A server's TLS context with ``server``'s certificate. ``client_trust`` (PEM
    certificates): ask every client for a certificate (optional: a client without one still
    connects) and accept only one that chains to these; None: ask for none."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    with tempfile.TemporaryDirectory() as directory:
        cert_file, key_file = server.write(Path(directory), "server")
        context.load_cert_chain(cert_file, key_file)
    if client_trust is not None:
        context.verify_mode = ssl.CERT_OPTIONAL
        anchors = b"".join(client_trust)
        if anchors:
            context.load_verify_locations(cadata=anchors.decode("ascii"))
    return context
